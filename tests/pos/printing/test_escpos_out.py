"""The bytes sent to the printer decode back into exactly the rendered receipt."""

from __future__ import annotations

from dataclasses import replace

import pytest
import usb.core
from escpos.printer import Dummy
from PySide6.QtGui import QGuiApplication

from pos.printing.escpos_out import (
    MAX_SLICE,
    STATUS_ONLINE,
    STATUS_PAPER,
    MayHavePrinted,
    PrinterError,
    PrinterSettings,
    list_serial_ports,
    list_usb_printers,
    print_raster,
    print_test_page,
    raster_bytes,
    send_image,
    slices,
)
from pos.printing.render import Raster, render
from pos.printing.samples import SAMPLE_HASH, sample_sale
from pos.receipts import Shop, sale_receipt
from tests.pos.printing.conftest import ONLINE, PAPER_OUT, FakeSerialPrinter, UsbPrinter
from tests.pos.printing.escpos_decode import decode, status_codes


def _receipt(
    shop: Shop, lang: str, width: int, *, lines: int = 4, duplicate: bool = False
) -> Raster:
    doc = sale_receipt(sample_sale(lines), shop, lang, journal_hash=SAMPLE_HASH,
                       duplicate=duplicate)  # fmt: skip
    return render(doc, width)


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("lang", ["ar", "fr", "both", "en", "ar_en"])
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


FALLBACKS = {
    "full": PrinterSettings(compact=False, cut=False),
    "left-only": PrinterSettings(raster_justify=False, cut=False),
    "no-feed": PrinterSettings(raster_feed=False, cut=False),
    "plain-compact": PrinterSettings(raster_justify=False, raster_feed=False, cut=False),
    "column": PrinterSettings(raster_mode="column", cut=False),
}


@pytest.mark.parametrize("mode", list(FALLBACKS))
def test_fallback_modes_print_the_same_dots(gui: QGuiApplication, shop: Shop, mode: str) -> None:
    raster = _receipt(shop, "both", 384)
    config = FALLBACKS[mode]
    printer = Dummy()
    send_image(printer, raster, config)
    page = decode(printer.output, 384)[0]
    assert not page.cut and not page.drawer
    # column mode prints whole 24-dot bands: the tail below the image is blank
    assert page.data[: len(raster.data)] == raster.data
    assert not any(page.data[len(raster.data) :])
    if mode != "column":
        assert page.height == raster.height
    if not config.raster_justify or not config.compact:
        assert b"\x1ba" not in printer.output
    if not config.raster_feed or not config.compact:
        assert b"\x1bJ" not in printer.output


def test_narrow_bands_are_justified_where_they_were_drawn(gui: QGuiApplication) -> None:
    """A centred block, a right-flush block and a left one, each sent only as wide as its
    ink (centred ones with whole bytes on either side), and blank rows fed."""
    width, stride = 384, 48
    rows = [bytes(stride)] * 5
    rows += [bytes(20) + b"\x3c" * 3 + b"\x01" + bytes(24)] * 7  # centred, one dot off
    rows += [bytes(stride)] * 30
    rows += [bytes(40) + b"\xff" * 8] * 9  # against the right edge
    rows += [b"\x80" + bytes(stride - 1)] * 3  # touching: left edge
    rows += [bytes(stride)] * 300
    raster = Raster(width, len(rows), b"".join(rows))
    payload = raster_bytes(raster)
    page = decode(b"\x1b@" + payload, width)[0]
    assert (page.height, page.data) == (raster.height, raster.data)
    bands = [(p.justify, p.width_bytes, p.height) for p in slices(raster) if not p.feed]
    assert bands == [("center", 8, 7), ("right", 8, 9), ("left", 1, 3)]
    feeds = [p.height for p in slices(raster) if p.feed]
    assert feeds == [5, 30, 255, 45]
    assert payload.count(b"\x1ba") == 3  # centre, right, back to left
    assert payload.endswith(b"\x1ba\x00\x1dv0\x00\x01\x00\x03\x00\x80\x80\x80\x1bJ\xff\x1bJ\x2d")
    assert len(payload) < 200


