"""Adversarial segmentation tests: real Item 1A sections restyled, and sections written like older filings.

The gold filings score 1.0, but they were seen during development. Here each gold filing's
Item 1A is rebuilt as a list of parts (title, introduction, category, risk heading, body) and
transformed the ways other filers lay out the same content: headings in another style, numbered,
run-in, ALL CAPS, split by a page break; no categories; a summary, a forward-looking-statement
note or a bare "Risk Factors" line added; italic body text; bullets in a body. Because the
variant is built, its true headings are known, so precision, recall, categories and the
invariants are checked on each one. Hand-written sections modelled on 2006–2019 filings (no
categories, small companies, numbered bank risks) complete the set.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks.heading_scoring import HeadingScore, load_gold, score_headings
from sec_analyzer.preprocessing.cleaner import CleanedText, clean_item
from sec_analyzer.preprocessing.elements import Element, ElementKind
from sec_analyzer.preprocessing.parser import parse_file
from sec_analyzer.preprocessing.segmenter import (
    GENERAL_CATEGORY,
    Segmentation,
    item_1a_elements,
    normalized_heading,
    segment_item,
)
from sec_analyzer_tests.conftest import REPO_ROOT

GOLD_PATH = REPO_ROOT / "benchmarks" / "gold" / "risk_headings.json"
GOLD_KEYS = sorted(load_gold(GOLD_PATH))

TITLE, INTRO, CATEGORY, HEADING, BODY, EXTRA = "title", "intro", "category", "heading", "body", "extra"


@dataclass(frozen=True)
class Part:
    """One element of a built Item 1A and its role; `EXTRA` parts are set aside by the segmenter."""

    element: Element
    role: str
    heading: str | None = None  # for a HEADING part: the heading the segmenter must report


Section = list[Part]


@dataclass(frozen=True)
class Expected:
    category: str | None
    heading: str


def text_element(text: str, **style: Any) -> Element:
    return Element(index=0, kind=ElementKind.TEXT, text=text, **{"font_size": 10.0, **style})


def restyled(element: Element, **changes: Any) -> Element:
    return dataclasses.replace(element, **changes)


def part(text: str, role: str, **style: object) -> Part:
    return Part(text_element(text, **style), role, text if role == HEADING else None)


def body_style_of(section: Section) -> dict[str, object]:
    body = next(
        item.element for item in section if item.role == BODY and item.element.kind is ElementKind.TEXT
    )
    return {"bold": False, "italic": False, "underline": False, "font_size": body.font_size}


def body_part(section: Section, text: str, role: str, **style: object) -> Part:
    """A part in the section's body style, changed by `style`."""
    return part(text, role, **{**body_style_of(section), **style})


def expected_of(section: Section) -> list[Expected]:
    category: str | None = None
    found: list[Expected] = []
    for item in section:
        if item.role == CATEGORY:
            category = item.element.text
        elif item.role == HEADING and item.heading is not None:
            found.append(Expected(category, item.heading))
    return found


def elements_of(section: Section) -> list[Element]:
    return [restyled(item.element, index=index) for index, item in enumerate(section)]


# --- real sections, taken apart -------------------------------------------------------------


@cache
def real_section(corpus_dir: Path, key: str) -> tuple[Part, ...]:
    """A gold filing's Item 1A as parts, roles read off its gold-verified segmentation."""
    elements = item_1a_elements(parse_file(corpus_dir / "10-K" / key / "primary-document.html"))
    cleaned = clean_item(elements)
    segmentation = segment_item(cleaned, with_features=False)
    gold = load_gold(GOLD_PATH)[key]
    assert score_headings(segmentation.risk_factors, gold).recall == 1.0, key
    by_start = {block.start: index for index, block in enumerate(cleaned.blocks)}
    roles: dict[int, str] = {}
    first_risk_block = by_start[segmentation.risk_factors[0].start_offset]
    for risk in segmentation.risk_factors:
        first = by_start[risk.start_offset]
        roles[first] = HEADING
        for index in range(first + 1, len(cleaned.blocks)):
            if cleaned.blocks[index].start >= risk.end_offset:
                break
            roles[index] = BODY
    for span in segmentation.excluded:
        roles |= dict.fromkeys(range(span.first_block, span.last_block + 1), EXTRA)
    categories = {normalized_heading(name) for name in segmentation.categories}
    for index, block in enumerate(cleaned.blocks):
        # The summary repeats category names over its bullets; a real category heads a risk.
        if normalized_heading(block.text) in categories and roles.get(index + 1) == HEADING:
            roles[index] = CATEGORY
    parts: list[Part] = []
    source = {element.index: element for element in elements}
    for index, block in enumerate(cleaned.blocks):
        role = roles.get(index, INTRO if index < first_risk_block else EXTRA)
        if index == 0:
            role = TITLE
        # One part per block: a block joined across a page break becomes one element again.
        element = restyled(source[block.source_elements[0]], text=block.text)
        parts.append(Part(element, role, block.text if role == HEADING else None))
    return tuple(parts)


# --- transformations --------------------------------------------------------------------------

Transform = Callable[[Section], Section]


def restyle_headings(**style: object) -> Transform:
    def transform(section: Section) -> Section:
        return [
            dataclasses.replace(item, element=restyled(item.element, **style))
            if item.role == HEADING
            else item
            for item in section
        ]

    return transform


def headings_in_body_style(**style: object) -> Transform:
    def transform(section: Section) -> Section:
        return restyle_headings(**{**body_style_of(section), **style})(section)

    return transform


def larger_font_headings(section: Section) -> Section:
    size = body_style_of(section)["font_size"]
    assert isinstance(size, float)
    return headings_in_body_style(font_size=size + 2.0)(section)


def all_caps_headings(section: Section) -> Section:
    return [
        dataclasses.replace(
            item,
            element=restyled(item.element, text=item.element.text.upper(), bold=True, italic=False),
            heading=item.element.text.upper(),
        )
        if item.role == HEADING
        else item
        for item in section
    ]


def numbered_headings(style: Callable[[int], str]) -> Transform:
    def transform(section: Section) -> Section:
        counter = itertools.count(1)
        result = []
        for item in section:
            if item.role == HEADING:
                text = f"{style(next(counter))} {item.element.text}"
                item = dataclasses.replace(item, element=restyled(item.element, text=text), heading=text)
            result.append(item)
        return result

    return transform


def run_in_headings(section: Section) -> Section:
    """Each heading becomes the bold first sentence of its first body paragraph."""
    result: Section = []
    pending: Part | None = None
    for item in section:
        if item.role == HEADING:
            if pending is not None:
                result.append(pending)
            pending = item
            continue
        if (
            pending is not None
            and item.role == BODY
            and item.element.kind is ElementKind.TEXT
            and not (item.element.text.startswith("•"))
        ):
            heading = pending.element.text
            merged = restyled(
                item.element,
                text=f"{heading} {item.element.text}",
                bold_prefix=heading,
                bold=False,
                italic=False,
            )
            result.append(Part(merged, HEADING, heading))
            pending = None
            continue
        if pending is not None:
            result.append(pending)
            pending = None
        result.append(item)
    return result


def without_categories(section: Section) -> Section:
    return [item for item in section if item.role != CATEGORY]


def categories_in_risk_style(section: Section) -> Section:
    heading = next(item.element for item in section if item.role == HEADING)
    style = {name: getattr(heading, name) for name in ("bold", "italic", "underline", "font_size")}
    return [
        dataclasses.replace(item, element=restyled(item.element, **style)) if item.role == CATEGORY else item
        for item in section
    ]


