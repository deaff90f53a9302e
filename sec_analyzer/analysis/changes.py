"""Year over year: which risk factor of one filing is which risk factor of the company's next filing.

Every risk of both years ends in exactly one `RiskChange`:

- UNCHANGED: paired, and heading and body are the same text once whitespace, quotes and dashes
  are normalised;
- MODIFIED: paired, anything else; carries a word-level diff of heading and body, the share of
  changed words, and whether the risk changed category or moved (left the filing order);
- NEW / REMOVED: unpaired. A REMOVED risk whose text largely lives on inside a current risk was
  merged into it (`merged_into`); a NEW risk whose text largely comes from a previous risk was
  split from it (`split_from`). The continuing risk of a merge or split is the paired one.

Pairing is one global one-to-one assignment (`scipy.optimize.linear_sum_assignment`) that
maximises the sum of pair scores. A pair score combines what the two risks say and how they say
it, so a reworded heading over a mostly unchanged body still pairs:

    score = w_vector · cos(embeddings) + w_body · cos(TF-IDF of bodies) + w_heading · cos(TF-IDF of headings)

or, when higher, the same blend with the containment of the shorter text's word 3-grams in the
longer one in place of vectors and bodies (a risk merged into a longer one keeps its words, not
its proportions). Assigned pairs below `pair_threshold` are not the same risk. Then, between
two consecutive pairs that keep the filing order, a previous and a current risk left unpaired in
that same slot are paired when they score at least `slot_pair_threshold`: a risk rewritten in
place (same slot, same subject, new words) is what a reader calls the same risk, while the same
score anywhere else in the filing is too weak to pair on. Weights and thresholds live in `configs/analysis.yaml`
(section `changes`), where the comment says how they were chosen.

The score matrix is previous × current risks of one company: bounded by the size of two filings,
whatever the size of the store.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sec_analyzer.analysis.analysis_config import ChangeSettings
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.storage.analysis_repo import AnalysisRepository, ChangeRecord, PublishedFiling

if TYPE_CHECKING:
    import numpy as np

SHINGLE_WORDS = 3


class ChangeStatus(StrEnum):
    UNCHANGED = "UNCHANGED"
    MODIFIED = "MODIFIED"
    NEW = "NEW"
    REMOVED = "REMOVED"


class ChangeInputError(SecAnalyzerError):
    """The risks given to the matcher are not two filings' risk lists."""


@dataclass(frozen=True)
class Risk:
    """One risk factor as the matcher sees it; `ordinal` is 1-based in filing order."""

    ordinal: int
    heading: str
    text: str
    category: str | None = None
    vector: Sequence[float] | None = None


@dataclass(frozen=True)
class DiffSpan:
    """A run of words: kept ("="), removed from the previous text ("-") or added ("+")."""

    op: str
    text: str


