"""Research documents: checkout metadata from real git repositories, the index, and every way a
front matter can be wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from sec_analyzer.research_docs import (
    FrontMatter,
    ResearchDocError,
    check_research_docs,
    checkout_metadata,
    read_catalog,
    repository_name,
    write_index,
)
from sec_analyzer_tests.conftest import REPO_ROOT

CLI = str(Path(sys.executable).with_name("sec-analyzer"))
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git sees neither the developer's nor the machine's configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("USER", "fallback-user")


def git(repo: Path, *arguments: str) -> str:
    completed = subprocess.run(["git", *arguments], cwd=repo, capture_output=True, text=True, check=True)
    return completed.stdout.strip()


def committed_repo(path: Path, *, user_name: str | None = "Ada Lovelace") -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch", "research")
    if user_name:
        git(path, "config", "user.name", user_name)
    (path / "notes.txt").write_text("first\n")
    git(path, "add", "notes.txt")
    git(
        path,
        "-c",
        "user.name=Committer",
        "-c",
        "user.email=committer@example.invalid",
        "commit",
        "--quiet",
        "-m",
        "first",
    )
    return path


def front_matter(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "date": "2026-12-01T12:40:00+00:00",
        "researcher": "sec-analyzer team",
        "git_commit": COMMIT,
        "git_commit_short": COMMIT[:7],
        "branch": "main",
        "repository": "sec-analyzer",
        "topic": "Why flat partitions",
        "tags": ["dagster", "partitions"],
        "status": "complete",
        "last_updated": "2026-12-01T12:40:00+00:00",
        "last_updated_by": "sec-analyzer team",
        "related_research": [],
    }
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


def write_doc(folder: Path, name: str, fields: dict[str, object], body: str = "# Note\n\nText.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n\n" + body, encoding="utf-8")
    return path


# -- metadata ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("isolated_git")
def test_metadata_reads_commit_branch_remote_and_researcher_of_the_checkout(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path / "checkout")
    git(repo, "remote", "add", "origin", "git@github.com:acme/widgets.git")
    (repo / "sub").mkdir()
    moment = datetime(2026, 12, 1, 13, 40, 7, 123456, tzinfo=timezone(timedelta(hours=1)))

    fields = checkout_metadata(repo / "sub", now=moment)

    head = git(repo, "rev-parse", "HEAD")
    assert fields == {
        "date": "2026-12-01T13:40:07+01:00",
        "researcher": "Ada Lovelace",
        "git_commit": head,
        "git_commit_short": git(repo, "rev-parse", "--short", "HEAD"),
        "branch": "research",
        "repository": "widgets",
        "last_updated": "2026-12-01T13:40:07+01:00",
        "last_updated_by": "Ada Lovelace",
    }
    assert head.startswith(fields["git_commit_short"]) and len(head) == 40


@pytest.mark.usefixtures("isolated_git")
def test_metadata_falls_back_to_user_and_folder_and_names_a_detached_head(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path / "plain-folder", user_name=None)
    git(repo, "switch", "--quiet", "--detach")

    fields = checkout_metadata(repo)

    assert fields["researcher"] == "fallback-user"
    assert fields["repository"] == "plain-folder"
    assert fields["branch"] == f"detached at {fields['git_commit_short']}"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/acme/widgets.git", "widgets"),
        ("https://gitlab.example.com/group/sub/tools/", "tools"),
        ("git@github.com:acme/widgets.git", "widgets"),
        ("/srv/git/archive.git", "archive"),
        (None, "checkout"),
    ],
)
def test_repository_name_comes_from_the_remote_else_the_folder(url: str | None, name: str) -> None:
    assert repository_name(url, Path("/work/checkout")) == name


@pytest.mark.usefixtures("isolated_git")
def test_metadata_command_prints_yaml_and_json_that_a_front_matter_accepts(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path / "checkout")

    as_yaml = subprocess.run([CLI, "docs", "metadata", "--yaml"], cwd=repo, capture_output=True, text=True)
    as_json = subprocess.run([CLI, "docs", "metadata", "--json"], cwd=repo, capture_output=True, text=True)

    assert as_yaml.returncode == 0 and as_json.returncode == 0, as_yaml.stderr + as_json.stderr
    from_yaml, from_json = yaml.safe_load(as_yaml.stdout), json.loads(as_json.stdout)
    assert from_yaml["git_commit"] == from_json["git_commit"] == git(repo, "rev-parse", "HEAD")
    assert datetime.fromisoformat(from_json["date"]).tzinfo is not None
    FrontMatter.model_validate({**from_yaml, "topic": "t", "tags": ["x"], "status": "in_progress"})


@pytest.mark.usefixtures("isolated_git")
def test_outside_a_git_checkout_metadata_fails_with_one_line(tmp_path: Path) -> None:
    outside = tmp_path / "not-a-checkout"
    outside.mkdir()
    with pytest.raises(ResearchDocError, match="not inside a git checkout"):
        checkout_metadata(outside)

    result = subprocess.run([CLI, "docs", "metadata"], cwd=outside, capture_output=True, text=True)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: not inside a git checkout: {outside}"]


@pytest.mark.usefixtures("isolated_git")
def test_a_checkout_without_commits_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "--quiet")
    with pytest.raises(ResearchDocError, match="no commit yet"):
        checkout_metadata(repo)


# -- index ---------------------------------------------------------------------------------------


def test_index_lists_every_document_by_date_and_goes_stale_when_one_changes(tmp_path: Path) -> None:
    folder = tmp_path / "research"
    write_doc(
        folder,
        "2026-12-01_14-05_gate.md",
        front_matter(
            date="2026-12-01T14:05:00+00:00",
            last_updated="2026-12-01T14:05:00+00:00",
            topic="The gate | placement",
            tags=["quality"],
            related_research=["2026-11-30_09-00_partitions.md"],
        ),
    )
    write_doc(
        folder,
        "2026-11-30_09-00_partitions.md",
        front_matter(
            date="2026-11-30T09:00:00+00:00", last_updated="2026-11-30T09:00:00+00:00", status="in_progress"
        ),
    )

    index, catalog = write_index(folder)

    assert catalog.problems == []
    rows = [line for line in index.read_text().splitlines() if line.startswith("| 2026")]
    assert rows == [
        "| 2026-11-30 09:00 | Why flat partitions | in_progress | dagster, partitions "
        "| [2026-11-30_09-00_partitions.md](2026-11-30_09-00_partitions.md) |",
        "| 2026-12-01 14:05 | The gate \\| placement | complete | quality "
        "| [2026-12-01_14-05_gate.md](2026-12-01_14-05_gate.md) |",
    ]
    assert check_research_docs(folder) == []

    write_doc(
        folder,
        "2026-11-30_09-00_partitions.md",
        front_matter(
            date="2026-11-30T09:00:00+00:00", last_updated="2026-12-02T09:00:00+00:00", status="complete"
        ),
    )
    assert check_research_docs(folder) == [f"{folder / 'README.md'}: stale; run `sec-analyzer docs index`"]


def test_a_missing_index_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "research"
    write_doc(folder, "2026-12-01_12-40_partitions.md", front_matter())
    assert check_research_docs(folder) == [f"{folder / 'README.md'}: missing; run `sec-analyzer docs index`"]


def test_index_and_check_commands_work_on_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "research"
    write_doc(folder, "2026-12-01_12-40_partitions.md", front_matter())

    stale = subprocess.run([CLI, "docs", "check", "--dir", str(folder)], capture_output=True, text=True)
    written = subprocess.run([CLI, "docs", "index", "--dir", str(folder)], capture_output=True, text=True)
    clean = subprocess.run([CLI, "docs", "check", "--dir", str(folder)], capture_output=True, text=True)

    assert stale.returncode == 1 and "missing" in stale.stderr
    assert written.returncode == 0 and "1 document(s)" in written.stdout
    assert clean.returncode == 0 and clean.stderr == ""


def test_the_projects_own_research_documents_are_valid_and_indexed() -> None:
    folder = REPO_ROOT / "docs" / "research"
    assert check_research_docs(folder) == []
    assert len(read_catalog(folder).documents) >= 5


# -- invalid front matter ------------------------------------------------------------------------

GOOD_NAME = "2026-12-01_12-40_partitions.md"


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        ("partitions.md", front_matter(), "file name must look like YYYY-MM-DD_HH-MM_topic.md"),
        ("2026-12-01_12-40_Flat Partitions.md", front_matter(), "file name must look like"),
        (
            "2026-12-01_12-41_partitions.md",
            front_matter(),
            "file name starts with 2026-12-01_12-41 but date is 2026-12-01_12-40",
        ),
        (
            GOOD_NAME,
            front_matter(status="done"),
            "status: Input should be 'in_progress', 'complete' or 'ready_for_review'",
        ),
        (GOOD_NAME, front_matter(researcher=None), "researcher: Field required"),
        (GOOD_NAME, front_matter(topic="  "), "topic: String should have at least 1 character"),
        (GOOD_NAME, front_matter(tags=[]), "tags: List should have at least 1 item"),
        (GOOD_NAME, front_matter(tags="dagster"), "tags: Input should be a valid list"),
        (GOOD_NAME, front_matter(date="2026-12-01T12:40:00"), "date: Input should have timezone info"),
        (
            GOOD_NAME,
            front_matter(last_updated="2026-11-30T08:00:00+00:00"),
            "last_updated is earlier than date",
        ),
        (GOOD_NAME, front_matter(git_commit="not-a-sha"), "git_commit: String should match pattern"),
        (
            GOOD_NAME,
            front_matter(git_commit_short="fffffff"),
            "git_commit_short fffffff is not a prefix of git_commit",
        ),
        (GOOD_NAME, front_matter(reviewer="someone"), "reviewer: Extra inputs are not permitted"),
        (
            GOOD_NAME,
            front_matter(related_research=["2026-01-01_00-00_gone.md"]),
            "related_research names 2026-01-01_00-00_gone.md, which is not in",
        ),
        (GOOD_NAME, front_matter(related_research=[GOOD_NAME]), "related_research names the document itself"),
    ],
)
def test_each_kind_of_invalid_front_matter_is_one_line(
    tmp_path: Path, name: str, fields: dict[str, object], expected: str
) -> None:
    folder = tmp_path / "research"
    write_doc(folder, name, fields)
    (folder / "README.md").write_text("# Research documents\n")

    problems = [line for line in check_research_docs(folder) if "README.md" not in line]

    assert len(problems) == 1, problems
    assert problems[0].startswith(str(folder / name)) and expected in problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Note without front matter\n", "no front matter: the file must start with a '---' line"),
        ("---\ntopic: x\n# never closed\n", "front matter is not closed by a '---' line"),
        ("---\ntopic: [unclosed\n---\n", "front matter is not valid YAML at line"),
        ("---\n- a list\n---\n", "front matter is not a YAML mapping"),
    ],
)
def test_unreadable_front_matter_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    folder = tmp_path / "research"
    folder.mkdir()
    (folder / GOOD_NAME).write_text(text, encoding="utf-8")

    problems = read_catalog(folder).problems

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{folder / GOOD_NAME}: {expected}")


def test_index_leaves_out_invalid_documents_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "research"
    write_doc(folder, GOOD_NAME, front_matter())
    write_doc(folder, "2026-12-01_13-00_broken.md", front_matter(status="done"))

    result = subprocess.run([CLI, "docs", "index", "--dir", str(folder)], capture_output=True, text=True)

    assert result.returncode == 1
    assert "1 document(s)" in result.stdout
    assert result.stderr.startswith(f"left out: {folder / '2026-12-01_13-00_broken.md'}: status:")
    assert GOOD_NAME in (folder / "README.md").read_text()


def test_front_matter_dates_keep_their_time_zone() -> None:
    parsed = FrontMatter.model_validate(
        front_matter(date="2026-12-01T12:40:00-05:00", last_updated="2026-12-01T17:40:00+00:00")
    )
    assert parsed.date.utcoffset() == timedelta(hours=-5)
    assert parsed.last_updated == datetime(2026, 12, 1, 17, 40, tzinfo=UTC)
