"""Parse a 10-K's HTML (or plain text) into the typed element list of `elements.py`.

The model is sec-parser's (text blocks, titles recognised by style, tables, page headers).
libxml2's HTML parser (through lxml) reads the markup and repairs it the way it repairs any
broken page, in one linear pass, and hands its events (start tag, text, end tag) to a walker
here that carries the inherited style on a stack and groups text runs into blocks. No tree is
built, so memory stays proportional to the text, and nesting depth costs nothing. Why libxml2
rather than lexbor, and why CSS is read here rather than by tinycss2: docs/architecture.md,
"HTML parser"; the figures: benchmarks/results/parser.md.

Input that is not a document at all (empty, binary, no visible text, larger than the size
bound) raises `DocumentParseError`; a document that stops early (truncated) parses as far as
it goes and says so in `ParsedDocument.truncated`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.preprocessing.elements import (
    Element,
    ElementKind,
    elements_from_records,
    elements_to_records,
)
from sec_analyzer.preprocessing.page_furniture import is_furniture_row, is_furniture_text, mark_running_lines

# Far above any 10-K body (the corpus' largest is 4 MB). A parse holds about five times the
# input in memory (100 MB: ~500 MB peak, benchmarks/results/parser.md), so larger input is
# refused before it is read.
MAX_DOCUMENT_BYTES = 150_000_000


class DocumentParseError(SecAnalyzerError):
    """The input is not a readable document (empty, binary, too large, or without any visible text)."""


_WHITESPACE = re.compile(r"\s+")
_CLEAN_SLICE = 65_536
# A `.txt` filing may carry SGML tags (<DOCUMENT>, <PAGE>) but never HTML block markup.
# `[^<>]*` stops at the next "<", so a page of "<p <p <p" is scanned once, not once per "<p".
_HTML_MARKUP = re.compile(r"<(?:p|div|br|font|span|td|body|html|b|i|pre|h[1-6])\b[^<>]*>", re.IGNORECASE)
_SGML_LINE = re.compile(r"^\s*</?[A-Z][A-Z0-9-]*>")  # <DOCUMENT>, <TYPE>10-K, <PAGE>
_DEI_FACT = re.compile(r"dei:\w+")
_FONT_SIZE = re.compile(r"([\d.]+)\s*(pt|px)")
_CLASS_NAME = re.compile(r"[A-Za-z_][\w-]*")
_TABLE_START = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_END = re.compile(r"</table\s*>", re.IGNORECASE)

_WINDOWS_1252_ALIASES = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252"}
)
# Text inside these is not document text; a <style>'s is read for its class rules.
_RAW_TEXT_TAGS = frozenset({"script", "style", "title", "xml"})
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "center",
        "blockquote",
        "pre",
        "section",
        "article",
        "body",
        "html",
        "dl",
        "dt",
        "dd",
        "header",
        "footer",
        "form",
        "address",
        "caption",
        "figure",
        "main",
        "nav",
        "aside",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_XBRL_FACT_TAGS = frozenset({"ix:nonnumeric", "ix:nonfraction"})
# Cover-page facts are a few words; nested facts are one level deep. The bounds keep a document
# of facts nested in facts linear.
_FACT_MAX_CHARS = 10_000
_FACT_MAX_NESTING = 8
_NO_ATTRIBUTES: Mapping[str, str] = {}
_CLOSING_TAIL_CHARS = 20_000  # where a complete document's </body></html> must be
_PLAIN_HEADING_MAX_CHARS = 50  # a plain-text line this short is a heading or a paragraph's last line
# The CSS properties the walker reads; declarations of any other property are skipped unparsed.
_USED_CSS_PROPERTIES = frozenset(
    {
        "font-weight",
        "font-style",
        "text-decoration",
        "text-decoration-line",
        "font-size",
        "display",
        "text-align",
        "page-break-before",
        "page-break-after",
        "break-before",
        "break-after",
    }
)


@dataclass(frozen=True, slots=True)
class _Style:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    font_size: float | None = None
    hidden: bool = False
    centered: bool = False


@dataclass(frozen=True, slots=True)
class _CssEffect:
    """What a list of CSS declarations sets; None leaves the inherited value."""

    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None
    font_size: float | None = None
    hidden: bool | None = None
    centered: bool | None = None
    page_break_before: bool = False
    page_break_after: bool = False

    def then(self, later: _CssEffect) -> _CssEffect:
        """This effect followed by `later`: what `later` sets wins; a page break in either counts."""
        return _CssEffect(
            bold=self.bold if later.bold is None else later.bold,
            italic=self.italic if later.italic is None else later.italic,
            underline=self.underline if later.underline is None else later.underline,
            font_size=self.font_size if later.font_size is None else later.font_size,
            hidden=self.hidden if later.hidden is None else later.hidden,
            centered=self.centered if later.centered is None else later.centered,
            page_break_before=self.page_break_before or later.page_break_before,
            page_break_after=self.page_break_after or later.page_break_after,
        )


_NO_EFFECT = _CssEffect()


@dataclass(frozen=True, slots=True)
class _TagEffect:
    """What opening a tag does to the style, and whether a page ends before or after it."""

    style: _Style
    page_break_before: bool
    page_break_after: bool


@dataclass(slots=True)
class _Run:
    text: str
    style: _Style
    in_link: bool
    after_markup: bool = True  # the run starts right after a tag in the source, as text nodes do


@dataclass(slots=True)
class _OpenFact:
    """An inline-XBRL `dei:` fact being read; it keeps at most `_FACT_MAX_CHARS` of its text."""

    name: str
    parts: list[str] = field(default_factory=list)
    chars: int = 0

    def add(self, text: str) -> None:
        """Add text, or " " for a tag boundary (once for a run of tags)."""
        if self.chars < _FACT_MAX_CHARS and not (text == " " and self.parts and self.parts[-1] == " "):
            self.parts.append(text[: _FACT_MAX_CHARS - self.chars])
            self.chars += len(text)


@dataclass(slots=True)
class _OpenTag:
    name: str
    style: _Style
    href: str | None
    page_break_after: bool
    xbrl_fact: bool


@dataclass
class ParsedDocument:
    """A parsed filing: its elements in reading order plus what item extraction needs.

    `anchors` maps an `id`/`name` attribute to the index of the first element at or after it;
    `links` lists internal links as (element index, target id, link text); `xbrl_facts`
    holds the first value of each inline-XBRL `dei:` fact (cover-page facts).
    """

    elements: list[Element]
    anchors: dict[str, int] = field(default_factory=dict)
    links: list[tuple[int, str, str]] = field(default_factory=list)
    xbrl_facts: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    source_html: str | None = None

    def text_of(self, span: tuple[int, int], *, include_furniture: bool = False) -> str:
        """The text of elements `first..last` (inclusive), one block per line."""
        first, last = span
        return "\n".join(
            element.text
            for element in self.elements[first : last + 1]
            if element.kind is not ElementKind.PAGE_BREAK
            and (include_furniture or element.kind is not ElementKind.PAGE_FURNITURE)
        )

    def to_parquet(self, path: str | Path) -> None:
        """Write the elements (and anchors, links, facts as metadata); the file appears whole or not at all."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(elements_to_records(self.elements))
        metadata = {
            "anchors": self.anchors,
            "links": self.links,
            "xbrl_facts": self.xbrl_facts,
            "truncated": self.truncated,
        }
        table = table.replace_schema_metadata({b"sec_analyzer.parsed_document": json.dumps(metadata)})
        partial = target.with_name(target.name + ".partial")
        pq.write_table(table, str(partial))
        partial.replace(target)

    @classmethod
    def from_parquet(cls, path: str | Path) -> ParsedDocument:
        import pyarrow.parquet as pq

        table = pq.read_table(str(path))
        metadata = json.loads((table.schema.metadata or {})[b"sec_analyzer.parsed_document"])
        return cls(
            elements=elements_from_records(table.to_pylist()),
            anchors=metadata["anchors"],
            links=[(index, target, text) for index, target, text in metadata["links"]],
            xbrl_facts=metadata["xbrl_facts"],
            truncated=metadata["truncated"],
        )


