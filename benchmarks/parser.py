"""Parser benchmark: seconds and peak memory per corpus filing and per generated hostile input.

Usage: .venv/bin/python benchmarks/parser.py [--shared ../shared] [--no-100mb]

Each input is parsed in a fresh child process, so its peak RSS is its own: `parse` is
`parse_file`, `parse+extract` adds `extract_items`. Hostile inputs are generated in a temporary
directory: 100 KB of `<a b` without a closing `>`, 30,000 unmatched close tags in 300 KB, an
unclosed CSS rule inside <style> (1 MB), 100,000 nested <div>, 100 KB of `<p ` without `>`
(the plain-text sniffing regex), 1 MB of letters in one style attribute, a 12 MB text node, and
1/10/100 MB documents of styled paragraphs with page breaks. Each must parse, or fail with a
one-line `DocumentParseError`, in time proportional to its size (the bound: 2 s per MB).

The same run measures the alternatives the choice was made against (docs/architecture.md,
"HTML parser"): lexbor (selectolax) building its tree next to libxml2 (lxml) on the corpus and
on deep nesting, and tinycss2 reading the corpus' inline styles and the unclosed CSS rule next
to the parser's own CSS reader. Writes `benchmarks/results/parser.md`; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "parser.md"
SECONDS_PER_MB_BOUND = 2.0


def child(mode: str, path: str) -> None:
    """Run in the child process: parse (and extract) one file, print one JSON line."""
    from sec_analyzer.preprocessing.items import extract_items
    from sec_analyzer.preprocessing.parser import DocumentParseError, parse_file

    wall, cpu = time.perf_counter(), time.process_time()
    try:
        doc = parse_file(path)
        if mode == "extract":
            extract_items(doc)
        outcome = f"{len(doc.elements):,} elements" + (", truncated" if doc.truncated else "")
    except DocumentParseError as error:
        outcome = f"error: {error}"
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - wall,
                "cpu_seconds": time.process_time() - cpu,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "outcome": outcome,
            }
        )
    )


def measure(mode: str, path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result: dict = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def styled_document(size: int) -> Iterator[str]:
    """Paragraphs with bold run-in headings, entities, class and inline styles, a page break every 40."""
    paragraph = (
        '<p class="body" style="font-family:Times New Roman;font-size:10pt;margin:0 0 6pt">'
        '<span style="font-weight:bold">Risk number {n}.</span> Our business could be harmed by events we '
        "cannot control &amp; we may lose money, as Item&#160;7 describes.</p>\n"
    )
    yield "<html><head><style>.body{text-align:justify}.hd{font-weight:700}</style></head><body>"
    written = n = 0
    while written < size:
        text = paragraph.format(n=n)
        if n % 40 == 39:
            text += (
                f'<p style="text-align:center">{n // 40 + 1}</p><div style="page-break-after:always"></div>\n'
            )
        yield text
        written += len(text)
        n += 1
    yield "</body></html>"


def repeated(piece: str, times: int) -> Iterator[str]:
    for done in range(0, times, 10_000):
        yield piece * min(10_000, times - done)


VISIBLE = "<html><body><p>Visible text.</p>"
# Written piece by piece: a child process's peak RSS starts at its parent's, so the parent stays small.
HOSTILE_INPUTS: dict[str, Callable[[], Iterable[str]]] = {
    "100 KB of `<a b` without `>`": lambda: [VISIBLE, "<a b" * 25_000],
    "30,000 unmatched close tags (300 KB)": lambda: [VISIBLE, "</div>abcd" * 30_000, "</body></html>"],
    "unclosed CSS rule in <style> (1 MB)": lambda: [
        "<html><head><style>.a{font-weight:bold;",
        ".b{c:d;" * 143_000,
        "</style></head><body><p>Visible text.</p></body></html>",
    ],
    "100,000 nested <div>": lambda: [
        VISIBLE,
        "<div>" * 100_000,
        "deep text",
        "</div>" * 100_000,
        "</body></html>",
    ],
    "100 KB of `<p ` without `>`": lambda: ["Visible text.\n", "<p " * 33_000],
    "1 MB style attribute of letters": lambda: [
        VISIBLE,
        '<p style="',
        "a" * 1_000_000,
        '">styled</p></body></html>',
    ],
    "one 12 MB text node": lambda: chain(
        [VISIBLE, "<p>"], repeated("word ", 2_400_000), ["</p></body></html>"]
    ),
    "1 MB document": lambda: styled_document(1_000_000),
    "10 MB document": lambda: styled_document(10_000_000),
    "100 MB document": lambda: styled_document(100_000_000),
}


def hostile_inputs(directory: Path, with_100mb: bool) -> list[tuple[str, Path]]:
    paths = []
    for number, (name, pieces) in enumerate(HOSTILE_INPUTS.items()):
        if name.startswith("100 MB") and not with_100mb:
            continue
        path = directory / f"hostile-{number}.html"
        with path.open("w", encoding="utf-8") as output:
            output.writelines(pieces())
        paths.append((name, path))
    return paths


def compare_libraries(corpus_files: list[Path], hostile: list[tuple[str, Path]]) -> list[str]:
    """libxml2 vs lexbor building a tree; tinycss2 vs the parser's CSS reader."""
    import re

    from lxml import etree

    from sec_analyzer.preprocessing.parser import _class_rules, _css_effect

    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        return ["selectolax is not installed: the lexbor comparison was skipped."]

    def lxml_seconds(data: bytes) -> float:
        started = time.process_time()
        etree.fromstring(data, etree.HTMLParser(encoding="utf-8", huge_tree=True))
        return time.process_time() - started

    def lexbor_seconds(data: bytes) -> float:
        started = time.process_time()
        LexborHTMLParser(data)
        return time.process_time() - started

    lines = ["| input | MB | libxml2 (lxml) CPU s | lexbor (selectolax) CPU s |", "|---|---:|---:|---:|"]
    corpus_lxml = [lxml_seconds(path.read_bytes()) for path in corpus_files]
    corpus_lexbor = [lexbor_seconds(path.read_bytes()) for path in corpus_files]
    lines.append(
        f"| corpus filings, median | – | {statistics.median(corpus_lxml):.3f} | {statistics.median(corpus_lexbor):.3f} |"
    )
    for depth in (10_000, 20_000, 40_000):
        data = ("<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>").encode()
        lines.append(
            f"| {depth:,} nested <div> | {len(data) / 1e6:.2f} | {lxml_seconds(data):.3f} | {lexbor_seconds(data):.3f} |"
        )
    for name, path in hostile:
        if path.stat().st_size <= 2_000_000 and "nested" not in name:
            data = path.read_bytes()
            lines.append(
                f"| {name} | {len(data) / 1e6:.2f} | {lxml_seconds(data):.3f} | {lexbor_seconds(data):.3f} |"
            )
    lines.append("")
    lines.append(
        "libxml2's tree builder stops at depth 2,048; the parser uses its event interface, which has no limit."
    )
    lines.append("")
    try:
        import tinycss2
    except ImportError:
        return [*lines, "tinycss2 is not installed: the CSS comparison was skipped."]
    styles: set[str] = set()
    for path in corpus_files:
        styles.update(re.findall(r'style="([^"]*)"', path.read_text(encoding="utf-8", errors="replace")))
    started = time.process_time()
    for style in styles:
        tinycss2.parse_declaration_list(style, skip_comments=True, skip_whitespace=True)
    tinycss2_styles = time.process_time() - started
    started = time.process_time()
    for style in styles:
        _css_effect(style)
    own_styles = time.process_time() - started
    unclosed = ".b{c:d;" * 143_000
    started = time.process_time()
    tinycss2.parse_stylesheet(unclosed)
    tinycss2_unclosed = time.process_time() - started
    started = time.process_time()
    _class_rules(unclosed)
    own_unclosed = time.process_time() - started
    lines += [
        "| CSS input | tinycss2 CPU s | parser's reader CPU s |",
        "|---|---:|---:|",
        f"| the corpus' {len(styles):,} distinct inline styles | {tinycss2_styles:.3f} | {own_styles:.3f} |",
        f"| unclosed CSS rule, {len(unclosed) / 1e6:.1f} MB | {tinycss2_unclosed:.3f} | {own_unclosed:.3f} |",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--no-100mb", action="store_true", help="leave out the 100 MB document")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    corpus_files = sorted((args.shared / "corpus" / "10-K").glob("*/*/primary-document.html"))
    if not corpus_files:
        sys.exit(f"no corpus filings under {args.shared / 'corpus'} (use --shared)")

    lines = [
        "# Parser: seconds and peak memory",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/parser.py` on a {os.cpu_count()}-core machine "
        f"(load average {os.getloadavg()[0]:.1f} at the start; wall seconds grow with the load, CPU seconds much less). "
        "Each input in a fresh child process; peak RSS includes the interpreter and imports (~30 MB).",
        "",
        "## Corpus filings",
        "",
        "| filing | MB | parse s | parse CPU s | parse peak MB | parse+extract s | parse+extract CPU s | parse+extract peak MB | elements |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    parsed_runs, extracted_runs = [], []
    for path in corpus_files:
        parsed, extracted = measure("parse", path), measure("extract", path)
        parsed_runs.append(parsed)
        extracted_runs.append(extracted)
        name = f"{path.parent.parent.name}/{path.parent.name}"
        row = (
            f"| {name} | {path.stat().st_size / 1e6:.2f} | {parsed['seconds']:.3f} | {parsed['cpu_seconds']:.3f} "
            f"| {parsed['peak_mb']:.0f} | {extracted['seconds']:.3f} | {extracted['cpu_seconds']:.3f} "
            f"| {extracted['peak_mb']:.0f} | {parsed['outcome']} |"
        )
        print(row, flush=True)
        lines.append(row)
    lines += [
        "",
        f"Median over the filings: parse {median_of(parsed_runs, 'seconds'):.3f} s wall, "
        f"{median_of(parsed_runs, 'cpu_seconds'):.3f} s CPU; parse+extract {median_of(extracted_runs, 'seconds'):.3f} s "
        f"wall, {median_of(extracted_runs, 'cpu_seconds'):.3f} s CPU; peak RSS max "
        f"{max(run['peak_mb'] for run in extracted_runs):.0f} MB. edgartools on the same filings: "
        "`benchmarks/extraction.py`, which runs both tools in one session.",
        "",
        f"## Hostile inputs (bound: {SECONDS_PER_MB_BOUND:.0f} s per MB)",
        "",
        "| input | MB | outcome | s | CPU s | CPU s per MB | peak MB | CPU s within the bound |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="parser-bench-") as scratch:
        hostile = hostile_inputs(Path(scratch), with_100mb=not args.no_100mb)
        for name, path in hostile:
            megabytes = path.stat().st_size / 1e6
            result = measure("parse", path)
            per_mb = result["cpu_seconds"] / megabytes
            within = result["cpu_seconds"] <= SECONDS_PER_MB_BOUND * megabytes
            row = (
                f"| {name} | {megabytes:.2f} | {result['outcome']} | {result['seconds']:.2f} | "
                f"{result['cpu_seconds']:.2f} | {per_mb:.2f} | {result['peak_mb']:.0f} | "
                f"{'yes' if within else '**no**'} |"
            )
            print(row, flush=True)
            lines.append(row)
        lines += [
            "",
            "## The alternatives, measured in the same run",
            "",
            *compare_libraries(corpus_files, hostile),
            "",
        ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
