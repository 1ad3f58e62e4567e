"""Printing from the till's window, against the fake network printer: a refused receipt
waits and "Retry printing" prints it once, as the original; about a receipt that may have
come out whole (the printer dropped the line once it had all of it, or the till stopped
while it printed) the seller is asked, and "Print it again" prints a copy; the receipt
preview is as wide as the paper and saves as PNG and PDF."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from pos import settings
from pos.errors import InputError
from pos.i18n import tr
from pos.models import PrintJob, Sale
from pos.printing import address, escpos_out
from pos.printing.render import Renderer
from pos.receipts import load_sale_receipt
from tests.helpers import ring
from tests.pos.printing.conftest import FakePrinter, FakeSerialPrinter
from tests.pos.printing.escpos_decode import decode
from tests.ui.conftest import click_tile, on_modal, tile_row
from ui.printing import ReceiptDialog, make_config

LEFT = Qt.MouseButton.LeftButton


def use_printer(window: Any, port: int, width: int = 384) -> None:
    """The printer settings as the settings screen saves them, plus the drawer."""
    with window.ctx.write() as s:
        config = make_config({}, "network", f"127.0.0.1:{port}", width)
        config.update(timeout=0.5, drawer=True)
        settings.put(s, settings.PRINTER, config)
    window.printer.reload_settings()


def jobs(window: Any) -> list[tuple[str, bool]]:
    with window.ctx.read() as s:
        return [(j.status, j.duplicate) for j in s.scalars(select(PrintJob).order_by(PrintJob.id))]


def sell_cash_again(qtbot: Any, window: Any) -> None:
    """A cash sale of the amlou, paid with a 100 DH note."""
    click_tile(qtbot, window, tile_row(window, "AML-250"))

    def pay(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payNote_10000"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert window.sale.cart.is_empty


def sell_cash(qtbot: Any, window: Any) -> str:
    """The till's first sale (:func:`sell_cash_again`), and its id."""
    sell_cash_again(qtbot, window)
    with window.ctx.read() as s:
        [sale_id] = s.scalars(select(Sale.id))
    return str(sale_id)


def rasters(window: Any, sale_id: str) -> tuple[bytes, bytes]:
    """The original receipt's dots and the copy's (DUPLICATA)."""
    with window.ctx.read() as s:
        original = load_sale_receipt(s, sale_id)
        copy = load_sale_receipt(s, sale_id, duplicate=True)
    render = Renderer(384).render
    return render(original).data, render(copy).data


def test_a_refused_receipt_waits_and_retry_prints_the_original_once(
    qtbot: Any, make_window: Any
) -> None:
    refused = FakePrinter()
    port = refused.port
    refused.close()  # nothing listens there: the printer is off
    window = make_window()
    use_printer(window, port)
    window.printer.start()
    bar = window.printer_bar
    assert not bar.isVisible()
    sale_id = sell_cash(qtbot, window)
    message = tr("fr", "printing.error.offline")
    qtbot.waitUntil(lambda: bar.isVisible() and window.printer.detail == message)
    # the sale is saved, the receipt waits, and the seller is told in words
    assert jobs(window) == [("queued", False)]
    assert window.printer_status.toolTip().endswith(" — " + message)  # the whole, however long
    assert "ne répond pas" in window.printer_status.text()
    assert bar.waiting.isVisible()
    assert bar.waiting.text() == "1 ticket en attente d'impression"
    assert bar.retry.isVisible() and "Réessayer" in bar.retry.text()
    assert not window.printer_question.isVisible()
    # the printer is back; the seller presses "Retry printing"
    good = FakePrinter()
    use_printer(window, good.port)
    qtbot.mouseClick(bar.retry, LEFT)
    qtbot.waitUntil(lambda: jobs(window) == [("printed", False)] and not bar.isVisible())
    assert window.printer.state == "ready"
    good.close()
    original, copy = rasters(window, sale_id)
    [sent] = good.jobs
    [page] = decode(sent, 384)
    assert page.data == original and page.data != copy  # no "DUPLICATA"
    assert page.drawer and page.cut


def test_ctrl_p_retries_too(qtbot: Any, make_window: Any) -> None:
    refused = FakePrinter()
    port = refused.port
    refused.close()
    window = make_window()
    use_printer(window, port)
    window.printer.start()
    sell_cash(qtbot, window)
    qtbot.waitUntil(window.printer_bar.isVisible)
    good = FakePrinter()
    use_printer(window, good.port)
    window.activateWindow()  # back from the payment dialog
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: jobs(window) == [("printed", False)])
    good.close()
    assert len(good.jobs) == 1


