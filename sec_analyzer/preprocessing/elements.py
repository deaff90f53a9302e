"""The typed element list a 10-K is parsed into.

Every later stage (item extraction, cleaning, segmentation) works on this list instead of on
HTML, so the document is parsed once and stored as Parquet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class ElementKind(StrEnum):
    TEXT = "text"  # a block of prose: paragraph, list item, or a heading candidate (see the style flags)
    TABLE = "table"  # a whole table; `text` holds its cells row by row
    PAGE_FURNITURE = "page_furniture"  # page numbers, running headers/footers, "Table of Contents" back-links
    PAGE_BREAK = "page_break"


@dataclass(frozen=True, slots=True)
class Element:
    """One block of the document in reading order.

    Style flags describe the block's dominant style (most of its characters): they are what
    heading detection ranks. `html_start`/`html_end` are character offsets into the decoded
    source HTML, so a span of elements maps back to its source fragment (an item's
    `html_span`). They are found by searching the source for the element's text: exact for
    99.6 % of the corpus' elements; one whose first characters the source writes as entities
    ("&#8220;Quoted") starts at its first plain character instead.
    """

    index: int
    kind: ElementKind
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    font_size: float | None = None
    centered: bool = False
    bold_prefix: str | None = None  # a run-in heading: the bold/italic first sentence of a paragraph
    html_start: int = 0
    html_end: int = 0

    @property
    def is_emphasized(self) -> bool:
        return self.bold or self.italic or self.underline

    @property
    def is_all_caps(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 3 and all(c.isupper() for c in letters)


ELEMENT_FIELDS = tuple(f.name for f in fields(Element))


def elements_to_records(elements: list[Element]) -> list[dict[str, Any]]:
    return [asdict(element) for element in elements]


def elements_from_records(records: list[dict[str, Any]]) -> list[Element]:
    return [
        Element(
            **{
                **{name: record[name] for name in ELEMENT_FIELDS if name in record},
                "kind": ElementKind(record["kind"]),
            }
        )
        for record in records
    ]
