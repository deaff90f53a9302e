from __future__ import annotations

import json

from sec_analyzer.preprocessing.cleaner import (
    BlockKind,
    CleanedText,
    clean_item,
    clean_plain_text,
    normalize_text,
)
from sec_analyzer.preprocessing.elements import Element, ElementKind


def elements(*specs: tuple[ElementKind, str] | str) -> list[Element]:
    built = []
    for index, spec in enumerate(specs):
        kind, text = (ElementKind.TEXT, spec) if isinstance(spec, str) else spec
        built.append(Element(index=index, kind=kind, text=text))
    return built


def texts(cleaned: CleanedText) -> list[str]:
    return [block.text for block in cleaned.blocks]


def test_offsets_point_into_the_text_and_paragraphs_are_separated_by_a_blank_line() -> None:
    cleaned = clean_item(elements("First paragraph.", "Second paragraph.", (ElementKind.TABLE, "a | b")))
    assert cleaned.text == "First paragraph.\n\nSecond paragraph.\n\na | b"
    for block in cleaned.blocks:
        assert cleaned.text[block.start : block.end] == block.text
    assert [block.kind for block in cleaned.blocks] == [
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.TABLE,
    ]


def test_page_furniture_page_numbers_and_back_links_are_dropped() -> None:
    cleaned = clean_item(
        elements(
            "Risk one text.",
            (ElementKind.PAGE_FURNITURE, "Apple Inc. | 2024 Form 10-K | 5"),
            (ElementKind.PAGE_BREAK, ""),
            "17",
            "- 18 -",
            "Page 19",
            "Table of Contents",
            "ii",
            "Risk two text.",
        )
    )
    assert texts(cleaned) == ["Risk one text.", "Risk two text."]


def test_running_lines_go_as_the_parser_marked_them_and_repeated_sub_headings_stay() -> None:
    """Running headers are found once, by the parser, next to page breaks (`page_furniture`)."""
    header = (ElementKind.PAGE_FURNITURE, "ACME Corp 2024 Annual Report")
    cleaned = clean_item(
        elements(
            "Backlog", "Body one.", header, (ElementKind.PAGE_BREAK, ""), "Backlog", "Body two.", "Backlog"
        )
    )
    assert texts(cleaned) == ["Backlog", "Body one.", "Backlog", "Body two.", "Backlog"]


def test_the_cleaner_knows_page_numbers_and_back_links_by_the_parsers_rule() -> None:
    cleaned = clean_item(elements("Body.", "F-3", "12 of 90", "Contents", "Back to Index", "Body again."))
    assert texts(cleaned) == ["Body.", "Body again."]


def test_entities_spaces_invisible_characters_and_quotes_are_normalised() -> None:
    assert normalize_text(
        "The&nbsp;Company\u2019s \u201cnet\u00a0sales\u201d &amp; soft\u00adware\u200b  grew"
    ) == ('The Company\'s "net sales" & software grew')


def test_words_hyphenated_across_lines_are_joined() -> None:
    assert normalize_text("manu-\nfacturing and third-party") == "manufacturing and third-party"


def test_bullet_glyphs_become_list_items_with_one_bullet() -> None:
    cleaned = clean_item(
        elements(
            "• one;", "● two;", "◦ three;", "▪ four;", "\uf0b7 five;", "– six;", "-seven is not a bullet"
        )
    )
    assert texts(cleaned) == [
        "• one;",
        "• two;",
        "• three;",
        "• four;",
        "• five;",
        "• six;",
        "-seven is not a bullet",
    ]
    assert [block.kind for block in cleaned.blocks][:6] == [BlockKind.LIST_ITEM] * 6
    assert cleaned.blocks[6].kind is BlockKind.PARAGRAPH


def test_a_bullet_in_its_own_cell_is_joined_to_the_following_text() -> None:
    cleaned = clean_item(elements("●", "local economic conditions;", "After the list."))
    assert texts(cleaned) == ["• local economic conditions;", "After the list."]
    assert cleaned.blocks[0].kind is BlockKind.LIST_ITEM


def test_a_paragraph_cut_by_a_page_break_is_rejoined() -> None:
    cleaned = clean_item(
        elements(
            "Demand can fluctuate for many reasons, including",
            (ElementKind.PAGE_FURNITURE, "12"),
            (ElementKind.PAGE_BREAK, ""),
            "seasonality and promotions.",
            "A new paragraph.",
        )
    )
    assert texts(cleaned) == [
        "Demand can fluctuate for many reasons, including seasonality and promotions.",
        "A new paragraph.",
    ]
    assert cleaned.blocks[0].source_elements == (0, 3)


def test_a_finished_sentence_before_a_page_break_is_not_joined() -> None:
    cleaned = clean_item(
        elements("The end.", (ElementKind.PAGE_BREAK, ""), "the next paragraph starts lower case.")
    )
    assert len(cleaned.blocks) == 2


def test_a_heading_typeset_as_two_lines_is_one_block_but_a_change_of_style_is_not_joined() -> None:
    def bold_italic(index: int, text: str) -> Element:
        return Element(index=index, kind=ElementKind.TEXT, text=text, bold=True, italic=True, font_size=10.0)

    cleaned = clean_item(
        [
            bold_italic(0, "Our indebtedness could adversely affect our financial position and"),
            bold_italic(1, "limit our ability to operate our business."),
            bold_italic(2, "Risks related to our debt"),
            Element(index=3, kind=ElementKind.TEXT, text="include higher interest costs.", font_size=10.0),
        ]
    )
    assert texts(cleaned) == [
        "Our indebtedness could adversely affect our financial position and limit our ability to operate our business.",
        "Risks related to our debt",
        "include higher interest costs.",
    ]
    assert cleaned.blocks[0].source_elements == (0, 1)


def test_style_flags_and_run_in_heading_are_kept() -> None:
    cleaned = clean_item(
        [
            Element(index=0, kind=ElementKind.TEXT, text="Heading.", bold=True, italic=True, font_size=10.0),
            Element(
                index=1, kind=ElementKind.TEXT, text="Run in. Body.", bold_prefix="Run in.", underline=False
            ),
        ]
    )
    heading, body = cleaned.blocks
    assert (heading.bold, heading.italic, heading.underline, heading.font_size) == (True, True, False, 10.0)
    assert body.run_in_heading == "Run in."


def test_empty_input_gives_empty_text() -> None:
    cleaned = clean_item([])
    assert cleaned.text == "" and cleaned.blocks == ()


def test_plain_text_paragraphs_are_split_on_blank_lines_and_lines_joined() -> None:
    cleaned = clean_plain_text(
        "RISKS RELATED TO OUR BUSINESS\n\nWe may not\ncompete success-\nfully.\r\n\r\n  7  \n\nSecond."
    )
    assert texts(cleaned) == ["RISKS RELATED TO OUR BUSINESS", "We may not compete successfully.", "Second."]
    assert cleaned.blocks[0].is_all_caps


def test_cleaned_text_survives_a_json_round_trip() -> None:
    cleaned = clean_item(
        [
            Element(index=0, kind=ElementKind.TEXT, text="Risks Related to Us", bold=True, font_size=10.0),
            Element(index=1, kind=ElementKind.TEXT, text="• one;"),
            Element(index=2, kind=ElementKind.TABLE, text="a | b"),
        ]
    )
    assert CleanedText.from_dict(json.loads(json.dumps(cleaned.to_dict()))) == cleaned
