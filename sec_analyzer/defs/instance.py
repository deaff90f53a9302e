"""Prepare the Dagster instance folder ($DAGSTER_HOME) with the project's instance config."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sec_analyzer.settings import PROJECT_ROOT

MANAGED_MARKER = "# managed by sec-analyzer: copied from "


def instance_config_source() -> Path:
    name = "dagster.postgres.yaml" if os.environ.get("DAGSTER_POSTGRES_URL") else "dagster.yaml"
    local = Path.cwd() / name
    return local if local.exists() else PROJECT_ROOT / name


def dagster_home_path() -> Path:
    """$DAGSTER_HOME, else ./.dagster_home: the one default every command uses."""
    return Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home").resolve()


def prepare_dagster_home() -> Path:
    """Create $DAGSTER_HOME (default ./.dagster_home) holding the right dagster.yaml; return it.

    A dagster.yaml that the user wrote by hand (without our marker line) is left alone.
    """
    home = dagster_home_path()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    target = home / "dagster.yaml"
    source = instance_config_source()
    if not target.exists() or target.read_text().startswith(MANAGED_MARKER):
        content = f"{MANAGED_MARKER}{source.name}\n{source.read_text()}"
        if not target.exists() or target.read_text() != content:
            temporary = target.with_suffix(".tmp")
            temporary.write_text(content)
            shutil.move(temporary, target)
    return home
