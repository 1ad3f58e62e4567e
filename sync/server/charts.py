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
            *, width: int = 900, height: int = 240, title: str = "") -> str:
    """Vertical bars, left to right (time axes read left to right in both languages)."""
    left, bottom, top = 70, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = _nice_max(max(values, default=0))
    n = max(1, len(values))
    slot = min(plot_w / n, 48)
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
         *, rtl: bool, width: int = 900, title: str = "") -> str:
    """Horizontal bars with their labels; mirrored for right-to-left pages.

    The drawing's coordinates are always left to right; each text says its own direction,
    so in Arabic ``text-anchor="start"`` puts a label's right edge on its anchor.
    """
    row_h, label_w, value_w = 26, 260, 150
    height = row_h * max(1, len(values)) + 8
    plot_w = width - label_w - value_w
    peak = max([*values, 1])
    top = values.index(max(values)) if values else -1
    text_dir = "rtl" if rtl else "ltr"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}" direction="ltr">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row_h
        w = plot_w * max(value, 0) / peak
        if rtl:
            label_x, bar_x, value_x = width - 4, width - label_w - w, width - label_w - w - 6
        else:
            label_x, bar_x, value_x = 4, label_w, label_w + w + 6
        parts.append(f'<text x="{label_x}" y="{y + 17}" font-size="13" direction="{text_dir}" '
                     f'text-anchor="start" fill="#222">{html.escape(label)}</text>')
        parts.append(f'<rect x="{bar_x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{ACCENT if i == top else INK}"/>')
        parts.append(f'<text x="{value_x:.1f}" y="{y + 17}" font-size="12" '
                     f'direction="{text_dir}" text-anchor="start" fill="#333">'
                     f'{html.escape(label_of(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
