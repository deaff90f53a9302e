"""Every storage test runs against both SQLite (a file in tmp_path) and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer_tests.servers import free_port


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty results database, never upgraded."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'results.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a results database upgraded to head."""
    upgrade_to_head(database_url)
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def free_url() -> str:
    """A PostgreSQL URL (with a password) on a port where nothing listens."""
    return f"postgres://analyst:s3cret@127.0.0.1:{free_port()}/results"