def test_a_receipt_that_may_have_printed_is_reprinted_as_a_copy(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    good = FakePrinter()
    use_printer(window, good.port)
    # the till stopped while this receipt was going out (see tests/pos/printing/test_queue)
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    with window.ctx.write() as s:
        s.add(PrintJob(kind="sale", ref=sale.id, status="sending", attempts=1))
        label = load_sale_receipt(s, sale.id).metadata["label"]
    window.printer.start()
    ask = window.printer_question
    qtbot.waitUntil(ask.isVisible)
    assert ask.question.text() == f"Le ticket {label} est-il sorti en entier ?"
    assert ask.why.text() == ("La caisse s'est arrêtée pendant son impression. Réimprimé, il "
                              "portera la mention DUPLICATA.")
    assert jobs(window) == [("unsure", False)]  # not printed again by itself
    assert not window.printer_bar.isVisible()
    qtbot.mouseClick(ask.reprint, LEFT)
    qtbot.waitUntil(lambda: jobs(window) == [("cancelled", False), ("printed", True)])
    qtbot.waitUntil(lambda: not ask.isVisible())
    good.close()
    original, copy = rasters(window, sale.id)
    [sent] = good.jobs
    [page] = decode(sent, 384)
    assert page.data != original
    assert page.data == copy and not page.drawer  # a copy never opens the drawer


def test_the_preview_is_as_wide_as_the_paper_and_saves_png_and_pdf(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    window = make_window()
    use_printer(window, 9, width=576)
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    with window.ctx.read() as s:
        document = load_sale_receipt(s, sale.id)
    dialog = window.printer.dialog(window, document)
    qtbot.addWidget(dialog)
    dialog.show()
    raster = dialog.raster
    assert raster is not None and raster.width == 576
    assert dialog.view.pixmap().width() == 576
    assert raster.data == Renderer(576).render(document).data
    assert dialog.save_png.isEnabled() and "PNG" in dialog.save_png.text()

    png = dialog.save(tmp_path / "ticket", "png")
    assert png == tmp_path / "ticket.png"
    assert dialog.banner.text() == tr("fr", "ui.receipt.saved", path=str(png))
    with Image.open(png) as image:
        assert image.size == (576, raster.height)
        assert image.convert("1").tobytes() == raster.to_pil().tobytes()

    pdf = dialog.save(tmp_path / "ticket.pdf", "pdf")
    assert pdf == tmp_path / "ticket.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1
    [count] = re.findall(rb"/Count\s+(\d+)", data)
    assert count == b"1"
    [box] = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert abs(float(box[0]) - 576 / 8 / 25.4 * 72) < 1  # 72 mm wide paper, in points

    missing = tmp_path / "no-such-folder" / "ticket.png"
    assert dialog.save(missing, "png") is None
    assert dialog.banner.property("role") == "alert"
    assert dialog.banner.text().startswith(f"Impossible d'enregistrer {missing} : ")
    assert not missing.exists()


def test_without_a_renderer_the_receipt_shows_as_text(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    with window.ctx.read() as s:
        document = load_sale_receipt(s, sale.id)
    dialog = ReceiptDialog(window.ctx, window, document, None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.view.text() == document.plain_text()
    assert "TICKET" in dialog.view.text()
    assert not dialog.save_png.isEnabled() and not dialog.save_pdf.isEnabled()


def test_a_paper_width_no_printer_has_is_refused_when_saved() -> None:
    for width in (0, 95, 2049, 5000):
        try:
            make_config({}, "network", "10.0.0.5", width)
        except InputError as exc:
            assert str(width) in exc.message("fr")
        else:
            raise AssertionError(f"{width} dots accepted")
    assert make_config({}, "usb", "0416:5011", 576)["width_dots"] == 576


def choose_from_menu(qtbot: Any, button: Any, text: str) -> None:
    """Open ``button``'s menu and click its entry ``text``, as a hand would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, pick)
            return
        action = next(a for a in menu.actions() if a.text() == text)
        chosen.append(action.text())
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(0, pick)
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: chosen == [text])


def test_a_copy_prints_in_the_language_the_customer_reads(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()  # a French till whose receipts are in Arabic and French
    good = FakePrinter()
    use_printer(window, good.port)
    window.printer.start()
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    window.show_screen("sales")
    screen = window.sales
    screen.table.selectRow(0)
    assert screen.reprint_in_btn.text() == "Réimprimer en…"
    assert [a.text() for a in screen.languages.actions()] == [
        "Arabe et français", "Arabe", "Français", "Arabe et anglais", "Anglais"]
    choose_from_menu(qtbot, screen.reprint_in_btn, "Anglais")
    qtbot.waitUntil(lambda: len(good.jobs) == 1)
    qtbot.mouseClick(screen.reprint_btn, LEFT)  # and one in the receipts' own language
    qtbot.waitUntil(lambda: len(good.jobs) == 2)
    good.close()
    with window.ctx.read() as s:
        english = load_sale_receipt(s, sale.id, duplicate=True, lang="en")
        usual = load_sale_receipt(s, sale.id, duplicate=True)
    text = english.plain_text()
    assert "RECEIPT" in text and "COPY / نسخة" in text and "Cash\t" in text
    assert "Amlou" in text and "أملو" not in text  # the products' Latin names
    render = Renderer(384).render
    [first] = decode(good.jobs[0], 384)
    [second] = decode(good.jobs[1], 384)
    assert first.data == render(english).data and not first.drawer
    assert second.data == render(usual).data


def test_without_a_printer_a_copy_in_english_is_shown_to_save(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="ar")
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    window.show_screen("sales")
    table = window.sales.table
    qtbot.waitUntil(lambda: table.viewport().width() > 100)
    row = table.visualRect(table.model().index(0, 1))
    qtbot.mouseClick(table.viewport(), LEFT, pos=row.center())
    assert window.sales.selected() is not None
    shown: list[str] = []

    def look(dialog: Any) -> None:
        shown.append(dialog.document.plain_text())
        dialog.close()

    on_modal("receiptDialog", look)
    choose_from_menu(qtbot, window.sales.reprint_in_btn, "الإنجليزية")
    qtbot.waitUntil(lambda: len(shown) == 1)
    with window.ctx.read() as s:
        assert shown == [load_sale_receipt(s, sale.id, duplicate=True, lang="en").plain_text()]
    assert "Cash\t" in shown[0] and "Change\t" in shown[0]


def test_the_settings_offer_receipts_in_english(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    window.show_screen("settings")
    combo = window.settings.receipt_language
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Arabic and French", "Arabic", "French", "Arabic and English", "English"]
    assert combo.currentData() == "both"
    combo.setCurrentIndex(combo.findData("en"))
    combo.activated.emit(combo.currentIndex())
    sale = ring(window.ctx.store, [("AML-250", 1000)], tendered=10000)
    with window.ctx.read() as s:
        text = load_sale_receipt(s, sale.id).plain_text()
    assert "RECEIPT" in text and "Change\t35.00" in text
    window.show_screen("sale")
    window.show_screen("settings")
    assert combo.currentText() == "English"


def test_without_a_printer_the_test_page_shows_in_the_receipt_language(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="fr")  # a French screen, receipts in English
    window.show_screen("settings")
    combo = window.settings.receipt_language
    combo.setCurrentIndex(combo.findData("en"))
    combo.activated.emit(combo.currentIndex())
    shown: list[str] = []

    def look(dialog: Any) -> None:
        shown.append(dialog.document.plain_text())
        dialog.close()

    on_modal("receiptDialog", look)
    test_btn = window.settings.findChild(QPushButton, "printerTest")
    qtbot.mouseClick(test_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "PRINTER TEST" in shown[0] and "PAGE DE TEST" not in shown[0]


def cut_off_at_the_end(qtbot: Any, window: Any) -> tuple[FakePrinter, str]:
    """A cash sale whose receipt the printer takes whole, then drops the line without
    answering: the seller is asked. Returns the printer and the sale's id."""
    printer = FakePrinter("drop_at_end")
    use_printer(window, printer.port)
    window.printer.start()
    sale_id = sell_cash(qtbot, window)
    qtbot.waitUntil(window.printer_question.isVisible)
    return printer, sale_id


@pytest.mark.parametrize("answer", ["print again", "yes"])
def test_a_receipt_cut_off_at_the_very_end_is_asked_about_and_never_doubled(
    qtbot: Any, make_window: Any, answer: str
) -> None:
    window = make_window()
    printer, sale_id = cut_off_at_the_end(qtbot, window)
    ask = window.printer_question
    with window.ctx.read() as s:
        label = load_sale_receipt(s, sale_id).metadata["label"]
    # the sale is saved; the seller is asked in words; nothing prints again by itself
    assert window.sale.cart.is_empty and jobs(window) == [("unsure", False)]
    assert ask.question.text() == f"Le ticket {label} est-il sorti en entier ?"
    assert ask.why.text() == ("La liaison avec l'imprimante s'est coupée tout à la fin. "
                              "Réimprimé, il portera la mention DUPLICATA.")
    assert (ask.printed.text(), ask.reprint.text()) == ("Oui", "Réimprimer")
    assert window.printer.state == "unsure"
    assert window.printer_status.text() == "Imprimante : un ticket à vérifier"
    assert not window.statusBar().isVisible()  # the question stands in for it
    printer.mode = "accept"  # the printer is fine again
    window.printer.retry()
    assert window.printer.worker.run_once(include_old=True) == 0
    [whole] = printer.partial  # what came out the first time: the whole original
    original, copy = rasters(window, sale_id)
    assert decode(whole, 384)[0].data == original and printer.jobs == []
    qtbot.mouseClick(ask.reprint if answer == "print again" else ask.printed, LEFT)
    if answer == "yes":
        qtbot.waitUntil(lambda: not ask.isVisible())
        assert jobs(window) == [("printed", False)]
    else:
        qtbot.waitUntil(lambda: jobs(window) == [("cancelled", False), ("printed", True)])
        qtbot.waitUntil(lambda: not ask.isVisible())
    assert window.printer.worker.run_once(include_old=True) == 0
    printer.close()
    qtbot.waitUntil(lambda: window.printer.state == "ready")
    assert window.statusBar().isVisible()
    assert window.printer_status.text() == "Imprimante : prête"
    if answer == "yes":
        assert printer.jobs == []
    else:
        [sent] = printer.jobs
        [page] = decode(sent, 384)
        assert page.data == copy and page.data != original  # DUPLICATA
        assert not page.drawer


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_question_fits_a_small_screen_in_every_language(
    qtbot: Any, make_window: Any, tmp_path: Path, lang: str
) -> None:
    window = make_window(lang=lang, size=(1024, 600))
    printer, sale_id = cut_off_at_the_end(qtbot, window)
    printer.close()
    ask = window.printer_question
    with window.ctx.read() as s:
        label = load_sale_receipt(s, sale_id).metadata["label"]
    question = tr(lang, "printing.unsure.sale", label=label)
    assert ask.question.text() == question and label in question
    why = tr(lang, "printing.unsure.cut_off")
    assert ask.why.text() == f"{why} {tr(lang, 'ui.printer.unsure_copy')}"
    assert (ask.printed.text(), ask.reprint.text()) == (
        tr(lang, "ui.printer.unsure_printed"), tr(lang, "ui.printer.unsure_reprint"))
    assert window.printer_status.toolTip() == f"{question} {why}"
    assert not window.statusBar().isVisible()  # the question stands in for it

    def laid_out() -> bool:
        return all(text.height() >= text.heightForWidth(text.width())
                   for text in (ask.question, ask.why))

    qtbot.waitUntil(laid_out)
    window.grab().save(str(tmp_path / f"question-{lang}.png"))
    screen = window.rect()

    def on_screen(widget: Any) -> bool:
        where = widget.rect().translated(widget.mapTo(window, widget.rect().topLeft()))
        return bool(screen.contains(where))

    assert window.size().toTuple() == (1024, 600)
    assert window.minimumSizeHint().height() <= 600  # nothing is squeezed below its size
    assert on_screen(ask.question) and on_screen(ask.why)  # every line shows, whole
    for btn in (ask.printed, ask.reprint):  # the answers are whole and at hand
        assert on_screen(btn) and btn.width() >= btn.sizeHint().width()
    pay = window.sale.pay  # the sale screen works on around it
    assert on_screen(pay) and pay.height() >= pay.minimumSizeHint().height()
    assert (ask.question.mapTo(window, ask.question.rect().topLeft()).x()
            > ask.reprint.mapTo(window, ask.reprint.rect().topLeft()).x()) is (lang == "ar")
    # locked, the till asks nothing; the status bar says a receipt is to be checked
    window.lock()
    qtbot.waitUntil(lambda: window.statusBar().isVisible() and not ask.isVisible())
    status = tr(lang, "ui.status.printer", state=tr(lang, "ui.printer.unsure"))
    assert window.printer_status.text() == status
    assert window.printer_status.shown_text() == status  # whole, not cut
    assert window.size().toTuple() == (1024, 600)
    window.grab().save(str(tmp_path / f"question-locked-{lang}.png"))


# --- the printer's address, test pages, no printer --------------------------------------
def printer_tab(window: Any) -> Any:
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(3)
    return screen


def fill_printer(qtbot: Any, kind_box: Any, field: Any, kind: str, text: str) -> None:
    kind_box.setCurrentIndex(kind_box.findData(kind))
    field.clear()
    qtbot.keyClicks(field, text)


def address_error(connection: str, text: str, lang: str) -> str:
    with pytest.raises(InputError) as refused:
        address.parse(connection, text)
    return refused.value.message(lang)


@pytest.mark.parametrize(("lang", "kind", "text", "good", "shown"), [
    ("fr", "network", "192.168.1.300:abc", "192.168.1.30:9101", "192.168.1.30:9101"),
    ("ar", "network", "10.0.0.99:91000", "10.0.0.99:9100", "10.0.0.99"),
    ("en", "network", "printer.local:abc", "printer.local", "printer.local"),
    ("fr", "usb", "04b8", "04b8:0e15", "04b8:0e15"),
    ("en", "usb", "zz:yy", "0x0416:0x5011", "0416:5011"),
])  # fmt: skip
def test_the_settings_refuse_a_printer_address_of_the_wrong_form(
    qtbot: Any, make_window: Any, lang: str, kind: str, text: str, good: str, shown: str
) -> None:
    window = make_window(lang=lang)
    screen = printer_tab(window)
    field = screen.printer_address
    fill_printer(qtbot, screen.printer_kind, field, kind, text)
    qtbot.mouseClick(screen.printer_save, LEFT)
    message = address_error(kind, text, lang)
    banner = screen.banner
    assert banner.isVisible() and banner.property("role") == "alert"
    assert banner.text() == message
    assert field.property("wrong") is True and field.hasFocus()  # marked, to be typed again
    with window.ctx.read() as s:
        assert settings.get(s, settings.PRINTER) is None  # nothing saved
    assert window.printer.state == "none"
    assert window.printer_status.text() == tr(lang, "ui.status.printer",
                                              state=tr(lang, "ui.printer.none"))
    qtbot.mouseClick(screen.printer_test, LEFT)  # the test page tries what is typed: refused
    assert banner.text() == message and jobs(window) == []
    field.clear()
    qtbot.keyClicks(field, good)
    assert not field.property("wrong")
    qtbot.mouseClick(screen.printer_save, LEFT)
    assert banner.property("role") == "notice" and banner.text() == tr(lang, "ui.saved")
    with window.ctx.read() as s:
        saved = settings.get(s, settings.PRINTER)
    assert saved == {"connection": kind, "width_dots": 384, **address.parse(kind, good)}
    assert window.printer.state == "ready"
    window.show_screen("sale")
    printer_tab(window)
    assert field.text() == shown  # as typed, a network printer's port when not 9100


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("serial", "ttyUSB0", "«\u2066ttyUSB0\u2069» ليس منفذاً تسلسلياً: اكتب اسمه الكامل، مثلاً "
                          "\u2066/dev/ttyUSB0\u2069 أو \u2066/dev/rfcomm0\u2069 أو COM3."),
    ("file", "usb/lp0", "«\u2066usb/lp0\u2069» ليس ملف جهاز: اكتب مساره الكامل، مثلاً "
                        "\u2066/dev/usb/lp0\u2069."),
], ids=["serial", "file"])  # fmt: skip
def test_an_arabic_refusal_writes_the_paths_left_to_right(
    qtbot: Any, make_window: Any, kind: str, text: str, expected: str
) -> None:
    """A path in a right-to-left message is isolated, lest its leading slash show at its
    other end ("dev/ttyUSB0/")."""
    window = make_window(lang="ar", size=(1024, 600))
    screen = printer_tab(window)
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, kind, text)
    qtbot.mouseClick(screen.printer_save, LEFT)
    assert screen.banner.text() == expected
    with window.ctx.read() as s:
        assert settings.get(s, settings.PRINTER) is None


def test_the_usb_printers_plugged_in_are_listed_off_the_ui_thread_to_choose_from(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first-time seller does not know a USB printer's numbers: choosing USB lists
    the printers plugged in (asking USB may wait on a device: not on the UI thread), the
    first one typed in the address, another one there to choose."""
    answer = threading.Event()
    plugged = [escpos_out.UsbPrinter(0x0416, 0x5011, "", "", False),
               escpos_out.UsbPrinter(0x04B8, 0x0E15, "EPSON", "TM-T20II", True)]

    def list_usb_printers() -> list[escpos_out.UsbPrinter]:
        answer.wait(10)
        return plugged

    monkeypatch.setattr(escpos_out, "list_usb_printers", list_usb_printers)
    window = make_window(lang="fr", size=(1024, 600))
    screen = printer_tab(window)
    found, field = screen.printer_found, screen.printer_address
    assert not found.isVisible()  # no printer chosen: nothing to list
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("usb"))
    # USB has not answered yet, and the screen is not frozen waiting for it
    assert found.isVisible() and found.currentText() == "Recherche des imprimantes…"
    assert field.text() == ""
    answer.set()
    qtbot.waitUntil(lambda: found.count() == 3)
    assert [found.itemText(i) for i in range(3)] == [
        "Choisissez une imprimante pour remplir son adresse",
        "Imprimante USB (0416:5011)", "EPSON TM-T20II (04b8:0e15)"]
    assert field.text() == "0416:5011" and found.currentIndex() == 1
    found.setCurrentIndex(2)
    found.activated.emit(2)  # the seller picks the Epson
    assert field.text() == "04b8:0e15"
    qtbot.mouseClick(screen.printer_save, LEFT)
    assert screen.banner.text() == "Enregistré."
    with window.ctx.read() as s:
        assert settings.get(s, settings.PRINTER)["usb"] == "04b8:0e15"
    # nothing plugged in: said in a few words, and looked for again on demand
    plugged.clear()
    qtbot.mouseClick(screen.printer_search, LEFT)
    none = screen.printer_form.none_found
    qtbot.waitUntil(none.isVisible)
    assert none.text() == "Aucune imprimante USB\u00a0: branchez-la et allumez-la"
    assert none.wordWrap() and not found.isVisible() and field.text() == "04b8:0e15"
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("network"))
    assert not found.isVisible()


@pytest.mark.parametrize(("width", "shown"), [
    (512, "80 mm (512 points)"), (640, "640 points")])  # 640: set by hand
def test_the_paper_width_saved_is_shown_and_kept(
    qtbot: Any, make_window: Any, width: int, shown: str
) -> None:
    """An 80 mm printer whose head is 512 dots wide (many Xprinter and Rongta models) is
    shown as such, not as 58 mm, and stays so when something else of the printer is
    saved; so does a width none of those offered, set by hand."""
    window = make_window(lang="en")
    use_printer(window, 9100, width=width)
    screen = printer_tab(window)
    paper = screen.paper
    assert [paper.itemText(i) for i in range(3)] == [
        "58 mm (384 points)", "80 mm (576 points)", "80 mm (512 points)"]
    assert paper.currentText() == shown
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "network", "10.0.0.7")
    qtbot.mouseClick(screen.printer_save, LEFT)
    assert screen.banner.text() == "Saved."
    with window.ctx.read() as s:
        saved = settings.get(s, settings.PRINTER)
    assert (saved["host"], saved["width_dots"]) == ("10.0.0.7", width)
    assert window.printer.width == width
    window.ctx.set_language("ar")
    assert paper.currentData() == width
    assert paper.currentText() == {512: "80 مم (512 نقطةً)", 640: "640 نقطةً"}[width]


def test_the_paper_widths_offered_are_those_receipts_are_laid_out_for() -> None:
    from pos.printing.render import PAPER_WIDTHS
    from ui.settings_screen import PAPER

    assert sorted(dots for _mm, dots in PAPER) == sorted(PAPER_WIDTHS.values())


def test_a_serial_printer_is_saved_with_its_speed(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = tmp_path / "ttyUSB0"
    port.touch()
    monkeypatch.setattr(escpos_out, "list_serial_ports", lambda: [str(port)])
    window = make_window(lang="ar", size=(1024, 600))
    screen = printer_tab(window)
    baud = screen.printer_baud
    assert not baud.isVisible()
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("serial"))
    qtbot.waitUntil(lambda: screen.printer_address.text() == str(port))  # the only port
    assert baud.isVisible() and baud.currentText() == "9600"
    assert screen.printer_found.itemText(1) == f"\u2066{port}\u2069"  # its slash first
    assert [baud.itemText(i) for i in range(baud.count())] == [
        "9600", "19200", "38400", "57600", "115200"]
    baud.setCurrentIndex(baud.findData(115200))
    qtbot.mouseClick(screen.printer_save, LEFT)
    qtbot.waitUntil(lambda: screen.banner.text() == tr("ar", "ui.saved"))
    with window.ctx.read() as s:
        saved = escpos_out.PrinterSettings.load(s)
    assert (saved.connection, saved.serial_port, saved.baudrate) == ("serial", str(port), 115200)
    baud.setCurrentIndex(0)
    window.show_screen("sale")
    printer_tab(window)
    assert baud.currentText() == "115200"  # as saved
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("usb"))
    assert not baud.isVisible()


def test_the_wizard_checks_the_printer_before_the_next_step(
    qtbot: Any, tmp_path: Path
) -> None:
    from ui.app import application, build
    from ui.context import AppContext

    application()
    ctx = AppContext.open(tmp_path / "stall", "fr")
    holder = build(ctx)
    qtbot.addWidget(holder)
    holder.show()
    wizard: Any = holder.centralWidget()
    try:
        qtbot.mouseClick(wizard.next, LEFT)  # French
        qtbot.keyClicks(wizard.name_fr, "Cooperative Amal")
        qtbot.mouseClick(wizard.next, LEFT)
        qtbot.keyClicks(wizard.manager_name, "Khadija")
        qtbot.keyClicks(wizard.pin, "2468")
        qtbot.keyClicks(wizard.pin2, "2468")
        qtbot.mouseClick(wizard.next, LEFT)
        assert wizard.step == 3  # the printer
        field = wizard.printer_address
        fill_printer(qtbot, wizard.printer_kind, field, "network", "10.0.0.99:91000")
        assert field.placeholderText() == tr("fr", "ui.printer.address_hint_network")
        qtbot.mouseClick(wizard.next, LEFT)
        assert wizard.step == 3 and wizard.banner.isVisible()
        assert wizard.banner.text() == address_error("network", "10.0.0.99:91000", "fr")
        assert "10.0.0.99:9100" in wizard.banner.text()
        assert field.property("wrong") is True
        # a USB printer's device file, not there before the printer is plugged in: on, told
        device = str(tmp_path / "usb" / "lp0")
        fill_printer(qtbot, wizard.printer_kind, field, "file", device)
        assert not field.property("wrong")
        assert field.placeholderText() == "ex. /dev/usb/lp0"
        qtbot.mouseClick(wizard.next, LEFT)
        qtbot.waitUntil(lambda: wizard.step == 4)
        assert wizard.banner.isVisible() and wizard.banner.property("role") == "notice"
        assert wizard.banner.text().startswith(f"{device} n'existe pas pour le moment")
        wizard.demo.setChecked(False)
        qtbot.mouseClick(wizard.next, LEFT)  # finish
        with ctx.read() as s:
            saved = settings.get(s, settings.PRINTER)
        assert (saved["connection"], saved["device"], saved["width_dots"]) == ("file", device, 384)
    finally:
        window = holder.property("next")
        if window is not None:
            window.close()
        holder.close()
        ctx.store.close()


def test_a_system_printer_is_looked_up_off_the_ui_thread(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CUPS is asked with ``lpstat`` (a real command on the PATH, that answers only when the
    test lets it): the click returns and the screen waits, then says what the system said."""
    from tests.pos.printing.test_address import fake_lpstat

    bin_dir, answer = tmp_path / "bin", tmp_path / "answer"
    fake_lpstat(bin_dir, f'while [ ! -e "{answer}" ]; do sleep 0.02; done\n'
                         'printf "XP58\\nOffice\\n"')  # fmt: skip
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/bin{os.pathsep}/usr/bin")
    window = make_window(lang="en")
    screen = printer_tab(window)
    field = screen.printer_address
    fill_printer(qtbot, screen.printer_kind, field, "cups", "NoSuchPrinter")
    qtbot.mouseClick(screen.printer_save, LEFT)
    # lpstat has not answered yet, and the screen is not frozen waiting for it
    assert screen.banner.text() == "Checking the printer's address…"
    assert not screen.printer_save.isEnabled() and not screen.printer_test.isEnabled()
    answer.touch()
    qtbot.waitUntil(lambda: screen.banner.property("role") == "alert")
    assert screen.banner.text() == ("This computer has no printer named “NoSuchPrinter”. "
                                    "Its printers: XP58, Office.")
    assert field.property("wrong") is True and screen.printer_save.isEnabled()
    with window.ctx.read() as s:
        assert settings.get(s, settings.PRINTER) is None
    field.clear()
    qtbot.keyClicks(field, "xp58")
    qtbot.mouseClick(screen.printer_save, LEFT)
    qtbot.waitUntil(lambda: screen.banner.text() == "Saved.")
    with window.ctx.read() as s:
        assert settings.get(s, settings.PRINTER)["name"] == "XP58"  # as the system spells it


def test_a_test_page_says_where_it_was_asked_whether_it_printed_and_never_waits(
    qtbot: Any, make_window: Any
) -> None:
    off = FakePrinter()
    off.close()  # nothing listens there: the printer is off
    window = make_window()
    window.printer.start()
    screen = printer_tab(window)
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "network",
                 f"127.0.0.1:{off.port}")  # fmt: skip
    qtbot.mouseClick(screen.printer_test, LEFT)  # saved, then tried
    banner = screen.banner
    assert banner.text() == "Envoi de la page de test à l'imprimante…"
    qtbot.waitUntil(lambda: banner.property("role") == "alert")
    assert banner.text() == tr("fr", "printing.test_error.offline")
    assert "vente" not in banner.text()
    assert jobs(window) == [("cancelled", False)]  # not a receipt: it does not wait
    assert window.printer.waiting == 0 and not window.printer_bar.isVisible()
    # the status bar says the printer does not answer; the sale screen does not say it again
    assert window.printer.state == "error"
    assert window.printer_status.text() == "Imprimante : ne répond pas"
    assert window.sale.banner.isHidden()
    good = FakePrinter()
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "network",
                 f"127.0.0.1:{good.port}")  # fmt: skip
    qtbot.mouseClick(screen.printer_test, LEFT)
    # with what is known of its paper: a network printer is asked before every receipt
    printed = f'{tr("fr", "ui.printer.test_printed")} {tr("fr", "ui.printer.paper_watched")}'
    qtbot.waitUntil(lambda: banner.text() == printed)
    assert window.printer_status.text() == "Imprimante : prête"
    window.printer.retry()  # "Retry printing" never brings back the test page that failed
    assert window.printer.worker.run_once(include_old=True) == 0
    good.close()
    [sent] = good.jobs
    assert len(decode(sent, 384)) == 1
    assert jobs(window) == [("cancelled", False), ("printed", False)]


