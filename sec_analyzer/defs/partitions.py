"""One flat dynamic partition per filing, keyed `TICKER-FISCALYEAR` (e.g. `AAPL-2024`).

A flat key set lets a backfill of many filings run as one batched run (a 2-D ticker x year
definition can only batch along one dimension); ticker and fiscal year stay selectable as
key substrings in the UI and as `--tickers/--years` in `sec-analyzer backfill`, and every
one-filing run carries them as tags.
"""

from collections.abc import Callable
from typing import Any

import dagster as dg

from sec_analyzer.contracts import StageContract

FILINGS = "filings"
# Run tags that make a one-filing run findable by ticker and year in the UI's run filter.
TICKER_TAG = "sec_analyzer/ticker"
FISCAL_YEAR_TAG = "sec_analyzer/fiscal_year"
filings_partitions = dg.DynamicPartitionsDefinition(name=FILINGS)

# Every stage processes all partitions of a run in one step, each filing on its own.
batched = dg.BackfillPolicy.single_run()


def stage_asset(contract: StageContract[Any], **asset_options: Any) -> Callable[[Callable[..., Any]], Any]:
    """The asset of one stage: named, described and wired to its upstream by its contract."""
    upstream = [contract.upstream] if contract.upstream else []
    return dg.asset(
        name=contract.name,
        deps=upstream + list(asset_options.pop("deps", [])),
        description=contract.description,
        partitions_def=filings_partitions,
        backfill_policy=batched,
        **asset_options,
    )
