"""The labeled set of risk factors: the team's labels, weak labels, company splits, a data version.

Human labels
    `data/labels/risk_factor_labels.csv`, one row per risk factor (`risk_id` = partition key +
    3-digit ordinal, e.g. `AAPL-2024-003`), 1–3 taxonomy categories in `labels` (primary first,
    `;`-separated) and a confidence of `clear-cut` or `borderline`. `read_label_sheet` validates a
    sheet and stops at the first bad row with a one-line error naming it.

Texts
    The labels hold only headings; the texts come from the stored risk factors (the results
    database, `risk_texts_from_database`) or from segmenting a folder of 10-K filings the way the
    pipeline does (`risk_texts_from_filings`). Both key them by `risk_id`.

Splits
    By company, never by row. The gold companies (`GOLD_TICKERS`, about a quarter of the labels,
    across industries) are never trained on and every evaluation reports them. Of the other
    companies a seed-determined few form the validation split (thresholds, calibration); the
    rest are the training split.

Weak labels
    Optional, for risk factors of training companies that nobody labeled: each weak labeler
    (keyword cues of the taxonomy, the serving classifier) proposes labels with a confidence;
    a proposal below its source's minimum confidence is dropped. Human labels always win.

Data version
    A content hash of every row the set holds (id, split, source, labels, confidence and a hash of
    the text), so two builds with the same inputs have the same version and any change shows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sec_analyzer.errors import SecAnalyzerError

LABEL_COLUMNS = ("risk_id", "ticker", "fiscal_year", "ordinal", "heading", "labels", "confidence", "labeler", "rule", "note")
REVIEW_COLUMNS = (*LABEL_COLUMNS, "source", "score")
CONFIDENCES = ("clear-cut", "borderline")
MAX_LABELS = 3
HEADING_CHARACTERS = 200  # the label file keeps the start of a heading, enough to recognise it
RISK_ID = re.compile(r"^(?P<ticker>[A-Z][A-Z0-9.\-]*)-(?P<year>\d{4})-(?P<ordinal>\d{3})$")

# Chosen by company across industries (retail/cloud, health care, beverages, aerospace, media):
# 143 of the 572 team labels. Never trained on; changing it invalidates every reported figure.
GOLD_TICKERS = ("AMZN", "BA", "JNJ", "KO", "NFLX")
DEFAULT_LABELS_PATH = Path("data/labels/risk_factor_labels.csv")

Split = Literal["train", "validation", "gold"]
SPLITS: tuple[Split, ...] = ("train", "validation", "gold")
HUMAN = "human"


class LabelError(SecAnalyzerError):
    """A label sheet or the labeled set is wrong; the message names the row or the setting."""


@dataclass(frozen=True)
class HumanLabel:
    risk_id: str
    ticker: str
    fiscal_year: int
    ordinal: int
    heading: str
    labels: tuple[str, ...]
    confidence: str
    labeler: str
    rule: str = ""
    note: str = ""

    @property
    def primary(self) -> str:
        return self.labels[0]

    @property
    def partition_key(self) -> str:
        return f"{self.ticker}-{self.fiscal_year}"

    def as_row(self) -> dict[str, str]:
        return {
            "risk_id": self.risk_id,
            "ticker": self.ticker,
            "fiscal_year": str(self.fiscal_year),
            "ordinal": str(self.ordinal),
            "heading": self.heading,
            "labels": ";".join(self.labels),
            "confidence": self.confidence,
            "labeler": self.labeler,
            "rule": self.rule,
            "note": self.note,
        }


@dataclass(frozen=True)
class RiskText:
    risk_id: str
    ticker: str
    fiscal_year: int
    heading: str
    text: str


@dataclass(frozen=True)
class WeakLabel:
    labels: tuple[str, ...]
    confidence: float  # 0..1, the source's own score for its primary label


# A weak labeler proposes labels for each risk (None: no proposal); `name` identifies the source.
@dataclass(frozen=True)
class WeakLabeler:
    name: str
    propose: Callable[[Sequence[RiskText]], list[WeakLabel | None]]
    min_confidence: float


@dataclass(frozen=True)
class LabeledRisk:
    risk_id: str
    ticker: str
    fiscal_year: int
    heading: str
    text: str
    labels: tuple[str, ...]
    confidence: float  # human clear-cut 1.0, borderline 0.5; a weak label its source's score
    source: str  # "human" or "weak:<labeler>"
    split: Split
    labeler: str = ""  # who labeled a human row

    @property
    def primary(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class LabeledSet:
    categories: tuple[str, ...]
    risks: tuple[LabeledRisk, ...]
    data_version: str
    gold_tickers: tuple[str, ...]
    validation_tickers: tuple[str, ...]
    unmatched_labels: tuple[str, ...] = field(default=())  # labeled ids without a stored text

    def split(self, name: Split, *, human_only: bool = False) -> list[LabeledRisk]:
        return [r for r in self.risks if r.split == name and (not human_only or r.source == HUMAN)]

    def summary(self) -> dict[str, Any]:
        """Counts by split, source and primary category: what a materialization records."""
        return {
            "data_version": self.data_version,
            "rows": len(self.risks),
            "by_split": dict(Counter(r.split for r in self.risks)),
            "by_source": dict(Counter(r.source for r in self.risks)),
            "by_primary_category": dict(sorted(Counter(r.primary for r in self.risks).items())),
            "gold_tickers": list(self.gold_tickers),
            "validation_tickers": list(self.validation_tickers),
            "unmatched_labels": len(self.unmatched_labels),
        }


# ---------------------------------------------------------------------------------------------
# label sheets


def read_label_sheet(
    path: Path,
    categories: Sequence[str],
    *,
    known_risk_ids: Iterable[str] | None = None,
    reviewed_only: bool = False,
) -> list[HumanLabel]:
    """The labels of a CSV sheet, validated row by row.

    The first problem raises `LabelError` naming the file, the line and the risk id: a missing
    column, a malformed or duplicate risk id, an id not among `known_risk_ids` (when given), an
    unknown category, no label or more than three, a repeated label, or a confidence other than
    clear-cut/borderline. With `reviewed_only`, rows without a labeler (suggestions nobody
    reviewed in an exported sheet) are skipped rather than judged.
    """
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise LabelError(f"cannot read the label sheet {path}: {error.strerror}") from error
    reader = csv.DictReader(io.StringIO(content, newline=""))
    missing = [column for column in LABEL_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise LabelError(f"{path}: the header lacks the column(s) {', '.join(missing)}")
    allowed = set(categories)
    known = set(known_risk_ids) if known_risk_ids is not None else None
    seen: dict[str, int] = {}
    labels: list[HumanLabel] = []
    for row in reader:
        line = reader.line_num
        risk_id = (row.get("risk_id") or "").strip()
        where = f"{path}:{line} ({risk_id or 'no risk_id'})"
        if reviewed_only and not (row.get("labeler") or "").strip():
            continue
        labels.append(_label_from_row(row, where, allowed, known))
        if risk_id in seen:
            raise LabelError(f"{where}: duplicate risk id, first seen on line {seen[risk_id]}")
        seen[risk_id] = line
    return labels


def _label_from_row(row: Mapping[str, str | None], where: str, allowed: set[str], known: set[str] | None) -> HumanLabel:
    def value(column: str) -> str:
        return (row.get(column) or "").strip()

    risk_id = value("risk_id")
    match = RISK_ID.match(risk_id)
    if match is None:
        raise LabelError(f"{where}: risk id must look like TICKER-YEAR-NNN (e.g. AAPL-2024-003)")
    if known is not None and risk_id not in known:
        raise LabelError(f"{where}: unknown risk id (no stored risk factor has it)")
    ticker, year, ordinal = match["ticker"], int(match["year"]), int(match["ordinal"])
    for column, expected in (("ticker", ticker), ("fiscal_year", str(year)), ("ordinal", str(ordinal))):
        given = value(column)
        if given and given.lstrip("0") != expected.lstrip("0"):
            raise LabelError(f"{where}: {column} {given!r} disagrees with the risk id")
    categories = tuple(part.strip() for part in value("labels").split(";") if part.strip())
    if not categories:
        raise LabelError(f"{where}: no label; give 1 to {MAX_LABELS} categories, primary first, separated by ';'")
    if len(categories) > MAX_LABELS:
        raise LabelError(f"{where}: {len(categories)} labels ({';'.join(categories)}); at most {MAX_LABELS} are allowed")
    unknown = [category for category in categories if category not in allowed]
    if unknown:
        raise LabelError(f"{where}: unknown category {', '.join(repr(c) for c in unknown)}; known: {', '.join(sorted(allowed))}")
    if len(set(categories)) != len(categories):
        raise LabelError(f"{where}: a category is repeated in {';'.join(categories)}")
    confidence = value("confidence")
    if confidence not in CONFIDENCES:
        raise LabelError(f"{where}: confidence {confidence!r} must be one of {', '.join(CONFIDENCES)}")
    return HumanLabel(
        risk_id=risk_id,
        ticker=ticker,
        fiscal_year=year,
        ordinal=ordinal,
        heading=value("heading"),
        labels=categories,
        confidence=confidence,
        labeler=value("labeler"),
        rule=value("rule"),
        note=value("note"),
    )


def write_label_sheet(path: Path, labels: Iterable[HumanLabel]) -> None:
    """Labels sorted by risk id, written atomically."""
    rows = [label.as_row() for label in sorted(labels, key=lambda label: label.risk_id)]
    _write_csv(path, LABEL_COLUMNS, rows)


def merge_labels(existing: Sequence[HumanLabel], reviewed: Sequence[HumanLabel]) -> tuple[list[HumanLabel], Counter[str]]:
    """Reviewed labels replace existing ones of the same risk id; counts of added/changed/unchanged."""
    merged = {label.risk_id: label for label in existing}
    counts: Counter[str] = Counter()
    for label in reviewed:
        before = merged.get(label.risk_id)
        counts["added" if before is None else "unchanged" if before == label else "changed"] += 1
        merged[label.risk_id] = label
    return sorted(merged.values(), key=lambda label: label.risk_id), counts


def review_rows(labeled: LabeledSet, human_labels: Sequence[HumanLabel]) -> list[dict[str, str]]:
    """A review sheet of the set, least confident first (then by risk id). Human rows are the label
    file's rows as they are; weak labels carry no labeler, so a reviewer confirms one by filling in
    the labeler and the confidence."""
    by_id = {label.risk_id: label for label in human_labels}
    rows = []
    for risk in sorted(labeled.risks, key=lambda r: (r.confidence, r.risk_id)):
        if risk.source == HUMAN:
            row = by_id[risk.risk_id].as_row()
        else:
            ordinal = int(risk.risk_id.rsplit("-", 1)[1])
            row = {"risk_id": risk.risk_id, "ticker": risk.ticker, "fiscal_year": str(risk.fiscal_year),
                   "ordinal": str(ordinal), "heading": risk.heading[:HEADING_CHARACTERS], "labels": ";".join(risk.labels),
                   "confidence": "", "labeler": "", "rule": "", "note": ""}
        rows.append(row | {"source": risk.source, "score": f"{risk.confidence:.3f}"})
    return rows


def write_review_sheet(path: Path, labeled: LabeledSet, human_labels: Sequence[HumanLabel]) -> int:
    rows = review_rows(labeled, human_labels)
    _write_csv(path, REVIEW_COLUMNS, rows)
    return len(rows)


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.partial")
    staging.write_text(buffer.getvalue(), encoding="utf-8")
    staging.replace(path)


# ---------------------------------------------------------------------------------------------
# texts


def risk_texts_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, RiskText]:
    """Risk texts from stored risk-factor rows (`partition_key` or ticker + fiscal_year, ordinal, heading, text)."""
    texts: dict[str, RiskText] = {}
    for row in rows:
        ticker, year = str(row["ticker"]), int(row["fiscal_year"])
        risk_id = f"{ticker}-{year}-{int(row['ordinal']):03d}"
        texts[risk_id] = RiskText(risk_id, ticker, year, str(row["heading"] or ""), str(row["text"] or ""))
    return texts


def risk_texts_from_database(database_url: str | None = None) -> dict[str, RiskText]:
    """Every risk factor published to the results database (the configured one by default)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sec_analyzer.settings import get_settings, masked_url
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.results_repo import ResultsRepository

    url = database_url or get_settings().resolved_database_url
    engine = create_db_engine(url)
    try:
        texts = risk_texts_from_rows(ResultsRepository(engine).risk_factors())
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise LabelError(f"cannot read risk factors from the results database {masked_url(url)}: {reason}") from error
    finally:
        engine.dispose()
    if not texts:
        raise LabelError(f"the results database {masked_url(url)} holds no risk factors yet (or read a folder of filings instead)")
    return texts


