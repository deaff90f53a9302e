"""Quality-suite benchmark: the real pipeline's output on the shared corpus, through both gates.

Usage: .venv/bin/python benchmarks/quality_suites.py [--corpus ../shared/corpus]

Each corpus filing goes through the product's own stages (parse → items → clean → segment →
embed → classify, `pipeline.stages` and `pipeline.model_stages` run by `pipeline.runner`) into a
scratch artifact store, written and read through the stage contracts. Each gate then assembles
the filing with `quality.inputs.filing_under_test` and runs its suites. Prints and writes
`benchmarks/results/quality_suites.md`:
- the one-off cost of importing Great Expectations and building its context;
- milliseconds per filing for each gate, assembly included (median of 3 runs), and the counts;
- which expectations fail on real output, so thresholds can be checked against real filings.
The partition's fiscal year is taken from the document itself here, so the fiscal-year check
only proves the year was found.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sec_analyzer import contracts
from sec_analyzer.analysis.classifier import RiskClassifier, get_classifier
from sec_analyzer.analysis.embedding import Embedder, get_embedder
from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.domain import filing_key
from sec_analyzer.pipeline.model_stages import classify_stage, embed_stage
from sec_analyzer.pipeline.runner import StageOutcome, process_filings
from sec_analyzer.pipeline.stages import clean_stage, extract_stage, parse_stage, segment_stage
from sec_analyzer.quality.gx_runner import ExpectationSpec, validate_frame
from sec_analyzer.quality.inputs import filing_under_test
from sec_analyzer.quality.suites import evaluate_filing
from sec_analyzer.quality.verdicts import GATES, MODEL_OUTPUT_GATE, TEXT_GATE, CheckOutcome

ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = ROOT / "benchmarks" / "results" / "quality_suites.md"
REPEATS = 3
UNSTATED_YEAR = 2000


def run_stage(
    artifacts: ArtifactStore,
    key: str,
    contract: contracts.StageContract[Any],
    work: Callable[[], tuple[pd.DataFrame | None, StageOutcome]],
) -> None:
    """One stage for one filing through the runner, its table (if any) stored by its contract."""

    def process(_: str, __: contracts.StageSummary) -> StageOutcome:
        table, outcome = work()
        if table is not None:
            contract.write_table(artifacts, key, table)
        return outcome

    process_filings([key], contract, process, artifacts)


def materialize(
    path: Path, scratch: Path, embedder: Embedder, classifier: RiskClassifier
) -> tuple[ArtifactStore, str]:
    """The filing's artifacts of every stage up to the classifications; its partition key."""
    artifacts = ArtifactStore(scratch)
    elements = scratch / "elements.parquet"
    parsed = parse_stage(path.read_bytes(), elements)
    # A document that states no fiscal year gets a stand-in one; its check only warns of that.
    key = filing_key(path.parents[1].name, parsed.fields["document_fiscal_year"] or UNSTATED_YEAR)
    contracts.PARSED_FILING.document_path(artifacts, key).parent.mkdir(parents=True, exist_ok=True)
    elements.replace(contracts.PARSED_FILING.document_path(artifacts, key))
    contracts.RAW_FILING.write_summary(artifacts, contracts.RAW_FILING.summary(contracts.StageStatus.OK, key))
    run_stage(artifacts, key, contracts.PARSED_FILING, lambda: (None, parsed))
    elements = contracts.PARSED_FILING.document_path(artifacts, key)
    run_stage(artifacts, key, contracts.ITEMS, lambda: extract_stage(elements))
    cleaned = contracts.CLEANED_TEXT.document_path(artifacts, key)
    run_stage(
        artifacts,
        key,
        contracts.CLEANED_TEXT,
        lambda: (None, clean_stage(elements, contracts.ITEMS.read_table(artifacts, key), cleaned)),
    )
    run_stage(artifacts, key, contracts.RISK_SEGMENTS, lambda: segment_stage(cleaned))
    run_stage(
        artifacts,
        key,
        contracts.RISK_EMBEDDINGS,
        lambda: embed_stage(embedder, contracts.RISK_SEGMENTS.read_table(artifacts, key)),
    )
    run_stage(
        artifacts,
        key,
        contracts.RISK_CLASSIFICATIONS,
        lambda: classify_stage(
            classifier,
            key,
            contracts.RISK_SEGMENTS.read_table(artifacts, key),
            contracts.RISK_EMBEDDINGS.read_table(artifacts, key),
        ),
    )
    return artifacts, key


