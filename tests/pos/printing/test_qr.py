"""The QR code on a printed receipt reads back, as an organiser's phone would read it.

The bytes a printer receives are decoded back into the paper's image, and a real decoder
(ZXing) looks for the code in it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image
from PySide6.QtGui import QGuiApplication

from pos.printing.escpos_out import PrinterSettings, send_image
from pos.printing.render import render
from pos.printing.samples import SAMPLE_HASH, sample_sale
from pos.receipts import Document, QrCode, Shop, qr_payload, sale_receipt
from tests.pos.printing.escpos_decode import decode


def read_codes(rows: bytes, width: int, height: int) -> list[str]:
    """The QR codes a decoder finds in a 1-bit image (1 = black dot)."""
    image = Image.frombytes("1", (width, height), rows).point(lambda v: 255 - v).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize(("lang", "width"), [("both", 384), ("ar", 384), ("fr", 576)])
def test_the_printed_receipt_carries_its_sale_in_its_qr_code(
        gui: QGuiApplication, shop: Shop, lang: str, width: int) -> None:
    document = sale_receipt(sample_sale(15), shop, lang, journal_hash=SAMPLE_HASH)
    (payload,) = [b.payload for b in document.blocks if isinstance(b, QrCode)]
    printer = Dummy()
    send_image(printer, render(document, width), PrinterSettings(width_dots=width))
    (page,) = decode(printer.output, width)
    meta = document.metadata
    assert read_codes(page.data, width, page.height) == [payload] == [
        qr_payload(meta["sale_id"], meta["label"], int(meta["total"]), SAMPLE_HASH)]


def test_codes_of_any_sale_read_back(gui: QGuiApplication) -> None:
    chance = random.Random(20261129)
    for n in range(25):
        payload = qr_payload(str(uuid.UUID(int=chance.getrandbits(128))), f"T{n:02d}-{n:06d}",
                             chance.randrange(1, 10**9), f"{chance.getrandbits(256):064x}")
        doc = Document(kind="test", title="qr", language="fr", blocks=(QrCode(payload),))
        raster = render(doc, 384)
        assert read_codes(raster.data, raster.width, raster.height) == [payload], payload


def test_a_label_marked_by_a_restore_reads_back(gui: QGuiApplication, shop: Shop) -> None:
    """After a restore that could not know how far the numbers went, the label carries the
    restore (``T03-R2-...``): the QR code still holds only QR alphanumeric characters."""
    marked = replace(shop, device_prefix="T03", ticket_marks=((124, 2),))
    document = sale_receipt(sample_sale(3, number=124), marked, "ar",
                            journal_hash=SAMPLE_HASH)
    (payload,) = [b.payload for b in document.blocks if isinstance(b, QrCode)]
    assert ":T03-R2-000124:" in payload and "T03-R2-000124" in document.plain_text()
    raster = render(document, 384)
    assert read_codes(raster.data, raster.width, raster.height) == [payload]
