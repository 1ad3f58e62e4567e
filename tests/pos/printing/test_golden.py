"""Golden images: a sample sale receipt and a Z report, in Arabic and French, and a refund
in Arabic (minus signs, a product named in French only), at 58 mm; the sale in both
languages at 58 and 80 mm (``_576``: its width in dots when not 384).

The PNG files under ``golden/`` are what a reviewer looks at. A rendering may differ from
them by a few dots (font rasteriser versions); a larger change fails. To accept a change
on purpose, run with ``SOUK_UPDATE_GOLDEN=1`` and look at the new images.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage

from pos.printing.render import Raster, render
from pos.printing.samples import SAMPLE_HASH, sample_day_report, sample_refund, sample_sale
from pos.receipts import Document, Shop, sale_receipt, z_report

GOLDEN = Path(__file__).parent / "golden"
TOLERANCE = 0.004  # share of dots allowed to differ
HEIGHT_SLACK = 6  # rows


def _document(name: str, shop: Shop) -> Document:
    kind, lang = name.split("_")[:2]
    if kind == "sale":
        return sale_receipt(sample_sale(4), shop, lang, journal_hash=SAMPLE_HASH)
    if kind == "refund":
        return sale_receipt(sample_refund(), shop, lang, journal_hash=SAMPLE_HASH,
                            original_number=123)  # fmt: skip
    return z_report(sample_day_report(), shop, lang)


def _dots(image: QImage) -> list[bytes]:
    mono = image.convertToFormat(QImage.Format.Format_Grayscale8)
    stride = mono.bytesPerLine()
    bits = mono.constBits().tobytes()
    return [bits[y * stride : y * stride + mono.width()] for y in range(mono.height())]


def _differing(raster: Raster, golden: QImage) -> float:
    ours, theirs = _dots(raster.to_image()), _dots(golden)
    rows = min(len(ours), len(theirs))
    diff = sum(
        sum(1 for a, b in zip(ours[y], theirs[y], strict=True) if (a < 128) != (b < 128))
        for y in range(rows)
    )
    return diff / (raster.width * rows)


@pytest.mark.parametrize("name", ["sale_fr", "sale_ar", "z_fr", "z_ar", "refund_ar", "sale_both",
                                  "sale_both_576"])  # fmt: skip
def test_matches_golden_image(gui: QGuiApplication, shop: Shop, name: str) -> None:
    width = int(name.split("_")[2]) if name.count("_") == 2 else 384
    raster = render(_document(name, shop), width)
    path = GOLDEN / f"{name}.png"
    if os.environ.get("SOUK_UPDATE_GOLDEN") or not path.exists():
        raster.save_png(path)
        if not os.environ.get("SOUK_UPDATE_GOLDEN"):
            pytest.fail(f"{path.name} was missing; written now: look at it and commit it")
    golden = QImage(str(path))
    assert golden.width() == raster.width
    assert abs(golden.height() - raster.height) <= HEIGHT_SLACK
    assert _differing(raster, golden) <= TOLERANCE
