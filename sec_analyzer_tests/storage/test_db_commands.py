"""`sec-analyzer db upgrade|current` and the alembic command line, run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sec_analyzer.storage.schema import head_revision
from sec_analyzer_tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent


def run(*command: str, database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SEC_ANALYZER_DATABASE_URL": database_url}
    return subprocess.run(
        command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def sec_analyzer(*arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return run(str(BIN / "sec-analyzer"), "db", *arguments, database_url=database_url)


def test_upgrade_then_current_through_the_cli(database_url: str) -> None:
    head = head_revision()

    before = sec_analyzer("current", database_url=database_url)
    assert before.returncode == 0, before.stderr
    assert "no revision (empty)" in before.stdout
    assert "run `sec-analyzer db upgrade`" in before.stdout

    first = sec_analyzer("upgrade", database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from an empty database to {head}" in first.stdout

    again = sec_analyzer("upgrade", database_url=database_url)
    assert f"already at {head}" in again.stdout

    after = sec_analyzer("current", database_url=database_url)
    assert f"at {head}; code needs {head}" in after.stdout
    assert "up to date" in after.stdout


def test_alembic_reads_the_url_from_the_settings_and_finds_the_models_in_sync(database_url: str) -> None:
    upgraded = run(str(BIN / "alembic"), "upgrade", "head", database_url=database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run(str(BIN / "alembic"), "current", database_url=database_url)
    assert head_revision() in current.stdout
    # What `make db-migration` would generate right now: nothing.
    check = run(str(BIN / "alembic"), "check", database_url=database_url)
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_an_unreachable_database_is_one_clear_line_without_the_password(free_url: str) -> None:
    result = sec_analyzer("current", database_url=free_url)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: cannot open the results database postgresql+psycopg://analyst:***@"
    )
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr
