"""Item 1A of 10-Ks laid out as an annual report, built from real corpus filings.

Each variant rewrites a real 10-K the way annual-report filers set theirs: no item numbers in
the headings, running footers numbering the report's pages, a "Form 10-K Cross-Reference
Index" at the end that maps each item to those pages or to section names, and (the filer's own
layout) the risk factors as the "Risk Factors" sub-section of a larger "Risk Factors and Other
Key Information" section, moved after MD&A and followed by sub-sections that are not risk
factors. What is found must be the original filing's Item 1A (within 2 %), starting at its own
heading; where the evidence does not settle it, an explicit absence, never another section.
"""

from __future__ import annotations

import html as html_entities
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sec_analyzer.domain import AbsenceReason
from sec_analyzer.preprocessing.elements import ElementKind
from sec_analyzer.preprocessing.items import AbsentItem, ExtractedItem, LocatedBy, extract_items
from sec_analyzer.preprocessing.parser import ParsedDocument, parse_html
from sec_analyzer.preprocessing.segmenter import segment_document

CORPUS_FILINGS = ("AAPL", "KO", "NVDA", "JNJ", "CRM")
PAGE_BREAK = re.compile(r"<hr[^>]*page-break-after:\s*always[^>]*>", re.IGNORECASE)
PAGE_BREAK_TEXT = "<hr style=\"page-break-after:always\"/>"
FOOTER_BOX = re.compile(r"<div style=\"[^\"]*position:relative[^\"]*\"><div style=\"[^\"]*position:absolute[^\"]*\">")
SPACE = r"(?:&#160;|&nbsp;|\s)"
# A text run opening with an item number ("Item 1A.", "PART I, ITEM 7."): the number goes, the title stays.
ITEM_NUMBER = re.compile(
    rf">{SPACE}*(?:PART{SPACE}+I{{1,3}}V?[,.]?{SPACE}*)?ITEM{SPACE}*\d{{1,2}}[A-C]?\.?{SPACE}*", re.IGNORECASE
)
PART_HEADING = re.compile(rf">{SPACE}*PART{SPACE}+I{{1,3}}V?\.?{SPACE}*<", re.IGNORECASE)
INNER_RISK_TITLE = re.compile(rf">{SPACE}*Risk{SPACE}+Factors", re.IGNORECASE)
LINK_ATTRIBUTE = re.compile(r"\s(?:href|id|name)=\"[^\"]*\"")
RISK_HEADING_MARK = "<!--risk-factors-heading-->"
RISK_END_MARK = "<!--risk-factors-end-->"
PARENT_TITLE = "Risk Factors and Other Key Information"
NOT_RISK_SUBSECTIONS = (
    ("Quantitative and Qualitative Disclosures About Market Risk", "Our exposure to interest rates is modest"),
    ("Cybersecurity", "Our security program follows recognised frameworks"),
    ("Properties", "We own our headquarters and lease our other offices"),
)


def body_heading(source: str, item: str) -> re.Match[str]:
    """The bold block holding an item's heading in the body (the last one: contents entries come first)."""
    pattern = re.compile(
        rf"<div[^>]*>\s*<span[^>]*font-weight:700[^>]*>{SPACE}*ITEM{SPACE}*{item}(?![0-9A-Z])[^<]*</span>\s*</div>",
        re.IGNORECASE,
    )
    matches = list(pattern.finditer(source))
    assert matches, f"no body heading for Item {item}"
    return matches[-1]


def block(text: str, size: float) -> str:
    return f"<div><span style=\"font-size:{size}pt;font-weight:700\">{text}</span></div>"


def paragraphs(lead: str, count: int) -> str:
    return "".join(f"<div><span style=\"font-size:9pt\">{lead}, as note {n} explains in detail.</span></div>" for n in range(count))


@dataclass(frozen=True)
class Layout:
    """How a corpus 10-K is rewritten; `index` is "pages", "first page", "names" or None (no index)."""

    index: str | None = "pages"
    links: bool = True
    footers: bool = True
    own_layout: bool = False  # the risk factors inside "Risk Factors and Other Key Information"
    risk_subheading: bool = True  # own layout: a "Risk Factors" sub-heading of its own
    after_mdna: bool = False
    risk_title: str | None = None  # renames the risk section's heading
    index_page_shift: int = 0  # an index whose page numbers are off


