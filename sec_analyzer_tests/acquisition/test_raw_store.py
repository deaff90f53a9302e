"""The content-addressed raw store: local folder and S3 (a real moto server)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sec_analyzer.acquisition.raw_store import (
    STALE_PARTIAL_SECONDS,
    LocalRawStore,
    RawIntegrityError,
    RawObjectNotFoundError,
    RawStoreError,
    S3RawStore,
    raw_store_from_settings,
    sha256_hex,
)
from sec_analyzer.errors import ConfigurationError
from sec_analyzer.settings import Settings

DOCUMENT = b"<html><body>ITEM 1A. RISK FACTORS</body></html>"


def test_local_put_is_content_addressed_read_only_and_idempotent(tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path)
    first = store.put(DOCUMENT)
    second = store.put(DOCUMENT)
    assert first == second
    assert first.sha256 == sha256_hex(DOCUMENT) and first.size == len(DOCUMENT)
    path = tmp_path / "sha256" / first.sha256[:2] / f"{first.sha256}.html"
    assert first.uri == path.as_uri()
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]
    assert store.get(first.uri) == DOCUMENT
    assert store.get(first.sha256) == DOCUMENT
    assert store.exists(first.sha256)
    assert not store.exists(sha256_hex(b"other"))


def test_local_get_of_unknown_objects_raises_typed_errors(tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path)
    with pytest.raises(RawObjectNotFoundError, match="no raw object"):
        store.get(sha256_hex(b"missing"))
    with pytest.raises(RawObjectNotFoundError, match="neither"):
        store.get("not-a-hash")
    with pytest.raises(RawObjectNotFoundError, match="not an object of the raw store"):
        store.get((tmp_path.parent / "elsewhere.html").as_uri())
    with pytest.raises(RawStoreError, match="invalid file suffix"):
        store.put(DOCUMENT, suffix="html/../../x")


def test_local_corruption_is_detected_on_read(tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path)
    stored = store.put(DOCUMENT)
    path = Path(stored.uri.removeprefix("file://"))
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(RawIntegrityError, match="corrupt"):
        store.get(stored.uri)


def test_failure_between_write_and_rename_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalRawStore(tmp_path)

    def crash(source: str, target: str) -> None:
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk vanished"):
        store.put(DOCUMENT)
    monkeypatch.undo()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not store.exists(sha256_hex(DOCUMENT))
    assert store.get(store.put(DOCUMENT).uri) == DOCUMENT


def test_a_writer_killed_mid_write_leaves_no_object_under_a_real_key(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        from sec_analyzer.acquisition.raw_store import LocalRawStore

        def die(source, target):
            os.kill(os.getpid(), signal.SIGKILL)

        os.replace = die
        LocalRawStore(Path(sys.argv[1])).put(sys.stdin.buffer.read())
        """
    )
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path)], input=DOCUMENT, check=False)
    assert killed.returncode == -signal.SIGKILL
    store = LocalRawStore(tmp_path)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.name.startswith(".partial-") for p in leftovers) and leftovers
    assert not store.exists(sha256_hex(DOCUMENT))
    with pytest.raises(RawObjectNotFoundError):
        store.get(sha256_hex(DOCUMENT))
    long_ago = time.time() - STALE_PARTIAL_SECONDS - 1
    for leftover in leftovers:
        os.utime(leftover, (long_ago, long_ago))
    assert store.get(store.put(DOCUMENT).sha256) == DOCUMENT
    assert [p.name for p in tmp_path.rglob(".partial-*")] == [], "the next write sweeps stale leftovers"


def test_local_records_round_trip_and_replace(tmp_path: Path) -> None:
    store = LocalRawStore(tmp_path)
    assert store.get_record("accession/0000320193-24-000123") is None
    store.put_record("accession/0000320193-24-000123", {"sha256": "a", "fiscal_year": 2024})
    store.put_record("accession/0000320193-24-000123", {"sha256": "b", "fiscal_year": 2024})
    assert store.get_record("accession/0000320193-24-000123") == {"sha256": "b", "fiscal_year": 2024}
    with pytest.raises(RawStoreError, match="invalid record name"):
        store.put_record("../escape", {})


@pytest.fixture
def s3_client(s3_endpoint_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return boto3.client("s3", endpoint_url=s3_endpoint_url, region_name="us-east-1")


@pytest.fixture
def bucket(s3_client: Any) -> Iterator[str]:
    name = f"raw-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    yield name


def _keys(s3_client: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_s3_put_is_content_addressed_and_idempotent(s3_client: Any, bucket: str) -> None:
    store = S3RawStore(s3_client, bucket, "team/")
    first = store.put(DOCUMENT)
    assert store.put(DOCUMENT) == first
    key = f"team/raw/sha256/{first.sha256[:2]}/{first.sha256}.html"
    assert first.uri == f"s3://{bucket}/{key}"
    assert _keys(s3_client, bucket) == [key]
    assert s3_client.head_object(Bucket=bucket, Key=key)["ContentType"] == "text/html"
    assert store.get(first.uri) == DOCUMENT
    assert store.get(first.sha256) == DOCUMENT
    assert store.exists(first.sha256) and not store.exists(sha256_hex(b"other"))


def test_s3_never_overwrites_and_detects_corruption(s3_client: Any, bucket: str) -> None:
    store = S3RawStore(s3_client, bucket, "")
    stored = store.put(DOCUMENT)
    key = stored.uri.removeprefix(f"s3://{bucket}/")
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"tampered")
    with pytest.raises(RawIntegrityError, match="corrupt"):
        store.get(stored.uri)
    assert store.put(DOCUMENT) == stored  # present already: left alone, not rewritten
    with pytest.raises(RawObjectNotFoundError):
        store.get(sha256_hex(b"missing"))
    with pytest.raises(RawObjectNotFoundError):
        store.get(f"s3://another-bucket/{key}")


def test_s3_records_round_trip(s3_client: Any, bucket: str) -> None:
    store = S3RawStore(s3_client, bucket, "p")
    assert store.get_record("accession/0001045810-24-000029") is None
    store.put_record("accession/0001045810-24-000029", {"sha256": "x"})
    assert store.get_record("accession/0001045810-24-000029") == {"sha256": "x"}
    assert _keys(s3_client, bucket) == ["p/raw/records/accession/0001045810-24-000029.json"]


def test_store_from_settings_builds_local_and_s3_stores(
    tmp_path: Path, s3_endpoint_url: str, s3_client: Any, bucket: str
) -> None:
    local = raw_store_from_settings(Settings.model_validate({"data_dir": tmp_path}))
    assert isinstance(local, LocalRawStore) and local.root == (tmp_path / "raw").resolve()

    s3 = raw_store_from_settings(
        Settings.model_validate(
            {"raw_store": "s3", "s3_bucket": bucket, "s3_prefix": "sa", "s3_endpoint_url": s3_endpoint_url}
        )
    )
    stored = s3.put(DOCUMENT)
    assert stored.uri.startswith(f"s3://{bucket}/sa/raw/sha256/")
    assert S3RawStore(s3_client, bucket, "sa").get(stored.sha256) == DOCUMENT

    with pytest.raises(ConfigurationError, match="SEC_ANALYZER_S3_BUCKET"):
        raw_store_from_settings(Settings.model_validate({"raw_store": "s3"}))
