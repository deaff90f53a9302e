"""risk_embeddings and risk_classifications: declared placeholders.

No open issue covers these stages yet. They are in the asset graph so the design's shape is
visible, are left out of the default job, and fail with a clear message if materialized.
"""

import dagster as dg

from sec_analyzer.defs.partitions import batched, filings_partitions
from sec_analyzer.errors import SecAnalyzerError

PLACEHOLDER = "PLACEHOLDER, not built yet: "


class StageNotBuiltError(SecAnalyzerError):
    pass


@dg.asset(
    partitions_def=filings_partitions,
    backfill_policy=batched,
    group_name="analysis",
    deps=["risk_segments"],
    kinds={"python", "pytorch"},
    tags={"sec_analyzer/placeholder": "true"},
    description=PLACEHOLDER + "sentence embeddings of each risk factor (all-MiniLM-L6-v2, 384 dimensions). "
    "Not part of the default job.",
)
def risk_embeddings() -> None:
    raise StageNotBuiltError("risk_embeddings is a declared placeholder: the embedding stage is not built yet")


@dg.asset(
    partitions_def=filings_partitions,
    backfill_policy=batched,
    group_name="analysis",
    deps=[risk_embeddings],
    kinds={"python", "pytorch"},
    tags={"sec_analyzer/placeholder": "true"},
    description=PLACEHOLDER + "each risk factor classified into the risk taxonomy by the promoted model. "
    "Not part of the default job.",
)
def risk_classifications() -> None:
    raise StageNotBuiltError(
        "risk_classifications is a declared placeholder: the classification stage is not built yet"
    )
