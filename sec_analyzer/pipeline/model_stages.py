"""What the model stages do for one filing: vectors for its risk factors, then their categories.

The model is passed in (loaded once per process by the caller); these functions only shape the
filing's tables and summaries, so they are tested with the real model and no orchestrator.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import TYPE_CHECKING

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import CLASSIFICATIONS_TABLE, EMBEDDINGS_TABLE, RISK_EMBEDDINGS, RISK_SEGMENTS
from sec_analyzer.pipeline.runner import StageOutcome
from sec_analyzer.quality.verdicts import TEXT_GATE, gate_blocker

if TYPE_CHECKING:
    import pandas as pd

    from sec_analyzer.analysis.classifier import RiskClassifier
    from sec_analyzer.analysis.embedding import Embedder
    from sec_analyzer.registry.manager import ModelRegistryManager


def risk_id(partition_key: str, ordinal: int) -> str:
    """A risk factor's id across the project (labels, CLI, API): `AAPL-2024-007`."""
    return f"{partition_key}-{ordinal:03d}"


def embed_stage(embedder: Embedder, risks: pd.DataFrame) -> tuple[pd.DataFrame, StageOutcome]:
    """One unit vector per risk factor, over its heading and whole body."""
    import pandas as pd

    started = time.perf_counter()
    vectors = embedder.embed(list(zip(risks["heading"], risks["text"], strict=True)))
    seconds = time.perf_counter() - started
    frame = pd.DataFrame({"ordinal": risks["ordinal"].astype("int64"), "vector": list(vectors)},
                         columns=list(EMBEDDINGS_TABLE.names))
    return frame, StageOutcome.ok(
        risk_factors=len(frame), model=embedder.name, model_version=embedder.version,
        embedding_path=embedder.path, dimension=embedder.dimension,
        risks_per_second=round(len(frame) / seconds, 2) if seconds > 0 and len(frame) else None,
    )


def embed_gated_filing(artifacts: ArtifactStore, embedder: Embedder, partition_key: str) -> StageOutcome:
    """Embed a filing's risk factors only when the text gate passed them: a filing the gate
    stopped costs no model time (a batched run goes on past it, see `quality.verdicts`)."""
    blocker = gate_blocker(artifacts, partition_key, gates=[TEXT_GATE])
    if blocker:
        return StageOutcome.blocked(blocker)
    vectors, outcome = embed_stage(embedder, RISK_SEGMENTS.read_table(artifacts, partition_key))
    RISK_EMBEDDINGS.write_table(artifacts, partition_key, vectors)
    return outcome


def serving_classifier(embedder: Embedder, registry: ModelRegistryManager | None = None) -> RiskClassifier:
    """The classifier that serves `risk_classifications` and `sec-analyzer classify`: the registry's
    champion once one is promoted, else the zero-shot taxonomy-prototype classifier."""
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.registry.loaders import load_champion
    from sec_analyzer.registry.manager import ModelRegistryManager

    return load_champion(registry or ModelRegistryManager.from_config()) or get_classifier(embedder)


def classify_stage(classifier: RiskClassifier, partition_key: str, risks: pd.DataFrame,
                   vectors: pd.DataFrame) -> tuple[pd.DataFrame, StageOutcome]:
    """Each risk factor's 1–3 taxonomy categories with scores, primary first, from one model."""
    import numpy as np
    import pandas as pd

    matrix = np.stack(vectors["vector"].to_list()).astype(np.float32) if len(vectors) else np.zeros((0, 0))
    risk_ids = [risk_id(partition_key, int(ordinal)) for ordinal in risks["ordinal"]]
    results = classifier.classify(risk_ids, matrix, risks["heading"].to_list(), risks["text"].to_list())
    frame = pd.DataFrame([{
        "ordinal": int(ordinal), "primary_category": result.primary,
        "labels": json.dumps([{"category": category, "score": round(float(score), 6)}
                              for category, score in result.labels]),
        "model_name": result.model_name, "model_version": result.model_version,
    } for ordinal, result in zip(risks["ordinal"], results, strict=True)], columns=list(CLASSIFICATIONS_TABLE.names))
    counts = Counter(frame["primary_category"])
    return frame, StageOutcome.ok(risk_factors=len(frame), model=classifier.name, model_version=classifier.version,
                                  primary_counts=dict(counts.most_common()))
