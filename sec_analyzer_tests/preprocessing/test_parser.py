"""The HTML parser: styles, blocks, tables, page furniture, offsets, decoding, storage."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.preprocessing.cover import document_fiscal_info, document_form_type
from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.parser import DocumentParseError, ParsedDocument, parse_file, parse_html

AAPL_2024 = "10-K/AAPL/0000320193-24-000123/primary-document.html"


def texts(doc: ParsedDocument, kind: ElementKind = ElementKind.TEXT) -> list[str]:
    return [element.text for element in doc.elements if element.kind is kind]


def only(doc: ParsedDocument, text: str) -> Element:
    matches = [element for element in doc.elements if element.text == text]
    assert len(matches) == 1, [element.text for element in doc.elements]
    return matches[0]


def test_styles_come_from_tags_and_from_css() -> None:
    doc = parse_html(
        "<html><body>"
        "<p><b>Bold by tag</b></p>"
        "<div><span style='font-weight:700'>Bold by weight</span></div>"
        "<div><span style='font-weight: bold'>Bold by keyword</span></div>"
        "<p><em>Italic by tag</em></p>"
        "<div style='font-style:italic'>Italic by CSS</div>"
        "<p><u>Underlined by tag</u></p>"
        "<div><span style='text-decoration:underline'>Underlined by CSS</span></div>"
        "<div style='font-size:16px'>Sixteen pixels</div>"
        "<div style='text-align:center;font-size:9pt'>Centered nine points</div>"
        "<p>Plain text</p>"
        "</body></html>"
    )
    assert only(doc, "Bold by tag").bold
    assert only(doc, "Bold by weight").bold
    assert only(doc, "Bold by keyword").bold
    assert only(doc, "Italic by tag").italic and not only(doc, "Italic by tag").bold
    assert only(doc, "Italic by CSS").italic
    assert only(doc, "Underlined by tag").underline
    assert only(doc, "Underlined by CSS").underline
    assert only(doc, "Sixteen pixels").font_size == 12.0
    centered = only(doc, "Centered nine points")
    assert centered.centered and centered.font_size == 9.0
    plain = only(doc, "Plain text")
    assert not (plain.bold or plain.italic or plain.underline or plain.centered)


def test_styles_come_from_class_rules_and_inline_css_wins() -> None:
    doc = parse_html(
        "<html><head><style>.hd { font-weight: bold; font-size: 14pt } .it{font-style:italic}</style></head><body>"
        "<p class='hd'>Class heading</p><p class='it hd'>Both classes</p>"
        "<p class='hd' style='font-weight:400'>Inline wins</p></body></html>"
    )
    heading = only(doc, "Class heading")
    assert heading.bold and heading.font_size == 14.0
    assert only(doc, "Both classes").bold and only(doc, "Both classes").italic
    assert not only(doc, "Inline wins").bold


def test_class_rules_are_read_from_any_selector_that_ends_in_a_class() -> None:
    doc = parse_html(
        "<html><head><style>/* Workiva; { } */ p.hd, .alt {font-weight:700 !important}"
        " table td .cell { font-style: italic } @media print { .pr { text-decoration: underline } }"
        " .big{font-size:1.2.3pt} .unclosed { font-weight: bold</style></head><body>"
        "<p class='hd'>Compound selector</p><p class='alt'>Second selector</p><p class='cell'>Descendant</p>"
        "<p class='pr'>Inside media</p><p class='big'>Broken size</p><p class='unclosed'>Unclosed rule</p>"
        "</body></html>"
    )
    assert only(doc, "Compound selector").bold and only(doc, "Second selector").bold
    assert only(doc, "Descendant").italic and only(doc, "Inside media").underline
    assert only(doc, "Broken size").font_size is None
    assert only(doc, "Unclosed rule").bold


def test_block_styles_are_inherited_and_the_nearest_setting_wins() -> None:
    doc = parse_html(
        "<div style='font-weight:bold;font-size:11pt'><p>Inherited from the div</p>"
        "<p style='font-weight:normal'>Overridden <i>in part</i></p></div>"
        "<font style='font-style:italic'><div>Font around a block</div></font>"
        "<table><tr><td style='text-align:center'><b>Centered bold cell</b></td></tr></table>"
    )
    inherited = only(doc, "Inherited from the div")
    assert inherited.bold and inherited.font_size == 11.0
    overridden = only(doc, "Overridden in part")
    assert not overridden.bold and overridden.font_size == 11.0 and not overridden.italic
    assert only(doc, "Font around a block").italic
    cell = only(doc, "Centered bold cell")
    assert cell.kind is ElementKind.TABLE and cell.bold and cell.centered


def test_page_breaks_come_from_either_css_spelling() -> None:
    doc = parse_html(
        "<p>One</p><div style='break-before: page'>Two</div><p style='page-break-after:always'>Three</p><p>Four</p>"
    )
    kinds = [element.kind for element in doc.elements]
    assert kinds == [
        ElementKind.TEXT,
        ElementKind.PAGE_BREAK,
        ElementKind.TEXT,
        ElementKind.TEXT,
        ElementKind.PAGE_BREAK,
        ElementKind.TEXT,
    ]


def test_script_style_and_title_text_is_not_document_text() -> None:
    doc = parse_html(
        "<html><head><title>Form 10-K</title><script>if (a < b) { document.write('<p>x</p>') }</script>"
        "<style>p { color: red }</style></head><body><p>Body</p></body></html>"
    )
    assert [element.text for element in doc.elements] == ["Body"]


def test_preformatted_text_is_laid_out_by_line() -> None:
    doc = parse_html(
        "<html><body><pre>ITEM 1A.  RISK FACTORS\n\nOur suppliers may fail us.\n</pre></body></html>"
    )
    assert texts(doc) == ["ITEM 1A. RISK FACTORS", "Our suppliers may fail us."]


def test_sgml_wrapped_text_filings_are_plain_text() -> None:
    doc = parse_html(
        "<DOCUMENT>\n<TYPE>10-K\n<TEXT>\nITEM 1.  BUSINESS\nWe make anvils.\n<PAGE>\nMore text.\n</TEXT>"
    )
    assert texts(doc) == ["ITEM 1. BUSINESS", "We make anvils.", "More text."]
    assert [element.kind for element in doc.elements].count(ElementKind.PAGE_BREAK) == 1


def test_a_block_takes_the_style_most_of_its_letters_carry() -> None:
    doc = parse_html(
        "<div><span style='font-weight:700'>Mostly bold words here</span> and a tail</div>"
        "<div><span style='font-weight:700'>Lead.</span> Followed by a much longer plain sentence.</div>"
    )
    mostly_bold, run_in = texts(doc)
    assert doc.elements[0].bold and mostly_bold == "Mostly bold words here and a tail"
    assert not doc.elements[1].bold
    assert doc.elements[1].bold_prefix == "Lead."
    assert run_in.startswith("Lead. Followed")


def test_a_heading_split_across_spans_is_one_block_with_entities_decoded() -> None:
    doc = parse_html(
        "<div><span style='font-weight:700'>Risks&#160;Related to </span>"
        "<span style='font-weight:700'>Our&nbsp;Business &amp; Industry</span></div>"
    )
    element = only(doc, "Risks Related to Our Business & Industry")
    assert element.bold and element.bold_prefix is None


def test_hidden_text_inside_a_visible_paragraph_is_left_out() -> None:
    doc = parse_html("<p>Visible <span style='display:none'>hidden fact</span>words</p>")
    assert texts(doc) == ["Visible words"]


def test_a_table_is_one_element_with_its_cells_row_by_row() -> None:
    doc = parse_html(
        "<p>Before</p><table><tr><td>Region</td><td><span>Net</span> <span>sales</span></td></tr>"
        "<tr><td>Americas</td><td>$&#160;167,045</td></tr></table><p>After</p>"
    )
    assert [element.kind for element in doc.elements] == [
        ElementKind.TEXT,
        ElementKind.TABLE,
        ElementKind.TEXT,
    ]
    assert doc.elements[1].text == "Region | Net sales\nAmericas | $ 167,045"


def test_page_furniture_and_page_breaks_are_marked() -> None:
    page = "<p>Body text of page {word} that says something substantive.</p>"
    words = ["one", "two", "three", "four"]
    footer = "<div style='text-align:center'>Acme Corp. | 2024 Form 10-K | {n}</div>"
    back_link = "<div><a href='#toc'>Table of Contents</a></div>"
    html = (
        "<html><body><div style='display:none'><ix:header>hidden facts</ix:header></div>"
        + "".join(
            back_link
            + page.format(word=words[n - 1])
            + f"<p>{n}</p>"
            + footer.format(n=n)
            + "<hr style='page-break-after:always'/>"
            for n in range(1, 5)
        )
        + "</body></html>"
    )
    doc = parse_html(html)
    furniture = texts(doc, ElementKind.PAGE_FURNITURE)
    assert "hidden facts" in furniture
    assert furniture.count("Table of Contents") == 4
    assert {"1", "2", "3", "4"} <= set(furniture)
    assert "Acme Corp. | 2024 Form 10-K | 3" in furniture
    assert texts(doc) == [f"Body text of page {word} that says something substantive." for word in words]
    assert Counter(element.kind for element in doc.elements)[ElementKind.PAGE_BREAK] == 4


def test_a_phrase_that_ends_a_few_pages_is_not_a_running_footer() -> None:
    pages = []
    for n in range(40):
        closing = "<p>Not applicable.</p>" if n % 10 == 0 else ""
        pages.append(
            f"<p>Page {n} body text with enough words.</p>{closing}<hr style='page-break-after:always'/>"
        )
    doc = parse_html("".join(pages))
    assert texts(doc).count("Not applicable.") == 4


def test_a_section_heading_repeated_atop_each_page_stays_a_heading_where_it_is_set_apart() -> None:
    pages = "".join(
        f"<p>Risk {n} could hurt us badly.</p><hr style='page-break-after:always'/><p>Item 1A. Risk Factors</p>"
        for n in range(5)
    )
    doc = parse_html(f"<hr style='page-break-after:always'/><p><b>Item 1A. Risk Factors</b></p>{pages}")
    headings = [element for element in doc.elements if element.text == "Item 1A. Risk Factors"]
    assert [element.kind for element in headings] == [ElementKind.TEXT] + [ElementKind.PAGE_FURNITURE] * 5
    assert headings[0].bold


def test_offsets_point_at_the_source_text() -> None:
    html = (
        "<html><body><div><span>First &amp; block</span></div><table><tr><td>cell</td></tr></table>"
        "<div><span>&#8226;</span><span>Bullet written as an entity</span></div>"
        "<p>\n  &#8220;Quoted&#8221; after a line break</p></body></html>"
    )
    doc = parse_html(html)
    block, table, bullet, quoted = doc.elements
    assert html[block.html_start : block.html_end] == "First &amp; block"
    assert html[table.html_start : table.html_end] == "<table><tr><td>cell</td></tr></table>"
    assert html[bullet.html_start :].startswith("&#8226;</span>")
    assert html[: bullet.html_end].endswith("Bullet written as an entity")
    assert html[quoted.html_start : quoted.html_end] == "Quoted&#8221; after a line break"
    assert doc.text_of((0, 1)) == "First & block\ncell"


def test_internal_links_and_anchors_are_recorded() -> None:
    doc = parse_html(
        "<table><tr><td><a href='#risk'>Risk Factors</a></td><td>5</td></tr></table>"
        "<p>Intro</p><div id='risk'></div><p><b>Item 1A. Risk Factors</b></p>"
    )
    assert doc.links == [(0, "risk", "Risk Factors")]
    assert doc.elements[doc.anchors["risk"]].text == "Item 1A. Risk Factors"


def test_malformed_html_is_tolerated() -> None:
    doc = parse_html("<div><p>Unclosed paragraph<p>Second <b>bold</i> text</div></span><div>Last")
    assert texts(doc) == ["Unclosed paragraph", "Second bold text", "Last"]
    stray_quote = parse_html("<p><a title=O'Reilly>link</a> text</p><p title='a>b'>next</p><p>after</p>")
    assert texts(stray_quote) == ["link text", "next", "after"]


def test_bytes_are_decoded_from_utf8_or_the_declared_charset() -> None:
    assert texts(parse_html("<p>Company’s</p>".encode()))[0] == "Company’s"
    cp1252 = "<meta charset='windows-1252'><p>Company’s</p>".encode("cp1252")
    assert texts(parse_html(cp1252))[0] == "Company’s"
    assert texts(parse_html("<p>Company’s</p>".encode("utf-16")))[0] == "Company’s"  # starts with its BOM
    with_bom = parse_html("\ufeff<p>Company’s</p>".encode())
    assert with_bom.source_html is not None and with_bom.source_html.startswith("<p>")
    # An XML declaration or a <meta> naming another charset does not make the parser re-decode.
    declared = "<?xml version='1.0' encoding='ASCII'?><html><head><meta charset='iso-8859-1'></head>"
    assert texts(parse_html(f"{declared}<body><p>Company’s</p></body></html>".encode()))[0] == "Company’s"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "empty"),
        ("   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (bytes(range(1, 32)) * 100, "binary"),
        ("<html><head><style>p {}</style></head><body><div></div></body></html>", "no visible text"),
    ],
)
def test_input_that_is_not_a_document_raises_a_typed_error(source: bytes | str, message: str) -> None:
    with pytest.raises(DocumentParseError, match=message) as raised:
        parse_html(source)
    assert isinstance(raised.value, SecAnalyzerError)


def test_a_missing_file_raises_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentParseError, match="cannot read"):
        parse_file(tmp_path / "missing.html")


def test_plain_text_filings_parse_by_paragraph() -> None:
    doc = parse_html("ACME CORP\n\nITEM 1.  BUSINESS\n\nWe make anvils.\n\f\n       12\n")
    assert texts(doc) == ["ACME CORP", "ITEM 1. BUSINESS", "We make anvils."]
    assert ElementKind.PAGE_BREAK in {element.kind for element in doc.elements}
    assert texts(doc, ElementKind.PAGE_FURNITURE) == ["12"]


def test_truncated_html_is_parsed_as_far_as_it_goes() -> None:
    complete = parse_html("<html><body><p>One</p></body></html>")
    truncated = parse_html("<html><body><p>One</p><p>Two and then the file st")
    assert not complete.truncated
    assert truncated.truncated and texts(truncated) == ["One", "Two and then the file st"]


def test_parquet_round_trip_keeps_everything_later_stages_use(tmp_path: Path) -> None:
    doc = parse_html(
        "<div style='display:none'><ix:nonNumeric name='dei:DocumentType'>10-K</ix:nonNumeric></div>"
        "<table><tr><td><a href='#a'>Item 1A</a></td></tr></table><div id='a'></div>"
        "<p><b>Lead.</b> body text that follows</p><hr style='page-break-after:always'>"
    )
    path = tmp_path / "parsed" / "doc.parquet"
    doc.to_parquet(path)
    doc.to_parquet(path)  # re-running replaces the file whole
    assert [p.name for p in path.parent.iterdir()] == ["doc.parquet"]
    loaded = ParsedDocument.from_parquet(path)
    assert loaded.elements == doc.elements
    assert loaded.anchors == doc.anchors and loaded.links == doc.links
    assert loaded.xbrl_facts == {"dei:DocumentType": "10-K"}


def test_cover_facts_come_from_inline_xbrl() -> None:
    doc = parse_html(
        "<div style='display:none'><ix:header><ix:hidden>"
        "<ix:nonNumeric name='dei:DocumentFiscalYearFocus' contextRef='c'>2024</ix:nonNumeric>"
        "</ix:hidden></ix:header></div>"
        "<p>FORM <ix:nonNumeric name='dei:DocumentType' contextRef='c'>10-K</ix:nonNumeric></p>"
        "<p>For the fiscal year ended <ix:nonNumeric name='dei:DocumentPeriodEndDate' contextRef='c'>"
        "September&#160;28, <span>2024</span></ix:nonNumeric></p>"
    )
    assert document_form_type(doc) == "10-K"
    info = document_fiscal_info(doc)
    assert (
        info.fiscal_year == 2024
        and info.period_end is not None
        and info.period_end.isoformat() == "2024-09-28"
    )


def test_cover_facts_fall_back_to_the_cover_text() -> None:
    annual = parse_html(
        "<p>FORM 10-K</p><p>☒ ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT</p>"
        "<p>For the fiscal year ended December 31, 2023</p>"
    )
    quarterly = parse_html("<p>FORM 10-Q</p><p>QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d)</p>")
    assert document_form_type(annual) == "10-K"
    assert document_fiscal_info(annual).fiscal_year == 2023
    assert document_form_type(quarterly) == "10-Q"
    assert document_form_type(parse_html("<p>Just a memo</p>")) is None


def test_a_real_filing_parses_into_typed_elements(corpus_dir: Path) -> None:
    doc = parse_file(corpus_dir / AAPL_2024)
    kinds = Counter(element.kind for element in doc.elements)
    assert kinds[ElementKind.TEXT] > 400 and kinds[ElementKind.TABLE] > 30
    assert kinds[ElementKind.PAGE_BREAK] > 40 and kinds[ElementKind.PAGE_FURNITURE] > 40
    assert "Apple Inc. | 2024 Form 10-K | 12" in texts(doc, ElementKind.PAGE_FURNITURE)
    heading = only(doc, "Item 1A. Risk Factors")
    assert heading.bold and heading.font_size == 9.0
    assert [element.index for element in doc.elements] == list(range(len(doc.elements)))
    assert document_form_type(doc) == "10-K"
    assert document_fiscal_info(doc).fiscal_year == 2024