def test_a_test_page_on_its_way_is_not_sent_twice(qtbot: Any, make_window: Any) -> None:
    """The printer hangs and nothing comes out: pressing "Test page" again before the
    first one is told about would queue a second page, printed later in the middle of
    a sale. The button waits for the answer."""
    printer = FakePrinter("stall")
    window = make_window()
    use_printer(window, printer.port)
    window.printer.start()
    screen = printer_tab(window)
    qtbot.mouseClick(screen.printer_test, LEFT)
    assert screen.banner.text() == "Envoi de la page de test à l'imprimante…"
    assert not screen.printer_test.isEnabled()
    qtbot.mouseClick(screen.printer_test, LEFT)  # pressed again, impatient
    qtbot.waitUntil(lambda: screen.banner.text() == tr("fr", "printing.test_error.offline"))
    assert screen.printer_test.isEnabled()  # to try again, once told
    printer.mode = "accept"  # the printer comes back: a sale prints its receipt alone
    sell_cash(qtbot, window)
    qtbot.waitUntil(lambda: window.printer.state == "ready")
    printer.close()
    assert jobs(window) == [("cancelled", False), ("printed", False)]
    assert len(printer.jobs) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a named pipe stands for the printer")
def test_saving_while_a_test_page_is_on_its_way_keeps_test_page_waiting(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    """A device file that takes nothing until the printer reads (a named pipe): the test
    page hangs. "Save" pressed meanwhile, the address checked by the system first, does
    not give "Test page" back before the first page is told about: a second page would
    be queued behind the hung one."""
    device = tmp_path / "lp0"
    os.mkfifo(device)
    received: list[bytes] = []

    def printer_reads() -> None:
        with open(device, "rb") as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=printer_reads, daemon=True)
    window = make_window(lang="en")
    window.printer.start()
    screen = printer_tab(window)
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "file", str(device))
    try:
        qtbot.mouseClick(screen.printer_test, LEFT)  # saved, then tried
        qtbot.waitUntil(lambda: screen.banner.text() == "Sending the test page to the printer…")
        assert not screen.printer_test.isEnabled()
        qtbot.mouseClick(screen.printer_save, LEFT)
        assert not screen.printer_save.isEnabled()  # the system is asked about the address
        qtbot.waitUntil(lambda: screen.printer_save.isEnabled())
        assert screen.banner.text() == "Saved."
        assert not screen.printer_test.isEnabled()  # the first page is not told about yet
    finally:
        reader.start()  # the printer reads: the page comes out
    # a device file is never asked for its paper: the seller watches the roll
    printed = f'{tr("en", "ui.printer.test_printed")} {tr("en", "ui.printer.paper_unwatched")}'
    qtbot.waitUntil(lambda: screen.banner.text() == printed)
    assert screen.printer_test.isEnabled()
    reader.join(5)
    assert len(received) == 1 and len(decode(received[0], 384)) == 1


