"""The code location: every definition under `sec_analyzer.defs`, collected by module, with the
policies that apply to all of them set once here.

The in-process executor runs every step in the run's own process (a subprocess per step costs
~2 s of re-imports on a small machine, and every stage batches its filings inside one step, so
the model is loaded once per run). Resources come from the deployment's resource set
(`SEC_ANALYZER_DEPLOYMENT`: local or production).
"""

import dagster as dg

import sec_analyzer.defs
from sec_analyzer.defs.resources import deployment_resources

defs = dg.load_definitions_from_package_module(
    sec_analyzer.defs,
    resources=deployment_resources(),
    executor=dg.in_process_executor,
)
