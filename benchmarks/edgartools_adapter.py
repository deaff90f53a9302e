"""Run edgartools' TenK item extraction on a local 10-K HTML file and print a JSON of items.

Used by `benchmarks/extraction.py` under the separate `.venv-bench` interpreter, offline:
TenK reads the document through the filing's `html()`, so a minimal stand-in filing that
returns the file's text is all it needs.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

ITEM_IDS = (
    "1", "1A", "1B", "1C", "2", "3", "4", "5", "6", "7", "7A", "8",
    "9", "9A", "9B", "9C", "10", "11", "12", "13", "14", "15", "16",
)


class LocalFiling:
    """The part of `edgar.Filing` that TenK uses, backed by a file on disk."""

    form = "10-K"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.accession_number = path.parent.name

    def html(self) -> str:
        return self.path.read_text(encoding="utf-8", errors="replace")


def main() -> None:
    started = time.perf_counter()
    warnings.simplefilter("ignore")
    from edgar.company_reports import TenK

    report = TenK(LocalFiling(Path(sys.argv[1])))
    items: dict[str, object] = {}
    for item_id in ITEM_IDS:
        try:
            items[item_id] = report.get(f"Item {item_id}")
        except Exception as error:  # a crash on one item must not hide the others
            items[item_id] = None
            print(f"Item {item_id}: {type(error).__name__}: {error}", file=sys.stderr)
    items["_meta"] = {"seconds": round(time.perf_counter() - started, 3)}
    print(json.dumps(items, ensure_ascii=False))


if __name__ == "__main__":
    main()