def rewrite(source: str, layout: Layout) -> str:
    """The filing set as `layout` says; its risk section is marked by comments, which parsing drops."""
    risk, unresolved = body_heading(source, "1A"), body_heading(source, "1B")
    heading = risk.group(0)
    if layout.risk_title is not None:
        heading = re.sub(r"(<span[^>]*>)[^<]*(</span>)", rf"\g<1>{layout.risk_title}\g<2>", heading)
    if layout.own_layout:
        heading = block(PARENT_TITLE, 12) + (block("Risk Factors", 10.5) if layout.risk_subheading else "")
    risks = source[risk.end() : unresolved.start()]
    if layout.risk_title is not None or not layout.risk_subheading:
        # No heading inside may say "Risk Factors" either (NVDA repeats it after its summary).
        risks = INNER_RISK_TITLE.sub(">Principal Uncertainties", risks)
    section = RISK_HEADING_MARK + heading + risks + RISK_END_MARK
    if layout.own_layout:
        section += "".join(block(title, 10.5) + paragraphs(lead, 12) for title, lead in NOT_RISK_SUBSECTIONS)
    rest = source[: risk.start()] + source[unresolved.start() :]
    if layout.after_mdna:
        financial_statements = body_heading(rest, "8").start()
        rewritten = rest[:financial_statements] + section + rest[financial_statements:]
    else:
        rewritten = rest[: risk.start()] + section + rest[risk.start() :]
    rewritten = PART_HEADING.sub("><", ITEM_NUMBER.sub(">", rewritten))
    if not layout.links:
        rewritten = LINK_ATTRIBUTE.sub("", rewritten)
    pages = renumber_pages(rewritten, layout.footers)
    first, last = risk_pages(pages)
    index = cross_reference_index(layout, first + layout.index_page_shift, last + layout.index_page_shift)
    return PAGE_BREAK_TEXT.join(pages).replace("</body>", index + "</body>")


def renumber_pages(source: str, footers: bool) -> list[str]:
    """The document's pages, its own footers emptied and (with `footers`) the report's page numbers added."""
    pages = PAGE_BREAK.split(source)
    for number, page in enumerate(pages[:-1], start=1):
        box = list(FOOTER_BOX.finditer(page))
        if box:
            start = box[-1].start()
            page = page[:start] + re.sub(r">[^<]+<", "><", page[start:])
        if footers:
            page += f"<div style=\"text-align:center\"><span style=\"font-size:8pt\">2024 Annual Report | {number}</span></div>"
        pages[number - 1] = page
    return pages


