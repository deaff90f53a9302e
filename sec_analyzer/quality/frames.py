"""Turns a `FilingUnderTest` into the frames the suites validate.

Derived columns (the expected ordinal of each row, the gap to the previous span, the number of
different texts sharing a vector, ...) and the one-row document frame are computed here, as data;
whether they are acceptable is decided only by the GX expectations in `suites`.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.quality.inputs import FilingUnderTest

ITEM_STATUSES = frozenset({"found", "absent"})
REQUIRED_ITEM_COLUMNS = ("item_id", "status", "absent_reason")
REQUIRED_SEGMENT_COLUMNS = ("ordinal", "heading", "text", "start_offset", "end_offset")
REQUIRED_CLASSIFICATION_COLUMNS = ("ordinal", "primary_category", "labels")
OPENING_CHARS = 300
ITEM_1A = "1A"


class QualityInputError(SecAnalyzerError):
    """The data handed to a quality suite does not have the agreed shape."""


@dataclass(frozen=True)
class FilingFrames:
    segments: pd.DataFrame
    items: pd.DataFrame
    document: pd.DataFrame  # exactly one row
    embeddings: pd.DataFrame | None
    classifications: pd.DataFrame | None
    labels: pd.DataFrame | None  # one row per label of a classification

    def frame(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame | None = getattr(self, name)
        if frame is None:
            raise QualityInputError(f"a check reads the {name} frame, which this filing does not have")
        return frame


def normalize_item_id(item_id: object) -> str:
    text = str(item_id).strip().upper().replace("_", " ")
    return text.removeprefix("ITEM").strip().rstrip(".")


def item_1a_state(items: pd.DataFrame) -> str:
    """`found`, the absence reason, or `not_listed` when the extractor did not list Item 1A."""
    rows = items[items["item_id"] == ITEM_1A]
    if rows.empty:
        return "not_listed"
    if (rows["status"] == "found").any():
        return "found"
    reasons = [reason for reason in rows["absent_reason"] if reason]
    return str(reasons[0]) if reasons else ""


def build_frames(filing: FilingUnderTest) -> FilingFrames:
    items = _item_frame(filing)
    text = filing.item_1a_text or ""
    segments = _segment_frame(filing, len(text))
    embeddings = _embedding_frame(filing, segments)
    classifications, labels = _classification_frames(filing)
    document = pd.DataFrame(
        [
            {
                "upstream_failure": filing.upstream_failure,
                "item_1a_state": item_1a_state(items),
                "item_1a_chars": len(text),
                "item_1a_text": text,
                "segment_count": len(segments),
                "coverage": _coverage(segments, len(text)),
                "document_fiscal_year": filing.document_fiscal_year,
                "expected_fiscal_year": filing.expected_fiscal_year,
                "document_type": None
                if filing.document_type is None
                else filing.document_type.strip().upper(),
                "embedding_rows": None if embeddings is None else len(embeddings),
                # Zero vectors have no dimension to judge (a filing without risk factors).
                "embedding_dimension": None
                if embeddings is None or embeddings.empty
                else int(np.asarray(filing.embeddings).shape[1]),
                "classification_rows": None if classifications is None else len(classifications),
            }
        ]
    )
    return FilingFrames(
        segments=segments,
        items=items,
        document=document,
        embeddings=embeddings,
        classifications=classifications,
        labels=labels,
    )


def _checked_columns(frame: object, required: tuple[str, ...], what: str, partition_key: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise QualityInputError(
            f"{what} of {partition_key} must be a pandas DataFrame, not {type(frame).__name__}"
        )
    missing = [column for column in required if column not in frame.columns]
    if missing and len(frame) > 0:
        raise QualityInputError(
            f"{what} of {partition_key} lack column(s) {missing}; expected at least {list(required)}"
        )
    # An empty frame (no segments because Item 1A was omitted) may come without columns.
    return frame.reindex(columns=[*frame.columns, *missing]).reset_index(drop=True)


def _item_frame(filing: FilingUnderTest) -> pd.DataFrame:
    items = _checked_columns(filing.items, REQUIRED_ITEM_COLUMNS, "items", filing.partition_key).copy()
    unknown = sorted(set(items["status"].dropna().astype(str)) - ITEM_STATUSES)
    if unknown or items["status"].isna().any():
        raise QualityInputError(
            f"items of {filing.partition_key} have status values {unknown or [None]}; "
            f"each must be one of {sorted(ITEM_STATUSES)}"
        )
    items["item_id"] = items["item_id"].map(normalize_item_id)
    items["absent_reason"] = items["absent_reason"].map(
        lambda reason: "" if _is_missing(reason) else str(reason)
    )
    # Only absent rows carry a reason to judge; GX skips the nulls of found rows.
    items["reason_if_absent"] = items["absent_reason"].where(items["status"] == "absent", None)
    return items


def _segment_frame(filing: FilingUnderTest, item_1a_chars: int) -> pd.DataFrame:
    segments = _checked_columns(
        filing.segments, REQUIRED_SEGMENT_COLUMNS, "segments", filing.partition_key
    ).copy()
    ordinals = pd.to_numeric(segments["ordinal"], errors="coerce")
    first = ordinals.iloc[0] if len(ordinals) else 1
    base = 0 if first == 0 else 1
    segments["expected_ordinal"] = [base + position for position in range(len(segments))]
    for column in ("start_offset", "end_offset"):
        segments[column] = pd.to_numeric(segments[column], errors="coerce")
    segments["span_length"] = segments["end_offset"] - segments["start_offset"]
    segments["item_1a_chars"] = item_1a_chars
    by_start = segments.sort_values("start_offset", kind="stable")
    previous_end = by_start["end_offset"].shift().cummax()
    segments["gap_to_previous"] = (by_start["start_offset"] - previous_end).reindex(segments.index)
    texts = segments["text"].map(lambda value: "" if _is_missing(value) else str(value)).astype(str)
    headings = segments["heading"].map(lambda value: "" if _is_missing(value) else str(value)).astype(str)
    segments["opening"] = headings + "\n" + texts.str.slice(0, OPENING_CHARS)
    segments["text_key"] = _folded(texts)
    # What the embedding model reads (heading and body), folded as its uncased tokenizer folds it.
    segments["embedded_key"] = _folded(headings + "\n" + texts)
    return segments


def _folded(texts: pd.Series) -> pd.Series:
    return texts.str.lower().str.split().str.join(" ")


def _embedding_frame(filing: FilingUnderTest, segments: pd.DataFrame) -> pd.DataFrame | None:
    """One row per vector, beside the text of the segment in the same position."""
    if filing.embeddings is None:
        return None
    vectors = np.asarray(filing.embeddings)
    if vectors.ndim != 2:
        raise QualityInputError(
            f"embeddings of {filing.partition_key} must be a 2-D array (segments x dimension), "
            f"got shape {vectors.shape}"
        )
    wide = vectors.astype(np.float64)
    norms = np.linalg.norm(wide, axis=1)
    # A vector holding NaN or inf has no norm; -1 makes it fail the unit-norm range instead of being
    # skipped as a missing value.
    norms = np.where(np.isfinite(norms), norms, -1.0)
    frame = pd.DataFrame(
        {
            "row": range(len(vectors)),
            "norm": norms,
            "nonfinite_values": (~np.isfinite(wide)).sum(axis=1),
            "vector_key": [
                hashlib.sha256(np.ascontiguousarray(vector).tobytes()).hexdigest() for vector in wide
            ],
            "embedded_key": segments["embedded_key"].reindex(range(len(vectors))).to_numpy(),
        }
    )
    frame["texts_sharing_vector"] = frame.groupby("vector_key")["embedded_key"].transform("nunique")
    return frame


def _classification_frames(filing: FilingUnderTest) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """One row per classified risk, and one row per label of a risk."""
    if filing.classifications is None:
        return None, None
    risks = _checked_columns(
        filing.classifications, REQUIRED_CLASSIFICATION_COLUMNS, "classifications", filing.partition_key
    ).copy()
    parsed = risks["labels"].map(_parsed_labels)
    risks["label_count"] = parsed.map(len)
    risks["first_label"] = parsed.map(lambda labels: labels[0]["category"] if labels else None)
    labels = pd.DataFrame(
        [
            {"ordinal": ordinal, "category": label["category"], "score": label["score"]}
            for ordinal, risk_labels in zip(risks["ordinal"], parsed, strict=True)
            for label in risk_labels
        ],
        columns=["ordinal", "category", "score"],
    )
    labels["score"] = pd.to_numeric(labels["score"], errors="coerce")
    return risks, labels


def _parsed_labels(value: object) -> list[dict[str, object]]:
    """The labels of one risk; unreadable JSON counts as no labels, which the label count fails."""
    try:
        labels = json.loads(str(value))
    except ValueError:
        return []
    if not isinstance(labels, list):
        return []
    return [
        {"category": label.get("category"), "score": label.get("score")}
        for label in labels
        if isinstance(label, dict)
    ]


def _coverage(segments: pd.DataFrame, text_length: int) -> float:
    """Share of the text inside the union of the segment spans (clipped to the text)."""
    if text_length == 0:
        return 0.0
    spans = sorted(
        (max(0, int(start)), min(text_length, int(end)))
        for start, end in zip(segments["start_offset"], segments["end_offset"], strict=True)
        if not (_is_missing(start) or _is_missing(end))
    )
    covered = 0
    reached = 0
    for start, end in spans:
        start = max(start, reached)
        if end > start:
            covered += end - start
        reached = max(reached, end)
    return covered / text_length


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA
