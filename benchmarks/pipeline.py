"""End-to-end pipeline benchmark: the whole graph (raw → … → classified → results database) over
1, 10 and all corpus filings, fetched through the local EDGAR, as `sec-analyzer backfill` runs it.

Usage: .venv/bin/python benchmarks/pipeline.py [--corpus ../shared/corpus] [--sizes 1,10,29] [--repeat 3]

Each size runs in a fresh process on a fresh data dir, Dagster instance and SQLite results
database, against the local EDGAR in a process of its own: `defs.backfill.backfill_filings`, as
the CLI runs it (each 10-K found by its cover, in-process runs of the default batch size as the
lookups go on). Then, in another fresh process, the baseline: load
the model and embed + classify the same risk factors (read back from the run's `risk_segments`
tables) with the same stage functions and nothing else — the floor a CPU cannot go under. With
`--repeat N` each size is measured N times, pipeline and baseline in turn, and the repeat with the
median ratio is reported (the end-to-end time of one size varies by ±5 % between runs here).

Prints and writes `benchmarks/results/pipeline.md`:
- seconds per filing per stage, from the stage summaries' `seconds` (the stage's own work) and
  from the Dagster step events (the step's wall time: the stage plus its resources, metadata and
  event writes; quality gates are steps of their own);
- filings per minute end to end (the lookups on EDGAR included), the time until the first run
  starts, and peak memory (max RSS of the process);
- the share of wall time outside model inference (embedding + classification stage seconds);
- the ratio end-to-end time ÷ baseline (target ≤ 1.25), and peak memory at all filings ÷ peak at
  10 (target ≤ 1.20);
- the CPU floor: the pipeline's CPU seconds (user + system, the whole process; the local EDGAR
  serves from another) spread over every core with nothing idle, against the baseline. No
  scheduling of the same work goes below it, so a floor above 1.25 says the CPU work outside the
  model, not the waiting, stands between the ratio and the target.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = ROOT / "benchmarks" / "results" / "pipeline.md"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
USER_AGENT = "sec-analyzer benchmark benchmark@sec-analyzer.invalid"
MODEL_STAGES = ("risk_embeddings", "risk_classifications")
RATIO_TARGET = 1.25
MEMORY_TARGET = 1.20


def corpus_pairs(corpus: Path) -> list[tuple[str, int]]:
    """(ticker, fiscal year) of every corpus filing, by the period-end rule, AAPL 2024 first."""
    from sec_analyzer.edgar_mirror.server import EdgarMirror
    from sec_analyzer.fiscal_year import fiscal_year_of_period_end

    mirror = EdgarMirror(corpus)
    pairs = sorted({(filing.ticker, fiscal_year_of_period_end(filing.report_date))
                    for filing in mirror.catalog.filings()})
    return sorted(pairs, key=lambda pair: pair != ("AAPL", 2024))


def prepare_environment(workdir: Path) -> None:
    os.environ.update({
        "DAGSTER_HOME": str(workdir / "dagster_home"),
        "SEC_ANALYZER_DATA_DIR": str(workdir / "data"),
        "SEC_ANALYZER_DATABASE_URL": f"sqlite:///{workdir / 'results.db'}",
        "EDGAR_USER_AGENT": USER_AGENT,
    })
    for name in ("MONGODB_URI", "DAGSTER_POSTGRES_URL", "SEC_ANALYZER_EXECUTOR", "EDGAR_MIRROR_DIR"):
        os.environ.pop(name, None)


def measure_pipeline(corpus: Path, pairs: list[tuple[str, int]], workdir: Path, batch_size: int) -> dict[str, Any]:
    """The backfill of `pairs`, as the CLI runs it, in this (fresh) process."""
    prepare_environment(workdir)
    import dagster as dg

    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.acquisition.raw_store import raw_store_from_settings
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.contracts import PIPELINE, RISK_EMBEDDINGS
    from sec_analyzer.defs.backfill import backfill_filings
    from sec_analyzer.defs.commands import edgar_run_config
    from sec_analyzer.defs.instance import prepare_dagster_home
    from sec_analyzer.pipeline.report import filing_outcome
    from sec_analyzer.settings import get_settings
    from sec_analyzer.storage.schema import upgrade_to_head

    prepare_dagster_home()
    upgrade_to_head(os.environ["SEC_ANALYZER_DATABASE_URL"])
    with local_edgar(corpus) as base_url:
        os.environ.update({"EDGAR_BASE_URL": base_url, "EDGAR_DATA_URL": base_url})
        get_settings.cache_clear()
        settings = get_settings()
        started, cpu_started, clock_started = time.perf_counter(), cpu_seconds(), time.time()
        fetcher = FilingFetcher(EdgarClient.from_settings(settings), raw_store_from_settings(settings))
        with dg.DagsterInstance.get() as instance:
            backfill = backfill_filings(instance, fetcher, pairs, announce=lambda _: None, progress=lambda _: None,
                                        run_config=edgar_run_config(settings), batch_size=batch_size)
            finished, cpu_finished = time.perf_counter(), cpu_seconds()
            plan, runs = backfill.plan, backfill.runs
            if not runs:
                raise SystemExit(f"the backfill ran nothing: {backfill.lookup_error or plan.not_found}")
            first_run = instance.get_run_record_by_id(runs[0].run_id)
            step_seconds = step_durations(instance, [run.run_id for run in runs])
    artifacts = ArtifactStore(settings.artifacts_dir)
    stage_seconds = {contract.name: sum(contract.read_summary(artifacts, key).seconds for key in plan.keys)
                     for contract in PIPELINE}
    outcomes = [filing_outcome(artifacts, key) for key in plan.keys]
    embedding_paths = {RISK_EMBEDDINGS.read_summary(artifacts, key).embedding_path for key in plan.keys}
    return {
        "embedding_path": ", ".join(sorted(str(path) for path in embedding_paths)),
        "requested": len(pairs),
        "filings": len(plan.keys),
        "not_found": plan.not_found,
        "published": sum(outcome.published for outcome in outcomes),
        "runs": len(runs),
        "batch_size": batch_size,
        "failed_runs": sum(run.status != dg.DagsterRunStatus.SUCCESS for run in runs),
        "first_run_seconds": (first_run.start_time if first_run and first_run.start_time else clock_started)
        - clock_started,
        "wall_seconds": finished - started,
        "cpu_seconds": cpu_finished - cpu_started,
        "stage_seconds": stage_seconds,
        "step_seconds": step_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "keys": plan.keys,
    }


@contextlib.contextmanager
def local_edgar(corpus: Path) -> Iterator[str]:
    """The local EDGAR over `corpus` in a process of its own, as EDGAR is to a real backfill: the
    CPU it spends serving is not the pipeline's. Yields its base URL."""
    server = subprocess.Popen([str(Path(sys.executable).with_name("sec-analyzer")), "edgar-mirror", "serve",
                               str(corpus), "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        # "EDGAR mirror serving … at http://127.0.0.1:PORT"
        announced = server.stdout.readline() if server.stdout else ""
        if " at http" not in announced:
            raise SystemExit(f"the local EDGAR did not start: {announced!r}")
        yield announced.rsplit(" at ", 1)[1].strip()
    finally:
        server.terminate()
        server.wait(timeout=30)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step_durations(instance: Any, run_ids: list[str]) -> dict[str, float]:
    """Wall seconds per step key, STEP_START to its end, summed over the runs."""
    import dagster as dg

    ends = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED}
    totals: dict[str, float] = defaultdict(float)
    for run_id in run_ids:
        started: dict[str, float] = {}
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = record.timestamp
            elif event.event_type in ends and event.step_key in started:
                totals[event.step_key] += record.timestamp - started.pop(event.step_key)
    return dict(totals)


def measure_baseline(workdir: Path, keys: list[str]) -> dict[str, Any]:
    """Model load + embedding + classification of the same risk factors, and nothing else."""
    prepare_environment(workdir)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.artifacts import ArtifactStore
    from sec_analyzer.contracts import RISK_SEGMENTS
    from sec_analyzer.pipeline.model_stages import classify_stage, embed_stage, serving_classifier
    from sec_analyzer.settings import get_settings

    artifacts = ArtifactStore(get_settings().artifacts_dir)
    embedder = get_embedder("fast")
    classifier = serving_classifier(embedder)
    risks = 0
    for key in keys:
        if not RISK_SEGMENTS.has_table(artifacts, key):
            continue
        segments = RISK_SEGMENTS.read_table(artifacts, key)
        vectors, _ = embed_stage(embedder, segments)
        classify_stage(classifier, key, segments, vectors)
        risks += len(segments)
    return {"seconds": time.perf_counter() - started, "cpu_seconds": cpu_seconds() - cpu_started, "risk_factors": risks,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_fresh_process(*args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark step {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def report(sizes: list[int], measured: dict[int, dict[str, Any]], baselines: dict[int, dict[str, Any]],
           load: float, ratios: dict[int, list[float]]) -> str:
    from sec_analyzer.contracts import PIPELINE

    lines = ["# End-to-end pipeline", "",
             "`.venv/bin/python benchmarks/pipeline.py` — every size in a fresh process, data dir, Dagster "
             "instance and SQLite database; the corpus served by the local EDGAR in a process of its own; in-process runs of "
             f"{measured[sizes[0]]['batch_size']} filings; machine: {os.cpu_count()} CPUs ({cpu_description()}), "
             f"load average {load:.2f} before measuring; embedding path "
             f"`{measured[sizes[0]]['embedding_path']}`; each size measured {len(ratios[sizes[0]])} time(s), "
             "pipeline and baseline in turn, the repeat with the median ratio shown.", "",
             "## Throughput and memory", "",
             "| filings | published | runs | wall s | first run starts at s | filings/min | peak RSS MB | outside model inference "
             "| baseline s (model load + embed + classify) | ratio wall ÷ baseline (all repeats) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for size in sizes:
        run, base = measured[size], baselines[size]
        model = sum(run["stage_seconds"][stage] for stage in MODEL_STAGES)
        lines.append(
            f"| {run['filings']} | {run['published']} | {run['runs']} | {run['wall_seconds']:.1f} | "
            f"{run['first_run_seconds']:.1f} | {60 * run['filings'] / run['wall_seconds']:.2f} | "
            f"{run['peak_rss_mb']:.0f} | {100 * (1 - model / run['wall_seconds']):.0f} % | {base['seconds']:.1f} | "
            f"{run['wall_seconds'] / base['seconds']:.2f} ({', '.join(f'{ratio:.2f}' for ratio in ratios[size])}) |")
    lines += ["", "## Seconds per filing per stage", "",
              "Stage work from the stage summaries (`seconds`) / the Dagster step's wall time (step events).", "",
              "| stage | " + " | ".join(f"{size} filing(s)" for size in sizes) + " |",
              "|---|" + "---|" * len(sizes)]
    steps = {step for size in sizes for step in measured[size]["step_seconds"]}
    # Pipeline order, each stage followed by the gate steps named after it.
    ordered = [name for contract in PIPELINE for name in
               [contract.name, *sorted(step for step in steps if step.startswith(f"{contract.name}_"))]]
    for step in [*ordered, *sorted(steps - set(ordered))]:
        cells = []
        for size in sizes:
            run = measured[size]
            work = run["stage_seconds"].get(step)
            wall = run["step_seconds"].get(step, 0.0)
            cells.append(f"{work / run['filings']:.2f} / {wall / run['filings']:.2f}" if work is not None
                         else f"— / {wall / run['filings']:.2f}")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines += ["", "## The CPU floor", "",
              "CPU seconds (user + system) of the pipeline's process from its first lookup to the end of its last "
              "run (the local EDGAR serves from a process of its own), and of the baseline's. Spread over all "
              f"{os.cpu_count()} cores with no core ever idle, the pipeline's CPU work cannot take less wall "
              "time than the floor; the waits on EDGAR's rate limit are not CPU and are assumed hidden.", "",
              "| filings | pipeline CPU s | baseline CPU s | CPU outside the model s | floor wall s | floor ratio |",
              "|---|---|---|---|---|---|"]
    for size in sizes:
        run, base = measured[size], baselines[size]
        floor = cpu_floor(run, base)
        lines.append(f"| {run['filings']} | {run['cpu_seconds']:.1f} | {base['cpu_seconds']:.1f} | "
                     f"{run['cpu_seconds'] - base['cpu_seconds']:.1f} | {floor:.1f} | {floor / base['seconds']:.2f} |")
    largest, ten = sizes[-1], 10 if 10 in sizes else sizes[0]
    lines += ["", f"## Where the wall time goes at {measured[largest]['filings']} filings", "",
              "| part | seconds | share |", "|---|---|---|"]
    for part, seconds in wall_breakdown(measured[largest]):
        lines.append(f"| {part} | {seconds:.1f} | {100 * seconds / measured[largest]['wall_seconds']:.0f} % |")
    ratio = measured[largest]["wall_seconds"] / baselines[largest]["seconds"]
    memory = measured[largest]["peak_rss_mb"] / measured[ten]["peak_rss_mb"]
    lines += ["", "## Targets", "",
              f"- end-to-end ÷ (embedding + classification alone) at {measured[largest]['filings']} filings: "
              f"**{ratio:.2f}** (target ≤ {RATIO_TARGET}): {'met' if ratio <= RATIO_TARGET else 'NOT met'}",
              f"- peak memory at {measured[largest]['filings']} ÷ at {measured[ten]['filings']} filings: "
              f"**{memory:.2f}** ({measured[largest]['peak_rss_mb']:.0f} MB ÷ {measured[ten]['peak_rss_mb']:.0f} MB; "
              f"target ≤ {MEMORY_TARGET}): {'met' if memory <= MEMORY_TARGET else 'NOT met'}",
              f"- the CPU floor of the ratio at {measured[largest]['filings']} filings: "
              f"**{cpu_floor(measured[largest], baselines[largest]) / baselines[largest]['seconds']:.2f}** "
              "(the best any overlap of this CPU work could reach on this machine)",
              ""]
    return "\n".join(lines)


def cpu_description() -> str:
    """The CPU's model and the instruction sets the embedding path depends on."""
    model, flags = "unknown CPU", set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name":
                model = value.strip()
            elif name.strip() == "flags":
                flags = set(value.split())
                break
    shown = [flag for flag in ("avx512_bf16", "amx_bf16") if flag in flags]
    return f"{model}, {' '.join(shown) if shown else 'no native bf16'}"


def cpu_floor(run: dict[str, Any], base: dict[str, Any]) -> float:
    """The least wall time the pipeline's CPU work could take on this machine: all of it spread
    over every core, and never less than the model's own time."""
    return max(base["seconds"], run["cpu_seconds"] / (os.cpu_count() or 1))


def wall_breakdown(run: dict[str, Any]) -> list[tuple[str, float]]:
    """The run's wall time cut into model inference, the other stages' work, the gates, Dagster's
    share of the steps, the wait for the first run, and what lies between steps (loading the job,
    starting and ending runs)."""
    stages, steps = run["stage_seconds"], run["step_seconds"]
    gates = sum(wall for step, wall in steps.items() if step not in stages)
    model = sum(stages[stage] for stage in MODEL_STAGES)
    other_work = sum(seconds for stage, seconds in stages.items() if stage not in MODEL_STAGES)
    step_overhead = sum(steps.get(stage, 0.0) for stage in stages) - model - other_work
    between = run["wall_seconds"] - run["first_run_seconds"] - sum(steps.values())
    return [
        ("model inference (embedding + classification stage work)", model),
        ("other stages' work (fetch, parse, items, clean, segment, publish)", other_work),
        ("steps without a stage summary: the quality gates (Great Expectations), risk_changes", gates),
        ("Dagster share of stage steps (resources, classifier set-up, metadata, events)", step_overhead),
        ("before the first run (finding its filings on EDGAR; the job, GX and the model load meanwhile)",
         run["first_run_seconds"]),
        ("between steps (loading the job, starting and ending runs, waiting for a batch's lookups)", between),
    ]


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got {text[:20]!r})")
    return int(text)


def main() -> None:
    from sec_analyzer.defs.backfill import DEFAULT_BATCH_SIZE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="1,10,29")
    parser.add_argument("--batch-size", type=positive, default=DEFAULT_BATCH_SIZE, help="filings per run (the CLI's default)")
    parser.add_argument("--measure-pipeline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-baseline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=positive, default=1,
                        help="measure each size this many times, pipeline and baseline in turn, and report the "
                             "repeat with the median ratio (a shared machine's speed drifts by minutes)")
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if not (arguments.corpus / "10-K").is_dir():
        raise SystemExit(f"no corpus at {arguments.corpus} (expected {arguments.corpus}/10-K/...)")
    if arguments.measure_pipeline:
        pairs = corpus_pairs(arguments.corpus)[: arguments.count]
        print(json.dumps(measure_pipeline(arguments.corpus, pairs, arguments.measure_pipeline, arguments.batch_size)))
        return
    if arguments.measure_baseline:
        keys = json.loads((arguments.measure_baseline / "keys.json").read_text())
        print(json.dumps(measure_baseline(arguments.measure_baseline, keys)))
        return
    available = len(corpus_pairs(arguments.corpus))
    sizes = sorted({min(int(size), available) for size in arguments.sizes.split(",")})
    measured: dict[int, dict[str, Any]] = {}
    baselines: dict[int, dict[str, Any]] = {}
    ratios: dict[int, list[float]] = {}
    load = os.getloadavg()[0]  # other work on the machine would skew every figure
    with tempfile.TemporaryDirectory(prefix="pipeline-benchmark-") as scratch:
        for size in sizes:
            repeats = []
            for repeat in range(arguments.repeat):
                workdir = Path(scratch) / f"n{size}-{repeat}"
                workdir.mkdir()
                print(f"{size} filing(s), repeat {repeat + 1}: pipeline …", file=sys.stderr, flush=True)
                run = in_fresh_process("--corpus", str(arguments.corpus), "--measure-pipeline", str(workdir),
                                       "--count", str(size), "--batch-size", str(arguments.batch_size))
                (workdir / "keys.json").write_text(json.dumps(run["keys"]))
                print(f"{size} filing(s), repeat {repeat + 1}: baseline …", file=sys.stderr, flush=True)
                base = in_fresh_process("--corpus", str(arguments.corpus), "--measure-baseline", str(workdir))
                repeats.append((run["wall_seconds"] / base["seconds"], run, base))
            # The repeat with the median ratio stands for the size, so its figures agree with each other.
            repeats.sort(key=lambda repeat: repeat[0])
            _, measured[size], baselines[size] = repeats[len(repeats) // 2]
            ratios[size] = [ratio for ratio, _, _ in repeats]
    text = report(sizes, measured, baselines, load, ratios)
    RESULTS_PATH.write_text(text, encoding="utf-8")
    print(text)
    print(json.dumps({"measured": measured, "baselines": baselines}), file=sys.stderr)


if __name__ == "__main__":
    main()