def visible(fragment: str) -> str:
    return " ".join(html_entities.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def risk_pages(pages: list[str]) -> tuple[int, int]:
    """The printed pages the risk section starts and ends on (a page break right before its end ends it)."""
    first = next(number for number, page in enumerate(pages, start=1) if RISK_HEADING_MARK in page)
    last = next(number for number, page in enumerate(pages, start=1) if RISK_END_MARK in page)
    if not visible(pages[last - 1].split(RISK_END_MARK)[0]):
        last -= 1
    return first, last


def cross_reference_index(layout: Layout, first: int, last: int) -> str:
    if layout.index is None:
        return ""
    if layout.index == "pages":
        where = {"1": "3-9", "1A": f"{first}-{last}", "1B": "None", "7": "40-62"}
    elif layout.index == "first page":
        where = {"1": "3", "1A": f"Risk Factors, page {first}", "1B": "None", "7": "40"}
    else:
        risk_name = f"{PARENT_TITLE} – Risk Factors" if layout.own_layout else "“Risk Factors”"
        where = {"1": "Business Overview", "1A": risk_name, "1B": "None", "7": "Management’s Discussion"}
    titles = {"1": "Business", "1A": "Risk Factors", "1B": "Unresolved Staff Comments", "7": "Management’s Discussion and Analysis"}
    rows = "".join(
        f"<tr><td>Item {item}.</td><td>{titles[item]}</td><td>{where[item]}</td></tr>" for item in titles
    )
    return (
        "<table><tr><td><b>Form 10-K Cross-Reference Index</b></td><td></td><td><b>Page(s)</b></td></tr>"
        f"{rows}</table>"
    )


@dataclass(frozen=True)
class Original:
    html: str
    heading: str  # the risk heading without its item number: "Risk Factors"
    body: str  # the risk section's text under its heading, page furniture aside


def section_body(doc: ParsedDocument, section: ExtractedItem) -> str:
    first, last = section.element_span
    return "\n".join(
        element.text
        for element in doc.elements[first + 1 : last + 1]
        if element.kind in (ElementKind.TEXT, ElementKind.TABLE)
    )


@pytest.fixture(scope="module")
def originals(corpus_dir: Path) -> dict[str, Original]:
    found = {}
    for ticker in CORPUS_FILINGS:
        path = sorted((corpus_dir / "10-K" / ticker).glob("*/primary-document.html"))[0]
        source = path.read_text(encoding="utf-8")
        doc = parse_html(source)
        risk = extract_items(doc)["1A"]
        assert isinstance(risk, ExtractedItem) and risk.located_by is LocatedBy.ITEM_HEADING, (ticker, risk)
        heading = re.sub(r"^Item\s*1A\.?\s*", "", risk.text.split("\n", 1)[0], flags=re.IGNORECASE)
        found[ticker] = Original(source, heading, section_body(doc, risk))
    return found


FOUND_LAYOUTS = {
    "annual report, index by pages, contents links": (Layout(), LocatedBy.CROSS_REFERENCE_INDEX),
    "annual report, index by pages, no links": (Layout(links=False), LocatedBy.CROSS_REFERENCE_INDEX),
    "annual report, index by first pages": (Layout(index="first page"), LocatedBy.CROSS_REFERENCE_INDEX),
    "annual report, index by section names, no page numbers": (
        Layout(index="names", footers=False), LocatedBy.CROSS_REFERENCE_INDEX,
    ),
    "annual report, contents links, no index": (Layout(index=None), LocatedBy.SECTION_TITLE),
    "annual report, no links, no index": (Layout(index=None, links=False), LocatedBy.SECTION_TITLE),
    "own layout, index by pages": (Layout(own_layout=True), LocatedBy.CROSS_REFERENCE_INDEX),
    "own layout after MD&A, index by pages": (
        Layout(own_layout=True, after_mdna=True), LocatedBy.CROSS_REFERENCE_INDEX,
    ),
    "own layout after MD&A, index by pages, no links": (
        Layout(own_layout=True, after_mdna=True, links=False), LocatedBy.CROSS_REFERENCE_INDEX,
    ),
    "own layout after MD&A, index by section names": (
        Layout(own_layout=True, after_mdna=True, index="names", footers=False), LocatedBy.CROSS_REFERENCE_INDEX,
    ),
    "own layout after MD&A, title only": (
        Layout(own_layout=True, after_mdna=True, index=None, links=False, footers=False), LocatedBy.SECTION_TITLE,
    ),
}


@pytest.mark.parametrize(("layout", "located_by"), FOUND_LAYOUTS.values(), ids=list(FOUND_LAYOUTS))
def test_the_risk_section_of_an_annual_report_layout_is_the_original_item_1a(
    originals: dict[str, Original], layout: Layout, located_by: LocatedBy
) -> None:
    for ticker, original in originals.items():
        doc = parse_html(rewrite(original.html, layout))
        risk = extract_items(doc)["1A"]
        assert isinstance(risk, ExtractedItem), f"{ticker}: {risk}"
        assert risk.located_by is located_by, ticker
        expected_heading = "Risk Factors" if layout.own_layout else original.heading
        assert risk.text.split("\n", 1)[0] == expected_heading, ticker
        body = section_body(doc, risk)
        ratio = len(body) / len(original.body)
        assert abs(ratio - 1) < 0.02, f"{ticker}: {len(body)} characters for {len(original.body)}, ends {body[-80:]!r}"
        assert body[:200] == original.body[:200], ticker
        for title, lead in NOT_RISK_SUBSECTIONS:
            assert lead not in risk.text, (ticker, title)


def test_the_risk_factors_of_an_annual_report_layout_are_the_original_ones(originals: dict[str, Original]) -> None:
    layout = Layout(own_layout=True, after_mdna=True)
    for ticker, original in originals.items():
        expected = segment_document(parse_html(original.html), with_features=False).risk_factors
        found = segment_document(parse_html(rewrite(original.html, layout)), with_features=False).risk_factors
        assert [risk.heading for risk in found] == [risk.heading for risk in expected], ticker


NOT_FOUND_LAYOUTS = {
    "an enclosing section without a Risk Factors sub-section": Layout(own_layout=True, risk_subheading=False, index=None),
    "an enclosing section without a Risk Factors sub-section, index by pages": Layout(
        own_layout=True, risk_subheading=False, after_mdna=True
    ),
    "index pages where no risk heading starts": Layout(index_page_shift=3),
    "a risk section titled otherwise, no index": Layout(risk_title="Principal Uncertainties", index=None),
    "a risk section titled otherwise, index by pages": Layout(risk_title="Principal Uncertainties"),
    "a risk section titled otherwise, index by section names": Layout(
        risk_title="Principal Uncertainties", index="names", footers=False
    ),
}


@pytest.mark.parametrize("layout", NOT_FOUND_LAYOUTS.values(), ids=list(NOT_FOUND_LAYOUTS))
def test_inconclusive_evidence_is_an_explicit_absence_never_another_section(
    originals: dict[str, Original], layout: Layout
) -> None:
    for ticker, original in originals.items():
        risk = extract_items(parse_html(rewrite(original.html, layout)))["1A"]
        assert isinstance(risk, AbsentItem), f"{ticker}: found {risk.text[:200]!r}"
        assert risk.reason is AbsenceReason.NOT_FOUND, ticker


# A small report set the way annual-report filers set theirs: section titles marked by size
# alone, page numbers on the outer edge (left-hand pages print them first), risk categories
# set like the "Risk Factors" heading and not named "… Risks", and the next section starting
# on the risk section's last page under a lower-ranked heading.
def report_block(text: str, style: str) -> str:
    return f"<p style='{style}'>{text}</p>"


SECTION_STYLE = "font-size:16pt"
RISK_HEADING_STYLE = "font-size:10pt;font-weight:bold"
CATEGORY_STYLE = RISK_HEADING_STYLE
LOWER_HEADING_STYLE = "font-size:10pt;font-style:italic"
REPORT_CATEGORIES = ("Macroeconomic Conditions", "Competition", "Supply Chain", "Regulation")
REPORT_LAST_RISK = "Regulation 11 may change how we operate, and this could harm our results in many markets."


def outer_edge_footer(number: int) -> str:
    return f"{number} | Example Corp Annual Report" if number % 2 == 0 else f"Example Corp Annual Report | {number}"


def section_footer(number: int) -> str:
    """A footer naming the page's section: too varied to be taken for a running line."""
    return f"{REPORT_SECTIONS[number - 1]} | {number}"


REPORT_SECTIONS = ("Cover", "Discussion", "Risk Factors", "Risk Factors (continued)", "Risks", "Other Key Information",
                   "Financial Statements")


def report_page(number: int, content: str, footer: Callable[[int], str]) -> str:
    return content + f"<p style='font-size:8pt'>{footer(number)}</p><hr style='page-break-after:always'>"


def footer_after_the_break(number: int, content: str, footer: Callable[[int], str]) -> str:
    """A generator that writes each page's footer after its page break, atop the next page's markup."""
    return content + f"<hr style='page-break-after:always'><p style='font-size:8pt'>{footer(number)}</p>"


def risk_paragraphs(category: str) -> str:
    return "".join(
        f"<p style='font-size:10pt'>{category} {n} may change how we operate, and this could harm our results in many markets.</p>"
        for n in range(12)
    )


def small_annual_report(
    index_row: str | None,
    footer: Callable[[int], str] = outer_edge_footer,
    running_header: str = "",
    page: Callable[[int, str, Callable[[int], str]], str] = report_page,
) -> str:
    categories = [report_block(title, CATEGORY_STYLE) + risk_paragraphs(title) for title in REPORT_CATEGORIES]
    contents = [
        "<p style='font-size:16pt;font-weight:bold'>FORM 10-K</p>"
        "<p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</p>",
        report_block("Management’s Discussion and Analysis", SECTION_STYLE) + risk_paragraphs("Revenue"),
        running_header
        + "<p style='font-size:10pt'>Revenue grew in every market, as the discussion above explains.</p>"
        + report_block("Risk Factors and Other Key Information", SECTION_STYLE)
        + report_block("Risk Factors", RISK_HEADING_STYLE)
        + categories[0],
        running_header + categories[1],
        categories[2],
        categories[3]
        + report_block("Legal proceedings", LOWER_HEADING_STYLE)
        + "<p style='font-size:10pt'>We are party to lawsuits described in Note 12.</p>",
        report_block("Financial Statements", SECTION_STYLE) + risk_paragraphs("Cash"),
    ]
    index = ""
    if index_row is not None:
        index = (
            "<p style='font-size:12pt;font-weight:bold'>Form 10-K Cross-Reference Index</p><table>"
            "<tr><td>Item 1.</td><td>Business</td><td>2</td></tr>"
            f"<tr>{index_row}</tr>"
            "<tr><td>Item 7.</td><td>Management’s Discussion and Analysis</td><td>2</td></tr></table>"
        )
    body = "".join(page(number, content, footer) for number, content in enumerate(contents, start=1))
    return f"<html><body>{body}{index}</body></html>"


@pytest.mark.parametrize(
    "index_row",
    [
        "<td>Item 1A.</td><td>Risk Factors</td><td>3-6</td>",
        "<td>Item 1A. Risk Factors</td><td>Pages 3–6</td>",
        "<td>1A.</td><td>Risk Factors</td><td>3 through 6</td>",
        "<td>Item 1A.</td><td>Risk Factors</td><td>Risk Factors, pages 3-6</td>",
    ],
)
@pytest.mark.parametrize(
    ("footer", "page"),
    [(outer_edge_footer, report_page), (section_footer, report_page), (outer_edge_footer, footer_after_the_break)],
    ids=["page numbers on the outer edge", "footers naming the section", "footers written after the page break"],
)
def test_the_index_page_range_runs_the_section_past_look_alike_headings_to_its_last_page(
    index_row: str, footer: Callable[[int], str], page: Callable[[int, str, Callable[[int], str]], str]
) -> None:
    risk = extract_items(parse_html(small_annual_report(index_row, footer, page=page)))["1A"]
    assert isinstance(risk, ExtractedItem), risk
    assert risk.located_by is LocatedBy.CROSS_REFERENCE_INDEX
    lines = [line for line in risk.text.split("\n") if "Annual Report" not in line]
    assert lines[:2] == ["Risk Factors", REPORT_CATEGORIES[0]]
    assert lines[-1] == REPORT_LAST_RISK
    assert all(category in lines for category in REPORT_CATEGORIES)


def test_a_running_header_naming_the_section_does_not_move_its_start() -> None:
    header = report_block("Risk Factors", "font-size:8pt;font-weight:bold")
    html = small_annual_report("<td>Item 1A.</td><td>Risk Factors</td><td>3-6</td>", running_header=header)
    risk = extract_items(parse_html(html))["1A"]
    assert isinstance(risk, ExtractedItem), risk
    assert risk.text.startswith(f"Risk Factors\n{REPORT_CATEGORIES[0]}\n")
    assert risk.text.rstrip().endswith(REPORT_LAST_RISK)


def test_without_the_index_a_section_cut_short_by_look_alike_headings_is_no_answer() -> None:
    risk = extract_items(parse_html(small_annual_report(None)))["1A"]
    assert not isinstance(risk, ExtractedItem) or REPORT_LAST_RISK in risk.text


@pytest.mark.parametrize(
    "contents_row",
    [
        "<td><a href='#risks'>Risk Factors</a></td><td>4</td>",
        "<td>Risk Factors</td><td><a href='#risks'>4</a></td>",  # only the page number linked
    ],
)
def test_a_contents_link_picks_the_risk_section_among_sections_titled_alike(contents_row: str) -> None:
    outlook_risks = "".join(
        f"<p>Outlook risk {n} is a scenario we model, and it is not a risk factor of this report.</p>" for n in range(60)
    )
    real_risks = "".join(f"<p>Our business faces risk number {n}, which could hurt results in many ways.</p>" for n in range(40))
    html = (
        "<html><body><p><b>FORM 10-K</b></p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
        f"<table><tr>{contents_row}</tr><tr><td>Outlook</td><td>9</td></tr></table>"
        + report_block("Outlook", "font-size:12pt;font-weight:bold")
        + report_block("Risk Factors", "font-size:10pt;font-weight:bold")
        + outlook_risks
        + report_block("Liquidity", "font-size:10pt;font-weight:bold")
        + "<p>We hold enough cash.</p><div id='risks'></div>"
        + report_block("Risk Factors", "font-size:12pt;font-weight:bold")
        + real_risks
        + report_block("Properties", "font-size:12pt;font-weight:bold")
        + "<p>We own an office.</p></body></html>"
    )
    risk = extract_items(parse_html(html))["1A"]
    assert isinstance(risk, ExtractedItem), risk
    assert risk.located_by is LocatedBy.SECTION_TITLE
    assert risk.text.startswith("Risk Factors\nOur business faces risk number 0")
    assert risk.text.endswith("risk number 39, which could hurt results in many ways.")


def test_an_index_set_as_paragraphs_gives_its_pages() -> None:
    index = (
        "<p style='font-size:12pt;font-weight:bold'>Form 10-K Cross-Reference Index</p>"
        "<p>Item 1. Business ........ 2</p><p>Item 1A. Risk Factors ........ 3-6</p>"
        "<p>Item 1B. Unresolved Staff Comments</p><p>None</p>"
        "<p>Item 7. Management’s Discussion and Analysis ........ 2</p>"
    )
    html = small_annual_report(None).replace("</body>", index + "</body>")
    risk = extract_items(parse_html(html))["1A"]
    assert isinstance(risk, ExtractedItem), risk
    assert risk.located_by is LocatedBy.CROSS_REFERENCE_INDEX
    assert risk.text.rstrip().endswith(REPORT_LAST_RISK)
