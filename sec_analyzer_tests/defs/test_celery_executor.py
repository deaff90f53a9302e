"""The pipeline on the Celery executor: a real dagster-celery worker process on the machine's Redis
runs every step of a two-filing backfill that the CLI launches with SEC_ANALYZER_EXECUTOR=celery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest

from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.conftest import REPO_ROOT
from sec_analyzer_tests.defs.test_cli import fresh_env, run_cli

BROKER_URL = os.environ.get("SEC_ANALYZER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STAGES = "raw_filing,parsed_filing,item_1a"
BIN = Path(sys.executable).parent


def _redis_reachable() -> None:
    import redis

    try:
        redis.Redis.from_url(BROKER_URL, socket_timeout=5).ping()
    except redis.RedisError as error:
        pytest.fail(f"the Celery test needs Redis at {BROKER_URL} ({error}); start redis-server or set "
                    "SEC_ANALYZER_TEST_REDIS_URL")


def stop(worker: subprocess.Popen[bytes]) -> None:
    """End the worker and its pool: they share the process group it was started in."""
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)


def test_a_batch_of_partitions_runs_on_a_celery_worker(tmp_path: Path, corpus_dir: Path) -> None:
    import redis

    _redis_reachable()
    queue = f"sec-analyzer-test-{uuid.uuid4().hex[:8]}"  # this test's worker alone takes these steps
    with EdgarMirror(corpus_dir) as mirror:
        env = fresh_env(
            tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid", **mirror.environment(),
            SEC_ANALYZER_EXECUTOR="celery", SEC_ANALYZER_CELERY_BROKER_URL=BROKER_URL,
            SEC_ANALYZER_CELERY_BACKEND_URL=BROKER_URL, SEC_ANALYZER_CELERY_QUEUE=queue,
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        assert run_cli("dagster-home", env=env, cwd=tmp_path).returncode == 0
        worker_log = tmp_path / "worker.log"
        with worker_log.open("wb") as log:
            worker = subprocess.Popen(
                [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                 "-y", str(REPO_ROOT / "deploy" / "celery-worker.yaml"), "-q", queue, "--loglevel", "INFO",
                 "--", "--concurrency=1"],
                env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            result = run_cli("backfill", "--tickers", "AAPL,NVDA", "--years", "2024", "--assets", STAGES,
                             "--batch-size", "2", env=env, cwd=tmp_path)
        finally:
            stop(worker)
            redis.Redis.from_url(BROKER_URL).delete(queue)

    worker_output = worker_log.read_text(errors="replace")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- worker ---\n{worker_output[-3000:]}"
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/asset_partition_range_start"] == "AAPL-2024"
        assert run.tags["dagster/asset_partition_range_end"] == "NVDA-2024"
        engine_messages = [record.dagster_event.message or "" for record in instance.all_logs(run.run_id)
                           if record.dagster_event is not None]
    for stage in STAGES.split(","):
        assert any(f'Submitting celery task for step "{stage}" to queue "{queue}"' in message
                   for message in engine_messages), stage
    # The worker, not the CLI's process, executed the steps.
    assert worker_output.count("succeeded in") >= len(STAGES.split(","))
