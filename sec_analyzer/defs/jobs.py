"""Jobs: the main pipeline (every built stage, gate included) and the quality checks alone."""

import dagster as dg

PIPELINE_ASSETS = ["raw_filing", "parsed_filing", "item_1a", "cleaned_risk_text", "risk_segments",
                   "analysis_results"]

filing_pipeline = dg.define_asset_job(
    "filing_pipeline",
    selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
    description="Fetch, parse, extract, clean and segment each filing, gate it, publish what passed.",
)

quality_checks = dg.define_asset_job(
    "quality_checks",
    selection=dg.AssetSelection.checks_for_assets("risk_segments"),
    description="Re-run the quality gate on already materialized filings.",
)
