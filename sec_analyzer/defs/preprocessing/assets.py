"""parsed_filing → item_1a → cleaned_risk_text → risk_segments: thin assets over
`sec_analyzer.preprocessing`. Each reads the previous stage's per-filing artifact."""

import json
from typing import Any

import dagster as dg

from sec_analyzer.defs.batch import ABSENT, FAILED, OK, StageOutcome, run_stage
from sec_analyzer.defs.partitions import batched, filings_partitions
from sec_analyzer.defs.resources import PlatformResource

GROUP = "preprocessing"


def _stage_asset(**kwargs: Any) -> Any:
    return dg.asset(partitions_def=filings_partitions, backfill_policy=batched, group_name=GROUP, **kwargs)


@_stage_asset(
    deps=["raw_filing"],
    kinds={"python", "parquet"},
    description=(
        "The filing as a typed list of semantic elements (prose blocks with their emphasis, tables, "
        "page furniture, page breaks) with offsets into the source HTML, stored as Parquet so later "
        "stages never re-parse. Also reads the cover page: document type and fiscal year."
    ),
)
def parsed_filing(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    from sec_analyzer.preprocessing.cover import document_fiscal_info, document_form_type
    from sec_analyzer.preprocessing.parser import parse_html

    artifacts = platform.artifacts()
    store = platform.raw_store()

    def parse(key: str, raw: dict[str, Any]) -> StageOutcome:
        document = parse_html(store.get(raw["raw_uri"]))
        document.to_parquet(artifacts.path("parsed_filing", key, "parquet"))
        fiscal = document_fiscal_info(document)
        return StageOutcome(OK, {
            "elements": len(document.elements),
            "document_type": document_form_type(document),
            "document_fiscal_year": fiscal.fiscal_year if fiscal else None,
            "document_period_end": fiscal.period_end.isoformat() if fiscal and fiscal.period_end else None,
        })

    return run_stage(context, artifacts, "parsed_filing", parse, upstream="raw_filing", filing_index=platform.filing_index(),
                     preview_fields=("elements", "document_type", "document_fiscal_year"))


@_stage_asset(
    deps=[parsed_filing],
    kinds={"python", "parquet"},
    description=(
        "Every top-level item of the 10-K (1, 1A, 1B, 1C, 2 … 16) located in the parsed document, "
        "Item 1A (Risk Factors) first: the real section, not the table of contents or an in-text "
        "reference, including cross-reference-index 10-Ks. An item that is not there is an explicit, "
        "typed 'absent' result with its reason (omitted by a smaller reporting company, incorporated "
        "by reference, not a 10-K, …), never an empty string."
    ),
)
def item_1a(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    import pandas as pd

    from sec_analyzer.preprocessing.items import AbsentItem, extract_items
    from sec_analyzer.preprocessing.parser import ParsedDocument

    artifacts = platform.artifacts()

    def extract(key: str, parsed: dict[str, Any]) -> StageOutcome:
        document = ParsedDocument.from_parquet(artifacts.path("parsed_filing", key, "parquet"))
        extraction = extract_items(document)
        rows = []
        for item_id, item in extraction.items.items():
            if isinstance(item, AbsentItem):
                rows.append({"item_id": item_id, "status": "absent", "title": None, "text": None, "char_count": 0,
                             "absent_reason": str(item.reason), "detail": item.detail,
                             "first_element": None, "last_element": None})
            else:
                rows.append({"item_id": item_id, "status": "found", "title": item.title, "text": item.text,
                             "char_count": len(item.text), "absent_reason": None, "detail": None,
                             "first_element": item.element_span[0], "last_element": item.element_span[1]})
        artifacts.write_parquet("item_1a", key, pd.DataFrame(rows))
        risk = extraction.items["1A"]
        found = sum(1 for row in rows if row["status"] == "found")
        if isinstance(risk, AbsentItem):
            return StageOutcome(ABSENT, {"reason": f"Item 1A absent ({risk.reason}): {risk.detail}",
                                         "absent_reason": str(risk.reason), "items_found": found})
        return StageOutcome(OK, {"item_1a_chars": len(risk.text), "items_found": found,
                                 "preview": risk.text[:400]})

    return run_stage(context, artifacts, "item_1a", extract, upstream="parsed_filing", filing_index=platform.filing_index(),
                     preview_fields=("item_1a_chars", "items_found", "preview"))


@_stage_asset(
    deps=[item_1a],
    kinds={"python", "json"},
    description=(
        "Item 1A as clean text that keeps paragraph boundaries and heading emphasis: entities and "
        "non-breaking spaces, page numbers, running headers/footers, 'Table of Contents' back-links, "
        "hyphenation and bullet glyphs normalised."
    ),
)
def cleaned_risk_text(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    from sec_analyzer.preprocessing.cleaner import clean_item
    from sec_analyzer.preprocessing.parser import ParsedDocument

    artifacts = platform.artifacts()

    def clean(key: str, extracted: dict[str, Any]) -> StageOutcome:
        items = artifacts.read_parquet("item_1a", key).set_index("item_id")
        first, last = int(items.at["1A", "first_element"]), int(items.at["1A", "last_element"])
        document = ParsedDocument.from_parquet(artifacts.path("parsed_filing", key, "parquet"))
        cleaned = clean_item(document.elements[first:last + 1])
        artifacts.write_json("cleaned_risk_text_body", key, cleaned.to_dict())
        return StageOutcome(OK, {"chars": len(cleaned.text), "paragraphs": len(cleaned.blocks),
                                 "preview": cleaned.text[:400]})

    return run_stage(context, artifacts, "cleaned_risk_text", clean, upstream="item_1a", filing_index=platform.filing_index(),
                     preview_fields=("chars", "paragraphs", "preview"))


@_stage_asset(
    deps=[cleaned_risk_text],
    kinds={"python", "parquet"},
    description=(
        "The individual risk factors of Item 1A: heading, body, category heading, ordinal, offsets "
        "into the cleaned text, the 'General Risk Factors' flag, readability and Loughran–McDonald "
        "tone. The risk-factor summary list and forward-looking-statement notes are not risks. "
        "Guarded by blocking quality checks before anything is published."
    ),
)
def risk_segments(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    import pandas as pd

    from sec_analyzer.preprocessing.cleaner import CleanedText
    from sec_analyzer.preprocessing.segmenter import segment_risk_factors

    artifacts = platform.artifacts()

    def segment(key: str, cleaned_summary: dict[str, Any]) -> StageOutcome:
        cleaned = CleanedText.from_dict(artifacts.read_json("cleaned_risk_text_body", key))
        risks = segment_risk_factors(cleaned)
        frame = pd.DataFrame([{
            "ordinal": risk.ordinal, "heading": risk.heading, "category": risk.category, "text": risk.text,
            "is_general_risk": risk.is_general_risk, "start_offset": risk.start_offset,
            "end_offset": risk.end_offset, "features": json.dumps(risk.features),
        } for risk in risks], columns=["ordinal", "heading", "category", "text", "is_general_risk",
                                       "start_offset", "end_offset", "features"])
        artifacts.write_parquet("risk_segments", key, frame)
        if not risks:
            return StageOutcome(FAILED, {"reason": "no risk factors found in Item 1A", "risk_factors": 0})
        categories = [c for c in dict.fromkeys(frame["category"]) if c]
        return StageOutcome(OK, {"risk_factors": len(risks), "categories": len(categories),
                                 "first_headings": " · ".join(frame["heading"].head(5))})

    return run_stage(context, artifacts, "risk_segments", segment, upstream="cleaned_risk_text", filing_index=platform.filing_index(),
                     preview_fields=("risk_factors", "categories", "first_headings"))
