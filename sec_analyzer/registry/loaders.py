"""Serving registered models: a registry entry in, a `RiskClassifier` out.

Kinds (`ModelRegistryEntry.kind`):

`zero_shot`
    The taxonomy-prototype classifier of `analysis.classifier`, over the taxonomy file saved
    with the version (`artifacts/taxonomy.yaml`).
`embedding_head`
    Linear heads on frozen all-MiniLM-L6-v2 vectors (`artifacts/head.npz` + `head.json`). The
    features are two unit vectors side by side: the heading alone, and the heading with the
    opening of the body (`opening`) — the evidence the labeling rules read. A primary head gives
    logits whose temperature-scaled softmax is the primary label's calibrated confidence; a
    label head (optional) gives per-category sigmoid scores for the secondary labels, else the
    primary head's probabilities relative to the best one do.
`finetuned_minilm`
    A fine-tuned MiniLM sequence classifier (`artifacts/model/`, a transformers directory) over
    the heading and the opening of the body, with the same temperature and secondary-label rule.

Every classifier reports the registry's model name and version on each classification, so the
classified stage records which version made each row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.analysis.classifier import Classification, RiskClassifier
from sec_analyzer.registry.entry import ModelRegistryEntry, RegistryError

if TYPE_CHECKING:
    import numpy as np

    from sec_analyzer.analysis.embedding import Embedder
    from sec_analyzer.registry.manager import ModelRegistryManager

OPENING_CHARACTERS = 600
MAX_LABELS = 3
HEAD_CONFIG = "head.json"
HEAD_WEIGHTS = "head.npz"


def opening(text: str, limit: int = OPENING_CHARACTERS) -> str:
    """The first sentences of a body within `limit` characters (about the ~3 sentences the rules read)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = cut.rfind(". ")
    return cut[: sentence_end + 1] if sentence_end > limit // 3 else cut


