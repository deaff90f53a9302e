"""Find the top-level items of a 10-K (Item 1 … Item 16) in a parsed document.

How a heading is told from everything else that says "Item 1A":
- a candidate is a block that *starts* with "Item N" (optionally after "PART I") and whose
  title, in the block or in the next block (headings split across table cells or lines),
  is that item's title; prose mentions ("see Item 1A of this report") fail the title test,
  and a plain sentence that opens with an item's name ("Item 7 … of this report contains …")
  is a reference, not a heading;
- a heading repeated atop every page in the same setting is a running header: only its first
  occurrence can be the heading, and only when no other heading names that item;
- tables of contents (a table naming three or more items) are skipped, and a heading that a
  table-of-contents link points at is preferred over any other candidate for its item;
- among the remaining candidates, the chosen headings are the in-order chain (1 before 1A
  before 1B …) covering the most text, so a stray table-of-contents line or running page
  header, which covers almost nothing, loses to the real heading;
- 10-Ks laid out as an annual report have no item headings in the body: their sections are
  found by title ("RISK FACTORS.") and end at the next section title; the same search runs
  when an Item 1A heading only points at pages elsewhere in the document, or at a quoted
  section ("See “Risk Factors” below"). Banks print the index at the end with bare numbers
  ("1A. | Risk Factors | 45–58"), title it above the table, set their risk factors under
  descriptive titles ("Risk Factors Relating to Our Business") or inside a larger section; a
  title-found section ends at a sibling or parent-level heading. With styling stripped, a
  run-in heading is recognised by its capitals ("RISK FACTORS. The …");
- Item 1A of such a filing is weighed on the evidence it gives, strongest first: the
  "Form 10-K Cross-Reference Index" page range read against the printed page numbers of the
  running footers (the section starts at a risk-factor heading on the range's first page and
  runs to the next section's heading on its last page), the index's section name, a contents
  link to the section, the title alone. A "Risk Factors and Other Key Information" section
  holds other sub-sections too (market risk, cybersecurity, properties …): only its "Risk
  Factors" sub-section is the item. Evidence that does not settle it gives an absence, never
  a neighbouring section; each found item says what found it (`LocatedBy`);
- item numbers may be Roman ("Item IA.", "ITEM VII"); a contents page set as paragraphs
  (item lines with only titles and page numbers between them) is skipped wherever it appears,
  so a second copy before Part II is too.

Each item runs from its heading to the next chosen heading. Items with no text of their own
come back as typed `AbsentItem`s (reserved, omitted by a smaller reporting company or an
asset-backed issuer, incorporated by reference, not applicable, not found, not a 10-K).
A truncated HTML document (never closed) yields UNPARSEABLE_DOCUMENT for every item: a
cut-off download cannot tell a missing item from an omitted one. Input that is not a
document at all never gets here: `parse_html` raises `DocumentParseError` for it.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from sec_analyzer.domain import AbsenceReason
from sec_analyzer.preprocessing.cover import document_form_type, is_annual_report_form
from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.parser import ParsedDocument

ITEM_IDS: tuple[str, ...] = (
    "1", "1A", "1B", "1C", "2", "3", "4", "5", "6", "7", "7A", "8",
    "9", "9A", "9B", "9C", "10", "11", "12", "13", "14", "15", "16",
)
_ORDER = {item_id: position for position, item_id in enumerate(ITEM_IDS)}
_TITLE_PATTERNS = {
    "1": r"business",
    "1A": r"(?:certain\s+|summary\s+of\s+)?risk\s+factors|factors\s+that\s+(?:may|could)\s+affect",
    "1B": r"unresolved\s+(?:sec\s+)?staff\s+comments",
    "1C": r"cyber\s*security",
    "2": r"(?:description\s+of\s+)?propert(?:y|ies)",
    "3": r"legal\s+proceedings",
    "4": r"(?:mine\s+safety|submission\s+of\s+matters|\(?removed\s+and\s+reserved\)?|\[?reserved\]?)",
    "5": r"market\s+for",
    "6": r"(?:selected\s+(?:consolidated\s+)?financial\s+data|\[?reserved\]?|\(?removed\s+and\s+reserved\)?)",
    "7": r"(?:management.{0,3}s\s+discussion|md\s*&\s*a\b)",
    "7A": r"quantitative\s+and\s+qualitative",
    "8": r"(?:consolidated\s+)?financial\s+statements",
    "9": r"changes\s+in\s+and\s+disagreements",
    "9A": r"controls\s+and\s+procedures",
    "9B": r"other\s+information",
    "9C": r"disclosure\s+regarding\s+foreign\s+jurisdictions",
    "10": r"directors",
    "11": r"executive\s+compensation",
    "12": r"security\s+ownership",
    "13": r"certain\s+relationships",
    "14": r"principal\s+account",
    "15": r"exhibits?",
    "16": r"form\s+10-k\s+summary",
}
_TITLES = {item_id: re.compile(pattern, re.IGNORECASE) for item_id, pattern in _TITLE_PATTERNS.items()}
_ANY_TITLE = re.compile("|".join(f"(?:{pattern})" for pattern in _TITLE_PATTERNS.values()), re.IGNORECASE)

_ITEM_PREFIX = re.compile(
    r"^(?:part\s+(?:[ivx]+|\d)\b[\s,.:;\-–—|]*)?items?\s*(?:no\.?\s*|#\s*)?(?=\d|[ivx])", re.IGNORECASE
)
# Some filers number items in Roman numerals: "Item IA.", "ITEM I A", "Item VII".
_ITEM_NUMBER = re.compile(
    r"(?:(\d{1,2})|(x?(?:ix|iv|v?i{1,3}|v))(?=\s*\(?[a-d]\)?(?![a-z])|(?![a-z])))(?:\s*\(?([a-d])\)?(?![a-z]))?",
    re.IGNORECASE,
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_ITEM_JOINER = re.compile(r"\s*(,|and|&|through|to|-|–|—)\s*(?:items?\s*)?(?=\d|[ivx])", re.IGNORECASE)
# "Item 9A(T)." in older filings; a title may be quoted: Item 1A. “Risk Factors”.
_TITLE_LEAD = re.compile(r"^(?:\s*\(T\))?[\s.:;\-–—|\"“‘']*")
_TITLE_TRAIL = " .:;-–—|\"”’'"
_TRAILING_PAGE = re.compile(r"(?:\||\s)\s*(?:\d{1,3}(?:\s*[-–]\s*\d{1,3})?|[ivx]{1,5})$", re.IGNORECASE)
_PROSE_REFERENCE = re.compile(
    r"\b(?:of|in)\s+this\s+(?:report|annual\s+report|form\s+10-k)\b"
    r"|\b(?:contains?|describes?|discuss(?:es)?|sets\s+forth|includes?|provides?)\b"
    r"|\bfor\s+(?:a\s+)?(?:discussion|further|more|additional)\b",
    re.IGNORECASE,
)
_RISK_WORD = re.compile(r"\brisks?\b", re.IGNORECASE)
_PART_HEADING = re.compile(r"^part\s+(?:i{1,3}|iv)\b\W*$", re.IGNORECASE)
_SIGNATURES = re.compile(r"^signatures?\.?$", re.IGNORECASE)
_HEADING_MAX_CHARS = 200
_TOC_MIN_ITEMS = 3
_TOC_TARGET_BONUS = 10_000_000
_UNUSUAL_STYLE_WEIGHT = 0.5
_HEADING_TABLE_MAX_ROWS = 3
_REFERENCE_INDEX = re.compile(r"cross[\s-]*reference\s+index|form\s+10-k\s+(?:cross[\s-]*)?reference", re.IGNORECASE)
_SECTION_HEADING_MAX_CHARS = 90
_BARE_ITEM_ROW = re.compile(r"^\d{1,2}\s*[A-Da-d]?\.?(?:\s|$)")
_DESCRIBED_TITLE = re.compile(
    r"(.+?)\s+(?:relat(?:ing|ed)|applicable|pertaining|specific)\s+to\s+\S.{0,60}$", re.IGNORECASE
)
_CAPITALS_LEAD = re.compile(r"([A-Z][A-Z0-9 ,&’'/-]{2,88}[.:])\s+(?=[A-Z0-9“\"(]?[a-z0-9])")
_MIN_SECTION_CHARS = {"1A": 2000, "1": 2000, "7": 2000, "8": 2000}
# Cells of a cross-reference index: "27-36", "Pages 48–62", "4-6, 7-13, 78-80", "82, (a)".
_FOOTNOTE_MARK = re.compile(r"\(\s*[a-z]\s*\)", re.IGNORECASE)
_PAGE_CELL = re.compile(r"(?:pages?\b|\d{1,4}|\(\s*[a-z]\s*\)|[\s,;.–—-]|\bto\b|\bthrough\b|\band\b)+", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(\d{1,4})(?:\s*(?:[-–—]|to|through)\s*(\d{1,4}))?", re.IGNORECASE)
_LEADER_PAGES = re.compile(r"(?:\.{2,}|\s)\s*(\d{1,4}(?:\s*(?:[-–—,]|to|through)\s*\d{1,4})*)\s*$", re.IGNORECASE)
_INDEX_PARAGRAPHS_MAX = 200
_NAMED_PAGES = re.compile(r"[,;]?\s*\b(?:on\s+)?pages?\s+(\d{1,4})(?:\s*(?:[-–—]|to|through)\s*(\d{1,4}))?", re.IGNORECASE)
# A printed page number closing or opening a running footer or header: "27", "- 27 -",
# "2023 FORM 10-K 27", "Annual Report | 27", "48 | Annual Report" (left-hand pages); "F-12"
# numbers another series and "Fiscal 2023" is a year, not a page.
_PAGE_LABEL = re.compile(
    r"(?:^|[\s|:–—])(?:page\s+)?(\d{1,3})[\s.–—-]*$|^[\s–—-]*(\d{1,3})(?:\s*[|:–—]|\s+(?=\D))", re.IGNORECASE
)
_HEADING_MIN_SIZE_STEP = 1.0  # points above the body text that make a short plain line a heading
_PAGE_LABEL_MAX_CHARS = 100
_PAGE_MAP_MIN_PAGES = 3
_PAGE_MAP_MIN_IN_SEQUENCE = 0.7
# "Risk Factors and Other Key Information": a larger section holding the risk factors as one
# of its sub-sections, next to market risk, cybersecurity, properties … ("Risk Factors and
# Uncertainties" is the risk section itself).
_ENCLOSING_RISK_TITLE = re.compile(
    r"(?:certain\s+)?risk\s+factors\s*(?:and|&)\s+(?!uncertaint)\w", re.IGNORECASE
)
# Headings inside a risk section: its categories ("Strategic Risks", "Risks Related to …",
# "Industry Risk Factors").
_RISK_CATEGORY = re.compile(
    r"\brisks\b|\brisk\s+factors?\b|^risks?\s+(?:related|relating|associated|specific|pertaining|affecting)\b"
    r"|^general\s+risk",
    re.IGNORECASE,
)
_TARGET_LOOKAHEAD = 4  # blocks between a link's anchor and the heading it marks
_MAX_RISK_TITLES = 64
_PAGE_SHIFTS = (0, -1, 1)
_TITLE_OPENS_HEADING = frozenset({"1B", "1C", "3", "5", "7", "7A", "8", "9", "9A", "9B", "9C", "10", "11", "12", "13", "14", "16"})

_RESERVED = re.compile(r"^\W*(?:\[\s*reserved\s*\]|\(?\s*removed\s+and\s+reserved\s*\)?|reserved)\W*$", re.IGNORECASE)
_SMALLER_REPORTING = re.compile(
    r"smaller\s+reporting\s+compan(?:y|ies).{0,200}?(?:not\s+required|omit|elect(?:ed|s)?\s+not)"
    r"|(?:not\s+required|not\s+applicable|omit\w*).{0,200}?smaller\s+reporting\s+compan",
    re.IGNORECASE | re.DOTALL,
)
_ASSET_BACKED = re.compile(r"asset[\s-]+backed\s+issuer|general\s+instruction\s+j\b", re.IGNORECASE)
_INCORPORATED = re.compile(
    r"incorporated\s+(?:herein\s+|in\s+this\s+item\s+|into\s+this\s+item\s+)?by\s+reference", re.IGNORECASE
)
# A pointer out of the primary document; "see Item 7 of this Annual Report" keeps its text here.
_OUTSIDE_DOCUMENT = re.compile(
    r"exhibit|(?<!this\s)annual\s+report(?!\s+on\s+form)|proxy\s+statement|information\s+statement",
    re.IGNORECASE,
)
_POINTER_MAX_CHARS = 1500
_PAGE_POINTER = re.compile(r"\bpages?\s+\d+", re.IGNORECASE)
_SECTION_POINTER = re.compile(
    r"\b(?:see|refer\s+to|set\s+forth|appears?|included|presented|contained|discussed)\b.{0,80}?"
    r"[“\"‘']\s*(?:" + _TITLE_PATTERNS["1A"] + r")\s*[”\"’']",
    re.IGNORECASE,
)
_NOTHING_HERE = re.compile(r"^\W*(?:not\s+applicable|n\s*/\s*a|none|omitted|not\s+required)\W*$", re.IGNORECASE)
# "Item 1A is not applicable to the registrant." A real section is never this short.
_SHORT_ANSWER_MAX_CHARS = 200
_NOT_APPLICABLE = re.compile(r"\bnot\s+applicable\b|\bnone\b", re.IGNORECASE)
_NOT_APPLICABLE_PHRASE = re.compile(r"\bnot\s+applicable\b", re.IGNORECASE)
# Items whose content is substance, so a short pointer elsewhere means the text is not here.
# Part III items are routinely a pointer to the proxy statement: that pointer is their answer.
_SUBSTANTIVE_ITEMS = frozenset({"1", "1A", "7", "7A", "8"})


class LocatedBy(StrEnum):
    """The evidence an item's section was found by."""

    ITEM_HEADING = "item_heading"  # its own "Item 1A." heading
    CROSS_REFERENCE_INDEX = "cross_reference_index"  # the Form 10-K index's pages or section name
    SECTION_TITLE = "section_title"  # a section titled like the item ("Risk Factors"), or a contents link to it


