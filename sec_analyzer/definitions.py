"""The code location: every asset, check, sensor, schedule, job and resource, assembled once.

Policies that apply to everything are set here and nowhere else: the in-process executor (a
subprocess per step costs ~2 s of re-imports on a small machine, and every stage batches its
filings inside one step) and the resources.
"""

import dagster as dg

from sec_analyzer.defs.acquisition.assets import raw_filing
from sec_analyzer.defs.acquisition.sensors import new_edgar_filings, reconcile_watchlist
from sec_analyzer.defs.analysis.assets import risk_classifications, risk_embeddings
from sec_analyzer.defs.jobs import filing_pipeline, quality_checks
from sec_analyzer.defs.preprocessing.assets import cleaned_risk_text, item_1a, parsed_filing, risk_segments
from sec_analyzer.defs.quality.checks import risk_quality_gate
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.defs.storage.assets import analysis_results

defs = dg.Definitions(
    assets=[raw_filing, parsed_filing, item_1a, cleaned_risk_text, risk_segments, risk_embeddings,
            risk_classifications, analysis_results],
    asset_checks=[risk_quality_gate],
    jobs=[filing_pipeline, quality_checks],
    sensors=[new_edgar_filings],
    schedules=[reconcile_watchlist],
    resources={"platform": PlatformResource()},
    executor=dg.in_process_executor,
)
