"""A publishing process killed inside its transaction leaves the previous complete filing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine

from sec_analyzer.storage.results_repo import ResultsRepository
from sec_analyzer_tests.conftest import REPO_ROOT
from sec_analyzer_tests.storage import samples
from sec_analyzer_tests.storage.publish_worker import REVISED_RISK_FACTOR_COUNT


def wait_for(marker: Path, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            _, stderr = process.communicate()
            raise AssertionError(f"the publishing process exited early:\n{stderr.decode()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the publishing process never reached its commit")
        time.sleep(0.05)


def test_sigkill_before_commit_keeps_the_previous_state(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(5))
    before = (repository.filing(samples.ACCESSION), repository.risk_factors(), repository.counts())
    engine.dispose()  # SQLite: no connection of ours holds the file while the other process writes

    marker = tmp_path / "about-to-commit"
    process = subprocess.Popen(
        [sys.executable, "-m", "sec_analyzer_tests.storage.publish_worker", database_url, str(marker)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for(marker, process)
    assert marker.read_text() == str(REVISED_RISK_FACTOR_COUNT)  # killed with its rows written
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL

    after = (repository.filing(samples.ACCESSION), repository.risk_factors(), repository.counts())
    assert after == before
    # The database is usable afterwards, and the same publish then goes through.
    repository.publish_filing(
        samples.filing(), samples.items()[:1], samples.risk_factors(REVISED_RISK_FACTOR_COUNT)
    )
    assert len(repository.risk_factors()) == REVISED_RISK_FACTOR_COUNT
