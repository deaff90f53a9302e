"""`sec-analyzer backfill` and `sec-analyzer run` as a user runs them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from sec_analyzer.edgar_mirror.server import EdgarMirror
from sec_analyzer_tests.acquisition.fiscal_year_filers import AT_YEAR, FILERS, publish_filers

CLI = str(Path(sys.executable).with_name("sec-analyzer"))


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)


def fresh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EDGAR_", "SEC_ANALYZER_", "DAGSTER_", "MONGODB_"))}
    env.update(DAGSTER_HOME=str(tmp_path / "dagster_home"), SEC_ANALYZER_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def test_backfill_reports_unknown_tickers_and_publishes_the_rest(tmp_path: Path, corpus_dir: Path) -> None:
    env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                    EDGAR_MIRROR_DIR=str(corpus_dir))
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0

    result = run_cli("backfill", "--tickers", "NVDA,ZZZZNOPE", "--years", "2024", env=env, cwd=tmp_path)

    assert result.returncode == 1, result.stderr  # not everything requested exists
    assert "ZZZZNOPE" in result.stderr and "Traceback" not in result.stderr
    assert "raw_filing" in result.stdout  # the progress display names each stage
    summary = [line for line in result.stdout.splitlines() if line.startswith("NVDA-2024")]
    assert summary and "published" in summary[0]
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        assert instance.get_dynamic_partitions("filings") == ["NVDA-2024"]
        assert len(instance.get_run_records()) == 1


def test_without_edgar_or_mirror_run_fails_with_one_line(tmp_path: Path) -> None:
    env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                    EDGAR_BASE_URL="http://127.0.0.1:9")
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "EDGAR_MIRROR_DIR" in result.stderr


def test_missing_user_agent_is_refused_with_one_line(tmp_path: Path, corpus_dir: Path) -> None:
    env = fresh_env(tmp_path, EDGAR_MIRROR_DIR=str(corpus_dir))
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = run_cli("backfill", "--tickers", "AAPL", "--years", "2024", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "EDGAR_USER_AGENT" in result.stderr and "Traceback" not in result.stderr


def test_unknown_asset_names_are_refused_before_anything_runs(tmp_path: Path) -> None:
    result = run_cli("backfill", "--tickers", "AAPL", "--years", "2024", "--assets", "raw_filing,raw_filings",
                     env=fresh_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2  # a usage error
    assert result.stderr.startswith("error: --assets: no pipeline asset named raw_filings")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "dagster_home").exists()


def test_backfill_finds_each_fiscal_year_by_its_cover(tmp_path: Path) -> None:
    """Start-year and end-year filers, a Jan 1-7 year end without XBRL and a 10-KT, each asked for
    the year before, at and after: only the year each report's cover gives is fetched and parsed,
    and the parsed cover agrees with the partition's year (one rule on both sides)."""
    with EdgarMirror(None) as mirror:
        documents = publish_filers(mirror)
        env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                        EDGAR_BASE_URL=mirror.base_url, EDGAR_DATA_URL=mirror.base_url)
        assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        tickers = ",".join(filer.ticker for filer in FILERS)
        years = f"{AT_YEAR - 1}-{AT_YEAR + 1}"

        result = run_cli("backfill", "--tickers", tickers, "--years", years, "--assets", "raw_filing,parsed_filing",
                         env=env, cwd=tmp_path)

        opened = sorted(request.path for request in mirror.requests if request.path.startswith("/Archives/"))
    assert "Traceback" not in result.stderr, result.stderr
    expected_keys = [f"{filer.ticker}-{AT_YEAR}" for filer in FILERS]
    assert f"materializing 4 filing(s): {', '.join(expected_keys)}" in result.stdout
    for filer in FILERS:
        for year in (AT_YEAR - 1, AT_YEAR + 1):
            assert f"not found: {filer.ticker} {year}: {filer.ticker} has no 10-K for fiscal year {year}" in result.stderr
    assert opened == sorted(documents.values())
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        assert sorted(instance.get_dynamic_partitions("filings")) == sorted(expected_keys)
    for key in expected_keys:
        parsed = json.loads((tmp_path / "data" / "artifacts" / "parsed_filing" / f"{key}.json").read_text())
        assert parsed["document_fiscal_year"] == AT_YEAR, (key, parsed)


def test_hostile_years_and_tickers_get_one_line(tmp_path: Path) -> None:
    for args, named in [(("--tickers", "AAPL", "--years", "99999"), "fiscal year 99999 is beyond next year"),
                        (("--tickers", "A" * 100_000, "--years", "2024"), "100,000 characters")]:
        result = run_cli("backfill", *args, env=fresh_env(tmp_path), cwd=tmp_path)
        assert result.returncode == 2  # a usage error
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr[:300]
        assert named in result.stderr and len(result.stderr) < 300
    assert not (tmp_path / "dagster_home").exists()


def run_on_a_terminal(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """The CLI with stdout and stderr on a pseudo-terminal, as a person runs it; its exit code and all it wrote."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([CLI, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=terminal)
    os.close(terminal)
    written = bytearray()
    deadline = time.monotonic() + 900
    try:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([controller], [], [], 1.0)
            if not readable:
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closes when the process and its children have exited
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(controller)
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
    return process.wait(timeout=60), written.decode("utf-8", "replace")


def test_on_a_terminal_a_backfill_shows_one_bar_over_the_filings_it_finds(tmp_path: Path, corpus_dir: Path) -> None:
    env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                    EDGAR_MIRROR_DIR=str(corpus_dir))
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0

    code, written = run_on_a_terminal("backfill", "--tickers", "ZZZZNOPE,AAPL", "--years", "2024",
                                      "--assets", "raw_filing,parsed_filing", env=env, cwd=tmp_path)

    assert code == 1, written  # ZZZZNOPE does not exist
    assert "Traceback" not in written
    assert "not found: ZZZZNOPE" in written
    # Asked for two filings (4 stage steps), the bar shrinks to the one found once the lookups end.
    assert "backfill" in written and "2/2" in written and "/4" in written, written
    assert "▸ raw_filing" not in written  # the bar stands for the step lines
    assert "AAPL-2024" in written  # the summary table


def test_when_edgar_fails_midway_the_backfill_processes_what_it_found_and_says_why_it_stopped(
        tmp_path: Path, corpus_dir: Path) -> None:
    with EdgarMirror(corpus_dir) as mirror:
        env = fresh_env(tmp_path, EDGAR_USER_AGENT="sec-analyzer tests tests@sec-analyzer.invalid",
                        EDGAR_MAX_RETRIES="1", **mirror.environment())
        assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        mirror.inject_failure("/submissions/CIK0001045810.json", "unavailable", times=100)  # NVDA's filing list

        result = run_cli("backfill", "--tickers", "AAPL,NVDA", "--years", "2024", "--assets", "raw_filing",
                         "--format", "json", env=env, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: the lookups on EDGAR stopped, the filings found before ran")
    report = json.loads(result.stdout)
    assert [filing["filing"] for filing in report["filings"]] == ["AAPL-2024"]
    assert report["lookup_error"] and [run["status"] for run in report["runs"]] == ["SUCCESS"]
