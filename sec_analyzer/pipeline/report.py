"""Where each filing of a backfill ended up, read from its stage summaries and gate verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import ITEMS, PIPELINE, PUBLISHED, RAW_FILING, RISK_SEGMENTS
from sec_analyzer.quality.verdicts import GATES, read_verdict

REASON_CHARS = 160
PUBLISHED_OUTCOME = "published"


@dataclass(frozen=True)
class FilingOutcome:
    filing: str
    accession: str
    item_1a_chars: int | str
    risk_factors: int | str
    gate: str  # passed | blocked | "" (not judged)
    outcome: str  # published | blocked | absent | failed | not run
    reason: str

    @property
    def published(self) -> bool:
        return self.outcome == PUBLISHED_OUTCOME


def filing_outcome(artifacts: ArtifactStore, partition_key: str) -> FilingOutcome:
    raw = RAW_FILING.read_summary(artifacts, partition_key)
    items = ITEMS.read_summary(artifacts, partition_key)
    segments = RISK_SEGMENTS.read_summary(artifacts, partition_key)
    published = PUBLISHED.read_summary(artifacts, partition_key)
    verdicts = [verdict for gate in GATES if (verdict := read_verdict(artifacts, gate, partition_key))]
    ran = artifacts.exists(PUBLISHED.name, partition_key)
    # The first stage that stopped the filing says why (later stages only carry its reason).
    first_failure = next(
        (summary for contract in PIPELINE if artifacts.exists(contract.name, partition_key)
         and not (summary := contract.read_summary(artifacts, partition_key)).ok and summary.reason),
        None,
    )
    return FilingOutcome(
        filing=partition_key,
        accession=raw.accession or "",
        item_1a_chars=items.item_1a_chars if items.item_1a_chars is not None else "",
        risk_factors=segments.risk_factors if segments.risk_factors is not None else "",
        gate=("passed" if all(verdict.passed for verdict in verdicts) else "blocked") if verdicts else "",
        outcome=(PUBLISHED_OUTCOME if published.ok else str(published.status)) if ran else "not run",
        reason=(first_failure.reason or "") if first_failure else "",
    )


def render_outcomes(outcomes: list[FilingOutcome]) -> str:
    """A fixed-width table, one line per filing, the reason last and cut to a readable length."""
    if not outcomes:
        return "(no filings)"
    rows = [{name: str(value) for name, value in asdict(outcome).items()} for outcome in outcomes]
    columns = [name for name in rows[0] if name != "reason"]
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in columns}
    lines = ["  ".join(column.ljust(widths[column]) for column in columns) + "  reason"]
    lines += ["  ".join(row[column].ljust(widths[column]) for column in columns) + "  " + row["reason"][:REASON_CHARS]
              for row in rows]
    return "\n".join(lines)
