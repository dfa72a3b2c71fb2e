"""A small pure-Python SVG helper for charts that must render without JavaScript: the PDF (WeasyPrint
runs no JS) and sparklines in dense tables. Values are Decimals or ints; coordinates are rounded floats,
which is fine for drawing (no sum is ever taken from them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from gongzhi.core.dates import year_month

FONT = "Noto Sans CJK SC, sans-serif"
PALETTE = ["#1f5fa8", "#e6a23c", "#2e7d32", "#b71c1c", "#6a1b9a", "#00838f", "#8d6e63"]


def _f(value) -> str:
    return f"{float(value):.1f}"


def _nice_max(value: Decimal) -> Decimal:
    """A round axis maximum ≥ value (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return Decimal(1)
    exponent = len(str(int(value))) - 1
    base = Decimal(10) ** exponent
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= base * step:
            return base * step
    return base * 10


def _amount_label(value: Decimal) -> str:
    if value >= 10000:
        return f"{(value / 10000).quantize(Decimal('0.1'))}万"
    return f"{value.quantize(Decimal('1'))}"


def sparkline(
    values: Sequence[Decimal | None],
    *,
    width: int = 120,
    height: int = 28,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(100),
    label: str = "",
) -> str:
    """A tiny line chart of a series (None = gap), scaled between ``low`` and ``high``."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return ""
    n = max(len(values) - 1, 1)
    span = (high - low) or Decimal(1)

    def xy(i, v):
        x = 2 + (width - 4) * i / n
        y = height - 2 - (height - 4) * float((Decimal(v) - low) / span)
        return f"{x:.1f},{y:.1f}"

    path = " ".join(xy(i, v) for i, v in points)
    last_x, last_y = xy(*points[-1]).split(",")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{path}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2" fill="#1f5fa8"/></svg>'
    )


def line_chart(
    points: Sequence[tuple[dt.date, Decimal]],
    *,
    title: str,
    end: dt.date,
    width: int = 520,
    height: int = 200,
    color: str = PALETTE[0],
) -> str:
    """A step line of (day, value) points on a time axis up to ``end``, y axis in yuan (万 above 10,000)."""
    if not points:
        return ""
    left, right, top, bottom = 56, 10, 28, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(Decimal(v) for _d, v in points))
    first = points[0][0]
    span = max((end - first).days, 1)

    def x(day: dt.date) -> float:
        return left + plot_w * min(max((day - first).days, 0), span) / span

    def y(v) -> float:
        return top + plot_h - plot_h * float(Decimal(v) / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">',
        f'<text x="0" y="14" font-size="12" font-weight="700">{escape(title)}</text>',
    ]
    for k in range(5):
        value = top_value * k / 4
        yy = y(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_f(yy)}" y2="{_f(yy)}" stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{_f(yy + 3)}" text-anchor="end" fill="#555">{_amount_label(value)}</text>'
        )
    path = []
    for i, (day, v) in enumerate(points):
        if i:
            path.append(f"{_f(x(day))},{_f(y(points[i - 1][1]))}")
        path.append(f"{_f(x(day))},{_f(y(v))}")
    path.append(f"{_f(x(end))},{_f(y(points[-1][1]))}")
    parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{" ".join(path)}"/>')
    for k in range(5):
        day = first + dt.timedelta(days=span * k // 4)
        anchor = "start" if k == 0 else ("end" if k == 4 else "middle")
        parts.append(
            f'<text x="{_f(x(day))}" y="{height - 8}" text-anchor="{anchor}" fill="#555">{escape(year_month(day))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    items: Sequence[tuple[str, Decimal]], *, title: str, width: int = 520, bar_height: int = 18
) -> str:
    """Horizontal bars of (label, value), longest first, with the amount written at the bar's end."""
    if not items:
        return ""
    left, right, top = 90, 70, 26
    height = top + len(items) * (bar_height + 8) + 6
    top_value = max(Decimal(v) for _l, v in items) or Decimal(1)
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="10">',
        f'<text x="0" y="14" font-size="12" font-weight="700">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        yy = top + i * (bar_height + 8)
        w = max(plot_w * float(Decimal(value) / top_value), 1)
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{left - 6}" y="{yy + bar_height - 5}" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar_height}" fill="{color}"/>'
            f'<text x="{left + w + 4:.1f}" y="{yy + bar_height - 5}" fill="#333">{Decimal(value):,.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
