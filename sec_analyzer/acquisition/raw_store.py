"""Content-addressed, immutable storage of raw filing documents.

An object's key is derived from the SHA-256 of its bytes (`sha256/ab/abcdef….html`), so the
same document stored twice is one object, a stored object never changes, and every read can
be verified against its own name. Two backends implement the same `RawStore` protocol: a local
folder and an S3 bucket.

Besides content, a store keeps small mutable JSON records under deterministic names
(`put_record`/`get_record`). The fetch step uses them to remember which accession number
resolved to which object, so a re-run knows it already has a filing without asking EDGAR.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlparse

from sec_analyzer.atomic_files import write_atomically as shared_write_atomically
from sec_analyzer.errors import ConfigurationError, SecAnalyzerError

if TYPE_CHECKING:
    from sec_analyzer.settings import Settings

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_RECORD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}(/[A-Za-z0-9][A-Za-z0-9._-]{0,200})*$")
_PARTIAL_PREFIX = ".partial-"
# A temporary file this old belongs to a writer that was killed: a live write takes milliseconds.
STALE_PARTIAL_SECONDS = 600.0


class RawStoreError(SecAnalyzerError):
    """The raw store cannot serve or accept an object."""


class RawObjectNotFoundError(RawStoreError):
    """No stored object answers to the given URI or hash."""


class RawIntegrityError(RawStoreError):
    """A stored object's bytes do not hash to the name it is stored under."""


@dataclass(frozen=True)
class StoredObject:
    uri: str
    sha256: str
    size: int


