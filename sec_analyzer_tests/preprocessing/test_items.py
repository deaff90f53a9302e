"""Item extraction: real corpus filings, and one small hand-written 10-K per hard pattern."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sec_analyzer.domain import AbsenceReason
from sec_analyzer.preprocessing.items import (
    ITEM_IDS,
    AbsentItem,
    ExtractedItem,
    ItemExtraction,
    LocatedBy,
    UnknownItemError,
    extract_items,
    normalize_item_id,
)
from sec_analyzer.preprocessing.parser import parse_file, parse_html

COVER = (
    "<div style='text-align:center'><b>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</b></div>"
    "<div style='text-align:center'><b>FORM 10-K</b></div>"
    "<div>☒ ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</div>"
    "<div>For the fiscal year ended December 31, 2024</div>"
)
RISK_BODY = (
    "<p><b><i>Our suppliers may fail us.</i></b></p>"
    "<p>We depend on a small number of suppliers for components, and any disruption could harm us.</p>"
    "<p><b><i>Competition is intense.</i></b></p>"
    "<p>Our markets are highly competitive and we may lose share to rivals with more resources.</p>"
)


def heading(text: str) -> str:
    return f"<p><b>{text}</b></p>"


def tenk(body: str, cover: str = COVER) -> ItemExtraction:
    return extract_items(parse_html(f"<html><body>{cover}{body}</body></html>"))


def standard_body(risk_factors: str = RISK_BODY) -> str:
    return (
        heading("PART I")
        + heading("Item 1. Business")
        + "<p>We make anvils and sell them worldwide. See Item 1A. Risk Factors for what could go wrong.</p>"
        + heading("Item 1A. Risk Factors")
        + risk_factors
        + heading("Item 1B. Unresolved Staff Comments")
        + "<p>None.</p>"
        + heading("Item 2. Properties")
        + "<p>We own a factory in Ohio.</p>"
        + heading("PART II")
        + heading("Item 7. Management’s Discussion and Analysis of Financial Condition and Results of Operations")
        + "<p>Revenue grew.</p>"
    )


def found(extraction: ItemExtraction, item_id: str) -> ExtractedItem:
    result = extraction[item_id]
    assert isinstance(result, ExtractedItem), result
    return result


def absent(extraction: ItemExtraction, item_id: str) -> AbsentItem:
    result = extraction[item_id]
    assert isinstance(result, AbsentItem), result
    return result


def test_every_item_has_a_typed_result_and_sections_end_at_the_next_heading() -> None:
    extraction = tenk(standard_body())
    assert list(extraction.items) == list(ITEM_IDS)
    risk = found(extraction, "1A")
    assert risk.title == "Risk Factors"
    assert risk.text.startswith("Item 1A. Risk Factors\nOur suppliers may fail us.")
    assert risk.text.endswith("rivals with more resources.")
    assert found(extraction, "1B").text == "Item 1B. Unresolved Staff Comments\nNone."
    assert found(extraction, "2").text.endswith("factory in Ohio.\nPART II")
    assert absent(extraction, "3").reason is AbsenceReason.NOT_FOUND
    assert set(extraction.found) == {"1", "1A", "1B", "2", "7"}


def test_spans_map_back_to_elements_and_html() -> None:
    html = f"<html><body>{COVER}{standard_body()}</body></html>"
    doc = parse_html(html)
    risk = found(extract_items(doc), "1A")
    first, last = risk.element_span
    assert doc.elements[first].text == "Item 1A. Risk Factors"
    assert doc.text_of(risk.element_span) == risk.text
    start, end = risk.html_span
    assert html[start:].startswith("Item 1A. Risk Factors</b>")
    assert html[:end].endswith("more resources.</p><p><b>")
    assert last + 1 == found(extract_items(doc), "1B").element_span[0]


def test_the_table_of_contents_is_skipped_and_its_links_are_followed() -> None:
    toc = (
        "<table>"
        "<tr><td><a href='#i1'>Item 1.</a></td><td>Business</td><td>3</td></tr>"
        "<tr><td><a href='#i1a'>Item 1A.</a></td><td>Risk Factors</td><td>5</td></tr>"
        "<tr><td><a href='#i1b'>Item 1B.</a></td><td>Unresolved Staff Comments</td><td>9</td></tr>"
        "<tr><td><a href='#i2'>Item 2.</a></td><td>Properties</td><td>9</td></tr>"
        "</table>"
        # A table-of-contents written as lines rather than a table: no page numbers to go by.
        + heading("Item 1A. Risk Factors")
    )
    body = (
        "<div id='i1'></div>" + heading("Item 1. Business") + "<p>We make anvils.</p>"
        "<div id='i1a'></div>" + heading("Item 1A. Risk Factors") + RISK_BODY
        + "<div id='i1b'></div>" + heading("Item 1B. Unresolved Staff Comments") + "<p>None.</p>"
        "<div id='i2'></div>" + heading("Item 2. Properties") + "<p>A factory.</p>"
    )
    risk = found(tenk(toc + body), "1A")
    assert "We depend on a small number of suppliers" in risk.text
    assert "Unresolved" not in risk.text


def test_a_contents_page_of_linked_lines_is_skipped() -> None:
    contents = "".join(
        f"<p><a href='#{anchor}'>{title}</a></p>"
        for anchor, title in (("i1", "Item 1. Business"), ("i1a", "Item 1A. Risk Factors"), ("i2", "Item 2. Properties"))
    )
    body = (
        "<div id='i1'></div>" + heading("Item 1. Business") + "<p>We make anvils.</p>"
        "<div id='i1a'></div>" + heading("Item 1A. Risk Factors") + RISK_BODY
        + "<div id='i2'></div>" + heading("Item 2. Properties") + "<p>A factory.</p>"
    )
    extraction = tenk(contents + body)
    assert found(extraction, "1").text == "Item 1. Business\nWe make anvils."
    assert "Our suppliers" in found(extraction, "1A").text


def test_older_heading_spellings() -> None:
    body = (
        heading("Item 7. MD&A")
        + "<p>Revenue grew.</p>"
        + heading("Item 9A(T). Controls and Procedures")
        + "<p>Controls are effective.</p>"
    )
    extraction = tenk(body)
    assert found(extraction, "7").text == "Item 7. MD&A\nRevenue grew."
    assert found(extraction, "9A").title == "Controls and Procedures"


def test_a_heading_followed_only_by_a_table_of_contents_is_not_the_item() -> None:
    contents = (
        "<table><tr><td>Item 1.</td><td>Business</td><td>1</td></tr>"
        "<tr><td>Item 1A.</td><td>Risk Factors</td><td>5</td></tr>"
        "<tr><td>Item 2.</td><td>Properties</td><td>9</td></tr></table>"
    )
    body = standard_body().replace(heading("Item 1A. Risk Factors") + RISK_BODY, heading("Item 1A. Risk Factors") + contents)
    result = absent(tenk(body), "1A")
    assert result.reason is AbsenceReason.NOT_FOUND
    assert "only a table of contents" in result.detail


def test_in_text_references_are_not_headings() -> None:
    body = standard_body().replace(
        "<p>We make anvils",
        "<p>Item 1A of this report describes risks; read it.</p>"
        "<p>Item 1A, “Risk Factors,” in this report describes the risks.</p>"
        "<p>Item 1A. Risk Factors of this Form 10-K, which you should read carefully, discusses at length the many "
        "different risks and uncertainties we face, including those related to suppliers, competitors, regulators, "
        "and the wider economy in every market in which we operate today.</p><p>We make anvils",
    )
    risk = found(tenk(body), "1A")
    assert risk.text.startswith("Item 1A. Risk Factors\nOur suppliers")
    assert found(tenk(body), "1").text.count("describes") == 2


def test_a_heading_split_across_table_cells() -> None:
    body = standard_body().replace(
        heading("Item 1A. Risk Factors"),
        "<table><tr><td><b>Item 1A.</b></td><td><b>Risk Factors</b></td></tr></table>",
    )
    risk = found(tenk(body), "1A")
    assert risk.title == "Risk Factors"
    assert risk.text.startswith("Item 1A. | Risk Factors\nOur suppliers")


def test_a_heading_split_across_lines() -> None:
    body = standard_body().replace(heading("Item 1A. Risk Factors"), heading("ITEM 1A.") + heading("RISK FACTORS"))
    risk = found(tenk(body), "1A")
    assert risk.title == "RISK FACTORS"
    assert risk.text.startswith("ITEM 1A.\nRISK FACTORS\nOur suppliers")


def test_items_combined_in_one_heading_share_the_section() -> None:
    body = (
        heading("Items 1 and 2. Business and Properties")
        + "<p>We make anvils in our own factory.</p>"
        + heading("Item 1A. Risk Factors")
        + RISK_BODY
        + heading("Items 10 through 14.")
        + heading("Directors, Executive Officers and Corporate Governance; Executive Compensation")
        + "<p>Incorporated by reference to our proxy statement.</p>"
        + heading("Item 15. Exhibits")
        + "<p>See the exhibit index.</p>"
    )
    extraction = tenk(body)
    business, properties = found(extraction, "1"), found(extraction, "2")
    assert business.text == properties.text == "Items 1 and 2. Business and Properties\nWe make anvils in our own factory."
    for item_id in ("10", "11", "12", "13", "14"):
        assert "proxy statement" in found(extraction, item_id).text
    assert "Our suppliers" in found(extraction, "1A").text


def test_a_reserved_item_is_absent_as_reserved() -> None:
    body = standard_body() + heading("Item 6. [Reserved]") + heading("Item 7A. Quantitative and Qualitative Disclosures")
    body = body.replace(heading("PART II"), heading("PART II") + heading("Item 6. [Reserved]"), 1)
    result = absent(tenk(body), "6")
    assert result.reason is AbsenceReason.RESERVED
    assert "[Reserved]" in result.detail


def test_missing_part_headings_lose_nothing() -> None:
    extraction = tenk(standard_body().replace(heading("PART I"), "").replace(heading("PART II"), ""))
    assert set(extraction.found) == {"1", "1A", "1B", "2", "7"}


def test_running_page_headers_naming_the_item_are_not_headings() -> None:
    page_header = "<div>PART I Item 1A</div>"
    risks = RISK_BODY.replace("<p><b><i>Competition", page_header + "<p><b><i>Competition")
    risk = found(tenk(standard_body(risks)), "1A")
    assert "Competition is intense." in risk.text


@pytest.mark.parametrize(
    ("risk_section", "reason"),
    [
        (
            "<p>As a smaller reporting company, we are not required to provide the information required by this Item.</p>",
            AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY,
        ),
        ("<p>Not applicable; smaller reporting companies may omit this item.</p>", AbsenceReason.OMITTED_SMALLER_REPORTING_COMPANY),
        ("<p>Omitted pursuant to General Instruction J of Form 10-K.</p>", AbsenceReason.OMITTED_ASSET_BACKED_ISSUER),
        (
            "<p>The information required by this item is incorporated herein by reference to the section entitled "
            "“Risk Factors” in the 2024 Annual Report to Shareholders, filed as Exhibit 13 to this report.</p>",
            AbsenceReason.INCORPORATED_BY_REFERENCE,
        ),
        (
            "<p>Information in response to this item can be found in the “Risk Factors” section of the Financial "
            "Review in our 2024 Annual Report, which information is incorporated by reference into this item.</p>",
            AbsenceReason.INCORPORATED_BY_REFERENCE,
        ),
    ],
)
def test_items_whose_content_is_not_here_are_typed_absences(risk_section: str, reason: AbsenceReason) -> None:
    result = absent(tenk(standard_body(risk_section)), "1A")
    assert result.reason is reason
    assert result.detail.startswith("Item 1A. Risk Factors")


def test_risk_factors_that_say_not_applicable_are_absent() -> None:
    result = absent(tenk(standard_body("<p>Not applicable.</p>")), "1A")
    assert result.reason is AbsenceReason.NOT_APPLICABLE


def test_an_item_heading_pointing_at_pages_is_followed_to_the_section() -> None:
    paragraph = "<p>Our business faces risk number {n}, which could hurt results in many ways.</p>"
    section = "<p><b>RISK FACTORS</b></p>" + "".join(paragraph.format(n=n) for n in range(40))
    body = standard_body("<p>See “Risk Factors” on pages 27 to 36 of this report.</p>") + section
    risk = found(tenk(body + heading("PART III")), "1A")
    assert risk.text.startswith("RISK FACTORS\nOur business faces risk number 0")
    assert risk.text.endswith("risk number 39, which could hurt results in many ways.")


def test_a_section_found_by_title_ends_at_the_next_sibling_heading() -> None:
    paragraph = "<p>Our business faces risk number {n}, which could hurt results in many ways.</p>"
    section = (
        "<p><b>Risk Factors</b></p>"
        + "<p><b>Risks Related to Our Supply Chain</b></p>"
        + "".join(paragraph.format(n=n) for n in range(40))
        + "<p><b>Liquidity and Capital Resources</b></p><p>We have plenty of cash.</p>"
    )
    body = standard_body("<p>See “Risk Factors” on page 12 of this report.</p>") + section
    risk = found(tenk(body), "1A")
    assert risk.text.startswith("Risk Factors\nRisks Related to Our Supply Chain\n")
    assert risk.text.endswith("risk number 39, which could hurt results in many ways.")


def test_an_item_heading_pointing_at_pages_is_kept_when_no_section_is_found() -> None:
    risk = found(tenk(standard_body("<p>See “Risk Factors” on pages 27 to 36 of this report.</p>")), "1A")
    assert risk.text == "Item 1A. Risk Factors\nSee “Risk Factors” on pages 27 to 36 of this report."


@pytest.mark.parametrize("report", ["this Annual Report on Form 10-K", "this Annual Report", "this report"])
def test_a_pointer_to_another_item_of_the_same_report_is_the_item_text(report: str) -> None:
    pointer = f"<p>The information required by this item is incorporated herein by reference to Item 7 of {report}.</p>"
    body = standard_body() + heading("Item 7A. Quantitative and Qualitative Disclosures About Market Risk") + pointer
    assert f"Item 7 of {report}." in found(tenk(body), "7A").text


def test_a_10q_presented_as_a_10k_is_not_a_10k() -> None:
    cover = "<p>FORM 10-Q</p><p>☒ QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d)</p>"
    body = heading("PART II") + heading("Item 1A. Risk Factors") + "<p>There have been no material changes.</p>"
    extraction = tenk(body, cover=cover)
    assert extraction.form_type == "10-Q" and not extraction.is_annual_report
    assert set(extraction.absent) == set(ITEM_IDS)
    assert {result.reason for result in extraction.absent.values()} == {AbsenceReason.NOT_A_10K}


def test_the_xbrl_document_type_decides_the_form() -> None:
    cover = "<p>FORM <ix:nonNumeric name='dei:DocumentType'>10-Q</ix:nonNumeric></p>"
    assert tenk(standard_body(), cover=cover).form_type == "10-Q"


def test_a_truncated_document_is_unparseable_for_every_item() -> None:
    html = f"<html><body>{COVER}{standard_body()}</body></html>"
    assert found(extract_items(parse_html(html)), "1A")
    extraction = extract_items(parse_html(html[: html.index("Item 2.")]))
    assert set(extraction.absent) == set(ITEM_IDS)
    for result in extraction.absent.values():
        assert result.reason is AbsenceReason.UNPARSEABLE_DOCUMENT
        assert "truncated" in result.detail


def test_plain_text_filings_are_extracted() -> None:
    text = (
        "FORM 10-K\nANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)\n\nPART I\n\nITEM 1.  BUSINESS\n\n"
        "We make anvils.\n\nITEM 1A.  RISK FACTORS\n\nOur suppliers may fail us and competition is intense.\n\n"
        "ITEM 1B.  UNRESOLVED STAFF COMMENTS\n\nNone.\n"
    )
    risk = found(extract_items(parse_html(text)), "1A")
    assert risk.text == "ITEM 1A. RISK FACTORS\nOur suppliers may fail us and competition is intense."


def test_plain_text_prose_wrapped_onto_an_item_line_is_not_a_heading() -> None:
    text = (
        "FORM 10-K\n\nITEM 1.  BUSINESS\n\nWe make anvils. The risks of our business are described in Part I,\n"
        "Item 1A. Risk Factors of this report, and we urge you to read them.\n\n"
        "ITEM 1A.  RISK FACTORS\n\nOur suppliers may fail us and competition is intense.\n\n"
        "ITEM 2.  PROPERTIES\n\nA factory.\n"
    )
    extraction = extract_items(parse_html(text))
    assert found(extraction, "1").text.endswith("Item 1A. Risk Factors of this report, and we urge you to read them.")
    assert found(extraction, "1A").text.startswith("ITEM 1A. RISK FACTORS\nOur suppliers")


def test_cross_reference_index_filings_return_the_real_sections() -> None:
    index = (
        "<table><tr><td>FORM 10-K CROSS REFERENCE INDEX</td><td>Page(s)</td></tr>"
        "<tr><td>Item 1.</td><td>Business</td><td>4-6</td></tr>"
        "<tr><td>Item 1A.</td><td>Risk Factors</td><td>27-36</td></tr>"
        "<tr><td>Item 1B.</td><td>Unresolved Staff Comments</td><td>Not applicable</td></tr>"
        "<tr><td>Item 3.</td><td>Legal Proceedings</td><td>36</td></tr></table>"
    )
    paragraph = "<p>Supply chain disruption could hurt our margins, and {n} other things could too.</p>"
    risks = "".join(paragraph.format(n=n) for n in range(60))
    body = (
        "<p><b>OTHER KEY INFORMATION</b></p>"
        "<div><span style='font-weight:700'>RISK FACTORS. </span>The following discussion describes our risks.</div>"
        + risks
        + "<div><span style='font-weight:700'><i>Legal proceedings</i> - We are subject to lawsuits.</span> Body.</div>"
        + "<div><span style='font-weight:700'>LEGAL PROCEEDINGS. </span>Refer to Note 24.</div>"
    )
    extraction = tenk(index + body)
    risk = found(extraction, "1A")
    assert risk.text.startswith("RISK FACTORS. The following discussion")
    assert "Legal proceedings - We are subject" in risk.text
    assert "Refer to Note 24" not in risk.text
    assert len(risk.text) > 4000
    assert "Refer to Note 24" in found(extraction, "3").text
    unresolved = absent(extraction, "1B")
    assert unresolved.reason is AbsenceReason.NOT_APPLICABLE
    assert unresolved.detail == "cross-reference index: Item 1B. Unresolved Staff Comments Not applicable"
    business = absent(extraction, "1")
    assert business.reason is AbsenceReason.NOT_FOUND and "Business 4-6" in business.detail


def test_item_ids_are_normalized() -> None:
    assert normalize_item_id("item 1a") == "1A"
    assert normalize_item_id(" 7A ") == "7A"
    with pytest.raises(UnknownItemError):
        normalize_item_id("1D")


AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"


def test_apple_item_1a_runs_from_its_heading_to_item_1b(corpus_dir: Path) -> None:
    doc = parse_file(corpus_dir / AAPL_2024)
    extraction = extract_items(doc)
    risk = found(extraction, "1A")
    assert risk.located_by is LocatedBy.ITEM_HEADING
    assert risk.text.startswith("Item 1A. Risk Factors\nThe Company’s business, reputation, results of operations")
    assert risk.text.rstrip().endswith("material adverse impact on investor confidence and employee retention.")
    assert doc.elements[risk.element_span[1] + 1].text == "Item 1B. Unresolved Staff Comments"
    start, end = risk.html_span
    assert doc.source_html is not None
    # sec-api's count of the same span: the raw HTML with &#160; as one character (expected 96,699).
    fragment = doc.source_html[start:end].replace("&#160;", "\u00a0").strip()
    assert abs(len(fragment) - 96_699) / 96_699 < 0.02
    assert found(extraction, "1B").text == "Item 1B. Unresolved Staff Comments\nNone."
    assert absent(extraction, "6").reason is AbsenceReason.RESERVED


def test_ge_cross_reference_index_yields_its_real_risk_section(corpus_dir: Path) -> None:
    (path,) = (corpus_dir / "10-K" / "GE").glob("*/primary-document.html")
    risk = found(extract_items(parse_file(path)), "1A")
    assert risk.text.startswith("RISK FACTORS.")
    # Pages 27-36 of its index, read against its "2023 FORM 10-K 27" footers: 72,692 characters.
    assert abs(len(risk.text) - 72_692) / 72_692 < 0.02
    assert "LEGAL PROCEEDINGS." not in risk.text
    assert risk.located_by is LocatedBy.CROSS_REFERENCE_INDEX


def test_ge_without_any_styling_still_yields_its_risk_section(corpus_dir: Path) -> None:
    # Run-in headings such as "RISK FACTORS. The following …" are then told by their capitals alone.
    (path,) = (corpus_dir / "10-K" / "GE").glob("*/primary-document.html")
    html = path.read_text(encoding="utf-8")
    unstyled = re.sub(r"</?(?:b|i|u|strong|em)>", "", re.sub(r"\sstyle=\"[^\"]*\"", "", html))
    original = found(extract_items(parse_html(html)), "1A")
    stripped = found(extract_items(parse_html(unstyled)), "1A")
    assert stripped.text == original.text
    assert stripped.located_by is LocatedBy.SECTION_TITLE  # no page breaks left to read the index's pages against
    assert found(extract_items(parse_html(unstyled)), "3").text.startswith("LEGAL PROCEEDINGS.")


def test_every_corpus_filing_yields_its_risk_factors(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "10-K").glob("*/*/primary-document.html"))
    assert len(paths) >= 29
    for path in paths:
        extraction = extract_items(parse_file(path))
        risk = extraction["1A"]
        assert isinstance(risk, ExtractedItem), (path, risk)
        assert len(risk.text) > 20_000, path
        assert "risk" in risk.title.lower(), (path, risk.title)
        assert extraction.is_annual_report, path
