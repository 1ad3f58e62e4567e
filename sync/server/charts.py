"""Small bar charts for the printable edition report (no scripts, no fonts to fetch).

Each chart is drawn twice: in SVG for a screen and for paper, and as a list of bars in the
page's own text for a phone, where an SVG drawn for a wide page would shrink its text
past reading.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

INK = "#1f4e5f"
ACCENT = "#c8553d"
GRID = "#d9d4c7"
#: a bar of more refunded than sold (below the axis), as on the dashboard
REFUNDED = "#7b5ea7"


def axis(peak_centimes: int, trough_centimes: int = 0) -> tuple[int, int]:
    """A value axis in whole dirhams, as the dashboard's charts draw theirs (``axis`` in
    dashboard.js): its step, 1, 2 or 5 times a power of ten, about four steps from the
    lowest value (``trough_centimes``, below zero for a day of more refunded than sold)
    to the highest, and its top (see :func:`depth` for its bottom)."""
    peak = max(0, peak_centimes) / 100
    rough = (peak + max(0, -trough_centimes) / 100) / 4
    step = 1
    if rough > 1:
        magnitude = 10 ** math.floor(math.log10(rough))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return step, max(step, math.ceil(peak / step) * step)


def depth(trough_centimes: int, step: int) -> int:
    """How far a value axis of ``step`` goes below zero, in whole dirhams, to hold
    ``trough_centimes`` (0 when no value is below zero)."""
    return math.ceil(max(0, -trough_centimes) / 100 / step) * step


def columns(labels: Sequence[str], values: Sequence[int], label_of: Callable[[int], str],
            tick_of: Callable[[int], str], *, unit: str, rtl: bool = False, width: int = 900,
            height: int = 240, title: str = "", colon: str = ": ") -> str:
    """Vertical bars of amounts, left to right (time axes read left to right in both
    languages); the value axis in whole dirhams (``tick_of`` writes them), its currency
    ``unit`` above it, as on the dashboard. ``label_of`` writes a bar's own amount, in its
    tooltip after its label and ``colon`` (the language's: see
    :func:`sync.server.i18n.label_colon`).

    An amount below zero (an hour or a day of more refunded than sold) is drawn below the
    axis in its own colour, so that the bars still add up to the total."""
    left, bottom, top = 70, 28, 22
    plot_w, plot_h = width - left - 8, height - bottom - top
    step, peak = axis(max(values, default=0), min(values, default=0))
    low = depth(min(values, default=0), step)

    def y_of(dirhams: float) -> float:
        return top + plot_h * (peak - dirhams) / (peak + low)

    n = max(1, len(values))
    slot = min(plot_w / n, 72)
    start = left + (plot_w - slot * n) / 2  # a few bars stand in the middle, not at one side
    # the drawing is left to right: an Arabic unit is isolated to keep its letters' order
    shown_unit = f"\u2067{unit}\u2069" if rtl else unit
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}" direction="ltr">',
        f'<text class="unit" x="{left - 6}" y="12" font-size="10" text-anchor="end" '
        f'fill="#666">{html.escape(shown_unit)}</text>',
    ]
    for tick in range(-low, peak + 1, step):
        y = y_of(tick)
        stroke = "#888" if tick == 0 and low else GRID
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{stroke}" stroke-width="1"/>')
        parts.append(f'<text class="tick-y" x="{left - 6}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#555">{html.escape(tick_of(tick * 100))}</text>')
    every = max(1, n // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * abs(value) / 100 / (peak + low)
        x = start + i * slot + slot * 0.15
        y = y_of(0) if value < 0 else y_of(0) - h
        kind, fill = ("bar refunded", REFUNDED) if value < 0 else ("bar", INK)
        parts.append(f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="{fill}"><title>{html.escape(label)}{colon}'
                     f'{html.escape(label_of(value))}</title></rect>')
        if i % every == 0:
            parts.append(f'<text class="tick-x" x="{x + slot * 0.35:.1f}" y="{height - 10}" '
                         f'font-size="10" text-anchor="middle" fill="#333">'
                         f'{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def wrap(label: str, chars: int, lines: int = 3) -> list[str]:
    """A label cut at spaces into lines of at most ``chars`` characters; past ``lines``
    lines, the last one ends with an ellipsis (a word longer than a line is cut too)."""
    out: list[str] = []
    line = ""
    for word in label.split():
        while len(word) > chars:  # a word longer than a line
            if line:
                out.append(line)
                line = ""
            out.append(word[:chars])
            word = word[chars:]
        if line and len(line) + 1 + len(word) > chars:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line or not out:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:chars - 1].rstrip() + "…"
    return out


def bars(labels: Sequence[str], values: Sequence[int], label_of: Callable[[int], str],
         *, rtl: bool, width: int = 900, title: str = "", colon: str = ": ") -> str:
    """Horizontal bars, each under its label; mirrored for right-to-left pages. A bar's
    tooltip is its label, ``colon`` and its amount (as :func:`columns`).

    A label has the chart's whole width (on up to three lines: a cooperative's name, at
    most 200 letters, is shown whole), so a long name is never hidden by its bar. The
    drawing's coordinates are always left to right; each text says its own direction, so
    in Arabic ``text-anchor="start"`` puts a label's right edge on its anchor.
    """
    font, line_h, bar_h, gap, margin, value_w = 13, 16, 14, 10, 4, 150
    chars = int((width - 2 * margin) / (font * 0.7))  # letters a line holds, capitals too
    plot_w = width - 2 * margin - value_w
    peak = max([*values, 1])
    top = values.index(max(values)) if values else -1
    text_dir = "rtl" if rtl else "ltr"
    anchor_x = width - margin if rtl else margin
    rows: list[str] = []
    y = 4
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        lines = wrap(label, chars)
        tspans = "".join(
            f'<tspan x="{anchor_x}" y="{y + font + k * line_h}">{html.escape(text)}</tspan>'
            for k, text in enumerate(lines))
        rows.append(f'<text class="label" font-size="{font}" direction="{text_dir}" '
                    f'text-anchor="start" fill="#222">{tspans}</text>')
        bar_y = y + font + (len(lines) - 1) * line_h + 6
        w = plot_w * max(value, 0) / peak
        bar_x = width - margin - w if rtl else margin
        value_x = bar_x - 6 if rtl else margin + w + 6
        rows.append(f'<rect class="bar" x="{bar_x:.1f}" y="{bar_y}" width="{w:.1f}" '
                    f'height="{bar_h}" fill="{ACCENT if i == top else INK}"><title>'
                    f'{html.escape(label)}{colon}{html.escape(label_of(value))}</title></rect>')
        rows.append(f'<text class="value" x="{value_x:.1f}" y="{bar_y + bar_h - 3}" '
                    f'font-size="12" direction="{text_dir}" text-anchor="start" fill="#333">'
                    f'{html.escape(label_of(value))}</text>')
        y = bar_y + bar_h + gap
    height = max(y, 8)
    return "".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}" direction="ltr">',
        *rows, "</svg>"])


def bar_list(labels: Sequence[str], values: Sequence[int], label_of: Callable[[int], str],
             *, title: str, timed: bool = False, accent: bool = False, refunded: str = ""
             ) -> str:
    """A chart as a list for a phone: a row per value with its label, its bar and its
    figure, in the page's own text and direction (so it stays readable at any width and
    reads right to left in Arabic).

    A label has a line of its own above its bar, or (``timed``: a day, an hour; short)
    sits before it. Every bar is measured against the largest value; with ``accent``,
    the largest is drawn in the accent colour, as in :func:`bars`. A value below zero (more
    refunded than sold) has its bar, as long as its size, in its own colour, as in
    :func:`columns`, and the text ``refunded`` on a line under it.
    """
    peak = max([*map(abs, values), 1])
    top = values.index(max(values)) if accent and values else -1
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        width = 100 * abs(value) / peak
        attrs = ' class="refunded"' if value < 0 else ' class="top"' if i == top else ""
        rows.append(f'<li{attrs}><span class="name">{html.escape(label)}</span>'
                    f'<span class="track"><span class="bar" style="width: {width:.1f}%"></span>'
                    f'</span><span class="value">{html.escape(label_of(value))}</span>'
                    + (f'<span class="note">{html.escape(refunded)}</span>'
                       if value < 0 and refunded else "") + '</li>')
    kind = "bars timed" if timed else "bars"
    return f'<ol class="{kind}" aria-label="{html.escape(title)}">{"".join(rows)}</ol>'
