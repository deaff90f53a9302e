"""Malformed and oversized input: each parses, or fails with a one-line `DocumentParseError`.

Times are not asserted here (see `benchmarks/parser.py`); what is asserted is the outcome and
that the element list stays bounded by the text the input holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_analyzer.preprocessing.elements import ElementKind
from sec_analyzer.preprocessing.parser import MAX_DOCUMENT_BYTES, DocumentParseError, parse_file, parse_html

VISIBLE = "<html><body><p>Visible text.</p>"


def visible_texts(source: str) -> list[str]:
    return [element.text for element in parse_html(source).elements if element.kind is ElementKind.TEXT]


def test_a_hundred_kilobytes_of_tags_without_their_closing_bracket_parse_once() -> None:
    assert visible_texts(VISIBLE + "<a b" * 25_000) == ["Visible text."]


def test_thirty_thousand_unmatched_close_tags_are_ignored() -> None:
    assert visible_texts(VISIBLE + "</div>abcd" * 30_000 + "</body></html>") == [
        "Visible text.",
        "abcd" * 30_000,
    ]


def test_an_unclosed_css_rule_styles_nothing_after_it_and_hides_no_text() -> None:
    source = "<html><head><style>.hd{font-weight:bold}" + ".a{b:c;" * 30_000 + "</style></head>"
    doc = parse_html(source + "<body><p class='hd'>Heading</p><p class='a'>Body</p></body></html>")
    heading, body = doc.elements
    assert (heading.text, heading.bold, body.text, body.bold) == ("Heading", True, "Body", False)


def test_an_unclosed_style_element_swallows_the_rest_and_the_error_says_so() -> None:
    with pytest.raises(DocumentParseError, match="no visible text"):
        parse_html("<html><head><style>.a{b:c;" + "x" * 10_000 + "</head><body><p>text</p></body></html>")


def test_a_hundred_thousand_nested_divs_keep_the_text_at_the_bottom_and_after() -> None:
    depth = 100_000
    source = VISIBLE + "<div>" * depth + "deep text" + "</div>" * depth + "<p>After.</p></body></html>"
    assert visible_texts(source) == ["Visible text.", "deep text", "After."]


def test_style_is_inherited_through_deep_nesting() -> None:
    source = "<div style='font-weight:bold'>" + "<div>" * 5_000 + "deep heading" + "</div>" * 5_000 + "</div>"
    assert parse_html(source).elements[0].bold


def test_thousands_of_rules_and_style_blocks_for_one_class_add_up_in_order() -> None:
    rules = ".hd{font-weight:bold}" + ".hd{font-size:9pt}" * 20_000 + ".hd{font-style:italic}"
    blocks = "<style>.hd{text-decoration:underline}</style>" * 20_000
    heading = parse_html(
        f"<html><head><style>{rules}</style>{blocks}</head><body><p class='hd'>H</p>"
    ).elements[0]
    assert (heading.bold, heading.italic, heading.underline, heading.font_size) == (True, True, True, 9.0)


def test_cover_facts_nested_a_hundred_thousand_deep_are_read_and_bounded() -> None:
    depth = 100_000
    opening = "".join(f"<ix:nonNumeric name='dei:Fact{n}'>" for n in range(depth))
    doc = parse_html(VISIBLE + opening + "10-K " * 5_000 + "</ix:nonNumeric>" * depth + "</body></html>")
    assert len(doc.xbrl_facts) <= 8
    assert all(len(value) <= 10_000 for value in doc.xbrl_facts.values())
    assert doc.xbrl_facts["dei:Fact0"].startswith("10-K 10-K")


def test_paragraph_tags_without_a_closing_bracket_are_plain_text() -> None:
    doc = parse_html("Visible text.\n" + "<p " * 33_000)
    assert doc.elements[0].text == "Visible text."
    assert len(doc.elements) <= 2


def test_a_megabyte_style_attribute_and_unterminated_quotes_are_tolerated() -> None:
    source = VISIBLE + '<p style="' + "a" * 1_000_000 + '">styled</p><p title="open>quote</p></body></html>'
    assert visible_texts(source)[:2] == ["Visible text.", "styled"]


def test_unclosed_comments_and_declarations_end_the_text_without_error() -> None:
    assert visible_texts(VISIBLE + "<!-- never closed <p>hidden</p>" + "x" * 10_000) == ["Visible text."]
    assert visible_texts(VISIBLE + "<!DOCTYPE never closed" + "<p>y</p>" * 1_000)[0] == "Visible text."


def test_a_text_node_larger_than_libxml2s_default_limit_is_read_whole() -> None:
    words = 2_400_000  # 12 MB of text in one node; libxml2 stops at 10 MB unless told otherwise
    doc = parse_html(VISIBLE + "<p>" + "word " * words + "</p><p>After.</p></body></html>")
    assert [len(element.text) for element in doc.elements] == [13, 5 * words - 1, 6]


def test_letters_written_as_entities_parse_and_offsets_stay_in_order() -> None:
    """Text the source spells differently cannot be found in it; its offsets stay ordered and in range."""
    source = "".join(f"<p>&#73;tem {n} &#116;ext.</p>" for n in range(2_000))
    doc = parse_html(source)
    assert len(doc.elements) == 2_000 and doc.elements[5].text == "Item 5 text."
    starts = [element.html_start for element in doc.elements]
    assert starts == sorted(starts) and starts[0] >= 0 and starts[-1] <= len(source)


def test_a_document_over_the_size_bound_is_refused_in_one_line(tmp_path: Path) -> None:
    source = VISIBLE + "<p>" + "word " * 1_000 + "</p></body></html>"
    with pytest.raises(DocumentParseError, match=r"over the 0\.0 MB limit for one filing") as raised:
        parse_html(source.encode(), max_document_bytes=1_000)
    assert "\n" not in str(raised.value)
    path = tmp_path / "large.html"
    path.write_text(source)
    with pytest.raises(DocumentParseError, match="limit for one filing"):
        parse_file(path, max_document_bytes=1_000)
    assert parse_file(path).elements  # the default bound is far above any 10-K
    assert MAX_DOCUMENT_BYTES >= 100_000_000
