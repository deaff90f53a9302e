"""Drift of the risk landscape from one fiscal year to the next, across all stored filings.

Two views per fiscal year against the previous stored year:

- the category distribution (share of risks per primary label): the population stability index
  PSI = Σ (p − q) · ln(p / q) and the Jensen–Shannon distance (base 2, in [0, 1]), both on
  shares smoothed by `SMOOTHING` so a category absent one year does not make PSI infinite;
- the embedding distribution: the centroid shift (1 − cosine of the two years' mean vectors) and
  the squared maximum mean discrepancy (MMD², unbiased, RBF kernel, bandwidth by the median heuristic) of a
  random sample of at most `sample_size` vectors per year, with a permutation p-value. The sample
  keeps the kernel matrix bounded whatever the size of the store.

Each measure is compared with the warn and critical thresholds of `configs/analysis.yaml`
(section `drift`); a year's status is the worst of its measures. A year with fewer than
`min_filings` filings is reported but not judged: early in a year only a few companies have
filed, and their mix, not a change of the landscape, would move every measure.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sec_analyzer.analysis.analysis_config import DriftSettings
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    import numpy as np

    from sec_analyzer.storage.analysis_repo import AnalysisRepository

SMOOTHING = 1e-4
REPORT_MARKDOWN = "drift-report.md"
REPORT_JSON = "drift-report.json"
MEASURES = ("psi", "jensen_shannon", "centroid_shift", "mmd")


class DriftStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    CRITICAL = "critical"


@dataclass(frozen=True)
class YearDrift:
    fiscal_year: int
    previous_year: int
    filings: int
    risks: int
    psi: float
    jensen_shannon: float
    centroid_shift: float
    mmd: float
    mmd_p_value: float | None
    status: DriftStatus
    reasons: tuple[str, ...]  # the measures beyond a threshold, e.g. "psi 0.31 ≥ critical 0.25"
    top_category_moves: tuple[tuple[str, float, float], ...] = field(default=())  # (label, before, after)


@dataclass(frozen=True)
class DriftReport:
    generated_at: str
    years: tuple[YearDrift, ...]
    risks_per_year: dict[int, int]

    @property
    def status(self) -> DriftStatus:
        return _worst([year.status for year in self.years])

    @property
    def critical_years(self) -> tuple[YearDrift, ...]:
        return tuple(year for year in self.years if year.status is DriftStatus.CRITICAL)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "status": self.status.value,
            "risks_per_year": {str(year): count for year, count in sorted(self.risks_per_year.items())},
            "years": [
                {**asdict(year), "status": year.status.value, "reasons": list(year.reasons),
                 "top_category_moves": [list(move) for move in year.top_category_moves]}
                for year in self.years
            ],
        }

    def to_markdown(self) -> str:
        lines = [
            f"# Risk-landscape drift ({self.generated_at})",
            "",
            f"Overall status: **{self.status.value}**.",
            "",
            "| year | vs | filings | risks | PSI | Jensen–Shannon | centroid shift | MMD² | p | status |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for year in self.years:
            p_value = "—" if year.mmd_p_value is None else f"{year.mmd_p_value:.3f}"
            lines.append(
                f"| {year.fiscal_year} | {year.previous_year} | {year.filings} | {year.risks} | {year.psi:.3f} | "
                f"{year.jensen_shannon:.3f} | {year.centroid_shift:.4f} | {year.mmd:.4f} | {p_value} | "
                f"{year.status.value} |"
            )
        for year in self.years:
            if year.reasons or year.top_category_moves:
                lines += ["", f"## {year.fiscal_year}", ""]
                lines += [f"- {reason}" for reason in year.reasons]
                lines += [f"- {label}: {before:.1%} → {after:.1%}" for label, before, after in year.top_category_moves]
        if not self.years:
            lines += ["", "Fewer than two fiscal years are stored: nothing to compare."]
        return "\n".join(lines) + "\n"

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> DriftReport:
        """The report `to_json` wrote (e.g. read back from `drift-report.json` by a sensor)."""
        years = tuple(
            YearDrift(**{**year, "status": DriftStatus(year["status"]), "reasons": tuple(year["reasons"]),
                         "top_category_moves": tuple(tuple(move) for move in year["top_category_moves"])})
            for year in document["years"]
        )
        risks = {int(year): count for year, count in document["risks_per_year"].items()}
        return cls(document["generated_at"], years, risks)

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write `drift-report.md` and `drift-report.json` into `folder`."""
        markdown, document = folder / REPORT_MARKDOWN, folder / REPORT_JSON
        try:
            folder.mkdir(parents=True, exist_ok=True)
            markdown.write_text(self.to_markdown(), encoding="utf-8")
            document.write_text(self.to_json_text(), encoding="utf-8")
        except OSError as error:
            raise SecAnalyzerError(f"cannot write the drift report into {folder}: {error.strerror}") from error
        return markdown, document


def _worst(statuses: Sequence[DriftStatus]) -> DriftStatus:
    for status in (DriftStatus.CRITICAL, DriftStatus.WARN):
        if status in statuses:
            return status
    return DriftStatus.OK


def _shares(counts: Mapping[str, int], labels: Sequence[str]) -> np.ndarray:
    import numpy as np

    values = np.array([counts.get(label, 0) for label in labels], dtype=np.float64) + SMOOTHING
    shares: np.ndarray = values / values.sum()
    return shares


def category_drift(previous: Mapping[str, int], current: Mapping[str, int]) -> tuple[float, float]:
    """(PSI, Jensen–Shannon distance base 2) between two label-count distributions."""
    import numpy as np
    from scipy.spatial.distance import jensenshannon

    labels = sorted(set(previous) | set(current))
    if not labels:
        return 0.0, 0.0
    before, after = _shares(previous, labels), _shares(current, labels)
    psi = float(np.sum((after - before) * np.log(after / before)))
    return psi, float(jensenshannon(before, after, base=2))


