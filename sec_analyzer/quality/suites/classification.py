"""Classification: one primary taxonomy category per risk factor, 1–3 labels scored in [0, 1], and
a filing not filed almost wholly under one category. Judged by the model-output gate only."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sec_analyzer.analysis.taxonomy import load_taxonomy, taxonomy_path
from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import PlannedCheck, describe_rows, expect, plain, share
from sec_analyzer.quality.thresholds import QualityThresholds

GROUP = "classification"


@cache
def taxonomy_categories(path: Path) -> tuple[str, ...]:
    """The category ids of the taxonomy file, read once per process."""
    return load_taxonomy(path).ids


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    config = thresholds.classification
    segments = int(frames.document.iloc[0]["segment_count"])
    if frames.classifications is None:
        reason = f": {filing.upstream_failure}" if filing.upstream_failure else ""
        return [
            PlannedCheck(
                GROUP,
                "one_primary_per_risk",
                config.one_primary_per_risk.severity,
                "document",
                [expect("ExpectColumnValuesToNotBeNull", column="classification_rows")],
                segments,
                lambda seen: f"no classifications for {segments} risks{reason}",
                value=None,
            )
        ]
    categories = list(taxonomy_categories(taxonomy_path()))
    rows = len(frames.classifications)
    ordinals = [plain(ordinal) for ordinal in frames.segments["ordinal"].dropna().unique()]
    labels = config.label_count
    fewest, most = labels.min_labels, labels.max_labels
    dominant = config.category_share
    return [
        PlannedCheck(
            GROUP,
            "one_primary_per_risk",
            config.one_primary_per_risk.severity,
            "classifications",
            [
                expect("ExpectTableRowCountToEqual", value=segments),
                expect("ExpectColumnValuesToBeUnique", column="ordinal"),
                expect("ExpectColumnValuesToBeInSet", column="ordinal", value_set=ordinals),
                expect("ExpectColumnValuesToNotBeNull", column="primary_category"),
            ],
            segments,
            lambda seen: (
                f"one primary category for each of the {segments} risks"
                if seen.passed
                else f"{rows} classifications for {segments} risks"
                + (
                    f"; {seen.failing_rows} of them repeat a risk, name an unknown risk or lack a primary"
                    if seen.failing_rows
                    else "; one per risk expected"
                )
            ),
            value=rows,
        ),
        PlannedCheck(
            GROUP,
            "primary_in_taxonomy",
            config.primary_in_taxonomy.severity,
            "classifications",
            [expect("ExpectColumnValuesToBeInSet", column="primary_category", value_set=categories)],
            {"taxonomy_categories": len(categories)},
            describe_rows(
                "every primary category is in the taxonomy",
                "{failing} of {total} risks have a primary category outside the taxonomy",
            ),
        ),
        PlannedCheck(
            GROUP,
            "primary_is_top_label",
            config.primary_is_top_label.severity,
            "classifications",
            [expect("ExpectColumnPairValuesToBeEqual", column_A="primary_category", column_B="first_label")],
            "the first label",
            describe_rows(
                "every primary category is its risk's first label",
                "{failing} of {total} risks list another label before their primary category",
            ),
        ),
        PlannedCheck(
            GROUP,
            "label_count",
            labels.severity,
            "classifications",
            [expect("ExpectColumnValuesToBeBetween", column="label_count", min_value=fewest, max_value=most)],
            {"min_labels": fewest, "max_labels": most},
            describe_rows(
                f"every risk has {fewest}–{most} labels",
                f"{{failing}} of {{total}} risks do not have {fewest}–{most} labels (unreadable labels count as none)",
            ),
        ),
        PlannedCheck(
            GROUP,
            "labels_in_taxonomy",
            config.labels_in_taxonomy.severity,
            "labels",
            [
                expect("ExpectColumnValuesToNotBeNull", column="category"),
                expect("ExpectColumnValuesToBeInSet", column="category", value_set=categories),
            ],
            {"taxonomy_categories": len(categories)},
            describe_rows(
                "every label is a category of the taxonomy",
                "{failing} of {total} labels name no category of the taxonomy",
            ),
        ),
        PlannedCheck(
            GROUP,
            "scores_in_unit_interval",
            config.scores_in_unit_interval.severity,
            "labels",
            [
                expect("ExpectColumnValuesToNotBeNull", column="score"),
                expect("ExpectColumnValuesToBeBetween", column="score", min_value=0, max_value=1),
            ],
            {"min_score": 0, "max_score": 1},
            describe_rows(
                "every label score is in [0, 1]",
                "{failing} of {total} label scores are missing or outside [0, 1]",
            ),
        ),
        PlannedCheck(
            GROUP,
            "category_share",
            dominant.severity,
            "classifications",
            [
                expect(
                    "ExpectColumnValuesToNotBeInSet",
                    column="primary_category",
                    value_set=[dominant.category],
                    mostly=1 - dominant.max_share,
                )
            ],
            {"category": dominant.category, "max_share": dominant.max_share},
            lambda seen: (
                f"{share(seen)} of risks have the primary category '{dominant.category}' "
                f"(at most {dominant.max_share:.0%} allowed)"
            ),
        ),
    ]
