"""Stage contracts: names, upstreams, typed summaries and tables are the one source of truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    ITEMS,
    PIPELINE,
    RAW_FILING,
    RISK_EMBEDDINGS,
    RISK_SEGMENTS,
    STAGES,
    ArtifactSchemaError,
    StageStatus,
)


def test_the_pipeline_is_a_chain_of_named_stages() -> None:
    names = [contract.name for contract in PIPELINE]
    assert len(set(names)) == len(names)
    for contract in PIPELINE:
        assert contract.description
        if contract.upstream is not None:
            assert names.index(contract.upstream) < names.index(contract.name)
    assert STAGES["risk_segments"] is RISK_SEGMENTS
    assert names[:7] == ["raw_filing", "parsed_filing", "item_1a", "cleaned_risk_text", "risk_segments",
                         "risk_embeddings", "risk_classifications"]


def test_a_summary_round_trips_and_a_missing_one_reads_as_failed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    summary = RAW_FILING.summary(StageStatus.OK, "AAPL-2024", accession="0000320193-24-000123", cik=320193)
    RAW_FILING.write_summary(store, summary)
    assert RAW_FILING.read_summary(store, "AAPL-2024") == summary
    missing = RAW_FILING.read_summary(store, "KO-2024")
    assert missing.status is StageStatus.FAILED and "has not been materialized for KO-2024" in (missing.reason or "")


def test_a_summary_refuses_fields_its_stage_does_not_have() -> None:
    with pytest.raises(ValueError, match="risk_factors"):
        RAW_FILING.summary(StageStatus.OK, "AAPL-2024", risk_factors=3)


def test_tables_are_written_and_read_only_with_the_contract_columns(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    frame = pd.DataFrame([{"ordinal": 1, "vector": [0.6, 0.8]}], columns=list(RISK_EMBEDDINGS.table.names))  # type: ignore[union-attr]
    RISK_EMBEDDINGS.write_table(store, "AAPL-2024", frame)
    assert RISK_EMBEDDINGS.read_table(store, "AAPL-2024")["ordinal"].tolist() == [1]
    assert RISK_EMBEDDINGS.table_fingerprint(store, "AAPL-2024") is not None
    assert RISK_EMBEDDINGS.table_fingerprint(store, "KO-2024") is None
    with pytest.raises(ArtifactSchemaError, match="not the contract's"):
        ITEMS.write_table(store, "AAPL-2024", frame)


def test_arrow_schemas_follow_the_column_lists() -> None:
    schema = RISK_SEGMENTS.table.arrow()  # type: ignore[union-attr]
    assert schema.names == list(RISK_SEGMENTS.table.names)  # type: ignore[union-attr]
    assert str(RISK_EMBEDDINGS.table.arrow().field("vector").type) == "list<item: float>"  # type: ignore[union-attr]
