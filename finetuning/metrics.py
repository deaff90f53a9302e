"""Classification metrics of one model on one split: what every evaluation reports.

Primary label: accuracy, macro- and micro-F1 over the categories that occur in the truth or the
predictions (scikit-learn's default label set), per-category precision/recall/F1 and a confusion
matrix. Label sets: macro- and micro-F1 over the binarised 1–3 labels. Calibration: expected
calibration error of the primary label's confidence in equal-width bins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

ECE_BINS = 10


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Sum over bins of (share of predictions in the bin) × |accuracy − mean confidence|."""
    confidence = np.asarray(confidences, dtype=float)
    hits = np.asarray(correct, dtype=float)
    if confidence.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for index in range(bins):
        members = which == index
        if members.any():
            error += members.mean() * abs(hits[members].mean() - confidence[members].mean())
    return float(error)


def classification_metrics(
    true_labels: Sequence[Sequence[str]],
    predicted_labels: Sequence[Sequence[str]],
    primary_confidences: Sequence[float],
    categories: Sequence[str],
) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    true_primary = [labels[0] for labels in true_labels]
    predicted_primary = [labels[0] for labels in predicted_labels]
    present = [c for c in categories if c in set(true_primary) | set(predicted_primary)]
    precision, recall, f1, support = precision_recall_fscore_support(
        true_primary, predicted_primary, labels=present, zero_division=0
    )
    index = {category: position for position, category in enumerate(categories)}
    true_matrix = np.zeros((len(true_labels), len(categories)), dtype=int)
    predicted_matrix = np.zeros_like(true_matrix)
    for row, (truth, prediction) in enumerate(zip(true_labels, predicted_labels, strict=True)):
        true_matrix[row, [index[c] for c in truth]] = 1
        predicted_matrix[row, [index[c] for c in prediction]] = 1
    label_columns = [index[c] for c in categories if true_matrix[:, index[c]].any() or predicted_matrix[:, index[c]].any()]
    correct = [t == p for t, p in zip(true_primary, predicted_primary, strict=True)]
    return {
        "count": len(true_labels),
        "primary": {
            "accuracy": float(np.mean(correct)) if correct else 0.0,
            "macro_f1": float(f1_score(true_primary, predicted_primary, labels=present, average="macro", zero_division=0)),
            "micro_f1": float(f1_score(true_primary, predicted_primary, labels=present, average="micro", zero_division=0)),
            # the rules promise a second labeler reproduces at least one label of a borderline risk
            "primary_in_true_labels": float(np.mean([p in t for p, t in zip(predicted_primary, true_labels, strict=True)])),
        },
        "multilabel": {
            "macro_f1": float(f1_score(true_matrix[:, label_columns], predicted_matrix[:, label_columns], average="macro", zero_division=0)),
            "micro_f1": float(f1_score(true_matrix[:, label_columns], predicted_matrix[:, label_columns], average="micro", zero_division=0)),
            "mean_predicted_labels": float(predicted_matrix.sum(axis=1).mean()) if len(predicted_labels) else 0.0,
        },
        "per_category": {
            category: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for category, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
        },
        "confusion": {
            "labels": present,
            "matrix": confusion_matrix(true_primary, predicted_primary, labels=present).tolist(),
        },
        "ece": expected_calibration_error(primary_confidences, correct),
    }
