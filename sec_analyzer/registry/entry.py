"""What the registry records about one model version, and the gold-split figures the gate reads."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sec_analyzer.errors import SecAnalyzerError

NAME_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,63}$"
VERSION_PATTERN = r"^v[1-9][0-9]*$"


class RegistryError(SecAnalyzerError):
    """A registry folder, entry or status change is wrong; the message names which."""


class ModelStatus(StrEnum):
    CANDIDATE = "candidate"
    CHAMPION = "champion"
    ARCHIVED = "archived"


class ModelRegistryEntry(BaseModel):
    """`metadata.json` of `{root}/{model_name}/{version}/`. Paths are relative to that folder
    unless absolute, so a registry folder can be moved or copied as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    model_name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(pattern=VERSION_PATTERN)
    kind: str = Field(min_length=1, description="which loader serves it (loaders.LOADERS)")
    run_id: str = Field(min_length=1, description="the training run in models/experiments/")
    git_sha: str = Field(min_length=1)
    training_config_path: str
    data_version: str = Field(min_length=1)
    metrics_path: str
    artifact_paths: list[str]
    created_at: datetime
    status: ModelStatus = ModelStatus.CANDIDATE
    status_changed_at: datetime | None = None
    promoted_by: str | None = Field(default=None, description="why it became (or stopped being) champion")

    @property
    def key(self) -> str:
        return f"{self.model_name}/{self.version}"

    @classmethod
    def read(cls, path: Path) -> ModelRegistryEntry:
        try:
            return cls.model_validate_json(path.read_bytes())
        except OSError as error:
            raise RegistryError(f"cannot read {path}: {error.strerror}") from error
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in error.errors())
            raise RegistryError(f"{path} is not a valid registry entry: {problems}") from error


class CategoryScore(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    precision: float
    recall: float
    f1: float
    support: int


class GoldFigures(BaseModel):
    """The part of a run's `metrics.json` (`gold.primary`, `gold.per_category`, `gold.ece`) the gate judges."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    macro_f1: float
    per_category: dict[str, CategoryScore]
    ece: float

    @classmethod
    def from_metrics_file(cls, path: Path) -> GoldFigures:
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))["gold"]
            return cls(macro_f1=gold["primary"]["macro_f1"], per_category=gold["per_category"], ece=gold["ece"])
        except OSError as error:
            raise RegistryError(f"cannot read the metrics {path}: {error.strerror}") from error
        except (ValueError, KeyError, TypeError, ValidationError) as error:
            raise RegistryError(f"{path} has no gold-split figures (gold.primary.macro_f1, gold.per_category, gold.ece): {error}") from error
