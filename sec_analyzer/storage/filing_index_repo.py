"""The filing index: one record per filing with its EDGAR metadata and each stage's status.

One interface, two backends: a table in the results database (the default) and a MongoDB
collection (when `MONGODB_URI` is set). Both are unique on the accession number. `upsert`
writes only the EDGAR metadata; stage statuses change only through `set_stage_status`, one
stage at a time, so stages running concurrently never overwrite each other's status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from pymongo import ASCENDING, MongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sec_analyzer.domain import normalize_ticker
from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.settings import Settings
from sec_analyzer.storage.db_clients import as_utc, session_scope, upsert_rows
from sec_analyzer.storage.schema import ensure_schema_current
from sec_analyzer.storage.tables import STAGE_STATUSES, FilingIndexRow, FilingStageRow
from sec_analyzer.storage.validation import filing_identity_problems

# Stage names become MongoDB field paths (`stages.<stage>`), where dots and dollars mean something.
STAGE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MONGODB_COLLECTION = "filing_index"
_METADATA_FIELDS = (
    "partition_key",
    "ticker",
    "cik",
    "company_name",
    "form",
    "fiscal_year",
    "filing_date",
    "report_date",
    "url",
    "raw_uri",
    "raw_sha256",
    "raw_size",
)


class FilingIndexError(SecAnalyzerError):
    """A filing-index request that cannot be carried out; nothing was changed."""


@dataclass(frozen=True)
class StageStatus:
    status: str
    detail: str | None
    updated_at: datetime


@dataclass
class FilingIndexRecord:
    accession_number: str
    partition_key: str
    ticker: str
    cik: int
    company_name: str
    form: str
    fiscal_year: int
    filing_date: date
    report_date: date | None
    url: str
    raw_uri: str | None = None
    raw_sha256: str | None = None
    raw_size: int | None = None
    stages: dict[str, StageStatus] = field(default_factory=dict)


class FilingIndex(Protocol):
    def upsert(self, record: FilingIndexRecord) -> None:
        """Insert or update the filing's metadata; its stage statuses stay as they are."""

    def set_stage_status(
        self, accession_number: str, stage: str, status: str, detail: str | None = None
    ) -> None:
        """Record where `stage` stands for a filing already in the index."""

    def get(self, accession_number: str) -> FilingIndexRecord | None: ...

    def find(
        self, *, ticker: str | None = None, fiscal_year: int | None = None, partition_key: str | None = None
    ) -> list[FilingIndexRecord]:
        """Matching filings, ordered by ticker, fiscal year and accession number."""

    def accession_numbers(self) -> set[str]: ...

    def close(self) -> None: ...


class SqlFilingIndex:
    """The `filing_index` and `filing_index_stages` tables of the results database."""

    def __init__(self, engine: Engine) -> None:
        ensure_schema_current(engine)
        self._engine = engine

    def upsert(self, record: FilingIndexRecord) -> None:
        values = _metadata(record)
        with session_scope(self._engine) as session:
            upsert_rows(
                session,
                FilingIndexRow,
                [{"accession_number": record.accession_number, **values}],
                key=["accession_number"],
            )

    def set_stage_status(
        self, accession_number: str, stage: str, status: str, detail: str | None = None
    ) -> None:
        _check_stage(stage, status)
        values = {"status": status, "detail": detail, "updated_at": _now()}
        with session_scope(self._engine) as session:
            if session.get(FilingIndexRow, accession_number) is None:
                raise _unknown_filing(accession_number, stage)
            upsert_rows(
                session,
                FilingStageRow,
                [{"accession_number": accession_number, "stage": stage, **values}],
                key=["accession_number", "stage"],
            )

    def get(self, accession_number: str) -> FilingIndexRecord | None:
        found = self._select(FilingIndexRow.accession_number == accession_number)
        return found[0] if found else None

    def find(
        self, *, ticker: str | None = None, fiscal_year: int | None = None, partition_key: str | None = None
    ) -> list[FilingIndexRecord]:
        conditions: list[Any] = []
        if ticker is not None:
            conditions.append(FilingIndexRow.ticker == normalize_ticker(ticker))
        if fiscal_year is not None:
            conditions.append(FilingIndexRow.fiscal_year == fiscal_year)
        if partition_key is not None:
            conditions.append(FilingIndexRow.partition_key == partition_key)
        return self._select(*conditions)

    def accession_numbers(self) -> set[str]:
        with self._engine.connect() as connection:
            return set(connection.execute(select(FilingIndexRow.accession_number)).scalars())

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""

    def _select(self, *conditions: Any) -> list[FilingIndexRecord]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(FilingIndexRow)
                .where(*conditions)
                .order_by(FilingIndexRow.ticker, FilingIndexRow.fiscal_year, FilingIndexRow.accession_number)
            ).all()
            if not rows:
                return []
            stages: dict[str, dict[str, StageStatus]] = {row.accession_number: {} for row in rows}
            for stage_row in session.scalars(
                select(FilingStageRow).where(FilingStageRow.accession_number.in_(stages))
            ):
                stages[stage_row.accession_number][stage_row.stage] = StageStatus(
                    status=stage_row.status, detail=stage_row.detail, updated_at=as_utc(stage_row.updated_at)
                )
            return [
                FilingIndexRecord(
                    accession_number=row.accession_number,
                    **{name: getattr(row, name) for name in _METADATA_FIELDS},
                    stages=dict(sorted(stages[row.accession_number].items())),
                )
                for row in rows
            ]


