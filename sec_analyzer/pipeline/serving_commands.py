"""`sec-analyzer embed` and `classify`: JSON lines of risk factors in, one JSON line per risk out.

Input lines are objects with "id", "heading" and "text" (blank lines are skipped). Lines are read
and processed in chunks, so memory does not grow with the input. A malformed line stops the
command with a one-line error naming the line, after the lines before it have been written. The
model loads with the first line to process, so an input that is bad from the start fails at once.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import click

from sec_analyzer.errors import SecAnalyzerError
from sec_analyzer.output_format import format_option

CHUNK_LINES = 64
PROGRESS_MIN_BYTES = 256 * 1024  # below this an input finishes before progress would help
VECTOR_DECIMALS = 8


class InputLineError(SecAnalyzerError):
    """A line of the input is not a risk object."""


@dataclass(frozen=True)
class RiskLine:
    id: Any  # echoed back as given (string or number)
    heading: str
    text: str


def _parse_line(raw: bytes, line_number: int, source: str) -> RiskLine:
    where = f"{source} line {line_number}"
    try:
        record = json.loads(raw)
    except UnicodeDecodeError as error:
        raise InputLineError(f"{where}: not UTF-8 ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise InputLineError(f"{where}: malformed JSON ({error.msg} at column {error.colno})") from error
    if not isinstance(record, dict):
        raise InputLineError(f"{where}: expected a JSON object with id, heading and text")
    missing = [field for field in ("id", "heading", "text") if field not in record]
    if missing:
        raise InputLineError(f"{where}: missing field(s) {', '.join(missing)}")
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        raise InputLineError(f"{where}: id must be a string or an integer")
    for field in ("heading", "text"):
        if not isinstance(record[field], str):
            raise InputLineError(f"{where}: {field} must be a string")
    return RiskLine(record["id"], record["heading"], record["text"])


class _Progress:
    """A one-line counter on stderr, only for a person watching a long input."""

    def __init__(self, verb: str, total_bytes: int | None) -> None:
        self._verb = verb
        self._total_bytes = total_bytes
        self._enabled = sys.stderr.isatty() and (total_bytes is None or total_bytes >= PROGRESS_MIN_BYTES)
        self._started = time.monotonic()
        self._count = 0

    def advance(self, lines: int, bytes_read: int) -> None:
        self._count += lines
        if not self._enabled:
            return
        rate = self._count / max(time.monotonic() - self._started, 1e-9)
        share = f" ({100 * bytes_read / self._total_bytes:.0f} %)" if self._total_bytes else ""
        click.echo(f"\r{self._verb} {self._count} risks{share}, {rate:.1f}/s", err=True, nl=False)

    def finish(self) -> None:
        if self._enabled and self._count:
            click.echo("", err=True)


def _chunks(stream: IO[bytes], source: str) -> Iterator[tuple[list[RiskLine], InputLineError | None]]:
    """Chunks of parsed lines; a chunk ending at a bad line carries its error after its good lines."""
    chunk: list[RiskLine] = []
    for line_number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            chunk.append(_parse_line(raw, line_number, source))
        except InputLineError as error:
            yield chunk, error
            return
        if len(chunk) == CHUNK_LINES:
            yield chunk, None
            chunk = []
    if chunk:
        yield chunk, None


def _stream(input_path: str, verb: str, process: Callable[[list[RiskLine]], list[str]]) -> None:
    if input_path == "-":
        stream, source, total_bytes = sys.stdin.buffer, "stdin", None
    else:
        path = Path(input_path)
        try:
            stream, source, total_bytes = path.open("rb"), str(path), path.stat().st_size
        except OSError as error:
            raise SecAnalyzerError(f"cannot read {path}: {error.strerror or error}") from error
    progress = _Progress(verb, total_bytes)
    try:
        for chunk, bad_line in _chunks(stream, source):
            if chunk:
                sys.stdout.write("".join(line + "\n" for line in process(chunk)))
                sys.stdout.flush()
                progress.advance(len(chunk), stream.tell() if total_bytes else 0)
            if bad_line is not None:
                raise bad_line
    finally:
        progress.finish()
        if stream is not sys.stdin.buffer:
            stream.close()


_INPUT = click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help='JSON lines {"id", "heading", "text"}; - reads stdin.',
)


@click.command()
@_INPUT
@click.option(
    "--precision",
    type=click.Choice(["fast", "fp32"]),
    default="fast",
    show_default=True,
    help="fast: OpenVINO bf16 where the CPU has native bf16, else fp32; fp32: the torch baseline.",
)
@format_option(("json",), help_text="JSON lines, one per input line.")
def embed(input_path: str, precision: str, output_format: str) -> None:
    """Embed risk factors: one {"id", "model", "path", "dim", "vector"} line per input line."""
    import numpy as np

    from sec_analyzer.analysis.embedding import get_embedder

    def process(chunk: list[RiskLine]) -> list[str]:
        embedder = get_embedder("fp32" if precision == "fp32" else "fast")
        vectors = np.round(
            embedder.embed([(line.heading, line.text) for line in chunk]).astype(np.float64), VECTOR_DECIMALS
        )
        return [
            json.dumps(
                {
                    "id": line.id,
                    "model": embedder.name,
                    "path": embedder.path,
                    "dim": embedder.dimension,
                    "vector": vector,
                }
            )
            for line, vector in zip(chunk, vectors.tolist(), strict=True)
        ]

    _stream(input_path, "embedded", process)


@click.command()
@_INPUT
@format_option(("json",), help_text="JSON lines, one per input line.")
def classify(input_path: str, output_format: str) -> None:
    """Classify risk factors into the taxonomy with the serving model: one
    {"id", "primary", "labels": [{"category", "score"}], "model": {"name", "version"}} line per input line."""
    from sec_analyzer.analysis.embedding import get_embedder
    from sec_analyzer.pipeline.model_stages import serving_classifier

    classifier_of_this_command = cache(lambda: serving_classifier(get_embedder("fast")))

    def process(chunk: list[RiskLine]) -> list[str]:
        embedder, classifier = get_embedder("fast"), classifier_of_this_command()
        model = {"name": classifier.name, "version": classifier.version}
        headings = [line.heading for line in chunk]
        texts = [line.text for line in chunk]
        vectors = embedder.embed(list(zip(headings, texts, strict=True)))
        results = classifier.classify([str(line.id) for line in chunk], vectors, headings, texts)
        return [
            json.dumps(
                {
                    "id": line.id,
                    "primary": result.primary,
                    "labels": [{"category": category, "score": score} for category, score in result.labels],
                    "model": model,
                },
                ensure_ascii=False,
            )
            for line, result in zip(chunk, results, strict=True)
        ]

    _stream(input_path, "classified", process)
