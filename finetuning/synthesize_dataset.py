"""Build the labeled set of a data config (`configs/finetuning/data/*.yaml`).

The texts come from the results database or from segmenting a folder of filings; the labels from
`data/labels/`; weak labels, when the config asks, from the taxonomy's keyword cues and the
serving (zero-shot) classifier. `python -m finetuning.synthesize_dataset data=labeled_weak` writes
the set into a run folder as JSON lines, with its data version and counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

from finetuning.lineage import RunContext
from sec_analyzer.analysis.labels import (
    LabeledSet,
    LabelError,
    RiskText,
    WeakLabeler,
    build_labeled_set,
    classifier_weak_labeler,
    keyword_weak_labeler,
    read_label_sheet,
    risk_texts_from_database,
    risk_texts_from_filings,
)


def load_texts(data: DictConfig | dict[str, Any]) -> dict[str, RiskText]:
    if data["texts"] == "filings":
        folder = Path(data["filings_dir"])
        if not folder.is_dir():
            raise LabelError(f"the filings folder {folder} does not exist (set data.filings_dir or SEC_ANALYZER_CORPUS_DIR)")
        texts = risk_texts_from_filings(folder, data.get("tickers") or ())
    elif data["texts"] == "database":
        texts = risk_texts_from_database(data.get("database_url"))
    else:
        raise LabelError(f"data.texts must be 'filings' or 'database', not {data['texts']!r}")
    tickers = set(data.get("tickers") or [])
    return {risk_id: text for risk_id, text in texts.items() if not tickers or text.ticker in tickers}


def weak_labelers(data: DictConfig | dict[str, Any]) -> list[WeakLabeler]:
    settings = data["weak_labels"]
    labelers: list[WeakLabeler] = []
    if not (settings["keywords"] or settings["classifier"]):
        return labelers
    from sec_analyzer.analysis.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    if settings["keywords"]:
        labelers.append(keyword_weak_labeler(taxonomy, settings["min_confidence"]))
    if settings["classifier"]:
        from sec_analyzer.analysis.classifier import get_classifier
        from sec_analyzer.analysis.embedding import get_embedder

        embedder = get_embedder("fast")
        labelers.append(classifier_weak_labeler(get_classifier(embedder, taxonomy), embedder, settings["min_confidence"]))
    return labelers


def synthesize(data: DictConfig | dict[str, Any], seed: int, texts: dict[str, RiskText] | None = None) -> LabeledSet:
    """The labeled set of a data config; `texts` skips loading them again."""
    from sec_analyzer.analysis.taxonomy import load_taxonomy

    categories = load_taxonomy().ids
    texts = texts if texts is not None else load_texts(data)
    tickers = set(data.get("tickers") or [])
    labels = [label for label in read_label_sheet(Path(data["labels_path"]), categories) if not tickers or label.ticker in tickers]
    return build_labeled_set(
        labels, texts, categories,
        validation_companies=data["validation_companies"], seed=seed, weak_labelers=weak_labelers(data),
    )


def write_dataset(labeled: LabeledSet, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for risk in labeled.risks:
            stream.write(json.dumps({"risk_id": risk.risk_id, "split": risk.split, "source": risk.source,
                                     "labels": list(risk.labels), "confidence": risk.confidence,
                                     "heading": risk.heading, "text": risk.text}, ensure_ascii=False) + "\n")
    return path


@hydra.main(config_path="../configs/finetuning", config_name="synthesize", version_base=None)
def main(config: DictConfig) -> None:
    run = RunContext.start("dataset", Path(config.experiments_dir))
    labeled = synthesize(config.data, config.seed)
    write_dataset(labeled, run.directory / "dataset.jsonl")
    run.write_config(OmegaConf.to_container(config, resolve=True), data_version=labeled.data_version, seed=config.seed)  # type: ignore[arg-type]
    run.write_metrics({"dataset": labeled.summary()})
    print(json.dumps(labeled.summary(), indent=2))
    print(f"wrote {run.directory}")


if __name__ == "__main__":
    main()
