"""What each stage up to the risk factors does for one filing, over files, with no Dagster.

The assets in `sec_analyzer/defs/preprocessing` only hand these functions the artifact paths of
one filing and store what they return; every rule (what counts as absent, which summary fields
a stage records) lives here and is tested without an orchestrator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from sec_analyzer.contracts import ITEMS_TABLE, RISK_FACTORS_TABLE
from sec_analyzer.pipeline.runner import StageOutcome

if TYPE_CHECKING:
    import pandas as pd

    from sec_analyzer.acquisition.fetch import FilingFetcher
    from sec_analyzer.domain import FilingRef
    from sec_analyzer.preprocessing.items import ItemExtraction
    from sec_analyzer.storage.filing_index_repo import FilingIndex

PREVIEW_CHARS = 400
FIRST_HEADINGS = 5
ITEM_1A = "1A"


def parse_stage(source: bytes, elements_path: Path, max_document_bytes: int) -> StageOutcome:
    """Parse the raw document once and keep its element list; read the cover's form and year."""
    from sec_analyzer.preprocessing.cover import document_fiscal_info, document_form_type
    from sec_analyzer.preprocessing.parser import parse_html

    document = parse_html(source, max_document_bytes=max_document_bytes)
    elements_path.parent.mkdir(parents=True, exist_ok=True)
    document.to_parquet(elements_path)
    fiscal = document_fiscal_info(document)
    return StageOutcome.ok(
        elements=len(document.elements),
        document_type=document_form_type(document),
        document_fiscal_year=fiscal.fiscal_year,
        document_period_end=fiscal.period_end.isoformat() if fiscal.period_end else None,
    )


def extract_stage(elements_path: Path) -> tuple[pd.DataFrame, StageOutcome]:
    """Every item of the filing as a table (found with its span and how it was located, or absent
    with its reason); the filing goes on only when Item 1A was found."""
    from sec_analyzer.preprocessing.items import AbsentItem, extract_items
    from sec_analyzer.preprocessing.parser import ParsedDocument

    extraction = extract_items(ParsedDocument.from_parquet(elements_path))
    table = items_table(extraction)
    risk = extraction.items[ITEM_1A]
    found = int((table["status"] == "found").sum())
    if isinstance(risk, AbsentItem):
        return table, StageOutcome.absent(f"Item 1A absent ({risk.reason}): {risk.detail}",
                                          absent_reason=str(risk.reason), items_found=found)
    return table, StageOutcome.ok(item_1a_chars=len(risk.text), items_found=found,
                                  located_by=str(risk.located_by), preview=risk.text[:PREVIEW_CHARS])


def items_table(extraction: ItemExtraction) -> pd.DataFrame:
    import pandas as pd

    from sec_analyzer.preprocessing.items import AbsentItem

    rows = []
    for item_id, item in extraction.items.items():
        if isinstance(item, AbsentItem):
            rows.append({"item_id": item_id, "status": "absent", "title": None, "text": None, "char_count": 0,
                         "absent_reason": str(item.reason), "detail": item.detail, "located_by": None,
                         "first_element": None, "last_element": None})
        else:
            rows.append({"item_id": item_id, "status": "found", "title": item.title, "text": item.text,
                         "char_count": len(item.text), "absent_reason": None, "detail": None,
                         "located_by": str(item.located_by),
                         "first_element": item.element_span[0], "last_element": item.element_span[1]})
    return pd.DataFrame(rows, columns=list(ITEMS_TABLE.names))


def clean_stage(elements_path: Path, items: pd.DataFrame, cleaned_path: Path) -> StageOutcome:
    """Item 1A's elements as clean text with paragraph boundaries and emphasis kept."""
    from sec_analyzer.preprocessing.cleaner import clean_item
    from sec_analyzer.preprocessing.parser import ParsedDocument

    risk = items.set_index("item_id").loc[ITEM_1A]
    first, last = int(risk["first_element"]), int(risk["last_element"])
    document = ParsedDocument.from_parquet(elements_path)
    cleaned = clean_item(document.elements[first:last + 1])
    cleaned_path.parent.mkdir(parents=True, exist_ok=True)
    cleaned_path.write_text(json.dumps(cleaned.to_dict(), ensure_ascii=False), encoding="utf-8")
    return StageOutcome.ok(chars=len(cleaned.text), paragraphs=len(cleaned.blocks),
                           preview=cleaned.text[:PREVIEW_CHARS])


def segment_stage(cleaned_path: Path) -> tuple[pd.DataFrame, StageOutcome]:
    """The individual risk factors with their features; none found is a failure the gate reports."""
    import pandas as pd

    from sec_analyzer.preprocessing.cleaner import CleanedText
    from sec_analyzer.preprocessing.segmenter import segment_risk_factors

    cleaned = CleanedText.from_dict(json.loads(cleaned_path.read_text(encoding="utf-8")))
    risks = segment_risk_factors(cleaned)
    frame = pd.DataFrame([{
        "ordinal": risk.ordinal, "heading": risk.heading, "category": risk.category, "text": risk.text,
        "is_general_risk": risk.is_general_risk, "start_offset": risk.start_offset,
        "end_offset": risk.end_offset, "features": json.dumps(risk.features),
    } for risk in risks], columns=list(RISK_FACTORS_TABLE.names))
    if not risks:
        return frame, StageOutcome.failed("no risk factors found in Item 1A", risk_factors=0)
    categories = [category for category in dict.fromkeys(frame["category"]) if category]
    return frame, StageOutcome.ok(risk_factors=len(risks), categories=len(categories),
                                  first_headings=" · ".join(frame["heading"].head(FIRST_HEADINGS)))


def acquire_stage(fetcher: FilingFetcher, index: FilingIndex, partition_key: str,
                  planned: FilingRef | None = None) -> StageOutcome:
    """Fetch the filing's 10-K primary document (never twice), index it, and summarise where it is.
    One fetcher serves a whole batch, so what it learns of a company's covers is read once.

    `planned` is the listing a backfill plan found for the filing moments before: its stored
    document is taken without asking EDGAR again, if its cover still says the partition's year."""
    from sec_analyzer.domain import split_filing_key
    from sec_analyzer.storage.filing_index_repo import FilingIndexRecord

    ticker, fiscal_year = split_filing_key(partition_key)
    fetched = fetcher.fetch_reference(planned) if planned is not None else None
    if fetched is None or fetched.fiscal_year != fiscal_year:
        fetched = fetcher.fetch(ticker, fiscal_year)
    ref = fetched.ref
    index.upsert(FilingIndexRecord(
        accession_number=ref.accession_number, partition_key=partition_key, ticker=ref.ticker, cik=ref.cik,
        company_name=ref.company_name, form=ref.form, fiscal_year=fetched.fiscal_year,
        filing_date=ref.filing_date, report_date=ref.report_date, url=ref.url,
        raw_uri=fetched.stored.uri, raw_sha256=fetched.stored.sha256, raw_size=fetched.stored.size,
    ))
    return StageOutcome.ok(
        accession=ref.accession_number, cik=ref.cik, ticker=ref.ticker, company_name=ref.company_name,
        form=ref.form, filing_date=ref.filing_date.isoformat(),
        report_date=ref.report_date.isoformat() if ref.report_date else None,
        fiscal_year=fetched.fiscal_year, fiscal_year_source=fetched.fiscal_year_source,
        period_end=fetched.period_end.isoformat() if fetched.period_end else None,
        document_type=fetched.document_type, url=ref.url, raw_uri=fetched.stored.uri,
        sha256=fetched.stored.sha256, size=fetched.stored.size,
    )
