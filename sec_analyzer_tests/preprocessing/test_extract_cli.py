"""`sec-analyzer extract` through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONSOLE_SCRIPT = Path(sys.executable).parent / "sec-analyzer"
AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"
SMALL_10K = (
    "<html><body><p>FORM 10-K</p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
    "<p><b>Item 1. Business</b></p><p>We make anvils.</p>"
    "<p><b>Item 1A. Risk Factors</b></p><p>Our suppliers may fail us.</p>"
    "<p><b>Item 6. [Reserved]</b></p>"
    "<p><b>Item 7. Management’s Discussion and Analysis</b></p><p>Revenue grew.</p>"
    "</body></html>"
)


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert CONSOLE_SCRIPT.exists(), f"console script missing: {CONSOLE_SCRIPT} (pip install -e .)"
    return subprocess.run([str(CONSOLE_SCRIPT), "extract", *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def small_10k(tmp_path: Path) -> Path:
    path = tmp_path / "small-10k.html"
    path.write_text(SMALL_10K, encoding="utf-8")
    return path


def test_item_1a_as_text_from_a_real_filing(corpus_dir: Path) -> None:
    result = run_cli(corpus_dir / AAPL_2024, "--items", "1A", "--format", "text")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Item 1A. Risk Factors\nThe Company’s business")
    assert "Item 1B" not in result.stdout
    assert len(result.stdout) > 60_000


def test_all_items_as_json_with_typed_absences(small_10k: Path) -> None:
    result = run_cli(small_10k, "--items", "all", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["1A"] == "Item 1A. Risk Factors\nOur suppliers may fail us."
    assert payload["6"] == "Item 6. [Reserved]", "a reserved item keeps its own wording"
    assert payload["3"] is None
    assert payload["_absent"]["6"]["reason"] == "reserved"
    assert payload["_absent"]["3"]["reason"] == "not_found"
    assert "1A" not in payload["_absent"]
    assert payload["_located_by"]["1A"] == "item_heading"
    assert "3" not in payload["_located_by"]
    assert len(payload) == 23 + 2


def test_a_list_of_items_as_text_has_headers(small_10k: Path) -> None:
    result = run_cli(small_10k, "--items", "1,item 7,6")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n\n") == [
        "=== Item 1. Business ===\nItem 1. Business\nWe make anvils.",
        "=== Item 7. Management’s Discussion and Analysis ===\nItem 7. Management’s Discussion and Analysis\n"
        "Revenue grew.",
        "=== Item 6: absent (reserved) ===\n",
    ]


@pytest.mark.parametrize(("item_id", "reason"), [("3", "not_found"), ("6", "reserved")])
def test_an_absent_single_item_is_a_one_line_error(small_10k: Path, item_id: str, reason: str) -> None:
    result = run_cli(small_10k, "--items", item_id)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: Item {item_id} is absent from {small_10k} ({reason})")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "error: the document is empty"),
        (b"\x00\x01\x02\xff" * 500, "error: the input is binary data"),
        (
            b"<p>FORM 10-Q</p><p>QUARTERLY REPORT PURSUANT TO SECTION 13</p><p><b>Item 1A. Risk Factors</b></p>",
            "is a Form 10-Q, not a 10-K",
        ),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.html"
    path.write_bytes(content)
    result = run_cli(path, "--format", "json")
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("items", "message"), [("1D", "unknown 10-K item '1D'"), (" , ", "name at least one item")])
def test_a_bad_item_list_is_a_usage_error(small_10k: Path, items: str, message: str) -> None:
    result = run_cli(small_10k, "--items", items)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "nope.html")
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_extract_does_not_load_heavy_libraries() -> None:
    probe = (
        "import sys; from sec_analyzer.cli import cli; cli.get_command(None, 'extract'); "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'dagster', 'torch', 'great_expectations', 'bs4') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
