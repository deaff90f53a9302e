"""Database passwords stay secret: a run configured with password-bearing PostgreSQL URLs (results
and Dagster's own storage) leaves them in no Dagster event, run config, CLI output or checks report.

The throwaway PostgreSQL cluster trusts local connections, so it accepts any password in the URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer_tests.servers import postgres_database

CLI = str(Path(sys.executable).with_name("sec-analyzer"))
RESULTS_PASSWORD = "Results-Pa55word-7f3a"
DAGSTER_PASSWORD = "Dagster-Pa55word-91c2"


def with_password(url: str, password: str) -> str:
    return url.replace("://postgres@", f"://postgres:{password}@", 1)


def leaked(text: str) -> list[str]:
    return [password for password in (RESULTS_PASSWORD, DAGSTER_PASSWORD) if password in text]


def test_no_password_in_event_log_run_config_cli_output_or_checks_report(
    tmp_path: Path, corpus_dir: Path, postgres_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_database(postgres_server_url) as results_url, postgres_database(postgres_server_url) as dagster_url:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("EDGAR_", "SEC_ANALYZER_", "DAGSTER_", "MONGODB_"))}
        env.update(
            DAGSTER_HOME=str(tmp_path / "dagster_home"),
            SEC_ANALYZER_DATA_DIR=str(tmp_path / "data"),
            SEC_ANALYZER_DATABASE_URL=with_password(results_url, RESULTS_PASSWORD),
            DAGSTER_POSTGRES_URL=with_password(dagster_url, DAGSTER_PASSWORD).replace(
                "postgresql+psycopg://", "postgresql://"
            ),
            EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
            EDGAR_MIRROR_DIR=str(corpus_dir),
        )

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([CLI, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)

        upgrade = cli("db", "upgrade")
        backfill = cli("backfill", "--tickers", "AAPL", "--years", "2024")
        report = cli("checks-report", "--latest", "--format", "markdown")

        monkeypatch.setenv("DAGSTER_POSTGRES_URL", env["DAGSTER_POSTGRES_URL"])
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            runs = instance.get_runs()
            # The run carries its config and tags; the events carry every log line and failure.
            recorded = {run.run_id: dg.serialize_value([run, *instance.all_logs(run.run_id)]) for run in runs}

        # Secrets first: a failed run, with its error events, must not leak either.
        for step in (upgrade, backfill, report):
            assert leaked(step.stdout + step.stderr) == [], step.args
        for run_id, events in recorded.items():
            assert leaked(events) == [], run_id
        assert runs, "the backfill recorded no run"
        for step in (upgrade, backfill, report):
            assert step.returncode == 0, step.stderr
        assert "postgres:***@" in upgrade.stdout  # the URL is shown, masked
        assert "AAPL-2024" in report.stdout
