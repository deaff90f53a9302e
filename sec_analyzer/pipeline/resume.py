"""Which filings of a backfill are already finished, so running the same backfill again (after
Ctrl-C, a killed process or a failed run) only processes the rest.

A filing is finished when the last stage the backfill asks for recorded a successful outcome for
it, from the same raw document EDGAR serves today: its `raw_filing` summary names the SHA-256 the
backfill plan just found. A document that changed (a re-filed report) makes the filing unfinished
again; anything else a user wants redone is what `--force` is for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import RAW_FILING, STAGES


def finished_filings(
    artifacts: ArtifactStore, documents: Mapping[str, str], last_stage: str
) -> list[str]:
    """The keys of `documents` (key -> SHA-256 of its raw document) that `last_stage` finished."""
    contract = STAGES[last_stage]
    return [
        key for key, sha256 in documents.items()
        if contract.read_summary(artifacts, key).ok and RAW_FILING.read_summary(artifacts, key).sha256 == sha256
    ]


def last_stage_of(asset_names: Sequence[str]) -> str:
    """The selected stage that comes last in the pipeline order."""
    order = list(STAGES)
    return max(asset_names, key=order.index)
