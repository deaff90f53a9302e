"""The quality gate over the filings of one step: judge each filing on its own, save its verdict.

A gate (see `quality.verdicts.GATES`) guards one stage with its groups of expectations. Every
filing gets its own verdict beside its artifacts, which the publish step reads; the Dagster check
only reports what is returned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.domain import InvalidFilingKeyError, split_filing_key
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.quality.verdicts import (
    CheckOutcome,
    FilingVerdict,
    check_severity,
    gate_groups,
    gated_fingerprint,
    judge_filing,
    write_verdict,
)


@dataclass(frozen=True)
class GateResult:
    gate: str
    verdicts: dict[str, FilingVerdict]
    outcomes: dict[str, list[CheckOutcome]]

    def severity(self, group: str) -> str:
        """The run-level severity of one group's check (ERROR fails a run in which no filing passed)."""
        return check_severity(self.verdicts, group)

    def group_passed(self, group: str) -> bool:
        return all(verdict.groups[group].passed for verdict in self.verdicts.values())


def judge_filings(artifacts: ArtifactStore, gate: str, partition_keys: Sequence[str],
                  run_id: str | None) -> GateResult:
    """Every filing's verdict; the filings that can be judged are validated together, in one
    Great Expectations run per frame (`quality.gx_runner.validate_filings`)."""
    from sec_analyzer.quality.inputs import filing_under_test
    from sec_analyzer.quality.suites import PlannedFiling, evaluate_planned, plan_filing

    groups, keys = gate_groups(gate), valid_filing_keys(partition_keys)
    outcomes: dict[str, list[CheckOutcome]] = {}
    planned: dict[str, PlannedFiling] = {}
    for key in keys:
        try:
            planned[key] = plan_filing(filing_under_test(artifacts, key, gate), groups)
        except SecAnalyzerError as error:
            # One filing whose artifacts cannot be judged fails its own verdict, not the batch.
            outcomes[key] = [unjudgeable(groups[0], error)]
    outcomes.update(zip(planned, evaluate_planned(list(planned.values())), strict=True))
    verdicts: dict[str, FilingVerdict] = {}
    for key in keys:
        verdicts[key] = judge_filing(key, gate, run_id, outcomes[key], gated_fingerprint(artifacts, gate, key))
        write_verdict(artifacts, verdicts[key])
    return GateResult(gate, verdicts, {key: outcomes[key] for key in keys})


def valid_filing_keys(partition_keys: Sequence[str]) -> list[str]:
    """The keys that are filing keys; the stages already reported the others as failed."""
    valid = []
    for key in partition_keys:
        try:
            split_filing_key(key)
        except InvalidFilingKeyError:
            continue
        valid.append(key)
    return valid


def unjudgeable(group: str, error: SecAnalyzerError) -> CheckOutcome:
    return CheckOutcome(group=group, expectation="filing_can_be_judged", severity="ERROR", passed=False,
                        observed=str(error), threshold="readable stage artifacts",
                        description=f"the filing could not be judged: {error}")
