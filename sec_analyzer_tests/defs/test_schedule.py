"""The daily reconcile: every watch-listed company's latest 10-K ends up published."""

from __future__ import annotations

import dagster as dg
import pytest

from sec_analyzer.defs.acquisition.sensors import reconcile_watchlist
from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.defs.resources import deployment_resources
from sec_analyzer.settings import get_settings


def test_reconcile_requests_only_unpublished_latest_filings(instance: dg.DagsterInstance,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEC_ANALYZER_WATCHLIST", '["AAPL", "NVDA", "NOSUCHCO"]')
    get_settings.cache_clear()
    materialize_filings(instance, ["AAPL-2024"], progress=lambda _: None)

    with dg.build_schedule_context(instance=instance, resources=deployment_resources()) as context:
        requests = reconcile_watchlist(context)

    assert isinstance(requests, list)
    assert [request.partition_key for request in requests] == ["NVDA-2025"]
    assert instance.has_dynamic_partition("filings", "NVDA-2025")
    assert requests[0].run_key == requests[0].tags["sec_analyzer/accession"]
