# The code-location image: the sec_analyzer package and its locked dependencies. The same image
# runs the webserver, the daemon and the user-code gRPC server (see docker-compose.yml).
# Not exercised by CI (no Docker engine there); kept simple enough to be checked by reading.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=0 \
    PYTHONUNBUFFERED=1 \
    DAGSTER_HOME=/opt/dagster/home \
    SEC_ANALYZER_DATA_DIR=/opt/dagster/data \
    UV_COMPILE_BYTECODE=1

WORKDIR /opt/sec-analyzer
RUN pip install --no-cache-dir uv

# Dependencies first, so code changes do not reinstall them. torch is the CPU build: pass
# --build-arg TORCH_FIND_LINKS=https://download.pytorch.org/whl/cpu/torch/ (or a local wheel folder).
ARG TORCH_FIND_LINKS=https://download.pytorch.org/whl/cpu/torch/
COPY requirements.lock ./
RUN uv pip sync --system --compile-bytecode --find-links "${TORCH_FIND_LINKS}" requirements.lock

COPY pyproject.toml README.md alembic.ini workspace.yaml dagster.yaml dagster.postgres.yaml ./
COPY alembic ./alembic
COPY configs ./configs
COPY sec_analyzer ./sec_analyzer
RUN uv pip install --system --no-deps -e . && mkdir -p "$DAGSTER_HOME" "$SEC_ANALYZER_DATA_DIR"
# The K8s run launcher (deploy/values.yaml), pinned to the locked Dagster release by the `k8s` extra.
RUN uv pip install --system --compile-bytecode ".[k8s]"

EXPOSE 4000
# The user-code server; compose overrides the command for the webserver and the daemon.
CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "4000", "-m", "sec_analyzer.definitions", "-a", "defs"]
