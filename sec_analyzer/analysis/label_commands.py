"""`sec-analyzer labels export|import`: review the labeled set in a spreadsheet and merge it back.

The risk factors come from the results database, or with `--filings DIR` from segmenting a folder
of filings (`{TICKER}/{accession}/primary-document.html`). Only plain modules load at start; the
embedding model loads only when `--weak classifier` asks for it.
"""

from __future__ import annotations

from pathlib import Path

import click

from sec_analyzer.analysis.labels import (
    DEFAULT_LABELS_PATH,
    RiskText,
    WeakLabeler,
    build_labeled_set,
    merge_labels,
    read_label_sheet,
    risk_texts_from_database,
    risk_texts_from_filings,
    write_label_sheet,
    write_review_sheet,
)
from sec_analyzer.analysis.taxonomy import load_taxonomy
from sec_analyzer.output_format import emit, format_option

WEAK_SOURCES = ("keywords", "classifier")

labels_option = click.option(
    "--labels", "labels_path", type=click.Path(path_type=Path), default=DEFAULT_LABELS_PATH, show_default=True,
    help="The label file.",
)
filings_option = click.option(
    "--filings", "filings_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
    help="Segment this folder of filings instead of reading the results database.",
)


def _texts(filings_dir: Path | None) -> dict[str, RiskText]:
    return risk_texts_from_filings(filings_dir) if filings_dir else risk_texts_from_database()


@click.group()
def labels() -> None:
    """The team's risk-factor labels: export a review sheet, import a reviewed one."""


@labels.command("export")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False))
@labels_option
@filings_option
@click.option("--weak", "weak_sources", multiple=True, type=click.Choice(WEAK_SOURCES),
              help="Add weak labels of this source for unlabeled risk factors (repeatable).")
@click.option("--min-confidence", default=0.0, show_default=True, help="Drop weak labels below this confidence.")
@format_option()
def export(sheet: Path, labels_path: Path, filings_dir: Path | None, weak_sources: tuple[str, ...], min_confidence: float,
           output_format: str) -> None:
    """Write SHEET: the labeled set as CSV, least confident first."""
    from sec_analyzer.analysis.labels import classifier_weak_labeler, keyword_weak_labeler

    taxonomy = load_taxonomy()
    weak: list[WeakLabeler] = []
    if "keywords" in weak_sources:
        weak.append(keyword_weak_labeler(taxonomy, min_confidence))
    if "classifier" in weak_sources:
        from sec_analyzer.analysis.classifier import get_classifier
        from sec_analyzer.analysis.embedding import get_embedder

        embedder = get_embedder("fast")
        weak.append(classifier_weak_labeler(get_classifier(embedder, taxonomy), embedder, min_confidence))
    human = read_label_sheet(labels_path, taxonomy.ids)
    labeled = build_labeled_set(human, _texts(filings_dir), taxonomy.ids, weak_labelers=weak)
    count = write_review_sheet(sheet, labeled, human)
    emit(output_format, {"sheet": str(sheet), "rows": count, "data_version": labeled.data_version,
                         "labeled_ids_without_text": len(labeled.unmatched_labels)},
         f"wrote {count} rows to {sheet} (data version {labeled.data_version}; "
         f"{len(labeled.unmatched_labels)} labeled ids without a stored text left out)")


@labels.command("import")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@labels_option
@filings_option
@format_option()
def import_(sheet: Path, labels_path: Path, filings_dir: Path | None, output_format: str) -> None:
    """Validate the reviewed rows of SHEET (those with a labeler) and merge them into the label file."""
    taxonomy = load_taxonomy()
    known = _texts(filings_dir)
    reviewed = read_label_sheet(sheet, taxonomy.ids, known_risk_ids=known, reviewed_only=True)
    existing = read_label_sheet(labels_path, taxonomy.ids) if labels_path.is_file() else []
    merged, counts = merge_labels(existing, reviewed)
    write_label_sheet(labels_path, merged)
    emit(output_format, {"labels": str(labels_path), "reviewed": len(reviewed), "added": counts["added"],
                         "changed": counts["changed"], "unchanged": counts["unchanged"], "total": len(merged)},
         f"merged {len(reviewed)} reviewed rows into {labels_path}: {counts['added']} added, "
         f"{counts['changed']} changed, {counts['unchanged']} unchanged; {len(merged)} labels in all")
