"""Small SVG bar charts for the printable edition report (no scripts, no fonts to fetch)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

INK = "#1f4e5f"
ACCENT = "#c8553d"
GRID = "#d9d4c7"


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def columns(labels: Sequence[str], values: Sequence[int], label_of: Callable[[int], str],
            *, width: int = 640, height: int = 220, title: str = "") -> str:
    """Vertical bars, left to right (time axes read left to right in both languages)."""
    left, bottom, top = 70, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = _nice_max(max(values, default=0))
    n = max(1, len(values))
    slot = plot_w / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}" direction="ltr">'
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#555">{html.escape(label_of(peak * i // 4))}</text>')
    every = max(1, n // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * max(value, 0) / peak
        x = left + i * slot + slot * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="{INK}"><title>{html.escape(label)}: '
                     f'{html.escape(label_of(value))}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - 10}" font-size="10" '
                         f'text-anchor="middle" fill="#333">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars(labels: Sequence[str], values: Sequence[int], label_of: Callable[[int], str],
         *, rtl: bool, width: int = 640, title: str = "") -> str:
    """Horizontal bars with their labels; mirrored for right-to-left pages."""
    row_h, label_w, value_w = 26, 220, 130
    height = row_h * max(1, len(values)) + 8
    plot_w = width - label_w - value_w
    peak = max([*values, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row_h
        w = plot_w * max(value, 0) / peak
        if rtl:
            label_x, anchor, bar_x = width - 4, "end", width - label_w - w
            value_x, value_anchor = width - label_w - w - 6, "end"
        else:
            label_x, anchor, bar_x = 4, "start", label_w
            value_x, value_anchor = label_w + w + 6, "start"
        parts.append(f'<text x="{label_x}" y="{y + 17}" font-size="12" text-anchor="{anchor}" '
                     f'fill="#222">{html.escape(label)}</text>')
        parts.append(f'<rect x="{bar_x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{ACCENT if i == 0 else INK}"/>')
        parts.append(f'<text x="{value_x:.1f}" y="{y + 17}" font-size="11" '
                     f'text-anchor="{value_anchor}" fill="#333">'
                     f'{html.escape(label_of(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