def test_slices_avoid_garbled_heights(gui: QGuiApplication, shop: Shop) -> None:
    raster = _receipt(shop, "both", 384, lines=15)
    parts = slices(raster)
    assert sum(p.height for p in parts) == raster.height
    images = [p for p in parts if not p.feed]
    assert all(0 < p.height <= MAX_SLICE and p.height % 48 != 0 for p in images)
    assert all(0 < p.height <= MAX_SLICE for p in parts)
    assert all(p.width_bytes >= 1 and p.left_bytes + p.width_bytes <= raster.stride
               for p in images)  # fmt: skip
    assert {p.justify for p in images} == {"left", "center", "right"}
    full = slices(raster, compact=False)
    assert all(p.width_bytes == raster.stride and not p.feed for p in full)
    assert len(raster_bytes(raster)) < len(raster_bytes(raster, compact=False)) * 0.5


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


def test_a_long_bilingual_receipt_stays_small(gui: QGuiApplication, shop: Shop) -> None:
    """The benchmark's receipt: 15 bilingual lines on 58 mm paper (bench/receipt.py)."""
    raster = _receipt(shop, "both", 384, lines=15)
    sent = len(raster_bytes(raster))
    assert sent < 48_000
    assert sent < len(raster_bytes(raster, justify=False, feed=False)) * 0.75
    page = decode(b"\x1b@" + raster_bytes(raster), 384)[0]
    assert page.data == raster.data


class UnpluggedPrinter(Dummy):  # type: ignore[misc]
    """A USB printer whose cable comes out: at the ``fail_at``-th write (1: ESC @, 2: the
    image, 3: the feed and cut), or when the connection is closed."""

    def __init__(self, fail_at: int = 0, fail_close: bool = False) -> None:
        super().__init__()
        self.fail_at = fail_at
        self.fail_close = fail_close
        self.writes = 0

    def _raw(self, msg: bytes) -> None:
        self.writes += 1
        if self.writes == self.fail_at:
            raise usb.core.USBError("No such device (it may have been disconnected)", 19, 19)
        super()._raw(msg)

    def close(self) -> None:
        if self.fail_close:
            self.fail_close = False  # once: python-escpos closes again when it is collected
            raise usb.core.USBError("No such device (it may have been disconnected)", 19, 19)


@pytest.mark.parametrize(("fail_at", "fail_close", "uncertain"), [
    (1, False, False),  # nothing went out: print it again
    (2, False, False),  # part of the image: print it again, whole
    (3, False, True),  # the whole image, not the cut: it may be out whole
    (0, True, True),  # everything, then closing failed
])  # fmt: skip
def test_a_usb_printer_unplugged_after_the_whole_image_may_have_printed(
    gui: QGuiApplication, shop: Shop, fail_at: int, fail_close: bool, uncertain: bool
) -> None:
    raster = _receipt(shop, "both", 384)
    printer = UnpluggedPrinter(fail_at, fail_close)
    config = PrinterSettings(connection="usb", usb="0416:5011", drawer=True)
    with pytest.raises(PrinterError) as failed:
        print_raster(raster, config, open_drawer=True, opener=lambda _config: printer)
    assert isinstance(failed.value, MayHavePrinted) is uncertain
    assert failed.value.key == "printing.error.offline"
    assert "USBError" in failed.value.detail
    if fail_at:  # the drawer never opens on an attempt that failed while sending
        assert b"\x1bp" not in printer.output
    if uncertain:  # what the printer has is the whole image
        assert decode(printer.output, 384)[0].data == raster.data


