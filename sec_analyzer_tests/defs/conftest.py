"""A real platform for Dagster-layer tests: a local EDGAR over the shared corpus, a Dagster
instance in a temporary DAGSTER_HOME, stage artifacts and a results database in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer.defs.instance import prepare_dagster_home
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer.settings import get_settings

USER_AGENT = "sec-analyzer tests tests@sec-analyzer.invalid"


@pytest.fixture
def mirror(corpus_dir: Path) -> Iterator[EdgarMirror]:
    with EdgarMirror(corpus_dir) as server:
        yield server


@pytest.fixture
def platform_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: EdgarMirror) -> Iterator[Path]:
    """Environment of a fresh installation pointed at the local EDGAR; yields the data dir."""
    from sec_analyzer.storage.schema import upgrade_to_head

    data_dir = tmp_path / "data"
    database_url = f"sqlite:///{tmp_path / 'results.db'}"
    for name, value in {
        "SEC_ANALYZER_DATA_DIR": str(data_dir),
        "SEC_ANALYZER_DATABASE_URL": database_url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "EDGAR_USER_AGENT": USER_AGENT,
        "EDGAR_RATE_LIMIT_PAUSE_SECONDS": "1",
        "EDGAR_MAX_RETRIES": "2",
        **mirror.environment(),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.delenv("DAGSTER_POSTGRES_URL", raising=False)
    get_settings.cache_clear()
    prepare_dagster_home()
    upgrade_to_head(database_url)
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture
def instance(platform_env: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.get() as dagster_instance:
        yield dagster_instance