@dataclass(frozen=True)
class ExtractedItem:
    """One item's section: from its heading up to the next item's heading.

    `text` is the section as filed, one block per line, heading included and page furniture
    (page numbers, running headers, back-links) kept, so it covers the whole span; stages
    that want clean prose read `element_span` and skip PAGE_FURNITURE elements.
    """

    item_id: str
    title: str
    text: str
    element_span: tuple[int, int]  # first and last element, inclusive
    html_span: tuple[int, int]  # [start, end) in the decoded HTML
    located_by: LocatedBy


@dataclass(frozen=True)
class AbsentItem:
    """An item with no content of its own here; `detail` keeps whatever the filing says instead."""

    item_id: str
    reason: AbsenceReason
    detail: str


ItemResult = ExtractedItem | AbsentItem


@dataclass
class ItemExtraction:
    form_type: str | None
    items: dict[str, ItemResult] = field(default_factory=dict)

    def __getitem__(self, item_id: str) -> ItemResult:
        return self.items[normalize_item_id(item_id)]

    def __iter__(self) -> Iterator[ItemResult]:
        return iter(self.items.values())

    @property
    def is_annual_report(self) -> bool:
        """False when the cover says this is another form (then every item is NOT_A_10K)."""
        return self.form_type is None or is_annual_report_form(self.form_type)

    @property
    def found(self) -> dict[str, ExtractedItem]:
        return {key: value for key, value in self.items.items() if isinstance(value, ExtractedItem)}

    @property
    def absent(self) -> dict[str, AbsentItem]:
        return {key: value for key, value in self.items.items() if isinstance(value, AbsentItem)}


