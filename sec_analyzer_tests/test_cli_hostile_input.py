"""Hostile input at the real command line: one `error: …` line on stderr, a non-zero exit, no traceback.

None of the hostile files holds a usable Item 1A, so each must be refused rather than answered.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from sec_analyzer import cli

CLI = str(Path(sys.executable).with_name("sec-analyzer"))
NESTING = 100_000

HOSTILE_FILES: dict[str, bytes] = {
    "empty": b"",
    "binary": bytes(range(256)) * 64,
    "10-Q": (
        b"<html><body><p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-Q</p>"
        b"<p>QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d)</p><p><b>Item 1A. Risk Factors</b></p>"
        b"<p>Our quarterly results may fluctuate.</p></body></html>"
    ),
    "malformed UTF-8": (
        b"<html><body><p>FORM 10-K</p><p>ANNUAL REPORT \xff\xfe\xc3\x28</p><p><b>Item 1A. Risk \x80Factors</b></p>"
        b"<p>We may lose \xed\xa0\x80money.</p><p><b>Item 1B. Unresolved Staff Comments</b></p></body></html>"
    ),
    "deeply nested": (
        b"<html><body><p>FORM 10-K</p>" + b"<div><span>" * NESTING + b"<p>Item 1A. Risk Factors</p>"
        + b"</span></div>" * NESTING + b"</body></html>"
    ),
    "unclosed tags": b"<html><body><p>FORM 10-K<p><b>Item 1A. Risk Factors<p><i>We may lose<div><table><tr><td",
}


def run_cli(*args: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAGSTER_HOME": str(cwd / "dagster_home"), "SEC_ANALYZER_DATA_DIR": str(cwd / "data"),
           **variables}
    return subprocess.run([CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stdout[:500]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("command", ["extract", "segment"])
@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_one_error_line(tmp_path: Path, command: str, kind: str) -> None:
    path = tmp_path / "filing.html"
    path.write_bytes(HOSTILE_FILES[kind])
    assert_one_error_line(run_cli(command, str(path), cwd=tmp_path))


@pytest.mark.parametrize("command", ["extract", "segment"])
@pytest.mark.parametrize("target", ["missing.html", "a-folder"])
def test_a_missing_file_or_a_folder_is_one_usage_line(tmp_path: Path, command: str, target: str) -> None:
    (tmp_path / "a-folder").mkdir()
    result = run_cli(command, target, cwd=tmp_path)
    assert_one_error_line(result)
    assert result.returncode == 2
    assert f"sec-analyzer {command} --help" in result.stderr


def test_a_database_url_with_a_port_that_is_not_a_number_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = run_cli("db", "current", cwd=tmp_path,
                     SEC_ANALYZER_DATABASE_URL="postgresql+psycopg://analyst:s3cret-pw@db.internal:abc/results")
    assert_one_error_line(result)
    assert "not a valid SQLAlchemy URL" in result.stderr
    assert "s3cret-pw" not in result.stderr


@click.command()
def divide_by_zero() -> None:
    """A command with a bug in it."""
    print(1 / 0)


@pytest.fixture
def buggy_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.COMMANDS, "divide-by-zero", (__name__, "divide_by_zero", "A command with a bug."))
    monkeypatch.setattr(sys, "argv", ["sec-analyzer", "divide-by-zero"])


@pytest.mark.usefixtures("buggy_command")
def test_a_bug_is_one_line_naming_the_exception_and_how_to_see_the_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    stderr = capsys.readouterr().err
    assert stderr == (
        "error: unexpected ZeroDivisionError: division by zero "
        "(re-run with SEC_ANALYZER_DEBUG=1 for the traceback)\n"
    )


@pytest.mark.usefixtures("buggy_command")
def test_with_the_debug_variable_a_bug_raises_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(ZeroDivisionError):
        cli.main()


def test_an_error_echoing_huge_input_stays_one_short_line(tmp_path: Path) -> None:
    result = run_cli("extract", "x" * 100_000 + ".html", cwd=tmp_path)
    assert_one_error_line(result)
    assert len(result.stderr) <= cli.MAX_ERROR_LINE + 1
