"""Publishing filings: replace, never duplicate; all or nothing; bad input refused whole."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, func, insert, select

from sec_analyzer.storage.results_repo import ItemRecord, ModelOutputs, PublishError, ResultsRepository
from sec_analyzer.storage.tables import ClassificationRow, EmbeddingRow, FilingRow, ItemRow, RiskFactorRow
from sec_analyzer_tests.storage import samples


def snapshot(repository: ResultsRepository) -> dict[str, Any]:
    """Everything a reader can see, to compare states before and after a failed write."""
    return {
        "filing": repository.filing(samples.ACCESSION),
        "risk_factors": repository.risk_factors(),
        "counts": repository.counts(),
    }


def test_publishing_twice_leaves_the_same_rows(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    first = repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(5))
    before = repository.risk_factors()
    second = repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(5))

    assert first.created and not second.created
    assert repository.risk_factors() == before
    counts = repository.counts()
    assert (counts["companies"], counts["filings"], counts["items"], counts["risk_factors"]) == (1, 1, 3, 5)


def test_published_rows_read_back_as_written(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3))

    stored = repository.filing(samples.ACCESSION)
    assert stored is not None
    expected = dataclasses.asdict(samples.filing())
    assert {key: stored[key] for key in expected} == expected
    assert stored["items"][2] == dataclasses.asdict(samples.items()[2])
    assert stored["risk_factor_count"] == 3
    assert stored["published_at"].tzinfo is not None

    factors = repository.risk_factors(ticker="aapl", fiscal_year=2024)
    assert [factor["ordinal"] for factor in factors] == [0, 1, 2]
    original = samples.risk_factor(1)
    assert factors[1]["text"] == original.text
    assert factors[1]["features"] == original.features
    assert factors[1]["is_general_risk"] is False
    assert repository.risk_factors(fiscal_year=2023) == []
    assert repository.filing("0000000000-00-000000") is None


def test_republishing_with_fewer_risk_factors_removes_the_extra_rows(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(6))
    summary = repository.publish_filing(samples.filing(), samples.items()[:1], samples.risk_factors(2))

    assert summary.removed_risk_factor_count == 4
    assert [factor["ordinal"] for factor in repository.risk_factors()] == [0, 1]
    assert repository.counts()["items"] == 1


def test_a_failure_mid_write_leaves_the_previous_complete_state(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(4))
    before = snapshot(repository)

    class InjectedFailure(RuntimeError):
        pass

    def fail_on_risk_factor_write(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # By now the company and filing were upserted and the items replaced.
        if statement.startswith("INSERT INTO risk_factors"):
            raise InjectedFailure("disk full")

    event.listen(engine, "before_cursor_execute", fail_on_risk_factor_write)
    try:
        with pytest.raises(InjectedFailure):
            repository.publish_filing(
                dataclasses.replace(samples.filing(), raw_size=1),
                samples.items()[:1],
                samples.risk_factors(2),
            )
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_risk_factor_write)

    assert snapshot(repository) == before


def test_an_invalid_row_rejected_by_the_database_rolls_back_everything(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3))
    before = snapshot(repository)
    broken = dataclasses.replace(samples.risk_factor(2), heading=None)  # type: ignore[arg-type]

    with pytest.raises(PublishError, match=r"the database rejected it .*nothing was changed"):
        repository.publish_filing(samples.filing(), samples.items()[:2], [samples.risk_factor(0), broken])

    assert snapshot(repository) == before


def test_bad_input_is_refused_before_anything_is_written(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    bad_item = ItemRecord("1B", "absent", None, 0, None, None)
    duplicated = [samples.risk_factor(1), samples.risk_factor(1)]
    nan_feature = dataclasses.replace(samples.risk_factor(2), features={"negative": float("nan")})
    nul_text = samples.risk_factor(3, text="broken\x00text")

    with pytest.raises(PublishError) as raised:
        repository.publish_filing(
            dataclasses.replace(samples.filing(), partition_key="AAPL-2023"),
            [bad_item],
            [*duplicated, nan_feature, nul_text],
        )

    message = str(raised.value)
    for expected in (
        "does not match ticker AAPL and fiscal year 2024",
        "item 1B: an absent item needs an absent_reason",
        "risk factor ordinal 1 appears more than once",
        "risk factor 2: features negative are not finite numbers",
        "risk factor 3: text contains a NUL character",
    ):
        assert expected in message
    assert sum(repository.counts().values()) == 0


def test_a_partition_already_published_from_another_filing_is_refused(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(2))
    before = snapshot(repository)

    with pytest.raises(PublishError, match=r"partition AAPL-2024 is already published from filing"):
        repository.publish_filing(
            samples.filing("0000320193-24-000999"), samples.items(), samples.risk_factors(1)
        )

    assert snapshot(repository) == before


def test_changed_or_removed_risk_factors_lose_their_embeddings_and_classifications(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3))
    with engine.begin() as connection:
        filing_id = connection.execute(select(FilingRow.id)).scalar_one()
        for ordinal in range(3):
            connection.execute(
                insert(EmbeddingRow).values(
                    filing_id=filing_id,
                    ordinal=ordinal,
                    model_name="minilm",
                    model_version="minilm-v1",
                    embedding_path="torch-fp32",
                    dimension=2,
                    vector=[0.5, 0.25],
                )
            )
            connection.execute(
                insert(ClassificationRow).values(
                    filing_id=filing_id, ordinal=ordinal, model_name="clf", model_version="clf-v1", label="legal",
                    rank=1, score=0.9,
                )
            )

    revised = [samples.risk_factor(0), samples.risk_factor(1, text="A reworded risk about supply chains.")]
    repository.publish_filing(samples.filing(), samples.items(), revised)

    with engine.connect() as connection:
        for derived in (EmbeddingRow, ClassificationRow):
            kept = connection.execute(select(derived.ordinal).order_by(derived.ordinal)).scalars().all()
            assert kept == [0]
        vector = connection.execute(select(EmbeddingRow.vector)).scalar_one()
    assert vector == [0.5, 0.25]


def outputs(classifier_version: str, ordinals: range) -> ModelOutputs:
    return ModelOutputs(
        embedding_model="minilm", embedding_version="e1", embedding_path="openvino-bf16", dimension=2,
        vectors={ordinal: [0.6, 0.8] for ordinal in ordinals}, classifier_name="clf",
        classifier_version=classifier_version,
        labels={ordinal: [("tax", 0.7), ("litigation_legal", 0.4)] for ordinal in ordinals},
    )


def test_vectors_and_labels_are_published_with_their_filing_from_one_model_version(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3), outputs("v1", range(3)))
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3), outputs("v2", range(3)))
    with engine.connect() as connection:
        versions = set(connection.execute(select(ClassificationRow.model_version)).scalars())
        ranks = connection.execute(select(ClassificationRow.rank, ClassificationRow.label)
                                   .where(ClassificationRow.ordinal == 0).order_by(ClassificationRow.rank)).all()
        vectors = connection.execute(select(EmbeddingRow.vector)).scalars().all()
    assert versions == {"v2"}, "a republished filing never mixes model versions"
    assert [tuple(row) for row in ranks] == [(1, "tax"), (2, "litigation_legal")]
    assert vectors == [[0.6, 0.8]] * 3


def test_model_outputs_that_do_not_cover_the_risks_are_refused_and_nothing_changes(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    with pytest.raises(PublishError, match="vectors cover risk ordinals"):
        repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3), outputs("v1", range(2)))
    assert repository.counts()["filings"] == 0


def test_deleting_a_filing_cascades_to_everything_it_owns(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(3))
    with engine.begin() as connection:
        connection.execute(delete(FilingRow))
        assert connection.execute(select(func.count()).select_from(ItemRow)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(RiskFactorRow)).scalar_one() == 0


def test_filings_of_several_companies_and_years_are_filtered(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    repository.publish_filing(samples.filing(), samples.items(), samples.risk_factors(2))
    repository.publish_filing(
        samples.filing("0000320193-23-000106", fiscal_year=2023), [], samples.risk_factors(3)
    )
    repository.publish_filing(
        dataclasses.replace(
            samples.filing("0000789019-24-000081", ticker="BRK.B"), cik=1067983, company_name="Berkshire"
        ),
        [],
        samples.risk_factors(1),
    )

    assert len(repository.risk_factors()) == 6
    assert len(repository.risk_factors(ticker="AAPL")) == 5
    assert len(repository.risk_factors(fiscal_year=2024)) == 3
    assert [row["partition_key"] for row in repository.risk_factors(ticker="brk/b")] == ["BRK-B-2024"]
    assert repository.counts()["companies"] == 2


def test_concurrent_publishers_of_one_filing_leave_one_complete_version(engine: Engine) -> None:
    repository = ResultsRepository(engine)
    versions = {count: samples.risk_factors(count) for count in (2, 3, 4, 5)}

    with ThreadPoolExecutor(max_workers=len(versions)) as pool:
        summaries = list(
            pool.map(
                lambda factors: repository.publish_filing(samples.filing(), samples.items(), factors),
                versions.values(),
            )
        )

    assert sum(summary.created for summary in summaries) >= 1
    stored = repository.risk_factors()
    assert [factor["ordinal"] for factor in stored] == list(range(len(stored)))
    assert len(stored) in versions
    counts = repository.counts()
    assert (counts["filings"], counts["items"], counts["risk_factors"]) == (1, 3, len(stored))
