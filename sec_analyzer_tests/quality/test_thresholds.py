"""Thresholds come from configs/quality/*.yaml; a broken file is a clear, typed error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sec_analyzer.quality.thresholds import QualityConfigError, load_thresholds, quality_config_dir

REPO_CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "quality"


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "quality"
    shutil.copytree(REPO_CONFIGS, target)
    return target


def test_committed_files_load_with_their_documented_defaults() -> None:
    thresholds = load_thresholds(REPO_CONFIGS)
    assert thresholds.substance.item_1a_length.min_chars == 3000
    assert thresholds.consistency.coverage.min_share == 0.75
    assert thresholds.completeness.item_1a_found.severity == "WARN"
    assert "10-K" in thresholds.consistency.document_type_is_10k.accepted_types
    assert thresholds.vectors.embedding_dimension.expected_dimension == 384
    assert thresholds.vectors.embedding_unit_norm.tolerance == 0.001
    assert (
        thresholds.classification.label_count.min_labels,
        thresholds.classification.label_count.max_labels,
    ) == (1, 3)
    share = thresholds.classification.category_share
    assert (share.category, share.max_share, share.severity) == ("other", 0.8, "ERROR")


def test_config_dir_follows_the_environment(config_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEC_ANALYZER_CONFIG_DIR", str(config_copy.parent))
    assert quality_config_dir() == config_copy
    (config_copy / "substance.yaml").write_text(
        (config_copy / "substance.yaml").read_text().replace("min_chars: 3000", "min_chars: 1234")
    )
    assert load_thresholds().substance.item_1a_length.min_chars == 1234


def test_unknown_key_names_the_file_and_key(config_copy: Path) -> None:
    path = config_copy / "consistency.yaml"
    path.write_text(path.read_text().replace("min_share: 0.75", "min_shares: 0.75"))
    with pytest.raises(QualityConfigError, match=r"consistency\.yaml is invalid: .*coverage\.min_share"):
        load_thresholds(config_copy)


def test_wrong_severity_and_bad_regex_are_rejected(config_copy: Path) -> None:
    path = config_copy / "cleanliness.yaml"
    original = path.read_text()
    path.write_text(original.replace("severity: ERROR", "severity: FATAL", 1))
    with pytest.raises(QualityConfigError, match=r"html_residue\.severity"):
        load_thresholds(config_copy)
    path.write_text(original.replace("pattern: '</?(?:div", "pattern: '</?((?:div", 1))
    with pytest.raises(QualityConfigError, match="not a valid regular expression"):
        load_thresholds(config_copy)


def test_missing_file_and_unknown_override_group(config_copy: Path) -> None:
    (config_copy / "substance.yaml").unlink()
    with pytest.raises(QualityConfigError, match=r"substance\.yaml is missing"):
        load_thresholds(config_copy)
    with pytest.raises(QualityConfigError, match="unknown quality group"):
        load_thresholds(REPO_CONFIGS, overrides={"style": {}})