@dataclass(frozen=True)
class RiskChange:
    status: ChangeStatus
    previous: Risk | None
    current: Risk | None
    score: float | None = None  # pair score; None for NEW and REMOVED
    changed_words_share: float | None = None  # MODIFIED and UNCHANGED only
    merged_into: int | None = None  # REMOVED: the current ordinal that absorbed it
    split_from: int | None = None  # NEW: the previous ordinal it was split from
    moved: bool = False  # paired and out of the filing order of the other pairs
    category_changed: bool = False
    heading_diff: tuple[DiffSpan, ...] = field(default=())
    body_diff: tuple[DiffSpan, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """The CLI's JSON shape for one change."""
        return {
            "status": self.status.value,
            "previous": _risk_ref(self.previous),
            "current": _risk_ref(self.current),
            "score": None if self.score is None else round(self.score, 4),
            "changed_words_share": None
            if self.changed_words_share is None
            else round(self.changed_words_share, 4),
            "merged_into": self.merged_into,
            "split_from": self.split_from,
        }


def _risk_ref(risk: Risk | None) -> dict[str, Any] | None:
    return None if risk is None else {"ordinal": risk.ordinal, "heading": risk.heading}


@dataclass(frozen=True)
class ChangeCounts:
    unchanged: int
    modified: int
    new: int
    removed: int


def counts(changes: Sequence[RiskChange]) -> ChangeCounts:
    statuses = [change.status for change in changes]
    return ChangeCounts(
        unchanged=statuses.count(ChangeStatus.UNCHANGED),
        modified=statuses.count(ChangeStatus.MODIFIED),
        new=statuses.count(ChangeStatus.NEW),
        removed=statuses.count(ChangeStatus.REMOVED),
    )


# --- text normalisation ---------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u00ad\ufe58\ufe63\uff0d]")
_WORD = re.compile(r"\w+(?:['.-]\w+)*")


def normalize_text(text: str) -> str:
    """The text with whitespace, quotes and dashes made uniform: equal results mean UNCHANGED."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DASHES.sub("-", text)
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return normalize_text(text).split(" ") if text.strip() else []


def _tokens(text: str) -> list[str]:
    return _WORD.findall(normalize_text(text).lower())


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _tokens(text)
    if len(tokens) < SHINGLE_WORDS:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[index : index + SHINGLE_WORDS]) for index in range(len(tokens) - SHINGLE_WORDS + 1)}


def containment(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """Share of `part`'s word shingles found in `whole`."""
    return len(part & whole) / len(part) if part else 0.0


# --- word diff ------------------------------------------------------------------------------


def word_diff(previous: str, current: str) -> tuple[tuple[DiffSpan, ...], int, int]:
    """Spans of kept, removed and added words, the number of changed words and of all words."""
    old_words, new_words = _words(previous), _words(current)
    # autojunk would treat frequent words ("the", "our") as junk and diff long bodies coarsely
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    spans: list[DiffSpan] = []
    changed = 0
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            spans.append(DiffSpan("=", " ".join(old_words[old_start:old_end])))
            continue
        if old_end > old_start:
            spans.append(DiffSpan("-", " ".join(old_words[old_start:old_end])))
        if new_end > new_start:
            spans.append(DiffSpan("+", " ".join(new_words[new_start:new_end])))
        changed += (old_end - old_start) + (new_end - new_start)
    return tuple(spans), changed, len(old_words) + len(new_words)


# --- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScores:
    """Matrices previous × current: the combined score and its parts."""

    combined: np.ndarray
    vector: np.ndarray
    body: np.ndarray
    heading: np.ndarray
    containment: np.ndarray  # shorter text's shingles found in the longer one
    previous_shingles: list[set[tuple[str, ...]]]
    current_shingles: list[set[tuple[str, ...]]]


def _tfidf_cosine(previous: Sequence[str], current: Sequence[str], ngrams: tuple[int, int]) -> np.ndarray:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [*previous, *current]
    if not any(_tokens(document) for document in documents):
        return np.zeros((len(previous), len(current)))
    vectorizer = TfidfVectorizer(tokenizer=_tokens, lowercase=False, token_pattern=None, ngram_range=ngrams,
                                 sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    similarity: np.ndarray = (matrix[: len(previous)] @ matrix[len(previous) :].T).toarray()
    return similarity


def _vector_cosine(previous: Sequence[Risk], current: Sequence[Risk]) -> np.ndarray:
    import numpy as np

    if any(risk.vector is None for risk in (*previous, *current)):
        raise ChangeInputError("every risk needs its embedding vector to be matched")
    old = np.asarray([risk.vector for risk in previous], dtype=np.float64).reshape(len(previous), -1)
    new = np.asarray([risk.vector for risk in current], dtype=np.float64).reshape(len(current), -1)
    old /= np.maximum(np.linalg.norm(old, axis=1, keepdims=True), 1e-12)
    new /= np.maximum(np.linalg.norm(new, axis=1, keepdims=True), 1e-12)
    cosine: np.ndarray = np.clip(old @ new.T, 0.0, 1.0)
    return cosine


def pair_scores(previous: Sequence[Risk], current: Sequence[Risk], settings: ChangeSettings) -> PairScores:
    import numpy as np

    vector = _vector_cosine(previous, current)
    body = _tfidf_cosine([risk.text for risk in previous], [risk.text for risk in current], (1, 2))
    heading = _tfidf_cosine([risk.heading for risk in previous], [risk.heading for risk in current], (1, 1))
    old_shingles = [_shingles(f"{risk.heading} {risk.text}") for risk in previous]
    new_shingles = [_shingles(f"{risk.heading} {risk.text}") for risk in current]
    contained = np.zeros((len(previous), len(current)))
    for row, old in enumerate(old_shingles):
        for column, new in enumerate(new_shingles):
            shorter, longer = (old, new) if len(old) <= len(new) else (new, old)
            contained[row, column] = containment(shorter, longer)
    blended = settings.vector_weight * vector + settings.body_weight * body + settings.heading_weight * heading
    # a risk merged into a longer one (or split out of it) keeps its words, not its proportions
    kept_words = (1 - settings.heading_weight) * contained + settings.heading_weight * heading
    combined = np.maximum(blended, kept_words)
    return PairScores(combined, vector, body, heading, contained, old_shingles, new_shingles)


# --- matching -------------------------------------------------------------------------------


def compare(previous: Sequence[Risk], current: Sequence[Risk], settings: ChangeSettings) -> list[RiskChange]:
    """Every risk of both filings, once, as UNCHANGED, MODIFIED, NEW or REMOVED, in the current
    filing's order (a removed risk right after the current position of its predecessor)."""
    from scipy.optimize import linear_sum_assignment

    _check_ordinals("previous", previous)
    _check_ordinals("current", current)
    if not previous or not current:
        return _ordered(
            [RiskChange(ChangeStatus.REMOVED, risk, None) for risk in previous]
            + [RiskChange(ChangeStatus.NEW, None, risk) for risk in current],
            {},
        )
    scores = pair_scores(previous, current, settings)
    rows, columns = linear_sum_assignment(scores.combined, maximize=True)
    pairs = {
        int(row): int(column)
        for row, column in zip(rows, columns, strict=True)
        if scores.combined[row, column] >= settings.pair_threshold
    }
    pairs.update(_slot_pairs(pairs, len(previous), len(current), scores.combined, settings.slot_pair_threshold))
    moved_rows = _moved(pairs)
    changes: list[RiskChange] = []
    for row, column in pairs.items():
        changes.append(_paired(previous[row], current[column], float(scores.combined[row, column]), row in moved_rows))
    threshold = settings.merge_split_containment
    paired_rows, paired_columns = list(pairs), list(pairs.values())
    continuing_current = [scores.current_shingles[column] for column in paired_columns]
    continuing_previous = [scores.previous_shingles[row] for row in paired_rows]
    for row, risk in enumerate(previous):
        if row not in pairs:
            # merged: most of its words live on in a current risk that continues another one
            home, share = _best_home(scores.previous_shingles[row], continuing_current)
            merged_into = current[paired_columns[home]].ordinal if share >= threshold else None
            changes.append(RiskChange(ChangeStatus.REMOVED, risk, None, merged_into=merged_into))
    continuing_columns = set(paired_columns)
    for column, risk in enumerate(current):
        if column not in continuing_columns:
            home, share = _best_home(scores.current_shingles[column], continuing_previous)
            split_from = previous[paired_rows[home]].ordinal if share >= threshold else None
            changes.append(RiskChange(ChangeStatus.NEW, None, risk, split_from=split_from))
    anchors = {previous[row].ordinal: current[column].ordinal for row, column in pairs.items()}
    return _ordered(changes, anchors)


def _slot_pairs(
    pairs: dict[int, int], previous_count: int, current_count: int, combined: np.ndarray, threshold: float
) -> dict[int, int]:
    """Pairs of risks left unpaired between the same two in-order pairs, scoring ≥ `threshold`."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    moved = _moved(pairs)
    anchors = sorted((row, column) for row, column in pairs.items() if row not in moved)
    bounds = [(-1, -1), *anchors, (previous_count, current_count)]
    paired_columns = set(pairs.values())
    found: dict[int, int] = {}
    for (row_start, column_start), (row_end, column_end) in itertools.pairwise(bounds):
        rows = [row for row in range(row_start + 1, row_end) if row not in pairs]
        columns = [column for column in range(column_start + 1, column_end) if column not in paired_columns]
        if not rows or not columns:
            continue
        block = combined[np.ix_(rows, columns)]
        for row, column in zip(*linear_sum_assignment(block, maximize=True), strict=True):
            if block[row, column] >= threshold:
                found[rows[row]] = columns[column]
    return found


def _best_home(part: set[tuple[str, ...]], candidates: list[set[tuple[str, ...]]]) -> tuple[int, float]:
    """The candidate holding the largest share of `part`'s shingles, and that share."""
    shares = [containment(part, whole) for whole in candidates]
    if not shares:
        return -1, 0.0
    best = max(range(len(shares)), key=shares.__getitem__)
    return best, shares[best]


def _paired(old: Risk, new: Risk, score: float, moved: bool) -> RiskChange:
    category_changed = _category_key(old.category) != _category_key(new.category)
    same = normalize_text(old.heading) == normalize_text(new.heading) and normalize_text(old.text) == normalize_text(
        new.text
    )
    if same:
        return RiskChange(
            ChangeStatus.UNCHANGED, old, new, score=1.0, changed_words_share=0.0, moved=moved,
            category_changed=category_changed,
        )
    heading_diff, heading_changed, heading_total = word_diff(old.heading, new.heading)
    body_diff, body_changed, body_total = word_diff(old.text, new.text)
    share = (heading_changed + body_changed) / max(heading_total + body_total, 1)
    return RiskChange(
        ChangeStatus.MODIFIED, old, new, score=score, changed_words_share=share, moved=moved,
        category_changed=category_changed, heading_diff=heading_diff, body_diff=body_diff,
    )


def _category_key(category: str | None) -> str:
    return " ".join((category or "").casefold().split())


def _moved(pairs: dict[int, int]) -> set[int]:
    """Previous rows whose pair breaks the filing order: everything outside one longest run of
    pairs whose current positions increase with their previous positions (O(n log n))."""
    import bisect

    ordered = sorted(pairs.items())
    tails: list[int] = []  # smallest current position ending an increasing run of each length
    tail_index: list[int] = []
    parent = [-1] * len(ordered)
    for index, (_, column) in enumerate(ordered):
        length = bisect.bisect_left(tails, column)
        if length == len(tails):
            tails.append(column)
            tail_index.append(index)
        else:
            tails[length] = column
            tail_index[length] = index
        parent[index] = tail_index[length - 1] if length else -1
    kept: set[int] = set()
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        kept.add(ordered[index][0])
        index = parent[index]
    return {row for row, _ in ordered if row not in kept}


def _ordered(changes: list[RiskChange], anchors: dict[int, int]) -> list[RiskChange]:
    """Current filing order; a removed risk follows the current position of the nearest
    preceding previous risk that was paired."""
    import bisect

    previous_ordinals = sorted(anchors)

    def position(change: RiskChange) -> tuple[float, int]:
        if change.current is not None:
            return (change.current.ordinal, 0)
        if change.previous is None:
            raise ChangeInputError("a change without either risk")
        index = bisect.bisect_left(previous_ordinals, change.previous.ordinal) - 1
        anchor = anchors[previous_ordinals[index]] if index >= 0 else 0
        return (anchor + 0.5, change.previous.ordinal)

    return sorted(changes, key=position)


def _check_ordinals(which: str, risks: Sequence[Risk]) -> None:
    ordinals = [risk.ordinal for risk in risks]
    if len(set(ordinals)) != len(ordinals):
        raise ChangeInputError(f"the {which} filing's risks repeat an ordinal")


# --- filings in the results database ----------------------------------------------------------

# The table predates this analysis and calls a NEW risk "added".
_STORED_CHANGE_TYPE = {
    ChangeStatus.UNCHANGED: "unchanged",
    ChangeStatus.MODIFIED: "modified",
    ChangeStatus.NEW: "added",
    ChangeStatus.REMOVED: "removed",
}


@dataclass(frozen=True)
class FilingChanges:
    ticker: str
    previous_year: int
    current_year: int
    changes: list[RiskChange]

    def to_json(self) -> dict[str, Any]:
        """The `sec-analyzer diff --format json` document."""
        return {
            "ticker": self.ticker,
            "previous_year": self.previous_year,
            "current_year": self.current_year,
            "changes": [change.summary() for change in self.changes],
        }

    def insight(self) -> dict[str, Any]:
        """Counts against last year and the new risks' headings, for a filing's UI metadata."""
        tally = counts(self.changes)
        return {
            "compared_with": self.previous_year,
            "unchanged": tally.unchanged,
            "modified": tally.modified,
            "new": tally.new,
            "removed": tally.removed,
            "new_headings": [change.current.heading for change in self.changes
                             if change.status is ChangeStatus.NEW and change.current is not None],
        }


def change_records(changes: Sequence[RiskChange]) -> list[ChangeRecord]:
    """The rows of `risk_factor_changes` for these changes, in their order."""
    return [
        ChangeRecord(
            change_type=_STORED_CHANGE_TYPE[change.status],
            from_ordinal=None if change.previous is None else change.previous.ordinal,
            to_ordinal=None if change.current is None else change.current.ordinal,
            similarity=change.score,
            changed_words_share=change.changed_words_share,
            merged_into=change.merged_into,
            split_from=change.split_from,
            moved=change.moved,
            category_changed=change.category_changed,
            diff=None if change.status is not ChangeStatus.MODIFIED else {
                "heading": [[span.op, span.text] for span in change.heading_diff],
                "body": [[span.op, span.text] for span in change.body_diff],
            },
        )
        for change in changes
    ]


def _matchable(filing: PublishedFiling, repository: AnalysisRepository) -> list[Risk]:
    stored = repository.risks(filing)
    missing = [risk.ordinal for risk in stored if risk.vector is None]
    if missing:
        raise ChangeInputError(
            f"{filing.partition_key} has no embedding for risk(s) {', '.join(map(str, missing[:5]))}"
            f"{' …' if len(missing) > 5 else ''}; run the embedding stage for it first"
        )
    return [Risk(risk.ordinal, risk.heading, risk.text, risk.category, risk.vector) for risk in stored]


def diff_filings(
    repository: AnalysisRepository, previous: PublishedFiling, current: PublishedFiling, settings: ChangeSettings
) -> FilingChanges:
    changes = compare(_matchable(previous, repository), _matchable(current, repository), settings)
    return FilingChanges(current.ticker, previous.fiscal_year, current.fiscal_year, changes)


def refresh_filing_changes(
    repository: AnalysisRepository, partition_key: str, settings: ChangeSettings,
    refreshed: dict[tuple[str, str], FilingChanges] | None = None,
) -> list[FilingChanges]:
    """Recompute and store the changes that involve a (re)published filing: from the company's
    previous fiscal year into it, and from it into the next fiscal year when that is published.
    Returns what was stored (empty for a company's only filing).

    `refreshed` holds the pairs of filings a caller has already refreshed since the filings were
    published (a step over a company's consecutive years meets each pair twice): they are
    returned from it, not diffed and stored again; the pairs diffed here are added to it."""
    filing = repository.filing_by_key(partition_key)
    if filing is None:
        raise ChangeInputError(f"{partition_key} is not in the results database")
    refreshed = {} if refreshed is None else refreshed
    stored = []
    following = repository.company_filing(filing.cik, filing.fiscal_year + 1)
    for previous, current in ((repository.previous_filing(filing), filing), (filing, following)):
        if previous is None or current is None:
            continue
        pair = (previous.partition_key, current.partition_key)
        if pair not in refreshed:
            refreshed[pair] = diff_filings(repository, previous, current, settings)
            repository.save_changes(previous, current, change_records(refreshed[pair].changes))
        stored.append(refreshed[pair])
    return stored
