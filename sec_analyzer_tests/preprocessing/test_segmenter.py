"""Segmentation of hand-built Item 1A element lists, one per heading style seen in real 10-Ks."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.heading_scoring import load_gold, score_headings
from sec_analyzer.domain import RiskFactor
from sec_analyzer.preprocessing.cleaner import CleanedText, clean_item, clean_plain_text
from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.parser import parse_file
from sec_analyzer.preprocessing.segmenter import (
    ExclusionReason,
    RiskFactorsAbsentError,
    Segmentation,
    item_1a_elements,
    normalized_heading,
    segment_document,
    segment_item,
    segment_risk_factors,
)
from sec_analyzer_tests.conftest import REPO_ROOT

BODY = (
    "Adverse conditions could reduce demand for our products and harm our results of operations. "
    "Such conditions are difficult to predict and may persist for extended periods."
)
BI = {"bold": True, "italic": True}
B = {"bold": True}
BU = {"bold": True, "underline": True}
I = {"italic": True}  # noqa: E741


def build(*blocks: tuple[str, dict[str, Any]] | str) -> CleanedText:
    elements = []
    for index, spec in enumerate(blocks):
        text, style = (spec, {}) if isinstance(spec, str) else spec
        kind = ElementKind.PAGE_FURNITURE if style.pop("furniture", False) else ElementKind.TEXT
        elements.append(Element(index=index, kind=kind, text=text, **{"font_size": 10.0, **style}))
    return clean_item(elements)


def headings(risks: list[RiskFactor]) -> list[tuple[str | None, str]]:
    return [(risk.category, risk.heading) for risk in risks]


def assert_invariants(cleaned: CleanedText, segmentation: Segmentation) -> None:
    risks = segmentation.risk_factors
    assert [risk.ordinal for risk in risks] == list(range(1, len(risks) + 1))
    for risk in risks:
        segment = cleaned.text[risk.start_offset : risk.end_offset]
        assert segment.startswith(risk.heading) or risk.heading in segment
        assert len(segment) <= len(cleaned.text)
        assert any(mark in segment for mark in ".!?")
    ends = [risk.end_offset for risk in risks]
    starts = [risk.start_offset for risk in risks]
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))
    assert segmentation.coverage >= 0.98


def test_bold_italic_risks_under_bold_categories_with_general_risks() -> None:
    cleaned = build(
        ("Item 1A. Risk Factors", B),
        "The following risks could affect the Company's business.",
        ("Macroeconomic and Industry Risks", B),
        ("The Company's performance depends on global economic conditions.", BI),
        BODY,
        BODY,
        ("The Company faces intense competition.", BI),
        BODY,
        ("General Risks", B),
        ("The price of the Company's stock is subject to volatility.", BI),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert headings(segmentation.risk_factors) == [
        (
            "Macroeconomic and Industry Risks",
            "The Company's performance depends on global economic conditions.",
        ),
        ("Macroeconomic and Industry Risks", "The Company faces intense competition."),
        ("General Risks", "The price of the Company's stock is subject to volatility."),
    ]
    assert [risk.is_general_risk for risk in segmentation.risk_factors] == [False, False, True]
    assert segmentation.risk_factors[0].text == f"{BODY}\n\n{BODY}"
    assert segmentation.excluded[0].reason is ExclusionReason.TITLE
    assert_invariants(cleaned, segmentation)


def test_bold_risks_under_bold_underlined_categories_after_a_bare_risk_factors_heading() -> None:
    cleaned = build(
        ("ITEM 1A.", BU),
        ("RISK FACTORS", BU),
        ("Strategic Risks", BU),
        ("We face strong competition from other retailers.", B),
        BODY,
        ("General economic factors may adversely affect our financial performance.", B),
        BODY,
        ("Financial Risks", BU),
        ("Fluctuations in foreign exchange rates may affect our results.", B),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert [risk.category for risk in segmentation.risk_factors] == [
        "Strategic Risks",
        "Strategic Risks",
        "Financial Risks",
    ]
    assert segmentation.categories == ["Strategic Risks", "Financial Risks"]
    assert_invariants(cleaned, segmentation)


def test_categories_and_risks_in_one_style_are_told_apart_by_wording_and_the_summary_is_excluded() -> None:
    cleaned = build(
        ("Item 1A. Risk Factors", B),
        ("The following risk factors should be considered.", I),
        ("Risk Factors Summary", B),
        ("Risks Related to Our Industry and Markets", B),
        "• Failure to meet the evolving needs of our industry may adversely impact our results.",
        "• Competition could adversely impact our market share.",
        ("Risks Related to Our Global Operating Business", B),
        "• Adverse economic conditions may harm our business.",
        ("Risk Factors", B),
        ("Risks Related to Our Industry and Markets", B),
        ("Failure to meet the evolving needs of our industry may adversely impact our results.", B),
        BODY,
        ("Competition could adversely impact our market share.", B),
        BODY,
        ("Risks Related to Our Global Operating Business", B),
        ("Adverse economic conditions may harm our business.", B),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert headings(segmentation.risk_factors) == [
        (
            "Risks Related to Our Industry and Markets",
            "Failure to meet the evolving needs of our industry may adversely impact our results.",
        ),
        ("Risks Related to Our Industry and Markets", "Competition could adversely impact our market share."),
        (
            "Risks Related to Our Global Operating Business",
            "Adverse economic conditions may harm our business.",
        ),
    ]
    reasons = [span.reason for span in segmentation.excluded]
    assert reasons == [
        ExclusionReason.TITLE,
        ExclusionReason.INTRODUCTION,
        ExclusionReason.SUMMARY,
        ExclusionReason.TITLE,
    ]
    introduction = segmentation.excluded[1]
    assert cleaned.text[introduction.start_offset : introduction.end_offset] == (
        "The following risk factors should be considered."
    )
    assert segmentation.introduction_chars == introduction.end_offset - introduction.start_offset
    summary = segmentation.excluded[2]
    assert cleaned.text[summary.start_offset : summary.end_offset].startswith("Risk Factors Summary")
    assert_invariants(cleaned, segmentation)


def test_a_summary_with_category_lines_in_the_risk_style_ends_at_the_first_repeated_heading() -> None:
    cleaned = build(
        ("Item 1A. Risk Factors", B),
        ("Summary Risk Factors", B),
        "Our business is subject to numerous risks, including the following:",
        ("Risks Related to Our Product Offerings", BI),
        "• If we fail to retain users, our revenue could be harmed;",
        "• We generate substantially all of our revenue from advertising;",
        ("Risks Related to Our Product Offerings", B),
        ("If we fail to retain existing users, our revenue could be significantly harmed.", BI),
        BODY,
        ("We generate substantially all of our revenue from advertising.", BI),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert [risk.heading for risk in segmentation.risk_factors] == [
        "If we fail to retain existing users, our revenue could be significantly harmed.",
        "We generate substantially all of our revenue from advertising.",
    ]
    assert segmentation.categories == ["Risks Related to Our Product Offerings"]
    assert_invariants(cleaned, segmentation)


def test_title_case_headings_without_a_period_and_a_bare_risk_factors_line_in_the_risk_style() -> None:
    cleaned = build(
        ("Item 1A. | Risk Factors", B),
        ("Risk Factors", BI),
        "Please carefully consider the following discussion of significant factors.",
        ("Business and Industry Risks", B),
        ("We Face Intense Competition", BI),
        BODY,
        ("We Are Subject to Payments-Related Risks", BI),
        BODY,
        ("Operating Risks", B),
        ("We Face Significant Inventory Risk", BI),
        BODY,
    )
    risks = segment_risk_factors(cleaned, with_features=False)
    assert headings(risks) == [
        ("Business and Industry Risks", "We Face Intense Competition"),
        ("Business and Industry Risks", "We Are Subject to Payments-Related Risks"),
        ("Operating Risks", "We Face Significant Inventory Risk"),
    ]


def test_all_caps_categories_in_the_body_style() -> None:
    cleaned = build(
        "RISKS RELATED TO OUR OPERATIONS",
        ("Increased competition could hurt our business.", BI),
        BODY,
        ("Product safety concerns could negatively affect our business.", BI),
        BODY,
        "FINANCIAL RISKS",
        ("Fluctuations in exchange rates could affect our results.", BI),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert [risk.category for risk in segmentation.risk_factors] == [
        "RISKS RELATED TO OUR OPERATIONS",
        "RISKS RELATED TO OUR OPERATIONS",
        "FINANCIAL RISKS",
    ]
    assert_invariants(cleaned, segmentation)


def test_italic_only_risk_headings_without_categories() -> None:
    cleaned = build(
        ("Our results may fluctuate significantly.", I),
        BODY,
        ("We depend on key personnel.", I),
        BODY,
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert headings(segmentation.risk_factors) == [
        (None, "Our results may fluctuate significantly."),
        (None, "We depend on key personnel."),
    ]
    assert_invariants(cleaned, segmentation)


def test_a_section_whose_body_is_italic_does_not_turn_its_paragraphs_into_headings() -> None:
    cleaned = build(
        ("We may not be able to compete.", B),
        BODY,
        ("Our stock price may be volatile.", B),
        (BODY, I),
        (BODY, I),
        (BODY, I),
        ("We may incur additional tax liabilities.", B),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert [risk.heading for risk in segmentation.risk_factors] == [
        "We may not be able to compete.",
        "Our stock price may be volatile.",
        "We may incur additional tax liabilities.",
    ]
    assert segmentation.risk_factors[1].text.count(BODY) == 3


def test_headings_marked_only_by_a_larger_font() -> None:
    cleaned = build(
        ("Our products may contain defects.", {"font_size": 12.0}),
        BODY,
        BODY,
        ("We rely on third-party suppliers.", {"font_size": 12.0}),
        BODY,
    )
    risks = segment_risk_factors(cleaned, with_features=False)
    assert [risk.heading for risk in risks] == [
        "Our products may contain defects.",
        "We rely on third-party suppliers.",
    ]


def test_bold_italic_categories_over_bold_risks() -> None:
    cleaned = build(
        ("Operational Risks", BI),
        ("Our suppliers may fail to deliver components.", B),
        BODY,
        ("We may be unable to protect our intellectual property.", B),
        BODY,
        ("Regulatory Risks", BI),
        ("New regulations could increase our costs.", B),
        BODY,
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert segmentation.categories == ["Operational Risks", "Regulatory Risks"]
    assert len(segmentation.risk_factors) == 3


def test_run_in_headings_and_run_in_all_caps_categories() -> None:
    cleaned = build(
        (
            "STRATEGIC RISKS. Strategic risk relates to our future business plans.",
            {"bold_prefix": "STRATEGIC RISKS."},
        ),
        (
            f"Competition - We face intense competition. {BODY}",
            {"bold_prefix": "Competition - We face intense competition."},
        ),
        BODY,
        (
            f"Supply chain - Shortages could hurt us. {BODY}",
            {"bold_prefix": "Supply chain - Shortages could hurt us."},
        ),
        ("FINANCIAL RISKS. Financial risk relates to our obligations.", {"bold_prefix": "FINANCIAL RISKS."}),
        (
            f"Liquidity - We may face risks related to our debt. {BODY}",
            {"bold_prefix": "Liquidity - We may face risks related to our debt."},
        ),
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert headings(segmentation.risk_factors) == [
        ("STRATEGIC RISKS", "Competition - We face intense competition."),
        ("STRATEGIC RISKS", "Supply chain - Shortages could hurt us."),
        ("FINANCIAL RISKS", "Liquidity - We may face risks related to our debt."),
    ]
    first = segmentation.risk_factors[0]
    assert first.text == f"{BODY}\n\n{BODY}"
    assert cleaned.text[first.start_offset :].startswith("Competition - We face")
    assert_invariants(cleaned, segmentation)


def test_bullets_and_tables_inside_a_risk_are_its_body() -> None:
    elements = [
        Element(
            index=0,
            kind=ElementKind.TEXT,
            text="Our international operations expose us to risks.",
            bold=True,
            italic=True,
        ),
        Element(index=1, kind=ElementKind.TEXT, text="These risks include:"),
        Element(index=2, kind=ElementKind.TEXT, text="• local economic conditions;"),
        Element(index=3, kind=ElementKind.TEXT, text="• government regulation.", bold=True, italic=True),
        Element(index=4, kind=ElementKind.TABLE, text="Region | Share"),
        Element(
            index=5, kind=ElementKind.TEXT, text="We have foreign exchange risk.", bold=True, italic=True
        ),
        Element(index=6, kind=ElementKind.TEXT, text=BODY),
    ]
    risks = segment_risk_factors(clean_item(elements), with_features=False)
    assert [risk.heading for risk in risks] == [
        "Our international operations expose us to risks.",
        "We have foreign exchange risk.",
    ]
    assert (
        risks[0].text
        == "These risks include:\n\n• local economic conditions;\n\n• government regulation.\n\nRegion | Share"
    )


def test_forward_looking_statement_sections_are_not_risks() -> None:
    cleaned = build(
        ("Special Note Regarding Forward-Looking Statements", B),
        "This report contains forward-looking statements within the meaning of the securities laws.",
        ("We may not achieve our growth targets.", BI),
        BODY,
        ("We depend on a few large customers.", BI),
        BODY,
        ("Cautionary Statements", B),
        "Forward-looking statements speak only as of the date they are made.",
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert [risk.heading for risk in segmentation.risk_factors] == [
        "We may not achieve our growth targets.",
        "We depend on a few large customers.",
    ]
    assert [span.reason for span in segmentation.excluded] == [ExclusionReason.FORWARD_LOOKING] * 2
    assert segmentation.risk_factors[-1].text == BODY
    assert_invariants(cleaned, segmentation)


def test_a_heading_split_across_a_page_break_is_one_heading() -> None:
    cleaned = build(
        ("Our indebtedness could adversely affect our financial position and", BI),
        ("12", {"furniture": True}),
        ("Table of Contents", {"furniture": True, "underline": True}),
        ("prevent us from implementing our strategy.", BI),
        BODY,
        ("We may need additional financing.", BI),
        BODY,
    )
    risks = segment_risk_factors(cleaned, with_features=False)
    assert [risk.heading for risk in risks] == [
        "Our indebtedness could adversely affect our financial position and prevent us from implementing our strategy.",
        "We may need additional financing.",
    ]


def test_plain_text_without_markup_uses_all_caps_categories_and_one_sentence_paragraphs() -> None:
    cleaned = clean_plain_text(
        f"RISKS RELATED TO OUR BUSINESS\n\nWe may not compete successfully.\n\n{BODY}\n\n{BODY}\n\n"
        f"GENERAL RISK FACTORS\n\nOur stock price may be volatile.\n\n{BODY}"
    )
    segmentation = segment_item(cleaned, with_features=False)
    assert headings(segmentation.risk_factors) == [
        ("RISKS RELATED TO OUR BUSINESS", "We may not compete successfully."),
        ("GENERAL RISK FACTORS", "Our stock price may be volatile."),
    ]
    assert segmentation.risk_factors[1].is_general_risk
    assert_invariants(cleaned, segmentation)


def test_features_are_attached_to_each_risk() -> None:
    cleaned = build(("We may lose litigation.", BI), BODY, ("We may be uncertain.", BI), BODY)
    risks = segment_risk_factors(cleaned)
    assert risks[0].features["lm_litigious"] > 0
    assert risks[0].features["word_count"] > 10


def test_no_text_gives_no_risks() -> None:
    segmentation = segment_item(clean_item([]), with_features=False)
    assert segmentation.risk_factors == [] and segmentation.coverage == 1.0


def test_normalized_heading_ignores_quotes_case_and_punctuation() -> None:
    assert normalized_heading("The Company’s  stock — is VOLATILE.") == normalized_heading(
        "The Company's stock - is volatile"
    )


# --- real filings of the shared corpus -----------------------------------------------------

GOLD_PATH = REPO_ROOT / "benchmarks" / "gold" / "risk_headings.json"
AAPL_2024 = "AAPL/0000320193-24-000123"


@cache
def _segment_filing(path: Path) -> Segmentation:
    return segment_document(parse_file(path), with_features=False)


def corpus_filings(corpus_dir: Path) -> list[Path]:
    return sorted(corpus_dir.glob("10-K/*/*/primary-document.html"))


def test_apple_2024_gives_the_28_gold_headings_in_order_under_5_categories(corpus_dir: Path) -> None:
    gold = load_gold(GOLD_PATH)[AAPL_2024]
    segmentation = _segment_filing(corpus_dir / "10-K" / AAPL_2024 / "primary-document.html")
    risks = segmentation.risk_factors
    assert [normalized_heading(risk.heading) for risk in risks] == [
        normalized_heading(r["heading"]) for r in gold["risks"]
    ]
    assert [risk.category for risk in risks] == [r["category"] for r in gold["risks"]]
    assert segmentation.categories == gold["categories"] and len(segmentation.categories) == 5
    general = [risk for risk in risks if risk.category == "General Risks"]
    assert [risk.heading for risk in general] == [
        "The price of the Company's stock is subject to volatility."
    ]
    assert [risk.is_general_risk for risk in risks] == [False] * 27 + [True]
    assert risks[0].text.startswith("The Company has international operations")


def test_every_gold_filing_meets_precision_and_recall_of_095(corpus_dir: Path) -> None:
    gold = load_gold(GOLD_PATH)
    assert len(gold) >= 6
    for key, entry in gold.items():
        score = score_headings(
            _segment_filing(corpus_dir / "10-K" / key / "primary-document.html").risk_factors, entry
        )
        assert score.precision >= 0.95 and score.recall >= 0.95, (key, score)
        assert score.category_accuracy >= 0.95, (key, score)


def test_invariants_hold_on_every_corpus_filing_whose_item_1a_is_found(corpus_dir: Path) -> None:
    segmented = 0
    for path in corpus_filings(corpus_dir):
        doc = parse_file(path)
        try:
            cleaned = clean_item(item_1a_elements(doc))
        except RiskFactorsAbsentError:
            continue
        segmentation = segment_item(cleaned, with_features=False)
        assert segmentation.risk_factors, path
        assert_invariants(cleaned, segmentation)
        segmented += 1
    assert segmented >= 25
