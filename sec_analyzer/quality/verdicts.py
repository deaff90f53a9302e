"""What the quality gates conclude: per expectation, per group, per filing and per run.

Two gates guard the pipeline. The text gate judges `risk_segments` with the text groups
(completeness, cleanliness, substance, consistency); the model-output gate judges
`risk_classifications` with the vectors and classification groups. Each filing gets one
`FilingVerdict` per gate, saved next to its artifacts with a fingerprint of the tables it judged;
the publish step writes a filing only when every gate's verdict exists, passed and still matches
the data (`gate_blocker`).

A batched run judges many filings at once. A group's check fails the run (ERROR) only when no
filing of the run passed its gate; while one filing passes, the failures of the others are WARNs
that name them, so the good filings are still published (`check_severity`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    StageContract,
)
from sec_analyzer.errors import SecAnalyzerError

Severity = Literal["ERROR", "WARN"]

# The order analysts read a filing's quality in: is it all there, is it clean, is it meaningful,
# does it add up; then are the model's outputs sound.
QUALITY_GROUPS: dict[str, str] = {
    "completeness": "Required fields present; every expected item found or explained; Item 1A found.",
    "cleanliness": "No HTML or entity residue, no 'Table of Contents' or page-number lines, valid UTF-8.",
    "substance": "Item 1A length, segment count, segment lengths and boilerplate share within bounds.",
    "consistency": "Segments cover the section; ordinals unique; fiscal year and form match the partition.",
    "vectors": "One finite, unit-norm vector of the model's dimension per risk; no vector shared by different texts.",
    "classification": "One primary taxonomy category per risk; 1–3 labels scored in [0, 1]; not mostly 'other'.",
}
TEXT_GATE = RISK_SEGMENTS.name
MODEL_OUTPUT_GATE = RISK_CLASSIFICATIONS.name
# Guarded stage -> the groups that judge it.
GATES: dict[str, tuple[str, ...]] = {
    TEXT_GATE: ("completeness", "cleanliness", "substance", "consistency"),
    MODEL_OUTPUT_GATE: ("vectors", "classification"),
}
# Guarded stage -> the tables a verdict of that gate is tied to.
FINGERPRINTED_TABLES: dict[str, tuple[StageContract[Any], ...]] = {
    TEXT_GATE: (RISK_SEGMENTS,),
    MODEL_OUTPUT_GATE: (RISK_SEGMENTS, RISK_EMBEDDINGS, RISK_CLASSIFICATIONS),
}


class UnknownGateError(SecAnalyzerError):
    """A gate or group name that is not one of `GATES`."""


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one expectation on one filing."""

    group: str
    expectation: str
    severity: Severity
    passed: bool
    observed: Any
    threshold: Any
    description: str
    failing_sample: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class GroupVerdict:
    """One group's verdict: `passed` only when every expectation passed; `severity` is the worst
    failure (ERROR blocks downstream writes, WARN only informs), None when nothing failed."""

    group: str
    passed: bool
    severity: Severity | None
    evaluated: int
    failures: list[CheckOutcome]


def group_verdict(outcomes: Sequence[CheckOutcome], group: str) -> GroupVerdict:
    in_group = [outcome for outcome in outcomes if outcome.group == group]
    failures = [outcome for outcome in in_group if not outcome.passed]
    severity: Severity | None = None
    if failures:
        severity = "ERROR" if any(outcome.severity == "ERROR" for outcome in failures) else "WARN"
    return GroupVerdict(
        group=group, passed=not failures, severity=severity, evaluated=len(in_group), failures=failures
    )


# --------------------------------------------------------------------------- per filing


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordedFailure(_Record):
    """A failed expectation as saved; read from a `CheckOutcome`, whose `failing_sample` is `sample`."""

    model_config = ConfigDict(from_attributes=True)

    expectation: str
    severity: Severity
    description: str
    observed: Any = None
    threshold: Any = None
    sample: list[dict[str, Any]] = Field(
        default=[], validation_alias=AliasChoices("sample", "failing_sample")
    )


class RecordedGroup(_Record):
    passed: bool
    severity: Severity | None
    failures: list[RecordedFailure]


class FilingVerdict(_Record):
    """One gate's verdict on one filing, as saved beside the filing's artifacts."""

    partition_key: str
    gate: str
    run_id: str | None
    passed: bool
    fingerprint: str
    groups: dict[str, RecordedGroup]
    blocking_failures: list[str]


