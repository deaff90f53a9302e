"""Registry settings from `configs/registry.yaml`: where the registry lives and the gate's thresholds.

`SEC_ANALYZER_REGISTRY_DIR` overrides the root (a relative root is taken from the working
directory, like `data_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sec_analyzer.registry.entry import RegistryError
from sec_analyzer.settings import config_dir

REGISTRY_DIR_VARIABLE = "SEC_ANALYZER_REGISTRY_DIR"


class GateConfig(BaseModel):
    """A candidate replaces the champion only when every rule holds (see `gate.judge`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_macro_f1_gain: float = Field(ge=0.0, description="gold macro-F1 (primary) must beat the champion's by more than this")
    max_category_f1_drop: float = Field(ge=0.0, le=1.0, description="no category's gold F1 may fall by more than this")
    min_category_support: int = Field(ge=1, description="categories with fewer gold examples are too noisy to judge")
    max_ece: float = Field(gt=0.0, le=1.0, description="expected calibration error of the primary label on gold")
    min_macro_f1: float = Field(ge=0.0, le=1.0, description="the floor for a first champion, when there is none to beat")


class RegistryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    root: Path
    gate: GateConfig


def load_registry_config(path: Path | None = None) -> RegistryConfig:
    path = path or config_dir() / "registry.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = RegistryConfig.model_validate(raw)
    except OSError as error:
        raise RegistryError(f"cannot read the registry configuration {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise RegistryError(f"{path} is not valid YAML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise RegistryError(f"{path} is invalid: {problems}") from error
    explicit_root = os.environ.get(REGISTRY_DIR_VARIABLE)
    return config.model_copy(update={"root": Path(explicit_root)}) if explicit_root else config
