"""The `sec-analyzer` command line.

Subcommands are imported only when they run, so `sec-analyzer extract` starts in a fraction
of a second and never pays for Dagster, torch or Great Expectations it does not use.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import click

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.redaction import masked_url

# Set to any value to let an unexpected error end with its full traceback.
DEBUG_VARIABLE = "SEC_ANALYZER_DEBUG"
# An error line echoes what the user gave (a path, a ticker); a pasted megabyte stays one short line.
MAX_ERROR_LINE = 500

# command name -> (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": ("sec_analyzer.preprocessing.commands", "extract", "Extract 10-K items from an HTML file."),
    "segment": ("sec_analyzer.preprocessing.commands", "segment", "Split Item 1A of an HTML file into risk factors."),
    "edgar-mirror": ("sec_analyzer.edgar_mirror.commands", "edgar_mirror", "Serve a folder of filings as a local EDGAR."),
    "backfill": ("sec_analyzer.defs.commands", "backfill", "Fetch and process filings by ticker and fiscal year."),
    "run": ("sec_analyzer.defs.commands", "run_default", "Materialize the main job for the configured filings."),
    "checks-report": ("sec_analyzer.defs.quality.checks_report", "checks_report", "Report asset-check results from the Dagster instance."),
    "dagster-home": ("sec_analyzer.defs.commands", "dagster_home", "Prepare $DAGSTER_HOME and print its path."),
    "embed": ("sec_analyzer.pipeline.serving_commands", "embed", "Embed risk factors (JSON lines) with all-MiniLM-L6-v2."),
    "classify": ("sec_analyzer.pipeline.serving_commands", "classify", "Classify risk factors (JSON lines) into the risk taxonomy."),
    "db": ("sec_analyzer.storage.commands", "db", "Results-database schema: upgrade, current revision."),
    "models": ("sec_analyzer.registry.commands", "models", "Model registry: list, show, promote through the gate, roll back."),
    "labels": ("sec_analyzer.analysis.label_commands", "labels", "Risk-factor labels: export a review sheet, import a reviewed one."),
    "docs": ("sec_analyzer.research_docs", "docs", "Research documents: front matter, index, checks."),
    "diff": ("sec_analyzer.analysis.analysis_commands", "diff", "Year-over-year risk-factor changes of a company."),
    "similar": ("sec_analyzer.analysis.analysis_commands", "similar", "Stored risk factors closest to a text or a risk."),
    "drift": ("sec_analyzer.analysis.analysis_commands", "drift", "Drift of the risk landscape per fiscal year."),
    "serve": ("sec_analyzer.visualization.commands", "serve", "Serve the results API and the dashboard."),
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
    """Run the CLI; every failure ends as one line on stderr and a non-zero exit status."""
    try:
        exit_code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.UsageError as error:
        hint = f" (see `{error.ctx.command_path} --help`)" if error.ctx else ""
        _fail(f"error: {error.format_message()}{hint}", error.exit_code)
    except click.ClickException as error:
        _fail(f"error: {error.format_message()}", error.exit_code)
    except SecAnalyzerError as error:
        _fail(f"error: {error}", 1)
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        # A bug, not bad input: the type and message keep it recognisable in test output and reports.
        _fail(
            f"error: unexpected {type(error).__name__}: {error} "
            f"(re-run with {DEBUG_VARIABLE}=1 for the traceback)",
            1,
        )
    # Without standalone mode click returns the code of `ctx.exit(code)` instead of exiting.
    if isinstance(exit_code, int):
        sys.exit(exit_code)


def _fail(message: str, exit_code: int) -> NoReturn:
    line = masked_url(" ".join(message.split()))
    if len(line) > MAX_ERROR_LINE:
        line = f"{line[: MAX_ERROR_LINE - 1]}…"
    click.echo(line, err=True)
    sys.exit(exit_code)