def page_break_inside_headings(section: Section) -> Section:
    """Every fourth multi-word heading is cut before a lower-case word by a page footer and header."""
    result: Section = []
    headings = 0
    for item in section:
        words = item.element.text.split(" ")
        cut = next((i for i in range(len(words) // 2, len(words)) if words[i][:1].islower()), None)
        if item.role != HEADING or cut is None or headings % 4:
            headings += item.role == HEADING
            result.append(item)
            continue
        headings += 1
        result += [
            Part(restyled(item.element, text=" ".join(words[:cut])), HEADING, item.heading),
            Part(text_element(str(20 + headings)), EXTRA),
            Part(Element(index=0, kind=ElementKind.PAGE_BREAK, text=""), EXTRA),
            Part(text_element("Table of Contents", underline=True), EXTRA),
            Part(restyled(item.element, text=" ".join(words[cut:])), EXTRA),
        ]
    return result


def _after_title(section: Section, inserted: Section) -> Section:
    position = next((i for i, item in enumerate(section) if item.role != TITLE), 0)
    return section[:position] + inserted + section[position:]


def _before_first_heading(section: Section, inserted: Section) -> Section:
    position = next(i for i, item in enumerate(section) if item.role in (CATEGORY, HEADING))
    return section[:position] + inserted + section[position:]


def summary_bullets(repeat_risk_factors_title: bool) -> Transform:
    """A "Summary of Risk Factors" bullet list of shortened headings before the first category."""

    def transform(section: Section) -> Section:
        summary: Section = [
            body_part(section, "Summary of Risk Factors", EXTRA, bold=True),
            body_part(
                section,
                "The following is a summary of the principal risks that could affect our business:",
                EXTRA,
            ),
        ]
        for item in section:
            if item.role == HEADING:
                short = item.element.text.split(",")[0].rstrip(".")
                summary.append(body_part(section, f"• {short};", EXTRA))
        if repeat_risk_factors_title:
            summary.append(body_part(section, "Risk Factors", EXTRA, bold=True))
        # A filing has one summary: the new one replaces any between the introduction and the risks.
        first_heading = next(i for i, item in enumerate(section) if item.role in (CATEGORY, HEADING))
        kept = [item for item in section[:first_heading] if item.role != EXTRA] + section[first_heading:]
        return _before_first_heading(kept, summary)

    return transform


FLS = [
    "This report contains forward-looking statements within the meaning of the Private Securities Litigation "
    "Reform Act of 1995, including statements about our plans, objectives, expectations and intentions.",
    "Forward-looking statements are based on current expectations and are subject to risks and uncertainties; "
    "actual results may differ materially. We undertake no obligation to update them.",
]


def forward_looking_note(at_start: bool) -> Transform:
    def transform(section: Section) -> Section:
        note = [body_part(section, "Special Note Regarding Forward-Looking Statements", EXTRA, bold=True)] + [
            body_part(section, text, EXTRA) for text in FLS
        ]
        return _after_title(section, note) if at_start else section + note

    return transform


def bare_risk_factors_line(section: Section) -> Section:
    heading = next(item.element for item in section if item.role == HEADING)
    return _after_title(section, [Part(restyled(heading, text="Risk Factors"), EXTRA)])


def italic_body(section: Section) -> Section:
    return [
        dataclasses.replace(item, element=restyled(item.element, italic=True))
        if item.role in (BODY, INTRO) and item.element.kind is ElementKind.TEXT
        else item
        for item in section
    ]


def bullets_in_bodies(section: Section) -> Section:
    """After each heading's first body paragraph: a lead-in and three bullets, one with a bold lead."""
    result: Section = []
    after_heading = False
    for item in section:
        result.append(item)
        if item.role == HEADING:
            after_heading = True
        elif after_heading and item.role == BODY:
            after_heading = False
            result += [
                body_part(section, "These risks include, among others:", BODY),
                body_part(section, "• changes in local economic and political conditions;", BODY),
                body_part(
                    section,
                    "• Regulation. Government regulation of our products and services;",
                    BODY,
                    bold_prefix="Regulation.",
                ),
                body_part(section, "• difficulty in staffing and managing foreign operations.", BODY),
            ]
    return result


LONG_ADDITION = (
    " These risks could be heightened by conditions outside our control, including changes in trade policy, "
    "the imposition of tariffs and sanctions, disruptions in the supply of components, and fluctuations in "
    "currency exchange rates. Any of these events could require us to change how we operate, increase our costs, "
    "delay the introduction of new products and services, and reduce demand from our customers. In addition, "
    "our competitors may respond to such conditions more quickly or at lower cost than we can, which could "
    "adversely affect our market share. As a result, our business, reputation, results of operations, financial "
    "condition and stock price could be materially adversely affected."
)


def one_long_heading(section: Section) -> Section:
    """The second heading becomes a multi-sentence heading of about 800 characters."""
    headings = [i for i, item in enumerate(section) if item.role == HEADING]
    position = headings[1]
    item = section[position]
    text = item.element.text.rstrip(".") + "." + LONG_ADDITION
    return [
        *section[:position],
        dataclasses.replace(item, element=restyled(item.element, text=text), heading=text),
        *section[position + 1 :],
    ]


def heading_without_body(section: Section) -> Section:
    """The third risk loses its body, so its heading is directly followed by the next heading."""
    headings = [i for i, item in enumerate(section) if item.role == HEADING]
    first, following = headings[2], headings[3]
    return section[: first + 1] + section[following:]


def inconsistent_heading_style(section: Section) -> Section:
    """Every seventh heading lost its italic (or gained it): typesetting slips within one filing."""
    result: Section = []
    count = 0
    for item in section:
        if item.role == HEADING:
            count += 1
            if count % 7 == 3:
                item = dataclasses.replace(
                    item, element=restyled(item.element, italic=not item.element.italic)
                )
        result.append(item)
    return result


def bulleted_headings(section: Section) -> Section:
    return [
        dataclasses.replace(item, element=restyled(item.element, text=f"• {item.element.text}"))
        if item.role == HEADING
        else item
        for item in section
    ]


CATEGORY_NAMES = [
    "Our Operations",
    "Our Industry",
    "Legal and Regulatory Environment",
    "Financial Condition",
    "Technology and Intellectual Property",
    "Ownership of Our Common Stock",
    "Other Matters",
    "General",
]


def renamed_categories(section: Section) -> Section:
    """Categories named without the word "risk", in their own style."""
    names = iter(CATEGORY_NAMES)
    return [
        dataclasses.replace(item, element=restyled(item.element, text=next(names)))
        if item.role == CATEGORY
        else item
        for item in section
    ]


def headings_broken_over_two_lines(section: Section) -> Section:
    """Every third heading is typeset as two paragraphs, cut before a lower-case word."""
    result: Section = []
    headings = 0
    for item in section:
        words = item.element.text.split(" ")
        cut = next((i for i in range(len(words) // 2, len(words)) if words[i][:1].islower()), None)
        if item.role == HEADING:
            headings += 1
        if item.role != HEADING or cut is None or headings % 3:
            result.append(item)
            continue
        result += [
            Part(restyled(item.element, text=" ".join(words[:cut])), HEADING, item.heading),
            Part(restyled(item.element, text=" ".join(words[cut:])), EXTRA),
        ]
    return result


VARIANTS: dict[str, Transform] = {
    "bold only": restyle_headings(bold=True, italic=False, underline=False),
    "italic only": restyle_headings(bold=False, italic=True, underline=False),
    "underlined": restyle_headings(bold=False, italic=False, underline=True),
    "larger font only": larger_font_headings,
    "all caps bold": all_caps_headings,
    "all caps plain": headings_in_body_style(),  # set below: ALL CAPS in the body style
    "numbered 1.": numbered_headings(lambda n: f"{n}."),
    "numbered (a)": numbered_headings(lambda n: f"({chr(96 + (n - 1) % 26 + 1)})"),
    "run-in bold": run_in_headings,
    "no categories": without_categories,
    "categories in risk style": categories_in_risk_style,
    "page break inside headings": page_break_inside_headings,
    "summary then Risk Factors": summary_bullets(repeat_risk_factors_title=True),
    "summary bullets only": summary_bullets(repeat_risk_factors_title=False),
    "forward-looking note first": forward_looking_note(at_start=True),
    "forward-looking note last": forward_looking_note(at_start=False),
    "bare Risk Factors line": bare_risk_factors_line,
    "italic body": italic_body,
    "bullets in bodies": bullets_in_bodies,
    "an 800-character heading": one_long_heading,
    "a heading without body": heading_without_body,
    "inconsistent heading style": inconsistent_heading_style,
    "bulleted headings": bulleted_headings,
    "headings broken over two lines": headings_broken_over_two_lines,
    "categories named without risk": renamed_categories,
}


def _all_caps_plain(section: Section) -> Section:
    return headings_in_body_style()(
        [
            dataclasses.replace(
                item,
                element=restyled(item.element, text=item.element.text.upper()),
                heading=item.element.text.upper(),
            )
            if item.role == HEADING
            else item
            for item in section
        ]
    )


VARIANTS["all caps plain"] = _all_caps_plain
COMBINED: dict[str, tuple[Transform, ...]] = {
    "no categories, bold only, summary": (
        without_categories,
        VARIANTS["bold only"],
        VARIANTS["summary bullets only"],
    ),
    "run-in, no categories, forward-looking last": (
        run_in_headings,
        without_categories,
        forward_looking_note(False),
    ),
    "categories named without risk, in risk style": (renamed_categories, categories_in_risk_style),
    "underlined, italic body": (VARIANTS["underlined"], italic_body),
    "numbered, underlined, bullets": (VARIANTS["numbered 1."], VARIANTS["underlined"], bullets_in_bodies),
}


# --- checks -----------------------------------------------------------------------------------


def check(section: Section) -> tuple[HeadingScore, Segmentation, CleanedText]:
    cleaned = clean_item(elements_of(section))
    segmentation = segment_item(cleaned, with_features=False)
    expected = expected_of(section)
    gold = {"risks": [{"heading": e.heading, "category": e.category} for e in expected]}
    score = score_headings(segmentation.risk_factors, gold)
    assert score.precision >= 0.95 and score.recall >= 0.95, (
        score,
        _differences(segmentation, expected),
    )
    assert score.category_accuracy >= 0.95, (score, _category_differences(segmentation, expected))
    by_heading = {normalized_heading(e.heading): e for e in expected}
    for risk in segmentation.risk_factors:
        truth = by_heading.get(normalized_heading(risk.heading))
        if truth is not None:
            assert risk.is_general_risk == bool(truth.category and GENERAL_CATEGORY.match(truth.category)), (
                risk
            )
    assert_invariants(cleaned, segmentation)
    return score, segmentation, cleaned


def _differences(segmentation: Segmentation, expected: list[Expected]) -> dict[str, list[str]]:
    predicted = {normalized_heading(r.heading): r.heading for r in segmentation.risk_factors}
    truth = {normalized_heading(e.heading): e.heading for e in expected}
    return {
        "missed": [truth[k][:90] for k in truth if k not in predicted],
        "spurious": [predicted[k][:90] for k in predicted if k not in truth],
    }


def _category_differences(
    segmentation: Segmentation, expected: list[Expected]
) -> list[tuple[str, str | None, str | None]]:
    truth = {normalized_heading(e.heading): e.category for e in expected}
    return [
        (risk.heading[:60], risk.category, truth[key])
        for risk in segmentation.risk_factors
        if (key := normalized_heading(risk.heading)) in truth
        and normalized_heading(risk.category or "") != normalized_heading(truth[key] or "")
    ]


def assert_invariants(cleaned: CleanedText, segmentation: Segmentation) -> None:
    risks = segmentation.risk_factors
    assert [risk.ordinal for risk in risks] == list(range(1, len(risks) + 1))
    for risk in risks:
        segment = cleaned.text[risk.start_offset : risk.end_offset]
        assert risk.heading in segment
        assert any(mark in segment for mark in ".!?;") or len(segment.split()) >= 3, risk
    starts = [risk.start_offset for risk in risks]
    assert all(risk.end_offset <= start for risk, start in zip(risks, starts[1:], strict=False))
    assert segmentation.coverage >= 0.98, segmentation.coverage


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("key", GOLD_KEYS)
def test_a_restyled_real_section_is_segmented_as_built(corpus_dir: Path, key: str, variant: str) -> None:
    check(VARIANTS[variant](list(real_section(corpus_dir, key))))


@pytest.mark.parametrize("combination", sorted(COMBINED))
@pytest.mark.parametrize("key", GOLD_KEYS)
def test_combined_variations_of_a_real_section(corpus_dir: Path, key: str, combination: str) -> None:
    section = list(real_section(corpus_dir, key))
    for transform in COMBINED[combination]:
        section = transform(section)
    check(section)


# --- hand-written sections modelled on older and smaller filings -----------------------------

OLDER_HEADINGS = [
    "We have a history of losses and may not achieve or sustain profitability.",
    "Our quarterly operating results fluctuate and may fall below expectations.",
    "We depend on a limited number of customers for a substantial portion of our revenue.",
    "Competition in our markets is intense, and we may lose market share.",
    "We rely on third-party manufacturers, and any disruption could delay our shipments.",
    "If we fail to develop new products, our business will suffer.",
    "Our products may contain defects that could harm our reputation.",
    "We may not be able to protect our intellectual property.",
    "Claims that we infringe the rights of others could be costly.",
    "We depend on key personnel, whom we may not be able to retain.",
    "Our international operations subject us to additional risks.",
    "Changes in foreign currency exchange rates could reduce our reported results.",
    "We may need additional capital, which may not be available on acceptable terms.",
    "Our indebtedness could limit our flexibility in operating our business.",
    "Acquisitions could disrupt our business and dilute our stockholders.",
    "Government regulation could increase our costs or restrict our operations.",
    "Environmental laws could expose us to significant liabilities.",
    "System failures or security breaches could interrupt our operations.",
    "Our stock price has been and may continue to be volatile.",
    "Provisions of our charter documents could delay a change in control.",
    "We do not expect to pay dividends in the foreseeable future.",
    "Future sales of our common stock could depress its market price.",
    "Natural disasters or terrorist attacks could disrupt our facilities.",
    "Changes in accounting standards could affect our reported results.",
    "We may be subject to product liability claims.",
    "Our insurance may not cover all of our losses.",
    "Rising raw material prices could reduce our margins.",
    "Labor disputes could disrupt our manufacturing operations.",
    "We may be unable to manage our growth effectively.",
    "Our business is seasonal, and a weak holiday season would hurt our results.",
    "Economic downturns could reduce demand for our products.",
    "We face risks from pending litigation.",
    "Changes in tax laws could increase our effective tax rate.",
    "Our reliance on a single distribution center exposes us to disruption.",
    "Failure to maintain effective internal controls could harm investor confidence.",
    "Consolidation among our customers could reduce our prices.",
    "We may not realize the benefits of our restructuring.",
    "Pension obligations could require significant cash contributions.",
    "Our franchisees could take actions that harm our brand.",
    "We may be required to record impairment charges on our goodwill.",
]
BANK_HEADINGS = [
    "Changes in interest rates could reduce our net interest income and earnings.",
    "Our allowance for loan losses may be insufficient to absorb actual losses.",
    "A large share of our loans is secured by commercial real estate in our market area.",
    "We face strong competition for deposits and loans from larger institutions.",
    "We are subject to extensive regulation that could limit our activities.",
    "Our liquidity could be impaired by an inability to access funding sources.",
    "We may need to raise additional capital, which could dilute our shareholders.",
    "Deterioration in the local economy would hurt our loan portfolio.",
    "We rely on third-party vendors for our core banking systems.",
    "Cyber-attacks could disrupt our operations and expose us to liability.",
    "The soundness of other financial institutions could adversely affect us.",
    "Our trading volume is low, and the price of our common stock may be volatile.",
]
BODY_SENTENCES = [
    "Such conditions are difficult to predict and may persist for extended periods.",
    "Any of these events could materially and adversely affect our business, financial condition and results of operations.",
    "We cannot assure you that our efforts to mitigate these risks will be successful.",
    "In addition, we may incur significant costs in responding to these developments.",
    "Our competitors may have greater financial, technical and marketing resources than we do.",
    "As a result, our operating results could vary significantly from period to period.",
    "These factors could also cause the trading price of our common stock to decline.",
]


def body_text(seed: int, sentences: int = 3) -> str:
    return " ".join(BODY_SENTENCES[(seed + step) % len(BODY_SENTENCES)] for step in range(sentences))


def older_section(
    heading_style: dict[str, object], count: int, *, title: str = "Item 1A. Risk Factors"
) -> Section:
    """A pre-2020 layout: no categories, one style for every risk, bodies of one to three paragraphs."""
    section: Section = [
        part(title, TITLE, bold=True),
        part(
            "Investing in our common stock involves a high degree of risk. You should carefully consider the "
            "risks described below before making an investment decision.",
            INTRO,
        ),
    ]
    for number, heading in enumerate(OLDER_HEADINGS[:count]):
        section.append(part(heading, HEADING, **heading_style))
        section += [part(body_text(number + paragraph), BODY) for paragraph in range(1 + number % 3)]
    return section


def older_run_in_section(count: int) -> Section:
    section: Section = [part("ITEM 1A. RISK FACTORS", TITLE, bold=True)]
    for number, heading in enumerate(OLDER_HEADINGS[:count]):
        text = f"{heading} {body_text(number)}"
        section.append(Part(text_element(text, bold_prefix=heading), HEADING, heading))
        if number % 2:
            section.append(part(body_text(number + 1), BODY))
    return section


def bank_section() -> Section:
    """Numbered bold risks under two ALL CAPS underlined categories, as small banks file them."""
    section: Section = [part("Item 1A. Risk Factors", TITLE, bold=True)]
    for number, heading in enumerate(BANK_HEADINGS, start=1):
        if number == 1:
            section.append(part("RISKS RELATED TO OUR BUSINESS", CATEGORY, bold=True, underline=True))
        if number == 10:
            section.append(part("RISKS RELATED TO OUR COMMON STOCK", CATEGORY, bold=True, underline=True))
        section.append(part(f"{number}. {heading}", HEADING, bold=True))
        section.append(part(body_text(number, 2 + number % 3), BODY))
    return section


HAND_WRITTEN: dict[str, Callable[[], Section]] = {
    "2006, 40 italic headings": lambda: older_section({"italic": True}, 40),
    "2010, 25 bold headings": lambda: older_section({"bold": True}, 25),
    "2012, 12 underlined headings": lambda: older_section({"underline": True}, 12),
    "small company, 6 bold headings": lambda: older_section({"bold": True}, 6, title="RISK FACTORS"),
    "small company, 8 run-in headings": lambda: older_run_in_section(8),
    "2008, 30 run-in headings": lambda: older_run_in_section(30),
    "bank, numbered risks under categories": bank_section,
}


@pytest.mark.parametrize("layout", sorted(HAND_WRITTEN))
def test_a_hand_written_older_layout_is_segmented_as_built(layout: str) -> None:
    score, _, _ = check(HAND_WRITTEN[layout]())
    assert score.matched == score.gold == score.predicted


def test_the_bank_layout_keeps_its_numbers_and_categories() -> None:
    _, segmentation, _ = check(bank_section())
    risks = segmentation.risk_factors
    assert risks[0].heading.startswith("1. Changes in interest rates")
    assert segmentation.categories == ["RISKS RELATED TO OUR BUSINESS", "RISKS RELATED TO OUR COMMON STOCK"]
    assert [risk.category for risk in risks].count("RISKS RELATED TO OUR COMMON STOCK") == 3
