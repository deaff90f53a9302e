"""One contract, three stores: the SQL filing index on SQLite and PostgreSQL, and MongoDB."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest

from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.filing_index_repo import (
    FilingIndex,
    FilingIndexError,
    MongoFilingIndex,
    SqlFilingIndex,
    filing_index_from_settings,
)
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer_tests.servers import free_port
from sec_analyzer_tests.storage import samples


@pytest.fixture(params=["sql-sqlite", "sql-postgres", "mongodb"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FilingIndex]:
    if request.param == "mongodb":
        uri: str = request.getfixturevalue("mongodb_uri")
        mongo = MongoFilingIndex(uri, f"test_{uuid.uuid4().hex[:12]}")
        yield mongo
        mongo.close()
        return
    url = (
        f"sqlite:///{tmp_path / 'results.db'}"
        if request.param == "sql-sqlite"
        else request.getfixturevalue("postgres_url")
    )
    upgrade_to_head(url)
    engine = create_db_engine(url)
    yield SqlFilingIndex(engine)
    engine.dispose()


def test_a_new_record_reads_back_as_written_with_no_stages(index: FilingIndex) -> None:
    record = dataclasses.replace(samples.index_record(), raw_uri="s3://bucket/raw/a.html", raw_size=10)
    index.upsert(record)
    assert index.get(samples.ACCESSION) == record
    assert index.get("0000000000-00-000000") is None


def test_upserting_again_updates_metadata_and_keeps_stage_statuses(index: FilingIndex) -> None:
    index.upsert(samples.index_record())
    index.set_stage_status(samples.ACCESSION, "raw_filing", "succeeded")
    index.set_stage_status(samples.ACCESSION, "item_1a", "failed", "no Item 1A heading")

    index.upsert(dataclasses.replace(samples.index_record(), raw_sha256="cd" * 32, company_name="Apple"))

    stored = index.get(samples.ACCESSION)
    assert stored is not None
    assert (stored.raw_sha256, stored.company_name) == ("cd" * 32, "Apple")
    assert {stage: status.status for stage, status in stored.stages.items()} == {
        "item_1a": "failed",
        "raw_filing": "succeeded",
    }
    assert stored.stages["item_1a"].detail == "no Item 1A heading"
    assert index.accession_numbers() == {samples.ACCESSION}


def test_a_stage_update_replaces_only_that_stage(index: FilingIndex) -> None:
    index.upsert(samples.index_record())
    started = datetime.now(UTC) - timedelta(seconds=1)
    index.set_stage_status(samples.ACCESSION, "raw_filing", "succeeded")
    index.set_stage_status(samples.ACCESSION, "risk_segments", "running")
    index.set_stage_status(samples.ACCESSION, "risk_segments", "blocked", "quality gate failed")

    stages = index.get(samples.ACCESSION).stages  # type: ignore[union-attr]
    assert stages["raw_filing"].status == "succeeded"
    assert (stages["risk_segments"].status, stages["risk_segments"].detail) == (
        "blocked",
        "quality gate failed",
    )
    assert started <= stages["risk_segments"].updated_at <= datetime.now(UTC)


def test_bad_stage_updates_are_refused(index: FilingIndex) -> None:
    with pytest.raises(FilingIndexError, match=r"not in the index \(upsert it first\)"):
        index.set_stage_status(samples.ACCESSION, "raw_filing", "succeeded")
    index.upsert(samples.index_record())
    with pytest.raises(FilingIndexError, match=r"stage status 'done' is not one of"):
        index.set_stage_status(samples.ACCESSION, "raw_filing", "done")
    with pytest.raises(FilingIndexError, match=r"stage name 'raw.filing'"):
        index.set_stage_status(samples.ACCESSION, "raw.filing", "succeeded")
    assert index.get(samples.ACCESSION).stages == {}  # type: ignore[union-attr]


def test_a_record_whose_partition_key_disagrees_with_it_is_refused(index: FilingIndex) -> None:
    with pytest.raises(FilingIndexError, match=r"does not match ticker AAPL and fiscal year 2024"):
        index.upsert(dataclasses.replace(samples.index_record(), partition_key="MSFT-2024"))
    assert index.accession_numbers() == set()


def test_records_are_unique_on_accession_and_found_by_ticker_and_year(index: FilingIndex) -> None:
    index.upsert(samples.index_record())
    index.upsert(samples.index_record())
    index.upsert(samples.index_record("0000320193-23-000106", fiscal_year=2023))
    index.upsert(
        dataclasses.replace(samples.index_record("0001067983-24-000006", ticker="BRK-B"), cik=1067983)
    )

    assert index.accession_numbers() == {
        "0000320193-24-000123",
        "0000320193-23-000106",
        "0001067983-24-000006",
    }
    assert [record.fiscal_year for record in index.find(ticker="aapl")] == [2023, 2024]
    assert [record.ticker for record in index.find(fiscal_year=2024)] == ["AAPL", "BRK-B"]
    assert [record.accession_number for record in index.find(ticker="BRK.B", fiscal_year=2024)] == [
        "0001067983-24-000006"
    ]
    assert [record.accession_number for record in index.find(partition_key="AAPL-2023")] == [
        "0000320193-23-000106"
    ]
    assert index.find(ticker="MSFT") == []
    assert len(index.find()) == 3


def test_mongodb_enforces_unique_accession_numbers_itself(mongodb_uri: str) -> None:
    database = f"test_{uuid.uuid4().hex[:12]}"
    MongoFilingIndex(mongodb_uri, database).close()
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongodb_uri)
    try:
        collection = client[database]["filing_index"]
        collection.insert_one({"accession_number": samples.ACCESSION})
        with pytest.raises(pymongo.errors.DuplicateKeyError):
            collection.insert_one({"accession_number": samples.ACCESSION})
    finally:
        client.close()


def test_settings_choose_the_backend(mongodb_uri: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        without_mongodb = get_settings().model_copy(update={"database_url": url, "mongodb_uri": None})
        assert isinstance(filing_index_from_settings(without_mongodb, engine), SqlFilingIndex)
        with_mongodb = without_mongodb.model_copy(
            update={"mongodb_uri": mongodb_uri, "mongodb_database": "test_settings"}
        )
        chosen = filing_index_from_settings(with_mongodb, engine)
        assert isinstance(chosen, MongoFilingIndex)
        chosen.close()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "uri",
    [
        f"mongodb://127.0.0.1:{free_port()}/?directConnection=true&serverSelectionTimeoutMS=300",
        "mongodb://[not-a-host",
        "http://127.0.0.1:27017",
    ],
)
def test_an_unreachable_or_malformed_mongodb_uri_is_a_clear_error(uri: str) -> None:
    with pytest.raises(FilingIndexError, match=r"check MONGODB_URI"):
        MongoFilingIndex(uri, "sec_analyzer")
