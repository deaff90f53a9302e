"""Markdown of a tournament and of an evaluation."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from typing import Any

PRIMARY_TARGET = 0.70
GAIN_TARGET = 0.10


def _f(value: float) -> str:
    return f"{value:.3f}"


def _summary_row(name: str, metrics: dict[str, Any], train_seconds: float | str) -> str:
    gold = metrics
    return (
        f"| {name} | {_f(gold['primary']['macro_f1'])} | {_f(gold['primary']['micro_f1'])} | "
        f"{_f(gold['multilabel']['macro_f1'])} | {_f(gold['multilabel']['micro_f1'])} | "
        f"{_f(gold['primary']['primary_in_true_labels'])} | {_f(gold['ece'])} | "
        f"{train_seconds if isinstance(train_seconds, str) else f'{train_seconds:.1f}'} | {gold['inference_ms_per_risk']:.1f} |"
    )


SUMMARY_HEADER = (
    "| model | macro-F1 primary | micro-F1 primary | macro-F1 labels | micro-F1 labels | primary among true labels | ECE | train s | inference ms/risk |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def per_category_table(metrics: dict[str, Any]) -> str:
    lines = ["| category | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for category, score in metrics["per_category"].items():
        lines.append(f"| `{category}` | {_f(score['precision'])} | {_f(score['recall'])} | {_f(score['f1'])} | {score['support']} |")
    return "\n".join(lines)


def confusion_table(metrics: dict[str, Any]) -> str:
    """Rows are the true primary label, columns the predicted one (abbreviated to 4 letters)."""
    labels = metrics["confusion"]["labels"]
    lines = ["| true \\ predicted | " + " | ".join(label[:4] for label in labels) + " |",
             "|---|" + "---:|" * len(labels)]
    for label, row in zip(labels, metrics["confusion"]["matrix"], strict=True):
        lines.append(f"| `{label}` | " + " | ".join(str(value) if value else "·" for value in row) + " |")
    return "\n".join(lines)


def tournament_markdown(
    *, run_id: str, data_summary: dict[str, Any], seed: int, runs: Sequence[Any], promotions: Sequence[str], champion: str | None
) -> str:
    zero_shot = next((run for run in runs if run.metrics["kind"] == "zero_shot"), None)
    baseline = zero_shot.metrics["gold"]["primary"]["macro_f1"] if zero_shot else None
    gold_count = runs[0].metrics["gold"]["count"] if runs else 0
    lines = [
        "# Risk classification: model tournament",
        "",
        f"Run `{run_id}` (`python -m finetuning.tournament`, seed {seed}); data version `{data_summary['data_version']}`; "
        f"{platform.processor() or platform.machine()}, torch on 2 threads. Every model is trained on the same labeled set "
        f"and split and evaluated through the `RiskClassifier` it is served by (embedding included in inference time).",
        "",
        f"- **Gold split**: {', '.join(data_summary['gold_tickers'])} — {gold_count} human-labeled risk factors, never trained on.",
        f"- **Validation**: {', '.join(data_summary['validation_tickers'])} (calibration of the fine-tune; the embedding heads fit on "
        "train + validation and calibrate on out-of-fold scores with folds by company).",
        f"- **Training rows** by split: {data_summary['by_split']}; by source: {data_summary['by_source']}.",
        "- macro-F1 primary: over the categories present in the gold truth or predictions; labels: over the 1–3 label sets; "
        "ECE: expected calibration error of the primary label's confidence (10 bins).",
        "",
        "## Gold split",
        "",
        SUMMARY_HEADER,
    ]
    for run in runs:
        lines.append(_summary_row(run.name, run.metrics["gold"], run.metrics["train_seconds"]))
    lines.append("")
    if baseline is not None:
        lines.append(f"Targets for the promoted model: macro-F1 (primary) ≥ {PRIMARY_TARGET:.2f} and ≥ zero-shot + {GAIN_TARGET:.2f} "
                     f"= {baseline + GAIN_TARGET:.3f}.")
        for run in runs:
            value = run.metrics["gold"]["primary"]["macro_f1"]
            verdict = "meets" if value >= PRIMARY_TARGET and value >= baseline + GAIN_TARGET else "misses"
            lines.append(f"- {run.name}: {_f(value)} ({value - baseline:+.3f} over zero-shot): {verdict} the targets")
        lines.append("")
    lines += ["## Promotion (champion/challenger gate, `configs/registry.yaml`)", ""]
    lines += [f"- {line}" for line in promotions] or ["- nothing registered"]
    lines += ["", f"Champion after the tournament: **{champion or 'none'}**.", ""]
    for run in runs:
        gold = run.metrics["gold"]
        lines += [f"## {run.name}", "", f"Run `{run.run_id}`; trained on {', '.join(run.metrics['trained_on']) or 'nothing'}; "
                  f"train {run.metrics['train_seconds']:.1f} s; gold inference {gold['inference_seconds']:.1f} s "
                  f"({gold['inference_ms_per_risk']:.1f} ms per risk). Training details: `{run.metrics['training']}`.", ""]
        if "validation" in run.metrics:
            validation = run.metrics["validation"]
            lines += [f"Validation split: macro-F1 primary {_f(validation['primary']['macro_f1'])}, ECE {_f(validation['ece'])}.", ""]
        lines += ["Per category (gold, primary label):", "", per_category_table(gold), "",
                  "Confusion matrix (gold, primary label):", "", confusion_table(gold), ""]
    return "\n".join(lines)


def evaluation_markdown(
    run_id: str, model: str, described: str, data_version: str, served: dict[str, Any], baseline: dict[str, Any]
) -> str:
    gain = served["primary"]["macro_f1"] - baseline["primary"]["macro_f1"]
    lines = [
        "# Risk classification: evaluation of the served model",
        "",
        f"Run `{run_id}` (`python -m finetuning.evaluate`); evaluated on the {described}, {served['count']} risk factors; "
        f"data version `{data_version}`. Both models served through `RiskClassifier` as the classified stage serves them.",
        "",
        SUMMARY_HEADER,
        _summary_row(f"{model} (served)", served, "—"),
        _summary_row("zero-shot prototypes (same run)", baseline, "—"),
        "",
        f"Gain over zero-shot: {gain:+.3f} macro-F1 (primary). Targets: ≥ {PRIMARY_TARGET:.2f} and ≥ +{GAIN_TARGET:.2f}: "
        f"{'met' if served['primary']['macro_f1'] >= PRIMARY_TARGET and gain >= GAIN_TARGET else 'not met'}.",
        "",
        "Per category of the served model:",
        "",
        per_category_table(served),
        "",
    ]
    return "\n".join(lines)
