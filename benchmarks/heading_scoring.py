"""Scoring a segmentation against hand-made gold headings (`benchmarks/gold/risk_headings.json`).

The gold file maps "<TICKER>/<ID>" (the corpus folder of one filing) to
`{"categories": [...], "risks": [{"heading": ..., "category": ...}, ...]}`, in filing order,
written by reading the filings. Headings match when their `normalized_heading` keys are equal
(case, quotes, punctuation and spacing ignored); each gold heading matches at most one
predicted heading.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sec_analyzer.domain import RiskFactor
from sec_analyzer.preprocessing.segmenter import normalized_heading


@dataclass(frozen=True)
class HeadingScore:
    predicted: int
    gold: int
    matched: int
    category_matched: int  # matched headings whose category also matches the gold category

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def category_accuracy(self) -> float:
        return self.category_matched / self.matched if self.matched else 1.0


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    gold: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return gold


def score_headings(risk_factors: list[RiskFactor], gold_entry: dict[str, Any]) -> HeadingScore:
    def key(heading: str, category: str | None) -> tuple[str, str]:
        return normalized_heading(heading), normalized_heading(category or "")

    predicted = Counter(key(risk.heading, risk.category) for risk in risk_factors)
    expected = Counter(key(risk["heading"], risk["category"]) for risk in gold_entry["risks"])
    predicted_headings = Counter(heading for heading, _ in predicted.elements())
    expected_headings = Counter(heading for heading, _ in expected.elements())
    return HeadingScore(
        predicted=len(risk_factors),
        gold=len(gold_entry["risks"]),
        matched=sum((predicted_headings & expected_headings).values()),
        category_matched=sum((predicted & expected).values()),
    )
