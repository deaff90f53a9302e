"""`sec-analyzer diff`, `similar` and `drift`: what analysts ask of the results database."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.output_format import format_option, print_json

if TYPE_CHECKING:
    from sec_analyzer.analysis.changes import DiffSpan, FilingChanges, RiskChange
    from sec_analyzer.storage.analysis_repo import AnalysisRepository

RISK_ID = re.compile(r"^([A-Za-z0-9.\-]+)-(\d{4})-(\d{1,6})$")
BODY_CONTEXT_WORDS = 8  # kept words shown around a change in a long body


def _repository() -> AnalysisRepository:
    from sec_analyzer.settings import get_settings
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    return AnalysisRepository(create_db_engine(get_settings().resolved_database_url))


# --- diff ------------------------------------------------------------------------------------


@click.command()
@click.argument("ticker")
@click.argument("previous_year", type=click.IntRange(1993, 2100))
@click.argument("current_year", type=click.IntRange(1993, 2100))
@format_option()
def diff(ticker: str, previous_year: int, current_year: int, output_format: str) -> None:
    """Year-over-year changes of a company's risk factors: UNCHANGED, MODIFIED, NEW, REMOVED.

    Reads both filings from the results database; MODIFIED risks show their changed words.
    """
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.changes import diff_filings

    if previous_year == current_year:
        raise SecAnalyzerError("give two different fiscal years")
    settings = load_analysis_settings().changes
    repository = _repository()
    current = repository.filing(ticker, current_year)
    previous = repository.comparable_filing(current, ticker, previous_year)
    result = diff_filings(repository, previous, current, settings)
    if output_format == "json":
        print_json(result.to_json())
    else:
        _print_changes(result, colour=sys.stdout.isatty())


def _print_changes(result: FilingChanges, colour: bool) -> None:
    from sec_analyzer.analysis.changes import ChangeStatus, counts

    tally = counts(result.changes)
    click.echo(
        f"{result.ticker} {result.previous_year} → {result.current_year}: {tally.unchanged} unchanged, "
        f"{tally.modified} modified, {tally.new} new, {tally.removed} removed"
    )
    for change in result.changes:
        if change.status is ChangeStatus.UNCHANGED and not change.moved and not change.category_changed:
            continue
        click.echo("")
        click.echo(_change_title(change, colour))
        if change.status is ChangeStatus.MODIFIED:
            if any(span.op != "=" for span in change.heading_diff):
                click.echo("  heading: " + _render(change.heading_diff, colour, context=None))
            if any(span.op != "=" for span in change.body_diff):
                click.echo("  body: " + _render(change.body_diff, colour, context=BODY_CONTEXT_WORDS))


def _change_title(change: RiskChange, colour: bool) -> str:
    from sec_analyzer.analysis.changes import ChangeStatus

    colours = {ChangeStatus.NEW: "green", ChangeStatus.REMOVED: "red", ChangeStatus.MODIFIED: "yellow"}
    status = change.status.value
    label = click.style(status, fg=colours.get(change.status), bold=True) if colour else status
    if change.previous is not None and change.current is not None:
        where = f"#{change.previous.ordinal} → #{change.current.ordinal}"
    elif change.current is not None:
        where = f"#{change.current.ordinal}"
    else:
        where = f"#{change.previous.ordinal}" if change.previous is not None else ""
    notes = []
    if change.changed_words_share is not None and change.status is ChangeStatus.MODIFIED:
        notes.append(f"score {change.score:.2f}, {change.changed_words_share:.0%} of words changed")
    if change.moved:
        notes.append("moved")
    if change.category_changed and change.previous is not None and change.current is not None:
        notes.append(f"category {change.previous.category!r} → {change.current.category!r}")
    if change.merged_into is not None:
        notes.append(f"merged into #{change.merged_into}")
    if change.split_from is not None:
        notes.append(f"split from #{change.split_from}")
    risk = change.current or change.previous
    heading = risk.heading if risk is not None else ""
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return f"{label} {where}{suffix}\n  {heading}"


def _render(spans: tuple[DiffSpan, ...], colour: bool, context: int | None) -> str:
    """Removed words in red (or [-…-]), added in green (or {+…+}); long kept runs shortened."""
    parts = []
    for index, span in enumerate(spans):
        if span.op == "=":
            words = span.text.split(" ")
            if context is not None and len(words) > 2 * context:
                head = [] if index == 0 else words[:context]
                tail = [] if index == len(spans) - 1 else words[-context:]
                words = [*head, "…", *tail]
            parts.append(" ".join(words))
        elif span.op == "-":
            parts.append(click.style(span.text, fg="red", strikethrough=True) if colour else f"[-{span.text}-]")
        else:
            parts.append(click.style(span.text, fg="green", underline=True) if colour else f"{{+{span.text}+}}")
    return " ".join(part for part in parts if part)


# --- similar ---------------------------------------------------------------------------------


@click.command()
@click.argument("text", required=False)
@click.option("--risk", "risk_id", help="A stored risk as TICKER-YEAR-ORDINAL, e.g. KO-2024-12.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--ticker", "tickers", multiple=True, help="Only these companies (repeatable).")
@click.option("--year", "years", type=int, multiple=True, help="Only these fiscal years (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only risks with this primary label (repeatable).")
@format_option()
@click.option("--rebuild-index", is_flag=True, help="Rebuild the index from the results database first.")
def similar(
    text: str | None,
    risk_id: str | None,
    top: int,
    tickers: tuple[str, ...],
    years: tuple[int, ...],
    categories: tuple[str, ...],
    output_format: str,
    rebuild_index: bool,
) -> None:
    """The stored risk factors closest to a free text or to a stored risk (--risk)."""
    import numpy as np

    from sec_analyzer.analysis import similarity
    from sec_analyzer.analysis.analysis_config import load_analysis_settings

    if (text is None) == (risk_id is None):
        raise click.UsageError("give either a TEXT to search for or --risk TICKER-YEAR-ORDINAL")
    if text is not None and not text.strip():
        raise click.UsageError("the search text is empty")
    risk_ref = _parse_risk_id(risk_id) if risk_id is not None else None
    settings = load_analysis_settings().similarity
    repository = _repository()
    directory = similarity.default_index_dir()
    if rebuild_index or not (directory / "manifest.json").is_file():
        summary = similarity.rebuild_index(repository, directory, settings)
        click.echo(f"index built: {summary.vectors} vectors of {summary.filings} filings in {summary.seconds:.1f} s",
                   err=True)
    index = similarity.VectorIndex.load(directory, settings)
    if not len(index):
        raise SecAnalyzerError("the results database holds no risk-factor vectors yet; run the embedding stage")
    exclude: list[int] = []
    if risk_ref is not None:
        query, key = _stored_risk_vector(repository, *risk_ref)
        exclude.append(key)
    else:
        from sec_analyzer.analysis.embedding import get_embedder

        embedder = get_embedder("fast")
        if index.model_versions and embedder.version not in index.model_versions:
            raise SecAnalyzerError(
                f"the index holds vectors of model version(s) {', '.join(index.model_versions)}, not "
                f"{embedder.version}; re-embed the filings or rebuild the index"
            )
        query = embedder.embed([("", text or "")])[0]
    hits = index.search(np.asarray(query, dtype=np.float32), top, tickers=tickers, years=years, labels=categories,
                        exclude=exclude)
    results = similarity.describe(hits, repository)
    if output_format == "json":
        print_json([{"risk_id": risk.risk_id, "ticker": risk.ticker, "fiscal_year": risk.fiscal_year,
                     "ordinal": risk.ordinal, "category": risk.category, "label": risk.label,
                     "heading": risk.heading, "score": risk.score} for risk in results])
        return
    if not results:
        click.echo("no stored risk matches the filters")
    for rank, risk in enumerate(results, start=1):
        click.echo(f"{rank:>3}. {risk.score:.3f}  {risk.risk_id}  [{risk.label or '—'}] {risk.category or ''}")
        click.echo(f"     {risk.heading}")


def _parse_risk_id(risk_id: str) -> tuple[str, int, int]:
    match = RISK_ID.match(risk_id.strip())
    if match is None:
        raise click.UsageError(f"--risk {risk_id!r} is not TICKER-YEAR-ORDINAL (e.g. KO-2024-12)")
    return match.group(1), int(match.group(2)), int(match.group(3))


def _stored_risk_vector(
    repository: AnalysisRepository, ticker: str, year: int, ordinal: int
) -> tuple[list[float], int]:
    from sec_analyzer.analysis.similarity import risk_key

    filing = repository.filing(ticker, year)
    vector = repository.risk_vector(filing, ordinal)
    if vector is None:
        raise SecAnalyzerError(f"{filing.partition_key} has no embedded risk factor {ordinal}")
    return vector, risk_key(filing.filing_id, ordinal)


# --- drift -----------------------------------------------------------------------------------


@click.command()
@format_option(("markdown", "json"))
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Also write drift-report.md and drift-report.json into this folder.")
@click.option("--alert", is_flag=True,
              help="On critical drift, log and post to SEC_ANALYZER_ALERT_WEBHOOK_URL (cooldown and daily limit apply).")
def drift(output_format: str, output: Path | None, alert: bool) -> None:
    """Drift of the risk landscape per fiscal year: categories (PSI, Jensen–Shannon) and embeddings."""
    from sec_analyzer.analysis.alerting import default_state_path, raise_drift_alert
    from sec_analyzer.analysis.analysis_config import load_analysis_settings
    from sec_analyzer.analysis.drift import drift_report

    settings = load_analysis_settings()
    report = drift_report(_repository(), settings.drift)
    if output is not None:
        report.write(output)
    click.echo(report.to_json_text() if output_format == "json" else report.to_markdown(), nl=False)
    if alert:
        decision = raise_drift_alert(report, default_state_path(), settings.alerts)
        delivered = {None: "", True: ", webhook answered", False: ", webhook FAILED"}[decision.delivered]
        click.echo(f"alert: {'sent' if decision.alert else 'not sent'} ({decision.reason}{delivered})", err=True)