def decode_source(source: bytes | str) -> str:
    """Decode filing bytes: UTF-16 by its byte-order mark, UTF-8 when valid, else the declared charset,
    else Windows-1252."""
    if isinstance(source, str):
        return source
    if source.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return source.decode("utf-16", errors="replace")
    if b"\x00" in source[:65536]:
        raise DocumentParseError("the input is binary data, not an HTML or text document")
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", source[:4096])
    if declared:
        charset = declared.group(1).decode("ascii").lower()
        # As browsers do: Latin-1 and ASCII declarations mean Windows-1252, whose curly quotes
        # and dashes (0x80–0x9F) old filings are full of.
        if charset in _WINDOWS_1252_ALIASES:
            charset = "cp1252"
        try:
            return source.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return source.decode("cp1252", errors="replace")


def parse_html(source: bytes | str, *, max_document_bytes: int = MAX_DOCUMENT_BYTES) -> ParsedDocument:
    """Parse a filing into elements. Raises `DocumentParseError` if it is not a document or too large.

    `max_document_bytes` bounds what one filing may cost (a `str` is measured in characters).
    """
    if len(source) > max_document_bytes:
        raise _too_large(len(source), max_document_bytes)
    text = decode_source(source)
    if not text.strip():
        raise DocumentParseError("the document is empty")
    _reject_binary(text)
    is_html = _HTML_MARKUP.search(text) is not None
    document = _HtmlWalk(text).run() if is_html else _parse_plain_text(text)
    if not any(
        element.kind is ElementKind.TEXT or element.kind is ElementKind.TABLE for element in document.elements
    ):
        raise DocumentParseError("the document has no visible text")
    mark_running_lines(document.elements)
    return document


