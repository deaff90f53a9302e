"""Configuration a user gets wrong: every mistake is one readable line, never a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sec_analyzer.errors import ConfigurationError
from sec_analyzer.redaction import masked_url
from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine

CLI = str(Path(sys.executable).with_name("sec-analyzer"))


def run_cli(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "SEC_ANALYZER_DATA_DIR": str(tmp_path / "data"), **variables}
    return subprocess.run([CLI, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value", ["AAPL, brk-b,", '["AAPL", "brk-b"]'])
def test_watchlist_from_the_environment_as_commas_or_json(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SEC_ANALYZER_WATCHLIST", value)
    assert get_settings().watchlist == ["AAPL", "brk-b"]


def test_an_invalid_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGAR_REQUESTS_PER_SECOND", "50")
    with pytest.raises(ConfigurationError, match=r"EDGAR_REQUESTS_PER_SECOND: .*less than or equal to 10 \(got '50'\)"):
        get_settings()


def test_an_unsupported_database_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"does not support \(mysql\)"):
        create_db_engine("mysql://user@localhost/results")


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SEC_ANALYZER_WATCHLIST": "[AAPL"}, "SEC_ANALYZER_WATCHLIST"),
        ({"SEC_ANALYZER_RAW_STORE": "s4"}, "SEC_ANALYZER_RAW_STORE"),
        ({"SEC_ANALYZER_DATABASE_URL": "foo://nowhere"}, "SEC_ANALYZER_DATABASE_URL"),
    ],
)
def test_the_cli_reports_bad_configuration_in_one_line(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    result = run_cli(tmp_path, "db", "current", **variables)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert named in result.stderr


def test_database_url_and_mongodb_uri_are_secret_until_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEC_ANALYZER_DATABASE_URL", "postgresql+psycopg://analyst:db-s3cret@db.internal/results")
    monkeypatch.setenv("MONGODB_URI", "mongodb://indexer:mongo-s3cret@mongo.internal:27017/")
    settings = get_settings()
    shown = f"{settings!r} {settings} {settings.model_dump()} {settings.model_dump_json()}"
    assert "db-s3cret" not in shown and "mongo-s3cret" not in shown
    assert settings.resolved_database_url == "postgresql+psycopg://analyst:db-s3cret@db.internal/results"
    assert settings.resolved_mongodb_uri == "mongodb://indexer:mongo-s3cret@mongo.internal:27017/"


def test_without_mongodb_uri_the_filing_index_stays_in_the_results_database() -> None:
    assert get_settings().resolved_mongodb_uri is None


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql+psycopg://analyst:s3cret@db:5432/results", "postgresql+psycopg://analyst:***@db:5432/results"),
        ("postgresql://analyst:p@ss/w0rd@db/results", "postgresql://analyst:***@db/results"),
        ("mongodb://u:s3cret@h1:27017,h2:27017/?replicaSet=rs", "mongodb://u:***@h1:27017,h2:27017/?replicaSet=rs"),
        ("postgresql://db/results?user=analyst&password=s3cret", "postgresql://db/results?user=analyst&password=***"),
        ("cannot open postgresql://a:s3cret@db/x: refused", "cannot open postgresql://a:***@db/x: refused"),
        ("postgresql://analyst@db:5432/results", "postgresql://analyst@db:5432/results"),
        ("sqlite:////srv/data/results.db", "sqlite:////srv/data/results.db"),
    ],
)
def test_masked_url_hides_every_password_and_nothing_else(text: str, masked: str) -> None:
    assert masked_url(text) == masked


def test_a_bad_value_is_echoed_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGAR_REQUESTS_PER_SECOND", "9" * 10_000)
    with pytest.raises(ConfigurationError) as raised:
        get_settings()
    assert len(str(raised.value)) < 400
