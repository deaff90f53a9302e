"""The code location: every definition under `sec_analyzer.defs`, collected by module, with the
policies that apply to all of them set once here.

The executor is chosen by `SEC_ANALYZER_EXECUTOR` (in-process by default, Celery on a broker to
spread steps over workers; see `defs/executors.py`). Resources come from the deployment's resource set
(`SEC_ANALYZER_DEPLOYMENT`: local or production).
"""

import dagster as dg

import sec_analyzer.defs
from sec_analyzer.defs.executors import configured_executor
from sec_analyzer.defs.resources import deployment_resources

defs = dg.load_definitions_from_package_module(
    sec_analyzer.defs,
    resources=deployment_resources(),
    executor=configured_executor(),
)
