"""One results database for the whole session (SQLite file), the app over it, and a real server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sec_analyzer.visualization.app import create_app
from sec_analyzer_tests.servers import free_port, wait_for_port
from sec_analyzer_tests.visualization.results_data import fill_registry, fill_results_database


@dataclass(frozen=True)
class ResultsData:
    url: str
    registry_root: Path
    index_dir: Path


@pytest.fixture(scope="session")
def results_data(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> ResultsData:
    root = tmp_path_factory.mktemp("visualization")
    url = f"sqlite:///{root / 'results.db'}"
    fill_results_database(url, corpus_dir)
    fill_registry(root / "registry", root / "training")
    return ResultsData(url, root / "registry", root / "similarity-index")


def make_app(data: ResultsData) -> FastAPI:
    return create_app(data.url, registry_root=data.registry_root, index_dir=data.index_dir)


@pytest.fixture
def client(results_data: ResultsData) -> TestClient:
    return TestClient(make_app(results_data))


@pytest.fixture(scope="module")
def server_url(results_data: ResultsData) -> Iterator[str]:
    """The app behind a real uvicorn server on a free port, in a thread of this process (which
    shares the loaded embedder with the fixtures)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(results_data), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