class UnknownItemError(ValueError):
    pass


def normalize_item_id(item_id: str) -> str:
    cleaned = re.sub(r"^item\s*", "", item_id.strip(), flags=re.IGNORECASE).upper()
    if cleaned not in _ORDER:
        raise UnknownItemError(f"unknown 10-K item {item_id!r} (known: {', '.join(ITEM_IDS)})")
    return cleaned


@dataclass(frozen=True)
class _Heading:
    item_ids: tuple[str, ...]
    element: int  # the heading block
    title: str
    toc_target: bool = False
    signature: tuple[object, ...] = ()  # how the heading is set: body headings share one

    @property
    def first_order(self) -> int:
        return _ORDER[self.item_ids[0]]


def extract_items(doc: ParsedDocument) -> ItemExtraction:
    """Every top-level 10-K item, each as `ExtractedItem` or typed `AbsentItem`."""
    form_type = document_form_type(doc)
    if form_type is not None and not is_annual_report_form(form_type):
        return _all_absent(form_type, AbsenceReason.NOT_A_10K, f"the document is a Form {form_type}, not a 10-K")
    if doc.truncated:
        # A cut-off download: what is missing cannot be told from what the filer left out.
        detail = "the document ends early (its HTML is never closed): it was truncated, fetch it again"
        return _all_absent(form_type, AbsenceReason.UNPARSEABLE_DOCUMENT, detail)
    elements = doc.elements
    toc_elements = _table_of_contents_elements(doc)
    candidates = _heading_candidates(elements, toc_elements, _toc_targets(doc, toc_elements))
    chain = _best_chain(candidates, _section_weights(elements, candidates))
    items: dict[str, ItemResult] = {}
    boundaries = sorted({heading.element for heading in chain})
    for heading in chain:
        last = _section_end(elements, heading.element, boundaries)
        for item_id in heading.item_ids:
            items[item_id] = _classify(
                doc, item_id, heading.title, heading.element, last, toc_elements, LocatedBy.ITEM_HEADING
            )
    index_rows = _reference_index_rows(elements)
    # A risk-factor heading that only points at pages elsewhere: look for the section itself.
    page_pointer = items.pop("1A") if _is_pointer(doc, items.get("1A")) else None
    if "1A" not in items or index_rows:
        # Without an index or a pointer saying the section lies elsewhere, a "Risk Factors"
        # title inside another item (MD&A in filings from before Item 1A existed) is that
        # item's subsection, not Item 1A.
        found_spans = [result.element_span for result in items.values() if isinstance(result, ExtractedItem)]
        within = [] if index_rows or page_pointer else found_spans
        if "1A" not in items:
            risk_section = _locate_risk_section(doc, toc_elements, index_rows.get("1A"))
            if isinstance(risk_section, AbsentItem):
                # The evidence contradicts itself: the filing's own pointer, if any, is its Item 1A.
                items["1A"] = page_pointer or risk_section
            elif risk_section is not None and not any(start <= risk_section.first <= end for start, end in within):
                items["1A"] = _classify(
                    doc, "1A", risk_section.title, risk_section.first, risk_section.last, toc_elements,
                    risk_section.located_by,
                )
        for item_id, (first, last, title) in _sections_by_title(doc, items, toc_elements).items():
            if not any(start <= first <= end for start, end in within):
                items[item_id] = _classify(doc, item_id, title, first, last, toc_elements, LocatedBy.SECTION_TITLE)
    if page_pointer is not None:
        items.setdefault("1A", page_pointer)
    for item_id in ITEM_IDS:
        if item_id not in items:
            items[item_id] = _not_found(item_id, index_rows.get(item_id), form_type)
    return ItemExtraction(form_type, {item_id: items[item_id] for item_id in ITEM_IDS})


def _is_pointer(doc: ParsedDocument, result: ItemResult | None) -> bool:
    """A risk-factor heading that only says where the text is ("See pages 27-36", "See “Risk Factors” below").

    A bank's 10-K may put the pointer right before the annual-report sections with no item
    heading after it, so its section runs on: then its first paragraph alone is the pointer.
    """
    if not isinstance(result, ExtractedItem):
        return False
    first, last = result.element_span
    body = _body_text(doc.elements, first, last)
    if len(body) <= _POINTER_MAX_CHARS and _PAGE_POINTER.search(body) is not None:
        return True
    opening = body.split("\n", 1)[0]
    return len(opening) <= _SHORT_ANSWER_MAX_CHARS and _SECTION_POINTER.search(opening) is not None


def _all_absent(form_type: str | None, reason: AbsenceReason, detail: str) -> ItemExtraction:
    return ItemExtraction(form_type, {item_id: AbsentItem(item_id, reason, detail) for item_id in ITEM_IDS})


@dataclass(frozen=True)
class _IndexRow:
    """An item's row in a Form 10-K cross-reference index: where the annual report holds it."""

    text: str  # as printed, cells joined by spaces
    pages: tuple[tuple[int, int], ...]  # printed page ranges, first and last page inclusive
    names: tuple[str, ...]  # the report's sections the row names, besides the item's own title


def _reference_index_rows(elements: list[Element]) -> dict[str, _IndexRow]:
    """Each item's row in a "Form 10-K Cross Reference Index", if the filing has one.

    The index is a table, maybe titled above it, whose rows may give bare numbers ("1A. | Risk
    Factors | 45–58") under an "Item Number" column; or short paragraphs under its title
    ("Item 1A. Risk Factors ........ 48-62").
    """
    rows: dict[str, _IndexRow] = {}
    for element in elements:
        if element.kind is ElementKind.TABLE and _is_reference_index(elements, element):
            lines = element.text.split("\n")
        elif (
            element.kind is ElementKind.TEXT
            and len(element.text) <= _HEADING_MAX_CHARS
            and _REFERENCE_INDEX.search(element.text)
        ):
            lines = _index_paragraphs(elements, element.index)
        else:
            continue
        for line in lines:
            item_ids = _parse_item_ids(line)[0] or (_parse_item_ids(f"Item {line}")[0] if _BARE_ITEM_ROW.match(line) else ())
            for item_id in item_ids:
                if item_id not in rows:
                    rows[item_id] = _index_row(line, item_ids)
    return rows


