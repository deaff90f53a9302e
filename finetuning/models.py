"""The tournament's trainable models, each producing the serving object of `sec_analyzer.registry.loaders`.

- `train_logreg_head`: one-vs-rest logistic regressions on frozen MiniLM features (heading vector
  + heading-with-opening vector): one head for the primary label, one for any label.
- `train_prototype_head`: few-shot label-description prototypes learned from the data: a cosine
  classifier whose prototypes start at the taxonomy's definition-and-cue embeddings and move toward
  the labeled examples, held near their start by a penalty (so a category with a handful of
  examples keeps its description's meaning).
- `train_finetuned_minilm`: MiniLM itself fine-tuned with a classification head (transformers, CPU,
  bf16 autocast where the CPU supports it).

The cheap heads are fitted on the training and validation companies; their temperature and
secondary-label threshold come from out-of-fold scores with folds by company, so calibration never
sees a model's own training rows. The fine-tune is fitted on the training companies and calibrated
on the validation companies. Nothing here touches the gold split.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sec_analyzer.analysis.labels import LabeledRisk
from sec_analyzer.registry.loaders import (
    HEAD_CONFIG,
    EmbeddingHeadClassifier,
    FineTunedClassifier,
    ScoredHead,
    choose_labels,
    opening,
    softmax,
)

TEMPERATURES = np.geomspace(0.05, 20.0, 96)
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.05), 2)
MISSING_CATEGORY_BIAS = -10.0  # a category without training examples is never predicted


@dataclass(frozen=True)
class Targets:
    primary: np.ndarray  # [n] category index
    labels: np.ndarray  # [n, categories] 0/1
    weights: np.ndarray  # [n] sample weight
    groups: np.ndarray  # [n] company
    human: np.ndarray  # [n] bool


def targets_of(risks: Sequence[LabeledRisk], categories: Sequence[str], weak_weight: float) -> Targets:
    index = {category: position for position, category in enumerate(categories)}
    labels = np.zeros((len(risks), len(categories)), dtype=np.int64)
    for row, risk in enumerate(risks):
        labels[row, [index[c] for c in risk.labels]] = 1
    human = np.array([risk.source == "human" for risk in risks])
    weights = np.where(human, 1.0, weak_weight * np.array([risk.confidence for risk in risks]))
    return Targets(
        primary=np.array([index[risk.primary] for risk in risks], dtype=np.int64),
        labels=labels,
        weights=weights.astype(np.float64),
        groups=np.array([risk.ticker for risk in risks]),
        human=human,
    )


def fit_temperature(logits: np.ndarray, primary: np.ndarray) -> float:
    """The softmax temperature with the least negative log-likelihood of the true primaries."""
    best, best_loss = 1.0, math.inf
    for temperature in TEMPERATURES:
        probabilities = softmax(logits, float(temperature))
        loss = -np.log(np.clip(probabilities[np.arange(len(primary)), primary], 1e-12, None)).mean()
        if loss < best_loss:
            best, best_loss = float(temperature), float(loss)
    return best


def fit_label_threshold(primary_probabilities: np.ndarray, label_scores: np.ndarray, labels: np.ndarray) -> float:
    """The secondary-label threshold with the best micro-F1 over the 1–3 label sets."""
    categories = [str(i) for i in range(labels.shape[1])]
    best, best_f1 = 0.5, -1.0
    for threshold in THRESHOLDS:
        chosen = choose_labels(primary_probabilities, label_scores, float(threshold), categories)
        predicted = np.zeros_like(labels)
        for row, picks in enumerate(chosen):
            predicted[row, [int(category) for category, _ in picks]] = 1
        true_positive = float((predicted & labels).sum())
        f1 = 2 * true_positive / max(float(predicted.sum() + labels.sum()), 1.0)
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


def company_folds(groups: np.ndarray, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    count = min(count, len(set(groups.tolist())))
    return list(GroupKFold(n_splits=count).split(np.zeros(len(groups)), groups=groups))


# -------------------------------------------------------------------------------------------------
# logistic regression heads


def _fit_one_vs_rest(features: np.ndarray, targets: np.ndarray, weights: np.ndarray, regularization: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``[categories, features]`` and biases of one balanced logistic regression per category."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    weight = np.zeros((targets.shape[1], features.shape[1]), dtype=np.float64)
    bias = np.full(targets.shape[1], MISSING_CATEGORY_BIAS)
    # small problems: one BLAS thread is 15x faster than two on a busy machine (measured)
    with threadpool_limits(1):
        for category in range(targets.shape[1]):
            positives = targets[:, category]
            if positives.sum() == 0 or positives.all():
                continue
            model = LogisticRegression(C=regularization, class_weight="balanced", max_iter=3000, random_state=seed)
            model.fit(features, positives, sample_weight=weights)
            weight[category], bias[category] = model.coef_[0], model.intercept_[0]
    return weight, bias


def fit_logreg_head(features: np.ndarray, targets: Targets, rows: np.ndarray, config: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    primary_onehot = np.eye(targets.labels.shape[1], dtype=np.int64)[targets.primary[rows]]
    primary_weight, primary_bias = _fit_one_vs_rest(features[rows], primary_onehot, targets.weights[rows], config["C"], seed)
    weights = {"primary_weight": primary_weight, "primary_bias": primary_bias}
    if config.get("label_head", True):
        label_weight, label_bias = _fit_one_vs_rest(features[rows], targets.labels[rows], targets.weights[rows], config["C"], seed)
        weights |= {"label_weight": label_weight, "label_bias": label_bias}
    return weights


# -------------------------------------------------------------------------------------------------
# learned label-description prototypes


def fit_prototype_head(
    features: np.ndarray, targets: Targets, rows: np.ndarray, config: dict[str, Any], seed: int, description_prototypes: np.ndarray
) -> dict[str, np.ndarray]:
    """Fit prototypes by cross-entropy on cosine similarities; return them as an equivalent linear head.

    The features are two unit vectors side by side (blocks heading and opening, norm √2), so
    cosine(x, p) = x·p̂/√2 and the whole classifier is the linear map W = scale·p̂/√2, b.
    """
    import torch

    threads = torch.get_num_threads()
    # hundreds of tiny steps: a second thread only adds synchronisation (measured 7x slower on a busy machine)
    torch.set_num_threads(1)
    try:
        return _fit_prototypes(torch, features[rows], targets, rows, config, seed, description_prototypes)
    finally:
        torch.set_num_threads(threads)


def _fit_prototypes(
    torch: Any, features: np.ndarray, targets: Targets, rows: np.ndarray, config: dict[str, Any], seed: int, description_prototypes: np.ndarray
) -> dict[str, np.ndarray]:
    generator = torch.Generator().manual_seed(seed)
    start = torch.tensor(description_prototypes, dtype=torch.float32)
    prototypes = torch.nn.Parameter(start.clone() + 0.001 * torch.randn(start.shape, generator=generator))
    log_scale = torch.nn.Parameter(torch.tensor(math.log(config["initial_scale"])))
    bias = torch.nn.Parameter(torch.zeros(start.shape[0]))
    x = torch.nn.functional.normalize(torch.tensor(features, dtype=torch.float32), dim=1)
    y = torch.tensor(targets.primary[rows])
    sample_weight = torch.tensor(targets.weights[rows], dtype=torch.float32)
    counts = torch.bincount(y, minlength=start.shape[0]).float().clamp(min=1.0)
    class_weight = (counts.sum() / counts) / (counts.sum() / counts).mean()  # balance rare categories
    optimizer = torch.optim.Adam([prototypes, log_scale, bias], lr=config["learning_rate"])
    for _ in range(config["epochs"]):
        optimizer.zero_grad()
        logits = log_scale.exp() * x @ torch.nn.functional.normalize(prototypes, dim=1).T + bias
        loss = (torch.nn.functional.cross_entropy(logits, y, weight=class_weight, reduction="none") * sample_weight).mean()
        loss = loss + config["anchor_penalty"] * ((prototypes - start) ** 2).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        weight = (log_scale.exp() * torch.nn.functional.normalize(prototypes, dim=1) / math.sqrt(2.0)).numpy()
    return {"primary_weight": weight.astype(np.float64), "primary_bias": bias.detach().numpy().astype(np.float64)}


def description_prototypes(embedder: Any, taxonomy: Any) -> np.ndarray:
    """Each category's definition and cues, embedded and averaged, in the two-vector feature space."""
    rows = []
    for category in taxonomy.categories:
        anchors = embedder.embed([("", category.definition), *(("", cue) for cue in category.cues)]).mean(axis=0)
        anchors = anchors / np.linalg.norm(anchors)
        rows.append(np.concatenate([anchors, anchors]))
    return np.stack(rows)


