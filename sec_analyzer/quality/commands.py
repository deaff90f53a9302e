"""`sec-analyzer checks-report`: the asset-check results of a run, for people and for CI."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sec_analyzer.quality.report import build_report, current_instance, render_json, render_markdown


@click.command("checks-report")
@click.option("--run-id", help="Report this run.")
@click.option(
    "--latest",
    is_flag=True,
    help="Report the latest run with check results, or all runs of its backfill (the default).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when any ERROR-severity check failed (for CI).")
def checks_report(
    run_id: str | None, latest: bool, output_format: str, output: Path | None, fail_on_error: bool
) -> None:
    """Report asset-check results recorded in the Dagster instance of DAGSTER_HOME."""
    if run_id and latest:
        raise click.UsageError("give either --run-id or --latest, not both")
    report = build_report(current_instance(), run_id=run_id)
    rendered = render_json(report) if output_format == "json" else render_markdown(report)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    if fail_on_error and report.has_error_failures:
        click.echo(f"asset checks failed with ERROR severity ({report.scope})", err=True)
        sys.exit(1)
