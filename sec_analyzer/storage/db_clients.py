"""Engines and transactions for the results database, kept apart from the repositories.

PostgreSQL goes through psycopg 3 (`postgresql+psycopg://`). It is the driver the project
depends on directly; psycopg2-binary is present only because the orchestrator's PostgreSQL storage needs it,
and SQLAlchemy 2.1 makes psycopg 3 the default for plain `postgresql://` anyway. So plain
`postgresql://` and `postgres://` URLs are rewritten to psycopg 3, while a URL that names a
driver explicitly is left as written.

SQLite is the embedded default: the engine creates the file's folder, turns foreign keys on
(SQLite ignores them otherwise, and the schema relies on ON DELETE CASCADE) and uses WAL so
readers never block the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session

from sec_analyzer.errors import ConfigurationError, SecAnalyzerError
from sec_analyzer.redaction import masked_url

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
# Execution option: the connection's transactions take SQLite's write lock when they begin
# (BEGIN IMMEDIATE), for a writer whose earlier reads must still hold when it writes.
SQLITE_WRITE_LOCK = "sqlite_write_lock"


class DatabaseUnavailableError(SecAnalyzerError):
    """The results database cannot be reached or opened."""


def normalize_database_url(url: str) -> URL:
    """Parse `url`, sending driverless PostgreSQL URLs to psycopg 3."""
    try:
        parsed = make_url(
            url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
        )
    except (ArgumentError, ValueError) as error:
        # ValueError: a port that is not a number (`host:abc`).
        raise ConfigurationError(
            f"the results database URL {masked_url(url)} is not a valid SQLAlchemy URL "
            "(examples: sqlite:////abs/path/results.db, postgresql://user@host:5432/db); "
            "set SEC_ANALYZER_DATABASE_URL"
        ) from error
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_db_engine(url: str) -> Engine:
    parsed = normalize_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed)
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as error:
        # The schema is written for SQLite and PostgreSQL only; any other dialect or driver is a typo.
        raise ConfigurationError(
            f"the results database URL names a database or driver sec-analyzer does not support "
            f"({parsed.drivername}); use sqlite:///… or postgresql+psycopg://… in SEC_ANALYZER_DATABASE_URL"
        ) from error


def _create_sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        folder = Path(url.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailableError(
                f"cannot create the folder {folder} for the results database: {error.strerror}; "
                "set SEC_ANALYZER_DATA_DIR or SEC_ANALYZER_DATABASE_URL to a writable place"
            ) from error
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions only before DML, which would leave DDL and the reads
        # that precede a write outside the transaction; take control and BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        write_lock = connection.get_execution_options().get(SQLITE_WRITE_LOCK, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_lock else "BEGIN")

    return engine


def open_connection(engine: Engine) -> Connection:
    """Connect, or explain to the user why the database cannot be opened."""
    try:
        return engine.connect()
    except OperationalError as error:
        raise DatabaseUnavailableError(
            f"cannot open the results database {masked_url(str(engine.url))}: {masked_url(str(error.orig))}; "
            "check SEC_ANALYZER_DATABASE_URL and that the server is running"
        ) from error


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every timestamp this package writes is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def upsert_rows(
    session: Session, model: type[DeclarativeBase], rows: list[dict[str, Any]], *, key: list[str]
) -> None:
    """Insert `rows`, or update the other columns of rows whose `key` already exists."""
    insert = (
        postgresql.insert(model) if session.get_bind().dialect.name == "postgresql" else sqlite.insert(model)
    )
    updated = [column for column in rows[0] if column not in key]
    statement = insert.on_conflict_do_update(
        index_elements=key, set_={column: insert.excluded[column] for column in updated}
    )
    session.execute(statement, rows)
