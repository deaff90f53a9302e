"""Parse a 10-K's HTML (or plain text) into the typed element list of `elements.py`.

The model is sec-parser's (text blocks, titles recognised by style, tables, page headers),
but the parser is a single hand-written pass over the decoded source: one regular
expression finds every tag, a stack carries the inherited style, and text runs are grouped
into blocks. Neither BeautifulSoup nor sec-parser is used because building their trees costs
seconds per filing, and lxml's tree does not keep character offsets into the source, which
`html_start`/`html_end` need. Malformed HTML is tolerated the way browsers tolerate it for
our purposes: unclosed tags are closed by their parent's end tag, stray end tags are ignored.

Input that is not a document at all (empty, binary, no visible text) raises
`DocumentParseError`; a document that stops early (truncated) parses as far as it goes and
says so in `ParsedDocument.truncated`.
"""

from __future__ import annotations

import codecs
import html as html_entities
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.preprocessing.elements import (
    Element,
    ElementKind,
    elements_from_records,
    elements_to_records,
)


class DocumentParseError(SecAnalyzerError):
    """The input is not a readable document (empty, binary, or without any visible text)."""


_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    # A quoted value never spans a "<", and a quote left open (title=O'Reilly) is just a
    # character; the possessive `*+` keeps a tag without its ">" from backtracking.
    r"|<(/?)([A-Za-z][A-Za-z0-9:_.-]*)((?:[^>\"']|\"[^\"<]*\"|'[^'<]*'|[\"'])*+)>"
    r"|<![^>]*>|<\?[^>]*>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_CSS_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)", re.IGNORECASE)
