"""`sec-analyzer serve` as a user runs it: the configured database, every endpoint answering, and
a database it cannot use refused in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from sec_analyzer_tests.servers import free_port, wait_for_port
from sec_analyzer_tests.visualization.conftest import ResultsData

BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parents[2]


def environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SEC_ANALYZER_", "MONGODB_"))}
    return env | values


def test_serve_answers_every_endpoint_of_the_configured_database(results_data: ResultsData, tmp_path: Path) -> None:
    port = free_port()
    env = environment(SEC_ANALYZER_DATABASE_URL=results_data.url, SEC_ANALYZER_DATA_DIR=str(tmp_path),
                      SEC_ANALYZER_REGISTRY_DIR=str(results_data.registry_root))
    server = subprocess.Popen([str(BIN / "sec-analyzer"), "serve", "--port", str(port)], env=env, cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_port(port, timeout=60, process=server)
        base = f"http://127.0.0.1:{port}"
        for path in ("/api/health", "/api/companies", "/api/companies/KO", "/api/companies/KO/filings",
                     "/api/companies/KO/categories", "/api/filings/KO/2024/risks", "/api/filings/KO/2024/changes",
                     "/api/filings/KO/2024/risks/1/similar", "/api/categories", "/api/drift", "/api/models",
                     "/openapi.json", "/", "/companies/KO", "/companies/KO/2024/changes", "/compare",
                     "/similar?risk=KO-2024-1", "/drift", "/models", "/docs", "/static/dashboard.css"):
            response = requests.get(base + path, timeout=60)
            assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
        assert requests.get(f"{base}/api/models", timeout=10).json()["champion"]["key"] == "minilm_logreg/v1"
        bad = requests.get(f"{base}/api/filings/KO/1900/risks", timeout=10)
        assert bad.status_code == 422 and "year" in bad.json()["error"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_serve_refuses_a_database_it_cannot_use_in_one_line(tmp_path: Path) -> None:
    outdated = tmp_path / "outdated.db"
    import sqlite3

    with sqlite3.connect(outdated) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    result = subprocess.run([str(BIN / "sec-analyzer"), "serve", "--port", str(free_port())],
                            env=environment(SEC_ANALYZER_DATABASE_URL=f"sqlite:///{outdated}"), cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: results database") and "Traceback" not in result.stderr


def test_serve_says_when_the_port_is_taken(results_data: ResultsData) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(BIN / "sec-analyzer"), "serve", "--port", str(port)],
                                env=environment(SEC_ANALYZER_DATABASE_URL=results_data.url), cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use (choose another --port)"]
