"""`sec-analyzer db`: bring the results database to the code's schema, or say where it stands."""

from __future__ import annotations

import click

from sec_analyzer.output_format import emit, format_option
from sec_analyzer.redaction import masked_url
from sec_analyzer.settings import get_settings
from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.schema import current_revision, head_revision, schema_problem, upgrade_to_head

URL_HELP = (
    "Results database URL (default: SEC_ANALYZER_DATABASE_URL, else the SQLite file in the data folder)."
)


@click.group()
def db() -> None:
    """Results-database schema: upgrade, current revision."""


@db.command()
@click.option("--url", default=None, help=URL_HELP)
@format_option()
def upgrade(url: str | None, output_format: str) -> None:
    """Apply every pending migration (safe to run again: it does nothing when up to date)."""
    target = url or get_settings().resolved_database_url
    result = upgrade_to_head(target)
    shown = masked_url(target)
    payload = {"database": shown, "previous": result.previous, "current": result.current}
    if result.previous == result.current:
        emit(output_format, payload, f"{shown}: already at {result.current}")
    else:
        emit(output_format, payload,
             f"{shown}: upgraded from {result.previous or 'an empty database'} to {result.current}")


@db.command()
@click.option("--url", default=None, help=URL_HELP)
@format_option()
def current(url: str | None, output_format: str) -> None:
    """Print the database's revision and the revision this code needs."""
    target = url or get_settings().resolved_database_url
    engine = create_db_engine(target)
    try:
        revision = current_revision(engine)
        problem = schema_problem(engine)
    finally:
        engine.dispose()
    shown, head = masked_url(target), head_revision()
    emit(output_format, {"database": shown, "revision": revision, "head": head, "up_to_date": problem is None,
                         "problem": problem},
         f"{shown}: at {revision or 'no revision (empty)'}; code needs {head}\n{problem or 'up to date'}")