_FONT_SIZE = re.compile(r"([\d.]+)\s*(pt|px)?", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# A `.txt` filing may carry SGML tags (<DOCUMENT>, <PAGE>) but never HTML block markup.
_HTML_MARKUP = re.compile(r"<(?:p|div|br|font|span|td|body|html|b|i|pre|h[1-6])\b[^>]*>", re.IGNORECASE)
_SGML_LINE = re.compile(r"^\s*</?[A-Z][A-Z0-9-]*>")  # <DOCUMENT>, <TYPE>10-K, <PAGE>
_CLASS_RULE = re.compile(r"\.([A-Za-z_][\w-]*)\s*\{([^}]*)\}")
_BREAK_BEFORE = re.compile(r"break-before\s*:\s*(?:always|page)")
_BREAK_AFTER = re.compile(r"break-after\s*:\s*(?:always|page)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*(?:[A-Z]?-?\d{1,3}|[ivxlc]{1,7}|[IVXLC]{1,7})\s*[-–—]?\.?$"
    r"|^(?:page\s+)?\d{1,3}\s+of\s+\d{1,3}$",
    re.IGNORECASE,
)
_BACK_LINK = re.compile(
    r"^(?:back\s+to\s+|return\s+to\s+)?(?:table\s+of\s+contents|index|contents|toc)\.?$", re.IGNORECASE
)

_WINDOWS_1252_ALIASES = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252"})
_VOID_TAGS = frozenset(
    {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source", "param", "embed"}
)
_RAW_TEXT_TAGS = frozenset({"script", "style", "title", "xml"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "center", "blockquote",
        "pre", "section", "article", "body", "html", "dl", "dt", "dd", "header", "footer", "form",
        "address", "caption", "figure", "main", "nav", "aside",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_RUNNING_LINE_WINDOW = 2  # blocks next to a page break that may be a running header or footer
_RUNNING_LINE_MAX_CHARS = 150
_RUNNING_LINE_MIN_REPEATS = 3
_CLOSING_TAIL_CHARS = 20_000  # where a complete document's </body></html> must be
_PLAIN_HEADING_MAX_CHARS = 50  # a plain-text line this short is a heading or a paragraph's last line
# A running line is on a good share of the pages; a phrase such as "Not applicable." that
# happens to end a few pages is not.
_RUNNING_LINE_MIN_PAGE_SHARE = 8


@dataclass(frozen=True, slots=True)
class _Style:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    font_size: float | None = None
    hidden: bool = False
    centered: bool = False


@dataclass(frozen=True, slots=True)
class _TagEffect:
    """What opening a tag does: its style, page breaks around it, link target, anchor ids."""

    style: _Style
    page_break_before: bool
    page_break_after: bool
    href: str | None
    anchors: tuple[str, ...]


@dataclass(slots=True)
class _Run:
    text: str
    start: int
    end: int
    style: _Style
    in_link: bool


@dataclass(slots=True)
class _OpenTag:
    name: str
    style: _Style
    href: str | None
    page_break_after: bool
    xbrl_name: str | None


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


def parse_html(source: bytes | str) -> ParsedDocument:
    """Parse a filing into elements. Raises `DocumentParseError` if it is not a document."""
    text = decode_source(source)
    if not text.strip():
        raise DocumentParseError("the document is empty")
    _reject_binary(text)
    is_html = _HTML_MARKUP.search(text) is not None
    document = _HtmlWalk(text).run() if is_html else _parse_plain_text(text)
    if not any(element.kind is ElementKind.TEXT or element.kind is ElementKind.TABLE for element in document.elements):
        raise DocumentParseError("the document has no visible text")
    _mark_running_lines(document.elements)
    return document


def parse_file(path: str | Path) -> ParsedDocument:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DocumentParseError(f"cannot read {path}: {error.strerror or error}") from error
    return parse_html(data)


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
        kind = ElementKind.PAGE_FURNITURE if _is_furniture_text(joined) else ElementKind.TEXT
        elements.append(Element(len(elements), kind, joined, html_start=lines[0][1], html_end=lines[-1][2]))
        lines.clear()

    position = 0
    for raw_line in text.splitlines(keepends=True):
        start, position = position, position + len(raw_line)
        if "\f" in raw_line or raw_line.strip().upper() == "<PAGE>":
            flush()
            elements.append(Element(len(elements), ElementKind.PAGE_BREAK, "", html_start=start, html_end=start))
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


def _is_furniture_text(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text) or _BACK_LINK.match(text))


class _HtmlWalk:
    def __init__(self, html: str) -> None:
        self.html = html
        self.elements: list[Element] = []
        self.stack: list[_OpenTag] = [_OpenTag("#root", _Style(), None, False, None)]
        self.runs: list[_Run] = []
        self.table_depth = 0
        self.table_start = 0
        self.table_cells: list[list[str]] = [[]]
        self.table_runs: list[_Run] = []
        self.anchors: dict[str, int] = {}
        self.pending_anchors: list[str] = []
        self.links: list[tuple[int, str, str]] = []
        self.xbrl_facts: dict[str, str] = {}
        self.xbrl_open: list[tuple[str, int]] = []
        self.effect_cache: dict[tuple[_Style, str, str], _TagEffect] = {}
        self.class_css: dict[str, str] = {}
        self.position_hint = 0

    def run(self) -> ParsedDocument:
        html = self.html
        position = 0
        length = len(html)
        while position < length:
            match = _TOKEN.search(html, position)
            if match is None:
                self._text(position, length)
                break
            if match.start() > position:
                self._text(position, match.start())
            position = match.end()
            name = match.group(2)
            if name is None:
                continue
            name = name.lower()
            if match.group(1):
                self._close(name, match.start())
                continue
            self._open(name, match.group(3), match.start(), position)
            if name in _RAW_TEXT_TAGS:
                closing = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, position)
                content_end = closing.start() if closing else length
                if name == "style":
                    for class_name, css in _CLASS_RULE.findall(html, position, content_end):
                        self.class_css[class_name] = self.class_css.get(class_name, "") + ";" + css
                    self.effect_cache.clear()
                position = closing.end() if closing else length
                self._pop(name)
        if self.table_depth:
            self._flush_table(length)
        else:
            self._flush_block()
        truncated = _is_truncated(html)
        return ParsedDocument(
            elements=self.elements,
            anchors=self.anchors,
            links=self.links,
            xbrl_facts=self.xbrl_facts,
            truncated=truncated,
            source_html=html,
        )

    def _effect_of(self, parent: _Style, name: str, attributes: str) -> _TagEffect:
        key = (parent, name, attributes)
        effect = self.effect_cache.get(key)
        if effect is None:
            effect = _tag_effect(parent, name, attributes, self.class_css)
            self.effect_cache[key] = effect
        return effect

    def _open(self, name: str, attributes: str, start: int, end: int) -> None:
        self.position_hint = start
        if name in _CELL_TAGS and self.table_depth:
            self._cell_break()
        elif name == "tr" and self.table_depth:
            self._row_break()
        elif name == "table":
            if self.table_depth == 0:
                self._flush_block()
                self.table_start = start
                self.table_cells = [[]]
                self.table_runs = []
            self.table_depth += 1
        elif name in _BLOCK_TAGS or name == "br":
            self._block_break()
        parent = self.stack[-1]
        effect = self._effect_of(parent.style, name, attributes)
        if effect.page_break_before:
            self._page_break(start)
        if effect.anchors:
            self.pending_anchors.extend(effect.anchors)
        style, page_break_after, href = effect.style, effect.page_break_after, effect.href
        if name == "hr" and page_break_after:
            self._page_break(start)
            page_break_after = False
        if name in _VOID_TAGS or attributes.rstrip().endswith("/"):
            return
        xbrl_name = None
        if name in ("ix:nonnumeric", "ix:nonfraction"):
            match = re.search(r"""\bname\s*=\s*["']?(dei:[\w]+)""", attributes)
            if match:
                xbrl_name = match.group(1)
                self.xbrl_open.append((xbrl_name, end))
        self.stack.append(_OpenTag(name, style, href if href is not None else parent.href, page_break_after, xbrl_name))

    def _close(self, name: str, start: int) -> None:
        self.position_hint = start
        if name == "table" and self.table_depth:
            self.table_depth -= 1
            if self.table_depth == 0:
                end = start + len("</table>")
                self._pop(name)
                self._flush_table(end)
                return
        elif name in _CELL_TAGS and self.table_depth:
            self._cell_break()
        elif name == "tr" and self.table_depth:
            self._row_break()
        elif name in _BLOCK_TAGS:
            self._block_break()
        closed = self._pop(name)
        if closed is not None:
            if closed.xbrl_name and self.xbrl_open:
                fact_name, fact_start = self.xbrl_open.pop()
                if fact_name not in self.xbrl_facts:
                    inner = _TOKEN.sub(" ", self.html[fact_start:start])
                    self.xbrl_facts[fact_name] = _clean(html_entities.unescape(inner))
            if closed.page_break_after:
                self._block_break()
                self._page_break(start)

    def _pop(self, name: str) -> _OpenTag | None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].name == name:
                closed = self.stack[depth]
                # Unclosed tags inside it end here; their page breaks still count.
                for inner in self.stack[depth + 1 :]:
                    if inner.page_break_after:
                        self._block_break()
                        self._page_break(self.position_hint)
                del self.stack[depth:]
                return closed
        return None

    def _text(self, start: int, end: int) -> None:
        raw = self.html[start:end]
        top = self.stack[-1]
        if raw.isspace() or not raw:
            if self.table_depth:
                if self.table_cells[-1]:
                    self.table_cells[-1].append(" ")
            elif self.runs:
                self.runs.append(_Run(" ", start, end, top.style, False))
            return
        text = html_entities.unescape(raw) if "&" in raw else raw
        if self.preformatted and not self.table_depth and "\n" in raw.strip():
            self._preformatted_lines(raw, start, top)
            return
        run = _Run(text, start, end, top.style, top.href is not None)
        # Nothing is added to `elements` while a block or table is open, so this is its index.
        if top.href is not None:
            self.links.append((len(self.elements), top.href, _clean(text)))
        if self.table_depth:
            self.table_cells[-1].append(text)
            self.table_runs.append(run)
        else:
            self.runs.append(run)

    def _preformatted_lines(self, raw: str, start: int, top: _OpenTag) -> None:
        """Preformatted text (an old filing in <pre>) is laid out by line: each line is a block."""
        position = start
        for line in raw.splitlines(keepends=True):
            if "\f" in line:
                self._page_break(position)
            if line.strip():
                text = html_entities.unescape(line) if "&" in line else line
                self.runs.append(_Run(text, position, position + len(line.rstrip()), top.style, False))
                self._flush_block()
            position += len(line)

    @property
    def preformatted(self) -> bool:
        return any(open_tag.name == "pre" for open_tag in self.stack)

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

    def _page_break(self, at: int) -> None:
        if self.table_depth:
            return
        self._flush_block()
        if self.elements and self.elements[-1].kind is ElementKind.PAGE_BREAK:
            return
        self._add(ElementKind.PAGE_BREAK, "", _Style(), None, at, at)

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
        linked = all(run.in_link for run in visible)
        if all_hidden or _is_furniture_text(text) or (linked and _BACK_LINK.match(text)):
            kind = ElementKind.PAGE_FURNITURE
        else:
            kind = ElementKind.TEXT
        self._add(kind, text, style, bold_prefix, visible[0].start, visible[-1].end)

    def _flush_table(self, end: int) -> None:
        rows = ["".join(cells) for cells in self.table_cells]
        lines = [" | ".join(_clean(cell) for cell in row.split("\t") if _clean(cell)) for row in rows]
        text = "\n".join(line for line in lines if line)
        runs = [run for run in self.table_runs if not run.text.isspace()]
        self.table_cells = [[]]
        self.table_runs = []
        if not text:
            return
        style, _ = _dominant_style(runs)
        first_cell = text.split(" | ", 1)[0]
        if all(run.style.hidden for run in runs) or (
            "\n" not in text and (_is_furniture_text(text) or _BACK_LINK.match(first_cell))
        ):
            kind = ElementKind.PAGE_FURNITURE
        else:
            kind = ElementKind.TABLE
        self._add(kind, text, style, None, self.table_start, end)

    def _add(
        self, kind: ElementKind, text: str, style: _Style, bold_prefix: str | None, start: int, end: int
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
                html_start=start,
                html_end=end,
            )
        )


