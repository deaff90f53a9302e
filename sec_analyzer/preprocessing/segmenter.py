"""Split a cleaned Item 1A into individual risk factors, each under its category heading.

Filers mark headings in many ways (bold+italic sentences, bold only, italic only, underlined or
ALL CAPS categories, Title Case without a period, larger font only, run-in bold first
sentences), so no style is hard-coded. Instead, within each Item 1A:

1. A *heading candidate* is a short paragraph whose style differs from the body style (the
   style of most characters), or an ALL CAPS line, or a paragraph with a run-in heading.
2. Structural blocks are set aside first: the Item 1A heading and a bare "Risk Factors"
   sub-heading, the risk-factor summary (from a heading mentioning "summary" to the second
   "Risk Factors" heading or the first repeated heading, else to the end of its bullet list),
   and forward-looking-statement sub-sections.
3. Styles are ranked: the most frequent style among those whose blocks are followed by body
   text is the risk level; a rarer style whose blocks are short and mostly followed by a risk
   heading is the category level. Wording decides when both levels share one style:
   "Risks Related/Relating to ...", "General Risk(s)", short "... Risks" noun phrases and
   ALL CAPS lines are categories; so are short lines in the risk style that head a risk heading
   directly, when that happens more than once. A line in a category style followed by body text,
   or in the risk style with one typesetting slip (one of bold, italic, underline, size changed),
   is a risk heading.
4. A risk factor is its heading plus every block up to the next heading of the same or a
   higher level (so bullet lists, tables and sub-headings inside a risk stay in its body).

The introduction (the paragraphs before the first category or risk heading, e.g. "You should
carefully consider the risks below...") is not a risk: attaching it to the first risk would
change that risk's text, features and classification, and a leading pseudo-risk would be
counted as a risk by every user who counts rows. So it is set aside like the structural blocks,
as `ExcludedSpan`s with reason `introduction` whose offsets give its exact text; nothing is lost.

Coverage (`Segmentation.coverage`) is the share of the cleaned text's characters that lands in
a risk factor (heading and body) or a category heading, out of all characters except the
set-aside spans (title, summary, forward-looking statements, introduction).
`strict_coverage` counts the introduction as uncovered text, i.e. it is the share of all
characters but the title, summary and forward-looking blocks. Both are reported by the
benchmark. Paragraph separators are not counted.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from sec_analyzer.domain import RiskFactor
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.preprocessing.cleaner import BULLET, BlockKind, CleanedBlock, CleanedText, clean_item
from sec_analyzer.preprocessing.elements import Element
from sec_analyzer.preprocessing.items import AbsentItem, extract_items
from sec_analyzer.preprocessing.parser import ParsedDocument

MAX_HEADING_CHARS = 1200  # multi-sentence risk headings run to about 1,000 characters
MAX_CATEGORY_CHARS = 160
MAX_HEADING_MEDIAN_CHARS = 450  # a style whose typical block is longer is body text set in that style
MIN_FOLLOWED_BY_BODY = 0.5
MAX_UNSTYLED_HEADING_CHARS = 300
MIN_REPEATED_CATEGORY_LINES = 2
MIN_SLIPPED_HEADING_CHARS = 25  # shorter lines in a near-risk style are sub-headings inside a risk
MAX_SUMMARY_LEAD_PARAGRAPHS = 2  # "Our business is subject to risks, including:" and the like
FONT_SIZE_STEP = 0.5  # sizes closer than this are one style (rounding noise in the CSS)

ITEM_HEADING = re.compile(r"^\s*item\s*1a\b", re.IGNORECASE)
BARE_RISK_FACTORS = re.compile(r"^\s*(?:item\s*1a\s*[.:\-–—|]*\s*)?risk\s+factors\s*[.:]?\s*$", re.IGNORECASE)
SUMMARY_HEADING = re.compile(r"\bsummary\b", re.IGNORECASE)
FORWARD_LOOKING_HEADING = re.compile(
    r"forward[\s-]+looking\s+(?:statements?|information)|cautionary\s+(?:note|statements?|language)|safe\s+harbor",
    re.IGNORECASE,
)
CATEGORY_WORDING = re.compile(
    r"^\s*(?:(?:other\s+|additional\s+)?risks?\s+(?:factors?\s+)?(?:related|relating|associated|pertaining|specific)\s+(?:to|with)\b"
    r"|general\s+(?:risks?|risk\s+factors)\b)",
    re.IGNORECASE,
)
RISKS_NOUN_PHRASE = re.compile(r"^[A-Z][\w,&'\- ]{0,80}\b(?:risks|risk factors|matters)$", re.IGNORECASE)
FIRST_PERSON_OPENING = re.compile(r"^(?:we|our|us|the company|if|any|there|failure)\b", re.IGNORECASE)
GENERAL_CATEGORY = re.compile(r"^\s*general\b.*\brisk", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]*\s+[A-Z]")  # one sentence ending and another starting

Style = tuple[object, ...]  # TYPESETTING values, then ALL CAPS and bulleted flags
TYPESETTING = ("bold", "italic", "underline", "font_size")
UNSTYLED_HEADING: Style = ("unstyled",)
RUN_IN = "run-in"  # first element of the style of a paragraph that opens with a run-in heading


class ExclusionReason(StrEnum):
    TITLE = "title"  # the Item 1A heading or a bare "Risk Factors" sub-heading
    SUMMARY = "summary"
    FORWARD_LOOKING = "forward_looking_statements"
    INTRODUCTION = "introduction"  # the paragraphs before the first category or risk heading


@dataclass(frozen=True, slots=True)
class ExcludedSpan:
    reason: ExclusionReason
    first_block: int
    last_block: int  # inclusive
    start_offset: int
    end_offset: int


@dataclass(frozen=True)
class Segmentation:
    risk_factors: list[RiskFactor]
    categories: list[str]
    excluded: list[ExcludedSpan]
    covered_chars: int
    countable_chars: int  # every character but the structural blocks and the introduction
    introduction_chars: int
    risk_style: Style | None = None
    category_styles: tuple[Style, ...] = field(default=())

    @property
    def coverage(self) -> float:
        """Share of the countable characters that are in a risk factor or a category heading."""
        return self.covered_chars / self.countable_chars if self.countable_chars else 1.0

    @property
    def strict_coverage(self) -> float:
        """Like `coverage`, but the introduction counts as uncovered text."""
        total = self.countable_chars + self.introduction_chars
        return self.covered_chars / total if total else 1.0


def segment_risk_factors(cleaned: CleanedText, *, with_features: bool = True) -> list[RiskFactor]:
    """The risk factors of a cleaned Item 1A, in filing order, with ordinals from 1."""
    return segment_item(cleaned, with_features=with_features).risk_factors


def segment_item(cleaned: CleanedText, *, with_features: bool = True) -> Segmentation:
    """Segment a cleaned Item 1A and report what was set aside and how much text is covered."""
    blocks = cleaned.blocks
    body_style = _body_style(blocks)
    candidate_styles = {
        position: style
        for position, block in enumerate(blocks)
        if (style := _heading_style(block, body_style)) is not None
    }
    excluded = _structural_spans(blocks, candidate_styles)
    excluded_positions = {p for span in excluded for p in range(span.first_block, span.last_block + 1)}
    candidates = {p: s for p, s in candidate_styles.items() if p not in excluded_positions}
    risk_style, category_styles, levels = _levels(blocks, candidates)
    if "risk" not in levels.values():
        # No style marks the risks (text without markup): fall back to paragraphs of one short
        # sentence followed by a longer paragraph.
        candidates |= {
            p: UNSTYLED_HEADING for p in _unstyled_headings(blocks, candidates, excluded_positions)
        }
        risk_style, category_styles, levels = _levels(blocks, candidates)

    risk_factors: list[RiskFactor] = []
    categories: list[str] = []
    covered = 0
    category: str | None = None
    boundaries = sorted(set(levels) | excluded_positions)
    for position in sorted(levels):
        block = blocks[position]
        if levels[position] == "category":
            category = _heading_and_first_body(block, candidates[position])[0].rstrip(" .:-–—")
            categories.append(category)
            covered += len(block.text)
            continue
        following = [p for p in boundaries if p > position]
        last = (following[0] if following else len(blocks)) - 1
        heading, first_body = _heading_and_first_body(block, candidates[position])
        body_parts = ([first_body] if first_body else []) + [
            blocks[p].text for p in range(position + 1, last + 1)
        ]
        body = "\n\n".join(body_parts)
        risk_factors.append(
            RiskFactor(
                ordinal=len(risk_factors) + 1,
                heading=heading,
                text=body,
                category=category,
                is_general_risk=bool(category and GENERAL_CATEGORY.match(category)),
                start_offset=block.start,
                end_offset=blocks[last].end,
                features=_features(f"{heading}\n\n{body}") if with_features else {},
            )
        )
        covered += sum(len(blocks[p].text) for p in range(position, last + 1))
    excluded_chars = sum(len(blocks[p].text) for p in excluded_positions)
    introduction = _introduction_spans(blocks, min(levels, default=len(blocks)), excluded_positions)
    introduction_chars = sum(
        len(blocks[p].text) for span in introduction for p in range(span.first_block, span.last_block + 1)
    )
    return Segmentation(
        risk_factors=risk_factors,
        categories=categories,
        excluded=sorted([*excluded, *introduction], key=lambda span: span.first_block),
        covered_chars=covered,
        countable_chars=sum(len(block.text) for block in blocks) - excluded_chars - introduction_chars,
        introduction_chars=introduction_chars,
        risk_style=risk_style,
        category_styles=tuple(sorted(category_styles, key=repr)),
    )


def _introduction_spans(
    blocks: tuple[CleanedBlock, ...], first_heading: int, excluded: set[int]
) -> list[ExcludedSpan]:
    """The runs of blocks before the first heading that no other structural span holds."""
    spans: list[ExcludedSpan] = []
    run: list[int] = []
    for position in [*range(first_heading), None]:
        if position is not None and position not in excluded:
            run.append(position)
            continue
        if run:
            first, last = run[0], run[-1]
            spans.append(
                ExcludedSpan(ExclusionReason.INTRODUCTION, first, last, blocks[first].start, blocks[last].end)
            )
            run = []
    return spans


def _levels(
    blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style]
) -> tuple[Style | None, set[Style], dict[int, str]]:
    """The ranked styles and, per heading position, "category" or "risk"."""
    risk_style, category_styles = _rank_styles(blocks, candidates)
    grouping_lines = _unworded_categories_in_risk_style(blocks, candidates, risk_style)
    levels: dict[int, str] = {}
    for position, style in candidates.items():
        heads_a_heading = position + 1 in candidates
        if position in grouping_lines or _is_category(
            blocks[position], style, risk_style, category_styles, heads_a_heading=heads_a_heading
        ):
            levels[position] = "category"
        elif style == risk_style or (
            not heads_a_heading
            and _is_slip_of(style, risk_style)
            and _looks_like_a_risk_heading(blocks[position])
        ):
            levels[position] = "risk"
    return risk_style, category_styles, levels


def _unworded_categories_in_risk_style(
    blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style], risk_style: Style | None
) -> set[int]:
    """Category lines set in the risk style and not worded as categories ("Our Operations").

    Such a line is short, has no sentence end and heads a risk heading directly. One such line
    may be a risk heading whose body is missing, so the pattern must repeat to count.
    """
    lines = {
        position
        for position, style in candidates.items()
        if style == risk_style
        and candidates.get(position + 1) == risk_style
        and len(blocks[position].text) <= MAX_CATEGORY_CHARS
        and not SENTENCE_END.search(blocks[position].text)
    }
    return lines if len(lines) >= MIN_REPEATED_CATEGORY_LINES else set()


def _is_slip_of(style: Style, risk_style: Style | None) -> bool:
    """A typesetting slip: the risk style with one of bold, italic, underline or size changed."""
    if risk_style is None or _is_run_in(style) or _is_run_in(risk_style) or len(style) != len(risk_style):
        return False
    changed = [index for index in range(len(TYPESETTING)) if style[index] != risk_style[index]]
    return len(changed) == 1 and style[len(TYPESETTING) :] == risk_style[len(TYPESETTING) :]


def _looks_like_a_risk_heading(block: CleanedBlock) -> bool:
    return MIN_SLIPPED_HEADING_CHARS <= len(block.text) <= MAX_HEADING_MEDIAN_CHARS and not block.is_all_caps


def _features(text: str) -> dict[str, float]:
    from sec_analyzer.preprocessing.features import text_features

    return text_features(text)


def _style_of(block: CleanedBlock) -> Style:
    size = round(block.font_size / FONT_SIZE_STEP) * FONT_SIZE_STEP if block.font_size else None
    return (block.bold, block.italic, block.underline, size)


def _body_style(blocks: tuple[CleanedBlock, ...]) -> Style:
    weights: Counter[Style] = Counter()
    for block in blocks:
        if block.kind is not BlockKind.TABLE:
            weights[_style_of(block)] += len(block.text)
    return weights.most_common(1)[0][0] if weights else (False, False, False, None)


def _heading_style(block: CleanedBlock, body_style: Style) -> Style | None:
    """The style a heading candidate is ranked by, or None for body text."""
    if block.kind is BlockKind.TABLE or (block.kind is BlockKind.LIST_ITEM and not block.is_emphasized):
        return None
    if block.run_in_heading and len(block.run_in_heading) < len(block.text) and not block.is_emphasized:
        return (RUN_IN, _is_all_caps(block.run_in_heading))
    if len(block.text) > MAX_HEADING_CHARS:
        return None
    style = _style_of(block)
    body_size = body_style[3]
    size = style[3]
    larger = isinstance(size, float) and isinstance(body_size, float) and size > body_size
    distinct = style != body_style and (block.is_emphasized or larger)
    caps = block.is_all_caps
    if distinct or caps:
        return (*style, caps, block.kind is BlockKind.LIST_ITEM)
    return None


def _unstyled_headings(
    blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style], excluded: set[int]
) -> list[int]:
    return [
        position
        for position, block in enumerate(blocks[:-1])
        if position not in candidates
        and position not in excluded
        and block.kind is BlockKind.PARAGRAPH
        and len(block.text) <= MAX_UNSTYLED_HEADING_CHARS
        and len(SENTENCE_BREAK.findall(block.text)) == 0
        and blocks[position + 1].kind is not BlockKind.TABLE
        and len(blocks[position + 1].text) > len(block.text)
    ]


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _is_run_in(style: Style | None) -> bool:
    return style is not None and style[0] == RUN_IN


def normalized_heading(text: str) -> str:
    """A heading's comparison key: lower case, letters and digits only, single spaces.

    Quotes, dashes, punctuation and spacing differ between filers' typesetting and between
    years of the same filer, so headings are matched on this key.
    """
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'").replace("'", "")).strip()


def _structural_spans(blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style]) -> list[ExcludedSpan]:
    spans: list[ExcludedSpan] = []

    def add(reason: ExclusionReason, first: int, last: int) -> None:
        spans.append(ExcludedSpan(reason, first, last, blocks[first].start, blocks[last].end))

    titles = [
        p
        for p, block in enumerate(blocks)
        if (
            block.kind is not BlockKind.LIST_ITEM
            and len(block.text) <= MAX_CATEGORY_CHARS
            and (ITEM_HEADING.match(block.text) or BARE_RISK_FACTORS.match(block.text))
        )
        or BARE_RISK_FACTORS.match(block.run_in_heading or "")
    ]
    for position in titles:
        add(ExclusionReason.TITLE, position, position)
    title_positions = set(titles)

    summary_start = next(
        (
            p
            for p in sorted(candidates)
            if SUMMARY_HEADING.search(blocks[p].text) and len(blocks[p].text) <= MAX_CATEGORY_CHARS
        ),
        None,
    )
    if summary_start is not None:
        summary_end = _summary_end(blocks, candidates, summary_start, title_positions)
        add(ExclusionReason.SUMMARY, summary_start, summary_end)

    ordered = sorted(candidates)
    for index, position in enumerate(ordered):
        if (
            FORWARD_LOOKING_HEADING.search(blocks[position].text)
            and len(blocks[position].text) <= MAX_CATEGORY_CHARS
        ):
            later = [p for p in ordered[index + 1 :] if not FORWARD_LOOKING_HEADING.search(blocks[p].text)]
            add(ExclusionReason.FORWARD_LOOKING, position, (later[0] if later else len(blocks)) - 1)
    return sorted(spans, key=lambda span: span.first_block)


def _summary_end(
    blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style], start: int, titles: set[int]
) -> int:
    """Last block of the summary whose heading is at `start`.

    A summary is a few lead-in paragraphs, then bullets (optionally grouped under category
    lines) or heading lines. It ends before a title, before a heading line that repeats one of
    its lines (the risk factors proper start with the first category again), or, if bulleted,
    at its last bullet once something other than a bullet or a category line over bullets follows.
    """
    last_item: int | None = None
    lead_paragraphs = 0
    seen_lines: set[str] = set()
    for position in range(start + 1, len(blocks)):
        block = blocks[position]
        if position in titles:
            return position - 1
        key = normalized_heading(block.text)
        if position in candidates and key in seen_lines:
            return position - 1
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if block.kind is BlockKind.LIST_ITEM:
            last_item = position
        elif position in candidates and (
            last_item is None or (following is not None and following.kind is BlockKind.LIST_ITEM)
        ):
            pass  # a category line over its bullets, or a line of an unbulleted summary
        elif (
            last_item is None and position not in candidates and lead_paragraphs < MAX_SUMMARY_LEAD_PARAGRAPHS
        ):
            lead_paragraphs += 1
        else:
            break
        if position in candidates or block.kind is BlockKind.LIST_ITEM:
            seen_lines.add(key)
    return last_item if last_item is not None else start


def _rank_styles(
    blocks: tuple[CleanedBlock, ...], candidates: dict[int, Style]
) -> tuple[Style | None, set[Style]]:
    """The risk-level style and the category-level styles of one Item 1A."""
    if not candidates:
        return None, set()
    ordered = sorted(candidates)
    next_candidate = dict(zip(ordered, [*ordered[1:], None], strict=True))
    by_style: dict[Style, list[int]] = {}
    for position in ordered:
        by_style.setdefault(candidates[position], []).append(position)

    def followed_by_body(position: int) -> bool:
        following = position + 1
        return following < len(blocks) and following != next_candidate[position]

    heading_like = {
        style: positions
        for style, positions in by_style.items()
        # A run-in heading carries its body in its own paragraph.
        if _is_run_in(style)
        or (
            statistics.median(len(blocks[p].text) for p in positions) <= MAX_HEADING_MEDIAN_CHARS
            and sum(followed_by_body(p) for p in positions) / len(positions) >= MIN_FOLLOWED_BY_BODY
        )
    }
    if not heading_like:
        return None, set()
    risk_style = max(heading_like, key=lambda style: (len(heading_like[style]), -min(heading_like[style])))

    category_styles: set[Style] = set()
    for style, positions in by_style.items():
        if style == risk_style or len(positions) > len(by_style[risk_style]):
            continue
        short = all(
            len(blocks[p].text) <= MAX_CATEGORY_CHARS and not SENTENCE_END.search(blocks[p].text)
            for p in positions
        )
        before_risk = sum(
            1 for p in positions if (n := next_candidate[p]) is not None and candidates[n] == risk_style
        )
        if short and before_risk * 2 >= len(positions):
            category_styles.add(style)
    return risk_style, category_styles


def _is_category(
    block: CleanedBlock,
    style: Style,
    risk_style: Style | None,
    category_styles: set[Style],
    *,
    heads_a_heading: bool,
) -> bool:
    # A line in a category style that is followed by body text is a risk heading in that style.
    if style in category_styles and heads_a_heading:
        return True
    if _is_run_in(style):
        text = (block.run_in_heading or "").rstrip(" .:-–—")
        return style != risk_style and (_is_all_caps(text) or bool(CATEGORY_WORDING.match(text)))
    text = block.text
    if len(text) > MAX_CATEGORY_CHARS or SENTENCE_END.search(text):
        return False
    if CATEGORY_WORDING.match(text) or (block.is_all_caps and style != risk_style):
        return True
    return bool(RISKS_NOUN_PHRASE.match(text)) and not FIRST_PERSON_OPENING.match(text)


def _heading_and_first_body(block: CleanedBlock, style: Style) -> tuple[str, str]:
    """A run-in heading's block holds the heading and the first body sentences."""
    if _is_run_in(style) and block.run_in_heading:
        heading = block.run_in_heading
        return heading, block.text[len(heading) :].strip() if block.text.startswith(heading) else block.text
    return block.text.removeprefix(f"{BULLET} "), ""


class RiskFactorsAbsentError(SecAnalyzerError):
    """The filing has no Item 1A text to segment; `absent` says why."""

    def __init__(self, absent: AbsentItem) -> None:
        self.absent = absent
        super().__init__(f"Item 1A is absent ({absent.reason.value}): {absent.detail[:200]}")


def item_1a_elements(doc: ParsedDocument) -> list[Element]:
    """The elements of a parsed 10-K's Item 1A; raises `RiskFactorsAbsentError` when it has none."""
    result = extract_items(doc)["1A"]
    if isinstance(result, AbsentItem):
        raise RiskFactorsAbsentError(result)
    first, last = result.element_span
    return doc.elements[first : last + 1]


def segment_document(doc: ParsedDocument, *, with_features: bool = True) -> Segmentation:
    """Extract, clean and segment the Item 1A of a parsed 10-K."""
    return segment_item(clean_item(item_1a_elements(doc)), with_features=with_features)
