"""Segmentation benchmark: parse → extract Item 1A → clean → segment, scored against the gold file.

Usage: .venv/bin/python benchmarks/segmentation.py [--corpus ../shared/corpus]

Gold: `benchmarks/gold/risk_headings.json`, risk and category headings written by reading each
filing (see `benchmarks/heading_scoring.py` for the format and the matching rule).
Metrics per gold filing:
- heading precision / recall: predicted headings whose normalised text equals a gold heading
  (case, quotes, punctuation and spacing ignored; each gold heading matched once);
- category accuracy: share of matched headings whose category also matches;
- coverage: see `sec_analyzer/preprocessing/segmenter.py` (risks + category headings over the
  text without the set-aside spans: Item 1A title, summary, forward-looking-statement blocks and
  the introduction, which is kept as an `introduction` span rather than attached to a risk);
  strict coverage counts the introduction as uncovered text, so it is the share of everything
  but title, summary and forward-looking blocks;
- seconds per filing for each stage (parse includes reading the file; features included).
Writes `benchmarks/results/segmentation.md`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from heading_scoring import HeadingScore, load_gold, score_headings

from sec_analyzer.preprocessing.cleaner import clean_item
from sec_analyzer.preprocessing.features import text_features
from sec_analyzer.preprocessing.parser import parse_file
from sec_analyzer.preprocessing.segmenter import Segmentation, item_1a_elements, segment_item

ROOT = Path(__file__).resolve().parents[1]
GOLD_PATH = ROOT / "benchmarks" / "gold" / "risk_headings.json"
RESULTS_PATH = ROOT / "benchmarks" / "results" / "segmentation.md"


def run_one(path: Path) -> tuple[Segmentation, dict[str, float]]:
    started = time.perf_counter()
    doc = parse_file(path)
    parsed = time.perf_counter()
    elements = item_1a_elements(doc)
    extracted = time.perf_counter()
    cleaned = clean_item(elements)
    cleaned_at = time.perf_counter()
    segmentation = segment_item(cleaned)
    done = time.perf_counter()
    timings = {
        "parse": parsed - started,
        "extract": extracted - parsed,
        "clean": cleaned_at - extracted,
        "segment+features": done - cleaned_at,
        "total": done - started,
    }
    return segmentation, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    if not (args.corpus / "10-K").is_dir():
        print(f"corpus not found: {args.corpus} (pass --corpus)", file=sys.stderr)
        return 2
    gold = load_gold(GOLD_PATH)
    # Warm the lazy imports (textstat, the LM word list) so the first filing's time is comparable.
    text_features("Warm up the readability and tone features.")
    rows: list[tuple[str, HeadingScore, Segmentation, dict[str, float]]] = []
    for key, entry in gold.items():
        segmentation, timings = run_one(args.corpus / "10-K" / key / "primary-document.html")
        rows.append((key, score_headings(segmentation.risk_factors, entry), segmentation, timings))

    matched = sum(score.matched for _, score, _, _ in rows)
    predicted = sum(score.predicted for _, score, _, _ in rows)
    expected = sum(score.gold for _, score, _, _ in rows)
    category_matched = sum(score.category_matched for _, score, _, _ in rows)
    lines = [
        "# Item 1A segmentation benchmark",
        "",
        f"Command: `.venv/bin/python benchmarks/segmentation.py` ({len(rows)} gold filings, "
        f"`{GOLD_PATH.relative_to(ROOT)}`). Definitions: see the docstring of `benchmarks/segmentation.py`.",
        "",
        "| filing | gold | predicted | precision | recall | category acc. | categories | coverage | strict coverage | s/filing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, score, segmentation, timings in rows:
        lines.append(
            f"| {key} | {score.gold} | {score.predicted} | {score.precision:.3f} | {score.recall:.3f} | "
            f"{score.category_accuracy:.3f} | {len(segmentation.categories)} | {segmentation.coverage:.4f} | "
            f"{segmentation.strict_coverage:.4f} | {timings['total']:.2f} |"
        )
    lines += [
        "",
        f"**Micro-averaged: precision {matched / predicted:.3f}, recall {matched / expected:.3f}, "
        f"category accuracy {category_matched / matched:.3f}** ({matched} of {expected} gold headings matched, "
        f"{predicted} predicted).",
        "",
        "Median seconds per filing by stage: "
        + ", ".join(
            f"{stage} {statistics.median(t[stage] for *_, t in rows):.3f}"
            for stage in ("parse", "extract", "clean", "segment+features", "total")
        )
        + ".",
        "",
    ]
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
