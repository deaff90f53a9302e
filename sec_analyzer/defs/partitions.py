"""One flat dynamic partition per filing, keyed `TICKER-FISCALYEAR` (e.g. `AAPL-2024`).

A flat key set lets a backfill of many filings run as one batched run (a 2-D ticker x year
definition can only batch along one dimension); ticker and fiscal year stay selectable as
key substrings in the UI and as `--tickers/--years` in `sec-analyzer backfill`, and every
one-filing run carries them as tags.
"""

import dagster as dg

FILINGS = "filings"
# Run tags that make a one-filing run findable by ticker and year in the UI's run filter.
TICKER_TAG = "sec_analyzer/ticker"
FISCAL_YEAR_TAG = "sec_analyzer/fiscal_year"
filings_partitions = dg.DynamicPartitionsDefinition(name=FILINGS)

# Every stage processes all partitions of a run in one step, each filing on its own.
batched = dg.BackfillPolicy.single_run()