def _index_paragraphs(elements: list[Element], title: int) -> list[str]:
    """An index set as paragraphs after its title: one row per item line, later short lines its cells."""
    lines: list[str] = []
    for element in elements[title + 1 : title + 1 + _INDEX_PARAGRAPHS_MAX]:
        if element.kind in (ElementKind.PAGE_FURNITURE, ElementKind.PAGE_BREAK):
            continue
        if element.kind is not ElementKind.TEXT or len(element.text) > _HEADING_MAX_CHARS or _SIGNATURES.match(element.text):
            break
        if lines and not _parse_item_ids(element.text)[0]:
            lines[-1] += " | " + element.text
        else:
            lines.append(element.text)
    return lines


def _index_row(line: str, item_ids: tuple[str, ...]) -> _IndexRow:
    """The page ranges and section names in a row such as "Item 1A. | Risk Factors | 27-36"."""
    pages: list[tuple[int, int]] = []
    names: list[str] = []
    titled = False
    for position, cell in enumerate(line.split(" | ")):
        cell_ids, rest = _parse_item_ids(cell)
        # Only a row's first cell may give the item as a bare number ("1A."); later ones are pages.
        if not cell_ids and position == 0 and _BARE_ITEM_ROW.match(cell):
            cell_ids, rest = _parse_item_ids(f"Item {cell}")
        cell = _TITLE_LEAD.sub("", rest).strip(_TITLE_TRAIL) if cell_ids else cell.strip()
        if not cell or _FOOTNOTE_MARK.fullmatch(cell) or _NOT_APPLICABLE.search(cell):
            continue
        if _PAGE_CELL.fullmatch(cell) and any(character.isdigit() for character in cell):
            pages.extend(
                (int(first), int(last or first)) for first, last in _PAGE_RANGE.findall(_FOOTNOTE_MARK.sub("", cell))
            )
            continue
        # "Risk Factors, pages 48–62" or "Risk Factors ........ 48-62": a name and its pages in one cell.
        pages.extend((int(first), int(last or first)) for first, last in _NAMED_PAGES.findall(cell))
        cell = _NAMED_PAGES.sub("", cell)
        leader = _LEADER_PAGES.search(cell)
        if leader is not None:
            pages.extend((int(first), int(last or first)) for first, last in _PAGE_RANGE.findall(leader.group(1)))
            cell = cell[: leader.start()]
        cell = cell.strip(_TITLE_TRAIL + ",;")
        if not cell:
            continue
        if not titled and any(_TITLES[item_id].fullmatch(cell) for item_id in item_ids):
            titled = True  # the item's own title ("Risk Factors"), not a section of the report
        else:
            names.append(cell)
    return _IndexRow(line.replace(" | ", " "), tuple(pages), tuple(names))


def _is_reference_index(elements: list[Element], table: Element) -> bool:
    if _REFERENCE_INDEX.search(table.text[:300]):
        return True
    # Its title may stand above a sentence introducing it.
    before = elements[max(0, table.index - 4) : table.index]
    return any(e.kind is ElementKind.TEXT and _REFERENCE_INDEX.search(e.text[:300]) for e in before)


def _not_found(item_id: str, index_row: _IndexRow | None, form_type: str | None) -> AbsentItem:
    if index_row is not None:
        if _NOT_APPLICABLE.search(index_row.text):
            return AbsentItem(item_id, AbsenceReason.NOT_APPLICABLE, f"cross-reference index: {index_row.text}")
        return AbsentItem(
            item_id,
            AbsenceReason.NOT_FOUND,
            f"cross-reference index: {index_row.text} (pages of the annual-report layout; no section with this title)",
        )
    detail = f"no heading for Item {item_id} was found"
    if form_type is not None and form_type.endswith("/A"):
        # An amendment usually refiles only the parts it changes (often just Part III).
        detail += f" (the document is a Form {form_type} amendment, which may not include it)"
    return AbsentItem(item_id, AbsenceReason.NOT_FOUND, detail)


def _table_of_contents_elements(doc: ParsedDocument) -> set[int]:
    """Contents and index entries: tables naming three or more items, and item lines that link forward."""
    elements = doc.elements
    toc: set[int] = set()
    for element in elements:
        if element.kind is ElementKind.TABLE:
            named = {ids for line in element.text.split("\n") if (ids := _parse_item_ids(line)[0])}
            if len(named) >= _TOC_MIN_ITEMS:
                toc.add(element.index)
    toc |= _contents_paragraph_runs(elements)
    # A contents page written as paragraphs: each line links to its item further down.
    for source, target, _ in doc.links:
        if (
            source < len(elements)
            and elements[source].kind is ElementKind.TEXT
            and doc.anchors.get(target, -1) > source
            and _parse_item_ids(elements[source].text)[0]
        ):
            toc.add(source)
    return toc


def _contents_paragraph_runs(elements: list[Element]) -> set[int]:
    """Contents pages set as paragraphs: three or more item lines, in item order, with nothing
    but titles, page numbers and PART lines between them (a real item has text of its own,
    even "None."). An item line that goes back in order is the body's first heading."""
    found: set[int] = set()
    run: list[int] = []
    named: list[tuple[str, ...]] = []
    titles_since_item = 0

    def close_run() -> None:
        if len(named) >= _TOC_MIN_ITEMS:
            found.update(run)
        run.clear()
        named.clear()

    for element in elements:
        if element.kind in (ElementKind.PAGE_FURNITURE, ElementKind.PAGE_BREAK):
            continue
        item_ids = _parse_item_ids(element.text)[0] if element.kind is ElementKind.TEXT else ()
        if item_ids:
            if named and _ORDER[named[-1][-1]] >= _ORDER[item_ids[0]]:
                close_run()
            run.append(element.index)
            named.append(item_ids)
            titles_since_item = 0
        elif run and element.kind is ElementKind.TEXT and (
            _PART_HEADING.match(element.text)
            or (titles_since_item == 0 and len(element.text) <= _HEADING_MAX_CHARS and _ANY_TITLE.match(element.text))
        ):
            run.append(element.index)
            titles_since_item += 1
        else:
            close_run()
    close_run()
    return found


def _toc_targets(doc: ParsedDocument, toc_elements: set[int]) -> set[int]:
    """Elements that links in a table of contents point at."""
    return {
        doc.anchors[target]
        for source, target, _ in doc.links
        if source in toc_elements and target in doc.anchors
    }


def _parse_item_ids(text: str) -> tuple[tuple[str, ...], str]:
    """The item ids a heading names ("Items 1 and 2." -> ("1", "2")) and the text after them."""
    prefix = _ITEM_PREFIX.match(text)
    if prefix is None:
        return (), text
    position = prefix.end()
    ids: list[str] = []
    joiner = ""
    while True:
        number = _ITEM_NUMBER.match(text, position)
        if number is None:
            break
        digits = number.group(1).lstrip("0") if number.group(1) else str(_roman_value(number.group(2)))
        item_id = digits + (number.group(3) or "").upper()
        if item_id not in _ORDER:
            break
        if joiner in ("through", "to", "-", "–", "—") and ids:
            ids.extend(i for i in ITEM_IDS[_ORDER[ids[-1]] + 1 : _ORDER[item_id] + 1])
        else:
            ids.append(item_id)
        position = number.end()
        join = _ITEM_JOINER.match(text, position)
        if join is None:
            break
        joiner = join.group(1).lower()
        position = join.end()
    if not ids:
        return (), text
    ordered = tuple(sorted(set(ids), key=_ORDER.__getitem__))
    return ordered, text[position:]


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[letter] for letter in numeral.lower()]
    return sum(-value if value < following else value for value, following in zip(values, [*values[1:], 0], strict=True))


