"""The Dagster layer: thin assets, checks, sensors and resources over the plain modules."""

import warnings

# Three non-stable Dagster APIs are used on purpose (docs/architecture.md says why): per-partition
# check evaluations (preview), batched backfill policies (beta) and collecting the definitions of
# this package by module (preview). Only their own notices are silenced, so any other preview or
# beta API that creeps in still warns.
warnings.filterwarnings("ignore", message=r"Specifying a partitions_def on an AssetCheckSpec")
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function `asset`")
warnings.filterwarnings("ignore", message=r"Function `load_definitions_from_(package_module|modules)`")
