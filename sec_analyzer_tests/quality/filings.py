"""Realistic filings for the quality tests: a clean one, and single faults injected into it."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pandas as pd

from sec_analyzer.artifacts import ArtifactStore
from sec_analyzer.contracts import (
    CLEANED_TEXT,
    ITEMS,
    ITEMS_TABLE,
    PARSED_FILING,
    RISK_CLASSIFICATIONS,
    RISK_EMBEDDINGS,
    RISK_FACTORS_TABLE,
    RISK_SEGMENTS,
    StageStatus,
)
from sec_analyzer.quality.inputs import FilingUnderTest

INTRODUCTION = (
    "The Company's business, reputation, results of operations, financial condition and stock price can be "
    "affected by a number of factors, whether currently known or unknown, including those described below."
)

RISK_FACTORS: list[tuple[str, str, str]] = [
    (
        "Global economic conditions could materially adversely affect the Company.",
        "macroeconomic",
        "Demand for the Company's products depends on consumer and business spending. Adverse economic "
        "conditions, including inflation, slower growth or recession, higher interest rates and volatile "
        "currency markets, can reduce that spending and the Company's net sales and gross margin.",
    ),
    (
        "The Company depends on component and product manufacturing performed by outsourcing partners.",
        "supply_chain",
        "Substantially all of the Company's manufacturing is performed in whole or in part by a small number "
        "of partners located primarily in Asia. A disruption at any of them, or a shortage of single-source "
        "components, could delay shipments and raise costs for an extended period.",
    ),
    (
        "The Company's business is subject to the risks of international operations.",
        "geopolitical_trade",
        "A majority of net sales come from outside the United States. Tariffs, export controls, sanctions, "
        "changes in trade policy and political instability can restrict the Company's ability to make and "
        "sell products in affected markets and increase the cost of doing so.",
    ),
    (
        "Losses or unauthorized access to confidential information could harm the Company.",
        "cybersecurity_it",
        "The Company's systems and those of its vendors are targets of attacks by sophisticated actors. A "
        "breach could expose customer data, interrupt services, lead to regulatory penalties and litigation, "
        "and damage the Company's reputation with customers and partners.",
    ),
    (
        "The Company faces intense competition in all of its markets.",
        "competition_demand",
        "Competitors imitate the Company's products and features, price aggressively and introduce new "
        "business models. If the Company cannot continue to offer innovative products at competitive prices, "
        "its market share and margins could decline.",
    ),
    (
        "The Company depends on the continued service of key personnel.",
        "human_capital",
        "Much of the Company's future success depends on retaining highly skilled engineers and managers. "
        "Competition for such talent is intense in the regions where the Company operates, and losing key "
        "people could delay product development.",
    ),
    (
        "The Company is exposed to credit risk and fluctuations in the value of its investment portfolio.",
        "credit_counterparty",
        "The Company holds a large portfolio of fixed-income securities and extends credit to distributors "
        "and carriers. Defaults, downgrades or falling market values could require impairment charges and "
        "reduce the Company's liquidity.",
    ),
    (
        "Changes in tax rates or exposure to additional tax liabilities could affect profitability.",
        "tax",
        "The Company is subject to taxes in the United States and numerous foreign jurisdictions. New "
        "legislation such as a global minimum tax, or adverse outcomes of tax audits, could increase the "
        "Company's effective tax rate and its tax payments.",
    ),
    (
        "The Company is subject to complex and changing laws and regulations worldwide.",
        "regulatory_compliance",
        "Privacy, competition, consumer protection and product safety rules differ across countries and "
        "keep changing. Compliance is costly, and a violation could result in fines, injunctions or changes "
        "to the way the Company sells its products and services.",
    ),
    (
        "The price of the Company's stock is subject to volatility.",
        "reputation_esg_governance",
        "The stock price has fluctuated substantially and may continue to do so in response to quarterly "
        "results, announcements by competitors, analyst expectations and general market conditions that "
        "are unrelated to the Company's own performance.",
    ),
]

ITEM_IDS = ["1", "1A", "1B", "1C", "2", "3", "4", "5", "7", "7A", "8", "9", "9A", "9B"]


def build_item_1a(risk_factors: list[tuple[str, str, str]] = RISK_FACTORS) -> tuple[str, pd.DataFrame]:
    """The cleaned Item 1A text and its segments, one per risk factor, with exact offsets."""
    text = INTRODUCTION + "\n\n"
    rows: list[dict[str, Any]] = []
    for ordinal, (heading, category, body) in enumerate(risk_factors, start=1):
        start = len(text)
        text += f"{heading}\n\n{body}\n\n"
        rows.append(
            {
                "ordinal": ordinal,
                "heading": heading,
                "category": category,
                "text": body,
                "start_offset": start,
                "end_offset": len(text) - 2,
                "is_general_risk": ordinal == len(risk_factors),
            }
        )
    return text.rstrip("\n"), pd.DataFrame(rows)


def item_rows(absent: dict[str, str] | None = None) -> pd.DataFrame:
    absent = absent or {}
    return pd.DataFrame(
        [
            {
                "item_id": item_id,
                "status": "absent" if item_id in absent else "found",
                "char_count": 0 if item_id in absent else 5000,
                "absent_reason": absent.get(item_id),
            }
            for item_id in ITEM_IDS
        ]
    )


def unit_embeddings(count: int, dimension: int = 384, seed: int = 7) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def classifications_of(segments: pd.DataFrame) -> pd.DataFrame:
    """Each risk's own category as primary, with a weaker second label."""
    rows = []
    for ordinal, category in zip(segments["ordinal"], segments["category"], strict=True):
        second = "other" if category != "other" else "macroeconomic"
        labels = [{"category": category, "score": 0.62}, {"category": second, "score": 0.31}]
        rows.append(
            {
                "ordinal": ordinal,
                "primary_category": category,
                "labels": json.dumps(labels),
                "model_name": "zero-shot-prototypes",
                "model_version": "test",
            }
        )
    return pd.DataFrame(rows)


