"""Stage contracts: the one place that names each stage, its upstream and the artifacts it keeps.

A contract is plain data (no Dagster): the stage's name (also its asset name), the stage it
reads, the typed summary it records for every filing, and the per-filing artifacts it writes —
a table with a fixed column schema, or a document. Assets, checks, the publish step, the
backfill summary, the checks report and the benchmarks all go through these objects, so a stage
name or a column list is spelled here and nowhere else.

Adding a stage is one contract here (plus its summary model) and one thin asset in `defs/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


class StageStatus(StrEnum):
    """What a stage produced for one filing."""

    OK = "ok"
    ABSENT = "absent"  # the filing has no such content, for a stated reason (no Item 1A, ...)
    FAILED = "failed"  # the stage could not process this filing
    BLOCKED = "blocked"  # the quality gate stopped the filing before publishing


class ArtifactSchemaError(SecAnalyzerError):
    """A stage wrote or read a table whose columns are not the ones its contract names."""


# --------------------------------------------------------------------------- summaries


class StageSummary(BaseModel):
    """What every stage records for every filing; each stage adds its own fields."""

    model_config = ConfigDict(extra="forbid")

    status: StageStatus
    stage: str
    partition_key: str
    seconds: float = 0.0
    reason: str | None = None
    error_type: str | None = None
    carried_from: str | None = None  # the upstream stage whose outcome this filing carries

    @property
    def ok(self) -> bool:
        return self.status is StageStatus.OK


class RawFilingSummary(StageSummary):
    accession: str | None = None
    cik: int | None = None
    ticker: str | None = None
    company_name: str | None = None
    form: str | None = None
    filing_date: str | None = None
    report_date: str | None = None
    fiscal_year: int | None = None
    fiscal_year_source: str | None = None
    period_end: str | None = None
    document_type: str | None = None
    url: str | None = None
    raw_uri: str | None = None
    sha256: str | None = None
    size: int | None = None


class ParsedFilingSummary(StageSummary):
    elements: int | None = None
    document_type: str | None = None
    document_fiscal_year: int | None = None
    document_period_end: str | None = None


class ItemsSummary(StageSummary):
    item_1a_chars: int | None = None
    items_found: int | None = None
    located_by: str | None = None
    absent_reason: str | None = None
    preview: str | None = None


class CleanedTextSummary(StageSummary):
    chars: int | None = None
    paragraphs: int | None = None
    preview: str | None = None


class SegmentsSummary(StageSummary):
    risk_factors: int | None = None
    categories: int | None = None
    first_headings: str | None = None


class EmbeddingsSummary(StageSummary):
    risk_factors: int | None = None
    model: str | None = None
    model_version: str | None = None
    embedding_path: str | None = None
    dimension: int | None = None
    risks_per_second: float | None = None


class ClassificationsSummary(StageSummary):
    risk_factors: int | None = None
    model: str | None = None
    model_version: str | None = None
    primary_counts: dict[str, int] | None = None


class PublishSummary(StageSummary):
    risk_factors: int | None = None
    items: int | None = None
    new_filing: bool | None = None
    risk_factors_removed: int | None = None


class ChangesSummary(StageSummary):
    compared_with: int | None = None  # the previous fiscal year, when one is published
    unchanged: int | None = None
    modified: int | None = None
    new: int | None = None
    removed: int | None = None
    new_headings: list[str] | None = None
    closest_peers: list[dict[str, Any]] | None = None


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "string" | "int64" | "bool" | "float32_list"
    nullable: bool = False


_ARROW_TYPES = {"string": "string", "int64": "int64", "bool": "bool_"}


@dataclass(frozen=True)
class TableSchema:
    """The columns of a per-filing Parquet table, in order."""

    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def arrow(self) -> pa.Schema:
        import pyarrow as pa

        def arrow_type(dtype: str) -> pa.DataType:
            if dtype == "float32_list":
                return pa.list_(pa.float32())
            factory: Any = getattr(pa, _ARROW_TYPES[dtype])
            return factory()

        return pa.schema([pa.field(c.name, arrow_type(c.dtype), nullable=c.nullable) for c in self.columns])

    def empty_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(columns=list(self.names))

    def check(self, columns: Iterator[str] | list[str] | tuple[str, ...], what: str) -> None:
        actual = tuple(columns)
        if actual != self.names:
            raise ArtifactSchemaError(f"{what}: columns {list(actual)} are not the contract's {list(self.names)}")


ITEMS_TABLE = TableSchema((
    Column("item_id", "string"),
    Column("status", "string"),
    Column("title", "string", nullable=True),
    Column("text", "string", nullable=True),
    Column("char_count", "int64"),
    Column("absent_reason", "string", nullable=True),
    Column("detail", "string", nullable=True),
    Column("located_by", "string", nullable=True),
    Column("first_element", "int64", nullable=True),
    Column("last_element", "int64", nullable=True),
))

RISK_FACTORS_TABLE = TableSchema((
    Column("ordinal", "int64"),
    Column("heading", "string"),
    Column("category", "string", nullable=True),
    Column("text", "string"),
    Column("is_general_risk", "bool"),
    Column("start_offset", "int64"),
    Column("end_offset", "int64"),
    Column("features", "string"),  # JSON object of readability and tone figures
))

EMBEDDINGS_TABLE = TableSchema((
    Column("ordinal", "int64"),
    Column("vector", "float32_list"),
))

CLASSIFICATIONS_TABLE = TableSchema((
    Column("ordinal", "int64"),
    Column("primary_category", "string"),
    Column("labels", "string"),  # JSON list of {"category", "score"}, primary first
    Column("model_name", "string"),
    Column("model_version", "string"),
))


# --------------------------------------------------------------------------- contracts

SummaryT = TypeVar("SummaryT", bound=StageSummary)


@dataclass(frozen=True)
class StageContract(Generic[SummaryT]):
    """One stage: its name, upstream, per-filing summary type and artifacts."""

    name: str
    upstream: str | None
    summary_type: type[SummaryT]
    description: str
    table: TableSchema | None = None
    # A per-filing document that is not a table (parsed elements, cleaned text): its extension.
    document_extension: str | None = None

    # ---- summaries

    def summary(self, status: StageStatus, partition_key: str, **fields: Any) -> SummaryT:
        return self.summary_type(status=status, stage=self.name, partition_key=partition_key, **fields)

    def write_summary(self, store: ArtifactStore, summary: SummaryT) -> None:
        store.write_json(self.name, summary.partition_key, summary.model_dump(mode="json"))

    def read_summary(self, store: ArtifactStore, partition_key: str) -> SummaryT:
        """The recorded summary; a FAILED one that says so when the stage never ran for this filing."""
        if not store.exists(self.name, partition_key):
            return self.summary(StageStatus.FAILED, partition_key,
                                reason=f"{self.name} has not been materialized for {partition_key}")
        return self.summary_type.model_validate(store.read_json(self.name, partition_key))

    # ---- table

    def write_table(self, store: ArtifactStore, partition_key: str, frame: pd.DataFrame) -> None:
        schema = self._table_schema()
        schema.check(list(frame.columns), f"{self.name} {partition_key}")
        store.write_parquet(self.name, partition_key, frame)

    def read_table(self, store: ArtifactStore, partition_key: str) -> pd.DataFrame:
        schema = self._table_schema()
        frame = store.read_parquet(self.name, partition_key)
        schema.check(list(frame.columns), f"{self.name} {partition_key}")
        return frame

    def has_table(self, store: ArtifactStore, partition_key: str) -> bool:
        return store.exists(self.name, partition_key, "parquet")

    def table_fingerprint(self, store: ArtifactStore, partition_key: str) -> str | None:
        """SHA-256 of the stored table, or None; ties a verdict to the exact data it judged."""
        path = store.path(self.name, partition_key, "parquet")
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    def _table_schema(self) -> TableSchema:
        if self.table is None:
            raise ArtifactSchemaError(f"stage {self.name} keeps no table")
        return self.table

    # ---- document

    def document_path(self, store: ArtifactStore, partition_key: str) -> Any:
        if self.document_extension is None:
            raise ArtifactSchemaError(f"stage {self.name} keeps no document")
        return store.path(f"{self.name}_document", partition_key, self.document_extension)


RAW_FILING = StageContract(
    name="raw_filing",
    upstream=None,
    summary_type=RawFilingSummary,
    description=(
        "The 10-K primary document of the filing, fetched from EDGAR (politely: shared rate limit, "
        "retries) and stored immutably by content hash on local disk or S3. The fiscal year is "
        "confirmed from the document's inline XBRL cover tags. Re-runs do not re-download."
    ),
)

PARSED_FILING = StageContract(
    name="parsed_filing",
    upstream=RAW_FILING.name,
    summary_type=ParsedFilingSummary,
    document_extension="parquet",
    description=(
        "The filing as a typed list of semantic elements (prose blocks with their emphasis, tables, "
        "page furniture, page breaks), stored as Parquet so later stages never re-parse. Also reads "
        "the cover page: document type and fiscal year."
    ),
)

ITEMS = StageContract(
    name="item_1a",
    upstream=PARSED_FILING.name,
    summary_type=ItemsSummary,
    table=ITEMS_TABLE,
    description=(
        "Every top-level item of the 10-K (1, 1A, 1B, 1C, 2 … 16) located in the parsed document, "
        "Item 1A (Risk Factors) first: the real section, not the table of contents or an in-text "
        "reference, including 10-Ks laid out as annual reports (cross-reference index, section "
        "titles). Each found item says how it was located; an item that is not there is an "
        "explicit, typed absence with its reason, never an empty string."
    ),
)

CLEANED_TEXT = StageContract(
    name="cleaned_risk_text",
    upstream=ITEMS.name,
    summary_type=CleanedTextSummary,
    document_extension="json",
    description=(
        "Item 1A as clean text that keeps paragraph boundaries and heading emphasis: entities and "
        "non-breaking spaces, page numbers, running headers/footers, 'Table of Contents' back-links, "
        "hyphenation and bullet glyphs normalised."
    ),
)

RISK_SEGMENTS = StageContract(
    name="risk_segments",
    upstream=CLEANED_TEXT.name,
    summary_type=SegmentsSummary,
    table=RISK_FACTORS_TABLE,
    description=(
        "The individual risk factors of Item 1A: heading, body, category heading, ordinal, offsets "
        "into the cleaned text, the 'General Risk Factors' flag, readability and Loughran–McDonald "
        "tone. The risk-factor summary list and forward-looking-statement notes are not risks."
    ),
)

RISK_EMBEDDINGS = StageContract(
    name="risk_embeddings",
    upstream=RISK_SEGMENTS.name,
    summary_type=EmbeddingsSummary,
    table=EMBEDDINGS_TABLE,
    description=(
        "One unit-norm 384-dimension vector per risk factor (all-MiniLM-L6-v2, offline) over its "
        "heading and whole body; bodies longer than the model's window are embedded in overlapping "
        "windows pooled into one vector. Records the model, its version and the embedding path "
        "(OpenVINO bf16 where the CPU supports it, else torch fp32)."
    ),
)

RISK_CLASSIFICATIONS = StageContract(
    name="risk_classifications",
    upstream=RISK_EMBEDDINGS.name,
    summary_type=ClassificationsSummary,
    table=CLASSIFICATIONS_TABLE,
    description=(
        "Each risk factor's 1–3 categories of the risk taxonomy (configs/taxonomy.yaml) with "
        "scores and a primary, from the serving classifier; every row names the model and version."
    ),
)

PUBLISHED = StageContract(
    name="analysis_results",
    upstream=None,  # reads every stage of the filing, and only after the gate passed it
    summary_type=PublishSummary,
    description=(
        "Companies, filings, items, risk factors, vectors and classifications in the results "
        "database (SQLite by default, PostgreSQL by configuration). Only filings whose quality "
        "verdict passed are written; each filing is replaced in one transaction, so re-running "
        "never duplicates rows and a killed run never leaves half a filing."
    ),
)

RISK_CHANGES = StageContract(
    name="risk_changes",
    upstream=PUBLISHED.name,
    summary_type=ChangesSummary,
    description=(
        "Year over year: every risk of the filing and of the company's previous fiscal year accounted "
        "for once as UNCHANGED, MODIFIED (with a word diff), NEW or REMOVED (with merge/split partners), "
        "stored in the results database; the similarity index updated with the filing's vectors, and "
        "the closest risk of another company for the filing's leading risks."
    ),
)

# Pipeline order: what `make run`, backfills and the sensor's runs materialize.
PIPELINE: tuple[StageContract[Any], ...] = (
    RAW_FILING, PARSED_FILING, ITEMS, CLEANED_TEXT, RISK_SEGMENTS, RISK_EMBEDDINGS, RISK_CLASSIFICATIONS,
    PUBLISHED, RISK_CHANGES,
)
STAGES: dict[str, StageContract[Any]] = {contract.name: contract for contract in PIPELINE}
# The stage whose output the quality gate guards (its checks are attached to this asset).
GATED_STAGE = RISK_CLASSIFICATIONS