def _heading_candidates(elements: list[Element], toc_elements: set[int], toc_targets: set[int]) -> list[_Heading]:
    candidates: list[_Heading] = []
    repeated_lines: set[str] = set()
    for element in elements:
        if element.kind is ElementKind.PAGE_FURNITURE:
            # A heading repeated atop every page, set like its running copies, was marked a
            # running line with them: its first occurrence is kept in reserve.
            if element.text in repeated_lines:
                continue
            repeated_lines.add(element.text)
        elif element.kind not in (ElementKind.TEXT, ElementKind.TABLE) or element.index in toc_elements:
            continue
        lines = element.text.split("\n") if element.kind is ElementKind.TABLE else [element.text]
        # A table longer than a heading may still open with one: some filers set a whole section
        # in a table, its number and title in the first rows and its prose in the rest.
        if len(lines) > _HEADING_TABLE_MAX_ROWS and not any(len(line) > _HEADING_MAX_CHARS for line in lines):
            continue
        text = lines[0]
        item_ids, rest = _parse_item_ids(text)
        if not item_ids:
            continue
        title = _TITLE_LEAD.sub("", rest).strip()
        heading_text = text
        if not title:
            following = _next_block(elements, element.index)
            if len(lines) > 1:
                title = lines[1]
            elif following is not None:
                title = following.text.split("\n", 1)[0]
            heading_text = f"{text} {title}"
        if not any(_TITLES[item_id].match(title) for item_id in item_ids):
            continue
        if not _looks_like_heading(element, heading_text):
            continue
        if _TRAILING_PAGE.search(heading_text) and element.kind is ElementKind.TABLE:
            continue
        targeted = _is_toc_target(elements, element.index, toc_targets)
        candidates.append(
            _Heading(item_ids, element.index, _clean_title(title), targeted, _style_signature(element, heading_text))
        )
    in_body = {item_id for heading in candidates if not _is_furniture(elements, heading) for item_id in heading.item_ids}
    return [
        candidate
        for candidate in candidates
        if not (_is_furniture(elements, candidate) and set(candidate.item_ids) & in_body)
    ]


def _is_furniture(elements: list[Element], heading: _Heading) -> bool:
    return elements[heading.element].kind is ElementKind.PAGE_FURNITURE


def _style_signature(element: Element, heading_text: str) -> tuple[object, ...]:
    letters = [character for character in heading_text if character.isalpha()]
    all_caps = bool(letters) and all(character.isupper() for character in letters)
    return (element.kind, element.bold, element.italic, element.underline, element.font_size, all_caps)


def _is_toc_target(elements: list[Element], heading: int, toc_targets: set[int]) -> bool:
    """Whether a table-of-contents link points at the heading or at the page furniture just before it."""
    cursor = heading
    while cursor >= 0:
        if cursor in toc_targets:
            return True
        cursor -= 1
        if cursor < 0 or elements[cursor].kind not in (ElementKind.PAGE_FURNITURE, ElementKind.PAGE_BREAK):
            return False
    return False


def _looks_like_heading(element: Element, heading_text: str) -> bool:
    if len(heading_text) <= _HEADING_MAX_CHARS:
        # A plain sentence that opens with an item's name refers to it: "Item 7. Management's
        # Discussion and Analysis of this report contains …".
        plain = element.kind is ElementKind.TEXT and not (
            element.is_emphasized or element.is_all_caps or element.bold_prefix
        )
        return not (plain and _PROSE_REFERENCE.search(heading_text))
    prefix = element.bold_prefix
    return prefix is not None and bool(_ITEM_PREFIX.match(prefix))


def _clean_title(title: str) -> str:
    title = re.sub(r"\s*\|\s*", " ", title)
    return title[:_HEADING_MAX_CHARS].strip(_TITLE_TRAIL)


def _next_block(elements: list[Element], index: int) -> Element | None:
    for element in elements[index + 1 : index + 6]:
        if element.kind in (ElementKind.TEXT, ElementKind.TABLE):
            return element
    return None


def _section_weights(elements: list[Element], candidates: list[_Heading]) -> dict[int, int]:
    """Characters of text from each candidate heading to the next candidate of any item."""
    starts = sorted({candidate.element for candidate in candidates})
    cumulative = [0]
    for element in elements:
        cumulative.append(cumulative[-1] + (len(element.text) if element.kind is not ElementKind.PAGE_FURNITURE else 0))
    weights: dict[int, int] = {}
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(elements)
        weights[start] = cumulative[end] - cumulative[start]
    return weights


def _best_chain(candidates: list[_Heading], weights: dict[int, int]) -> list[_Heading]:
    """The chain of headings in document order and item order that covers the most text.

    Candidates come in document order, so the best chain ending at each candidate extends the
    best chain ending at any earlier candidate of a lower item (kept per item position).
    """
    if not candidates:
        return []
    # A mention that happens to open a block ("Item 7A. Quantitative … of this report") is
    # set like prose, not like the filing's item headings: it counts for less in a conflict.
    usual = Counter(candidate.signature for candidate in candidates).most_common(1)[0][0]
    best_ending_at_order: list[tuple[float, int]] = [(0.0, -1)] * len(ITEM_IDS)  # (score, candidate)
    previous: list[int] = []
    scores: list[float] = []
    for current, heading in enumerate(candidates):
        weight = weights[heading.element] * (1.0 if heading.signature == usual else _UNUSUAL_STYLE_WEIGHT)
        own = weight + 1 + (_TOC_TARGET_BONUS if heading.toc_target else 0)
        # "Items 1 and 2" may precede "Item 1A": order by the first item a heading names.
        order = heading.first_order
        before_score, before = max(best_ending_at_order[:order], default=(0.0, -1))
        scores.append(before_score + own)
        previous.append(before)
        if scores[current] > best_ending_at_order[order][0]:
            best_ending_at_order[order] = (scores[current], current)
    best = max(range(len(candidates)), key=scores.__getitem__)
    chain: list[_Heading] = []
    while best != -1:
        chain.append(candidates[best])
        best = previous[best]
    return chain[::-1]


def _section_end(elements: list[Element], start: int, boundaries: list[int]) -> int:
    """The last element of the section starting at `start`: before the next heading, or the signatures."""
    later = [boundary for boundary in boundaries if boundary > start]
    if later:
        return later[0] - 1
    for element in elements[start + 1 :]:
        if element.kind is ElementKind.TEXT and _SIGNATURES.match(element.text):
            return element.index - 1
    return len(elements) - 1


