"""Receipt printing benchmark: lay out, render and encode a 15-line bilingual receipt.

Prints a table, then one line of ``key=value`` figures:

- ``render_ms``: median time to build the document, lay it out, draw it, threshold it and
  encode it as ESC/POS raster for 58 mm paper (target: 20 ms or less);
- ``bytes_58mm``: bytes sent to the printer for it at 384 dots (target: 20,000 or less),
  with the default settings (narrow justified rasters, blank rows as feeds). The table also
  shows the bytes for a printer with ``raster_justify`` and ``raster_feed`` off (``left``)
  and with every row at full width (``full``).

Run: ``.venv/bin/python bench/receipt.py [--runs N]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from pos.printing import ensure_gui_app
from pos.printing.escpos_out import PrinterSettings, image_bytes
from pos.printing.render import Renderer
from pos.printing.samples import SAMPLE_HASH, SAMPLE_SHOP, sample_sale
from pos.receipts import sale_receipt


def measure(
    lang: str, width: int, runs: int, config: PrinterSettings | None = None
) -> tuple[float, int, int]:
    """(median ms, bytes sent, image rows) for the 15-line receipt."""
    renderer = Renderer(width)
    config = config or PrinterSettings(width_dots=width)
    sale = sample_sale(15)
    times = []
    payload = b""
    rows = 0
    for _ in range(runs):
        start = time.perf_counter()
        document = sale_receipt(sale, SAMPLE_SHOP, lang, journal_hash=SAMPLE_HASH)
        raster = renderer.render(document)
        payload = image_bytes(raster, config)
        times.append((time.perf_counter() - start) * 1000)
        rows = raster.height
    return statistics.median(times), len(payload), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ensure_gui_app()
    measure("both", 384, 3)  # warm up fonts and caches
    print(f"{'receipt (15 lines)':<20}{'dots':>6}{'rows':>7}{'ms':>8}{'bytes':>9}{'left':>9}"
          f"{'full':>9}")  # fmt: skip
    figures = {}
    for lang in ("both", "fr", "ar"):
        for width in (384, 576):
            ms, sent, rows = measure(lang, width, args.runs)
            plain = PrinterSettings(width_dots=width, raster_justify=False, raster_feed=False)
            _, left, _ = measure(lang, width, 1, plain)
            _, full, _ = measure(lang, width, 1, PrinterSettings(width_dots=width, compact=False))
            print(f"{lang:<20}{width:>6}{rows:>7}{ms:>8.1f}{sent:>9}{left:>9}{full:>9}")
            figures[(lang, width)] = (ms, sent)
    ms, sent = figures[("both", 384)]
    print(f"render_ms={ms:.1f} bytes_58mm={sent}")


if __name__ == "__main__":
    main()
