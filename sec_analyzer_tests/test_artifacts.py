"""Artifact paths stay inside the artifacts folder whatever key or stage they are asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_analyzer.artifacts import ArtifactPathError, ArtifactStore
from sec_analyzer.domain import InvalidFilingKeyError


def test_filing_keys_name_files_inside_the_stage_folder(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert store.path("raw_filing", "BRK-B-2023", "json") == tmp_path.resolve() / "raw_filing" / "BRK-B-2023.json"
    assert store.path("raw_filing", "CIK0001234567-2024", "json").name == "CIK0001234567-2024.json"


@pytest.mark.parametrize("key", ["../../../x", "../AAPL-2024", "AAPL-2024/../../x", "/etc/passwd", "", "A" * 5000])
def test_keys_that_are_not_filing_keys_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidFilingKeyError, match="not a filing key"):
        ArtifactStore(tmp_path).write_json("raw_filing", key, {})
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize(("stage", "extension"), [("../outside", "json"), ("raw_filing", "json/../../x"), ("", "json")])
def test_stages_and_extensions_that_escape_are_refused(tmp_path: Path, stage: str, extension: str) -> None:
    with pytest.raises(ArtifactPathError):
        ArtifactStore(tmp_path).path(stage, "AAPL-2024", extension)
