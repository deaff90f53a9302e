"""Item extraction on filings it has never seen: generated variants of real layouts.

Two generators: `old_style_10k` writes a small 10-K the way filings of 2006–2019 were set
(`<font>`/`<b>` markup, `<p align=center>`, headings spelled many ways), and `CORPUS_REWRITES`
rewrite real corpus filings (links removed, PART headings removed, running headers added …)
whose Item 1A must come out exactly as it does from the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sec_analyzer.domain import AbsenceReason
from sec_analyzer.preprocessing.items import (
    AbsentItem,
    ExtractedItem,
    ItemExtraction,
    LocatedBy,
    extract_items,
)
from sec_analyzer.preprocessing.parser import parse_html

OLD_COVER = (
    "<p align=center><font size=4><b>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</b></font></p>"
    "<p align=center><font size=4><b>FORM 10-K</b></font></p>"
    "<p><font size=2>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</font></p>"
    "<p><font size=2>For the fiscal year ended December 31, 2008</font></p>"
)
FACTORS = ("supply", "demand", "pricing", "rivals", "regulation", "currency", "litigation", "weather")
RISKS = [f"Risk {n}: our results could suffer from {factor} in ways we cannot foresee." for n, factor in enumerate(FACTORS)]
OLD_RISKS = "".join(f"<p><font size=2>{risk}</font></p>" for risk in RISKS)
FIRST_RISK = "Risk 0: our results"
LAST_RISK = f"{FACTORS[-1]} in ways we cannot foresee."
MANY_RISKS = "".join(
    f"<p>Supply disruption could hurt our margins, and {n} other things could too, in every market.</p>"
    for n in range(60)
)


def bold(text: str) -> str:
    return f"<p><font size=2><b>{text}</b></font></p>"


def old_style_10k(
    risk_heading: str = bold("ITEM 1A. RISK FACTORS"),
    risks: str = OLD_RISKS,
    *,
    cover: str = OLD_COVER,
    business: str = "<p><font size=2>We make anvils.</font></p>",
    after_mdna: str = "",
) -> str:
    return (
        f"<html><body>{cover}"
        + bold("PART I")
        + bold("ITEM 1. BUSINESS")
        + business
        + risk_heading
        + risks
        + bold("ITEM 1B. UNRESOLVED STAFF COMMENTS")
        + "<p><font size=2>None.</font></p>"
        + bold("ITEM 2. PROPERTIES")
        + "<p><font size=2>We own a factory in Ohio.</font></p>"
        + bold("PART II")
        + bold("ITEM 7. MANAGEMENT’S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION AND RESULTS OF OPERATIONS")
        + "<p><font size=2>Revenue grew.</font></p>"
        + after_mdna
        + bold("ITEM 7A. QUANTITATIVE AND QUALITATIVE DISCLOSURES ABOUT MARKET RISK")
        + "<p><font size=2>Interest rates.</font></p>"
        + "</body></html>"
    )


def extract(source: str | bytes) -> ItemExtraction:
    return extract_items(parse_html(source))


def risk_section(extraction: ItemExtraction) -> ExtractedItem:
    result = extraction["1A"]
    assert isinstance(result, ExtractedItem), result
    return result


def risk_absence(extraction: ItemExtraction) -> AbsentItem:
    result = extraction["1A"]
    assert isinstance(result, AbsentItem), result
    return result


def assert_whole_risk_section(extraction: ItemExtraction) -> None:
    """Item 1A starts at its heading (one or two lines) and ends with its last risk, before Item 1B."""
    lines = risk_section(extraction).text.split("\n")
    first_risk = next(index for index, line in enumerate(lines) if line.startswith(FIRST_RISK))
    assert first_risk in (1, 2), lines
    assert re.match(r"(?:PART I\. )?ITEMS? ?(?:NO\. |#)?(?:1\(?A|I ?A)", lines[0].upper()), lines
    assert lines[-1].endswith(LAST_RISK), lines
    unresolved = extraction["1B"]
    assert isinstance(unresolved, ExtractedItem) and unresolved.text.upper().startswith("ITEM 1B"), unresolved


HEADING_SPELLINGS = {
    "upper case": bold("ITEM 1A. RISK FACTORS"),
    "en dash": bold("Item 1A – Risk Factors"),
    "em dash": bold("Item 1A—Risk Factors"),
    "colon": bold("ITEM 1A: RISK FACTORS"),
    "no space after the number": bold("Item 1A.Risk Factors"),
    "non-breaking space entities": bold("Item&nbsp;1A.&#160;&#160;Risk&nbsp;Factors"),
    "non-breaking space characters": bold("Item\u00a01A.\u00a0\u00a0Risk Factors"),
    "Items typo": bold("Items 1A. Risk Factors"),
    "lower-case letter": bold("Item 1a. Risk Factors"),
    "letter in parentheses": bold("Item 1(a). Risk Factors"),
    "Item No.": bold("Item No. 1A. Risk Factors"),
    "Item #": bold("Item #1A. Risk Factors"),
    "quoted title": bold("Item 1A. “Risk Factors”"),
    "Certain Risk Factors": bold("Item 1A. Certain Risk Factors"),
    "Factors That May Affect Future Results": bold("Item 1A. Factors That May Affect Future Results"),
    "zero-width space": bold("Item\u200b 1A. Risk Factors"),
    "PART prefix": bold("PART I. ITEM 1A. RISK FACTORS"),
    "centered": "<p align=center><font size=2><b>ITEM 1A.&nbsp;&nbsp;RISK FACTORS</b></font></p>",
    "bold number, plain title": "<p><font size=2><b>Item 1A.</b> Risk Factors</font></p>",
    "number and title on separate lines": bold("ITEM 1A.<br>RISK FACTORS"),
    "number and title in separate blocks": bold("ITEM 1A.") + "<p><font size=2>RISK FACTORS</font></p>",
    "table cells": "<table><tr><td width=10%><b>ITEM 1A.</b></td><td><b>RISK FACTORS</b></td></tr></table>",
    "table cells with spacer cells": (
        "<table><tr><td>&nbsp;</td><td><b>Item 1A.</b></td><td>&nbsp;</td><td><b>Risk Factors</b></td></tr></table>"
    ),
    "Roman numeral": bold("Item IA. Risk Factors"),
    "Roman numeral, letter apart": bold("ITEM I A&nbsp;&nbsp;RISK FACTORS"),
    "number row and title row of one table": "<table><tr><td><b>ITEM 1A.</b></td></tr><tr><td><b>RISK FACTORS</b></td></tr></table>",
    "styled spans": (
        "<div><span style='font-weight:bold'>Item 1A.</span><span style='font-weight:bold'>&#160;&#160;</span>"
        "<span style='font-weight:bold'>Risk Factors</span></div>"
    ),
}


@pytest.mark.parametrize("risk_heading", HEADING_SPELLINGS.values(), ids=list(HEADING_SPELLINGS))
def test_every_heading_spelling_yields_the_whole_section(risk_heading: str) -> None:
    assert_whole_risk_section(extract(old_style_10k(risk_heading)))


def test_a_quoted_title_is_returned_without_its_quotes() -> None:
    assert risk_section(extract(old_style_10k(bold("Item 1A. “Risk Factors”")))).title == "Risk Factors"


@pytest.mark.parametrize(
    "reference",
    [
        "Item 7. Management’s Discussion and Analysis contains more on how these risks affect our results.",
        "Item 2. Properties of this report describes where these risks are concentrated.",
    ],
)
def test_a_plain_sentence_opening_with_an_item_name_inside_the_section_is_not_a_heading(reference: str) -> None:
    risks = OLD_RISKS.replace("<p><font size=2>Risk 3:", f"<p><font size=2>{reference}</font></p><p><font size=2>Risk 3:")
    assert_whole_risk_section(extract(old_style_10k(risks=risks)))


TOC_ENTRIES = [
    ("Item 1.", "Business", "3"),
    ("Item 1A.", "Risk Factors", "8"),
    ("Item 1B.", "Unresolved Staff Comments", "15"),
    ("Item 2.", "Properties", "15"),
    ("Item 7.", "Management’s Discussion and Analysis", "20"),
]
TABLES_OF_CONTENTS = {
    "table": "<table>"
    + "".join(f"<tr><td>{n}</td><td>{title}</td><td>{page}</td></tr>" for n, title, page in TOC_ENTRIES)
    + "</table>",
    "table, number and title in one cell": "<table>"
    + "".join(f"<tr><td>{n} {title}</td><td>{page}</td></tr>" for n, title, page in TOC_ENTRIES)
    + "</table>",
    "paragraphs with page numbers": "".join(f"<p>{n} {title} {page}</p>" for n, title, page in TOC_ENTRIES),
    "bold paragraphs without page numbers": "".join(bold(f"{n} {title}") for n, title, _ in TOC_ENTRIES),
    "number, title and page each a paragraph": "".join(
        f"<p>{n}</p><p>{title}</p><p>{page}</p>" for n, title, page in TOC_ENTRIES
    ),
    "linked table whose anchors sit before PART I": "<table>"
    + "".join(
        f"<tr><td><a href='#t{page}{n}'>{n}</a></td><td><a href='#t{page}{n}'>{title}</a></td><td>{page}</td></tr>"
        for n, title, page in TOC_ENTRIES
    )
    + "</table>"
    + "".join(f"<a name='t{page}{n}'></a>" for n, _, page in TOC_ENTRIES),
}


@pytest.mark.parametrize("contents", TABLES_OF_CONTENTS.values(), ids=list(TABLES_OF_CONTENTS))
def test_tables_of_contents_of_every_shape_are_skipped(contents: str) -> None:
    assert_whole_risk_section(extract(old_style_10k(cover=OLD_COVER + contents)))


def test_a_table_of_contents_repeated_at_the_start_of_each_part_is_skipped() -> None:
    part_two_contents = "<table>" + "".join(
        f"<tr><td>{n}</td><td>{title}</td><td>{page}</td></tr>"
        for n, title, page in (("Item 5.", "Market for Registrant’s Equity", "30"), ("Item 6.", "Selected Data", "31"),
                               ("Item 7.", "Management’s Discussion and Analysis", "32"))
    ) + "</table>"
    html = old_style_10k(cover=OLD_COVER + TABLES_OF_CONTENTS["table"]).replace(
        bold("PART II"), bold("PART II") + part_two_contents
    )
    assert_whole_risk_section(extract(html))


PAGE_BREAK = "<hr style='page-break-after:always'>"


def paged_risks(running_header: str) -> str:
    return "".join(
        f"<p><font size=2>{risk}</font></p><p align=center><font size=2>{n + 10}</font></p>{PAGE_BREAK}{running_header}"
        for n, risk in enumerate(RISKS)
    )


@pytest.mark.parametrize(
    "running_header",
    [
        "<p><font size=2>Item 1A. Risk Factors (continued)</font></p>",
        "<p><font size=2>ITEM 1A. RISK FACTORS</font></p>",  # the heading's words, set like body text
        bold("ITEM 1A. RISK FACTORS"),  # set exactly like the heading: only its first copy is the heading
        "<p><font size=2>PART I</font></p><p><font size=2>Item 1A</font></p>",
    ],
)
def test_running_headers_repeating_the_item_do_not_move_its_start(running_header: str) -> None:
    html = old_style_10k(PAGE_BREAK + bold("ITEM 1A. RISK FACTORS"), paged_risks(running_header))
    section = risk_section(extract(html))
    lines = section.text.split("\n")
    assert lines[0] == "ITEM 1A. RISK FACTORS"
    assert lines[1].startswith(FIRST_RISK)
    assert LAST_RISK in section.text
    assert "UNRESOLVED" not in section.text


def test_a_risk_factors_subsection_of_mdna_is_not_item_1a() -> None:
    # Before 2005 there was no Item 1A; many filers discussed risks under MD&A.
    html = old_style_10k("", "", after_mdna=bold("Risk Factors") + MANY_RISKS + bold("Critical Accounting Policies"))
    absence = risk_absence(extract(html))
    assert absence.reason is AbsenceReason.NOT_FOUND


def test_a_risk_factors_subsection_of_business_is_not_item_1a() -> None:
    html = old_style_10k("", "", business=bold("RISK FACTORS") + MANY_RISKS)
    assert risk_absence(extract(html)).reason is AbsenceReason.NOT_FOUND


def test_an_item_1a_pointing_into_mdna_is_followed_there() -> None:
    pointer = "<p>The information required by this item appears under “Risk Factors” in Item 7, pages 30 to 38.</p>"
    html = old_style_10k(
        bold("ITEM 1A. RISK FACTORS"),
        pointer,
        after_mdna=bold("Risk Factors") + MANY_RISKS + bold("Critical Accounting Policies") + "<p>Estimates.</p>",
    )
    section = risk_section(extract(html))
    assert section.text.startswith("Risk Factors\nSupply disruption")
    assert section.text.endswith("59 other things could too, in every market.")


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("Not applicable because we are a smaller reporting company.", AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY),
        ("This item is not applicable to smaller reporting companies.", AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY),
        ("Not required for a smaller reporting company.", AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY),
        (
            "As a “smaller reporting company” as defined by Item 10 of Regulation S-K, the Company is not required "
            "to provide information required by this Item.",
            AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY,
        ),
        (
            "The information required by this item is omitted in accordance with General Instruction J(1)(a).",
            AbsenceReason.OMITTED_ASSET_BACKED_ISSUER,
        ),
        (
            "The information required by this item is included in Exhibit 13 and incorporated by reference herein.",
            AbsenceReason.INCORPORATED_BY_REFERENCE,
        ),
        ("N/A", AbsenceReason.NOT_APPLICABLE),
        ("Not required.", AbsenceReason.NOT_APPLICABLE),
        ("Item 1A is not applicable to the registrant.", AbsenceReason.NOT_APPLICABLE),
    ],
)
def test_statements_that_the_item_is_not_here_are_typed(statement: str, reason: AbsenceReason) -> None:
    for risk_heading, risks in (
        (bold("ITEM 1A. RISK FACTORS"), f"<p><font size=2>{statement}</font></p>"),
        (f"<p><font size=2><b>ITEM 1A. RISK FACTORS.</b> {statement}</font></p>", ""),  # run-in
    ):
        absence = risk_absence(extract(old_style_10k(risk_heading, risks)))
        assert absence.reason is reason
        assert statement in absence.detail


def test_a_heading_with_nothing_under_it_is_not_the_item() -> None:
    absence = risk_absence(extract(old_style_10k(bold("ITEM 1A. RISK FACTORS"), "")))
    assert absence.reason is AbsenceReason.NOT_FOUND
    assert "no text under it" in absence.detail


def test_an_amendment_with_only_part_iii_says_why_item_1a_is_missing() -> None:
    html = (
        "<html><body><p align=center><b>FORM 10-K/A</b></p><p>(Amendment No. 1)</p>"
        "<p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</p>"
        + bold("PART III")
        + bold("Item 10. Directors, Executive Officers and Corporate Governance")
        + "<p>Our directors are named below.</p>"
        + bold("Item 11. Executive Compensation")
        + "<p>We pay our officers.</p></body></html>"
    )
    extraction = extract(html)
    assert extraction.form_type == "10-K/A" and extraction.is_annual_report
    absence = risk_absence(extraction)
    assert absence.reason is AbsenceReason.NOT_FOUND
    assert "10-K/A amendment" in absence.detail
    assert isinstance(extraction["10"], ExtractedItem)


@pytest.mark.parametrize(
    ("cover", "form_type"),
    [
        ("<p>FORM 20-F</p><p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "20-F"),
        ("<p>FORM 8-K</p><p>CURRENT REPORT Pursuant to Section 13 or 15(d)</p>", "8-K"),
        ("<p>FORM S-1</p><p>REGISTRATION STATEMENT UNDER THE SECURITIES ACT OF 1933</p>", "S-1"),
        ("<p>SCHEDULE 14A</p><p>Proxy Statement Pursuant to Section 14(a)</p>", "DEF 14A"),
        ("<p>FORM 10-Q</p><p>[X] QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "10-Q"),
        (
            "<p align=center>FORM 12b-25</p><p align=center>NOTIFICATION OF LATE FILING</p>"
            "<p>(Check one): [X] Form 10-K [ ] Form 20-F [ ] Form 11-K [ ] Form 10-Q</p>"
            "<p>For Period Ended: December 31, 2008</p>",
            "NT 10-K",
        ),
        ("<p align=center><b>NT 10-K</b></p><p>SEC FILE NUMBER 001-12345</p><p>[X] Form 10-K</p>", "NT 10-K"),
    ],
)
def test_other_forms_presented_as_a_10k_are_not_a_10k(cover: str, form_type: str) -> None:
    extraction = extract(old_style_10k(cover=cover))
    assert extraction.form_type == form_type
    assert risk_absence(extraction).reason is AbsenceReason.NOT_A_10K


@pytest.mark.parametrize(
    ("cover", "form_type"),
    [
        ("<p>FORM 10-K405</p><p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "10-K405"),
        ("<p>FORM 10-KSB</p><p>[X] ANNUAL REPORT UNDER SECTION 13 OR 15(d)</p>", "10-KSB"),
        ("<p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p><p>[ ] TRANSITION REPORT</p>", "10-K"),
        (
            "<p>FORM 10-K</p><p>☐ ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
            "<p>☒ TRANSITION REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</p>"
            "<p>For the transition period from July 1, 2008 to December 31, 2008</p>",
            "10-KT",
        ),
        (
            "<p>FORM 10-K</p><p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
            "<p>[ ] TRANSITION REPORT PURSUANT TO SECTION 13 OR 15(d)</p>",
            "10-K",
        ),
        ("<p>FORM 10-KT</p><p>TRANSITION REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "10-KT"),
        ("<p>FORM 10-K SB</p><p>ANNUAL REPORT UNDER SECTION 13 OR 15(d)</p>", "10-KSB"),
        ("<p>FORM 10 - K</p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "10-K"),
        ("<p>FORM 10-K405</p><p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</p>", "10-K405"),
    ],
)
def test_annual_report_forms_are_extracted(cover: str, form_type: str) -> None:
    extraction = extract(old_style_10k(cover=cover))
    assert extraction.form_type == form_type
    assert_whole_risk_section(extraction)


@pytest.mark.parametrize(
    "encode",
    [
        lambda html: html.encode("cp1252"),
        lambda html: html.encode("utf-16"),
        lambda html: b"\xef\xbb\xbf" + html.encode(),
        lambda html: html.replace("<html>", "<html><head><meta charset='iso-8859-1'></head>").encode("cp1252"),
    ],
    ids=["windows-1252", "utf-16 with BOM", "utf-8 with BOM", "windows-1252 declared latin-1"],
)
def test_encodings(encode: Callable[[str], bytes]) -> None:
    html = old_style_10k(risks=OLD_RISKS.replace("Risk 1:", "Risk 1: “quoted” — dashes —"))
    extraction = extract(encode(html))
    assert_whole_risk_section(extraction)
    assert "“quoted” — dashes —" in risk_section(extraction).text


@pytest.mark.parametrize(
    "mangle",
    [
        lambda html: html.replace("<body>", "<head><style>" + ".c{font-weight:bold}\n" * 50_000 + "</style></head><body>"),
        lambda html: html.replace("</font></p>", "</p>"),
        lambda html: html.replace("</p>", ""),
        lambda html: html.replace("<b>", "<b><i>"),
    ],
    ids=["huge style block", "unclosed font tags", "unclosed paragraphs", "unclosed italics"],
)
def test_malformed_or_bloated_html(mangle: Callable[[str], str]) -> None:
    assert_whole_risk_section(extract(mangle(old_style_10k())))


SGML_FILING = (
    "<DOCUMENT>\n<TYPE>10-K\n<SEQUENCE>1\n<TEXT>\n"
    "                    SECURITIES AND EXCHANGE COMMISSION\n                               FORM 10-K\n"
    "[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934\n\n"
    "                                 TABLE OF CONTENTS\n\n"
    "  Item 1.   Business..............................   3\n"
    "  Item 1A.  Risk Factors..........................   8\n"
    "  Item 1B.  Unresolved Staff Comments.............  15\n\n"
    "                                    PART I\n\nITEM 1.  BUSINESS\n\n     We make anvils. See Item 1A.\n\n<PAGE>\n"
    "{heading}\n\n"
    + "".join(
        f"     Risk {n}: our results could suffer, in this market and others, from {factor}\nin ways we cannot foresee.\n\n"
        for n, factor in enumerate(FACTORS)
    )
    + "<PAGE>\nITEM 1B.  UNRESOLVED STAFF COMMENTS\n\n     None.\n\nITEM 2.  PROPERTIES\n\n     A factory.\n"
    "</TEXT>\n</DOCUMENT>\n<DOCUMENT>\n<TYPE>EX-13\n<TEXT>\nRISK FACTORS\n\nAn exhibit, not the 10-K.\n"
    "</TEXT>\n</DOCUMENT>\n"
)


@pytest.mark.parametrize("heading", ["ITEM 1A.  RISK FACTORS", "Item 1A - Risk Factors", "ITEM 1A:  RISK FACTORS"])
def test_sgml_wrapped_plain_text_filings(heading: str) -> None:
    assert_whole_risk_section(extract(SGML_FILING.format(heading=heading)))


def test_sgml_plain_text_inside_pre() -> None:
    body = SGML_FILING.format(heading="ITEM 1A.  RISK FACTORS").split("<TEXT>\n", 1)[1].split("</TEXT>", 1)[0]
    section = risk_section(extract(f"<html><body><pre>{body}</pre></body></html>"))
    assert section.text.startswith("ITEM 1A. RISK FACTORS\n")
    assert section.text.endswith(f"from {FACTORS[-1]}\nin ways we cannot foresee.")  # <pre> keeps its lines


# Real filings rewritten into the layouts other filers use; Item 1A must not move.
CORPUS_FILINGS = ("AAPL", "JNJ", "NVDA")
PAGE_BREAK_TAG = re.compile(r"(<hr[^>]*>|<div[^>]*page-break-after:\s*always[^>]*>(?:</div>)?)", re.IGNORECASE)
CORPUS_REWRITES: dict[str, Callable[[str], str]] = {
    "no links or anchors": lambda html: re.sub(r"\s(?:href|id|name)=\"[^\"]*\"", "", html),
    "no PART headings": lambda html: re.sub(r">\s*PART\s+I{1,3}V?\s*<", "><", html, flags=re.IGNORECASE),
    "non-breaking spaces as characters": lambda html: html.replace("&#160;", "\u00a0").replace("&nbsp;", "\u00a0"),
    "bold spans as <b>": lambda html: re.sub(
        r"<span style=\"[^\"]*font-weight:(?:700|bold)[^\"]*\">(.*?)</span>", r"<b>\1</b>", html
    ),
    "a running header naming Item 1A on every page": lambda html: PAGE_BREAK_TAG.sub(
        r"\1<div>Item 1A. Risk Factors</div>", html
    ),
    "a running header with the part and item on every page": lambda html: PAGE_BREAK_TAG.sub(
        r"\1<div><b>PART I</b></div><div>ITEM 1A</div>", html
    ),
}


def body_lines(section: ExtractedItem) -> tuple[str, str]:
    """The heading and the last line of prose (running headers and page numbers aside)."""
    lines = [line for line in section.text.split("\n") if len(line) > 40]
    return section.text.split("\n", 1)[0], lines[-1]


@pytest.fixture(scope="module")
def corpus_sources(corpus_dir: Path) -> dict[str, str]:
    sources = {}
    for ticker in CORPUS_FILINGS:
        path = sorted((corpus_dir / "10-K" / ticker).glob("*/primary-document.html"))[0]
        sources[ticker] = path.read_text(encoding="utf-8")
    return sources


@pytest.mark.parametrize("rewrite", CORPUS_REWRITES.values(), ids=list(CORPUS_REWRITES))
def test_rewritten_corpus_filings_keep_their_item_1a(corpus_sources: dict[str, str], rewrite: Callable[[str], str]) -> None:
    for ticker, html in corpus_sources.items():
        original = body_lines(risk_section(extract(html)))
        rewritten = body_lines(risk_section(extract(rewrite(html))))
        assert rewritten == original, ticker


def test_a_filing_numbered_in_roman_numerals_yields_every_item() -> None:
    html = old_style_10k(bold("ITEM IA. RISK FACTORS"))
    for arabic, roman in (("1.", "I."), ("1B.", "IB."), ("2.", "II."), ("7.", "VII."), ("7A.", "VIIA.")):
        html = html.replace(f"ITEM {arabic} ", f"ITEM {roman} ")
    extraction = extract(html)
    expected = {
        "1": "ITEM I. BUSINESS\nWe make anvils.",
        "1A": "\n".join(["ITEM IA. RISK FACTORS", *RISKS]),
        "1B": "ITEM IB. UNRESOLVED STAFF COMMENTS\nNone.",
        "7A": "ITEM VIIA. QUANTITATIVE AND QUALITATIVE DISCLOSURES ABOUT MARKET RISK\nInterest rates.",
    }
    for item_id, text in expected.items():
        section = extraction[item_id]
        assert isinstance(section, ExtractedItem) and section.text == text, section


def table_rows(*rows: str) -> str:
    return "<table>" + "".join(f"<tr><td>{row}</td></tr>" for row in rows) + "</table>"


TABLE_LAYOUTS = {
    "heading table, then the risks in a one-cell table": (
        table_rows("<b>ITEM 1A.</b>", "<b>RISK FACTORS</b>"),
        table_rows(OLD_RISKS),
    ),
    "one-row heading table, then the risks in a one-cell table": (table_rows("<b>ITEM 1A. RISK FACTORS</b>"), table_rows(OLD_RISKS)),
    "heading cells above a cell holding the risks": (
        "",
        "<table><tr><td><b>ITEM 1A.</b></td><td><b>RISK FACTORS</b></td></tr><tr><td></td><td>"
        + OLD_RISKS
        + "</td></tr></table>",
    ),
    "number row, title row and a row per risk in one table": (
        "",
        table_rows(
            "<b>ITEM 1A.</b>",
            "<b>RISK FACTORS</b>",
            RISKS[0] + " We explain this at length. " * 8,
            *RISKS[1:],
        ),
    ),
}


@pytest.mark.parametrize(("risk_heading", "risks"), TABLE_LAYOUTS.values(), ids=list(TABLE_LAYOUTS))
def test_headings_and_risks_set_in_tables(risk_heading: str, risks: str) -> None:
    assert_whole_risk_section(extract(old_style_10k(risk_heading, risks)))


@pytest.mark.parametrize("contents", TABLES_OF_CONTENTS.values(), ids=list(TABLES_OF_CONTENTS))
def test_a_complete_table_of_contents_printed_twice_is_skipped_both_times(contents: str) -> None:
    html = old_style_10k(cover=OLD_COVER + contents).replace(bold("PART II"), contents + bold("PART II"))
    extraction = extract(html)
    assert_whole_risk_section(extraction)
    properties, discussion = extraction["2"], extraction["7"]
    assert isinstance(properties, ExtractedItem) and isinstance(discussion, ExtractedItem)
    assert properties.text.startswith("ITEM 2. PROPERTIES\nWe own a factory in Ohio.")
    assert discussion.text.startswith("ITEM 7. MANAGEMENT’S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION")


def test_consecutive_short_items_in_the_body_are_not_a_table_of_contents() -> None:
    short_items = "".join(
        bold(heading) + f"<p><font size=2>{answer}</font></p>"
        for heading, answer in (
            ("ITEM 1B. UNRESOLVED STAFF COMMENTS", "None."),
            ("ITEM 1C. CYBERSECURITY", "We run a security program."),
            ("ITEM 2. PROPERTIES", "We own a factory in Ohio."),
            ("ITEM 3. LEGAL PROCEEDINGS", "None."),
            ("ITEM 4. MINE SAFETY DISCLOSURES", "Not applicable."),
        )
    )
    html = old_style_10k().replace(
        bold("ITEM 1B. UNRESOLVED STAFF COMMENTS") + "<p><font size=2>None.</font></p>"
        + bold("ITEM 2. PROPERTIES") + "<p><font size=2>We own a factory in Ohio.</font></p>",
        short_items,
    )
    extraction = extract(html)
    assert_whole_risk_section(extraction)
    for item_id, text in (("1C", "We run a security program."), ("3", "None."), ("4", "Not applicable.")):
        section = extraction[item_id]
        assert isinstance(section, ExtractedItem) and section.text.split("\n")[1] == text, section


# A bank's 10-K is its annual report: sections titled as in the report, item numbers only in a
# "Form 10-K Cross-Reference Index" table at the end whose rows give bare numbers.
def bank_heading(text: str) -> str:
    return f"<p style='font-weight:bold;font-size:12pt'>{text}</p>"


def bank_subheading(text: str) -> str:
    return f"<p style='font-weight:bold;font-size:10pt'>{text}</p>"


def bank_paragraphs(topic: str, count: int) -> str:
    return "".join(f"<p>{topic} {n} is discussed here, as it matters to holders of our securities.</p>" for n in range(count))


BANK_COVER = (
    "<p align=center><b>FORM 10-K</b></p>"
    "<p>[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</p>"
    "<p>For the fiscal year ended December 31, 2023</p>"
    "<table><tr><td>Overview</td><td>4</td></tr><tr><td>Management’s Discussion and Analysis</td><td>6</td></tr>"
    "<tr><td>Risk Factors</td><td>45</td></tr><tr><td>Managing Global Risk</td><td>60</td></tr></table>"
)
BANK_RISKS = (
    "<p style='font-weight:bold;font-style:italic'>STRATEGIC RISKS</p>"
    + bank_paragraphs("Strategic risk", 15)
    + "<p style='font-weight:bold;font-style:italic'>CREDIT RISKS</p>"
    + bank_paragraphs("Credit risk", 15)
)
BANK_LAST_RISK = "Credit risk 14 is discussed here, as it matters to holders of our securities."
BANK_INDEX = (
    bank_heading("FORM 10-K CROSS-REFERENCE INDEX")
    + table_rows("Item Number | Page")
    .replace("</table>", "")
    + "".join(
        f"<tr><td>{number}</td><td>{title}</td><td>{pages}</td></tr>"
        for number, title, pages in (
            ("Part I", "", ""),
            ("1.", "Business", "4–31, 120–125"),
            ("1A.", "Risk Factors", "45–58"),
            ("1B.", "Unresolved Staff Comments", "Not Applicable"),
            ("2.", "Properties", "300"),
            ("Part II", "", ""),
            ("7.", "Management’s Discussion and Analysis", "6–44, 60–140"),
        )
    )
    + "</table>"
)


def bank_10k(risk_html: str, *, before_risks: str = "", managing_global_risk_first: bool = False) -> str:
    managing_global_risk = bank_heading("MANAGING GLOBAL RISK") + bank_paragraphs("Risk governance", 20)
    return (
        "<html><body>"
        + BANK_COVER
        + bank_heading("OVERVIEW")
        + bank_paragraphs("Our franchise", 10)
        + bank_heading("MANAGEMENT’S DISCUSSION AND ANALYSIS OF FINANCIAL CONDITION AND RESULTS OF OPERATIONS")
        + bank_paragraphs("Revenue", 30)
        + before_risks
        + (managing_global_risk if managing_global_risk_first else "")
        + risk_html
        + bank_heading("HUMAN CAPITAL RESOURCES AND MANAGEMENT")
        + bank_paragraphs("Our workforce", 10)
        + ("" if managing_global_risk_first else managing_global_risk)
        + BANK_INDEX
        + "<p><b>SIGNATURES</b></p><p>Pursuant to the requirements of the Act, this report has been signed.</p>"
        + "</body></html>"
    )


BANK_LAYOUTS = {
    "risk factors after MD&A": (bank_heading("RISK FACTORS") + BANK_RISKS, {}),
    "risk factors inside Managing Global Risk": (
        bank_subheading("RISK FACTORS") + BANK_RISKS,
        {"managing_global_risk_first": True},
    ),
    "descriptive titles without item numbers": (
        bank_heading("Risk Factors Relating to Our Business")
        + bank_paragraphs("Business risk", 10)
        + bank_heading("Risk Factors Relating to Regulation")
        + BANK_RISKS,
        {},
    ),
    "an Item 1A heading pointing at the section": (
        bank_heading("RISK FACTORS") + BANK_RISKS,
        {"before_risks": bank_heading("Item 1A. Risk Factors") + "<p>See “Risk Factors” below.</p>"},
    ),
}


@pytest.mark.parametrize(("risk_html", "layout"), BANK_LAYOUTS.values(), ids=list(BANK_LAYOUTS))
def test_bank_style_10k_risk_factors_are_found_by_title(risk_html: str, layout: dict[str, Any]) -> None:
    extraction = extract(bank_10k(risk_html, **layout))
    risks = risk_section(extraction)
    # The index gives pages this document prints no numbers for, and names no section: the title found it.
    assert risks.located_by is LocatedBy.SECTION_TITLE
    # From the first risk-factor heading to the last risk: Item 1A, with nothing of the next section.
    first_heading = re.search(r">([^<]*Risk Factors[^<]*)<", risk_html, re.IGNORECASE)
    assert first_heading is not None
    assert risks.text.startswith(first_heading.group(1) + "\n"), risks.text[:80]
    assert risks.text.endswith(BANK_LAST_RISK)
    unresolved = extraction["1B"]
    assert isinstance(unresolved, AbsentItem) and unresolved.reason is AbsenceReason.NOT_APPLICABLE
    assert unresolved.detail == "cross-reference index: 1B. Unresolved Staff Comments Not Applicable"
    business = extraction["1"]
    assert isinstance(business, AbsentItem) and "Business 4–31, 120–125" in business.detail

