"""Embedding vectors of risk texts, cached on disk by embedder and exact texts.

Every model of a tournament and every evaluation embeds the same risks; the cache makes that one
pass. The key is a hash of the embedder's path and version and of the texts themselves, so a
changed text or model never reads a stale vector.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sec_analyzer.analysis.labels import LabeledRisk
from sec_analyzer.registry.loaders import assemble_features, opening, zero_shot_features


def _cached(cache_dir: Path, kind: str, identity: Any, compute: Any) -> np.ndarray:
    key = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]
    path = cache_dir / "features" / f"{kind}-{key}.npy"
    if path.is_file():
        cached: np.ndarray = np.load(path)
        return cached
    vectors: np.ndarray = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.partial.npy")
    np.save(staging, vectors)
    staging.replace(path)
    return vectors


def risk_features(blocks: Sequence[str], embedder: Any, risks: Sequence[LabeledRisk], cache_dir: Path) -> np.ndarray:
    """The head features of each risk, exactly as `EmbeddingHeadClassifier.classify` builds them."""
    headings = [r.heading for r in risks]
    found: dict[str, np.ndarray] = {}
    if "heading" in blocks:
        pairs = [("", heading) for heading in headings]
        found["heading"] = _cached(cache_dir, "heading", [embedder.path, embedder.version, pairs], lambda: embedder.embed(pairs))
    if "opening" in blocks:
        openings = [(r.heading, opening(r.text)) for r in risks]
        found["opening"] = _cached(cache_dir, "opening", [embedder.path, embedder.version, openings], lambda: embedder.embed(openings))
    if "full" in blocks or "zero_shot" in blocks:
        found["full"] = risk_vectors(embedder, risks, cache_dir)
    if "zero_shot" in blocks:
        from sec_analyzer.analysis.classifier import get_classifier

        found["zero_shot"] = zero_shot_features(get_classifier(embedder).scores(found["full"], headings))
    return assemble_features(blocks, found)


def risk_vectors(embedder: Any, risks: Sequence[LabeledRisk], cache_dir: Path) -> np.ndarray:
    """The stored-embedding vector (heading and whole body) of each risk, as `risk_embeddings` has it."""
    pairs = [(r.heading, r.text) for r in risks]
    identity = [embedder.path, embedder.version, "full", pairs]
    return _cached(cache_dir, "full", identity, lambda: embedder.embed(pairs))