def parse_file(path: str | Path, *, max_document_bytes: int = MAX_DOCUMENT_BYTES) -> ParsedDocument:
    try:
        size = Path(path).stat().st_size
        if size > max_document_bytes:
            raise _too_large(size, max_document_bytes)
        data = Path(path).read_bytes()
    except OSError as error:
        raise DocumentParseError(f"cannot read {path}: {error.strerror or error}") from error
    return parse_html(data, max_document_bytes=max_document_bytes)


def _too_large(size: int, limit: int) -> DocumentParseError:
    return DocumentParseError(
        f"the document is {size / 1e6:,.1f} MB, over the {limit / 1e6:,.1f} MB limit for one filing"
    )


def _reject_binary(text: str) -> None:
    sample = text[:8192]
    control = sum(1 for character in sample if ord(character) < 32 and character not in "\r\n\t\f")
    replaced = sample.count("\ufffd")
    if (control + replaced) > len(sample) * 0.05:
        raise DocumentParseError("the input is binary data, not an HTML or text document")


def _parse_plain_text(text: str) -> ParsedDocument:
    """A pre-HTML `.txt` filing, where a paragraph is wrapped over several lines.

    A line continues the previous one unless that one was blank, short (a heading such as
    "ITEM 1.  BUSINESS") or ended a sentence; so "…as described in Part I,\nItem 1A. Risk
    Factors of this report" stays prose. Form feeds and <PAGE> tags are page breaks.
    """
    elements: list[Element] = []
    lines: list[tuple[str, int, int]] = []  # the open paragraph: text, start, end

    def flush() -> None:
        if not lines:
            return
        joined = " ".join(line for line, _, _ in lines)
        kind = ElementKind.PAGE_FURNITURE if is_furniture_text(joined) else ElementKind.TEXT
        elements.append(Element(len(elements), kind, joined, html_start=lines[0][1], html_end=lines[-1][2]))
        lines.clear()

    position = 0
    for raw_line in text.splitlines(keepends=True):
        start, position = position, position + len(raw_line)
        if "\f" in raw_line or raw_line.strip().upper() == "<PAGE>":
            flush()
            elements.append(
                Element(len(elements), ElementKind.PAGE_BREAK, "", html_start=start, html_end=start)
            )
        stripped = _WHITESPACE.sub(" ", raw_line).strip()
        if not stripped or _SGML_LINE.match(raw_line):
            flush()
            continue
        if lines and _ends_plain_paragraph(lines[-1][0]):
            flush()
        offset = start + (len(raw_line) - len(raw_line.lstrip()))
        lines.append((stripped, offset, start + len(raw_line.rstrip())))
    flush()
    return ParsedDocument(elements=elements, source_html=text)