def gate_groups(gate: str) -> tuple[str, ...]:
    if gate not in GATES:
        raise UnknownGateError(f"unknown quality gate {gate!r}; gates guard {list(GATES)}")
    return GATES[gate]


def judge_filing(
    partition_key: str, gate: str, run_id: str | None, outcomes: Sequence[CheckOutcome], fingerprint: str
) -> FilingVerdict:
    """The filing passes the gate when no ERROR expectation of the gate's groups failed."""
    groups = gate_groups(gate)
    strays = sorted({outcome.group for outcome in outcomes} - set(groups))
    if strays:
        raise UnknownGateError(f"groups {strays} do not judge {gate}; its groups are {list(groups)}")
    recorded = {}
    for group in groups:
        verdict = group_verdict(outcomes, group)
        recorded[group] = RecordedGroup(
            passed=verdict.passed,
            severity=verdict.severity,
            failures=[RecordedFailure.model_validate(failure) for failure in verdict.failures],
        )
    blocking = [
        f"{group}/{failure.expectation}: {failure.description}"
        for group, record in recorded.items()
        for failure in record.failures
        if failure.severity == "ERROR"
    ]
    return FilingVerdict(
        partition_key=partition_key,
        gate=gate,
        run_id=run_id,
        passed=not blocking,
        fingerprint=fingerprint,
        groups=recorded,
        blocking_failures=blocking,
    )


def verdict_folder(gate: str) -> str:
    """The artifact folder of a gate's verdicts (`quality_verdict_<guarded stage>`)."""
    gate_groups(gate)
    return f"quality_verdict_{gate}"


def write_verdict(artifacts: ArtifactStore, verdict: FilingVerdict) -> None:
    artifacts.write_json(verdict_folder(verdict.gate), verdict.partition_key, verdict.model_dump(mode="json"))


def read_verdict(artifacts: ArtifactStore, gate: str, partition_key: str) -> FilingVerdict | None:
    folder = verdict_folder(gate)
    if not artifacts.exists(folder, partition_key):
        return None
    return FilingVerdict.model_validate(artifacts.read_json(folder, partition_key))


def gated_fingerprint(artifacts: ArtifactStore, gate: str, partition_key: str) -> str:
    """SHA-256 over the tables the gate judged, so a verdict never vouches for data written after it."""
    gate_groups(gate)
    digest = hashlib.sha256()
    for contract in FINGERPRINTED_TABLES[gate]:
        table = contract.table_fingerprint(artifacts, partition_key) or "absent"
        digest.update(f"{contract.name}={table}\n".encode())
    return digest.hexdigest()


def gate_blocker(artifacts: ArtifactStore, partition_key: str, gates: Sequence[str] = tuple(GATES)) -> str | None:
    """Why the filing must not go further, or None when each of `gates` passed it on today's data.

    The model stages ask the text gate only; the publish step asks every gate."""
    for gate in gates:
        verdict = read_verdict(artifacts, gate, partition_key)
        if verdict is None:
            return f"no quality verdict: the {gate} gate has not judged this filing"
        if not verdict.passed:
            return "blocked by the quality gate: " + "; ".join(verdict.blocking_failures)
        if verdict.fingerprint != gated_fingerprint(artifacts, gate, partition_key):
            changed = ", ".join(contract.name for contract in FINGERPRINTED_TABLES[gate])
            return f"the quality verdict is stale: {changed} changed after the {gate} gate judged it"
    return None


# --------------------------------------------------------------------------- per run


def run_severity(verdicts: Mapping[str, FilingVerdict]) -> Severity:
    """ERROR when the run judged filings and none of them passed its gate; else WARN."""
    if verdicts and not any(verdict.passed for verdict in verdicts.values()):
        return "ERROR"
    return "WARN"


def check_severity(verdicts: Mapping[str, FilingVerdict], group: str) -> Severity:
    """The severity of one group's check over the filings of a run (meaningful when it failed).

    ERROR when no filing of the run passed all groups of its gate and this group holds an ERROR
    failure of some filing; WARN otherwise. So a run where filing A fails completeness and filing
    B fails substance fails (both checks are ERRORs) although every group has a passing filing,
    and a run with one good filing WARNs about the others and publishes the good one.
    """
    if run_severity(verdicts) == "WARN":
        return "WARN"
    for verdict in verdicts.values():
        record = verdict.groups.get(group)
        if record is not None and record.severity == "ERROR":
            return "ERROR"
    return "WARN"
