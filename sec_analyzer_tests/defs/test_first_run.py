"""A fresh installation: `sec-analyzer backfill` on a new SQLite results database works with no
other step (no `db upgrade`, no Makefile)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.schema import current_revision, head_revision

CLI = str(Path(sys.executable).with_name("sec-analyzer"))


def test_backfill_on_a_new_sqlite_file_creates_the_schema_and_publishes(tmp_path: Path, corpus_dir: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'new-folder' / 'results.db'}"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EDGAR_", "SEC_ANALYZER_", "DAGSTER_", "MONGODB_"))}
    env.update(
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        SEC_ANALYZER_DATA_DIR=str(tmp_path / "data"),
        SEC_ANALYZER_DATABASE_URL=database_url,
        EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
        EDGAR_MIRROR_DIR=str(corpus_dir),
    )

    result = subprocess.run([CLI, "backfill", "--tickers", "KO", "--years", "2024"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=900)

    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stdout.splitlines() if line.startswith("KO-2024")]
    assert summary and "published" in summary[0], result.stdout
    engine = create_db_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
