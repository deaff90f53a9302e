"""Jobs: the main pipeline (every stage, both gates, publishing) and the quality gates alone."""

import dagster as dg

from sec_analyzer.contracts import PIPELINE
from sec_analyzer.quality.verdicts import GATES

PIPELINE_ASSETS = [contract.name for contract in PIPELINE]

filing_pipeline = dg.define_asset_job(
    "filing_pipeline",
    selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
    description="Fetch, parse, extract, clean, segment, embed and classify each filing, gate it, publish what passed.",
)

quality_checks = dg.define_asset_job(
    "quality_checks",
    selection=dg.AssetSelection.checks_for_assets(*GATES),
    description="Re-run the quality gates on already materialized filings.",
)

drift_monitoring = dg.define_asset_job(
    "drift_monitoring",
    selection=dg.AssetSelection.assets("risk_drift"),
    description="Measure the drift of the risk landscape across every stored filing, per fiscal year.",
)