def device_refused(tmp_path: Path) -> str:
    """A device file this user may not write to, as the system refuses it (a printer's
    /dev/usb/lp0 on a laptop whose user is not in the group lp)."""
    if os.geteuid() != 0:
        device = tmp_path / "lp0"
        device.touch()
        device.chmod(0o444)
        return str(device)
    device = "/sys/kernel/osrelease"  # refused to root too
    try:
        with open(device, "wb"):
            pass
    except PermissionError:
        return device
    pytest.skip("no device file refuses this user here")


def test_a_printer_this_user_may_not_use_is_told_so_not_as_switched_off(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    device = device_refused(tmp_path)
    window = make_window(size=(1024, 600))
    window.printer.start()
    screen = printer_tab(window)
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "file", device)
    qtbot.mouseClick(screen.printer_test, LEFT)
    qtbot.waitUntil(lambda: screen.banner.property("role") == "alert")
    assert screen.banner.text() == tr("fr", "printing.test_error.no_access", address=device)
    assert "le groupe «\u00a0lp\u00a0»" in screen.banner.text()
    assert "ne répond pas" not in screen.banner.text()
    assert window.printer_status.text() == tr("fr", "ui.status.printer",
                                              state=tr("fr", "ui.printer.cause_no_access"))
    assert window.printer_status.text().endswith("accès refusé")
    # a sale meanwhile: its receipt waits, and the seller reads why
    sell_cash(qtbot, window)
    qtbot.waitUntil(lambda: window.printer_bar.isVisible())
    assert window.printer.detail == tr("fr", "printing.error.no_access", address=device)
    assert jobs(window) == [("cancelled", False), ("queued", False)]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_failed_test_page_shows_in_the_status_bar_until_a_receipt_prints(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    printer = FakePrinter("stall")  # it takes the connection, then nothing: it hangs
    window = make_window(lang=lang)
    use_printer(window, printer.port)
    window.printer.start()
    screen = printer_tab(window)
    ready = tr(lang, "ui.status.printer", state=tr(lang, "ui.printer.ready"))
    assert window.printer_status.text() == ready
    qtbot.mouseClick(screen.printer_test, LEFT)
    message = tr(lang, "printing.test_error.offline")
    qtbot.waitUntil(lambda: screen.banner.text() == message)
    status = window.printer_status
    words = tr(lang, "ui.status.printer", state=tr(lang, "ui.printer.cause_offline"))
    assert status.text() == words and status.property("role") == "bad"
    assert status.toolTip() == f"{words} — {message}"  # what to do, whole
    assert jobs(window) == [("cancelled", False)]  # a test page never waits
    window.show_screen("sale")  # still said there, and not again above the sale
    assert status.isVisible() and status.text() == words
    assert window.sale.banner.isHidden() and not window.printer_bar.isVisible()
    # the printer is back: the next receipt prints, and the status bar says so
    printer.mode = "accept"
    sell_cash(qtbot, window)
    qtbot.waitUntil(lambda: jobs(window) == [("cancelled", False), ("printed", False)])
    qtbot.waitUntil(lambda: window.printer.state == "ready")
    printer.close()
    assert status.text() == ready and status.property("role") == ""
    assert status.toolTip() == "" and len(printer.jobs) == 1


def test_with_no_printer_the_receipts_waiting_are_kept_and_no_retry_is_offered(
    qtbot: Any, make_window: Any
) -> None:
    off = FakePrinter()
    off.close()
    window = make_window()
    use_printer(window, off.port)
    window.printer.start()
    sell_cash(qtbot, window)
    bar = window.printer_bar
    qtbot.waitUntil(lambda: bar.retry.isVisible() and window.printer.state == "error")
    screen = printer_tab(window)
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("none"))
    qtbot.mouseClick(screen.printer_save, LEFT)
    window.show_screen("sale")
    assert window.printer_status.text() == "Imprimante : aperçu à l'écran"
    text = "1 ticket non imprimé : choisissez une imprimante dans Réglages (F6)"
    assert bar.isVisible() and bar.waiting.isVisible() and bar.waiting.text() == text
    assert not bar.retry.isVisible()  # nothing it could print on: Ctrl+P does nothing either
    assert bar.waiting.toolTip() == f"{text}\n{tr('fr', 'ui.printer.waiting_none_tip')}"
    assert jobs(window) == [("queued", False)]  # kept, never lost
    good = FakePrinter()
    screen = printer_tab(window)
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "network",
                 f"127.0.0.1:{good.port}")  # fmt: skip
    qtbot.mouseClick(screen.printer_save, LEFT)
    window.show_screen("sale")
    assert bar.retry.isVisible() and bar.waiting.text() == "1 ticket en attente d'impression"
    qtbot.mouseClick(bar.retry, LEFT)
    qtbot.waitUntil(lambda: jobs(window) == [("printed", False)] and not bar.isVisible())
    good.close()
    assert len(good.jobs) == 1


