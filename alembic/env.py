"""Runs migrations of the results database.

Which database, in order: a connection handed over in `config.attributes["connection"]`
(how `sec_analyzer.storage.schema` and the tests call it), `alembic -x url=...`, then the
sec-analyzer settings (`SEC_ANALYZER_DATABASE_URL`, else the SQLite file in the data folder).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine, normalize_database_url
from sec_analyzer.storage.tables import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().resolved_database_url


def _configure(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=is_sqlite,
        # Our SQLite engine issues its own BEGIN, so DDL is transactional there too and a
        # failed migration leaves the file as it was.
        transactional_ddl=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=normalize_database_url(_database_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given: Connection | None = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_db_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