def _classify(
    doc: ParsedDocument,
    item_id: str,
    title: str,
    first: int,
    last: int,
    toc_elements: set[int],
    located_by: LocatedBy,
) -> ItemResult:
    """An extracted item, or the typed reason why its few words are not the item's content."""
    elements = doc.elements
    text = doc.text_of((first, last), include_furniture=True)
    content = [e.index for e in elements[first + 1 : last + 1] if e.kind in (ElementKind.TEXT, ElementKind.TABLE)]
    if content and all(index in toc_elements for index in content):
        detail = f"the section under the Item {item_id} heading is only a table of contents"
        return AbsentItem(item_id, AbsenceReason.NOT_FOUND, detail)
    body = _body_text(elements, first, last)
    if _RESERVED.match(body) or (not body and re.search(r"reserved", title, re.IGNORECASE)):
        return AbsentItem(item_id, AbsenceReason.RESERVED, text)
    if len(body) <= _POINTER_MAX_CHARS:
        if _SMALLER_REPORTING.search(body):
            return AbsentItem(item_id, AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY, text)
        if _ASSET_BACKED.search(body):
            return AbsentItem(item_id, AbsenceReason.OMITTED_ASSET_BACKED_ISSUER, text)
        if item_id in _SUBSTANTIVE_ITEMS and _INCORPORATED.search(body) and _OUTSIDE_DOCUMENT.search(body):
            return AbsentItem(item_id, AbsenceReason.INCORPORATED_BY_REFERENCE, text)
        # "None." is a real answer for Item 1B or 4; for risk factors or MD&A it means there is none here.
        if item_id in _SUBSTANTIVE_ITEMS and (
            _NOTHING_HERE.match(body) or (len(body) <= _SHORT_ANSWER_MAX_CHARS and _NOT_APPLICABLE_PHRASE.search(body))
        ):
            return AbsentItem(item_id, AbsenceReason.NOT_APPLICABLE, text)
        if item_id in _SUBSTANTIVE_ITEMS and not body:
            detail = f"the Item {item_id} heading has no text under it: {text}"
            return AbsentItem(item_id, AbsenceReason.NOT_FOUND, detail)
    html_end = _html_end(doc, last)
    return ExtractedItem(
        item_id=item_id,
        title=title,
        text=text,
        element_span=(first, last),
        html_span=(elements[first].html_start, html_end),
        located_by=located_by,
    )


def _body_text(elements: list[Element], first: int, last: int) -> str:
    """The section's text without its heading line(s) and page furniture."""
    parts = [
        element.text
        for element in elements[first + 1 : last + 1]
        if element.kind in (ElementKind.TEXT, ElementKind.TABLE)
    ]
    heading = elements[first].text
    _, rest = _parse_item_ids(heading)
    rest = _TITLE_LEAD.sub("", rest)
    title = _ANY_TITLE.match(rest)
    remainder = rest[title.end() :].strip(_TITLE_TRAIL) if title else ""
    if remainder:
        parts.insert(0, remainder)
    if parts and not remainder and _ANY_TITLE.fullmatch(parts[0].strip(_TITLE_TRAIL)):
        parts.pop(0)
    return "\n".join(parts).strip()


def _html_end(doc: ParsedDocument, last: int) -> int:
    following = last + 1
    if following < len(doc.elements):
        return doc.elements[following].html_start
    return doc.elements[last].html_end


def _sections_by_title(
    doc: ParsedDocument, found: dict[str, ItemResult], toc_elements: set[int]
) -> dict[str, tuple[int, int, str]]:
    """Sections of a cross-reference-index 10-K, found by their titles instead of item numbers.

    Such a filing prints "RISK FACTORS." (often as a run-in heading) where others print
    "Item 1A. Risk Factors"; a section ends at the next block headed by another item's title
    in the same letter case.
    """
    elements = doc.elements
    titled = _titled_blocks(elements, toc_elements)
    sections: dict[str, tuple[int, int, str]] = {}
    for item_id in ITEM_IDS:
        if item_id in found or item_id == "1A":  # Item 1A has its own search: `_locate_risk_section`
            continue
        best: tuple[int, int, str] | None = None
        best_size = 0
        for position, (index, heading) in enumerate(titled):
            if not _is_section_title(item_id, heading):
                continue
            last = _title_section_end(elements, titled, position, item_id)
            size = sum(len(e.text) for e in elements[index : last + 1] if e.kind is not ElementKind.PAGE_FURNITURE)
            if size > best_size:
                best, best_size = (index, last, heading.rstrip(" .:")), size
        if best is not None and best_size >= _MIN_SECTION_CHARS.get(item_id, 0):
            sections[item_id] = best
    return sections


def _titled_blocks(elements: list[Element], toc_elements: set[int]) -> list[tuple[int, str]]:
    """Every block that opens with a section heading, with that heading's text.

    Besides emphasis and capitals, a short line set larger than the body text is a heading:
    annual reports often mark their sections by size alone.
    """
    sizes: Counter[float] = Counter()
    for element in elements:
        if element.kind is ElementKind.TEXT and element.font_size is not None:
            sizes[element.font_size] += len(element.text)
    body_size = sizes.most_common(1)[0][0] if sizes else None
    titled: list[tuple[int, str]] = []
    for element in elements:
        # A heading may be set in a one-line table (a banner cell).
        one_line_table = element.kind is ElementKind.TABLE and "\n" not in element.text
        if (element.kind is not ElementKind.TEXT and not one_line_table) or element.index in toc_elements:
            continue
        heading = _section_heading(element)
        if (
            heading is None
            and body_size is not None
            and element.font_size is not None
            and element.font_size >= body_size + _HEADING_MIN_SIZE_STEP
            and len(element.text) <= _SECTION_HEADING_MAX_CHARS
        ):
            heading = element.text
        # A capitalised line ending in a page number is a footer whose styling was lost.
        if heading is not None and not _PAGE_LABEL.search(heading):
            titled.append((element.index, heading))
    return titled


def _block_style(element: Element) -> tuple[object, ...]:
    return (element.bold, element.italic, element.underline, element.font_size, element.is_all_caps, element.centered)


def _section_heading(element: Element) -> str | None:
    """The heading text a block opens with: the whole block if it is short and emphasized, or its run-in lead."""
    if element.bold_prefix and len(element.bold_prefix) <= _SECTION_HEADING_MAX_CHARS:
        return element.bold_prefix
    if len(element.text) <= _SECTION_HEADING_MAX_CHARS and (element.is_emphasized or element.is_all_caps):
        return element.text
    # With its styling stripped, a run-in heading is still told by its capitals: "RISK FACTORS. The …".
    lead = _CAPITALS_LEAD.match(element.text)
    return lead.group(1) if lead else None


def _is_section_title(item_id: str, heading: str) -> bool:
    """Whether a heading is the item's title, plainly or described: "Risk Factors Relating to Our Business"."""
    title = heading.rstrip(" .:")
    described = _DESCRIBED_TITLE.match(title)
    return _TITLES[item_id].fullmatch(described.group(1) if described else title) is not None


def _at_least_as_prominent(other: Element, heading: Element) -> bool:
    if _block_style(other) == _block_style(heading):
        return True
    if other.font_size is None or heading.font_size is None:
        return False
    return other.font_size >= heading.font_size and (other.bold or not heading.bold)


def _title_section_end(elements: list[Element], titled: list[tuple[int, str]], position: int, item_id: str) -> int:
    start, heading = titled[position]
    upper = heading.isupper()
    standalone = elements[start] if heading == elements[start].text else None
    for index, other in titled[position + 1 :]:
        # "Risk Factors Relating to Regulation" after "… Relating to Our Business" continues the item.
        if _is_section_title(item_id, other):
            continue
        if other.isupper() == upper and _ANY_TITLE.match(other) and len(other) <= _SECTION_HEADING_MAX_CHARS:
            return index - 1
        # A heading set like this one is a sibling section, one set larger a parent's next section
        # ("Risk Factors" inside "Managing Global Risk"); "Risks Related to …" are its subheadings.
        if (
            standalone is not None
            and other == elements[index].text
            and _at_least_as_prominent(elements[index], standalone)
            and not _RISK_WORD.search(other)
        ):
            return index - 1
    for element in elements[start + 1 :]:
        if element.kind is ElementKind.TEXT and (_SIGNATURES.match(element.text) or _PART_HEADING.match(element.text)):
            return element.index - 1
    return len(elements) - 1