def centroid_shift(previous: np.ndarray, current: np.ndarray) -> float:
    import numpy as np

    a, b = previous.mean(axis=0), current.mean(axis=0)
    cosine = float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))
    return max(0.0, 1.0 - cosine)


def mmd_rbf(
    previous: np.ndarray, current: np.ndarray, permutations: int, rng: np.random.Generator
) -> tuple[float, float | None]:
    """Squared MMD (unbiased estimator, so samples of any size from one distribution give about 0; RBF kernel with the median pairwise distance as bandwidth)
    and its permutation p-value (None without permutations)."""
    import numpy as np

    pooled = np.concatenate([previous, current]).astype(np.float64)
    squared = np.sum(pooled**2, axis=1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2 * pooled @ pooled.T, 0.0)
    off_diagonal = distances[np.triu_indices(len(pooled), k=1)]
    bandwidth = float(np.median(off_diagonal)) or 1.0
    kernel = np.exp(-distances / bandwidth)
    size = len(previous)

    def within(rows: np.ndarray) -> float:
        block = kernel[np.ix_(rows, rows)]
        return float((block.sum() - np.trace(block)) / (len(rows) * (len(rows) - 1)))

    def statistic(order: np.ndarray) -> float:
        first, second = order[:size], order[size:]
        return within(first) + within(second) - 2 * float(kernel[np.ix_(first, second)].mean())

    observed = statistic(np.arange(len(pooled)))
    if permutations <= 0:
        return observed, None
    exceed = sum(statistic(rng.permutation(len(pooled))) >= observed for _ in range(permutations))
    return observed, (exceed + 1) / (permutations + 1)


def _judge(values: Mapping[str, float], settings: DriftSettings) -> tuple[DriftStatus, tuple[str, ...]]:
    reasons: list[str] = []
    statuses: list[DriftStatus] = []
    for measure in MEASURES:
        for status, level in ((DriftStatus.CRITICAL, settings.critical), (DriftStatus.WARN, settings.warn)):
            threshold = getattr(level, measure)
            if values[measure] >= threshold:
                reasons.append(f"{measure} {values[measure]:.4f} ≥ {status.value} {threshold:g}")
                statuses.append(status)
                break
    return _worst(statuses), tuple(reasons)


def year_drift(
    fiscal_year: int,
    previous_year: int,
    label_counts: tuple[Mapping[str, int], Mapping[str, int]],
    vectors: tuple[np.ndarray, np.ndarray],
    filings: int,
    settings: DriftSettings,
) -> YearDrift:
    """The drift of `fiscal_year` against `previous_year` from label counts and vectors (previous, current)."""
    import numpy as np

    rng = np.random.default_rng(settings.seed + fiscal_year)
    psi, jensen_shannon = category_drift(*label_counts)
    before, after = vectors
    shift = centroid_shift(before, after) if len(before) and len(after) else 0.0
    mmd, p_value = 0.0, None
    if len(before) >= 2 and len(after) >= 2:
        sample = [
            part[rng.choice(len(part), size=min(len(part), settings.sample_size), replace=False)]
            for part in (before, after)
        ]
        mmd, p_value = mmd_rbf(sample[0], sample[1], settings.permutations, rng)
    values = {"psi": psi, "jensen_shannon": jensen_shannon, "centroid_shift": shift, "mmd": mmd}
    status, reasons = _judge(values, settings)
    if filings < settings.min_filings:
        # a year still filling up differs from the last by which companies have filed, not by drift
        status, reasons = DriftStatus.OK, (f"not judged: {filings} filing(s), fewer than {settings.min_filings}",)
    labels = sorted(set(label_counts[0]) | set(label_counts[1]))
    moves: tuple[tuple[str, float, float], ...] = ()
    if labels:
        old, new = _shares(label_counts[0], labels), _shares(label_counts[1], labels)
        biggest = np.argsort(-np.abs(new - old))[:3]
        moves = tuple((labels[index], round(float(old[index]), 4), round(float(new[index]), 4)) for index in biggest)
    return YearDrift(
        fiscal_year=fiscal_year,
        previous_year=previous_year,
        filings=filings,
        risks=int(sum(label_counts[1].values())),
        psi=round(psi, 6),
        jensen_shannon=round(jensen_shannon, 6),
        centroid_shift=round(shift, 6),
        mmd=round(mmd, 6),
        mmd_p_value=None if p_value is None else round(p_value, 4),
        status=status,
        reasons=reasons,
        top_category_moves=moves,
    )


def drift_report(repository: AnalysisRepository, settings: DriftSettings) -> DriftReport:
    """Each stored fiscal year against the previous stored one."""
    from datetime import UTC, datetime

    counts = repository.label_counts_by_year()
    filings = repository.filing_counts_by_year()
    years = sorted(counts)
    drifts = []
    if not years:
        return DriftReport(datetime.now(UTC).isoformat(timespec="seconds"), (), {})
    previous_vectors = repository.vectors_of_year(years[0])
    for previous, current in itertools.pairwise(years):
        # two years of vectors in memory at a time, whatever the number of years
        current_vectors = repository.vectors_of_year(current)
        drifts.append(year_drift(current, previous, (counts[previous], counts[current]),
                                 (previous_vectors, current_vectors), filings.get(current, 0), settings))
        previous_vectors = current_vectors
    return DriftReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        years=tuple(drifts),
        risks_per_year={year: sum(counts[year].values()) for year in years},
    )

