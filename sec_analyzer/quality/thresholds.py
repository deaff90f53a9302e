"""Thresholds and severities of the quality suites, read from `configs/quality/<group>.yaml`.

Each YAML file is validated against a model here, so a typo or a wrong type is reported with the
file and the key instead of silently falling back to a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sec_analyzer.errors import ConfigurationError
from sec_analyzer.quality.verdicts import QUALITY_GROUPS, Severity
from sec_analyzer.settings import config_dir


class QualityConfigError(ConfigurationError):
    """A quality threshold file is missing, unreadable or has a wrong key or value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectationSettings(_Strict):
    severity: Severity


class PatternSettings(ExpectationSettings):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from error
        return pattern


class SegmentFieldsSettings(ExpectationSettings):
    columns: list[str]


class ExpectedItemsSettings(ExpectationSettings):
    items: list[str]


class UnexplainedReasonsSettings(ExpectationSettings):
    unexplained_reasons: list[str]


class AcceptedOmissionsSettings(ExpectationSettings):
    accepted_omission_reasons: list[str]


class CharRangeSettings(ExpectationSettings):
    min_chars: int = Field(ge=0)
    max_chars: int = Field(ge=1)


class MinCharsSettings(ExpectationSettings):
    min_chars: int = Field(ge=0)


class MaxCharsSettings(ExpectationSettings):
    max_chars: int = Field(ge=1)


class SegmentCountSettings(ExpectationSettings):
    min_segments: int = Field(ge=0)
    max_segments: int = Field(ge=1)


class ShareSettings(ExpectationSettings):
    max_share: float = Field(ge=0, le=1)


class BoilerplateSettings(ShareSettings, PatternSettings):
    pass


class CoverageSettings(ExpectationSettings):
    min_share: float = Field(ge=0, le=1)


class DocumentTypeSettings(ExpectationSettings):
    accepted_types: list[str]


class DimensionSettings(ExpectationSettings):
    expected_dimension: int = Field(ge=1)


class ToleranceSettings(ExpectationSettings):
    tolerance: float = Field(gt=0)


class LabelCountSettings(ExpectationSettings):
    min_labels: int = Field(ge=1)
    max_labels: int = Field(ge=1)


class CategoryShareSettings(ShareSettings):
    category: str


class CompletenessThresholds(_Strict):
    upstream_stages_succeeded: ExpectationSettings
    segment_fields_present: SegmentFieldsSettings
    expected_items_listed: ExpectedItemsSettings
    items_found_or_explained: UnexplainedReasonsSettings
    item_1a_present_or_explained: AcceptedOmissionsSettings
    item_1a_found: ExpectationSettings


class CleanlinessThresholds(_Strict):
    html_residue: PatternSettings
    # Their patterns are the page-furniture rules of `preprocessing.page_furniture`.
    table_of_contents_lines: ExpectationSettings
    page_number_lines: ExpectationSettings
    control_characters: PatternSettings


class SubstanceThresholds(_Strict):
    item_1a_length: CharRangeSettings
    segment_count: SegmentCountSettings
    segment_min_length: MinCharsSettings
    segment_max_length: MaxCharsSettings
    boilerplate_share: BoilerplateSettings
    duplicate_texts: ShareSettings


class ConsistencyThresholds(_Strict):
    coverage: CoverageSettings
    ordinals_unique: ExpectationSettings
    ordinals_consecutive: ExpectationSettings
    offsets_within_text: ExpectationSettings
    spans_non_overlapping: ExpectationSettings
    fiscal_year_matches_partition: ExpectationSettings
    fiscal_year_known: ExpectationSettings
    document_type_is_10k: DocumentTypeSettings
    document_type_known: ExpectationSettings


class VectorsThresholds(_Strict):
    embedding_rows_match_segments: ExpectationSettings
    embedding_dimension: DimensionSettings
    embedding_unit_norm: ToleranceSettings
    embedding_values_finite: ExpectationSettings
    identical_vectors_have_identical_texts: ExpectationSettings


class ClassificationThresholds(_Strict):
    one_primary_per_risk: ExpectationSettings
    primary_in_taxonomy: ExpectationSettings
    primary_is_top_label: ExpectationSettings
    label_count: LabelCountSettings
    labels_in_taxonomy: ExpectationSettings
    scores_in_unit_interval: ExpectationSettings
    category_share: CategoryShareSettings


class QualityThresholds(_Strict):
    """Every group's thresholds; a field per quality group, each read from `<group>.yaml`."""

    completeness: CompletenessThresholds
    cleanliness: CleanlinessThresholds
    substance: SubstanceThresholds
    consistency: ConsistencyThresholds
    vectors: VectorsThresholds
    classification: ClassificationThresholds


def quality_config_dir() -> Path:
    return config_dir() / "quality"


def load_thresholds(
    directory: Path | None = None,
    overrides: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> QualityThresholds:
    """Read every group's YAML from `directory` (default `<config dir>/quality`).

    `overrides` is `{group: {expectation: {key: value}}}` and replaces single keys, for a run that
    must be stricter or looser than the committed defaults.
    """
    directory = directory or quality_config_dir()
    unknown = set(overrides or {}) - set(QUALITY_GROUPS)
    if unknown:
        raise QualityConfigError(
            f"unknown quality group(s) in overrides: {sorted(unknown)}; known: {list(QUALITY_GROUPS)}"
        )
    groups = {}
    for group in QUALITY_GROUPS:
        groups[group] = _read_group_file(directory / f"{group}.yaml")
        for expectation, changes in (overrides or {}).get(group, {}).items():
            groups[group][expectation] = {**groups[group].get(expectation, {}), **changes}
    try:
        return QualityThresholds.model_validate(groups)
    except ValidationError as error:
        issues = error.errors()
        group = str(issues[0]["loc"][0])
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'][1:])}: {issue['msg']}"
            for issue in issues
            if issue["loc"][0] == group
        )
        raise QualityConfigError(f"{directory / f'{group}.yaml'} is invalid: {problems}") from error


def _read_group_file(path: Path) -> dict[str, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise QualityConfigError(
            f"quality thresholds file {path} is missing (set SEC_ANALYZER_CONFIG_DIR to a folder with quality/)"
        ) from error
    except yaml.YAMLError as error:
        raise QualityConfigError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(content, dict):
        raise QualityConfigError(f"{path} must hold a mapping of expectation name to settings")
    return content