@pytest.mark.parametrize("answer", ["print them all", "don't print them", "cancel"])
def test_the_printer_back_after_a_while_asks_before_printing_every_waiting_receipt(
    qtbot: Any, make_window: Any, answer: str
) -> None:
    """Three customers served while the printer was off have gone: "Retry printing" asks
    first, and the seller may print them all, none (each can be printed again from today's
    sales), or neither yet."""
    refused = FakePrinter()
    port = refused.port
    refused.close()  # nothing listens there: the printer is off
    window = make_window()
    use_printer(window, port)
    window.printer.start()
    bar = window.printer_bar
    for _ in range(3):
        sell_cash_again(qtbot, window)
    qtbot.waitUntil(lambda: bar.isVisible() and window.printer.waiting == 3)
    assert jobs(window) == [("queued", False)] * 3
    good = FakePrinter()
    use_printer(window, good.port)
    asked: list[str] = []

    def reply(dialog: Any) -> None:
        asked.append(dialog.findChild(QLabel, "printerAskText").text())
        if answer == "print them all":
            qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the default
        elif answer == "don't print them":
            qtbot.mouseClick(dialog.findChild(QPushButton, "printerAskForget"), LEFT)
        else:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    on_modal("printerAsk", reply)
    qtbot.mouseClick(bar.retry, LEFT)
    [question] = asked
    assert question.startswith("3 tickets attendent l'imprimante, le plus ancien depuis ")
    assert "réimprimé depuis Ventes du jour (F2)" in question
    if answer == "print them all":
        qtbot.waitUntil(lambda: jobs(window) == [("printed", False)] * 3 and not bar.isVisible())
        good.close()
        assert len(good.jobs) == 3
        return
    if answer == "cancel":  # nothing done: they still wait for "Retry printing"
        assert window.printer.worker.run_once() == 0
        assert jobs(window) == [("queued", False)] * 3 and bar.isVisible()
    else:  # never printed, not even by a retry
        assert window.printer.worker.run_once(include_old=True) == 0
        assert jobs(window) == [("cancelled", False)] * 3 and not bar.isVisible()
        assert window.printer.waiting == 0
    good.close()
    assert good.jobs == []
    with window.ctx.read() as s:
        assert len(list(s.scalars(select(Sale)))) == 3  # the sales are as they were


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_serial_printer_that_answers_its_test_page_is_asked_for_paper_until_replaced(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    printer = FakeSerialPrinter()
    other = tmp_path / "ttyUSB1"
    other.touch()
    monkeypatch.setattr(escpos_out, "list_serial_ports", lambda: [printer.path])
    window = make_window(lang=lang)
    window.printer.start()
    screen = printer_tab(window)

    def check_status() -> object:
        with window.ctx.read() as s:
            return settings.get(s, settings.PRINTER).get("check_status")

    try:
        fill_printer(qtbot, screen.printer_kind, screen.printer_address, "serial", printer.path)
        qtbot.mouseClick(screen.printer_test, LEFT)  # saved, then tried
        told = f"{tr(lang, 'ui.printer.test_printed')} {tr(lang, 'ui.printer.test_asks_paper')}"
        qtbot.waitUntil(lambda: screen.banner.text() == told)
        assert check_status() is True
        # another paper width, the same printer: still asked
        screen.paper.setCurrentIndex(screen.paper.findData(576))
        qtbot.mouseClick(screen.printer_save, LEFT)
        qtbot.waitUntil(lambda: screen.banner.text() == tr(lang, "ui.saved"))
        assert check_status() is True
    finally:
        printer.close()
    assert len(decode(printer.received, 384)) == 1
    # another port: another printer, not known to answer
    fill_printer(qtbot, screen.printer_kind, screen.printer_address, "serial", str(other))
    qtbot.mouseClick(screen.printer_save, LEFT)
    qtbot.waitUntil(lambda: check_status() is None)
    with window.ctx.read() as s:
        saved = escpos_out.PrinterSettings.load(s)
    assert (saved.serial_port, saved.width_dots) == (str(other), 576)


@pytest.mark.parametrize(("connection", "text", "kept"), [
    ("usb", "0416:5011", True), ("usb", "0416:5012", False), ("network", "10.0.0.5", False),
])  # fmt: skip
def test_another_connection_or_address_forgets_whether_the_printer_answers(
    connection: str, text: str, kept: bool
) -> None:
    old = {"connection": "usb", "usb": "0416:5011", "width_dots": 384, "check_status": True}
    config = make_config(old, connection, text, 576)
    assert config["check_status"] is (True if kept else None)
    unchanged = make_config({**old, "check_status": False}, "usb", "0416:5011", 384)
    assert unchanged["check_status"] is False
