"""Vectors: one finite, unit-norm vector of the model's dimension per risk factor, none shared by
risks with different texts. Judged by the model-output gate only."""

from __future__ import annotations

from sec_analyzer.quality.frames import FilingFrames
from sec_analyzer.quality.inputs import FilingUnderTest
from sec_analyzer.quality.outcomes import PlannedCheck, describe_rows, expect
from sec_analyzer.quality.thresholds import QualityThresholds

GROUP = "vectors"


def plan(filing: FilingUnderTest, frames: FilingFrames, thresholds: QualityThresholds) -> list[PlannedCheck]:
    config = thresholds.vectors
    document = frames.document.iloc[0]
    segments = int(document["segment_count"])
    rows = None if frames.embeddings is None else len(frames.embeddings)
    count = PlannedCheck(
        GROUP,
        "embedding_rows_match_segments",
        config.embedding_rows_match_segments.severity,
        "document",
        [
            expect("ExpectColumnValuesToNotBeNull", column="embedding_rows"),
            expect("ExpectColumnPairValuesToBeEqual", column_A="embedding_rows", column_B="segment_count"),
        ],
        segments,
        lambda seen: (
            f"no embeddings for {segments} segments"
            + (f": {filing.upstream_failure}" if filing.upstream_failure else "")
            if rows is None
            else f"{rows} embeddings for {segments} segments"
            + ("" if seen.passed else "; one per segment expected")
        ),
        value=rows,
    )
    if frames.embeddings is None:
        return [count]
    expected_dimension = filing.embedding_dimension or config.embedding_dimension.expected_dimension
    dimension = document["embedding_dimension"]
    tolerance = config.embedding_unit_norm.tolerance
    return [
        count,
        PlannedCheck(
            GROUP,
            "embedding_dimension",
            config.embedding_dimension.severity,
            "document",
            [
                expect(
                    "ExpectColumnValuesToBeInSet",
                    column="embedding_dimension",
                    value_set=[expected_dimension],
                )
            ],
            expected_dimension,
            lambda seen: (
                "no vectors to measure"
                if rows == 0
                else f"embeddings have {dimension} dimensions"
                + ("" if seen.passed else f"; the model's dimension is {expected_dimension}")
            ),
            value=dimension,
        ),
        PlannedCheck(
            GROUP,
            "embedding_unit_norm",
            config.embedding_unit_norm.severity,
            "embeddings",
            [
                expect(
                    "ExpectColumnValuesToBeBetween",
                    column="norm",
                    min_value=1 - tolerance,
                    max_value=1 + tolerance,
                )
            ],
            {"norm": 1.0, "tolerance": tolerance},
            describe_rows(
                "every embedding has unit norm",
                f"{{failing}} of {{total}} embeddings are not unit-norm (±{tolerance})",
            ),
        ),
        PlannedCheck(
            GROUP,
            "embedding_values_finite",
            config.embedding_values_finite.severity,
            "embeddings",
            [expect("ExpectColumnValuesToBeInSet", column="nonfinite_values", value_set=[0])],
            {"nonfinite_values": 0},
            describe_rows(
                "every embedding value is finite",
                "{failing} of {total} embeddings hold NaN or infinite values",
            ),
        ),
        PlannedCheck(
            GROUP,
            "identical_vectors_have_identical_texts",
            config.identical_vectors_have_identical_texts.severity,
            "embeddings",
            [expect("ExpectColumnValuesToBeBetween", column="texts_sharing_vector", max_value=1)],
            {"texts_sharing_vector": 1},
            describe_rows(
                "no two risks with different texts share a vector",
                "{failing} of {total} embeddings are identical to the vector of a risk with a different text",
            ),
        ),
    ]
