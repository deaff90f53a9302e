"""Embedding benchmark: the fp32 baseline against the shipped path, in the same run, on the corpus.

Usage: .venv/bin/python benchmarks/embedding.py [--corpus ../shared/corpus] [--labels data/labels/risk_factor_labels.csv]

Input: every risk factor of the corpus 10-Ks, segmented as the pipeline does (heading + whole
body, long bodies windowed as `sec_analyzer/analysis/embedding.py` documents).
Speed: both paths embed the same risks in alternating chunks of 64, so a change of load on a
shared machine hits both alike; risks/s counts embedding only (tokenizing, windowing, pooling),
after a warm-up chunk each, with the model loaded. Model load times are printed apart.
Agreement: cosine of the shipped path's vector with the fp32 vector of the same risk.
Classification: primary-label macro-F1 (scikit-learn's, over every category that occurs in the
truth or the predictions) of the serving zero-shot classifier on the shipped path's vectors,
on every labeled risk and on the gold companies; and of the prototype-with-examples classifier
split by company, never by row: trained on the non-gold companies and scored on the gold ones,
and leave-one-company-out over all labeled companies.
Writes `benchmarks/results/embedding.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sec_analyzer.analysis.classifier import LabeledExample, get_classifier
from sec_analyzer.analysis.embedding import Embedder, cpu_has_native_bf16, get_embedder
from sec_analyzer.analysis.labels import GOLD_TICKERS, RiskText, read_label_sheet, risk_texts_from_filings
from sec_analyzer.analysis.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = ROOT / "benchmarks" / "results" / "embedding.md"
CHUNK = 64


class KnownVectors:
    """The shipped embedder, answering from vectors already computed in this run when it can."""

    def __init__(self, inner: Embedder, known: dict[tuple[str, str], np.ndarray]) -> None:
        self._inner, self._known = inner, known
        self.name, self.version, self.dimension, self.path = (
            inner.name,
            inner.version,
            inner.dimension,
            inner.path,
        )

    def embed(self, risks: Sequence[tuple[str, str]]) -> np.ndarray:
        keys = [(heading, text) for heading, text in risks]
        missing = list(dict.fromkeys(key for key in keys if key not in self._known))
        if missing:
            self._known.update(zip(missing, self._inner.embed(missing), strict=True))
        return np.stack([self._known[key] for key in keys]) if keys else self._inner.embed([])


def timed_embeddings(
    risks: list[tuple[str, str]], embedders: dict[str, Embedder]
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    for embedder in embedders.values():
        embedder.embed(risks[:CHUNK])  # warm-up: first-call allocations and shape compilation
    seconds = dict.fromkeys(embedders, 0.0)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in embedders}
    for start in range(0, len(risks), CHUNK):
        chunk = risks[start : start + CHUNK]
        for name, embedder in embedders.items():
            began = time.perf_counter()
            parts[name].append(embedder.embed(chunk))
            seconds[name] += time.perf_counter() - began
        print(f"\r  embedded {start + len(chunk)}/{len(risks)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {name: np.concatenate(chunks) for name, chunks in parts.items()}, seconds


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def classification_figures(
    labels_path: Path, texts: dict[str, RiskText], embedder: Any
) -> list[tuple[str, int, int, float]]:
    taxonomy = load_taxonomy()
    labels = [label for label in read_label_sheet(labels_path, taxonomy.ids) if label.risk_id in texts]
    risks = [texts[label.risk_id] for label in labels]
    truth = [label.primary for label in labels]
    tickers = np.array([label.ticker for label in labels])
    vectors = embedder.embed([(risk.heading, risk.text) for risk in risks])
    headings = [risk.heading for risk in risks]

    def predict(classifier_examples: list[LabeledExample], rows: np.ndarray) -> list[str]:
        classifier = get_classifier(embedder, taxonomy, classifier_examples)
        scores = classifier.scores(vectors[rows], [headings[row] for row in rows])
        return [classifier.categories[index] for index in scores.argmax(axis=1)]

    def examples(rows: np.ndarray) -> list[LabeledExample]:
        return [LabeledExample(risks[row].heading, risks[row].text, labels[row].labels) for row in rows]

    everything = np.arange(len(labels))
    gold = np.flatnonzero(np.isin(tickers, GOLD_TICKERS))
    not_gold = np.flatnonzero(~np.isin(tickers, GOLD_TICKERS))
    zero_shot = predict([], everything)
    figures = [
        ("zero-shot (definitions + cues), every labeled risk", len(set(tickers)), len(everything), macro_f1(truth, zero_shot)),
        ("zero-shot, gold companies " + ", ".join(GOLD_TICKERS), len(GOLD_TICKERS), len(gold),
         macro_f1([truth[row] for row in gold], [zero_shot[row] for row in gold])),
        ("with examples of the other companies, gold companies", len(GOLD_TICKERS), len(gold),
         macro_f1([truth[row] for row in gold], predict(examples(not_gold), gold))),
    ]  # fmt: skip
    held_out: list[str] = [""] * len(labels)
    for ticker in sorted(set(tickers)):
        test_rows = np.flatnonzero(tickers == ticker)
        for row, category in zip(
            test_rows, predict(examples(np.flatnonzero(tickers != ticker)), test_rows), strict=True
        ):
            held_out[row] = category
    figures.append(
        (
            "with examples, leave one company out, every labeled risk",
            len(set(tickers)),
            len(labels),
            macro_f1(truth, held_out),
        )
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--labels", type=Path, default=ROOT / "data" / "labels" / "risk_factor_labels.csv")
    arguments = parser.parse_args()

    texts = risk_texts_from_filings(arguments.corpus / "10-K")
    risks = [(risk.heading, risk.text) for risk in texts.values()]
    filings = len({(risk.ticker, risk.fiscal_year) for risk in texts.values()})
    print(f"{len(risks)} risk factors of {filings} corpus filings")

    load_seconds = {}
    embedders: dict[str, Embedder] = {}
    for precision in ("fp32", "fast"):
        began = time.perf_counter()
        embedders[precision] = get_embedder(precision)  # type: ignore[arg-type]
        load_seconds[precision] = time.perf_counter() - began
    baseline, shipped = embedders["fp32"], embedders["fast"]
    load_before = os.getloadavg()[0]
    vectors, seconds = timed_embeddings(risks, {"fp32": baseline, "fast": shipped})
    load_after = os.getloadavg()[0]
    rates = {name: len(risks) / seconds[name] for name in seconds}
    ratio = rates["fast"] / rates["fp32"]
    cosines = (vectors["fast"] * vectors["fp32"]).sum(axis=1)
    print(f"{baseline.path:>14}: {rates['fp32']:6.1f} risks/s  (load {load_seconds['fp32']:.1f} s)")
    print(f"{shipped.path:>14}: {rates['fast']:6.1f} risks/s  (load {load_seconds['fast']:.1f} s)")
    print(f"ratio {ratio:.2f}x   cosine vs fp32: min {cosines.min():.6f}, mean {cosines.mean():.6f}")

    known = {risk: vector for risk, vector in zip(risks, vectors["fast"], strict=True)}
    figures = classification_figures(arguments.labels, texts, KnownVectors(shipped, known))
    for what, companies, rows, score in figures:
        print(f"macro-F1 {score:.3f}  {what} ({companies} companies, {rows} risks)")

    windows_per_risk = np.mean([len(windows) for windows in baseline.token_windows(risks)])
    lines = [
        "# Embedding benchmark",
        "",
        f"`benchmarks/embedding.py`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {len(risks)} risk factors of "
        f"{filings} corpus 10-Ks (heading + whole body; {windows_per_risk:.2f} windows of ≤256 tokens per risk on average). "
        f"CPU: {len(os.sched_getaffinity(0))} cores, native bf16: {'yes' if cpu_has_native_bf16() else 'no'}; "
        f"{platform.python_version()}; load average {load_before:.1f} → {load_after:.1f} during the timing "
        "(a shared machine: both paths ran in alternating chunks of 64 so load changes hit both).",
        "",
        "| path | risks/s | embedding time (s) | model load (s) | cosine vs fp32 (min / mean) |",
        "|---|---:|---:|---:|---|",
        f"| {baseline.path} (baseline, `--precision fp32`) | {rates['fp32']:.1f} | {seconds['fp32']:.1f} | {load_seconds['fp32']:.1f} | 1 / 1 |",
        f"| **{shipped.path}** (shipped, `--precision fast`) | **{rates['fast']:.1f}** | {seconds['fast']:.1f} | {load_seconds['fast']:.1f} | "
        f"{cosines.min():.6f} / {cosines.mean():.6f} |",
        "",
        f"**Ratio {ratio:.2f}×** (goal ≥ 2, 2.5 better); minimum cosine {cosines.min():.6f} (goal ≥ 0.999).",
        "",
        "## Classification (primary label, macro-F1, split by company)",
        "",
        "| classifier and split | companies | risks | macro-F1 |",
        "|---|---:|---:|---:|",
        *(f"| {what} | {companies} | {rows} | {score:.3f} |" for what, companies, rows, score in figures),
        "",
        "The zero-shot classifier learns nothing from labels, so every labeled company is unseen by it; "
        "its one tuned setting, the heading weight 0.5, was picked while seeing every labeled company, gold "
        "included (measured by hand, 2026-12-01: on the non-gold companies alone 0.6 scores 0.747 against "
        "0.740 and would give 0.699 on gold). Score temperature and secondary-label ratio do not move the primary.",
        "",
    ]
    RESULTS_PATH.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
