"""The `sec-analyzer` command line.

Subcommands are imported only when they run, so `sec-analyzer extract` starts in a fraction
of a second and never pays for Dagster, torch or Great Expectations it does not use.
"""

from __future__ import annotations

import importlib
import sys

import click

from sec_analyzer.errors import SecAnalyzerError

# command name -> (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": ("sec_analyzer.preprocessing.commands", "extract", "Extract 10-K items from an HTML file."),
    "segment": ("sec_analyzer.preprocessing.commands", "segment", "Split Item 1A of an HTML file into risk factors."),
    "edgar-mirror": ("sec_analyzer.acquisition.commands", "edgar_mirror", "Serve a folder of filings as a local EDGAR."),
    "backfill": ("sec_analyzer.defs.commands", "backfill", "Fetch and process filings by ticker and fiscal year."),
    "run": ("sec_analyzer.defs.commands", "run_default", "Materialize the main job for the configured filings."),
    "checks-report": ("sec_analyzer.quality.commands", "checks_report", "Report asset-check results from the Dagster instance."),
    "dagster-home": ("sec_analyzer.defs.commands", "dagster_home", "Prepare $DAGSTER_HOME and print its path."),
    "db": ("sec_analyzer.storage.commands", "db", "Results-database schema: upgrade, current revision."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="sec-analyzer")
def cli() -> None:
    """sec-analyzer: SEC 10-K filings to analysed risk factors."""


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except SecAnalyzerError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
