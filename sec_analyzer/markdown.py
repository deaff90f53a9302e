"""Markdown tables for the Dagster UI and the reports: one escaping rule for every cell."""

from __future__ import annotations

from typing import Any


def markdown_cell(value: object, limit: int | None = None) -> str:
    """A value as one table cell: pipes escaped, line breaks folded, cut to `limit` characters."""
    text = str("" if value is None else value).replace("|", "\\|").replace("\n", " ")
    return text if limit is None else text[:limit]


def markdown_table(rows: list[dict[str, Any]], limit: int | None = None) -> str:
    if not rows:
        return "(no filings)"
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(markdown_cell(row.get(column, ""), limit) for column in columns) + " |" for row in rows]
    return "\n".join(lines)
