"""Resources, one per concern: EDGAR, the raw-filing store, stage artifacts, the results database,
the filing index, the embedding model and the model registry.

Each is a `ConfigurableResource` whose empty fields fall back to `sec_analyzer.settings`
(configs/settings.yaml, then the environment). Two resource sets exist, chosen by
`SEC_ANALYZER_DEPLOYMENT`: `local` (the default: every value from settings, so a fresh checkout
runs on SQLite and local files) and `production` (connection secrets bound with `dg.EnvVar`, so
the UI and run config show the variable's name, never its value, and a missing one fails at load).
Tests override a field to point a resource at their own server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import PrivateAttr

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.errors import ConfigurationError
from sec_analyzer.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.raw_store import RawStore
    from sec_analyzer.analysis.embedding import Embedder
    from sec_analyzer.registry.manager import ModelRegistryManager
    from sec_analyzer.storage.filing_index_repo import FilingIndex
    from sec_analyzer.storage.results_repo import ResultsRepository

DEPLOYMENT_VARIABLE = "SEC_ANALYZER_DEPLOYMENT"


def _settings(**overrides: Any) -> Settings:
    given = {name: value for name, value in overrides.items() if value is not None}
    return get_settings().model_copy(update=given) if given else get_settings()


class EdgarResource(dg.ConfigurableResource):
    """EDGAR (or a local EDGAR): the client shares one rate limit with every process on the machine."""

    base_url: str | None = None
    data_url: str | None = None
    user_agent: str | None = None

    def client(self) -> EdgarClient:
        from sec_analyzer.acquisition.edgar_client import EdgarClient

        return EdgarClient.from_settings(_settings(
            edgar_base_url=self.base_url, edgar_data_url=self.data_url, edgar_user_agent=self.user_agent))


class ArtifactsResource(dg.ConfigurableResource):
    """Per-filing stage outputs under `<data_dir>/artifacts`."""

    data_dir: str | None = None

    def store(self) -> ArtifactStore:
        settings = _settings(data_dir=Path(self.data_dir) if self.data_dir else None)
        return ArtifactStore(settings.artifacts_dir)


class RawStoreResource(dg.ConfigurableResource):
    """Raw filings by content hash: a local folder, or S3 through dagster-aws's `S3Resource`."""

    data_dir: str | None = None
    kind: str | None = None  # local | s3
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None

    def store(self) -> RawStore:
        from sec_analyzer.acquisition.raw_store import raw_store_from_settings

        settings = _settings(data_dir=Path(self.data_dir) if self.data_dir else None, raw_store=self.kind,
                             s3_bucket=self.s3_bucket, s3_endpoint_url=self.s3_endpoint_url)
        if settings.raw_store != "s3":
            return raw_store_from_settings(settings)
        from dagster_aws.s3 import S3Resource

        s3 = S3Resource(endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region)
        return raw_store_from_settings(settings, s3_client=s3.get_client())


class ResultsDatabaseResource(dg.ConfigurableResource):
    """The results database (SQLite by default), checked once to be at the code's schema revision."""

    url: str | None = None
    data_dir: str | None = None

    _engine: Any = PrivateAttr(default=None)

    def engine(self) -> Engine:
        if self._engine is None:
            from sec_analyzer.storage.db_clients import create_db_engine
            from sec_analyzer.storage.schema import ensure_schema_current

            settings = _settings(database_url=self.url, data_dir=Path(self.data_dir) if self.data_dir else None)
            engine = create_db_engine(settings.resolved_database_url)
            ensure_schema_current(engine)
            self._engine = engine
        return self._engine

    def repository(self) -> ResultsRepository:
        from sec_analyzer.storage.results_repo import ResultsRepository

        return ResultsRepository(self.engine())


class FilingIndexResource(dg.ConfigurableResource):
    """Which filings exist and each stage's status per filing: MongoDB when configured, else the
    results database."""

    database: ResultsDatabaseResource
    mongodb_uri: str | None = None

    def index(self) -> FilingIndex:
        from sec_analyzer.storage.filing_index_repo import filing_index_from_settings

        return filing_index_from_settings(_settings(mongodb_uri=self.mongodb_uri), self.database.engine())


class EmbeddingModelResource(dg.ConfigurableResource):
    """all-MiniLM-L6-v2, loaded once per process; `precision` fast picks the quickest exact-enough path."""

    precision: str = "fast"

    def embedder(self) -> Embedder:
        from sec_analyzer.analysis.embedding import get_embedder

        return get_embedder(self.precision)


class ModelRegistryResource(dg.ConfigurableResource):
    """The model registry (configs/registry.yaml; `SEC_ANALYZER_REGISTRY_DIR` moves its root)."""

    root: str | None = None

    def manager(self) -> ModelRegistryManager:
        from sec_analyzer.registry.manager import ModelRegistryManager

        configured = ModelRegistryManager.from_config()
        return configured if self.root is None else ModelRegistryManager(Path(self.root), configured.gate)


def _local() -> dict[str, Any]:
    database = ResultsDatabaseResource()
    return {
        "edgar": EdgarResource(),
        "artifacts": ArtifactsResource(),
        "raw_store": RawStoreResource(),
        "results_database": database,
        "filing_index": FilingIndexResource(database=database),
        "embedding_model": EmbeddingModelResource(),
        "model_registry": ModelRegistryResource(),
    }


def _production() -> dict[str, Any]:
    database = ResultsDatabaseResource(url=dg.EnvVar("SEC_ANALYZER_DATABASE_URL"))
    return {
        **_local(),
        "results_database": database,
        "filing_index": FilingIndexResource(database=database, mongodb_uri=dg.EnvVar("MONGODB_URI")),
        "raw_store": RawStoreResource(kind="s3", s3_bucket=dg.EnvVar("SEC_ANALYZER_S3_BUCKET")),
    }


RESOURCE_SETS = {"local": _local, "production": _production}


def deployment_resources() -> dict[str, Any]:
    deployment = os.environ.get(DEPLOYMENT_VARIABLE, "local")
    if deployment not in RESOURCE_SETS:
        raise ConfigurationError(f"{DEPLOYMENT_VARIABLE}={deployment!r}: choose one of {', '.join(RESOURCE_SETS)}")
    return RESOURCE_SETS[deployment]()