def _ends_plain_paragraph(line: str) -> bool:
    return len(line) < _PLAIN_HEADING_MAX_CHARS or line.endswith((".", ":", ";", "?", "!", '."', ".)"))


def _is_truncated(html: str) -> bool:
    """An HTML document that opens <html> or <body> and never closes either was cut off."""
    opened = re.search(r"<(?:html|body)\b", html[:100_000], re.IGNORECASE) is not None
    tail = html[-_CLOSING_TAIL_CHARS:].lower()
    return opened and "</html" not in tail and "</body" not in tail


class _SourceOffsets:
    """Where each element starts and ends in the decoded source, found by searching forward.

    libxml2 reports no character positions, so each element's first and last text runs are
    looked up after the previous element: a text run starts right after a tag's ">", and its
    leading characters that HTML never writes as entities are searched for. A search looks
    ahead at most a window (consecutive elements of the corpus lie within 6 KB of each other;
    a hidden inline-XBRL header spans up to 600 KB), and all searches together stop after a
    budget of a few passes over the source, so text the source spells differently (plain
    letters written as entities) costs linear time at worst and leaves the offset at the
    previous element's end.
    """

    _NEEDLE_CHARS = 24
    _WINDOW = 1_000_000
    _LITERAL = re.compile(r"[A-Za-z0-9 \t!#$%()*+,\-./:;=?@\[\]^_{|}~]+")

    def __init__(self, html: str) -> None:
        self.html = html
        self.cursor = 0
        self.budget = 8 * len(html) + 8 * self._WINDOW

    def element_span(self, first: _Run, last: _Run) -> tuple[int, int]:
        start = self._locate(first)
        if start is None:
            return self.cursor, self.cursor
        if last is not first:
            self._locate(last)
        text_end = self._find("<", self.cursor)  # a text node ends where the next tag begins
        self.cursor = text_end if text_end >= 0 else min(len(self.html), self.cursor + self._WINDOW)
        return start, self.cursor

    def table_start(self) -> int:
        return self._match(_TABLE_START, self.cursor, end=False)

    def table_end(self, last: _Run | None) -> int:
        if last is not None:
            self._locate(last)
        self.cursor = self._match(_TABLE_END, self.cursor, end=True)
        return self.cursor

    def _locate(self, run: _Run) -> int | None:
        """The source position of the run's first visible character (or close to it); moves the cursor there."""
        text = run.text
        head = text[:200]
        leading = len(head) - len(head.lstrip())
        literal = self._LITERAL.match(text, leading, leading + self._NEEDLE_CHARS)
        if literal is not None and run.after_markup and leading == 0:
            found = self._find(">" + literal.group(), self.cursor)
            position = found + 1 if found >= 0 else -1
        elif (literal := literal or self._LITERAL.search(text, leading, 200)) is not None:
            # Leading spaces, quotes or bullets may be written as entities: the stretch after them is sought.
            position = self._find(literal.group()[: self._NEEDLE_CHARS], self.cursor)
        else:
            position = self._next_text_node()  # a lone "•" or "☒", most likely written as an entity
        if position < 0:
            return None
        self.cursor = max(self.cursor, position)
        return position

    def _next_text_node(self) -> int:
        """The first character after a ">" that is neither a tag nor white space."""
        position = self.cursor
        while (tag_end := self._find(">", position)) >= 0:
            text_end = self._find("<", tag_end + 1)
            if text_end < 0:
                text_end = min(len(self.html), tag_end + 1 + self._WINDOW)
            text = self.html[tag_end + 1 : text_end]
            if text.strip():
                return tag_end + 1 + len(text) - len(text.lstrip())
            position = text_end
        return -1

    def _find(self, needle: str, start: int) -> int:
        """`str.find` within the window and the budget: -1 when not found or the budget is spent."""
        if self.budget <= 0:
            return -1
        end = min(len(self.html), start + self._WINDOW)
        found = self.html.find(needle, start, end)
        self.budget -= (found if found >= 0 else end) - start
        return found

    def _match(self, pattern: re.Pattern[str], start: int, *, end: bool) -> int:
        if self.budget <= 0:
            return start
        window_end = min(len(self.html), start + self._WINDOW)
        match = pattern.search(self.html, start, window_end)
        self.budget -= (match.end() if match else window_end) - start
        if match is None:
            return start
        return match.end() if end else match.start()