# -------------------------------------------------------------------------------------------------
# training a head with out-of-fold calibration


HeadFitter = Callable[[np.ndarray, Targets, np.ndarray, dict[str, Any], int], dict[str, np.ndarray]]


def train_embedding_head(
    fit: HeadFitter,
    features: np.ndarray,
    risks: Sequence[LabeledRisk],
    categories: Sequence[str],
    config: dict[str, Any],
    seed: int,
    name: str,
    blocks: Sequence[str],
    zero_shot_version: str | None,
) -> tuple[EmbeddingHeadClassifier, dict[str, Any]]:
    """Out-of-fold (by company) scores calibrate the temperature and threshold; then fit on all rows."""
    targets = targets_of(risks, categories, config.get("weak_label_weight", 0.5))
    out_of_fold_logits = np.zeros((len(risks), len(categories)))
    out_of_fold_labels: np.ndarray | None = None
    for train_rows, held_rows in company_folds(targets.groups, config.get("calibration_folds", 5)):
        weights = fit(features, targets, train_rows, config, seed)
        out_of_fold_logits[held_rows] = features[held_rows] @ weights["primary_weight"].T + weights["primary_bias"]
        if "label_weight" in weights:
            if out_of_fold_labels is None:
                out_of_fold_labels = np.zeros((len(risks), len(categories)))
            label_logits = features[held_rows] @ weights["label_weight"].T + weights["label_bias"]
            out_of_fold_labels[held_rows] = 1.0 / (1.0 + np.exp(-label_logits))
    human = targets.human
    temperature = fit_temperature(out_of_fold_logits[human], targets.primary[human])
    primary = softmax(out_of_fold_logits[human], temperature)
    # without a label head, secondary labels are scored relative to the primary, as at serving time
    label_scores = out_of_fold_labels[human] if out_of_fold_labels is not None else primary / primary.max(axis=1, keepdims=True)
    threshold = fit_label_threshold(primary, label_scores, targets.labels[human])
    final = EmbeddingHeadClassifier(
        name, "unregistered", ScoredHead(tuple(categories), temperature, threshold),
        fit(features, targets, np.arange(len(risks)), config, seed), blocks, zero_shot_version,
    )
    calibration = {"temperature": temperature, "label_threshold": threshold,
                   "out_of_fold_primary_accuracy": float((out_of_fold_logits[human].argmax(1) == targets.primary[human]).mean())}
    return final, calibration


