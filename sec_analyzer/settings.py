"""Typed settings: `configs/settings.yaml`, overridden by environment variables.

Secrets (database passwords inside URLs, AWS keys, MongoDB credentials) come only from the
environment; the YAML file holds defaults that are safe to commit. The database URL and the
MongoDB URI are held as `SecretStr`, so a printed or logged `Settings` shows `**********`; the
code that connects asks `resolved_database_url` / `resolved_mongodb_uri` for the real value,
and anything shown to a person goes through `sec_analyzer.redaction.masked_url`. AWS keys are
never read by this package: boto3 takes them from its own credential chain (environment,
profile, instance role), so they cannot reach a log or the Dagster run config through us.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    YamlConfigSettingsSource,
)

from sec_analyzer.errors import ConfigurationError
from sec_analyzer.redaction import masked_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def config_dir() -> Path:
    """`SEC_ANALYZER_CONFIG_DIR`, else `./configs`, else the repository's `configs/`."""
    explicit = os.environ.get("SEC_ANALYZER_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    local = Path.cwd() / "configs"
    return local if local.is_dir() else PROJECT_ROOT / "configs"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def _list_from_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [part.strip() for part in value.split(",") if part.strip()]


# Lists come as YAML lists from settings.yaml and from the environment as `AAPL,MSFT` (what people
# type) or a JSON list; pydantic-settings alone would accept only JSON, with a stack trace otherwise.
TextList = Annotated[list[str], NoDecode, BeforeValidator(_list_from_text)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # EDGAR
    edgar_user_agent: str | None = Field(None, validation_alias=_env("EDGAR_USER_AGENT", "edgar_user_agent"))
    edgar_base_url: str = Field("https://www.sec.gov", validation_alias=_env("EDGAR_BASE_URL", "edgar_base_url"))
    edgar_data_url: str = Field("https://data.sec.gov", validation_alias=_env("EDGAR_DATA_URL", "edgar_data_url"))
    edgar_requests_per_second: float = Field(
        8.0, gt=0, le=10, validation_alias=_env("EDGAR_REQUESTS_PER_SECOND", "edgar_requests_per_second")
    )
    edgar_max_retries: int = Field(5, ge=0, validation_alias=_env("EDGAR_MAX_RETRIES", "edgar_max_retries"))
    edgar_timeout_seconds: float = Field(
        30.0, gt=0, validation_alias=_env("EDGAR_TIMEOUT_SECONDS", "edgar_timeout_seconds")
    )
    edgar_rate_limit_pause_seconds: float = Field(
        600.0, ge=0, validation_alias=_env("EDGAR_RATE_LIMIT_PAUSE_SECONDS", "edgar_rate_limit_pause_seconds")
    )
    edgar_mirror_dir: Path | None = Field(None, validation_alias=_env("EDGAR_MIRROR_DIR", "edgar_mirror_dir"))
    edgar_max_response_bytes: int = Field(
        256 * 1024 * 1024, gt=0, validation_alias=_env("EDGAR_MAX_RESPONSE_BYTES", "edgar_max_response_bytes")
    )
    # What one filing may cost the parser; the largest real 10-K primary documents are ~100 MB.
    max_document_bytes: int = Field(
        150_000_000, gt=0, validation_alias=_env("SEC_ANALYZER_MAX_DOCUMENT_BYTES", "max_document_bytes")
    )

    # Stores
    data_dir: Path = Field(Path("data"), validation_alias=_env("SEC_ANALYZER_DATA_DIR", "data_dir"))
    database_url: SecretStr | None = Field(
        None, validation_alias=_env("SEC_ANALYZER_DATABASE_URL", "database_url")
    )
    raw_store: Literal["local", "s3"] = Field("local", validation_alias=_env("SEC_ANALYZER_RAW_STORE", "raw_store"))
    s3_bucket: str | None = Field(None, validation_alias=_env("SEC_ANALYZER_S3_BUCKET", "s3_bucket"))
    s3_prefix: str = Field("sec-analyzer", validation_alias=_env("SEC_ANALYZER_S3_PREFIX", "s3_prefix"))
    s3_endpoint_url: str | None = Field(
        None, validation_alias=_env("SEC_ANALYZER_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "s3_endpoint_url")
    )
    s3_region: str = Field("us-east-1", validation_alias=_env("AWS_DEFAULT_REGION", "s3_region"))
    mongodb_uri: SecretStr | None = Field(None, validation_alias=_env("MONGODB_URI", "mongodb_uri"))
    mongodb_database: str = Field(
        "sec_analyzer", validation_alias=_env("SEC_ANALYZER_MONGODB_DATABASE", "mongodb_database")
    )

    sensor_interval_seconds: int = Field(
        60, ge=5, validation_alias=_env("SEC_ANALYZER_SENSOR_INTERVAL_SECONDS", "sensor_interval_seconds")
    )
    reconcile_cron: str = Field("0 7 * * *", validation_alias=_env("SEC_ANALYZER_RECONCILE_CRON", "reconcile_cron"))

    # What the sensor watches and what `make run` materializes
    watchlist: TextList = Field(default_factory=list, validation_alias=_env("SEC_ANALYZER_WATCHLIST", "watchlist"))
    default_run_filings: TextList = Field(
        default_factory=list, validation_alias=_env("SEC_ANALYZER_DEFAULT_RUN", "default_run_filings")
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_file = config_dir() / "settings.yaml"
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))

    @property
    def resolved_database_url(self) -> str:
        """The results database, password included (only for connecting); the embedded default is
        a SQLite file under the data folder."""
        if self.database_url:
            return _revealed(self.database_url)
        return f"sqlite:///{(self.data_dir / 'results.db').resolve()}"

    @property
    def resolved_mongodb_uri(self) -> str | None:
        """The MongoDB URI, credentials included (only for connecting); None keeps the filing index
        in the results database."""
        return _revealed(self.mongodb_uri) if self.mongodb_uri else None

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"


def _revealed(secret: SecretStr | str) -> str:
    # `model_copy(update=...)` skips validation, so an override can arrive as a plain str.
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


def _shown_input(problem: Mapping[str, Any]) -> str:
    """What the user gave, masked and cut short enough for one line."""
    shown = masked_url(repr(problem.get("input")))
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


@cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']} (got {_shown_input(problem)})"
            for problem in error.errors()
        )
        raise ConfigurationError(
            f"invalid configuration: {problems}; fix the environment variable or {config_dir() / 'settings.yaml'}"
        ) from None
    except SettingsError as error:
        raise ConfigurationError(f"invalid configuration: {error}") from None
