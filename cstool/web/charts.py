"""Bar charts as inline SVG: drawn on the server, no JavaScript, nothing fetched.

The web view runs where there may be no internet, so a chart is a few
rectangles and labels in the page itself. Every bar carries its category,
series and value (``data-*`` and a ``<title>`` tooltip); all text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Optional

from cstool.core.i18n import pgettext

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#718096")
WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 40, 46


@dataclass
class Series:
    name: str
    values: list[Optional[float]]
    colour: Optional[str] = None


def _step(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value``, at least 1 (a whole count)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return 10.0 * power  # pragma: no cover


def _text_width(text: str) -> float:
    """Roughly how wide ``text`` is at 12 px: CJK characters are twice as wide."""
    return sum(12 if ord(ch) > 0x2E7F else 6.6 for ch in text)


def _num(value: float, percent: bool) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text + ("%" if percent else "")


def bars(label: str, categories: Sequence[str], series: Sequence[Series], *,
         stacked: bool = False, percent: bool = False, chart_id: str = "") -> str:
    """Grouped (or ``stacked``) vertical bars, one slot per category.

    ``percent``: the values are percentages and the axis runs to 100.
    """
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(categories), 1)
    if stacked:
        peak = max((sum(s.values[i] or 0 for s in series) for i in range(len(categories))),
                   default=0)
    else:
        peak = max((v or 0 for s in series for v in s.values), default=0)
    top = 100.0 if percent else 4 * _step(peak / 4)
    out = [f'<svg class="chart" id="{escape(chart_id)}" role="img" aria-label="{escape(label)}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" '
           f'preserveAspectRatio="xMinYMin meet">']
    # grid and y axis
    for k in range(5):
        value = top * k / 4
        y = TOP + ph - ph * k / 4
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                   f'y2="{y:.1f}" stroke="#e2e8f0"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'font-size="11" fill="#4a5568">{escape(_num(value, percent))}</text>')
    # legend: one row, a second when it does not fit
    x, y = LEFT, 8
    for j, s in enumerate(series):
        colour = s.colour or PALETTE[j % len(PALETTE)]
        width = 30 + _text_width(s.name)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = LEFT, y + 16
        out.append(f'<rect class="legend" x="{x:.0f}" y="{y}" width="12" height="12" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{x + 16:.0f}" y="{y + 10}" font-size="12" fill="#2d3748">'
                   f'{escape(s.name)}</text>')
        x += width
    # bars
    slot = pw / n
    every = max(1, math.ceil(len(categories) / 14))
    drawn = 0
    group = min(slot * 0.8, 64.0 * (1 if stacked else max(len(series), 1)))
    for i, cat in enumerate(categories):
        x0 = LEFT + i * slot + (slot - group) / 2
        width = group if stacked else group / max(len(series), 1)
        base = TOP + ph
        for j, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            if v is None or (stacked and not v):
                continue
            # a zero is drawn as a hairline, so "0 %" and "no data" look different
            h = max(ph * min(v, top) / top, 1.5)
            colour = s.colour or PALETTE[j % len(PALETTE)]
            bx = x0 if stacked else x0 + j * width
            by = base - h
            tip = f"{cat} · {s.name}: {_num(v, percent)}"
            out.append(f'<rect class="bar" x="{bx:.1f}" y="{by:.1f}" width="{max(width - 1, 1):.1f}" '
                       f'height="{h:.1f}" fill="{colour}" data-category="{escape(cat)}" '
                       f'data-series="{escape(s.name)}" data-value="{v:g}">'
                       f'<title>{escape(tip)}</title></rect>')
            drawn += 1
            if stacked:
                base = by
        if i % every == 0:
            out.append(f'<text class="category" x="{LEFT + i * slot + slot / 2:.1f}" '
                       f'y="{TOP + ph + 16}" text-anchor="middle" font-size="11" '
                       f'fill="#2d3748">{escape(cat)}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + ph}" y2="{TOP + ph}" '
               f'stroke="#a0aec0"/>')
    if not drawn:
        nothing = pgettext("web", "(nothing in this period)")
        out.append(f'<text class="nodata" x="{LEFT + pw / 2:.1f}" y="{TOP + ph / 2:.1f}" '
                   f'text-anchor="middle" font-size="14" fill="#718096">'
                   f'{escape(nothing)}</text>')
    out.append("</svg>")
    return "".join(out)
