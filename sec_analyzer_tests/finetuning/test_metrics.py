"""The evaluation metrics on hand-made predictions."""

from __future__ import annotations

import pytest

from finetuning.metrics import classification_metrics, expected_calibration_error

CATEGORIES = ("tax", "supply_chain", "other")


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)
    # half the predictions in a bin of 0.75 confidence that is right half the time: 0.25 off
    assert expected_calibration_error([0.75, 0.75, 0.75, 0.75], [True, False, True, False]) == pytest.approx(0.25)


def test_classification_metrics() -> None:
    true = [["tax"], ["tax", "other"], ["supply_chain"], ["other"]]
    predicted = [["tax"], ["other", "tax"], ["supply_chain"], ["other"]]
    metrics = classification_metrics(true, predicted, [0.9, 0.6, 0.8, 0.7], CATEGORIES)
    assert metrics["primary"]["accuracy"] == 0.75
    assert metrics["primary"]["micro_f1"] == 0.75
    # tax: P 1 R 0.5; supply_chain: 1/1; other: P 0.5 R 1
    assert metrics["primary"]["macro_f1"] == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    assert metrics["primary"]["primary_in_true_labels"] == 1.0
    assert metrics["multilabel"]["micro_f1"] == 1.0
    assert metrics["per_category"]["tax"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert metrics["confusion"] == {"labels": list(CATEGORIES), "matrix": [[1, 0, 1], [0, 1, 0], [0, 0, 1]]}
