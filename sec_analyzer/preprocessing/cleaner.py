"""Text normalisation of one item's elements, keeping paragraphs and heading emphasis.

The cleaner turns the parser's elements into `CleanedText`: one string with paragraphs joined
by a blank line, plus a block list that keeps each paragraph's style flags and its offsets in
that string. The segmenter ranks the styles and reports offsets into the same string, so a
risk factor's offsets always point at exactly the text a user sees.

What is removed: page breaks and page furniture (page numbers, running headers and footers,
"Table of Contents" back-links). The parser marks furniture by the rules in
`page_furniture.py`; the cleaner applies the same page-number and back-link rule to blocks
that did not come from the parser. What is repaired: paragraphs and words split by a page
break, and paragraphs (typically long headings) typeset as two lines. What is normalised:
entities, unusual spaces, bullet glyphs, quotes and whitespace.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.page_furniture import is_furniture_text


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"  # prose, or a heading candidate (see the style flags)
    LIST_ITEM = "list_item"  # a bulleted line; its text starts with "• "
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class CleanedBlock:
    """One paragraph of the cleaned text; `text == CleanedText.text[start:end]`."""

    kind: BlockKind
    text: str
    start: int
    end: int
    bold: bool = False
    italic: bool = False
    underline: bool = False
    font_size: float | None = None
    centered: bool = False
    run_in_heading: str | None = None  # the emphasised first sentence of the paragraph, cleaned
    source_elements: tuple[int, ...] = ()

    @property
    def is_emphasized(self) -> bool:
        return self.bold or self.italic or self.underline

    @property
    def is_all_caps(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 3 and all(c.isupper() for c in letters)


@dataclass(frozen=True, slots=True)
class CleanedText:
    text: str
    blocks: tuple[CleanedBlock, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, so a pipeline stage can store the cleaned text between runs."""
        return {
            "text": self.text,
            "blocks": [
                {**asdict(block), "source_elements": list(block.source_elements)} for block in self.blocks
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CleanedText:
        blocks = tuple(
            CleanedBlock(
                **{
                    **block,
                    "kind": BlockKind(block["kind"]),
                    "source_elements": tuple(block.get("source_elements", ())),
                }
            )
            for block in data["blocks"]
        )
        return cls(text=data["text"], blocks=blocks)


PARAGRAPH_SEPARATOR = "\n\n"
BULLET = "•"
# Glyphs filers use for bullets, including the Symbol/Wingdings private-use code points that
# Word exports (U+F0B7 and friends) and dashes used as bullets.
BULLET_GLYPHS = "•●◦▪▫■□◆◇♦➢➤►▸‣⁃∙·○◘❖✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8"
BULLET_PREFIX = re.compile(rf"^\s*(?:[{BULLET_GLYPHS}]|[-–—](?=\s))\s*")
GLYPH_ONLY = re.compile(rf"^\s*[{BULLET_GLYPHS}\-–—]\s*$")

SPACE_LIKE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\r\f\v]")
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
LINE_END_HYPHENATION = re.compile(r"(?<=[a-z])-\s*\n\s*(?=[a-z])")
WHITESPACE = re.compile(r"\s+")
QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "′": "'", "″": '"'}
)
SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*$")


def normalize_text(raw: str) -> str:
    """One paragraph's text on one line: entities decoded, quotes straight, spaces single."""
    text = html.unescape(raw)
    text = INVISIBLE.sub("", text)
    text = SPACE_LIKE.sub(" ", text)
    text = LINE_END_HYPHENATION.sub("", text)
    text = text.translate(QUOTES)
    return WHITESPACE.sub(" ", text).strip()


@dataclass(slots=True)
class _Draft:
    kind: BlockKind
    text: str
    element: Element
    sources: list[int]
    run_in_heading: str | None


