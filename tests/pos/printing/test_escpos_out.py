"""The bytes sent to the printer decode back into exactly the rendered receipt."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy
from PySide6.QtGui import QGuiApplication

from pos.printing.escpos_out import (
    MAX_SLICE,
    PrinterSettings,
    list_serial_ports,
    list_usb_printers,
    raster_bytes,
    send_image,
    slices,
)
from pos.printing.render import Raster, render
from pos.printing.samples import SAMPLE_HASH, sample_sale
from pos.receipts import Shop, sale_receipt
from tests.pos.printing.escpos_decode import decode


def _receipt(
    shop: Shop, lang: str, width: int, *, lines: int = 4, duplicate: bool = False
) -> Raster:
    doc = sale_receipt(sample_sale(lines), shop, lang, journal_hash=SAMPLE_HASH,
                       duplicate=duplicate)  # fmt: skip
    return render(doc, width)


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("lang", ["ar", "fr", "both"])
def test_dummy_bytes_decode_to_the_rendered_receipt(
    gui: QGuiApplication, shop: Shop, lang: str, width: int
) -> None:
    raster = _receipt(shop, lang, width)
    printer = Dummy()
    config = PrinterSettings(width_dots=width, drawer=True)
    send_image(printer, raster, config, open_drawer=True)
    pages = decode(printer.output, width)
    assert len(pages) == 1
    page = pages[0]
    assert (page.height, page.data) == (raster.height, raster.data)
    assert page.cut and page.drawer
    assert any(page.data)  # something is printed at all


@pytest.mark.parametrize("mode", ["full", "column"])
def test_fallback_modes_print_the_same_dots(gui: QGuiApplication, shop: Shop, mode: str) -> None:
    raster = _receipt(shop, "both", 384)
    if mode == "full":
        config = PrinterSettings(compact=False, cut=False)
    else:
        config = PrinterSettings(raster_mode="column", cut=False)
    printer = Dummy()
    send_image(printer, raster, config)
    page = decode(printer.output, 384)[0]
    assert not page.cut and not page.drawer
    # column mode prints whole 24-dot bands: the tail below the image is blank
    assert page.data[: len(raster.data)] == raster.data
    assert not any(page.data[len(raster.data) :])


def test_slices_avoid_garbled_heights(gui: QGuiApplication, shop: Shop) -> None:
    raster = _receipt(shop, "both", 384, lines=15)
    parts = slices(raster)
    assert sum(p.height for p in parts) == raster.height
    assert all(0 < p.height <= MAX_SLICE and p.height % 48 != 0 for p in parts)
    assert all(1 <= p.width_bytes <= raster.stride for p in parts)
    full = slices(raster, compact=False)
    assert all(p.width_bytes == raster.stride for p in full)
    assert len(raster_bytes(raster)) < len(raster_bytes(raster, compact=False)) * 0.75


def test_tall_blank_and_dense_images_are_sliced(gui: QGuiApplication) -> None:
    for height in (1, 47, 48, 96, 255, 256, 480, 1000):
        for fill in (b"\x00", b"\xff"):
            raster = Raster(384, height, fill * (48 * height))
            page = decode(b"\x1b@" + raster_bytes(raster), 384)[0]
            assert page.data == raster.data, (height, fill)


def test_no_drawer_on_card_or_when_disabled(gui: QGuiApplication, shop: Shop) -> None:
    raster = _receipt(shop, "fr", 384)
    printer = Dummy()
    send_image(printer, raster, PrinterSettings(drawer=False), open_drawer=True)
    assert not decode(printer.output, 384)[0].drawer


def test_settings_round_trip_and_tolerate_unknown_keys() -> None:
    config = PrinterSettings(connection="network", host="10.0.0.5", width_dots=576)
    assert PrinterSettings.from_dict(config.to_dict()) == config
    odd = PrinterSettings.from_dict({"connection": "pigeon", "colour": "red"})
    assert odd.connection == "none"
    assert "10.0.0.5:9100" in config.describe()
    assert config.asks_status and not PrinterSettings(connection="usb").asks_status


def test_discovery_lists_without_failing() -> None:
    assert isinstance(list_usb_printers(), list)
    assert isinstance(list_serial_ports(), list)
