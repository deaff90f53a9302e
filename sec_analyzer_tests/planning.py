"""A backfill's whole plan at once, for tests that look filings up before running them."""

from __future__ import annotations

from collections.abc import Iterable

from sec_analyzer.acquisition.backfill_plan import BackfillPlan, find_filings
from sec_analyzer.acquisition.fetch import FilingFetcher


def plan_backfill(fetcher: FilingFetcher, pairs: Iterable[tuple[str, int]]) -> BackfillPlan:
    plan = BackfillPlan()
    for finding in find_filings(fetcher, pairs):
        plan.add(finding)
    return plan