def risk_texts_from_filings(folder: Path, tickers: Iterable[str] = ()) -> dict[str, RiskText]:
    """Risk factors of every `{TICKER}/{accession}/primary-document.html` under `folder` (the
    layout of the shared corpus and the EDGAR mirror), segmented as the pipeline does; the fiscal
    year comes from the document's cover facts. A filing without Item 1A contributes nothing.
    With `tickers`, only those companies' folders are read."""
    from sec_analyzer.preprocessing.cleaner import clean_item
    from sec_analyzer.preprocessing.cover import document_fiscal_info
    from sec_analyzer.preprocessing.items import ExtractedItem, extract_items
    from sec_analyzer.preprocessing.parser import parse_file
    from sec_analyzer.preprocessing.segmenter import segment_risk_factors

    wanted = {ticker.upper() for ticker in tickers}
    # os.walk follows symlinked company folders, which Path.rglob (before 3.13) does not
    documents = sorted(
        Path(directory) / "primary-document.html"
        for directory, _, files in os.walk(folder, followlinks=True)
        if "primary-document.html" in files and (not wanted or Path(directory).parent.name.upper() in wanted)
    )
    if not documents:
        raise LabelError(f"{folder} holds no filings ({{TICKER}}/{{accession}}/primary-document.html)")
    rows: list[dict[str, Any]] = []
    for document in documents:
        ticker = document.parent.parent.name.upper()
        parsed = parse_file(document)
        fiscal_year = document_fiscal_info(parsed).fiscal_year
        risk_item = extract_items(parsed).items.get("1A")
        if fiscal_year is None or not isinstance(risk_item, ExtractedItem):
            continue
        first, last = risk_item.element_span
        for factor in segment_risk_factors(clean_item(parsed.elements[first : last + 1])):
            rows.append({"ticker": ticker, "fiscal_year": fiscal_year, "ordinal": factor.ordinal, "heading": factor.heading, "text": factor.text})
    return risk_texts_from_rows(rows)


