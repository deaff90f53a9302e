"""The labeled set: the committed label file, sheet validation, company splits, weak labels, the CLI."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sec_analyzer.analysis.labels import (
    DEFAULT_LABELS_PATH,
    GOLD_TICKERS,
    HumanLabel,
    LabelError,
    RiskText,
    build_labeled_set,
    keyword_weak_labeler,
    merge_labels,
    read_label_sheet,
    risk_texts_from_filings,
    write_label_sheet,
)
from sec_analyzer.analysis.taxonomy import load_taxonomy

REPO_ROOT = Path(__file__).resolve().parents[2]
LABELS = REPO_ROOT / DEFAULT_LABELS_PATH
# one gold company and three others, small filings: enough for every split
TICKERS = ("GE", "PG", "NVDA", "JNJ")


@pytest.fixture(scope="module")
def categories() -> tuple[str, ...]:
    return load_taxonomy().ids


@pytest.fixture(scope="module")
def texts(corpus_dir: Path) -> dict[str, RiskText]:
    return risk_texts_from_filings(corpus_dir / "10-K", TICKERS)


@pytest.fixture(scope="module")
def labels(categories: tuple[str, ...]) -> list[HumanLabel]:
    return [label for label in read_label_sheet(LABELS, categories) if label.ticker in TICKERS]


def test_the_committed_labels_are_valid_and_cover_the_promise(categories: tuple[str, ...]) -> None:
    every = read_label_sheet(LABELS, categories)
    companies = {label.ticker for label in every}
    assert len(every) >= 450 and len(companies) >= 14
    gold = [label for label in every if label.ticker in GOLD_TICKERS]
    assert 0.2 <= len(gold) / len(every) <= 0.3
    assert all(1 <= len(label.labels) <= 3 for label in every)


def test_label_ids_and_headings_match_the_segmented_filings(labels: list[HumanLabel], texts: dict[str, RiskText]) -> None:
    assert labels
    for label in labels:
        assert label.risk_id in texts, label.risk_id
        assert texts[label.risk_id].heading.startswith(label.heading), label.risk_id


BAD_ROWS = [
    ({"labels": "tax;weather"}, r"sheet.csv:3 \(PG-2025-002\): unknown category 'weather'"),
    ({"labels": "tax;macroeconomic;supply_chain;other"}, r"sheet.csv:3 \(PG-2025-002\): 4 labels .* at most 3"),
    ({"confidence": "sure"}, r"sheet.csv:3 \(PG-2025-002\): confidence 'sure' must be one of clear-cut, borderline"),
    ({"risk_id": "PG-2025-999", "ordinal": "999"}, r"sheet.csv:3 \(PG-2025-999\): unknown risk id"),
    ({"risk_id": "PG-2025-001", "ordinal": "1"}, r"sheet.csv:3 \(PG-2025-001\): duplicate risk id, first seen on line 2"),
    ({"risk_id": "pg 2"}, r"sheet.csv:3 \(pg 2\): risk id must look like TICKER-YEAR-NNN"),
    ({"labels": ""}, r"sheet.csv:3 \(PG-2025-002\): no label"),
    ({"labels": "tax;tax"}, r"a category is repeated"),
]


@pytest.mark.parametrize(("change", "message"), BAD_ROWS)
def test_a_bad_row_is_a_one_line_error_naming_it(
    tmp_path: Path, labels: list[HumanLabel], texts: dict[str, RiskText], categories: tuple[str, ...], change: dict[str, str], message: str
) -> None:
    rows = [label.as_row() for label in labels if label.ticker == "PG"][:3]
    rows[1] |= change
    sheet = tmp_path / "sheet.csv"
    with sheet.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(LabelError, match=message) as caught:
        read_label_sheet(sheet, categories, known_risk_ids=texts)
    assert "\n" not in str(caught.value)


def test_splits_are_by_company_and_the_data_version_follows_the_content(
    labels: list[HumanLabel], texts: dict[str, RiskText], categories: tuple[str, ...]
) -> None:
    labeled = build_labeled_set(labels, texts, categories, validation_companies=1, seed=7)
    assert {r.ticker for r in labeled.split("gold")} == {"JNJ"}
    assert len({r.ticker for r in labeled.split("validation")}) == 1
    by_split = {split: {r.ticker for r in labeled.split(split)} for split in ("train", "validation", "gold")}
    assert not (by_split["train"] & by_split["validation"]) and not (by_split["train"] & by_split["gold"])
    assert build_labeled_set(labels, texts, categories, validation_companies=1, seed=7).data_version == labeled.data_version
    relabeled = [dataclasses.replace(labels[0], labels=("other",)), *labels[1:]]
    assert build_labeled_set(relabeled, texts, categories, validation_companies=1, seed=7).data_version != labeled.data_version
    assert labeled.summary()["by_source"] == {"human": len(labels)}


def test_weak_labels_only_for_unlabeled_training_risks(
    labels: list[HumanLabel], texts: dict[str, RiskText], categories: tuple[str, ...]
) -> None:
    weak = keyword_weak_labeler(load_taxonomy(), min_confidence=0.0)
    labeled = build_labeled_set(labels, texts, categories, validation_companies=1, seed=7, weak_labelers=[weak])
    weak_rows = [r for r in labeled.risks if r.source == "weak:keywords"]
    human_ids = {label.risk_id for label in labels}
    assert weak_rows and all(r.split == "train" and r.risk_id not in human_ids for r in weak_rows)
    assert all(0.0 <= r.confidence <= 1.0 and 1 <= len(r.labels) <= 3 for r in weak_rows)
    strict = build_labeled_set(labels, texts, categories, validation_companies=1, seed=7,
                               weak_labelers=[dataclasses.replace(weak, min_confidence=0.99)])
    assert len(strict.risks) < len(labeled.risks)


def test_merge_replaces_by_id(labels: list[HumanLabel]) -> None:
    changed = dataclasses.replace(labels[0], labels=("other",), labeler="reviewer")
    merged, counts = merge_labels(labels, [changed, labels[1]])
    assert counts == {"changed": 1, "unchanged": 1}
    assert len(merged) == len(labels) and next(m for m in merged if m.risk_id == changed.risk_id) == changed


def test_export_then_import_round_trip(tmp_path: Path, corpus_dir: Path, labels: list[HumanLabel], categories: tuple[str, ...]) -> None:
    from sec_analyzer.cli import cli

    filings = tmp_path / "filings"
    filings.mkdir()
    for ticker in (*TICKERS, "ABBV"):  # ABBV: a company nobody labeled, so weak labels have work
        (filings / ticker).symlink_to(corpus_dir / "10-K" / ticker)
    label_file = tmp_path / "labels.csv"
    write_label_sheet(label_file, labels)
    sheet = tmp_path / "review.csv"
    runner = CliRunner()
    exported = runner.invoke(cli, ["labels", "export", str(sheet), "--labels", str(label_file), "--filings", str(filings), "--weak", "keywords"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(sheet.open()))
    scores = [float(row["score"]) for row in rows]
    assert scores == sorted(scores) and any(row["source"] == "weak:keywords" for row in rows)
    # a reviewer confirms one weak suggestion and changes one human label
    weak_row = next(row for row in rows if row["source"] == "weak:keywords")
    weak_row |= {"labeler": "reviewer", "confidence": "borderline"}
    human_row = next(row for row in rows if row["source"] == "human")
    human_row |= {"labels": "other", "labeler": "reviewer"}
    with sheet.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    imported = runner.invoke(cli, ["labels", "import", str(sheet), "--labels", str(label_file), "--filings", str(filings),
                                   "--format", "json"])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.stdout)
    assert (summary["added"], summary["changed"], summary["total"]) == (1, 1, len(labels) + 1)
    merged = {label.risk_id: label for label in read_label_sheet(label_file, categories)}
    assert len(merged) == len(labels) + 1 and merged[human_row["risk_id"]].labels == ("other",)
    assert merged[weak_row["risk_id"]].confidence == "borderline"


def test_the_serving_classifier_as_a_weak_labeler(texts: dict[str, RiskText], categories: tuple[str, ...]) -> None:
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.analysis.labels import classifier_weak_labeler

    embedder = get_embedder("fast")
    labeler = classifier_weak_labeler(get_classifier(embedder), embedder, min_confidence=0.5)
    risks = [texts[risk_id] for risk_id in sorted(texts)[:4]]
    proposals = labeler.propose(risks)
    assert labeler.name == "classifier:prototype-zero-shot" and len(proposals) == len(risks)
    for proposal in proposals:
        assert proposal is not None and 0.0 <= proposal.confidence <= 1.0
        assert 1 <= len(proposal.labels) <= 3 and set(proposal.labels) <= set(categories)
