"""Migrations against both databases, the revision guard, and engine set-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sec_analyzer.storage.db_clients import create_db_engine, normalize_database_url
from sec_analyzer.storage.filing_index_repo import SqlFilingIndex
from sec_analyzer.storage.results_repo import ResultsRepository
from sec_analyzer.storage.schema import (
    SchemaOutdatedError,
    alembic_config,
    current_revision,
    ensure_schema_current,
    head_revision,
    upgrade_to_head,
)
from sec_analyzer.storage.tables import Base


def test_upgrade_creates_every_model_table_and_downgrade_removes_them(database_url: str) -> None:
    upgraded = upgrade_to_head(database_url)
    assert upgraded.previous is None
    assert upgraded.current == head_revision()
    engine = create_db_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_upgrading_again_changes_nothing(database_url: str) -> None:
    upgrade_to_head(database_url)
    again = upgrade_to_head(database_url)
    assert again.previous == again.current == head_revision()


def test_autogenerate_finds_no_difference_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_an_empty_embedded_database_gets_the_schema_on_first_use(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh' / 'results.db'}")
    try:
        assert current_revision(engine) is None
        ResultsRepository(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    finally:
        engine.dispose()


def test_processes_creating_an_empty_embedded_schema_at_once_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    probe = (
        "import sys; from sec_analyzer.storage.db_clients import create_db_engine; "
        "from sec_analyzer.storage.schema import ensure_schema_current; "
        "ensure_schema_current(create_db_engine(sys.argv[1]))"
    )
    workers = [subprocess.Popen([sys.executable, "-c", probe, url], stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
    engine = create_db_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_an_empty_postgres_database_is_refused_with_the_command_that_fixes_it(postgres_url: str) -> None:
    engine = create_db_engine(postgres_url)
    try:
        with pytest.raises(SchemaOutdatedError, match=r"run `sec-analyzer db upgrade`") as raised:
            ensure_schema_current(engine)
        assert head_revision() in str(raised.value)
        assert "make" not in str(raised.value)
        with pytest.raises(SchemaOutdatedError):
            ResultsRepository(engine)
        with pytest.raises(SchemaOutdatedError):
            SqlFilingIndex(engine)
    finally:
        engine.dispose()


def test_a_database_downgraded_below_head_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    with pytest.raises(SchemaOutdatedError, match=r"run `sec-analyzer db upgrade`"):
        ensure_schema_current(engine)


def test_a_revision_unknown_to_this_code_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    with pytest.raises(SchemaOutdatedError, match=r"f00dfeedbeef.*newer sec-analyzer"):
        ensure_schema_current(engine)


def test_a_database_at_head_passes_the_guard(engine: Engine) -> None:
    ensure_schema_current(engine)
    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://analyst@db.internal:5432/results", "postgresql+psycopg"),
        ("postgres://analyst@db.internal/results", "postgresql+psycopg"),
        ("postgresql+psycopg2://analyst@db.internal/results", "postgresql+psycopg2"),
        ("sqlite:///data/results.db", "sqlite"),
    ],
)
def test_driverless_postgres_urls_use_psycopg_3(given: str, driver: str) -> None:
    assert normalize_database_url(given).drivername == driver