def _strip_css_comments(css: str) -> str:
    if "/*" not in css:
        return css
    parts = []
    position = 0
    while (opening := css.find("/*", position)) >= 0:
        parts.append(css[position:opening])
        closing = css.find("*/", opening + 2)
        if closing < 0:
            return "".join(parts)
        position = closing + 2
    parts.append(css[position:])
    return "".join(parts)


def _css_effect(css: str) -> _CssEffect:
    """What a declaration list ("font-weight:700; font-size:10pt") sets, declaration by declaration.

    Split on ";" and ":" with string methods: linear in the text whatever it holds, and
    declarations of properties never read are not looked at further. A value that does not
    parse (a font size in em) leaves the property as it was.
    """
    changes: dict[str, bool | float] = {}
    for declaration in _strip_css_comments(css).split(";"):
        name, colon, raw_value = declaration.partition(":")
        prop = name.strip().lower()
        if not colon or prop not in _USED_CSS_PROPERTIES:
            continue
        value = raw_value.lower().replace("!important", "").strip()
        if prop == "font-weight":
            changes["bold"] = value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600)
        elif prop == "font-style":
            changes["italic"] = value in ("italic", "oblique")
        elif prop in ("text-decoration", "text-decoration-line"):
            changes["underline"] = "underline" in value
        elif prop == "font-size":
            if (points := _points(value)) is not None:
                changes["font_size"] = points
        elif prop == "display":
            changes["hidden"] = value.startswith("none")
        elif prop == "text-align":
            changes["centered"] = value.startswith("center")
        elif value.startswith(("always", "page")):
            changes["page_break_before" if prop.endswith("before") else "page_break_after"] = True
    return _CssEffect(**changes) if changes else _NO_EFFECT  # type: ignore[arg-type]


def _points(value: str) -> float | None:
    size = _FONT_SIZE.match(value)
    if size is None:
        return None
    try:
        number = float(size.group(1))
    except ValueError:
        return None
    return round(number * (0.75 if size.group(2) == "px" else 1.0), 1)


def _class_rules(stylesheet: str) -> dict[str, _CssEffect]:
    """What each class a <style> block styles sets (".hd { … }", "p.hd { … }", ".a, .b { … }").

    Rules are cut at "}" and split at their last "{", so an unclosed rule or a nested @media
    block costs one pass; a selector counts when its last part names a class, and a later
    rule for the same class adds to the earlier ones.
    """
    rules: dict[str, _CssEffect] = {}
    for chunk in _strip_css_comments(stylesheet).split("}"):
        head, brace, declarations = chunk.rpartition("{")
        if not brace:
            continue
        effect = _css_effect(declarations)
        for selector in head[head.rfind("{") + 1 :].split(","):
            parts = selector.split()
            if not parts or "." not in parts[-1]:
                continue
            name = parts[-1].rsplit(".", 1)[1]
            if _CLASS_NAME.fullmatch(name):
                rules[name] = rules[name].then(effect) if name in rules else effect
    return rules


def _apply(style: _Style, effect: _CssEffect) -> _Style:
    return _Style(
        bold=style.bold if effect.bold is None else effect.bold,
        italic=style.italic if effect.italic is None else effect.italic,
        underline=style.underline if effect.underline is None else effect.underline,
        font_size=style.font_size if effect.font_size is None else effect.font_size,
        hidden=style.hidden or bool(effect.hidden),
        centered=style.centered if effect.centered is None else effect.centered,
    )