@dataclass(frozen=True)
class _LocatedSection:
    first: int
    last: int
    title: str
    located_by: LocatedBy


def _locate_risk_section(
    doc: ParsedDocument, toc_elements: set[int], index_row: _IndexRow | None
) -> _LocatedSection | AbsentItem | None:
    """Item 1A of a 10-K laid out as an annual report, where no "Item 1A" heading marks it.

    The section is a block titled "Risk Factors" (or a described variant), from that heading to
    the next heading of the same rank that is not one of its risk categories. A title such as
    "Risk Factors and Other Key Information" encloses other sub-sections too: only its "Risk
    Factors" sub-section is the item. The evidence, strongest first: the cross-reference index's
    page range read against the printed page numbers, the index's section name, a contents link
    to the section, the title alone. Evidence that contradicts itself gives an absence (None:
    nothing titled like risk factors at all), never a neighbouring section.
    """
    search = _RiskSearch.of(doc.elements, toc_elements)
    if index_row is not None and index_row.pages:
        pages = _page_numbers(doc.elements)
        on_pages = search.on_index_pages(index_row, pages) if pages else None
        if on_pages is not None:
            return on_pages
    sections = search.substantial_sections()
    if index_row is not None and index_row.names:
        named = [section for section in sections if _names_section(index_row.names, section.title)]
        if named:
            return search.largest(named, LocatedBy.CROSS_REFERENCE_INDEX)
    linked = _link_targets(doc)
    targeted = [section for section in sections if section.first in linked]
    if targeted:
        return search.largest(targeted, LocatedBy.SECTION_TITLE)
    if sections:
        return search.largest(sections, LocatedBy.SECTION_TITLE)
    enclosing = next((heading for _, heading in search.titled if _ENCLOSING_RISK_TITLE.match(heading)), None)
    if enclosing is not None:
        detail = f"“{enclosing}” has no “Risk Factors” sub-section of its own: which part is Item 1A cannot be told"
        return AbsentItem("1A", AbsenceReason.NOT_FOUND, detail)
    return None


@dataclass(frozen=True)
class _RiskSearch:
    """The document's headings, and where risk-factor sections titled among them start and end."""

    elements: list[Element]
    titled: list[tuple[int, str]]  # (element, heading text) of every heading, in document order
    starts: list[int]  # positions in `titled` of headings that open a risk section
    stops: list[int]  # elements no section runs past: SIGNATURES, PART headings

    @classmethod
    def of(cls, elements: list[Element], toc_elements: set[int]) -> _RiskSearch:
        titled = _titled_blocks(elements, toc_elements | _index_tables(elements))
        starts = [
            position
            for position, (_, heading) in enumerate(titled)
            if _TITLES["1A"].match(heading) and not _ENCLOSING_RISK_TITLE.match(heading)
        ]
        if len(starts) > _MAX_RISK_TITLES:
            # Each start is followed to its end: keep the work linear on a document of look-alikes.
            ranked = sorted(starts, key=lambda position: _prominence(elements, *titled[position]), reverse=True)
            starts = sorted(ranked[:_MAX_RISK_TITLES])
        stops = [
            element.index
            for element in elements
            if element.kind is ElementKind.TEXT and (_SIGNATURES.match(element.text) or _PART_HEADING.match(element.text))
        ]
        return cls(elements, titled, starts, stops)

    def section(self, position: int, ends_from: int | None = None) -> _LocatedSection:
        """From a risk-factor heading to the next heading of its rank (or above) that is not a risk category.

        With `ends_from` (the first block of the last page the index gives), only another item's
        own heading set at the opening's rank ends the section before that page; from there on the
        first heading opening with another item's title ends it however it is set ("Quantitative
        and Qualitative Disclosures About Market Risk", "Legal proceedings"), else the first heading
        of the opening's rank.
        """
        start, heading = self.titled[position]
        stop = bisect_right(self.stops, start)
        last = self.stops[stop] - 1 if stop < len(self.stops) else len(self.elements) - 1
        first_ranked: int | None = None
        for index, other in itertools.islice(self.titled, position + 1, None):
            if index > last:
                break
            if _TITLES["1A"].match(other) or _RISK_CATEGORY.search(other):
                continue
            ranked = _ranks_at_least(self.elements, index, other, start, heading)
            if ends_from is not None and index < ends_from:
                if ranked and _is_other_item_title(other, heading):
                    return _LocatedSection(start, index - 1, heading.rstrip(" .:"), LocatedBy.SECTION_TITLE)
            elif ends_from is None:
                if ranked or _is_other_item_title(other, heading):
                    return _LocatedSection(start, index - 1, heading.rstrip(" .:"), LocatedBy.SECTION_TITLE)
            elif _opens_with_next_item_title(other):
                return _LocatedSection(start, index - 1, heading.rstrip(" .:"), LocatedBy.SECTION_TITLE)
            elif first_ranked is None and ranked:
                first_ranked = index
        if first_ranked is not None:
            last = first_ranked - 1
        return _LocatedSection(start, last, heading.rstrip(" .:"), LocatedBy.SECTION_TITLE)

    def substantial_sections(self) -> list[_LocatedSection]:
        sections = (self.section(position) for position in self.starts)
        return [section for section in sections if self.is_substantial(section)]

    def on_index_pages(self, index_row: _IndexRow, pages: list[int | None]) -> _LocatedSection | AbsentItem | None:
        """The risk section starting on the first page of an index range, run to that range's last page.

        None when the index numbers pages this document does not print (no evidence either way).
        """
        printed = {page for page in pages if page is not None}
        ranges = [(first, last) for first, last in index_row.pages if first in printed and first <= last]
        if not ranges:
            return None
        # The printed numbers may sit one page off the index's (a heading at the foot of the page
        # before, a footer set after its page break): the exact page is tried first.
        for shift in _PAGE_SHIFTS:
            for first_page, last_page in ranges:
                starting = [
                    (position, self.run_to_page(position, pages, last_page + shift if last_page > first_page else None))
                    for position in self.starts
                    if pages[self.titled[position][0]] == first_page + shift
                ]
                substantial = [(position, section) for position, section in starting if self.is_substantial(section)]
                if substantial:
                    # A running header "Risk Factors" atop the page may come before the section's
                    # own, more prominent heading: the heading is the start.
                    _, best = max(
                        substantial,
                        key=lambda entry: (_prominence(self.elements, *self.titled[entry[0]]), self.size(entry[1])),
                    )
                    return _LocatedSection(best.first, best.last, best.title, LocatedBy.CROSS_REFERENCE_INDEX)
        pages_named = ", ".join(f"{first}-{last}" if first != last else str(first) for first, last in ranges)
        detail = (
            f"cross-reference index: {index_row.text} (no section titled “Risk Factors” starts on page {pages_named}"
            " of the printed page numbers)"
        )
        return AbsentItem("1A", AbsenceReason.NOT_FOUND, detail)

    def run_to_page(self, position: int, pages: list[int | None], last_page: int | None) -> _LocatedSection:
        """A risk section that runs to the index's last page: ended there by the next section's heading, or at its foot.

        A single page ("Risk Factors, page 45") says where the section starts, not where it ends.
        """
        start = self.titled[position][0]
        if last_page is None:
            section = self.section(position)
            return _LocatedSection(start, section.last, section.title, LocatedBy.CROSS_REFERENCE_INDEX)
        range_end = start
        while range_end + 1 < len(self.elements) and (pages[range_end + 1] or 0) <= last_page:
            range_end += 1
        last_page_start = next((index for index in range(start, range_end + 1) if pages[index] == last_page), start)
        section = self.section(position, ends_from=last_page_start)
        return _LocatedSection(start, min(section.last, range_end), section.title, LocatedBy.CROSS_REFERENCE_INDEX)

    def is_substantial(self, section: _LocatedSection) -> bool:
        return self.size(section) >= _MIN_SECTION_CHARS["1A"]

    def size(self, section: _LocatedSection) -> int:
        return sum(
            len(element.text)
            for element in self.elements[section.first : section.last + 1]
            if element.kind is not ElementKind.PAGE_FURNITURE
        )

    def largest(self, sections: list[_LocatedSection], located_by: LocatedBy) -> _LocatedSection:
        best = max(sections, key=self.size)
        return _LocatedSection(best.first, best.last, best.title, located_by)