def _tag_effect(parent: _Style, name: str, attributes: str, class_css: dict[str, str]) -> _TagEffect:
    bold, italic, underline = parent.bold, parent.italic, parent.underline
    if name in ("b", "strong") or name in _HEADING_TAGS:
        bold = True
    elif name in ("i", "em"):
        italic = True
    elif name == "u":
        underline = True
    style = _Style(bold, italic, underline, parent.font_size, parent.hidden, parent.centered or name == "center")
    page_break_before = page_break_after = False
    href = None
    anchors: list[str] = []
    declarations: list[str] = []  # class rules first, so the inline style wins
    if attributes and "=" in attributes:
        for key, raw_value in _ATTRIBUTE.findall(attributes):
            key = key.lower()
            value = raw_value.strip("\"'")
            if key == "class" and class_css:
                declarations[:0] = [class_css[c] for c in value.split() if c in class_css]
            elif key == "style":
                declarations.append(value)
            elif key == "align" and value.lower() == "center":
                style = replace(style, centered=True)
            elif key == "hidden" or (key == "type" and value.lower() == "hidden"):
                style = replace(style, hidden=True)
            elif key in ("id", "name") and not name.startswith("ix:"):
                anchors.append(value)
            elif key == "href" and value.startswith("#"):
                href = html_entities.unescape(value[1:])
    for css in declarations:
        style = _apply_css(style, css)
        lowered = css.lower()
        page_break_before = page_break_before or bool(_BREAK_BEFORE.search(lowered))
        page_break_after = page_break_after or bool(_BREAK_AFTER.search(lowered))
    return _TagEffect(style, page_break_before, page_break_after, href, tuple(anchors))


