"""The executor of every job, chosen by configuration.

`SEC_ANALYZER_EXECUTOR` picks it:

- `in_process` (the default): every step runs in the run's own process. A subprocess per step
  costs ~2 s of re-imports on a small machine, and every stage batches its filings inside one
  step, so the model is loaded once per run.
- `celery`: dagster-celery's executor; each step becomes a task on a broker and runs on whichever
  worker takes it, so one run spreads over several machines. The broker and result backend come
  from `SEC_ANALYZER_CELERY_BROKER_URL` and `SEC_ANALYZER_CELERY_BACKEND_URL` (bound as
  environment references, so neither URL nor its password shows in the UI or the run config);
  `SEC_ANALYZER_CELERY_QUEUE` (default `dagster`) names the queue the workers listen on.
  Workers start with `dagster-celery worker start -A dagster_celery.app -y deploy/celery-worker.yaml
  -q <queue>` (see docs/runbook.md).
"""

from __future__ import annotations

import os

import dagster as dg

from sec_analyzer.errors import ConfigurationError

EXECUTOR_VARIABLE = "SEC_ANALYZER_EXECUTOR"
BROKER_VARIABLE = "SEC_ANALYZER_CELERY_BROKER_URL"
BACKEND_VARIABLE = "SEC_ANALYZER_CELERY_BACKEND_URL"
QUEUE_VARIABLE = "SEC_ANALYZER_CELERY_QUEUE"
DEFAULT_QUEUE = "dagster"  # the queue dagster-celery's workers listen on unless told otherwise
IN_PROCESS, CELERY = "in_process", "celery"


def configured_executor() -> dg.ExecutorDefinition:
    """The executor `SEC_ANALYZER_EXECUTOR` names; a one-line error for an unknown name or a
    Celery executor without its broker and backend."""
    choice = os.environ.get(EXECUTOR_VARIABLE, IN_PROCESS).strip() or IN_PROCESS
    if choice == IN_PROCESS:
        return dg.in_process_executor
    if choice == CELERY:
        return _celery_executor()
    raise ConfigurationError(f"{EXECUTOR_VARIABLE}={choice[:40]!r}: choose {IN_PROCESS} or {CELERY}")


def celery_queue() -> str:
    return os.environ.get(QUEUE_VARIABLE, "").strip() or DEFAULT_QUEUE


def _celery_executor() -> dg.ExecutorDefinition:
    from dagster_celery import celery_executor

    missing = [name for name in (BROKER_VARIABLE, BACKEND_VARIABLE) if not os.environ.get(name)]
    if missing:
        raise ConfigurationError(
            f"{EXECUTOR_VARIABLE}={CELERY} needs {' and '.join(missing)} "
            f"(e.g. redis://127.0.0.1:6379/0 for both, or amqp://guest:guest@127.0.0.1:5672// with rpc://)"
        )
    return celery_executor.configured(
        {
            "broker": {"env": BROKER_VARIABLE},
            "backend": {"env": BACKEND_VARIABLE},
            # Steps go to the named queue; the workers of this deployment listen on it alone.
            "config_source": {"task_default_queue": celery_queue()},
        },
        name=CELERY,
    )