def _continues(previous: _Draft, following: _Draft, *, after_break: bool) -> bool:
    """A paragraph cut in two resumes in lower case after an unfinished sentence.

    A page break cuts anywhere, so only the emphasis must agree; without one, a cut is a
    typesetting choice (a long heading set as two lines), so the whole style must agree.
    """
    before, after = previous.element, following.element
    same_style = (
        (before.bold, before.italic, before.underline, before.font_size)
        == (after.bold, after.italic, after.underline, after.font_size)
        if not after_break
        else before.is_emphasized == after.is_emphasized
    )
    return (
        previous.kind is BlockKind.PARAGRAPH
        and following.kind is BlockKind.PARAGRAPH
        and same_style
        and not SENTENCE_END.search(previous.text)
        and following.text[:1].islower()
    )


def clean_item(elements: list[Element]) -> CleanedText:
    """Clean the elements of one item (e.g. the Item 1A span) into paragraphs with styles."""
    drafts: list[_Draft] = []
    pending_bullet = False
    after_break = False
    for element in elements:
        if element.kind in (ElementKind.PAGE_FURNITURE, ElementKind.PAGE_BREAK):
            after_break = True
            continue
        text = normalize_text(element.text)
        if not text or (element.kind is ElementKind.TEXT and is_furniture_text(text)):
            after_break = after_break or bool(text)
            continue
        if element.kind is ElementKind.TABLE:
            drafts.append(_Draft(BlockKind.TABLE, text, element, [element.index], None))
            pending_bullet = after_break = False
            continue
        if GLYPH_ONLY.match(text):
            # The bullet sat in its own table cell or span; it belongs to the next block.
            pending_bullet = True
            continue
        bullet = BULLET_PREFIX.match(text)
        is_list_item = pending_bullet or bullet is not None
        if bullet is not None:
            text = text[bullet.end() :]
        if not text:
            pending_bullet = True
            continue
        run_in = normalize_text(element.bold_prefix) if element.bold_prefix else None
        draft = _Draft(
            BlockKind.LIST_ITEM if is_list_item else BlockKind.PARAGRAPH,
            f"{BULLET} {text}" if is_list_item else text,
            element,
            [element.index],
            run_in or None,
        )
        if drafts and _continues(drafts[-1], draft, after_break=after_break):
            joined = (
                drafts[-1].text[:-1] + draft.text
                if drafts[-1].text.endswith("-")
                else f"{drafts[-1].text} {draft.text}"
            )
            drafts[-1].text = joined
            drafts[-1].sources.append(element.index)
        else:
            drafts.append(draft)
        pending_bullet = after_break = False
    return _assemble(drafts)


def _assemble(drafts: list[_Draft]) -> CleanedText:
    blocks: list[CleanedBlock] = []
    offset = 0
    for draft in drafts:
        element = draft.element
        blocks.append(
            CleanedBlock(
                kind=draft.kind,
                text=draft.text,
                start=offset,
                end=offset + len(draft.text),
                bold=element.bold,
                italic=element.italic,
                underline=element.underline,
                font_size=element.font_size,
                centered=element.centered,
                run_in_heading=draft.run_in_heading,
                source_elements=tuple(draft.sources),
            )
        )
        offset += len(draft.text) + len(PARAGRAPH_SEPARATOR)
    return CleanedText(text=PARAGRAPH_SEPARATOR.join(draft.text for draft in drafts), blocks=tuple(blocks))


BLANK_LINES = re.compile(r"\n\s*\n")


def clean_plain_text(text: str) -> CleanedText:
    """Clean text that has no markup (e.g. a pre-2001 `.txt` filing): blank lines end paragraphs.

    Lines inside a paragraph are joined, so hyphenation across lines is repaired. There are no
    style flags; the segmenter then relies on ALL CAPS lines and wording.
    """
    elements = [
        Element(index=position, kind=ElementKind.TEXT, text=paragraph)
        for position, paragraph in enumerate(BLANK_LINES.split(text.replace("\r\n", "\n")))
        if paragraph.strip()
    ]
    return clean_item(elements)
