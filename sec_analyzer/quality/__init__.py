"""Quality gates: Great Expectations suites over a filing's items, segments, vectors and labels.

`inputs.filing_under_test` assembles a filing from its stage artifacts (through the stage
contracts); `suites.evaluate_filing` returns one `CheckOutcome` per named expectation of the
groups asked for, with thresholds and severities from `configs/quality/<group>.yaml`;
`verdicts` folds them into per-filing verdicts of each gate (text groups guard `risk_segments`,
model-output groups guard `risk_classifications`), decides whether a filing may be published and
how severe a batched run's checks are; `metadata.check_metadata` gives the JSON-able metadata of
a check over one or many partitions, and `report` renders the checks report. Nothing here imports
Great Expectations or Dagster at import time.
"""
