"""The revision guard: which alembic revision a results database is at, and bringing it to head.

The application refuses to run against a database that is behind the code, instead of
failing later on a missing table or column halfway through a run.
"""

from __future__ import annotations

from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.settings import PROJECT_ROOT
from sec_analyzer.storage.db_clients import create_db_engine, display_url, open_connection

MIGRATIONS_DIR = PROJECT_ROOT / "alembic"
UPGRADE_COMMAND = "make db-upgrade"
# Any constant works; it only has to be the same for every process that upgrades.
_UPGRADE_LOCK_ID = 0x5EC_A1E8


class SchemaOutdatedError(SecAnalyzerError):
    """The results database is not at the revision this code needs."""


class SchemaUpgrade(NamedTuple):
    previous: str | None
    current: str


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration for this project's migrations, optionally bound to `connection`."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise ConfigurationError(
            f"the database migrations are missing: {MIGRATIONS_DIR} has no env.py "
            "(run sec-analyzer from a checkout of the repository)"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise ConfigurationError(f"no migrations found in {MIGRATIONS_DIR / 'versions'}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for a database that was never upgraded."""
    with open_connection(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(url: str) -> SchemaUpgrade:
    engine = create_db_engine(url)
    try:
        with open_connection(engine) as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                # Two processes upgrading at once would both try to create the same tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _UPGRADE_LOCK_ID})
            previous = MigrationContext.configure(connection).get_current_revision()
            command.upgrade(alembic_config(connection), "head")
        return SchemaUpgrade(previous=previous, current=head_revision())
    finally:
        engine.dispose()


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaOutdatedError unless the database is exactly at the code's head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    where = display_url(engine.url)
    if current is None:
        raise SchemaOutdatedError(
            f"results database {where} has no schema yet but the code needs revision {head}: "
            f"run `{UPGRADE_COMMAND}`"
        )
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        raise SchemaOutdatedError(
            f"results database {where} is at revision {current}, which this code does not know "
            f"(it needs {head}): it was upgraded by a newer sec-analyzer; update this checkout"
        )
    raise SchemaOutdatedError(
        f"results database {where} at revision {current} but the code needs {head}: run `{UPGRADE_COMMAND}`"
    )
