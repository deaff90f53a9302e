"""Year-over-year risk matching against hand-checked corpus pairs (benchmarks/gold/risk_changes.json).

Each pair's two 10-Ks are segmented from the shared corpus and embedded with the serving model,
then matched (sec_analyzer.analysis.changes.compare). Measured per pair and overall:

- pairing accuracy: the share of risks of both years whose outcome (its partner in the other
  year, or none) is the reader's;
- NEW and REMOVED precision and recall;
- matching time per pair (embedding excluded).

Baseline in the same run: pairing by identical heading (after normalising whitespace, quotes and
dashes), what a heading-keyed diff does.

    .venv/bin/python benchmarks/changes.py

Prints a table and writes benchmarks/results/changes.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from sec_analyzer.analysis.analysis_config import load_analysis_settings
from sec_analyzer.analysis.changes import Risk, compare, normalize_text
from sec_analyzer.analysis.embedding import Embedder, get_embedder

GOLD = Path(__file__).parent / "gold" / "risk_changes.json"
RESULTS = Path(__file__).parent / "results" / "changes.md"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

Pairing = dict[tuple[str, int], int | None]  # ("previous"|"current", ordinal) -> partner ordinal or None


def load_risks(document: str, embedder: Embedder) -> list[Risk]:
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_document

    factors = segment_document(parse_file(CORPUS / document), with_features=False).risk_factors
    vectors = embedder.embed([(factor.heading, factor.text) for factor in factors])
    return [Risk(factor.ordinal, factor.heading, factor.text, factor.category, vector.tolist())
            for factor, vector in zip(factors, vectors, strict=True)]


def outcome(pairs: list[tuple[int, int]], previous: list[Risk], current: list[Risk]) -> Pairing:
    result: Pairing = {("previous", risk.ordinal): None for risk in previous}
    result |= {("current", risk.ordinal): None for risk in current}
    for old, new in pairs:
        result[("previous", old)] = new
        result[("current", new)] = old
    return result


def matched_pairs(previous: list[Risk], current: list[Risk]) -> list[tuple[int, int]]:
    changes = compare(previous, current, load_analysis_settings().changes)
    return [(change.previous.ordinal, change.current.ordinal) for change in changes
            if change.previous is not None and change.current is not None]


def heading_pairs(previous: list[Risk], current: list[Risk]) -> list[tuple[int, int]]:
    by_heading = {normalize_text(risk.heading): risk.ordinal for risk in current}
    return [(risk.ordinal, by_heading[normalize_text(risk.heading)]) for risk in previous
            if normalize_text(risk.heading) in by_heading]


def scores(gold: Pairing, found: Pairing) -> dict[str, float]:
    accuracy = sum(found[key] == partner for key, partner in gold.items()) / len(gold)
    gold_unpaired = {key for key, partner in gold.items() if partner is None}
    found_unpaired = {key for key, partner in found.items() if partner is None}
    hits = len(gold_unpaired & found_unpaired)
    precision = hits / len(found_unpaired) if found_unpaired else 1.0
    recall = hits / len(gold_unpaired) if gold_unpaired else 1.0
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "hits": hits,
            "gold_unpaired": len(gold_unpaired), "found_unpaired": len(found_unpaired), "risks": len(gold)}


def main() -> None:
    gold_pairs = json.loads(GOLD.read_text(encoding="utf-8"))["pairs"]
    embedder = get_embedder("fast")
    methods: dict[str, Callable[[list[Risk], list[Risk]], list[tuple[int, int]]]] = {
        "sec-analyzer": matched_pairs, "identical heading (baseline)": heading_pairs,
    }
    rows, totals = [], {name: {"correct": 0.0, "risks": 0, "hits": 0, "gold": 0, "found": 0} for name in methods}
    for pair in gold_pairs:
        previous = load_risks(pair["previous_document"], embedder)
        current = load_risks(pair["current_document"], embedder)
        if [risk.heading[:80] for risk in previous] != pair["previous_headings"] or [
            risk.heading[:80] for risk in current
        ] != pair["current_headings"]:
            raise SystemExit(f"{pair['ticker']}: the segmenter no longer gives the gold file's risks; re-check the gold")
        gold = outcome([tuple(item) for item in pair["pairs"]], previous, current)
        for name, method in methods.items():
            started = time.perf_counter()
            found = outcome(method(previous, current), previous, current)
            seconds = time.perf_counter() - started
            result = scores(gold, found)
            total = totals[name]
            total["correct"] += result["accuracy"] * result["risks"]
            total["risks"] += result["risks"]
            total["hits"] += result["hits"]
            total["gold"] += result["gold_unpaired"]
            total["found"] += result["found_unpaired"]
            rows.append(f"| {pair['ticker']} {pair['previous_year']}→{pair['current_year']} | {name} | "
                        f"{len(previous)}→{len(current)} | {result['accuracy']:.3f} | {result['precision']:.2f} | "
                        f"{result['recall']:.2f} | {result['gold_unpaired']} | {seconds * 1000:.0f} |")
    lines = [
        "# Year-over-year risk matching against hand-checked pairs",
        "",
        "Gold: `benchmarks/gold/risk_changes.json` (pairings read off both filings). Accuracy: share of the "
        "risks of both years whose partner (or none) is the reader's. Precision and recall: of the risks "
        "called NEW or REMOVED. `.venv/bin/python benchmarks/changes.py`.",
        "",
        "| pair | method | risks | pairing accuracy | NEW/REMOVED precision | recall | gold NEW+REMOVED | ms |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| overall | pairing accuracy | NEW/REMOVED precision | recall |",
        "|---|---|---|---|",
    ]
    for name, total in totals.items():
        precision = total["hits"] / total["found"] if total["found"] else 1.0
        recall = total["hits"] / total["gold"] if total["gold"] else 1.0
        lines.append(f"| {name} | {total['correct'] / total['risks']:.3f} | {precision:.2f} | {recall:.2f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
