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
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sec_analyzer.analysis.classifier import RiskClassifier, get_classifier
from sec_analyzer.analysis.embedding import Embedder, get_embedder
from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    CLEANED_TEXT,
    ITEMS,
    PARSED_FILING,
    RAW_FILING,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    StageContract,
    StageStatus,
    StageSummary,
)
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
    contract: StageContract[Any],
    work: Callable[[], tuple[pd.DataFrame | None, StageOutcome]],
) -> None:
    """One stage for one filing through the runner, its table (if any) stored by its contract."""

    def process(_: str, __: StageSummary) -> StageOutcome:
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
    PARSED_FILING.document_path(artifacts, key).parent.mkdir(parents=True, exist_ok=True)
    elements.replace(PARSED_FILING.document_path(artifacts, key))
    RAW_FILING.write_summary(artifacts, RAW_FILING.summary(StageStatus.OK, key))
    run_stage(artifacts, key, PARSED_FILING, lambda: (None, parsed))
    elements = PARSED_FILING.document_path(artifacts, key)
    run_stage(artifacts, key, ITEMS, lambda: extract_stage(elements))
    cleaned = CLEANED_TEXT.document_path(artifacts, key)
    run_stage(
        artifacts,
        key,
        CLEANED_TEXT,
        lambda: (None, clean_stage(elements, ITEMS.read_table(artifacts, key), cleaned)),
    )
    run_stage(artifacts, key, RISK_SEGMENTS, lambda: segment_stage(cleaned))
    run_stage(
        artifacts,
        key,
        RISK_EMBEDDINGS,
        lambda: embed_stage(embedder, RISK_SEGMENTS.read_table(artifacts, key)),
    )
    run_stage(
        artifacts,
        key,
        RISK_CLASSIFICATIONS,
        lambda: classify_stage(
            classifier,
            key,
            RISK_SEGMENTS.read_table(artifacts, key),
            RISK_EMBEDDINGS.read_table(artifacts, key),
        ),
    )
    return artifacts, key


def judge(artifacts: ArtifactStore, key: str, gate: str) -> tuple[float, list[CheckOutcome]]:
    """Median seconds to assemble and judge the filing at `gate`, and the outcomes."""
    seconds = []
    for _ in range(REPEATS):
        begin = time.perf_counter()
        outcomes = evaluate_filing(filing_under_test(artifacts, key, gate), GATES[gate])
        seconds.append(time.perf_counter() - begin)
    return statistics.median(seconds), outcomes


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
        "| filing | segments | ms / filing, text gate (4 groups) | ms / filing, model-output gate (2 groups) "
        "| failing expectations |",
        "|---|---|---|---|---|",
    ]
    timings: dict[str, list[float]] = {TEXT_GATE: [], MODEL_OUTPUT_GATE: []}
    with tempfile.TemporaryDirectory(prefix="quality-benchmark-") as scratch:
        for number, path in enumerate(documents):
            artifacts, key = materialize(path, Path(scratch) / str(number), embedder, classifier)
            text_seconds, text_outcomes = judge(artifacts, key, TEXT_GATE)
            model_seconds, model_outcomes = judge(artifacts, key, MODEL_OUTPUT_GATE)
            timings[TEXT_GATE].append(text_seconds * 1000)
            timings[MODEL_OUTPUT_GATE].append(model_seconds * 1000)
            segments = (
                len(RISK_SEGMENTS.read_table(artifacts, key))
                if RISK_SEGMENTS.has_table(artifacts, key)
                else 0
            )
            label = f"{path.parents[1].name}/{path.parent.name}"
            lines.append(
                f"| {label} | {segments} | {text_seconds * 1000:.0f} | {model_seconds * 1000:.0f} "
                f"| {failing(text_outcomes + model_outcomes)} |"
            )
    lines += [
        "",
        f"Median per filing over {len(documents)} filings: text gate {statistics.median(timings[TEXT_GATE]):.0f} ms, "
        f"model-output gate {statistics.median(timings[MODEL_OUTPUT_GATE]):.0f} ms "
        "(each includes reading the filing's artifacts).",
    ]
    report = "\n".join(lines) + "\n"
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