def good_filing(**changes: Any) -> FilingUnderTest:
    text, segments = build_item_1a()
    filing = FilingUnderTest(
        partition_key="ACME-2024",
        expected_fiscal_year=2024,
        document_fiscal_year=2024,
        document_type="10-K",
        items=item_rows(),
        item_1a_text=text,
        segments=segments,
        embeddings=unit_embeddings(len(segments)),
        embedding_dimension=384,
        classifications=classifications_of(segments),
    )
    return dataclasses.replace(filing, **changes)


def with_segment_change(filing: FilingUnderTest, row: int, **values: Any) -> FilingUnderTest:
    segments = filing.segments.copy()
    for column, value in values.items():
        segments.loc[row, column] = value
    return dataclasses.replace(filing, segments=segments)


def store_filing(artifacts: ArtifactStore, filing: FilingUnderTest) -> None:
    """Write `filing` as the pipeline's stages would, through their contracts."""
    key = filing.partition_key
    PARSED_FILING.write_summary(
        artifacts,
        PARSED_FILING.summary(
            StageStatus.OK,
            key,
            document_fiscal_year=filing.document_fiscal_year,
            document_type=filing.document_type,
        ),
    )
    ITEMS.write_summary(artifacts, ITEMS.summary(StageStatus.OK, key))
    ITEMS.write_table(artifacts, key, filing.items.reindex(columns=list(ITEMS_TABLE.names)))
    CLEANED_TEXT.write_summary(artifacts, CLEANED_TEXT.summary(StageStatus.OK, key))
    document = CLEANED_TEXT.document_path(artifacts, key)
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(json.dumps({"text": filing.item_1a_text, "blocks": []}), encoding="utf-8")
    RISK_SEGMENTS.write_summary(artifacts, RISK_SEGMENTS.summary(StageStatus.OK, key))
    RISK_SEGMENTS.write_table(
        artifacts, key, filing.segments.assign(features="{}").reindex(columns=list(RISK_FACTORS_TABLE.names))
    )
    assert filing.embeddings is not None and filing.classifications is not None
    RISK_EMBEDDINGS.write_summary(
        artifacts, RISK_EMBEDDINGS.summary(StageStatus.OK, key, dimension=filing.embedding_dimension)
    )
    vectors = pd.DataFrame(
        {"ordinal": filing.segments["ordinal"], "vector": list(filing.embeddings.astype(np.float32))}
    )
    RISK_EMBEDDINGS.write_table(artifacts, key, vectors)
    RISK_CLASSIFICATIONS.write_summary(artifacts, RISK_CLASSIFICATIONS.summary(StageStatus.OK, key))
    RISK_CLASSIFICATIONS.write_table(artifacts, key, filing.classifications)
