from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sec_analyzer.cli import cli

AAPL_2024 = Path("10-K/AAPL/0000320193-24-000123/primary-document.html")

WITHOUT_ITEM_1A = """<html><body>
<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-K</p>
<p><b>Item 1. Business</b></p><p>We make widgets and sell them to many customers around the world every year.</p>
<p><b>Item 2. Properties</b></p><p>We lease an office building in a large city where our staff works.</p>
</body></html>"""


def test_json_lists_every_risk_with_offsets_category_and_features(corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["segment", str(corpus_dir / AAPL_2024), "--format", "json"])
    assert result.exit_code == 0, result.output
    risks = json.loads(result.output)
    assert len(risks) == 28
    assert [risk["ordinal"] for risk in risks] == list(range(1, 29))
    last = risks[-1]
    assert last["heading"] == "The price of the Company's stock is subject to volatility."
    assert last["category"] == "General Risks" and last["is_general_risk"] is True
    assert last["start_offset"] < last["end_offset"]
    assert last["text"] and last["features"]["word_count"] > 0
    assert 0 <= last["features"]["lm_negative"] <= 1


def test_text_format_shows_category_and_heading_then_the_body(corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["segment", str(corpus_dir / AAPL_2024)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "=== 1. Macroeconomic and Industry Risks | The Company's operations and performance depend significantly"
    )
    assert result.output.count("\n=== ") == 27


def test_a_10k_without_item_1a_prints_the_absence_reason_and_exits_non_zero(tmp_path: Path) -> None:
    filing = tmp_path / "no-risk-factors.html"
    filing.write_text(WITHOUT_ITEM_1A, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-c", "from sec_analyzer.cli import main; main()", "segment", str(filing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.startswith("error: Item 1A is absent (not_found)")
    assert completed.stderr.count("\n") == 1
