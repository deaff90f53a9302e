"""Research documents: the decision and investigation notes kept in `docs/research/`.

Each note is a Markdown file named `YYYY-MM-DD_HH-MM_topic.md` that opens with YAML front
matter (`FrontMatter`). `sec-analyzer docs metadata` prints the checkout facts a new note
starts from, `docs index` writes the table of every note (`docs/research/README.md`), and
`docs check` lists every invalid front matter and a stale index, one line each, for CI.

The index carries no generation time, so it is stale exactly when a note's front matter or
the set of notes changed since it was written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404
import sys
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.output_format import emit, format_option, print_json

RESEARCH_DIR = Path("docs") / "research"
INDEX_NAME = "README.md"
FILE_NAME = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2}_\d{2}-\d{2})_(?P<slug>[a-z0-9]+(?:[-_][a-z0-9]+)*)\.md$"
)
FILE_NAME_STAMP = "%Y-%m-%d_%H-%M"
FRONT_MATTER_FENCE = "---"
GIT_TIMEOUT_SECONDS = 10

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CommitSha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{7,40}$")]


class ResearchDocError(SecAnalyzerError):
    """The checkout or a research document cannot give what was asked."""


class ResearchStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    READY_FOR_REVIEW = "ready_for_review"


class FrontMatter(BaseModel):
    """The YAML header of one research document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: AwareDatetime
    researcher: NonEmpty
    git_commit: CommitSha
    git_commit_short: CommitSha | None = None
    branch: NonEmpty
    repository: NonEmpty
    topic: NonEmpty
    tags: list[NonEmpty] = Field(min_length=1)
    status: ResearchStatus
    last_updated: AwareDatetime
    last_updated_by: NonEmpty
    related_research: list[NonEmpty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FrontMatter:
        if self.git_commit_short is not None and not self.git_commit.startswith(self.git_commit_short):
            raise ValueError(f"git_commit_short {self.git_commit_short} is not a prefix of git_commit")
        if self.last_updated < self.date:
            raise ValueError("last_updated is earlier than date")
        return self


@dataclass(frozen=True)
class ResearchDocument:
    path: Path
    front_matter: FrontMatter


@dataclass
class ResearchCatalog:
    """Every note of a folder that reads, and one line per problem with the others."""

    documents: list[ResearchDocument]
    problems: list[str]


# -- the checkout ------------------------------------------------------------------------------


def _git(*arguments: str, cwd: Path) -> str | None:
    """stdout of one git command, or None when git answers with an error."""
    executable = shutil.which("git")
    if executable is None:
        raise ResearchDocError("git is not installed (needed to read the checkout's commit and branch)")
    try:
        # a fixed argument list and no shell: nothing a document or a user types reaches the command
        completed = subprocess.run(  # noqa: S603  # nosec B603
            [executable, *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ResearchDocError(f"git {arguments[0]} failed in {cwd}: {error}") from error
    return completed.stdout.strip() if completed.returncode == 0 else None


def repository_root(cwd: Path) -> Path:
    top_level = _git("rev-parse", "--show-toplevel", cwd=cwd)
    if not top_level:
        raise ResearchDocError(f"not inside a git checkout: {cwd}")
    return Path(top_level)


def repository_name(remote_url: str | None, root: Path) -> str:
    """`owner/name.git` or `https://host/owner/name` → `name`; without a remote, the folder's name."""
    if remote_url:
        name = re.split(r"[/:]", remote_url.rstrip("/"))[-1].removesuffix(".git")
        if name:
            return name
    return root.name


def short_commit(cwd: Path) -> str | None:
    """The checkout's short commit SHA, or None outside a git checkout (a lineage tag, not an error)."""
    try:
        return _git("rev-parse", "--short", "HEAD", cwd=cwd)
    except ResearchDocError:
        return None


def checkout_metadata(cwd: Path, *, now: datetime | None = None) -> dict[str, Any]:
    """The front-matter fields a new research document of this checkout starts from."""
    root = repository_root(cwd)
    commit = _git("rev-parse", "HEAD", cwd=root)
    short = _git("rev-parse", "--short", "HEAD", cwd=root)
    if not commit or not short:
        raise ResearchDocError(f"the git checkout at {root} has no commit yet")
    branch = _git("branch", "--show-current", cwd=root) or f"detached at {short}"
    remotes = (_git("remote", cwd=root) or "").split()
    remote = "origin" if "origin" in remotes else (remotes[0] if remotes else None)
    remote_url = _git("remote", "get-url", remote, cwd=root) if remote else None
    researcher = _git("config", "user.name", cwd=root) or os.environ.get("USER")
    if not researcher:
        raise ResearchDocError("no researcher name: set `git config user.name` or $USER")
    moment = (now or datetime.now().astimezone()).replace(microsecond=0).isoformat()
    return {
        "date": moment,
        "researcher": researcher,
        "git_commit": commit,
        "git_commit_short": short,
        "branch": branch,
        "repository": repository_name(remote_url, root),
        "last_updated": moment,
        "last_updated_by": researcher,
    }


# -- reading and checking documents ------------------------------------------------------------


def front_matter_of(text: str) -> dict[str, Any]:
    """The YAML mapping between the opening `---` line and the next `---` line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ResearchDocError("no front matter: the file must start with a '---' line")
    try:
        end = next(number for number, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise ResearchDocError("front matter is not closed by a '---' line") from None
    try:
        mapping = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        raise ResearchDocError(f"front matter is not valid YAML{line}") from error
    if not isinstance(mapping, dict):
        raise ResearchDocError("front matter is not a YAML mapping")
    return mapping


def _validation_problems(error: ValidationError) -> list[str]:
    problems = []
    for detail in error.errors():
        location = ".".join(str(part) for part in detail["loc"])
        problems.append(f"{location}: {detail['msg']}" if location else detail["msg"])
    return problems


def read_catalog(research_dir: Path) -> ResearchCatalog:
    documents: list[ResearchDocument] = []
    problems: list[str] = []
    paths = sorted(path for path in research_dir.glob("*.md") if path.name != INDEX_NAME)
    names = {path.name for path in paths}
    for path in paths:
        shown = _shown(path)
        name_match = FILE_NAME.match(path.name)
        if name_match is None:
            problems.append(f"{shown}: file name must look like YYYY-MM-DD_HH-MM_topic.md (lowercase topic)")
            continue
        try:
            front_matter = FrontMatter.model_validate(front_matter_of(path.read_text(encoding="utf-8")))
        except ResearchDocError as error:
            problems.append(f"{shown}: {error}")
            continue
        except UnicodeDecodeError:
            problems.append(f"{shown}: not UTF-8 text")
            continue
        except ValidationError as error:
            problems.extend(f"{shown}: {problem}" for problem in _validation_problems(error))
            continue
        stamp = front_matter.date.strftime(FILE_NAME_STAMP)
        if name_match["stamp"] != stamp:
            problems.append(f"{shown}: file name starts with {name_match['stamp']} but date is {stamp}")
        for related in front_matter.related_research:
            if related == path.name:
                problems.append(f"{shown}: related_research names the document itself")
            elif related not in names:
                problems.append(
                    f"{shown}: related_research names {related}, which is not in {_shown(research_dir)}"
                )
        documents.append(ResearchDocument(path, front_matter))
    documents.sort(key=lambda document: (document.front_matter.date, document.path.name))
    return ResearchCatalog(documents, problems)


def _shown(path: Path) -> str:
    """A path as the user typed it relative to the current folder, when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def render_index(documents: list[ResearchDocument]) -> str:
    lines = [
        "# Research documents",
        "",
        "Decision and investigation notes, oldest first. This file is generated by",
        "`sec-analyzer docs index`; `sec-analyzer docs check` fails when it is stale or a note's",
        "front matter is invalid. A new note starts from `sec-analyzer docs metadata --yaml`.",
        "",
        "| date | topic | status | tags | document |",
        "|---|---|---|---|---|",
    ]
    for document in documents:
        front = document.front_matter
        lines.append(
            f"| {front.date.strftime('%Y-%m-%d %H:%M')} | {_cell(front.topic)} | {front.status.value} "
            f"| {_cell(', '.join(front.tags))} | [{document.path.name}]({document.path.name}) |"
        )
    return "\n".join(lines) + "\n"


def write_index(research_dir: Path) -> tuple[Path, ResearchCatalog]:
    """Write the index of every note that reads; the catalog says which did not."""
    if not research_dir.is_dir():
        raise ResearchDocError(f"no research folder at {research_dir}")
    catalog = read_catalog(research_dir)
    index = research_dir / INDEX_NAME
    index.write_text(render_index(catalog.documents), encoding="utf-8")
    return index, catalog


def check_research_docs(research_dir: Path) -> list[str]:
    """One line per problem: invalid names or front matter, a missing or stale index."""
    if not research_dir.is_dir():
        return [f"{_shown(research_dir)}: no research folder"]
    catalog = read_catalog(research_dir)
    problems = list(catalog.problems)
    index = research_dir / INDEX_NAME
    if not index.exists():
        problems.append(f"{_shown(index)}: missing; run `sec-analyzer docs index`")
    elif index.read_text(encoding="utf-8") != render_index(catalog.documents):
        problems.append(f"{_shown(index)}: stale; run `sec-analyzer docs index`")
    return problems


# -- commands --------------------------------------------------------------------------------


def _default_research_dir() -> Path:
    return repository_root(Path.cwd()) / RESEARCH_DIR


RESEARCH_DIR_OPTION = click.option(
    "--dir",
    "research_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Research folder (default: docs/research of the current git checkout).",
)


@click.group()
def docs() -> None:
    """Research documents in docs/research: front matter, index, checks."""


@docs.command()
@click.option("--yaml", "output_format", flag_value="yaml", default=True, help="YAML front matter (default).")
@click.option("--json", "output_format", flag_value="json", help="The same fields as one JSON object.")
def metadata(output_format: str) -> None:
    """Print the front-matter fields of a new research document for the current checkout."""
    fields = checkout_metadata(Path.cwd())
    if output_format == "json":
        print_json(fields)
    else:
        click.echo(yaml.safe_dump(fields, sort_keys=False, allow_unicode=True), nl=False)


@docs.command()
@RESEARCH_DIR_OPTION
@format_option()
def index(research_dir: Path | None, output_format: str) -> None:
    """Write docs/research/README.md: every document, sorted by date."""
    written, catalog = write_index(research_dir or _default_research_dir())
    emit(output_format, {"index": _shown(written), "documents": len(catalog.documents), "left_out": catalog.problems},
         f"{_shown(written)}: {len(catalog.documents)} document(s)")
    for problem in catalog.problems:
        click.echo(f"left out: {problem}", err=True)
    if catalog.problems:
        sys.exit(1)


@docs.command()
@RESEARCH_DIR_OPTION
@format_option()
def check(research_dir: Path | None, output_format: str) -> None:
    """Exit 1, with one line per problem, when a front matter is invalid or the index is stale."""
    problems = check_research_docs(research_dir or _default_research_dir())
    if output_format == "json":
        print_json({"problems": problems})
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