# ---------------------------------------------------------------------------------------------
# the labeled set


def validation_tickers_for(tickers: Iterable[str], count: int, seed: int) -> tuple[str, ...]:
    """`count` of `tickers` chosen by a seeded hash: stable, and independent of list order."""
    ranked = sorted(set(tickers), key=lambda ticker: hashlib.sha256(f"{seed}:{ticker}".encode()).hexdigest())
    return tuple(sorted(ranked[:count]))


def build_labeled_set(
    human_labels: Sequence[HumanLabel],
    texts: Mapping[str, RiskText],
    categories: Sequence[str],
    *,
    gold_tickers: Sequence[str] = GOLD_TICKERS,
    validation_companies: int = 2,
    seed: int = 7,
    weak_labelers: Sequence[WeakLabeler] = (),
) -> LabeledSet:
    """Human labels joined to their texts, split by company; weak labels for unlabeled training risks.

    A labeled id without a stored text is left out and listed in `unmatched_labels` (the
    stored filings may not cover every labeled company).
    """
    gold = tuple(sorted(set(gold_tickers)))
    if not human_labels:
        raise LabelError("there are no human labels to build a labeled set from")
    matched = [label for label in human_labels if label.risk_id in texts]
    unmatched = tuple(sorted(label.risk_id for label in human_labels if label.risk_id not in texts))
    if not matched:
        raise LabelError(f"none of the {len(human_labels)} labeled risk ids has a stored text (e.g. {unmatched[0]})")
    trainable = sorted({label.ticker for label in matched} - set(gold))
    if validation_companies and len(trainable) <= validation_companies:
        raise LabelError(f"{len(trainable)} non-gold labeled companies cannot spare {validation_companies} for validation")
    validation = validation_tickers_for(trainable, validation_companies, seed)

    def split_of(ticker: str) -> Split:
        return "gold" if ticker in gold else "validation" if ticker in validation else "train"

    risks: list[LabeledRisk] = []
    for label in matched:
        text = texts[label.risk_id]
        risks.append(
            LabeledRisk(
                risk_id=label.risk_id,
                ticker=label.ticker,
                fiscal_year=label.fiscal_year,
                heading=text.heading,
                text=text.text,
                labels=label.labels,
                confidence=1.0 if label.confidence == "clear-cut" else 0.5,
                source=HUMAN,
                split=split_of(label.ticker),
                labeler=label.labeler,
            )
        )
    labeled_ids = {label.risk_id for label in human_labels}
    unlabeled = [text for risk_id, text in sorted(texts.items()) if risk_id not in labeled_ids and split_of(text.ticker) == "train"]
    allowed = set(categories)
    proposed: set[str] = set()
    for labeler in weak_labelers:
        candidates = [text for text in unlabeled if text.risk_id not in proposed]
        for text, weak in zip(candidates, labeler.propose(candidates), strict=True):
            if weak is None or weak.confidence < labeler.min_confidence or not weak.labels:
                continue
            weak_labels = tuple(category for category in weak.labels if category in allowed)[:MAX_LABELS]
            if not weak_labels:
                continue
            proposed.add(text.risk_id)
            risks.append(
                LabeledRisk(text.risk_id, text.ticker, text.fiscal_year, text.heading, text.text, weak_labels, round(weak.confidence, 4), f"weak:{labeler.name}", "train")
            )
    risks.sort(key=lambda risk: risk.risk_id)
    return LabeledSet(
        categories=tuple(categories),
        risks=tuple(risks),
        data_version=data_version(risks, categories),
        gold_tickers=gold,
        validation_tickers=validation,
        unmatched_labels=unmatched,
    )


