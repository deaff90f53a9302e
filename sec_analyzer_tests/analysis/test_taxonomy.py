from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sec_analyzer.analysis.taxonomy import FALLBACK_CATEGORY, TaxonomyError, load_taxonomy, taxonomy_path

TWENTY_CATEGORIES = (
    "macroeconomic", "geopolitical_trade", "catastrophe_pandemic", "climate_environmental",
    "competition_demand", "product_strategy_execution", "artificial_intelligence", "supply_chain",
    "cybersecurity_it", "human_capital", "operations_infrastructure", "regulatory_compliance",
    "litigation_legal", "intellectual_property", "tax", "liquidity_capital", "credit_counterparty",
    "market_rates_fx", "accounting_reporting", "reputation_esg_governance",
)  # fmt: skip


def test_the_project_taxonomy_has_the_twenty_categories_then_the_fallback() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.ids == (*TWENTY_CATEGORIES, FALLBACK_CATEGORY)
    assert all(category.cues and category.definition for category in taxonomy.categories)
    assert len({category.group for category in taxonomy.categories}) == 7  # six groups and the fallback


def test_the_taxonomy_comes_from_the_configured_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEC_ANALYZER_CONFIG_DIR", str(tmp_path))
    assert taxonomy_path() == tmp_path / "taxonomy.yaml"
    with pytest.raises(TaxonomyError, match=r"cannot read the taxonomy .*taxonomy.yaml"):
        load_taxonomy()


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load(taxonomy_path().read_text(encoding="utf-8"))
    assert callable(mutate)
    mutate(raw)
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda raw: raw["categories"].append(dict(raw["categories"][0])),
            "duplicate category ids: macroeconomic",
        ),
        (lambda raw: raw["categories"].pop(), "the fallback category 'other' is missing"),
        (lambda raw: raw["categories"][2].update(cues=[]), r"categories\.2\.cues"),
        (lambda raw: raw["categories"][4].update(id="Competition Demand"), r"categories\.4\.id"),
        (lambda raw: raw["categories"][1].pop("definition"), r"categories\.1\.definition: Field required"),
        (lambda raw: raw["categories"][0].update(colour="red"), r"categories\.0\.colour"),
    ],
)
def test_an_invalid_taxonomy_is_one_line_naming_the_file_and_field(
    tmp_path: Path, mutate: object, message: str
) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(TaxonomyError, match=message) as raised:
        load_taxonomy(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_malformed_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("categories: [\n  - id: tax\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="is not valid YAML") as raised:
        load_taxonomy(path)
    assert "\n" not in str(raised.value)


def test_any_edit_changes_the_fingerprint(tmp_path: Path) -> None:
    original = load_taxonomy()
    edited = load_taxonomy(_write(tmp_path, lambda raw: raw["categories"][14]["cues"].append("sales taxes")))
    assert edited.ids == original.ids and edited.fingerprint != original.fingerprint
