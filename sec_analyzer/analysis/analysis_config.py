"""Thresholds of the year-over-year, similarity and drift analyses: `configs/analysis.yaml`.

The file says how each value was chosen. The alert webhook URL may carry a token, so it comes
only from the environment (`SEC_ANALYZER_ALERT_WEBHOOK_URL`), never from the YAML file.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sec_analyzer.errors import ConfigurationError
from sec_analyzer.settings import config_dir

WEBHOOK_VARIABLE = "SEC_ANALYZER_ALERT_WEBHOOK_URL"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChangeSettings(_Section):
    vector_weight: float = Field(ge=0, le=1)
    body_weight: float = Field(ge=0, le=1)
    heading_weight: float = Field(ge=0, le=1)
    pair_threshold: float = Field(gt=0, le=1)
    slot_pair_threshold: float = Field(gt=0, le=1)
    merge_split_containment: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> ChangeSettings:
        total = self.vector_weight + self.body_weight + self.heading_weight
        if abs(total - 1) > 1e-6:
            raise ValueError(f"vector_weight + body_weight + heading_weight must be 1, not {total:g}")
        return self


class SimilaritySettings(_Section):
    exact_search_below: int = Field(ge=0)
    connectivity: int = Field(ge=4)
    expansion_add: int = Field(ge=8)
    expansion_search: int = Field(ge=8)


class DriftLevel(_Section):
    psi: float = Field(gt=0)
    jensen_shannon: float = Field(gt=0, le=1)
    centroid_shift: float = Field(gt=0)
    mmd: float = Field(gt=0)


class DriftSettings(_Section):
    warn: DriftLevel
    critical: DriftLevel
    min_filings: int = Field(ge=1)
    sample_size: int = Field(ge=10)
    permutations: int = Field(ge=0)
    seed: int = 0


class AlertSettings(_Section):
    cooldown_hours: float = Field(ge=0)
    daily_limit: int = Field(ge=1)
    timeout_seconds: float = Field(gt=0)
    webhook_url: str | None = None


class AnalysisSettings(_Section):
    changes: ChangeSettings
    similarity: SimilaritySettings
    drift: DriftSettings
    alerts: AlertSettings


def analysis_config_path() -> Path:
    return config_dir() / "analysis.yaml"


def load_analysis_settings(path: Path | None = None) -> AnalysisSettings:
    """`configs/analysis.yaml` (or `path`), with the webhook URL from the environment."""
    path = path or analysis_config_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigurationError(f"cannot read the analysis configuration {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigurationError(f"the analysis configuration {path} is not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"the analysis configuration {path} must be a mapping of sections")
    alerts = dict(document.get("alerts") or {})
    if "webhook_url" in alerts:
        raise ConfigurationError(f"{path}: alerts.webhook_url comes only from {WEBHOOK_VARIABLE} (it may hold a token)")
    alerts["webhook_url"] = os.environ.get(WEBHOOK_VARIABLE) or None
    try:
        return AnalysisSettings.model_validate({**document, "alerts": alerts})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}" for problem in error.errors()
        )
        raise ConfigurationError(f"invalid analysis configuration {path}: {problems}") from None
