"""Charts drawn on the server as inline SVG: no chart library, no script, nothing fetched.

Each function returns SVG markup for a template's `|safe`; every label in it is escaped here. Sizes are in SVG
units and the charts scale to their container (`viewBox`, width 100 %).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#ec4899", "#84cc16")
LABEL_WIDTH = 230
CHART_WIDTH = 900
ROW_GAP = 10


def _text(x: float, y: float, content: str, anchor: str = "start", css: str = "chart-label") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">{escape(content)}</text>'


def grouped_bars(
    categories: Sequence[str], series: Sequence[tuple[str, Mapping[str, float]]], *, title: str, percent: bool = True
) -> str:
    """Horizontal bars: one row per category, one bar per series (a company-year), values as shares."""
    if not categories or not series:
        return ""
    bar_height = 14 if len(series) > 1 else 18
    row_height = bar_height * len(series) + ROW_GAP
    legend_height = 24 * ((len(series) + 3) // 4)
    height = 40 + legend_height + row_height * len(categories)
    peak = max((values.get(category, 0.0) for _, values in series for category in categories), default=0.0) or 1.0
    plot_width = CHART_WIDTH - LABEL_WIDTH - 70
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for position, (name, _) in enumerate(series):
        x = LABEL_WIDTH + (position % 4) * 160
        y = 16 + 24 * (position // 4)
        colour = PALETTE[position % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(_text(x + 18, y, name, css="chart-legend"))
    top = 30 + legend_height
    for row, category in enumerate(categories):
        y0 = top + row * row_height
        parts.append(_text(LABEL_WIDTH - 10, y0 + row_height / 2, category.replace("_", " "), anchor="end"))
        for position, (name, values) in enumerate(series):
            value = values.get(category, 0.0)
            width = plot_width * value / peak
            y = y0 + position * bar_height
            colour = PALETTE[position % len(PALETTE)]
            shown = f"{value:.0%}" if percent else f"{value:g}"
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{bar_height - 3}" rx="2" '
                f'fill="{colour}"><title>{escape(name)} · {escape(category)}: {shown}</title></rect>'
            )
            parts.append(_text(LABEL_WIDTH + width + 6, y + bar_height - 5, shown, css="chart-value"))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    thresholds: Sequence[tuple[str, float]] = (),
) -> str:
    """Lines over the x labels (fiscal years), with dashed horizontal thresholds (warn, critical)."""
    if not x_labels or not series:
        return ""
    width, height, left, right, top, bottom = 640, 260, 56, 140, 24, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [value for _, points in series for value in points] + [value for _, value in thresholds]
    peak = max(values, default=0.0) * 1.1 or 1.0
    floor = min(0.0, *values) * 1.1  # an unbiased estimate (MMD²) can dip below zero

    def x_at(index: int) -> float:
        return left + (plot_w * index / (len(x_labels) - 1) if len(x_labels) > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h * (1 - (value - floor) / (peak - floor))

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{y_at(0.0):.1f}" x2="{left + plot_w}" y2="{y_at(0.0):.1f}" class="chart-axis"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="chart-axis"/>']
    for value in sorted({floor, 0.0, peak / 2, peak}):
        parts.append(_text(left - 6, y_at(value) + 4, f"{value:.3g}", anchor="end", css="chart-tick"))
    for index, label in enumerate(x_labels):
        parts.append(_text(x_at(index), height - 12, label, anchor="middle", css="chart-tick"))
    for name, value in thresholds:
        css = "chart-critical" if "critical" in name else "chart-warn"
        parts.append(f'<line x1="{left}" y1="{y_at(value):.1f}" x2="{left + plot_w}" y2="{y_at(value):.1f}" class="{css}"/>')
        parts.append(_text(left + plot_w + 6, y_at(value) + 4, f"{name} {value:g}", css="chart-tick"))
    for position, (name, points) in enumerate(series):
        colour = PALETTE[position % len(PALETTE)]
        path = " ".join(f"{x_at(index):.1f},{y_at(value):.1f}" for index, value in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for index, value in enumerate(points):
            parts.append(f'<circle cx="{x_at(index):.1f}" cy="{y_at(value):.1f}" r="4" fill="{colour}">'
                         f"<title>{escape(name)} {escape(x_labels[index])}: {value:.4g}</title></circle>")
        parts.append(f'<rect x="{left + 8 + 110 * position}" y="4" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(_text(left + 26 + 110 * position, 14, name, css="chart-legend"))
    parts.append("</svg>")
    return "".join(parts)
