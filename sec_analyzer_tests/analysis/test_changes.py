"""Year-over-year matching on real Coca-Cola risk factors: the real 2023 → 2024 pair against the
hand-checked gold file, and synthetic next years built from the 2024 filing (headings reworded,
risks merged, dropped, swapped and split), each embedded with the real model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sec_analyzer.analysis.analysis_config import ChangeSettings, load_analysis_settings
from sec_analyzer.analysis.changes import ChangeStatus, Risk, RiskChange, compare, normalize_text, word_diff
from sec_analyzer_tests.analysis.yoy_fixtures import VectorCache

GOLD = Path(__file__).resolve().parents[2] / "benchmarks" / "gold" / "risk_changes.json"

# A third of Coca-Cola's 2024 headings (ordinal -> new wording), reworded the way filers do:
# same risk, same body, different words.
REWORDED = {
    1: "Weak economies, political instability and armed conflicts around the world may reduce our revenues and profits.",
    4: "Our results depend on large retail and foodservice customers, whose consolidation or loss would hurt us.",
    7: "Competition for skilled employees may leave us without the people we need.",
    10: "We depend on outside service providers and partners to perform as promised.",
    13: "Consumer tastes and the way people shop keep changing, and we may fail to keep up.",
    16: "Our digital transformation program may not deliver the expected benefits.",
    19: "Much of our business runs through independent bottlers we do not control.",
    22: "Tax law changes and disputes with tax authorities may raise what we owe.",
    25: "New labeling, warning and marketing rules could cut sales of some beverages.",
    28: "Our brands and secret formulas may not be adequately protected.",
    31: "Higher borrowing costs would reduce our net income.",
    34: "Write-downs of goodwill, trademarks and other assets may hurt reported earnings.",
    37: "Sustainability rules and stakeholder expectations are growing and may raise our costs.",
    40: "Pressure on farm output and sourcing rules may make our ingredients scarcer and costlier.",
}


@pytest.fixture(scope="module")
def settings() -> ChangeSettings:
    return load_analysis_settings().changes


def _pieces(risks: list[Risk]) -> list[tuple[str, str, str | None]]:
    return [(risk.heading, risk.text, risk.category) for risk in risks]


def _pairs(changes: list[RiskChange]) -> dict[int, int]:
    return {change.previous.ordinal: change.current.ordinal for change in changes
            if change.previous is not None and change.current is not None}


def _of(changes: list[RiskChange], status: ChangeStatus) -> list[RiskChange]:
    return [change for change in changes if change.status is status]


def _assert_each_risk_once(changes: list[RiskChange], previous: list[Risk], current: list[Risk]) -> None:
    previous_seen = Counter(change.previous.ordinal for change in changes if change.previous is not None)
    current_seen = Counter(change.current.ordinal for change in changes if change.current is not None)
    assert previous_seen == Counter(risk.ordinal for risk in previous)
    assert current_seen == Counter(risk.ordinal for risk in current)


def test_the_real_2023_to_2024_pairing_is_the_hand_checked_one(
    ko_2023: list[Risk], ko_2024: list[Risk], settings: ChangeSettings
) -> None:
    gold = next(pair for pair in json.loads(GOLD.read_text())["pairs"] if pair["ticker"] == "KO")
    assert [risk.heading[:80] for risk in ko_2024] == gold["current_headings"], "the segmenter changed KO-2024"
    changes = compare(ko_2023, ko_2024, settings)
    _assert_each_risk_once(changes, ko_2023, ko_2024)
    assert sorted(_pairs(changes).items()) == sorted(tuple(pair) for pair in gold["pairs"])
    assert [change.current.ordinal for change in _of(changes, ChangeStatus.NEW) if change.current] == gold["new"]
    reworded = next(change for change in changes if change.previous is not None and change.previous.ordinal == 7)
    assert reworded.status is ChangeStatus.MODIFIED and reworded.current is not None
    assert "talent" in reworded.current.heading


def test_rewording_a_third_of_the_headings_keeps_every_risk_paired(
    ko_2024: list[Risk], vector_cache: VectorCache, settings: ChangeSettings
) -> None:
    next_year = vector_cache.risks([
        (REWORDED.get(risk.ordinal, risk.heading), risk.text, risk.category) for risk in ko_2024
    ])
    changes = compare(ko_2024, next_year, settings)

    _assert_each_risk_once(changes, ko_2024, next_year)
    assert _pairs(changes) == {risk.ordinal: risk.ordinal for risk in ko_2024}
    assert {change.current.ordinal for change in _of(changes, ChangeStatus.MODIFIED) if change.current} == set(REWORDED)
    assert len(_of(changes, ChangeStatus.UNCHANGED)) == len(ko_2024) - len(REWORDED)
    assert not any(change.moved or change.category_changed for change in changes)
    modified = next(change for change in changes if change.current is not None and change.current.ordinal == 31)
    spans = modified.heading_diff
    assert " ".join(span.text for span in spans if span.op != "+") == ko_2024[30].heading
    assert " ".join(span.text for span in spans if span.op != "-") == REWORDED[31]
    assert ("-", "If interest rates increase,") in [(span.op, span.text) for span in spans]
    assert [span.op for span in modified.body_diff] == ["="]


def test_a_merge_and_a_dropped_risk(ko_2024: list[Risk], vector_cache: VectorCache, settings: ChangeSettings) -> None:
    # 2024's indirect-tax risk (#23) is folded into the income-tax risk (#22); obesity (#12) is dropped.
    by_ordinal = {risk.ordinal: risk for risk in ko_2024}
    pieces = []
    for risk in ko_2024:
        if risk.ordinal in (12, 23):
            continue
        text = f"{risk.text}\n\n{by_ordinal[23].text}" if risk.ordinal == 22 else risk.text
        pieces.append((risk.heading, text, risk.category))
    next_year = vector_cache.risks(pieces)
    merged_ordinal = next(risk.ordinal for risk in next_year if risk.heading == by_ordinal[22].heading)
    changes = compare(ko_2024, next_year, settings)

    _assert_each_risk_once(changes, ko_2024, next_year)
    removed = {change.previous.ordinal: change.merged_into for change in _of(changes, ChangeStatus.REMOVED)
               if change.previous is not None}
    assert removed == {12: None, 23: merged_ordinal}
    assert not _of(changes, ChangeStatus.NEW)
    assert _pairs(changes)[22] == merged_ordinal
    continuing = next(change for change in changes if change.previous is not None and change.previous.ordinal == 22)
    assert continuing.status is ChangeStatus.MODIFIED
    assert 0 < (continuing.changed_words_share or 0) < 0.5
    assert len(_of(changes, ChangeStatus.UNCHANGED)) == len(ko_2024) - 3
    assert not any(change.moved for change in changes)


def test_two_swapped_risks_are_paired_and_marked_moved(
    ko_2024: list[Risk], vector_cache: VectorCache, settings: ChangeSettings
) -> None:
    pieces = _pieces(ko_2024)
    pieces[4], pieces[8] = pieces[8], pieces[4]  # risks 5 and 9 trade places
    next_year = vector_cache.risks(pieces)
    changes = compare(ko_2024, next_year, settings)

    _assert_each_risk_once(changes, ko_2024, next_year)
    expected = {risk.ordinal: risk.ordinal for risk in ko_2024} | {5: 9, 9: 5}
    assert _pairs(changes) == expected
    assert all(change.status is ChangeStatus.UNCHANGED for change in changes)
    assert {change.previous.ordinal for change in changes if change.moved and change.previous} <= {5, 9}
    assert any(change.moved for change in changes)


def test_a_risk_moved_to_another_category_with_a_new_heading_and_an_added_sentence_is_modified(
    ko_2024: list[Risk], vector_cache: VectorCache, settings: ChangeSettings
) -> None:
    # The same-slot rule only rescues rewrites in place; this one moves too, so only the global
    # assignment over the body can pair it.
    pieces = _pieces(ko_2024)
    _, text, _ = pieces.pop(4)  # risk 5, its heading replaced below
    last_category = pieces[-1][2]
    pieces.append(("Our business could be hurt by the matters described below, which we now report "
                   "among our general risks.", text + "\n\nWe continue to monitor these developments.",
                   last_category))
    next_year = vector_cache.risks(pieces)
    changes = compare(ko_2024, next_year, settings)

    _assert_each_risk_once(changes, ko_2024, next_year)
    assert not _of(changes, ChangeStatus.NEW) and not _of(changes, ChangeStatus.REMOVED)
    moved = next(change for change in changes if change.previous is not None and change.previous.ordinal == 5)
    assert moved.status is ChangeStatus.MODIFIED and moved.current is not None
    assert moved.current.ordinal == len(ko_2024) and moved.moved


def test_a_split_risk_continues_and_its_other_half_is_new(
    ko_2024: list[Risk], vector_cache: VectorCache, settings: ChangeSettings
) -> None:
    # The income-tax risk (#22) loses its last two paragraphs (the IRS dispute) to a risk of its own.
    pieces = []
    for risk in ko_2024:
        if risk.ordinal != 22:
            pieces.append((risk.heading, risk.text, risk.category))
            continue
        paragraphs = [paragraph for paragraph in risk.text.split("\n") if paragraph.strip()]
        assert len(paragraphs) >= 4
        pieces.append((risk.heading, "\n\n".join(paragraphs[:-2]), risk.category))
        pieces.append(("We are in a dispute with the IRS over our taxes for 2007 through 2009, which could result in "
                       "significant additional tax liabilities.", "\n\n".join(paragraphs[-2:]), risk.category))
    next_year = vector_cache.risks(pieces)
    changes = compare(ko_2024, next_year, settings)

    _assert_each_risk_once(changes, ko_2024, next_year)
    new = _of(changes, ChangeStatus.NEW)
    assert [(change.current.ordinal, change.split_from) for change in new if change.current] == [(23, 22)]
    assert _pairs(changes)[22] == 22
    assert not _of(changes, ChangeStatus.REMOVED)
    expected = {ordinal: ordinal if ordinal <= 22 else ordinal + 1 for ordinal in range(1, len(ko_2024) + 1)}
    assert _pairs(changes) == expected
    assert [change.current.ordinal for change in changes if change.current] == list(range(1, len(next_year) + 1))


def test_whitespace_quotes_and_dashes_alone_leave_a_risk_unchanged(
    ko_2024: list[Risk], settings: ChangeSettings
) -> None:
    first = ko_2024[0]
    retyped = Risk(1, first.heading.replace(" ", "  "), first.text.replace("'", "’").replace("-", "—") + "\n",
                   first.category, first.vector)
    changes = compare([first], [retyped], settings)
    assert [change.status for change in changes] == [ChangeStatus.UNCHANGED]
    assert normalize_text("“Costs” – rising\u00a0 fast") == '"Costs" - rising fast'


def test_the_word_diff_marks_removed_and_added_words() -> None:
    spans, changed, total = word_diff("Increased competition could hurt our business.",
                                      "Increased competition may hurt our business and results.")
    assert [(span.op, span.text) for span in spans] == [
        ("=", "Increased competition"), ("-", "could"), ("+", "may"), ("=", "hurt our"),
        ("-", "business."), ("+", "business and results."),
    ]
    assert (changed, total) == (6, 14)


def test_an_empty_year_makes_every_risk_new_or_removed(ko_2024: list[Risk], settings: ChangeSettings) -> None:
    changes = compare([], ko_2024[:3], settings)
    assert [change.status for change in changes] == [ChangeStatus.NEW] * 3
    changes = compare(ko_2024[:3], [], settings)
    assert [change.status for change in changes] == [ChangeStatus.REMOVED] * 3


def test_changes_are_stored_once_per_filing_and_the_cli_reports_the_exact_shape(
    ko_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sec_analyzer.analysis.analysis_commands import diff
    from sec_analyzer.analysis.changes import refresh_filing_changes
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine

    repository = AnalysisRepository(create_db_engine(ko_database))
    settings = load_analysis_settings().changes
    first = refresh_filing_changes(repository, "KO-2024", settings)
    again = refresh_filing_changes(repository, "KO-2023", settings)  # the next year's changes are refreshed too
    assert [(result.previous_year, result.current_year) for result in first] == [(2023, 2024)]
    assert [(result.previous_year, result.current_year) for result in again] == [(2023, 2024)]
    stored = repository.changes(repository.filing("KO", 2024))
    assert len(stored) == len(first[0].changes)  # replaced, not duplicated
    modified = [record for record, _, _ in stored if record.change_type == "modified"]
    assert modified and all(record.diff and record.changed_words_share for record in modified)

    # The filings of one step share what they refreshed: KO 2023 then KO 2024 diff their pair once.
    refreshed: dict[tuple[str, str], Any] = {}
    diffed = []
    monkeypatch.setattr(repository, "save_changes", lambda previous, current, records: diffed.append(
        (previous.fiscal_year, current.fiscal_year)))
    in_step = [refresh_filing_changes(repository, key, settings, refreshed) for key in ("KO-2023", "KO-2024")]
    assert diffed == [(2023, 2024)]
    assert in_step[0] == in_step[1] == [refreshed[("KO-2023", "KO-2024")]]
    assert [change.status for change in in_step[1][0].changes] == [change.status for change in first[0].changes]

    monkeypatch.setenv("SEC_ANALYZER_DATABASE_URL", ko_database)
    result = CliRunner().invoke(diff, ["ko", "2023", "2024", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document) == ["ticker", "previous_year", "current_year", "changes"]
    assert (document["ticker"], document["previous_year"], document["current_year"]) == ("KO", 2023, 2024)
    for change in document["changes"]:
        assert list(change) == ["status", "previous", "current", "score", "changed_words_share",
                                "merged_into", "split_from"]
        for side in ("previous", "current"):
            assert change[side] is None or list(change[side]) == ["ordinal", "heading"]
    assert [change["current"]["ordinal"] for change in document["changes"]] == list(range(1, 43))

    text = CliRunner().invoke(diff, ["KO", "2023", "2024"])
    assert text.exit_code == 0 and "KO 2023 → 2024: 14 unchanged, 28 modified, 0 new, 0 removed" in text.output
    assert "{+" in text.output and "\x1b[" not in text.output  # markers, not colours, when not a terminal


def test_a_company_year_not_in_the_database_is_a_one_line_error(
    ko_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("SEC_ANALYZER_DATABASE_URL", ko_database)
    completed = subprocess.run(
        [sys.executable, "-c", "from sec_analyzer.cli import main; main()", "diff", "KO", "2021", "2024"],
        capture_output=True, text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        "error: KO-2021 is not in the results database (publish it first, e.g. `sec-analyzer backfill`)"
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_change_rows_round_trip_on_both_databases(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from sec_analyzer.analysis.changes import change_records
    from sec_analyzer.storage.analysis_repo import AnalysisRepository
    from sec_analyzer.storage.db_clients import create_db_engine
    from sec_analyzer.storage.results_repo import ResultsRepository
    from sec_analyzer.storage.schema import upgrade_to_head
    from sec_analyzer_tests.storage import samples

    url = f"sqlite:///{tmp_path / 'results.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    upgrade_to_head(url)
    engine = create_db_engine(url)
    publisher = ResultsRepository(engine)
    publisher.publish_filing(samples.filing("0000320193-23-000106", fiscal_year=2023), [], samples.risk_factors(3))
    publisher.publish_filing(samples.filing(), [], samples.risk_factors(3))
    repository = AnalysisRepository(engine)
    previous, current = repository.filing("AAPL", 2023), repository.filing("AAPL", 2024)
    assert repository.previous_filing(current) == previous

    def risk(ordinal: int, heading: str, text: str) -> Risk:
        return Risk(ordinal, heading, text)

    heading_diff, _, _ = word_diff("Risk heading 1", "Risk heading 1")
    body_diff, _, _ = word_diff("Old words here.", "New words here.")
    modified = RiskChange(ChangeStatus.MODIFIED, risk(1, "Risk heading 1", "Old words here."),
                          risk(1, "Risk heading 1", "New words here."), score=0.8, changed_words_share=0.25,
                          heading_diff=heading_diff, body_diff=body_diff)
    changes = [
        modified,
        RiskChange(ChangeStatus.REMOVED, risk(2, "Risk heading 2", "x"), None, merged_into=1),
        RiskChange(ChangeStatus.NEW, None, risk(2, "Risk heading 2", "y"), split_from=1),
    ]
    for _ in range(2):  # saving again replaces the rows
        repository.save_changes(previous, current, change_records(changes))
    stored = repository.changes(current)
    assert [(record.change_type, record.from_ordinal, record.to_ordinal, record.merged_into, record.split_from)
            for record, _, _ in stored] == [("modified", 1, 1, None, None), ("removed", 2, None, 1, None),
                                            ("added", None, 2, None, 1)]
    assert stored[0][0].diff == {"heading": [["=", "Risk heading 1"]],
                                 "body": [["-", "Old"], ["+", "New"], ["=", "words here."]]}
    assert stored[0][1:] == ("Risk heading 1", "Risk heading 1")
    engine.dispose()
