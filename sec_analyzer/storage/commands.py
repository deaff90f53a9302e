"""`sec-analyzer db`: bring the results database to the code's schema, or say where it stands."""

from __future__ import annotations

import click

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
def upgrade(url: str | None) -> None:
    """Apply every pending migration (safe to run again: it does nothing when up to date)."""
    target = url or get_settings().resolved_database_url
    result = upgrade_to_head(target)
    if result.previous == result.current:
        click.echo(f"{masked_url(target)}: already at {result.current}")
    else:
        click.echo(
            f"{masked_url(target)}: upgraded from {result.previous or 'an empty database'} to {result.current}"
        )


@db.command()
@click.option("--url", default=None, help=URL_HELP)
def current(url: str | None) -> None:
    """Print the database's revision and the revision this code needs."""
    target = url or get_settings().resolved_database_url
    engine = create_db_engine(target)
    try:
        revision = current_revision(engine)
        state = schema_problem(engine) or "up to date"
    finally:
        engine.dispose()
    click.echo(f"{masked_url(target)}: at {revision or 'no revision (empty)'}; code needs {head_revision()}")
    click.echo(state)