class _HtmlWalk:
    """The lxml parser target: libxml2 calls `start`, `data`, `end`, `comment`, `pi` in document order."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.offsets = _SourceOffsets(html)
        self.elements: list[Element] = []
        self.stack: list[_OpenTag] = [_OpenTag("#root", _Style(), None, False, False)]
        self.pending_text: list[str] = []
        self.raw_text_tag: str | None = None
        self.runs: list[_Run] = []
        self.table_depth = 0
        self.table_start = 0
        self.table_cells: list[list[str]] = [[]]
        self.table_runs: list[_Run] = []
        self.anchors: dict[str, int] = {}
        self.pending_anchors: list[str] = []
        self.links: list[tuple[int, str, str]] = []
        self.xbrl_facts: dict[str, str] = {}
        self.open_facts: list[_OpenFact] = []
        self.effect_cache: dict[tuple[object, ...], _TagEffect] = {}
        self.class_effects: dict[str, _CssEffect] = {}
        self.inline_effects: dict[str, _CssEffect] = {}
        self.preformatted = 0

    def run(self) -> ParsedDocument:
        parser = etree.HTMLParser(target=self, encoding="utf-8", huge_tree=True, no_network=True)
        # Parsed from UTF-8 bytes with the encoding given, so libxml2 never re-decodes by a
        # <meta charset> or an XML declaration what `decode_source` already decoded.
        etree.fromstring(self.html.encode("utf-8", errors="replace"), parser)
        if self.table_depth:
            self._flush_table()
        else:
            self._flush_block()
        return ParsedDocument(
            elements=self.elements,
            anchors=self.anchors,
            links=self.links,
            xbrl_facts=self.xbrl_facts,
            truncated=_is_truncated(self.html),
            source_html=self.html,
        )

    # lxml parser-target interface

    def start(self, name: str, attributes: Mapping[str, str]) -> None:
        self._flush_text()
        if not attributes:
            attributes = _NO_ATTRIBUTES  # lxml's empty mapping answers `get` in Python, slowly
        if self.raw_text_tag is not None:
            return
        if name in _RAW_TEXT_TAGS:
            self.raw_text_tag = name
            return
        for open_fact in self.open_facts:
            open_fact.add(" ")
        if name in _CELL_TAGS and self.table_depth:
            self._cell_break()
        elif name == "tr" and self.table_depth:
            self._row_break()
        elif name == "table":
            if self.table_depth == 0:
                self._flush_block()
                self.table_start = self.offsets.table_start()
                self.table_cells = [[]]
                self.table_runs = []
            self.table_depth += 1
        elif name in _BLOCK_TAGS or name == "br":
            self._block_break()
        parent = self.stack[-1]
        effect = self._effect_of(parent.style, name, attributes)
        if effect.page_break_before:
            self._page_break()
        if not name.startswith("ix:"):
            self.pending_anchors.extend(attributes[key] for key in ("id", "name") if key in attributes)
        page_break_after = effect.page_break_after
        if name == "hr" and page_break_after:
            self._page_break()
            page_break_after = False
        href = attributes.get("href", "")
        reads_fact = False
        if name in _XBRL_FACT_TAGS and len(self.open_facts) < _FACT_MAX_NESTING:
            fact = _DEI_FACT.match(attributes.get("name", ""))
            if fact is not None:
                self.open_facts.append(_OpenFact(fact.group()))
                reads_fact = True
        self.preformatted += name == "pre"
        self.stack.append(
            _OpenTag(
                name,
                effect.style,
                href[1:] if href.startswith("#") else parent.href,
                page_break_after,
                reads_fact,
            )
        )

    def end(self, name: str) -> None:
        self._flush_text()
        if self.raw_text_tag is not None:
            if name == self.raw_text_tag:
                self.raw_text_tag = None
            return
        if len(self.stack) == 1:
            return
        closed = self.stack.pop()
        self.preformatted -= closed.name == "pre"
        for open_fact in self.open_facts:
            open_fact.add(" ")
        if closed.xbrl_fact and self.open_facts:
            read = self.open_facts.pop()
            self.xbrl_facts.setdefault(read.name, _clean("".join(read.parts)))
        if name == "table" and self.table_depth:
            self.table_depth -= 1
            if self.table_depth == 0:
                self._flush_table()
                return
        elif name in _CELL_TAGS and self.table_depth:
            self._cell_break()
        elif name == "tr" and self.table_depth:
            self._row_break()
        elif name in _BLOCK_TAGS:
            self._block_break()
        if closed.page_break_after:
            self._block_break()
            self._page_break()

    def data(self, text: str) -> None:
        self.pending_text.append(text)

    def comment(self, text: str) -> None:
        self._flush_text()

    def pi(self, target: str, data: str | None = None) -> None:
        self._flush_text()

    def close(self) -> None:
        self._flush_text()

    # the walk

    def _flush_text(self) -> None:
        """Hand on the text since the last event as one run: libxml2 splits it at entities."""
        if not self.pending_text:
            return
        text = "".join(self.pending_text)
        self.pending_text = []
        if self.raw_text_tag == "style":
            for name, effect in _class_rules(text).items():
                known = self.class_effects.get(name)
                self.class_effects[name] = known.then(effect) if known else effect
            self.effect_cache.clear()
        elif self.raw_text_tag is None:
            for open_fact in self.open_facts:
                open_fact.add(text)
            self._text(text)

    def _effect_of(self, parent: _Style, name: str, attributes: Mapping[str, str]) -> _TagEffect:
        key = (
            parent,
            name,
            attributes.get("class"),
            attributes.get("style"),
            attributes.get("align"),
            "hidden" in attributes or attributes.get("type", "").lower() == "hidden",
        )
        effect = self.effect_cache.get(key)
        if effect is None:
            effect = self._tag_effect(parent, name, attributes)
            self.effect_cache[key] = effect
        return effect

    def _tag_effect(self, parent: _Style, name: str, attributes: Mapping[str, str]) -> _TagEffect:
        bold, italic, underline = parent.bold, parent.italic, parent.underline
        if name in ("b", "strong") or name in _HEADING_TAGS:
            bold = True
        elif name in ("i", "em"):
            italic = True
        elif name == "u":
            underline = True
        centered = parent.centered or name == "center" or (attributes.get("align") or "").lower() == "center"
        hidden = parent.hidden or "hidden" in attributes or (attributes.get("type") or "").lower() == "hidden"
        # Class rules first, in the order the class attribute names them, so the inline style wins.
        css = _NO_EFFECT
        for class_name in (attributes.get("class") or "").split():
            if class_name in self.class_effects:
                css = css.then(self.class_effects[class_name])
        if (inline := attributes.get("style")) is not None:
            if inline not in self.inline_effects:
                self.inline_effects[inline] = _css_effect(inline)
            css = css.then(self.inline_effects[inline])
        style = _apply(_Style(bold, italic, underline, parent.font_size, hidden, centered), css)
        return _TagEffect(style, css.page_break_before, css.page_break_after)

    def _text(self, raw: str) -> None:
        top = self.stack[-1]
        if raw.isspace():
            if self.table_depth:
                if self.table_cells[-1]:
                    self.table_cells[-1].append(" ")
            elif self.runs:
                self.runs.append(_Run(" ", top.style, False))
            return
        if self.preformatted and not self.table_depth and "\n" in raw.strip():
            self._preformatted_lines(raw, top)
            return
        run = _Run(raw, top.style, top.href is not None)
        # Nothing is added to `elements` while a block or table is open, so this is its index.
        if top.href is not None:
            self.links.append((len(self.elements), top.href, _clean(raw)))
        if self.table_depth:
            self.table_cells[-1].append(raw)
            self.table_runs.append(run)
        else:
            self.runs.append(run)

    def _preformatted_lines(self, raw: str, top: _OpenTag) -> None:
        """Preformatted text (an old filing in <pre>) is laid out by line: each line is a block."""
        for number, line in enumerate(raw.splitlines(keepends=True)):
            if "\f" in line:
                self._page_break()
            if line.strip():
                self.runs.append(_Run(line, top.style, False, after_markup=number == 0))
                self._flush_block()

    def _block_break(self) -> None:
        if self.table_depth:
            self._cell_break()
        else:
            self._flush_block()

    def _cell_break(self) -> None:
        if self.table_cells[-1]:
            self.table_cells[-1].append("\t")

    def _row_break(self) -> None:
        if any(not part.isspace() for part in self.table_cells[-1]):
            self.table_cells.append([])

    def _page_break(self) -> None:
        if self.table_depth:
            return
        self._flush_block()
        if self.elements and self.elements[-1].kind is ElementKind.PAGE_BREAK:
            return
        at = self.offsets.cursor
        self._add(ElementKind.PAGE_BREAK, "", _Style(), None, (at, at))

    def _flush_block(self) -> None:
        runs = self.runs
        if not runs:
            return
        self.runs = []
        visible = [run for run in runs if not run.text.isspace()]
        if not visible:
            return
        all_hidden = all(run.style.hidden for run in visible)
        if not all_hidden:
            # Hidden inline XBRL inside a visible paragraph is not part of what it says.
            runs = [run for run in runs if not run.style.hidden]
            visible = [run for run in visible if not run.style.hidden]
        text = _clean("".join(run.text for run in runs))
        if not text:
            return
        style, bold_prefix = _dominant_style(visible)
        kind = ElementKind.PAGE_FURNITURE if all_hidden or is_furniture_text(text) else ElementKind.TEXT
        self._add(kind, text, style, bold_prefix, self.offsets.element_span(visible[0], visible[-1]))

    def _flush_table(self) -> None:
        rows = ["".join(cells) for cells in self.table_cells]
        lines = [" | ".join(_clean(cell) for cell in row.split("\t") if _clean(cell)) for row in rows]
        text = "\n".join(line for line in lines if line)
        runs = [run for run in self.table_runs if not run.text.isspace()]
        self.table_cells = [[]]
        self.table_runs = []
        if not text:
            return
        style, _ = _dominant_style(runs)
        hidden = all(run.style.hidden for run in runs)
        kind = ElementKind.PAGE_FURNITURE if hidden or is_furniture_row(text) else ElementKind.TABLE
        span = (self.table_start, self.offsets.table_end(runs[-1] if runs else None))
        self._add(kind, text, style, None, span)

    def _add(
        self, kind: ElementKind, text: str, style: _Style, bold_prefix: str | None, span: tuple[int, int]
    ) -> None:
        index = len(self.elements)
        for anchor in self.pending_anchors:
            self.anchors.setdefault(anchor, index)
        self.pending_anchors = []
        self.elements.append(
            Element(
                index=index,
                kind=kind,
                text=text,
                bold=style.bold,
                italic=style.italic,
                underline=style.underline,
                font_size=style.font_size,
                centered=style.centered,
                bold_prefix=bold_prefix,
                html_start=span[0],
                html_end=span[1],
            )
        )


def _dominant_style(runs: list[_Run]) -> tuple[_Style, str | None]:
    """The style most letters carry, and a run-in heading (emphasized lead-in) if any."""
    total = bold = italic = underline = centered = 0
    sizes: dict[float, int] = {}
    weights = []
    for run in runs:
        weight = sum(map(str.isalpha, run.text)) or len(run.text.strip())
        weights.append(weight)
        total += weight
        style = run.style
        if style.bold:
            bold += weight
        if style.italic:
            italic += weight
        if style.underline:
            underline += weight
        if style.centered:
            centered += weight
        if style.font_size is not None:
            sizes[style.font_size] = sizes.get(style.font_size, 0) + weight
    half = total / 2
    dominant = _Style(
        bold=bold > half,
        italic=italic > half,
        underline=underline > half,
        font_size=max(sizes, key=sizes.__getitem__) if sizes else None,
        centered=centered > half,
    )
    return dominant, _run_in_heading(runs, weights, total)


def _run_in_heading(runs: list[_Run], weights: list[int], total: int) -> str | None:
    lead: list[str] = []
    lead_weight = 0
    for run, weight in zip(runs, weights, strict=True):
        if not (run.style.bold or run.style.italic or run.style.underline):
            break
        lead.append(run.text)
        lead_weight += weight
    if not lead or lead_weight >= total or lead_weight < 3:
        return None
    return _clean("".join(lead)) or None


def _clean(text: str) -> str:
    """White space (no-break spaces included) collapsed to single spaces, zero-width spaces dropped.

    A slice at a time: `re.sub` holds a list entry per match, and one paragraph of 150 MB of
    short words would otherwise hold gigabytes.
    """
    pieces: list[str] = []
    for start in range(0, len(text), _CLEAN_SLICE):
        piece = _WHITESPACE.sub(" ", text[start : start + _CLEAN_SLICE].replace("\u200b", ""))
        if pieces and piece.startswith(" ") and pieces[-1].endswith(" "):
            piece = piece[1:]
        if piece:
            pieces.append(piece)
    return "".join(pieces).strip()
