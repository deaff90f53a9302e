"""Risk classification into the taxonomy: the interface every classifier serves, and the zero-shot one.

`PrototypeClassifier` scores a risk against each category by cosine similarity in the embedding
space. A category's prototype is the normalised mean of the unit vectors of its definition and
of each of its cues (`configs/taxonomy.yaml`). The risk side is the normalised mean of the risk's
own vector (heading and whole body) and of its heading alone, because a risk factor is about the
driver its heading names, and the heading-weighted vector scores better on labeled filings.
Similarities become scores with a softmax at temperature `SCORE_TEMPERATURE`.

Given labeled examples, each example is also a prototype of its primary category: the k nearest
examples vote with softmax weights, and a risk's scores are the mean of the vote and the
zero-shot scores. The primary is the best-scored category; up to two more categories join when
their score reaches `SECONDARY_RATIO` of the primary's.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sec_analyzer.analysis.embedding import Embedder, get_embedder
from sec_analyzer.analysis.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    import numpy as np

HEADING_WEIGHT = 0.5
SCORE_TEMPERATURE = 0.03
SECONDARY_RATIO = 0.5
MAX_LABELS = 3
NEIGHBOURS = 10


@dataclass(frozen=True)
class Classification:
    risk_id: str
    primary: str
    labels: tuple[tuple[str, float], ...]  # (category, score), primary first, scores in [0, 1]
    model_name: str
    model_version: str


class RiskClassifier(Protocol):
    """What serves `risk_classifications` and `sec-analyzer classify`: this zero-shot classifier
    now, a trained model from the registry later."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def classify(
        self, risk_ids: Sequence[str], vectors: np.ndarray, headings: Sequence[str], texts: Sequence[str]
    ) -> list[Classification]:
        """One classification per risk; `vectors` are the risks' embeddings in the same order."""
        ...


@dataclass(frozen=True)
class LabeledExample:
    heading: str
    text: str
    labels: tuple[str, ...]  # primary first


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _softmax(similarities: np.ndarray) -> np.ndarray:
    import numpy as np

    scaled = np.exp((similarities - similarities.max(axis=1, keepdims=True)) / SCORE_TEMPERATURE)
    return scaled / scaled.sum(axis=1, keepdims=True)


def _examples_fingerprint(examples: Sequence[LabeledExample]) -> str:
    canonical = sorted(json.dumps([e.heading, e.text, list(e.labels)], ensure_ascii=False) for e in examples)
    return hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()


# The taxonomy's category prototypes per embedder: every run of the classification step in a
# process (a backfill runs many) builds its classifier from the same ones.
_PROTOTYPES: dict[tuple[str, str, str, str], np.ndarray] = {}


def _category_prototypes(embedder: Embedder, taxonomy: Taxonomy) -> np.ndarray:
    """Each category's unit mean vector over its definition and cues (one embedding call)."""
    import numpy as np

    key = (embedder.name, embedder.version, embedder.path, taxonomy.fingerprint)
    if key not in _PROTOTYPES:
        anchors = [[category.definition, *category.cues] for category in taxonomy.categories]
        vectors = embedder.embed([("", text) for texts in anchors for text in texts])
        bounds = np.cumsum([0, *(len(texts) for texts in anchors)])
        _PROTOTYPES[key] = _unit_rows(np.stack([vectors[start:end].mean(axis=0)
                                                for start, end in itertools.pairwise(bounds)]))
    return _PROTOTYPES[key]


class PrototypeClassifier:
    """Zero-shot (definitions and cues) or prototype-with-examples classifier over an embedder."""

    def __init__(
        self, embedder: Embedder, taxonomy: Taxonomy, examples: Sequence[LabeledExample] = ()
    ) -> None:
        import numpy as np

        self._embedder = embedder
        self._categories = taxonomy.ids
        self._prototypes = _category_prototypes(embedder, taxonomy)
        self._example_vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
        self._example_categories = np.zeros(0, dtype=np.int64)
        if examples:
            example_vectors = embedder.embed([(example.heading, example.text) for example in examples])
            self._example_vectors = self._risk_side(
                example_vectors, [example.heading for example in examples]
            )
            self._example_categories = np.array([self._categories.index(e.labels[0]) for e in examples])
        self.name = "prototype-examples" if examples else "prototype-zero-shot"
        identity = json.dumps(
            {
                "taxonomy": taxonomy.fingerprint,
                "embedder": f"{embedder.name}@{embedder.version}",
                "examples": _examples_fingerprint(examples) if examples else None,
                "parameters": [HEADING_WEIGHT, SCORE_TEMPERATURE, SECONDARY_RATIO, MAX_LABELS, NEIGHBOURS],
            },
            sort_keys=True,
        )
        self.version = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]

    @property
    def categories(self) -> tuple[str, ...]:
        return self._categories

    def _risk_side(self, vectors: np.ndarray, headings: Sequence[str]) -> np.ndarray:
        import numpy as np

        heading_vectors = self._embedder.embed([("", heading) for heading in headings])
        has_heading = np.array([bool(heading.strip()) for heading in headings])[:, None]
        mixed = np.where(
            has_heading, HEADING_WEIGHT * heading_vectors + (1 - HEADING_WEIGHT) * vectors, vectors
        )
        return _unit_rows(mixed)

    def scores(self, vectors: np.ndarray, headings: Sequence[str]) -> np.ndarray:
        """Scores ``[risks, categories]`` in [0, 1], each row summing to 1, categories in taxonomy order."""
        import numpy as np

        risks = self._risk_side(vectors, headings)
        zero_shot = _softmax(risks @ self._prototypes.T)
        if not len(self._example_vectors):
            return zero_shot
        similarities = risks @ self._example_vectors.T
        nearest = np.argsort(-similarities, axis=1)[:, :NEIGHBOURS]
        nearest_similarities = np.take_along_axis(similarities, nearest, axis=1)
        weights = _softmax(nearest_similarities)
        votes = np.zeros_like(zero_shot)
        for row in range(len(risks)):
            np.add.at(votes[row], self._example_categories[nearest[row]], weights[row])
        return (votes + zero_shot) / 2

    def classify(
        self, risk_ids: Sequence[str], vectors: np.ndarray, headings: Sequence[str], texts: Sequence[str]
    ) -> list[Classification]:
        if not (len(risk_ids) == len(vectors) == len(headings) == len(texts)):
            raise ValueError("risk_ids, vectors, headings and texts must have the same length")
        if not len(risk_ids):
            return []
        results = []
        for risk_id, row in zip(risk_ids, self.scores(vectors, headings), strict=True):
            ranked = row.argsort()[::-1][:MAX_LABELS]
            best = row[ranked[0]]
            chosen = [ranked[0], *(index for index in ranked[1:] if row[index] >= SECONDARY_RATIO * best)]
            labels = tuple((self._categories[index], round(float(row[index]), 4)) for index in chosen)
            results.append(Classification(risk_id, labels[0][0], labels, self.name, self.version))
        return results


def get_classifier(
    embedder: Embedder | None = None,
    taxonomy: Taxonomy | None = None,
    examples: Sequence[LabeledExample] = (),
) -> PrototypeClassifier:
    """The serving classifier: zero-shot over the default embedder and `configs/taxonomy.yaml`
    unless told otherwise; with `examples`, labeled risks become prototypes too."""
    return PrototypeClassifier(embedder or get_embedder(), taxonomy or load_taxonomy(), examples)