def _apply_css(style: _Style, css: str) -> _Style:
    changes: dict[str, object] = {}
    for prop, raw_value in _CSS_DECLARATION.findall(css):
        prop = prop.lower()
        value = raw_value.strip().lower()
        if prop == "font-weight":
            changes["bold"] = value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600)
        elif prop == "font-style":
            changes["italic"] = value in ("italic", "oblique")
        elif prop in ("text-decoration", "text-decoration-line"):
            changes["underline"] = "underline" in value
        elif prop == "font-size":
            size = _FONT_SIZE.match(value)
            if size and size.group(2):
                points = float(size.group(1)) * (0.75 if size.group(2).lower() == "px" else 1.0)
                changes["font_size"] = round(points, 1)
        elif prop == "display" and value.startswith("none"):
            changes["hidden"] = True
        elif prop == "text-align":
            changes["centered"] = value.startswith("center")
    return replace(style, **changes) if changes else style  # type: ignore[arg-type]


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
    return _WHITESPACE.sub(" ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


def _mark_running_lines(elements: list[Element]) -> None:
    """Mark running headers/footers: short lines that repeat next to page breaks."""
    breaks = [element.index for element in elements if element.kind is ElementKind.PAGE_BREAK]
    if len(breaks) < _RUNNING_LINE_MIN_REPEATS:
        return
    near: dict[str, list[int]] = {}
    for position in breaks:
        for step in (-1, 1):
            seen = 0
            cursor = position + step
            while 0 <= cursor < len(elements) and seen < _RUNNING_LINE_WINDOW:
                element = elements[cursor]
                if element.kind is ElementKind.PAGE_BREAK:
                    break
                if element.kind is not ElementKind.PAGE_FURNITURE:
                    seen += 1
                    if element.kind is not ElementKind.PAGE_BREAK and _is_running_line_candidate(element):
                        key = re.sub(r"\d+", "#", element.text.lower())
                        near.setdefault(key, []).append(cursor)
                cursor += step
    min_repeats = max(_RUNNING_LINE_MIN_REPEATS, len(breaks) // _RUNNING_LINE_MIN_PAGE_SHARE)
    for indexes in near.values():
        repeated = set(indexes)
        if len(repeated) < min_repeats:
            continue
        # A running header is set the same way on every page; the section heading it repeats
        # ("Item 1A. Risk Factors" atop each page) is set differently and stays a heading.
        usual = Counter(_line_style(elements[index]) for index in repeated).most_common(1)[0][0]
        for index in repeated:
            if _line_style(elements[index]) == usual:
                elements[index] = replace(elements[index], kind=ElementKind.PAGE_FURNITURE)


def _line_style(element: Element) -> tuple[bool, float | None]:
    return element.bold, element.font_size


def _is_running_line_candidate(element: Element) -> bool:
    if len(element.text) > _RUNNING_LINE_MAX_CHARS:
        return False
    return element.kind is ElementKind.TEXT or (element.kind is ElementKind.TABLE and "\n" not in element.text)
