"""`sec-analyzer extract` and `segment`: items or risk factors of one 10-K file on stdout.

Only plain preprocessing modules are imported (no pandas, pyarrow or Dagster), so the
commands start fast.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from sec_analyzer.domain import AbsenceReason, RiskFactor
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.output_format import format_option
from sec_analyzer.preprocessing.items import (
    ITEM_IDS,
    AbsentItem,
    ExtractedItem,
    ItemExtraction,
    UnknownItemError,
    extract_items,
    normalize_item_id,
)
from sec_analyzer.preprocessing.parser import parse_file


class NotA10KError(SecAnalyzerError):
    """The file is a filing of another form (a 10-Q, an 8-K …)."""


def _requested_items(value: str) -> list[str]:
    if value.strip().lower() == "all":
        return list(ITEM_IDS)
    try:
        item_ids = [normalize_item_id(part) for part in value.split(",") if part.strip()]
    except UnknownItemError as error:
        raise click.BadParameter(str(error), param_hint="--items") from error
    if not item_ids:
        raise click.BadParameter("name at least one item (1A), a list (1,7,7A) or 'all'", param_hint="--items")
    return item_ids


def _as_json(extraction: ItemExtraction, item_ids: list[str]) -> str:
    """Item ids to their text; absent items map to null and are explained under `_absent`.

    A "[Reserved]" item is there in the filing, only empty by law: it maps to its own wording
    and is also listed under `_absent` with the reason `reserved`. `_located_by` says for each
    found item what found it: its item heading, the cross-reference index, or its section title.
    """
    payload: dict[str, object] = {}
    absent: dict[str, dict[str, str]] = {}
    located_by: dict[str, str] = {}
    for item_id in item_ids:
        result = extraction[item_id]
        if isinstance(result, ExtractedItem):
            payload[item_id] = result.text
            located_by[item_id] = result.located_by.value
        else:
            payload[item_id] = result.detail if result.reason == AbsenceReason.RESERVED else None
            absent[item_id] = {"reason": result.reason.value, "detail": result.detail}
    payload["_absent"] = absent
    payload["_located_by"] = located_by
    return json.dumps(payload, ensure_ascii=False)


def _as_text(extraction: ItemExtraction, item_ids: list[str]) -> str:
    several = len(item_ids) > 1
    blocks = []
    for item_id in item_ids:
        result = extraction[item_id]
        if isinstance(result, AbsentItem):
            blocks.append(f"=== Item {item_id}: absent ({result.reason.value}) ===")
        elif several:
            blocks.append(f"=== Item {item_id}. {result.title} ===\n{result.text}")
        else:
            blocks.append(result.text)
    return "\n\n".join(blocks)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--items", "items", default="1A", show_default=True, help="1A, all, or a list such as 1,7,7A.")
@format_option()
def extract(file: Path, items: str, output_format: str) -> None:
    """Extract 10-K items from an HTML (or plain-text) filing."""
    item_ids = _requested_items(items)
    extraction = extract_items(parse_file(file))
    if not extraction.is_annual_report:
        raise NotA10KError(f"{file} is a Form {extraction.form_type}, not a 10-K")
    if output_format == "json":
        click.echo(_as_json(extraction, item_ids))
        return
    if len(item_ids) == 1 and isinstance(only := extraction[item_ids[0]], AbsentItem):
        what_it_says = " ".join(only.detail.split())[:200]
        raise SecAnalyzerError(f"Item {only.item_id} is absent from {file} ({only.reason.value}): {what_it_says}")
    click.echo(_as_text(extraction, item_ids))


# --- `segment` goes below (owned by the segmentation engineer) ---


def _risk_factors_as_text(risk_factors: list[RiskFactor]) -> str:
    parts = []
    for risk in risk_factors:
        where = f"{risk.category} | " if risk.category else ""
        parts.append(f"=== {risk.ordinal}. {where}{risk.heading} ===\n{risk.text}")
    return "\n\n".join(parts)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option()
def segment(file: Path, output_format: str) -> None:
    """Split the Item 1A of an HTML (or plain-text) 10-K into its risk factors.

    JSON is a list of objects (ordinal, heading, category, is_general_risk, start_offset and
    end_offset into the cleaned Item 1A text, text, features). A filing without Item 1A text
    prints one line with the absence reason on stderr and exits with status 1.
    """
    from sec_analyzer.preprocessing.segmenter import segment_document

    risk_factors = segment_document(parse_file(file)).risk_factors
    if output_format == "json":
        click.echo(json.dumps([dataclasses.asdict(risk) for risk in risk_factors], ensure_ascii=False))
        return
    click.echo(_risk_factors_as_text(risk_factors))