def judge(artifacts: ArtifactStore, key: str, gate: str) -> tuple[float, float, list[CheckOutcome]]:
    """Median seconds to read the filing for `gate` and to run the gate's suites; the outcomes."""
    reading, judging = [], []
    for _ in range(REPEATS):
        begin = time.perf_counter()
        filing = filing_under_test(artifacts, key, gate)
        read = time.perf_counter()
        outcomes = evaluate_filing(filing, GATES[gate])
        reading.append(read - begin)
        judging.append(time.perf_counter() - read)
    return statistics.median(reading), statistics.median(judging), outcomes


def previous_median(path: Path) -> str:
    """The previous run's figure, as its result file states it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    match = re.search(r"^Median .*$", text, re.MULTILINE)
    return f"“{match.group(0)}”" if match else "no previous result"


def failing(outcomes: list[CheckOutcome]) -> str:
    return (
        ", ".join(f"{o.expectation} ({o.severity}: {o.description})" for o in outcomes if not o.passed) or "—"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    documents = sorted(args.corpus.glob("10-K/*/*/primary-document.html"))
    if not documents:
        raise SystemExit(f"no filings under {args.corpus}/10-K (pass --corpus)")

    baseline = previous_median(RESULTS_PATH)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    warm_up = ExpectationSpec(
        key="warm_up", gx_type="ExpectColumnToExist", kwargs={"column": "x"}, severity="WARN"
    )
    validate_frame("warm_up", pd.DataFrame({"x": [1]}), [warm_up])
    setup_seconds = time.perf_counter() - started
    embedder = get_embedder()
    classifier = get_classifier(embedder)

    lines = [
        "# Quality suites on the real pipeline's output",
        "",
        f"Great Expectations import + ephemeral context + first validation: {setup_seconds:.2f} s (once per process)",
        f"Model outputs from `{embedder.path}` vectors and the `{classifier.name}` classifier.",
        "",
        "| filing | segments | ms, text gate: read + suites (4 groups) "
        "| ms, model-output gate: read + suites (2 groups) | failing expectations |",
        "|---|---|---|---|---|",
    ]
    reads: dict[str, list[float]] = {TEXT_GATE: [], MODEL_OUTPUT_GATE: []}
    suites: dict[str, list[float]] = {TEXT_GATE: [], MODEL_OUTPUT_GATE: []}
    with tempfile.TemporaryDirectory(prefix="quality-benchmark-") as scratch:
        for number, path in enumerate(documents):
            artifacts, key = materialize(path, Path(scratch) / str(number), embedder, classifier)
            cells, outcomes = [], []
            for gate in (TEXT_GATE, MODEL_OUTPUT_GATE):
                read_seconds, suite_seconds, gate_outcomes = judge(artifacts, key, gate)
                reads[gate].append(read_seconds * 1000)
                suites[gate].append(suite_seconds * 1000)
                cells.append(f"{read_seconds * 1000:.0f} + {suite_seconds * 1000:.0f}")
                outcomes += gate_outcomes
            segments = (
                len(contracts.RISK_SEGMENTS.read_table(artifacts, key))
                if contracts.RISK_SEGMENTS.has_table(artifacts, key)
                else 0
            )
            label = f"{path.parents[1].name}/{path.parent.name}"
            lines.append(f"| {label} | {segments} | {' | '.join(cells)} | {failing(outcomes)} |")
    lines += [
        "",
        f"Median ms per filing over {len(documents)} filings (read + suites): text gate "
        f"{statistics.median(reads[TEXT_GATE]):.0f} + {statistics.median(suites[TEXT_GATE]):.0f}, "
        f"model-output gate {statistics.median(reads[MODEL_OUTPUT_GATE]):.0f} + "
        f"{statistics.median(suites[MODEL_OUTPUT_GATE]):.0f}.",
        f"The text gate's suites are the four groups the previous result timed alone: {baseline}.",
        f"Load average (1 min) on this shared 2-core machine: {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end; figures scale with it.",
    ]
    report = "\n".join(lines) + "\n"
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
