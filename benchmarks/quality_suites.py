"""Quality-suite benchmark: the real pipeline's output on the shared corpus, through every suite.

Usage: .venv/bin/python benchmarks/quality_suites.py [--corpus ../shared/corpus]

For each corpus filing: parse → extract items → clean Item 1A → segment (the product's own
stages), then `evaluate_filing` on the result. Prints and writes
`benchmarks/results/quality_suites.md`:
- the one-off cost of importing Great Expectations and building its context;
- milliseconds per filing for all four groups (median of 3 runs) and the segment count;
- which expectations fail on real output, so thresholds can be checked against real filings.
The partition's fiscal year is taken from the document itself here, so the fiscal-year check
only proves the year was found.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import pandas as pd

from sec_analyzer.preprocessing.cleaner import clean_item
from sec_analyzer.preprocessing.cover import document_fiscal_info, document_form_type
from sec_analyzer.preprocessing.items import AbsentItem, extract_items
from sec_analyzer.preprocessing.parser import parse_file
from sec_analyzer.preprocessing.segmenter import item_1a_elements, segment_item
from sec_analyzer.quality.gx_runner import ExpectationSpec, validate_frame
from sec_analyzer.quality.model import FilingUnderTest
from sec_analyzer.quality.suites import evaluate_filing

ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = ROOT / "benchmarks" / "results" / "quality_suites.md"
REPEATS = 3


def filing_under_test(path: Path) -> FilingUnderTest:
    doc = parse_file(path)
    extraction = extract_items(doc)
    items = pd.DataFrame(
        [
            {
                "item_id": item_id,
                "status": "absent" if isinstance(item, AbsentItem) else "found",
                "char_count": 0 if isinstance(item, AbsentItem) else len(item.text),
                "absent_reason": str(item.reason) if isinstance(item, AbsentItem) else None,
            }
            for item_id, item in extraction.items.items()
        ]
    )
    fiscal_year = document_fiscal_info(doc).fiscal_year
    text: str | None = None
    segments = pd.DataFrame()
    if not isinstance(extraction.items["1A"], AbsentItem):
        cleaned = clean_item(item_1a_elements(doc))
        text = cleaned.text
        segmentation = segment_item(cleaned, with_features=False)
        segments = pd.DataFrame(
            [
                {
                    "ordinal": risk.ordinal,
                    "heading": risk.heading,
                    "category": risk.category,
                    "text": risk.text,
                    "start_offset": risk.start_offset,
                    "end_offset": risk.end_offset,
                    "is_general_risk": risk.is_general_risk,
                }
                for risk in segmentation.risk_factors
            ]
        )
    metadata = json.loads((path.parent / "metadata.json").read_text())
    ticker = metadata.get("ticker", path.parents[1].name)
    return FilingUnderTest(
        partition_key=f"{ticker}-{fiscal_year}",
        expected_fiscal_year=fiscal_year or 0,
        document_fiscal_year=fiscal_year,
        document_type=document_form_type(doc),
        items=items,
        item_1a_text=text,
        segments=segments,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    documents = sorted(args.corpus.glob("10-K/*/*/primary-document.html"))
    if not documents:
        raise SystemExit(f"no filings under {args.corpus}/10-K (pass --corpus)")

    started = time.perf_counter()
    warm_up = ExpectationSpec(
        key="warm_up", gx_type="ExpectColumnToExist", kwargs={"column": "x"}, severity="WARN"
    )
    validate_frame("warm_up", pd.DataFrame({"x": [1]}), [warm_up])
    setup_seconds = time.perf_counter() - started

    lines = [
        "# Quality suites on the real pipeline's output",
        "",
        f"Great Expectations import + ephemeral context + first validation: {setup_seconds:.2f} s (once per process)",
        "",
        "| filing | segments | ms / filing (4 groups) | failing expectations |",
        "|---|---|---|---|",
    ]
    timings = []
    for path in documents:
        filing = filing_under_test(path)
        seconds = []
        for _ in range(REPEATS):
            begin = time.perf_counter()
            outcomes = evaluate_filing(filing)
            seconds.append(time.perf_counter() - begin)
        median_ms = statistics.median(seconds) * 1000
        timings.append(median_ms)
        failing = ", ".join(
            f"{o.expectation} ({o.severity}: {o.description})" for o in outcomes if not o.passed
        )
        label = f"{path.parents[1].name}/{path.parent.name}"
        lines.append(f"| {label} | {len(filing.segments)} | {median_ms:.0f} | {failing or '—'} |")
    lines += ["", f"Median {statistics.median(timings):.0f} ms per filing over {len(timings)} filings."]
    report = "\n".join(lines) + "\n"
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
