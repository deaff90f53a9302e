"""Quality gates: Great Expectations suites over a filing's items, segments and embeddings.

`suites.evaluate_filing(FilingUnderTest)` returns one `CheckOutcome` per named expectation in four
groups (completeness, cleanliness, substance, consistency) with thresholds and severities from
`configs/quality/<group>.yaml`; `suites.group_verdict` folds them into a check verdict and
`metadata.check_metadata` into the JSON-able metadata a Dagster asset check attaches, for one
partition or a batch. `report` reads those checks back from a Dagster instance
(`sec-analyzer checks-report`). Nothing here imports Great Expectations or Dagster at import time.
"""
