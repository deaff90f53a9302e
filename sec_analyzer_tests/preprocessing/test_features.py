from __future__ import annotations

import pytest

from sec_analyzer.preprocessing.features import (
    loughran_mcdonald_lexicon,
    readability,
    text_features,
    tokenize,
    tone,
)


def test_lexicon_has_every_tone_with_known_words() -> None:
    lexicon = loughran_mcdonald_lexicon()
    assert {"LOSS", "LITIGATION"} <= lexicon["negative"]
    assert "PROFITABLE" in lexicon["positive"]
    assert "UNCERTAIN" in lexicon["uncertainty"]
    assert "PLAINTIFF" in lexicon["litigious"]
    assert "REQUIRED" in lexicon["constraining"]
    assert "COMPANY" not in lexicon["negative"]


def test_lexicon_is_loaded_once() -> None:
    assert loughran_mcdonald_lexicon() is loughran_mcdonald_lexicon()


def test_tokenize_keeps_inner_apostrophes_and_hyphens_and_drops_numbers() -> None:
    assert tokenize("The Company’s third-party costs rose 12% in 2024.") == [
        "THE",
        "COMPANY'S",
        "THIRD-PARTY",
        "COSTS",
        "ROSE",
        "IN",
    ]


def test_tone_is_the_share_of_words_in_each_list() -> None:
    # 8 words; LOSS is negative, PROFITABLE positive, UNCERTAIN uncertainty,
    # PLAINTIFF litigious and negative, REQUIRED constraining; the rest are in no list.
    scores = tone("A loss, a profitable but uncertain plaintiff, required.")
    assert scores == pytest.approx(
        {
            "lm_negative": 2 / 8,
            "lm_positive": 1 / 8,
            "lm_uncertainty": 1 / 8,
            "lm_litigious": 1 / 8,
            "lm_constraining": 1 / 8,
        }
    )


def test_tone_of_text_without_words_is_zero() -> None:
    assert set(tone("2024 — 12.5%").values()) == {0.0}


def test_readability_counts_and_orders_simple_above_complex_text() -> None:
    simple = readability("The cat sat on the mat. The dog ran to the park. We had fun in the sun.")
    complex_text = readability(
        "Notwithstanding comprehensive regulatory considerations, international telecommunications "
        "infrastructure modernization necessitates extraordinarily sophisticated organizational capabilities."
    )
    assert simple["word_count"] == 18
    assert simple["sentence_count"] == 3
    assert simple["flesch_reading_ease"] > 90
    assert complex_text["flesch_reading_ease"] < simple["flesch_reading_ease"]
    assert complex_text["gunning_fog"] > simple["gunning_fog"]


def test_readability_of_empty_text_is_zero() -> None:
    assert set(readability("").values()) == {0.0}


def test_text_features_is_a_flat_map_of_floats() -> None:
    features = text_features("We may be subject to litigation. Our losses could increase.")
    assert set(features) == {
        "flesch_reading_ease",
        "gunning_fog",
        "word_count",
        "sentence_count",
        "lm_negative",
        "lm_positive",
        "lm_uncertainty",
        "lm_litigious",
        "lm_constraining",
    }
    assert all(isinstance(value, float) for value in features.values())
    assert features["lm_litigious"] > 0