class MongoFilingIndex:
    """A `filing_index` collection: one document per filing, stages under `stages.<stage>`."""

    def __init__(self, uri: str, database: str) -> None:
        client: MongoClient[dict[str, Any]] | None = None
        try:
            # Timeouts and credentials come with the URI (e.g. `?serverSelectionTimeoutMS=5000`).
            client = MongoClient(uri, tz_aware=True)
            collection = client[database][MONGODB_COLLECTION]
            collection.create_index([("accession_number", ASCENDING)], unique=True)
            collection.create_index([("ticker", ASCENDING), ("fiscal_year", ASCENDING)])
            collection.create_index([("partition_key", ASCENDING)])
        except (PyMongoError, ValueError) as error:  # pymongo raises ValueError for some malformed URIs
            if client is not None:
                client.close()
            raise FilingIndexError(
                f"cannot use the MongoDB filing index (database {database!r}): {error}; "
                "check MONGODB_URI, or unset it to keep the filing index in the results database"
            ) from error
        self._client = client
        self._collection = collection

    def upsert(self, record: FilingIndexRecord) -> None:
        values = _metadata(record)
        values["filing_date"] = values["filing_date"].isoformat()
        values["report_date"] = values["report_date"].isoformat() if values["report_date"] else None
        update = {"$set": values, "$setOnInsert": {"stages": {}}}
        query = {"accession_number": record.accession_number}
        try:
            self._collection.update_one(query, update, upsert=True)
        except DuplicateKeyError:
            # Two first upserts of one filing raced; the loser now finds the document and updates it.
            self._collection.update_one(query, update, upsert=True)

    def set_stage_status(
        self, accession_number: str, stage: str, status: str, detail: str | None = None
    ) -> None:
        _check_stage(stage, status)
        result = self._collection.update_one(
            {"accession_number": accession_number},
            {"$set": {f"stages.{stage}": {"status": status, "detail": detail, "updated_at": _now()}}},
        )
        if result.matched_count == 0:
            raise _unknown_filing(accession_number, stage)

    def get(self, accession_number: str) -> FilingIndexRecord | None:
        document = self._collection.find_one({"accession_number": accession_number}, {"_id": 0})
        return _from_document(document) if document else None

    def find(
        self, *, ticker: str | None = None, fiscal_year: int | None = None, partition_key: str | None = None
    ) -> list[FilingIndexRecord]:
        query: dict[str, Any] = {}
        if ticker is not None:
            query["ticker"] = normalize_ticker(ticker)
        if fiscal_year is not None:
            query["fiscal_year"] = fiscal_year
        if partition_key is not None:
            query["partition_key"] = partition_key
        documents = self._collection.find(query, {"_id": 0}).sort(
            [("ticker", 1), ("fiscal_year", 1), ("accession_number", 1)]
        )
        return [_from_document(document) for document in documents]

    def accession_numbers(self) -> set[str]:
        return {
            document["accession_number"] for document in self._collection.find({}, {"accession_number": 1})
        }

    def close(self) -> None:
        self._client.close()


def filing_index_from_settings(settings: Settings, engine: Engine) -> FilingIndex:
    """MongoDB when `settings.mongodb_uri` is set, else the results database behind `engine`."""
    mongodb_uri = settings.resolved_mongodb_uri
    if mongodb_uri:
        return MongoFilingIndex(mongodb_uri, settings.mongodb_database)
    return SqlFilingIndex(engine)


def _metadata(record: FilingIndexRecord) -> dict[str, Any]:
    problems = filing_identity_problems(
        record.accession_number, record.partition_key, record.ticker, record.fiscal_year
    )
    if problems:
        raise FilingIndexError(f"refusing to index {record.accession_number}: " + "; ".join(problems))
    values = {name: getattr(record, name) for name in _METADATA_FIELDS}
    values["ticker"] = normalize_ticker(record.ticker)
    return values


def _from_document(document: dict[str, Any]) -> FilingIndexRecord:
    fields: dict[str, Any] = {name: document.get(name) for name in _METADATA_FIELDS}
    fields["filing_date"] = date.fromisoformat(document["filing_date"])
    fields["report_date"] = (
        date.fromisoformat(document["report_date"]) if document.get("report_date") else None
    )
    stages = {
        stage: StageStatus(status=value["status"], detail=value.get("detail"), updated_at=value["updated_at"])
        for stage, value in sorted(document.get("stages", {}).items())
    }
    return FilingIndexRecord(accession_number=document["accession_number"], stages=stages, **fields)


def _check_stage(stage: str, status: str) -> None:
    if not STAGE_NAME_PATTERN.match(stage):
        raise FilingIndexError(f"stage name {stage!r} must be lower-case letters, digits and underscores")
    if status not in STAGE_STATUSES:
        raise FilingIndexError(f"stage status {status!r} is not one of {', '.join(STAGE_STATUSES)}")


def _unknown_filing(accession_number: str, stage: str) -> FilingIndexError:
    return FilingIndexError(
        f"cannot set the {stage} status of {accession_number}: the filing is not in the index (upsert it first)"
    )


def _now() -> datetime:
    """Now, to the millisecond: MongoDB keeps no finer, and both backends must agree."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
