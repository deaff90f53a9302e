from __future__ import annotations

import numpy as np
import pytest

from sec_analyzer.analysis.classifier import (
    MAX_LABELS,
    Classification,
    LabeledExample,
    PrototypeClassifier,
    RiskClassifier,
    get_classifier,
)
from sec_analyzer.analysis.embedding import Embedder
from sec_analyzer.analysis.taxonomy import load_taxonomy
from sec_analyzer.domain import RiskFactor


@pytest.fixture(scope="module")
def zero_shot(fast_embedder: Embedder) -> PrototypeClassifier:
    return get_classifier(fast_embedder)


def _classify(
    classifier: RiskClassifier, embedder: Embedder, risks: list[RiskFactor]
) -> list[Classification]:
    headings, texts = [risk.heading for risk in risks], [risk.text for risk in risks]
    vectors = embedder.embed(list(zip(headings, texts, strict=True)))
    return classifier.classify([f"AAPL-2024-{risk.ordinal:03d}" for risk in risks], vectors, headings, texts)


def test_every_risk_gets_one_to_three_taxonomy_labels_with_scores_and_the_model(
    zero_shot: PrototypeClassifier, fast_embedder: Embedder, apple_risks: list[RiskFactor]
) -> None:
    results = _classify(zero_shot, fast_embedder, apple_risks)
    taxonomy_ids = set(load_taxonomy().ids)
    assert [result.risk_id for result in results] == [f"AAPL-2024-{risk.ordinal:03d}" for risk in apple_risks]
    for result in results:
        categories = [category for category, _ in result.labels]
        assert 1 <= len(result.labels) <= MAX_LABELS and len(set(categories)) == len(categories)
        assert result.primary == categories[0] and set(categories) <= taxonomy_ids
        assert all(0.0 <= score <= 1.0 for _, score in result.labels)
        assert [score for _, score in result.labels] == sorted(
            (score for _, score in result.labels), reverse=True
        )
        assert (result.model_name, result.model_version) == (zero_shot.name, zero_shot.version)
    assert len({result.primary for result in results}) >= 5, "Apple's risks span many categories"


def test_clear_headings_get_their_category(zero_shot: PrototypeClassifier, fast_embedder: Embedder) -> None:
    risks = [
        ("Changes in tax laws could adversely affect our effective tax rate.", "tax"),
        ("Our business could be harmed by cyberattacks and data security breaches.", "cybersecurity_it"),
        ("We depend on key personnel and must attract and retain qualified employees.", "human_capital"),
        ("The market price of our common stock may be volatile.", "reputation_esg_governance"),
    ]
    vectors = fast_embedder.embed([(heading, "") for heading, _ in risks])
    results = zero_shot.classify(
        [str(i) for i in range(len(risks))], vectors, [h for h, _ in risks], [""] * len(risks)
    )
    assert [result.primary for result in results] == [expected for _, expected in risks]


def test_scores_form_a_distribution_over_the_taxonomy(
    zero_shot: PrototypeClassifier, fast_embedder: Embedder, apple_risks: list[RiskFactor]
) -> None:
    risks = apple_risks[:5]
    scores = zero_shot.scores(
        fast_embedder.embed([(r.heading, r.text) for r in risks]), [r.heading for r in risks]
    )
    assert scores.shape == (5, len(zero_shot.categories))
    assert np.allclose(scores.sum(axis=1), 1.0) and scores.min() >= 0.0


def test_labeled_examples_make_another_model_version(
    zero_shot: PrototypeClassifier, fast_embedder: Embedder, apple_risks: list[RiskFactor]
) -> None:
    examples = [
        LabeledExample(apple_risks[0].heading, apple_risks[0].text, ("macroeconomic",)),
        LabeledExample(
            apple_risks[2].heading, apple_risks[2].text, ("competition_demand", "product_strategy_execution")
        ),
        LabeledExample(apple_risks[3].heading, apple_risks[3].text, ("product_strategy_execution",)),
    ]
    with_examples = get_classifier(fast_embedder, examples=examples)
    assert with_examples.name != zero_shot.name and with_examples.version != zero_shot.version
    results = _classify(with_examples, fast_embedder, apple_risks[:6])
    assert all(result.model_version == with_examples.version for result in results)
    assert all(0.0 <= score <= 1.0 for result in results for _, score in result.labels)
    assert get_classifier(fast_embedder, examples=examples).version == with_examples.version


def test_mismatched_inputs_are_refused(zero_shot: PrototypeClassifier, fast_embedder: Embedder) -> None:
    with pytest.raises(ValueError, match="same length"):
        zero_shot.classify(["a", "b"], fast_embedder.embed([("", "x")]), ["", ""], ["x", "y"])
    assert zero_shot.classify([], np.zeros((0, fast_embedder.dimension), dtype=np.float32), [], []) == []
