"""The Dagster layer: thin assets, checks, sensors and resources over the plain modules."""

import warnings

# Two non-stable Dagster APIs are used on purpose (docs/architecture.md says why): per-partition
# check evaluations (preview) and batched backfill policies (beta). Only their own notices are
# silenced, so any other preview/beta API that creeps in still warns.
warnings.filterwarnings("ignore", message=r"Specifying a partitions_def on an AssetCheckSpec")
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function `asset`")
