"""`--format` for every command that prints results: text for a person, one JSON document for a
script (on stdout alone, so `| jq` works; what a person reads then goes to stderr)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])
TEXT_AND_JSON = ("text", "json")


def format_option(choices: Sequence[str] = TEXT_AND_JSON, default: str | None = None,
                  help_text: str = "Text for reading, or one JSON document for scripts.") -> Callable[[Command], Command]:
    """The `--format` option, passed to the command as `output_format`."""
    return click.option("--format", "output_format", type=click.Choice(list(choices)), default=default or choices[0],
                        show_default=True, help=help_text)


def emit(output_format: str, payload: Mapping[str, Any] | Sequence[Any], text: str) -> None:
    """Print the result: `payload` as JSON, or `text`."""
    if output_format == "json":
        print_json(payload)
    else:
        click.echo(text)


def print_json(document: Any) -> None:
    """One JSON document on stdout, as every command prints it."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))
