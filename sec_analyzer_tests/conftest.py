"""Fixtures shared by every test area: the shared corpus, and real database/S3/MongoDB servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_analyzer_tests import servers

REPO_ROOT = Path(__file__).resolve().parents[1]
# Settings a developer's shell or CI may export; no test may see them unless it sets them itself.
PROJECT_VARIABLES = ("EDGAR_", "SEC_ANALYZER_", "MONGODB_URI", "DAGSTER_POSTGRES_URL", "DAGSTER_HOME")


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from sec_analyzer.settings import get_settings

    for name in list(os.environ):
        if name.startswith(PROJECT_VARIABLES) and name != "SEC_ANALYZER_SHARED_DIR":
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _shared_dir() -> Path:
    return Path(os.environ.get("SEC_ANALYZER_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = _shared_dir()
    if not (path / "corpus").is_dir():
        pytest.fail(
            f"the shared test material is missing: {path} has no corpus/ "
            "(set SEC_ANALYZER_SHARED_DIR to the folder holding corpus/ and edgar-samples/)"
        )
    return path


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def edgar_samples_dir(shared_dir: Path) -> Path:
    return shared_dir / "edgar-samples"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    with servers.postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy URL, psycopg 3 driver)."""
    with servers.postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint_url() -> Iterator[str]:
    with servers.moto_s3_server() as url:
        yield url


@pytest.fixture(scope="session")
def mongodb_uri() -> Iterator[str]:
    with servers.mongodb_server() as uri:
        yield uri
