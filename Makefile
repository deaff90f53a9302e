# sec-analyzer developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# torch is pinned to its CPU build (2.13.0+cpu); it is found through PIP_FIND_LINKS, never on the CUDA index.
FIND_LINKS := $(if $(PIP_FIND_LINKS),--find-links "$(PIP_FIND_LINKS)",)
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: help setup run test dev lint check validate db-upgrade db-migration lock benchmark train evaluate clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv with every dependency from requirements.lock (idempotent)

$(STAMP): requirements.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(BIN)/python || $(UV) venv --quiet -p $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python $(FIND_LINKS) requirements.lock
	$(UV) pip install --quiet --no-deps --compile-bytecode --python $(BIN)/python -e .
	@if $(UV) pip list --python $(BIN)/python | grep -qi nvidia; then echo "CUDA packages installed: wrong torch" >&2; exit 1; fi
	@touch $(STAMP)

lock:  ## re-resolve requirements.lock after changing pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev --prerelease=if-necessary-or-explicit --python-version 3.11 $(FIND_LINKS) -o requirements.lock

run: setup db-upgrade  ## run the main job on the configured filings (EDGAR_MIRROR_DIR=DIR to work offline)
	$(BIN)/sec-analyzer run

test: setup  ## run the test suite
	$(BIN)/pytest

dev: setup db-upgrade  ## Dagster UI + daemon on http://127.0.0.1:3000
	$(BIN)/sec-analyzer dagster-home >/dev/null
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

lint: setup  ## ruff, mypy, import layers (import-linter), declared dependencies (deptry), bandit
	$(BIN)/ruff check sec_analyzer sec_analyzer_tests benchmarks finetuning alembic
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/deptry .
	$(BIN)/bandit -q -c pyproject.toml -r sec_analyzer -ll

check: lint validate  ## everything CI runs before the tests (also the pre-commit hooks)
	$(BIN)/sec-analyzer docs check

validate: setup  ## load the code location the way dagster does
	$(BIN)/sec-analyzer dagster-home >/dev/null
	$(BIN)/dagster definitions validate -w workspace.yaml

db-upgrade: setup  ## bring the results database to the newest schema
	$(BIN)/sec-analyzer db upgrade

db-migration: setup  ## new alembic revision from the models: make db-migration M="add column x"
	@test -n "$(M)" || { echo 'usage: make db-migration M="what changed"' >&2; exit 2; }
	$(BIN)/alembic revision --autogenerate -m "$(M)"

benchmark: setup  ## every benchmark, each beside its baseline measured in the same run (writes benchmarks/results/)
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/parser.py
	$(BIN)/python benchmarks/segmentation.py
	$(BIN)/python benchmarks/quality_suites.py
	$(BIN)/python benchmarks/storage_publish.py
	$(BIN)/python benchmarks/embedding.py
	$(BIN)/python benchmarks/similarity.py
	$(BIN)/python benchmarks/changes.py
	$(BIN)/python benchmarks/sensor_requests.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/pipeline.py

train: setup  ## model tournament on the committed labels: train, register candidates, promote by the gate (benchmarks/results/classification.md)
	$(BIN)/python -m finetuning.tournament

evaluate: setup  ## the served champion vs the zero-shot classifier on the gold split (benchmarks/results/classification_evaluation.md)
	$(BIN)/python -m finetuning.evaluate

clean:  ## remove the local Dagster instance, stage artifacts, the embedded database and caches
	rm -rf .dagster_home data/artifacts data/raw data/results.db* .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv*' -exec rm -rf {} +

distclean: clean  ## clean, and remove the virtual environments
	rm -rf $(VENV) .venv-bench
