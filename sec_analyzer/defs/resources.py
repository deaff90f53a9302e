"""Resources: how assets reach EDGAR, the raw-filing store, stage artifacts, the filing index
and the results database. Values come from `sec_analyzer.settings` (configs/ + environment);
fields here only override them, which tests use to point at their own servers."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import PrivateAttr

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sec_analyzer.acquisition.edgar_client import EdgarClient
    from sec_analyzer.acquisition.raw_store import RawStore
    from sec_analyzer.storage.filing_index_repo import FilingIndex
    from sec_analyzer.storage.results_repo import ResultsRepository


class PlatformResource(dg.ConfigurableResource):
    """Settings overrides shared by every store; empty fields fall back to configs/ and env."""

    data_dir: str | None = None
    database_url: str | None = None
    mongodb_uri: str | None = None
    edgar_base_url: str | None = None
    edgar_data_url: str | None = None

    _engine: Any = PrivateAttr(default=None)

    @cached_property
    def settings(self) -> Settings:
        overrides = {name: value for name, value in self._overrides().items() if value is not None}
        return get_settings().model_copy(update=overrides)

    def _overrides(self) -> dict[str, Any]:
        return {
            "data_dir": Path(self.data_dir) if self.data_dir else None,
            "database_url": self.database_url,
            "mongodb_uri": self.mongodb_uri,
            "edgar_base_url": self.edgar_base_url,
            "edgar_data_url": self.edgar_data_url,
        }

    def edgar_client(self) -> EdgarClient:
        from sec_analyzer.acquisition.edgar_client import EdgarClient

        return EdgarClient.from_settings(self.settings)

    def raw_store(self) -> RawStore:
        from sec_analyzer.acquisition.raw_store import raw_store_from_settings

        if self.settings.raw_store != "s3":
            return raw_store_from_settings(self.settings)
        from dagster_aws.s3 import S3Resource

        s3 = S3Resource(endpoint_url=self.settings.s3_endpoint_url, region_name=self.settings.s3_region)
        return raw_store_from_settings(self.settings, s3_client=s3.get_client())

    def artifacts(self) -> ArtifactStore:
        return ArtifactStore(self.settings.artifacts_dir)

    def engine(self) -> Engine:
        """The results database, checked once to be at the code's schema revision before any use."""
        if self._engine is None:
            from sec_analyzer.storage.db_clients import create_db_engine
            from sec_analyzer.storage.schema import ensure_schema_current

            engine = create_db_engine(self.settings.resolved_database_url)
            ensure_schema_current(engine)
            self._engine = engine
        return self._engine

    def results(self) -> ResultsRepository:
        from sec_analyzer.storage.results_repo import ResultsRepository

        return ResultsRepository(self.engine())

    def filing_index(self) -> FilingIndex:
        from sec_analyzer.storage.filing_index_repo import filing_index_from_settings

        return filing_index_from_settings(self.settings, self.engine())
