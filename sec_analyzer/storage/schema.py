"""The revision guard: which alembic revision a results database is at, and bringing it to head.

The application refuses to run against a database that is behind the code, instead of
failing later on a missing table or column halfway through a run, and names the command that
fixes it. The one exception is an empty embedded (SQLite) database: there is nothing to
migrate and nobody else to ask, so it gets the schema at head on first use, which makes the
first run of a fresh installation just work. A PostgreSQL database is shared and administered,
so creating its schema stays an explicit `sec-analyzer db upgrade`.
"""

from __future__ import annotations

from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.redaction import masked_url
from sec_analyzer.settings import PROJECT_ROOT
from sec_analyzer.storage.db_clients import SQLITE_WRITE_LOCK, create_db_engine, open_connection

MIGRATIONS_DIR = PROJECT_ROOT / "alembic"
UPGRADE_COMMAND = "sec-analyzer db upgrade"
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
        return _upgrade(engine)
    finally:
        engine.dispose()


def _upgrade(engine: Engine) -> SchemaUpgrade:
    with open_connection(engine) as connection:
        # Two processes upgrading at once would both try to create the same tables: the second
        # waits for the first, then finds the database at head and does nothing.
        if connection.dialect.name == "sqlite":
            connection.execution_options(**{SQLITE_WRITE_LOCK: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _UPGRADE_LOCK_ID})
            previous = MigrationContext.configure(connection).get_current_revision()
            command.upgrade(alembic_config(connection), "head")
    return SchemaUpgrade(previous=previous, current=head_revision())


def _is_empty_embedded(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return False
    with open_connection(engine) as connection:
        return not inspect(connection).get_table_names()


def schema_problem(engine: Engine) -> str | None:
    """Why this code cannot use the database, with the fix; None when it is at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    where = masked_url(str(engine.url))
    if current is None:
        return (
            f"results database {where} has no schema yet but the code needs revision {head}: "
            f"run `{UPGRADE_COMMAND}`"
        )
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current not in known:
        return (
            f"results database {where} is at revision {current}, which this code does not know "
            f"(it needs {head}): it was upgraded by a newer sec-analyzer; update sec-analyzer"
        )
    return f"results database {where} at revision {current} but the code needs {head}: run `{UPGRADE_COMMAND}`"


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaOutdatedError unless the database is at the code's head revision; an empty
    SQLite database is given the schema at head instead."""
    problem = schema_problem(engine)
    if problem is None:
        return
    if _is_empty_embedded(engine):
        _upgrade(engine)
        return
    raise SchemaOutdatedError(problem)
