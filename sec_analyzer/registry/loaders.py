"""Serving registered models: a registry entry in, a `RiskClassifier` out.

Kinds (`ModelRegistryEntry.kind`):

`zero_shot`
    The taxonomy-prototype classifier of `analysis.classifier`, over the taxonomy file saved
    with the version (`artifacts/taxonomy.yaml`).
`embedding_head`
    Linear heads on frozen all-MiniLM-L6-v2 features (`artifacts/head.npz` + `head.json`). The
    features are named blocks side by side (`FEATURE_BLOCKS`): the heading's vector, the vector of
    the heading with the opening of the body (the evidence the labeling rules read), the stored
    embedding of heading and whole body, and the zero-shot classifier's scores (a head trained on
    them refuses to serve beside a different zero-shot classifier). A primary head gives logits
    whose temperature-scaled softmax is the primary label's calibrated confidence; a label head
    (optional) gives per-category sigmoid scores for the secondary labels, else the primary head's
    probabilities relative to the best one do.
`finetuned_minilm`
    A fine-tuned MiniLM sequence classifier (`artifacts/model/`, a transformers directory) over
    the heading and the opening of the body, with the same temperature and secondary-label rule.

Every classifier reports the registry's model name and version on each classification, so the
classified stage records which version made each row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
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
# heading: the heading alone; opening: the heading with the opening of the body; full: the stored
# embedding (heading and whole body); zero_shot: the zero-shot classifier's scores of the risk
FEATURE_BLOCKS = ("heading", "opening", "full", "zero_shot")
ZERO_SHOT_FEATURE_SCALE = 0.2
HEAD_CONFIG = "head.json"
HEAD_WEIGHTS = "head.npz"


def opening(text: str, limit: int = OPENING_CHARACTERS) -> str:
    """The first sentences of a body within `limit` characters (about the ~3 sentences the rules read)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = cut.rfind(". ")
    return cut[: sentence_end + 1] if sentence_end > limit // 3 else cut


def assemble_features(blocks: Sequence[str], vectors: Mapping[str, np.ndarray]) -> np.ndarray:
    """The head's input: the named blocks side by side, in the order the head was trained with."""
    import numpy as np

    unknown = [block for block in blocks if block not in FEATURE_BLOCKS]
    if unknown:
        raise RegistryError(f"unknown feature block(s) {', '.join(unknown)} (known: {', '.join(FEATURE_BLOCKS)})")
    return np.hstack([vectors[block] for block in blocks]).astype(np.float32)


def zero_shot_features(scores: np.ndarray) -> np.ndarray:
    """The zero-shot classifier's category scores as features: scaled log-probabilities."""
    import numpy as np

    result: np.ndarray = ZERO_SHOT_FEATURE_SCALE * np.log(scores + 1e-6)
    return result


def block_vectors(
    blocks: Sequence[str],
    embedder: Embedder,
    headings: Sequence[str],
    texts: Sequence[str],
    vectors: np.ndarray,
    zero_shot: Any | None,
) -> dict[str, np.ndarray]:
    """Each requested block for a batch of risks; `vectors` are their stored (heading + body) embeddings."""
    found: dict[str, np.ndarray] = {}
    if "heading" in blocks:
        found["heading"] = embedder.embed([("", heading) for heading in headings])
    if "opening" in blocks:
        found["opening"] = embedder.embed([(heading, opening(text)) for heading, text in zip(headings, texts, strict=True)])
    if "full" in blocks:
        found["full"] = vectors
    if "zero_shot" in blocks:
        if zero_shot is None:
            raise RegistryError("this head needs the zero-shot classifier's scores, and none was given")
        found["zero_shot"] = zero_shot_features(zero_shot.scores(vectors, list(headings)))
    return found


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
        blocks: Sequence[str],
        zero_shot_version: str | None = None,
    ) -> None:
        super().__init__(name, version)
        self.head = head
        self.weights = weights
        self.blocks = tuple(blocks)
        self.zero_shot_version = zero_shot_version
        self._embedder: Embedder | None = None
        self._zero_shot: Any = None

    def _inputs(self) -> tuple[Embedder, Any]:
        """The embedder and, for a head trained on them, the zero-shot scorer it was trained with."""
        if self._embedder is None:
            from sec_analyzer.analysis.embedding import get_embedder

            self._embedder = get_embedder()
        if "zero_shot" in self.blocks and self._zero_shot is None:
            from sec_analyzer.analysis.classifier import get_classifier

            zero_shot = get_classifier(self._embedder)
            if zero_shot.version != self.zero_shot_version:
                raise RegistryError(
                    f"{self.name}/{self.version} was trained on the scores of zero-shot classifier {self.zero_shot_version}, "
                    f"but the serving one is {zero_shot.version} (taxonomy or classifier changed): train it again"
                )
            self._zero_shot = zero_shot
        return self._embedder, self._zero_shot

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
        if not (len(risk_ids) == len(vectors) == len(headings) == len(texts)):
            raise ValueError("risk_ids, vectors, headings and texts must have the same length")
        if not risk_ids:
            return []
        embedder, zero_shot = self._inputs()
        features = assemble_features(self.blocks, block_vectors(self.blocks, embedder, headings, texts, vectors, zero_shot))
        return self._classifications(risk_ids, self.predict_features(features))

    def save(self, directory: Path) -> list[Path]:
        import numpy as np

        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / HEAD_WEIGHTS, **self.weights)  # type: ignore[arg-type]  # numpy stubs take ** for allow_pickle
        config = {"categories": list(self.head.categories), "temperature": self.head.temperature,
                  "label_threshold": self.head.label_threshold, "features": list(self.blocks),
                  "zero_shot_version": self.zero_shot_version, "opening_characters": OPENING_CHARACTERS}
        (directory / HEAD_CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return [directory / HEAD_WEIGHTS, directory / HEAD_CONFIG]

    @classmethod
    def load(cls, directory: Path, name: str, version: str) -> EmbeddingHeadClassifier:
        import numpy as np

        config = json.loads((directory / HEAD_CONFIG).read_text(encoding="utf-8"))
        with np.load(directory / HEAD_WEIGHTS) as archive:
            weights = {key: archive[key] for key in archive.files}
        return cls(name, version, _read_head(directory), weights, config["features"], config.get("zero_shot_version"))


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

            # a registry folder on disk, never the hub: there is no revision to pin
            local = str(self.model_dir)
            self._tokenizer = AutoTokenizer.from_pretrained(local, local_files_only=True)  # nosec B615
            self._model = AutoModelForSequenceClassification.from_pretrained(local, local_files_only=True)  # nosec B615
            self._model.eval()
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