def test_closing_fails_after_the_printer_answered_the_cut(gui: QGuiApplication, shop: Shop) -> None:
    class Answering(UnpluggedPrinter):
        def _read(self) -> bytes:
            return b"\x12"  # online, paper present

    printer = Answering(fail_close=True)
    raster = _receipt(shop, "fr", 384)
    config = PrinterSettings(connection="usb", usb="0416:5011", check_status=True)
    assert print_raster(raster, config, opener=lambda _config: printer) > 0
    [page] = decode(printer.output, 384)
    assert page.data == raster.data and page.cut and page.status_requests == 1


# -- whether a USB or serial printer answers status requests, learnt from a test page ---


USB = PrinterSettings(connection="usb", usb="0416:5011")


@pytest.mark.parametrize(("answer", "answers"), [
    (ONLINE, True), (b"\x16", True),  # online; online, drawer open
    (b"", False), (None, False),  # silent; the read times out
    (b"\x10\x04\x01", False), (b"\xff", False),  # its request echoed back; noise
])  # fmt: skip
def test_a_usb_test_page_asks_once_whether_the_printer_answers(
    gui: QGuiApplication, shop: Shop, answer: bytes | None, answers: bool
) -> None:
    raster = _receipt(shop, "fr", 384)
    printer = UsbPrinter(answer)
    assert USB.learns_status and not USB.asks_status
    assert print_test_page(raster, USB, opener=lambda _config: printer) is answers
    [page] = decode(printer.output, 384)
    assert page.data == raster.data and page.cut  # the page printed either way...
    assert printer.asked == [STATUS_ONLINE]  # ...then the printer was asked, once
    assert printer.output.endswith(STATUS_ONLINE)
    # a receipt asks nothing while the printer is not known to answer
    receipt = UsbPrinter(answer)
    print_raster(raster, USB, opener=lambda _config: receipt)
    assert receipt.asked == []


@pytest.mark.parametrize("known", [True, False])
def test_a_printer_known_to_answer_or_not_is_not_asked_again(
    gui: QGuiApplication, shop: Shop, known: bool
) -> None:
    printer = UsbPrinter()
    config = replace(USB, check_status=known)
    assert not config.learns_status
    assert print_test_page(_receipt(shop, "fr", 384), config,
                           opener=lambda _config: printer) is None  # fmt: skip
    assert len(printer.asked) == (2 if known else 0)  # paper first, online after the cut


def test_a_serial_printer_is_asked_over_the_line(gui: QGuiApplication, shop: Shop) -> None:
    raster = _receipt(shop, "both", 384)
    printer = FakeSerialPrinter()
    config = PrinterSettings(connection="serial", serial_port=printer.path, timeout=5)
    try:
        assert print_test_page(raster, config) is True
        learnt = replace(config, check_status=True)
        print_raster(raster, learnt)  # asked for paper first, then online after the cut
        printer.paper = PAPER_OUT
        with pytest.raises(PrinterError) as empty:
            print_raster(raster, learnt)
    finally:
        printer.close()
    sent = printer.received
    assert empty.value.key == "printing.error.no_paper"
    assert not isinstance(empty.value, MayHavePrinted)
    pages = decode(sent, 384)
    assert len(pages) == 2  # the test page and the receipt; nothing of the third
    assert all(page.data == raster.data and page.cut for page in pages)
    assert status_codes(sent, 384) == [1, 4, 1, 4]
    assert sent.endswith(STATUS_PAPER)


def test_a_serial_printer_that_never_answers_is_not_waited_for(
    gui: QGuiApplication, shop: Shop
) -> None:
    raster = _receipt(shop, "fr", 384)
    printer = FakeSerialPrinter(answers=False, paper=PAPER_OUT)
    config = PrinterSettings(connection="serial", serial_port=printer.path, timeout=30)
    try:
        assert print_test_page(raster, config) is False
        print_raster(raster, replace(config, check_status=False))
    finally:
        printer.close()
    sent = printer.received
    assert [page.data for page in decode(sent, 384)] == [raster.data, raster.data]
    assert status_codes(sent, 384) == [1]  # after the test page only