def _index_tables(elements: list[Element]) -> set[int]:
    return {
        element.index
        for element in elements
        if element.kind is ElementKind.TABLE and _is_reference_index(elements, element)
    }


def _prominence(elements: list[Element], index: int, heading: str) -> tuple[bool, float, bool, bool]:
    """How a heading is set, most prominent last: a block of its own, larger, bold, not italic."""
    element = elements[index]
    return heading == element.text, element.font_size or 0.0, element.bold, not element.italic


def _ranks_at_least(elements: list[Element], index: int, heading: str, start: int, start_heading: str) -> bool:
    """Whether a heading is of the start heading's rank or above: a sibling or a parent's next section."""
    other, opening = elements[index], elements[start]
    standalone, opening_standalone = heading == other.text, start_heading == opening.text
    if standalone and opening_standalone:
        if _block_style(other) == _block_style(opening):
            return True
        if other.font_size is not None and opening.font_size is not None and other.font_size != opening.font_size:
            return other.font_size > opening.font_size and (other.bold or not opening.bold)
        # Set in the same size: italic or plain type marks a lower rank ("Risk Factors" in bold,
        # its risks in bold italic), capitals or underlining do not.
        return (other.bold or not opening.bold) and (opening.italic or not other.italic)
    if opening_standalone:
        return False  # a run-in lead ranks below a heading set as a block of its own
    if standalone:
        return (other.font_size or 0.0) >= (opening.font_size or 0.0)
    return heading.isupper() == start_heading.isupper() and other.font_size == opening.font_size


def _is_other_item_title(heading: str, same_case_as: str) -> bool:
    """Another item's title in the same letter case: "LEGAL PROCEEDINGS." after "RISK FACTORS."."""
    return heading.isupper() == same_case_as.isupper() and any(
        _is_section_title(item_id, heading) for item_id in ITEM_IDS if item_id != "1A"
    )


def _opens_with_next_item_title(heading: str) -> bool:
    """A heading opening with the title of an item that may follow the risk factors ("Cybersecurity
    Governance", "Quantitative and Qualitative …"); titles that also open ordinary phrases
    ("Property damage …", "Exhibits of …") must be the whole heading."""
    return any(
        _TITLES[item_id].match(heading) if item_id in _TITLE_OPENS_HEADING else _is_section_title(item_id, heading)
        for item_id in ITEM_IDS
        if item_id not in ("1", "1A")
    )


def _page_numbers(elements: list[Element]) -> list[int | None]:
    """Each element's printed page number, read off the page-number footers or headers.

    Pages are the stretches between page breaks (or, with no breaks, end at each page-number
    footer). Empty when fewer than three pages are numbered or the numbers do not run in
    sequence: such numbers cannot be read against an index.
    """
    by_breaks = any(element.kind is ElementKind.PAGE_BREAK for element in elements)
    page_of_element: list[int] = []
    labels: list[int | None] = [None]
    closing_line: int | None = None  # the page's last line, when it reads like a page number
    for element in elements:
        if element.kind is ElementKind.PAGE_BREAK and by_breaks:
            # A footer the parser did not take for furniture (it names the section: "Risk Factors | 48").
            if labels[-1] is None:
                labels[-1] = closing_line
            labels.append(None)
            closing_line = None
        page_of_element.append(len(labels) - 1)
        printed = _PAGE_LABEL.search(element.text) if len(element.text) <= _PAGE_LABEL_MAX_CHARS else None
        if element.kind is ElementKind.PAGE_FURNITURE and printed is not None:
            labels[-1] = int(printed.group(1) or printed.group(2))
            if not by_breaks:
                labels.append(None)
        elif element.kind in (ElementKind.TEXT, ElementKind.TABLE):
            # Only a trailing number: a line opening with one is as likely a footnote ("1 Includes …").
            closing_line = int(printed.group(1)) if printed is not None and printed.group(1) else None
    numbered = [(page, number) for page, number in enumerate(labels) if number is not None]
    in_sequence = sum(
        1
        for (page, number), (next_page, next_number) in itertools.pairwise(numbered)
        if next_number - number == next_page - page
    )
    if len(numbered) < _PAGE_MAP_MIN_PAGES or in_sequence < _PAGE_MAP_MIN_IN_SEQUENCE * (len(numbered) - 1):
        return []
    # A page without its number lies between two numbered pages that agree on it.
    filled = list(labels)
    for (page, number), (next_page, next_number) in itertools.pairwise(numbered):
        if next_number - number == next_page - page:
            for between in range(page + 1, next_page):
                filled[between] = number + between - page
    return [filled[page] for page in page_of_element]


def _names_section(names: tuple[str, ...], heading: str) -> bool:
    """Whether an index row's section name is this heading ("Risk Factors", "… – Risk Factors", "“Risk Factors”")."""
    wanted = _comparable(heading)
    for name in names:
        parts = [name, *re.findall(r"[“\"]([^”\"]+)[”\"]", name), *re.split(r"\s[–—-]\s|:|\s>\s", name)]
        if any(_comparable(part) == wanted for part in parts):
            return True
    return False


def _comparable(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _link_targets(doc: ParsedDocument) -> set[int]:
    """Headings that a link to the risk factors points at: one titled like them ("Risk Factors"),
    or one in their row of a contents table ("Risk Factors | 27", only the page linked)."""
    elements = doc.elements
    risk_row_cells: dict[int, set[str]] = {}
    targets: set[int] = set()
    for source, target, text in doc.links:
        anchor = doc.anchors.get(target)
        if anchor is None:
            continue
        if not _TITLES["1A"].match(text.strip(_TITLE_TRAIL)):
            if source >= len(elements) or elements[source].kind is not ElementKind.TABLE:
                continue
            if source not in risk_row_cells:
                risk_row_cells[source] = _risk_row_cells(elements[source])
            if text.strip() not in risk_row_cells[source]:
                continue
        # The anchor may sit on an empty block or a page break just before the heading.
        for element in elements[anchor : anchor + _TARGET_LOOKAHEAD]:
            targets.add(element.index)
            if element.kind is ElementKind.TEXT:
                break
    return targets


def _risk_row_cells(table: Element) -> set[str]:
    """The cells of a table's rows that are titled like risk factors ("Item 1A. | Risk Factors | 27")."""
    cells: set[str] = set()
    for row in table.text.split("\n"):
        row_cells = [cell.strip() for cell in row.split(" | ")]
        titles = [_TITLE_LEAD.sub("", _parse_item_ids(cell)[1]).strip() for cell in row_cells]
        title = next((title for title in titles if title), "")
        if _TITLES["1A"].match(title):
            cells.update(row_cells)
    return cells
