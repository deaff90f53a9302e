"""`sec-analyzer edgar-mirror serve DIR` run as a real subprocess."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

SERVING_LINE = re.compile(
    r"^EDGAR mirror serving (\d+) filings of (\d+) companies at (http://127\.0\.0\.1:\d+)$"
)
USER_AGENT = "Sec Analyzer Tests tests@example.com"


def _command(*arguments: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from sec_analyzer.cli import main; main()",
        "edgar-mirror",
        "serve",
        *arguments,
    ]


@pytest.mark.timeout(120)
def test_serve_answers_and_exits_cleanly_on_sigterm(corpus_dir: Path, edgar_samples_dir: Path) -> None:
    process = subprocess.Popen(
        _command(
            str(corpus_dir),
            "--port",
            "0",
            "--samples",
            str(edgar_samples_dir),
            "--rate-limit-block-seconds",
            "1",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = SERVING_LINE.match(line)
        assert match, f"unexpected first line {line!r}"
        assert (int(match[1]), int(match[2])) == (29, 18)
        base_url = match[3]
        tickers = requests.get(base_url + "/files/company_tickers.json", headers={"User-Agent": USER_AGENT}, timeout=10)
        assert tickers.status_code == 200
        assert any(row["ticker"] == "GOOGL" for row in tickers.json().values())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.timeout(120)
def test_serve_stops_on_sigint(corpus_dir: Path) -> None:
    process = subprocess.Popen(_command(str(corpus_dir), "--port", "0"), stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert SERVING_LINE.match(process.stdout.readline().strip())
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("folder_state", ["missing", "empty"])
def test_serve_refuses_a_missing_or_empty_folder(tmp_path: Path, folder_state: str) -> None:
    folder = tmp_path / "filings"
    if folder_state == "empty":
        folder.mkdir()
    finished = subprocess.run(
        _command(str(folder), "--port", "0"), capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    error_lines = finished.stderr.strip().splitlines()
    assert len(error_lines) == 1
    assert error_lines[0].startswith("error:") and str(folder) in error_lines[0]
    assert finished.stdout == ""