class RawStore(Protocol):
    def put(self, content: bytes, *, suffix: str = ".html") -> StoredObject:
        """Store `content` under its hash; storing the same bytes again changes nothing."""
        ...

    def get(self, uri_or_sha: str) -> bytes:
        """The verified bytes of an object, by the URI `put` returned or by its SHA-256."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def put_record(self, name: str, record: Mapping[str, Any]) -> None:
        """Write (or replace) a small JSON record, e.g. `accession/0000320193-24-000123`."""
        ...

    def get_record(self, name: str) -> dict[str, Any] | None: ...


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def content_key(sha256: str, suffix: str) -> str:
    """The store-relative key of an object: `sha256/ab/abcdef….html`."""
    return f"sha256/{sha256[:2]}/{sha256}{suffix}"


def _check_suffix(suffix: str) -> None:
    if not _SUFFIX.match(suffix):
        raise RawStoreError(
            f"invalid file suffix {suffix!r}: expected a dot and 1-10 letters or digits, e.g. '.html'"
        )


def _check_record_name(name: str) -> None:
    if not _RECORD_NAME.match(name) or ".." in name:
        raise RawStoreError(
            f"invalid record name {name!r}: use letters, digits, '.', '_', '-' and '/' separators"
        )


def _verified(content: bytes, expected_sha256: str, where: str) -> bytes:
    actual = sha256_hex(content)
    if actual != expected_sha256:
        raise RawIntegrityError(f"{where} is corrupt: its bytes hash to {actual}, not {expected_sha256}")
    return content


class LocalRawStore:
    """Objects as read-only files under `root`; writes are atomic (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def put(self, content: bytes, *, suffix: str = ".html") -> StoredObject:
        _check_suffix(suffix)
        digest = sha256_hex(content)
        path = self.root / content_key(digest, suffix)
        if not self._holds(path, digest):
            write_atomically(path, content, read_only=True)  # replaces a corrupt copy
        return StoredObject(uri=path.as_uri(), sha256=digest, size=len(content))

    def get(self, uri_or_sha: str) -> bytes:
        path = self._locate(uri_or_sha)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise RawObjectNotFoundError(f"no raw object at {path}") from None
        return _verified(content, path.name.split(".", 1)[0], str(path))

    def exists(self, sha256: str) -> bool:
        return self._find_by_hash(sha256) is not None

    @staticmethod
    def _holds(path: Path, digest: str) -> bool:
        try:
            return sha256_hex(path.read_bytes()) == digest
        except FileNotFoundError:
            return False

    def put_record(self, name: str, record: Mapping[str, Any]) -> None:
        _check_record_name(name)
        write_atomically(
            self._record_path(name), json.dumps(record, sort_keys=True).encode(), read_only=False
        )

    def get_record(self, name: str) -> dict[str, Any] | None:
        _check_record_name(name)
        try:
            loaded: dict[str, Any] = json.loads(self._record_path(name).read_bytes())
        except FileNotFoundError:
            return None
        return loaded

    def _record_path(self, name: str) -> Path:
        return self.root / "records" / f"{name}.json"

    def _locate(self, uri_or_sha: str) -> Path:
        if uri_or_sha.startswith("file://"):
            path = Path(unquote(urlparse(uri_or_sha).path)).resolve()
            if not path.is_relative_to(self.root) or not _SHA256_HEX.match(path.name.split(".", 1)[0]):
                raise RawObjectNotFoundError(f"{uri_or_sha} is not an object of the raw store at {self.root}")
            return path
        found = self._find_by_hash(_require_sha(uri_or_sha))
        if found is None:
            raise RawObjectNotFoundError(f"no raw object with SHA-256 {uri_or_sha} in {self.root}")
        return found

    def _find_by_hash(self, sha256: str) -> Path | None:
        folder = self.root / "sha256" / sha256[:2]
        return next((path for path in folder.glob(f"{_require_sha(sha256)}.*")), None)


def _require_sha(value: str) -> str:
    if not _SHA256_HEX.match(value):
        raise RawObjectNotFoundError(f"{value!r} is neither a raw-store URI nor a SHA-256 hex digest")
    return value


def write_atomically(path: Path, content: bytes, *, read_only: bool) -> None:
    """Write to a temporary file beside `path`, then rename it into place.

    A process killed mid-write leaves at most a `.partial-*` file, which no lookup ever matches,
    never a truncated object under a real key; the next write into the same folder removes such
    leftovers once they are stale.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(path.parent)

    def durable_write(temporary: Path) -> None:
        with temporary.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if read_only:
            os.chmod(temporary, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)

    shared_write_atomically(path, durable_write, prefix=_PARTIAL_PREFIX)


def _remove_stale_partials(folder: Path) -> None:
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    for leftover in folder.glob(f"{_PARTIAL_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


class S3RawStore:
    """Objects in an S3 bucket, written only if absent and checked by S3 against their SHA-256."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def put(self, content: bytes, *, suffix: str = ".html") -> StoredObject:
        _check_suffix(suffix)
        digest = sha256_hex(content)
        key = self._key(content_key(digest, suffix))
        stored = StoredObject(uri=f"s3://{self.bucket}/{key}", sha256=digest, size=len(content))
        if self.exists(digest):
            return stored
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=content,
                IfNoneMatch="*",
                ChecksumSHA256=base64.b64encode(bytes.fromhex(digest)).decode("ascii"),
                ContentType=_content_type(suffix),
            )
        except ClientError as error:
            # 412: another writer stored the same bytes between our check and our write
            if error.response.get("Error", {}).get("Code") not in {"PreconditionFailed", "412"}:
                raise RawStoreError(f"cannot write {stored.uri}: {error}") from error
        return stored

    def get(self, uri_or_sha: str) -> bytes:
        key = self._resolve_key(uri_or_sha)
        from botocore.exceptions import ClientError

        try:
            content: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise RawObjectNotFoundError(f"no raw object at s3://{self.bucket}/{key}") from None
            raise RawStoreError(f"cannot read s3://{self.bucket}/{key}: {error}") from error
        return _verified(content, key.rsplit("/", 1)[-1].split(".", 1)[0], f"s3://{self.bucket}/{key}")

    def exists(self, sha256: str) -> bool:
        return self._find_key(_require_sha(sha256)) is not None

    def put_record(self, name: str, record: Mapping[str, Any]) -> None:
        _check_record_name(name)
        body = json.dumps(record, sort_keys=True).encode()
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(f"records/{name}.json"),
            Body=body,
            ContentType="application/json",
        )

    def get_record(self, name: str) -> dict[str, Any] | None:
        _check_record_name(name)
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(f"records/{name}.json"))[
                "Body"
            ].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise RawStoreError(f"cannot read record {name!r} from s3://{self.bucket}: {error}") from error
        loaded: dict[str, Any] = json.loads(body)
        return loaded

    def _key(self, relative: str) -> str:
        return f"{self.prefix}/raw/{relative}" if self.prefix else f"raw/{relative}"

    def _resolve_key(self, uri_or_sha: str) -> str:
        if uri_or_sha.startswith("s3://"):
            parsed = urlparse(uri_or_sha)
            key = parsed.path.lstrip("/")
            if parsed.netloc != self.bucket or not key.startswith(self._key("sha256/")):
                raise RawObjectNotFoundError(
                    f"{uri_or_sha} is not an object of the raw store at s3://{self.bucket}"
                )
            return key
        found = self._find_key(_require_sha(uri_or_sha))
        if found is None:
            raise RawObjectNotFoundError(f"no raw object with SHA-256 {uri_or_sha} in s3://{self.bucket}")
        return found

    def _find_key(self, sha256: str) -> str | None:
        listing = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=self._key(f"sha256/{sha256[:2]}/{sha256}."), MaxKeys=1
        )
        contents = listing.get("Contents") or []
        return str(contents[0]["Key"]) if contents else None


def _content_type(suffix: str) -> str:
    return {
        ".html": "text/html",
        ".htm": "text/html",
        ".json": "application/json",
        ".xml": "application/xml",
    }.get(suffix.lower(), "application/octet-stream")


def raw_store_from_settings(settings: Settings, *, s3_client: Any = None) -> RawStore:
    """The configured store: a local folder under the data directory, or S3.

    The orchestration layer passes the client of its S3 resource; without one, a boto3
    client is made here. AWS credentials are never read from settings: boto3 finds them in the
    environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).
    """
    if settings.raw_store == "local":
        return LocalRawStore(settings.raw_dir)
    if not settings.s3_bucket:
        raise ConfigurationError(
            "SEC_ANALYZER_RAW_STORE is 's3' but no bucket is configured: set SEC_ANALYZER_S3_BUCKET "
            "(and SEC_ANALYZER_S3_ENDPOINT_URL for a non-AWS endpoint)"
        )
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region)
    return S3RawStore(s3_client, settings.s3_bucket, settings.s3_prefix)
