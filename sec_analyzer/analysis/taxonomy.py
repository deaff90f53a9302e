"""The risk taxonomy (`configs/taxonomy.yaml`): categories with their group, definition and cues."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.settings import config_dir

FALLBACK_CATEGORY = "other"
TAXONOMY_FILE = "taxonomy.yaml"


class TaxonomyError(SecAnalyzerError):
    """The taxonomy file is missing or invalid; the message names the file and the field."""


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str = Field(min_length=1)
    campbell: str = Field(min_length=1)
    definition: str = Field(min_length=20)
    cues: tuple[str, ...] = Field(min_length=1)

    @field_validator("cues")
    @classmethod
    def _cues_have_words(cls, cues: tuple[str, ...]) -> tuple[str, ...]:
        if any(not cue.strip() for cue in cues):
            raise ValueError("a cue is empty")
        return cues


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    categories: tuple[Category, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _ids_unique_with_fallback(self) -> Taxonomy:
        ids = [category.id for category in self.categories]
        duplicates = sorted({category_id for category_id in ids if ids.count(category_id) > 1})
        if duplicates:
            raise ValueError(f"duplicate category ids: {', '.join(duplicates)}")
        if FALLBACK_CATEGORY not in ids:
            raise ValueError(f"the fallback category {FALLBACK_CATEGORY!r} is missing")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Category ids in file order, the fallback included."""
        return tuple(category.id for category in self.categories)

    @property
    def fingerprint(self) -> str:
        """sha256 of the taxonomy's content: any edit of an id, definition or cue changes it."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def taxonomy_path() -> Path:
    return config_dir() / TAXONOMY_FILE


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and validate the taxonomy (``configs/taxonomy.yaml`` of `config_dir()` by default)."""
    path = path or taxonomy_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TaxonomyError(f"cannot read the taxonomy {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise TaxonomyError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from error
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise TaxonomyError(f"{path}: {where}: {first['msg']}{more}") from error