# -------------------------------------------------------------------------------------------------
# full fine-tune


def bf16_autocast_supported() -> bool:
    from sec_analyzer.analysis.embedding import cpu_has_native_bf16

    return cpu_has_native_bf16()


def train_finetuned_minilm(
    train: Sequence[LabeledRisk],
    validation: Sequence[LabeledRisk],
    categories: Sequence[str],
    config: dict[str, Any],
    seed: int,
    output_dir: Path,
    name: str,
) -> tuple[FineTunedClassifier, dict[str, Any]]:
    """Fine-tune all of MiniLM on the primary label (soft targets share `secondary_mass` among
    secondary labels); calibrate temperature and threshold on the validation companies."""
    import torch
    import transformers
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from sec_analyzer.analysis.embedding import model_source

    transformers.logging.set_verbosity_error()  # the "newly initialised head" report is expected
    transformers.logging.disable_progress_bar()
    torch.manual_seed(seed)
    source = model_source().directory
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(source), num_labels=len(categories), id2label=dict(enumerate(categories)),
        label2id={c: i for i, c in enumerate(categories)},
    )
    targets = targets_of(train, categories, config.get("weak_label_weight", 0.5))
    soft = np.zeros((len(train), len(categories)), dtype=np.float32)
    for row in range(len(train)):
        secondary = [c for c in np.flatnonzero(targets.labels[row]) if c != targets.primary[row]]
        soft[row, targets.primary[row]] = 1.0 - (config["secondary_mass"] if secondary else 0.0)
        for column in secondary:
            soft[row, column] = config["secondary_mass"] / len(secondary)
    encoded = tokenizer(
        [risk.heading for risk in train], [opening(risk.text) for risk in train],
        truncation=True, max_length=config["max_length"], padding=True, return_tensors="pt",
    )
    head_parameters = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body_parameters = [p for n, p in model.named_parameters() if not n.startswith("classifier")]
    optimizer = torch.optim.AdamW(
        [{"params": body_parameters, "lr": config["learning_rate"]}, {"params": head_parameters, "lr": config["head_learning_rate"]}],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(train) / config["batch_size"])
    total_steps = config.get("max_steps") or steps_per_epoch * config["epochs"]
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: max(0.0, 1.0 - step / max(total_steps, 1)))
    use_bf16 = config.get("bf16", True) and bf16_autocast_supported()
    generator = torch.Generator().manual_seed(seed)
    weights = torch.tensor(targets.weights, dtype=torch.float32)
    soft_targets = torch.tensor(soft)
    model.train()
    step, started = 0, time.perf_counter()
    while step < total_steps:
        for batch in torch.randperm(len(train), generator=generator).split(config["batch_size"]):
            if step >= total_steps:
                break
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
                logits = model(input_ids=encoded["input_ids"][batch], attention_mask=encoded["attention_mask"][batch]).logits
            loss = (torch.nn.functional.cross_entropy(logits.float(), soft_targets[batch], reduction="none") * weights[batch]).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
    train_seconds = time.perf_counter() - started
    model.eval()
    model_dir = output_dir / "model"
    model.save_pretrained(str(model_dir))
    tokenizer.save_pretrained(str(model_dir))
    provisional = FineTunedClassifier(name, "unregistered", ScoredHead(tuple(categories), 1.0, 0.5), model_dir, config["max_length"])
    validation_targets = targets_of(validation, categories, 1.0)
    logits = provisional.logits([r.heading for r in validation], [r.text for r in validation])
    temperature = fit_temperature(logits, validation_targets.primary)
    primary = softmax(logits, temperature)
    threshold = fit_label_threshold(primary, primary / primary.max(axis=1, keepdims=True), validation_targets.labels)
    (output_dir / HEAD_CONFIG).write_text(
        json.dumps({"categories": list(categories), "temperature": temperature, "label_threshold": threshold,
                    "max_length": config["max_length"], "features": "heading+opening"}, indent=2) + "\n",
        encoding="utf-8",
    )
    classifier = FineTunedClassifier.load(output_dir, name, "unregistered")
    return classifier, {"temperature": temperature, "label_threshold": threshold, "steps": step,
                        "bf16_autocast": use_bf16, "loop_seconds": round(train_seconds, 2)}
