"""The same pipeline with every store switched on by configuration: Dagster storage and results
in PostgreSQL, raw filings on S3 (through dagster-aws), the filing index in MongoDB."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import dagster as dg
import psycopg
import pymongo
import pytest

from sec_analyzer.defs.backfill import materialize_filings
from sec_analyzer.defs.instance import prepare_dagster_home
from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.results_repo import ResultsRepository
from sec_analyzer.storage.schema import upgrade_to_head
from sec_analyzer_tests.servers import postgres_database


def test_pipeline_on_postgres_s3_and_mongodb(platform_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             postgres_server_url: str, s3_endpoint_url: str,
                                             mongodb_uri: str) -> None:
    bucket, mongo_db = f"raw-{uuid.uuid4().hex[:8]}", f"index_{uuid.uuid4().hex[:8]}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket=bucket)
    with postgres_database(postgres_server_url) as results_url, postgres_database(postgres_server_url) as dagster_url:
        dagster_pg = dagster_url.replace("postgresql+psycopg://", "postgresql://")
        for name, value in {
            "DAGSTER_HOME": str(tmp_path / "pg_dagster_home"),
            "DAGSTER_POSTGRES_URL": dagster_pg,
            "SEC_ANALYZER_DATABASE_URL": results_url,
            "SEC_ANALYZER_RAW_STORE": "s3",
            "SEC_ANALYZER_S3_BUCKET": bucket,
            "SEC_ANALYZER_S3_ENDPOINT_URL": s3_endpoint_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "MONGODB_URI": mongodb_uri,
            "SEC_ANALYZER_MONGODB_DATABASE": mongo_db,
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        prepare_dagster_home()
        upgrade_to_head(results_url)

        with dg.DagsterInstance.get() as instance:
            runs = materialize_filings(instance, ["AAPL-2024"], progress=lambda _: None)
            assert runs[0].status == dg.DagsterRunStatus.SUCCESS

        with psycopg.connect(dagster_pg) as connection:
            assert connection.execute("select count(*) from runs").fetchone() == (1,)
        published = ResultsRepository(create_db_engine(results_url)).filing("0000320193-24-000123")
        assert published is not None and published["risk_factor_count"] >= 25
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert any(key.endswith(".htm") or key.endswith(".html") for key in keys), keys
        document = pymongo.MongoClient(mongodb_uri)[mongo_db]["filing_index"].find_one(
            {"accession_number": "0000320193-24-000123"})
        assert document is not None and document["partition_key"] == "AAPL-2024"
        assert document["stages"]["analysis_results"]["status"] == "succeeded"
        get_settings.cache_clear()