def head_features(embedder: Embedder, headings: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """``[risks, 2 × dimension]``: the heading's vector, then the heading-with-opening vector."""
    import numpy as np

    heading_vectors = embedder.embed([("", heading) for heading in headings])
    opening_vectors = embedder.embed([(heading, opening(text)) for heading, text in zip(headings, texts, strict=True)])
    return np.hstack([heading_vectors, opening_vectors]).astype(np.float32)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    import numpy as np

    scaled = logits / temperature
    scaled = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    result: np.ndarray = scaled / scaled.sum(axis=1, keepdims=True)
    return result


def choose_labels(
    primary_probabilities: np.ndarray, label_scores: np.ndarray, threshold: float, categories: Sequence[str]
) -> list[tuple[tuple[str, float], ...]]:
    """Per risk: the most probable primary, then up to two more categories whose label score
    reaches `threshold`, best first; each with its score."""
    results = []
    for primary_row, label_row in zip(primary_probabilities, label_scores, strict=True):
        primary = int(primary_row.argmax())
        others = [int(i) for i in label_row.argsort()[::-1] if int(i) != primary and label_row[i] >= threshold]
        chosen = [(categories[primary], round(float(primary_row[primary]), 4))]
        chosen += [(categories[i], round(float(label_row[i]), 4)) for i in others[: MAX_LABELS - 1]]
        results.append(tuple(chosen))
    return results


@dataclass(frozen=True)
class ScoredHead:
    """What every trained kind shares: its categories, temperature and secondary-label threshold."""

    categories: tuple[str, ...]
    temperature: float
    label_threshold: float


class _Served:
    """Stamps the registry's name and version on classifications."""

    def __init__(self, name: str, version: str) -> None:
        self._name = name
        self._version = version

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._version

    def _classifications(self, risk_ids: Sequence[str], labels: list[tuple[tuple[str, float], ...]]) -> list[Classification]:
        return [
            Classification(risk_id, chosen[0][0], chosen, self._name, self._version)
            for risk_id, chosen in zip(risk_ids, labels, strict=True)
        ]


class EmbeddingHeadClassifier(_Served):
    def __init__(
        self,
        name: str,
        version: str,
        head: ScoredHead,
        weights: dict[str, np.ndarray],
        embedder: Embedder | None = None,
    ) -> None:
        super().__init__(name, version)
        self.head = head
        self.weights = weights
        self._embedder = embedder

    def _embedder_or_default(self) -> Embedder:
        if self._embedder is None:
            from sec_analyzer.analysis.embedding import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def scores(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(calibrated primary probabilities, secondary-label scores), both ``[risks, categories]``."""
        import numpy as np

        logits = features @ self.weights["primary_weight"].T + self.weights["primary_bias"]
        primary = softmax(logits, self.head.temperature)
        if "label_weight" in self.weights:
            label_logits = features @ self.weights["label_weight"].T + self.weights["label_bias"]
            return primary, 1.0 / (1.0 + np.exp(-label_logits))
        return primary, primary / primary.max(axis=1, keepdims=True)

    def predict_features(self, features: np.ndarray) -> list[tuple[tuple[str, float], ...]]:
        primary, label_scores = self.scores(features)
        return choose_labels(primary, label_scores, self.head.label_threshold, self.head.categories)

    def classify(
        self, risk_ids: Sequence[str], vectors: np.ndarray, headings: Sequence[str], texts: Sequence[str]
    ) -> list[Classification]:
        if not (len(risk_ids) == len(headings) == len(texts)):
            raise ValueError("risk_ids, headings and texts must have the same length")
        if not risk_ids:
            return []
        features = head_features(self._embedder_or_default(), headings, texts)
        return self._classifications(risk_ids, self.predict_features(features))

    def save(self, directory: Path) -> list[Path]:
        import numpy as np

        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / HEAD_WEIGHTS, **self.weights)
        config = {"categories": list(self.head.categories), "temperature": self.head.temperature,
                  "label_threshold": self.head.label_threshold, "features": "heading+opening",
                  "opening_characters": OPENING_CHARACTERS}
        (directory / HEAD_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return [directory / HEAD_WEIGHTS, directory / HEAD_CONFIG]

    @classmethod
    def load(cls, directory: Path, name: str, version: str, embedder: Embedder | None = None) -> EmbeddingHeadClassifier:
        import numpy as np

        head = _read_head(directory)
        with np.load(directory / HEAD_WEIGHTS) as archive:
            weights = {key: archive[key] for key in archive.files}
        return cls(name, version, head, weights, embedder)


class FineTunedClassifier(_Served):
    def __init__(self, name: str, version: str, head: ScoredHead, model_dir: Path, max_length: int) -> None:
        super().__init__(name, version)
        self.head = head
        self.model_dir = model_dir
        self.max_length = max_length
        self._model: Any = None
        self._tokenizer: Any = None

    def logits(self, headings: Sequence[str], texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        import numpy as np
        import torch

        if self._model is None:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
            self._model = AutoModelForSequenceClassification.from_pretrained(str(self.model_dir)).eval()
        outputs = []
        pairs = [(heading, opening(text)) for heading, text in zip(headings, texts, strict=True)]
        with torch.inference_mode():
            for start in range(0, len(pairs), batch_size):
                batch = pairs[start : start + batch_size]
                encoded = self._tokenizer(
                    [heading for heading, _ in batch], [body for _, body in batch],
                    truncation=True, max_length=self.max_length, padding=True, return_tensors="pt",
                )
                outputs.append(self._model(**encoded).logits.float().numpy())
        return np.concatenate(outputs) if outputs else np.zeros((0, len(self.head.categories)), dtype=np.float32)

    def predict_logits(self, logits: np.ndarray) -> list[tuple[tuple[str, float], ...]]:
        primary = softmax(logits, self.head.temperature)
        return choose_labels(primary, primary / primary.max(axis=1, keepdims=True), self.head.label_threshold, self.head.categories)

    def classify(
        self, risk_ids: Sequence[str], vectors: np.ndarray, headings: Sequence[str], texts: Sequence[str]
    ) -> list[Classification]:
        if not (len(risk_ids) == len(headings) == len(texts)):
            raise ValueError("risk_ids, headings and texts must have the same length")
        if not risk_ids:
            return []
        return self._classifications(risk_ids, self.predict_logits(self.logits(headings, texts)))

    @classmethod
    def load(cls, directory: Path, name: str, version: str) -> FineTunedClassifier:
        config = json.loads((directory / HEAD_CONFIG).read_text(encoding="utf-8"))
        return cls(name, version, _read_head(directory), directory / "model", int(config["max_length"]))


class ZeroShotServed(_Served):
    """The zero-shot prototype classifier under a registry name and version."""

    def __init__(self, name: str, version: str, inner: RiskClassifier) -> None:
        super().__init__(name, version)
        self.inner = inner

    def classify(
        self, risk_ids: Sequence[str], vectors: np.ndarray, headings: Sequence[str], texts: Sequence[str]
    ) -> list[Classification]:
        results = self.inner.classify(risk_ids, vectors, headings, texts)
        return self._classifications(risk_ids, [result.labels for result in results])


def _read_head(directory: Path) -> ScoredHead:
    config = json.loads((directory / HEAD_CONFIG).read_text(encoding="utf-8"))
    return ScoredHead(tuple(config["categories"]), float(config["temperature"]), float(config["label_threshold"]))


def _zero_shot(directory: Path, name: str, version: str) -> RiskClassifier:
    from sec_analyzer.analysis.classifier import get_classifier
    from sec_analyzer.analysis.taxonomy import load_taxonomy

    return ZeroShotServed(name, version, get_classifier(taxonomy=load_taxonomy(directory / "taxonomy.yaml")))


LOADERS: dict[str, Callable[[Path, str, str], RiskClassifier]] = {
    "zero_shot": _zero_shot,
    "embedding_head": EmbeddingHeadClassifier.load,
    "finetuned_minilm": FineTunedClassifier.load,
}


def load_classifier(manager: ModelRegistryManager, entry: ModelRegistryEntry) -> RiskClassifier:
    """The registered version as a `RiskClassifier` that stamps its name and version on every row."""
    loader = LOADERS.get(entry.kind)
    if loader is None:
        raise RegistryError(f"{entry.key} is of kind {entry.kind!r}, which no loader serves (known: {', '.join(LOADERS)})")
    artifacts = manager.version_dir(entry.model_name, entry.version) / "artifacts"
    try:
        return loader(artifacts, entry.model_name, entry.version)
    except (OSError, KeyError, ValueError) as error:
        raise RegistryError(f"cannot load {entry.key} from {artifacts}: {error}") from error


def load_champion(manager: ModelRegistryManager) -> RiskClassifier | None:
    """The champion's classifier, or None when nothing has been promoted yet."""
    champion = manager.champion()
    return load_classifier(manager, champion) if champion is not None else None
