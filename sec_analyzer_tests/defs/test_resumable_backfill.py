"""A backfill stopped by Ctrl-C, then one killed outright, each started again with the same
arguments: the filings finished before are neither downloaded nor processed again, and every
filing ends up published."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import PIPELINE, RAW_FILING
from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.defs.test_cli import CLI, fresh_env, run_cli

KEYS = ["AAPL-2024", "AMZN-2024", "NVDA-2024"]
COMMAND = [CLI, "backfill", "--tickers", "AAPL,AMZN,NVDA", "--years", "2024", "--batch-size", "1"]
PHASE_TIMEOUT = 900


class Backfill:
    """The CLI in a subprocess whose stdout lines are read as they come."""

    def __init__(self, env: dict[str, str], cwd: Path, *extra: str) -> None:
        self.process = subprocess.Popen([*COMMAND, *extra], env=env, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, wanted: Callable[[str], bool]) -> None:
        while True:
            line = self.lines.get(timeout=PHASE_TIMEOUT)
            assert line is not None, f"the backfill ended before the awaited line: {self.stdout}"
            self.stdout.append(line)
            if wanted(line):
                return

    def finish(self) -> tuple[int, str]:
        """Wait for the end; returns the exit code and stderr (stdout is in `self.stdout`)."""
        while (line := self.lines.get(timeout=PHASE_TIMEOUT)) is not None:
            self.stdout.append(line)
        assert self.process.stderr is not None
        stderr = self.process.stderr.read()
        return self.process.wait(timeout=PHASE_TIMEOUT), stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def summary_times(data_dir: Path, key: str) -> dict[str, int]:
    """When each stage last wrote the filing's summary (nanoseconds)."""
    store = ArtifactStore(data_dir / "artifacts")
    return {contract.name: store.path(contract.name, key, "json").stat().st_mtime_ns for contract in PIPELINE}


def document_downloads(mirror: EdgarMirror, data_dir: Path, key: str) -> int:
    url = RAW_FILING.read_summary(ArtifactStore(data_dir / "artifacts"), key).url
    assert url, f"{key} has no document URL"
    return sum(1 for request in mirror.requests if request.path == urlparse(url).path)


def test_interrupted_and_killed_backfills_finish_without_redoing_work(tmp_path: Path, corpus_dir: Path) -> None:
    data_dir = tmp_path / "data"
    with EdgarMirror(corpus_dir) as mirror:
        env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                        **mirror.environment())
        assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        backfills: list[Backfill] = []
        try:
            # Ctrl-C once the first filing's run is done: a clean stop, one line, exit code 130.
            first = Backfill(env, tmp_path)
            backfills.append(first)
            first.wait_for(lambda line: line.startswith("run 2:"))
            first.process.send_signal(signal.SIGINT)
            code, stderr = first.finish()
            assert code == 130, stderr
            assert stderr.splitlines()[-1].startswith("interrupted: 1 of 3 filing(s) finished"), stderr
            assert "Traceback" not in stderr
            aapl_written = summary_times(data_dir, "AAPL-2024")

            # Killed outright in the third filing's run, while its raw_filing step holds the
            # `edgar` pool's only slot: the next backfill must free it or wait forever.
            second = Backfill(env, tmp_path)
            backfills.append(second)
            second.wait_for(lambda line: line.startswith("already finished, skipped") and "AAPL-2024" in line)
            second.wait_for(lambda line: line.startswith("run 2: NVDA-2024"))
            second.wait_for(lambda line: "▸ raw_filing" in line)
            second.process.send_signal(signal.SIGKILL)
            assert second.finish()[0] == -signal.SIGKILL
            amzn_written = summary_times(data_dir, "AMZN-2024")

            third = Backfill(env, tmp_path, "--format", "json")
            backfills.append(third)
            code, stderr = third.finish()
        finally:
            for backfill in backfills:
                backfill.kill()

        assert code == 0, stderr
        report = json.loads("\n".join(third.stdout))
        assert report["skipped_as_finished"] == ["AAPL-2024", "AMZN-2024"]
        assert [filing["outcome"] for filing in report["filings"]] == ["published"] * 3
        # Finished filings were not processed again: no stage rewrote their summaries ...
        assert summary_times(data_dir, "AAPL-2024") == aapl_written
        assert summary_times(data_dir, "AMZN-2024") == amzn_written
        # ... nor downloaded their document again: every document was fetched once in all.
        assert {key: document_downloads(mirror, data_dir, key) for key in KEYS} == dict.fromkeys(KEYS, 1)

    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        succeeded = [run.tags["dagster/partition"]
                     for run in instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))]
        (killed,) = instance.get_runs(dg.RunsFilter(tags={"sec_analyzer/pid": str(second.process.pid)},
                                                     statuses=[dg.DagsterRunStatus.FAILURE]))
        assert instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])) == []
    assert sorted(succeeded) == KEYS  # one successful run per filing, none repeated
    assert killed.tags["dagster/partition"] == "NVDA-2024"  # the killed process's run, released as failed
