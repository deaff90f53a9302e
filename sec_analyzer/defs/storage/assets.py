"""analysis_results: publishes each filing that passed the quality gate to the results database."""

import json
from datetime import date
from typing import Any

import dagster as dg

from sec_analyzer.defs.batch import BLOCKED, OK, StageOutcome, run_stage, upstream_summary
from sec_analyzer.defs.partitions import batched, filings_partitions
from sec_analyzer.defs.quality.checks import VERDICT_STAGE, segments_fingerprint
from sec_analyzer.defs.resources import PlatformResource
from sec_analyzer.domain import RiskFactor


@dg.asset(
    partitions_def=filings_partitions,
    backfill_policy=batched,
    group_name="publish",
    deps=["risk_segments"],
    kinds={"python", "sql"},
    description=(
        "Companies, filings, items and risk factors in the results database (SQLite by default, "
        "PostgreSQL when SEC_ANALYZER_DATABASE_URL says so). Only filings whose quality verdict "
        "passed are written; each filing is replaced in one transaction, so re-running never "
        "duplicates rows and a killed run never leaves half a filing."
    ),
)
def analysis_results(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    from sec_analyzer.storage.results_repo import FilingRecord, ItemRecord

    artifacts = platform.artifacts()
    repository = platform.results()
    index = platform.filing_index()

    def publish(key: str, _: dict[str, Any]) -> StageOutcome:
        raw = upstream_summary(artifacts, "raw_filing", key)
        verdict = artifacts.read_json(VERDICT_STAGE, key) if artifacts.exists(VERDICT_STAGE, key) else None
        reason = _blocking_reason(verdict, segments_fingerprint(artifacts, key))
        if reason:
            return StageOutcome(BLOCKED, {"reason": reason})
        items = artifacts.read_parquet("item_1a", key)
        segments = artifacts.read_parquet("risk_segments", key)
        filing = FilingRecord(
            partition_key=key, accession_number=raw["accession"], cik=raw["cik"], ticker=raw["ticker"],
            company_name=raw["company_name"], form=raw["form"], fiscal_year=raw["fiscal_year"],
            filing_date=date.fromisoformat(raw["filing_date"]),
            report_date=date.fromisoformat(raw["report_date"]) if raw.get("report_date") else None,
            period_end=date.fromisoformat(raw["period_end"]) if raw.get("period_end") else None,
            url=raw["url"], raw_uri=raw["raw_uri"], raw_sha256=raw["sha256"], raw_size=raw["size"],
        )
        item_records = [
            ItemRecord(item_id=row.item_id, status=row.status, title=row.title, char_count=int(row.char_count),
                       absent_reason=row.absent_reason, detail=row.detail)
            for row in items.itertuples()
        ]
        risks = [
            RiskFactor(ordinal=int(row.ordinal), heading=row.heading, text=row.text, category=row.category,
                       is_general_risk=bool(row.is_general_risk), start_offset=int(row.start_offset),
                       end_offset=int(row.end_offset), features=json.loads(row.features))
            for row in segments.itertuples()
        ]
        summary = repository.publish_filing(filing, item_records, risks)
        return StageOutcome(OK, {"risk_factors": len(risks), "items": len(item_records),
                                 "new_filing": summary.created,
                                 "risk_factors_removed": summary.removed_risk_factor_count})

    return run_stage(context, artifacts, "analysis_results", publish, filing_index=index,
                     preview_fields=("risk_factors", "items", "new_filing", "risk_factors_removed"))


def _blocking_reason(verdict: dict | None, fingerprint: str | None) -> str | None:
    if verdict is None:
        return "no quality verdict: the gate has not judged this filing"
    if not verdict["passed"]:
        return "blocked by the quality gate: " + "; ".join(verdict["blocking_failures"])
    if verdict["segments_fingerprint"] != fingerprint:
        return "the quality verdict is stale: risk_segments changed after it was judged"
    return None
