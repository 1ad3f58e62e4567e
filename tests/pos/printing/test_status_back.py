"""A printer with Automatic Status Back on (``GS a n``) sends 4-byte status blocks by
itself, whenever its state changes, among its answers to status requests (DLE EOT): it
is known to answer all the same, and a block saying the roll is empty keeps the receipt
from going out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtGui import QGuiApplication

from pos.printing.escpos_out import (
    MayHavePrinted,
    PrinterError,
    PrinterSettings,
    heard,
    print_raster,
    print_test_page,
)
from pos.printing.render import Raster, render
from pos.printing.samples import SAMPLE_HASH, sample_sale
from pos.receipts import Shop, sale_receipt
from tests.pos.printing.conftest import (
    ONLINE,
    PAPER_OUT,
    FakePrinter,
    FakeSerialPrinter,
    UsbPrinter,
)
from tests.pos.printing.escpos_decode import decode, status_codes

#: ASB blocks: first byte 0xx1xx00, the others 0xx0xxxx; the third's bits 2 and 3 are the
#: roll paper end sensor (bits 0 and 1: near its end), the first's bit 3 offline
ASB_READY = b"\x10\x00\x00\x00"
ASB_PAPER_OUT = b"\x18\x00\x0f\x00"  # offline, the roll near its end and out
USB = PrinterSettings(connection="usb", usb="0416:5011")


def _receipt(shop: Shop) -> Raster:
    doc = sale_receipt(sample_sale(3), shop, "fr", journal_hash=SAMPLE_HASH)
    return render(doc, 384)


def test_asb_blocks_are_told_from_answers_to_status_requests() -> None:
    assert heard(ASB_READY + ONLINE) == (0x12, ASB_READY, False)
    assert heard(ASB_PAPER_OUT) == (None, ASB_PAPER_OUT, False)
    assert heard(ASB_READY[:2]) == (None, b"", True)  # the rest is on its way
    assert heard(b"\x10\x04\x01") == (None, b"", True)  # an echo of the request...
    assert heard(b"\x10\x04\x01\x10\x04\x01").answer is None  # ...is never an answer
    assert heard(b"\xff\x00").answer is None


@pytest.mark.parametrize("asb", [ASB_READY, ASB_PAPER_OUT], ids=["ready", "paper_out"])
def test_a_usb_printer_with_status_back_is_found_to_answer(
    gui: QGuiApplication, shop: Shop, asb: bytes
) -> None:
    raster = _receipt(shop)
    printer = UsbPrinter(ONLINE, asb=asb)
    assert print_test_page(raster, USB, opener=lambda _config: printer) is True
    [page] = decode(printer.output, 384)
    assert page.data == raster.data and page.cut


def test_a_serial_printer_with_status_back_answers_and_its_empty_roll_is_seen(
    gui: QGuiApplication, shop: Shop
) -> None:
    raster = _receipt(shop)
    printer = FakeSerialPrinter(asb=ASB_READY)
    config = PrinterSettings(connection="serial", serial_port=printer.path, timeout=5)
    try:
        assert print_test_page(raster, config) is True  # it answers, past the blocks
        learnt = replace(config, check_status=True)
        print_raster(raster, learnt)
        printer.paper, printer.asb = PAPER_OUT, ASB_PAPER_OUT
        with pytest.raises(PrinterError) as empty:
            print_raster(raster, learnt)
    finally:
        printer.close()
    assert empty.value.key == "printing.error.no_paper"
    assert not isinstance(empty.value, MayHavePrinted)
    sent = printer.received
    assert len(decode(sent, 384)) == 2  # the test page and the receipt; not the third
    assert status_codes(sent, 384) == [1, 4, 1, 4]


def test_an_empty_roll_said_only_in_a_status_block_keeps_the_receipt_back(
    gui: QGuiApplication, shop: Shop
) -> None:
    """The printer sends its block (paper out) and no answer to the paper request."""
    printer = UsbPrinter(b"", paper=b"", asb=ASB_PAPER_OUT)
    with pytest.raises(PrinterError) as empty:
        print_raster(_receipt(shop), replace(USB, check_status=True),
                     opener=lambda _config: printer)  # fmt: skip
    assert empty.value.key == "printing.error.no_paper"
    assert decode(printer.output, 384) == []  # nothing of the receipt went out


def test_a_network_printer_with_status_back_and_an_empty_roll_gets_no_receipt(
    gui: QGuiApplication, shop: Shop
) -> None:
    printer = FakePrinter(paper=PAPER_OUT, asb=ASB_PAPER_OUT)
    config = PrinterSettings(connection="network", host="127.0.0.1", port=printer.port,
                             timeout=5)  # fmt: skip
    try:
        with pytest.raises(PrinterError) as empty:
            print_raster(_receipt(shop), config)
        printer.paper, printer.asb = ONLINE, ASB_READY  # a new roll
        print_raster(_receipt(shop), config)
    finally:
        printer.close()
    assert empty.value.key == "printing.error.no_paper"
    assert [len(decode(job, 384)) for job in printer.jobs] == [0, 1]
