"""Configuration a user gets wrong: every mistake is one readable line, never a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sec_analyzer.errors import ConfigurationError
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
