"""Every command that prints results offers `--format json`: one JSON document on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sec_analyzer.cli import COMMANDS, cli

# Commands that serve (they print no result) and the one whose JSON is its own `--json` flag.
WITHOUT_FORMAT = {"serve", "edgar-mirror serve", "docs metadata"}


def leaf_commands() -> dict[str, click.Command]:
    context = click.Context(cli)
    found: dict[str, click.Command] = {}
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": command.commands[sub] for sub in command.commands})
        else:
            found[name] = command
    return found


def test_every_command_that_prints_results_has_format_json() -> None:
    missing = []
    for name, command in leaf_commands().items():
        options = {param.name: param for param in command.params}
        if name in WITHOUT_FORMAT:
            continue
        choice = options.get("output_format")
        if choice is None or "json" not in getattr(choice.type, "choices", ()):
            missing.append(name)
    assert missing == []


def test_db_commands_print_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'results.db'}"
    runner = CliRunner()
    upgraded = json.loads(runner.invoke(cli, ["db", "upgrade", "--url", url, "--format", "json"]).stdout)
    assert upgraded["previous"] is None and upgraded["current"]
    current = json.loads(runner.invoke(cli, ["db", "current", "--url", url, "--format", "json"]).stdout)
    assert current == {"database": upgraded["database"], "revision": upgraded["current"], "head": upgraded["current"],
                       "up_to_date": True, "problem": None}


def test_dagster_home_prints_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["dagster-home", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"dagster_home": str(tmp_path / "home")}


def test_docs_index_and_check_print_json(tmp_path: Path) -> None:
    research = tmp_path / "research"
    research.mkdir()
    runner = CliRunner()
    indexed = json.loads(runner.invoke(cli, ["docs", "index", "--dir", str(research), "--format", "json"]).stdout)
    assert indexed["documents"] == 0 and indexed["left_out"] == []
    checked = runner.invoke(cli, ["docs", "check", "--dir", str(research), "--format", "json"])
    assert checked.exit_code == 0 and json.loads(checked.stdout) == {"problems": []}