def data_version(risks: Iterable[LabeledRisk], categories: Sequence[str]) -> str:
    digest = hashlib.sha256(json.dumps(list(categories)).encode())
    for risk in sorted(risks, key=lambda r: r.risk_id):
        text_hash = hashlib.sha256(f"{risk.heading}\n\n{risk.text}".encode()).hexdigest()
        record = [risk.risk_id, risk.split, risk.source, list(risk.labels), risk.confidence, text_hash]
        digest.update(json.dumps(record, separators=(",", ":")).encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# weak labelers

_WORD = re.compile(r"[a-z][a-z\-]{3,}")
# words of the cue sentences that say nothing about a category
_CUE_STOPWORDS = frozenset({
    "could", "would", "which", "their", "there", "these", "those", "with", "from", "into", "that", "this",
    "have", "been", "other", "such", "more", "than", "when", "where", "while", "about", "under", "over",
    "they", "them", "what", "will", "were", "also", "only", "each", "many", "much", "most", "some", "very",
    "make", "made", "cause", "harm", "adversely", "affect", "affected", "results", "business", "operations",
    "financial", "condition", "company", "companies", "products", "services", "product", "service",
    "customers", "ability", "able", "changes", "change", "including", "include", "certain", "significant",
    "risks", "risk", "rely",
})


def keyword_cues(taxonomy: Any) -> dict[str, frozenset[str]]:
    """Each category's cue words: the content words of its cue sentences that no more than one
    other category's cues also use."""
    words = {
        category.id: {word for cue in category.cues for word in _WORD.findall(cue.lower())} - _CUE_STOPWORDS
        for category in taxonomy.categories
    }
    shared = Counter(word for category_words in words.values() for word in category_words)
    return {category: frozenset(w for w in category_words if shared[w] <= 2) for category, category_words in words.items()}


def keyword_weak_labeler(taxonomy: Any, min_confidence: float) -> WeakLabeler:
    """Categories whose cue words occur in the heading, most hits first; the confidence is the
    primary's share of all hits, discounted for a single hit."""
    cues = keyword_cues(taxonomy)

    def propose(risks: Sequence[RiskText]) -> list[WeakLabel | None]:
        proposals: list[WeakLabel | None] = []
        for risk in risks:
            heading_words = set(_WORD.findall(risk.heading.lower()))
            hits = Counter({category: len(heading_words & words) for category, words in cues.items()})
            ranked = [(category, count) for category, count in hits.most_common(MAX_LABELS) if count]
            if not ranked:
                proposals.append(None)
                continue
            share = ranked[0][1] / sum(hits.values())
            confidence = share * ranked[0][1] / (ranked[0][1] + 1)
            proposals.append(WeakLabel(tuple(category for category, _ in ranked), confidence))
        return proposals

    return WeakLabeler("keywords", propose, min_confidence)


def classifier_weak_labeler(classifier: Any, embedder: Any, min_confidence: float) -> WeakLabeler:
    """The serving classifier's labels, its primary score as the confidence."""

    def propose(risks: Sequence[RiskText]) -> list[WeakLabel | None]:
        if not risks:
            return []
        vectors = embedder.embed([(risk.heading, risk.text) for risk in risks])
        results = classifier.classify(
            [risk.risk_id for risk in risks], vectors, [risk.heading for risk in risks], [risk.text for risk in risks]
        )
        return [WeakLabel(tuple(category for category, _ in result.labels), float(result.labels[0][1])) for result in results]

    return WeakLabeler(f"classifier:{classifier.name}", propose, min_confidence)
