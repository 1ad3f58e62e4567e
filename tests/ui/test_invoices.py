"""The invoice of a sale from today's tickets (F2): the dialog asks the customer, refuses
bad input with nothing written, makes the invoice once and gives it again as a duplicate;
the refund of an invoiced sale gets its credit note, and one recorded before credit notes
were made gets it when asked; the year's invoices and credit notes are listed, searched and
given again, as receipts or A4 pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from pos.money import format_money
from tests.ui.conftest import MANAGER_PIN, journal_kinds, type_pin, type_text
from tests.ui.test_day_and_refunds import ring
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton


def cut_labels(dialog: Any) -> list[str]:
    """The dialog's wrapped texts shown shorter than they need (their last line cut)."""
    return [w.objectName() for w in dialog.findChildren(QLabel)
            if w.isVisible() and w.wordWrap() and w.height() < w.heightForWidth(w.width())]


def test_an_invoice_is_made_once_then_printed_again_as_a_duplicate(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    ring(qtbot, window, ["HNY-THY", "SAV-BLD"], (20000,))
    window.show_screen("sales")
    screen = window.sales
    qtbot.waitUntil(lambda: screen.table.rowCount() == 1)
    screen.select_row(0)
    assert screen.invoice_btn.text() == "Facture…" and screen.invoice_btn.isEnabled()
    label = f"T01-F{dt.date.today().year}-00001"
    refused: list[str] = []
    shown: list[Any] = []

    def fill(dialog: Any) -> None:
        name, ice = dialog.fields["name"], dialog.fields["ice"]
        assert dialog.windowTitle() == "Facture du ticket T01-000001"
        qtbot.mouseClick(dialog.ok, LEFT)  # no name
        refused.append(dialog.banner.text())
        assert dialog.isVisible() and name.property("wrong")
        type_text(qtbot, name, "Hôtel Zalagh")
        type_text(qtbot, ice, "12345")
        qtbot.mouseClick(dialog.ok, LEFT)  # an ICE of 5 digits
        refused.append(dialog.banner.text())
        assert dialog.isVisible() and ice.property("wrong") and not name.property("wrong")
        assert cut_labels(dialog) == []  # the message took room of its own, not the note's
        assert journal_kinds(window) == ["day_open", "sale"]  # nothing written
        type_text(qtbot, ice, "٠٠١٢٣٤٥٦٧٠٠٠٠٨٩")  # replaces the wrong one, selected
        type_text(qtbot, dialog.fields["address"], "Route d'Immouzzer, Fès")
        on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))  # no printer
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "invoiceDialog", fill)
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert refused == ["Le nom du client est obligatoire sur une facture.",
                       "Un ICE compte 15 chiffres ; les espaces ne comptent pas."]
    first = shown[0]
    assert first.kind == "invoice" and first.metadata["label"] == label
    text = first.plain_text()
    assert "ICE\t001234567000089" in text and "Hôtel Zalagh" in text
    assert "DUPLICATA" not in text
    assert screen.banner.text() == f"Facture {label} établie."
    assert f"Facture {label} : Hôtel Zalagh" in screen.detail.text()
    assert journal_kinds(window) == ["day_open", "sale", "invoice"]

    # asked again: no dialog, the same invoice as a duplicate
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert shown[1].metadata["label"] == label and shown[1].metadata["duplicate"]
    assert "DUPLICATA" in shown[1].plain_text()
    assert screen.banner.text() == f"Facture {label} réimprimée en duplicata."
    assert journal_kinds(window) == ["day_open", "sale", "invoice"]


def test_an_arabic_seller_is_told_in_arabic_and_a_void_gets_no_invoice(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="ar")
    ring(qtbot, window, ["SAV-BLD"], (10000,))
    assert journal_kinds(window) == ["day_open", "sale"]
    window.show_screen("sales")
    screen = window.sales
    qtbot.waitUntil(lambda: screen.table.rowCount() == 1)
    screen.select_row(0)
    assert screen.invoice_btn.text() == "فاتورة…"
    said: list[str] = []

    def empty(dialog: Any) -> None:
        qtbot.mouseClick(dialog.ok, LEFT)
        said.append(dialog.banner.text())
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "invoiceDialog", empty)
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    assert said == ["اسم الزبون إلزامي في الفاتورة."]
    assert journal_kinds(window) == ["day_open", "sale"]

    with window.ctx.write() as s:  # the sale voided: neither it nor its void is invoiced
        from pos import refunds, users

        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        refunds.void(s, screen.selected().id, reason="خطأ", manager=manager)
    screen.refresh()
    assert screen.table.rowCount() == 2
    for row in range(2):
        screen.select_row(row)
        assert screen.selected() is not None and screen.reprint_btn.isEnabled()
        assert not screen.invoice_btn.isEnabled()


def test_the_refund_of_an_invoiced_sale_gets_its_credit_note(qtbot: Any, make_window: Any
                                                             ) -> None:
    from pos import invoices

    window = make_window()
    ring(qtbot, window, ["HNY-THY", "SAV-BLD", "SAV-BLD"], (20000, 5000))
    window.show_screen("sales")
    screen = window.sales
    qtbot.waitUntil(lambda: screen.table.rowCount() == 1)
    screen.select_row(0)
    with window.ctx.write() as s:
        invoice, _ = invoices.issue(s, screen.selected().id,
                                    invoices.Customer("Hôtel Zalagh", "001234567000089"))
    year = dt.date.today().year
    label = f"T01-A{year}-00001"
    shown: list[Any] = []

    def refund(dialog: Any) -> None:
        soap_row = next(i for i, ln in enumerate(dialog.sale.lines) if ln.sku == "SAV-BLD")
        qtbot.keyClicks(dialog.findChild(type(dialog.reason.lineEdit()),
                                         f"refundQty_{soap_row}"), "1")
        dialog.reason.setCurrentIndex(0)
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "refundDialog", refund)
    # no printer: the credit note is shown, to be saved for the customer
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.refund_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 1)
    note = shown[0]
    assert note.kind == "credit_note" and note.metadata["label"] == label
    text = note.plain_text()
    for said in ("FACTURE D'AVOIR\nإشعار دائن", invoice.label, "Hôtel Zalagh",
                 format_money(-3000, "fr"), "trente dirhams", "ثلاثون درهما"):
        assert said in text, said
    assert "DUPLICATA" not in text
    assert screen.banner.text() == (f"Remboursement enregistré. Avoir {label} établi pour "
                                    "Hôtel Zalagh.")
    assert journal_kinds(window) == ["day_open", "sale", "invoice", "refund", "credit_note"]

    # the refund's detail names its credit note; "Invoice…" gives it again
    qtbot.waitUntil(lambda: screen.table.rowCount() == 2)
    screen.select_number(2)
    assert screen.selected().kind == "refund"
    assert f"Avoir {label}\u00a0: Hôtel Zalagh" in screen.detail.text()
    assert screen.invoice_btn.isEnabled()
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert shown[1].kind == "credit_note" and "DUPLICATA" in shown[1].plain_text()
    assert screen.banner.text() == f"Avoir {label} réimprimé en duplicata."

    # the sale's invoice, asked again, is a duplicate that lists the credit note
    screen.select_number(1)
    assert f"Avoirs\u00a0: {label}" in screen.detail.text()
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 3)
    assert shown[2].kind == "invoice" and "DUPLICATA" in shown[2].plain_text()
    assert f"{label} · " in shown[2].plain_text()
    assert journal_kinds(window) == ["day_open", "sale", "invoice", "refund", "credit_note"]


def _invoiced_and_refunded(window: Any, *, with_credit_note: bool = True) -> list[str]:
    """Two sales, each invoiced, and a refund of one soap of the first (with its credit
    note, or recorded as it was before credit notes were made); the two sales' ids."""
    from pos import invoices, refunds, users
    from pos.models import Sale

    ring(window.qtbot, window, ["HNY-THY", "SAV-BLD", "SAV-BLD"], (20000, 5000))
    ring(window.qtbot, window, ["SAV-BLD"], (5000,))
    with window.ctx.write() as s:
        sales = [s.get_one(Sale, sale_id).id for sale_id in
                 s.scalars(select(Sale.id).order_by(Sale.number))]
        invoices.issue(s, sales[0], invoices.Customer("Hôtel Zalagh", "001234567000089"))
        invoices.issue(s, sales[1], invoices.Customer("Riad Fès"))
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        soap = next(ln for ln in s.get_one(Sale, sales[0]).lines if ln.sku == "SAV-BLD")
        credit = invoices.credit
        if not with_credit_note:
            invoices.credit = lambda *_a, **_k: None  # type: ignore[assignment]
        try:
            refunds.refund(s, sales[0], quantities={soap.id: 1000}, reason="cassé",
                           manager=manager)
        finally:
            invoices.credit = credit  # type: ignore[assignment]
    return sales


def test_the_years_invoices_and_credit_notes_are_listed_found_and_given_again(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    window = make_window(size=(1024, 600))
    window.qtbot = qtbot
    _invoiced_and_refunded(window)
    year = dt.date.today().year
    window.show_screen("sales")
    screen = window.sales
    assert screen.invoices_btn.text() == "Factures…" and screen.invoices_btn.isVisible()
    seen: dict[str, Any] = {}

    def rows(dialog: Any) -> list[list[str]]:
        table = dialog.table
        return [[table.item(r, c).text() for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    def look(dialog: Any) -> None:
        seen["title"] = dialog.windowTitle()
        seen["all"] = rows(dialog)
        type_text(qtbot, dialog.search, "riad")
        seen["riad"] = rows(dialog)
        dialog.search.clear()
        type_text(qtbot, dialog.search, "T01-000001")  # the first sale's ticket
        seen["ticket"] = rows(dialog)
        dialog.search.clear()
        type_text(qtbot, dialog.search, "nobody")
        seen["nothing"] = (dialog.table.rowCount(), dialog.empty.text(),
                           dialog.show_btn.isEnabled())
        dialog.search.clear()
        assert not dialog.print_btn.isEnabled()  # no printer
        seen["shown"] = []

        def save(preview: Any) -> None:
            seen["shown"].append(preview.document)
            preview.a4 = True
            seen["a4"] = preview.save(tmp_path / "avoir", "pdf")
            preview.a4 = False
            seen["narrow"] = preview.save(tmp_path / "avoir-ticket.pdf", "pdf")

        on_modal(qtbot, "receiptDialog", save)
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # the newest: the credit note
        qtbot.waitUntil(lambda: len(seen["shown"]) == 1)
        dialog.accept()

    on_modal(qtbot, "invoicesDialog", look)
    qtbot.mouseClick(screen.invoices_btn, LEFT)
    qtbot.waitUntil(lambda: "shown" in seen and len(seen["shown"]) == 1)
    assert seen["title"] == f"Factures et avoirs {year}"
    today = dt.date.today().strftime("%d/%m/%Y")
    assert seen["all"] == [
        [f"T01-A{year}-00001", today, "Hôtel Zalagh", "001234567000089",
         format_money(-3000, "fr"), "T01-000003"],
        [f"T01-F{year}-00002", today, "Riad Fès", "", format_money(3000, "fr"), "T01-000002"],
        [f"T01-F{year}-00001", today, "Hôtel Zalagh", "001234567000089",
         format_money(21000, "fr"), "T01-000001"],
    ]
    assert [r[0] for r in seen["riad"]] == [f"T01-F{year}-00002"]
    assert [r[0] for r in seen["ticket"]] == [f"T01-F{year}-00001"]
    assert seen["nothing"] == (0, "Aucune facture ni aucun avoir ne correspond à la recherche.",
                               False)
    document = seen["shown"][0]
    assert document.kind == "credit_note" and document.metadata["duplicate"]
    assert seen["a4"] == tmp_path / "avoir.pdf"
    assert _page_size_mm(seen["a4"]) == (210, 297)
    assert _page_size_mm(seen["narrow"])[0] < 100  # as wide as the receipt paper
    assert journal_kinds(window) == ["day_open", "sale", "sale", "invoice", "invoice",
                                     "refund", "credit_note"]


def _page_size_mm(pdf: Path) -> tuple[int, int]:
    """The size of the first page of ``pdf`` (its MediaBox), in whole millimetres."""
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert box is not None
    return (round(float(box[1]) * 25.4 / 72), round(float(box[2]) * 25.4 / 72))


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_list_of_invoices_fits_a_small_screen(qtbot: Any, make_window: Any,
                                                  tmp_path: Path, lang: str) -> None:
    window = make_window(lang=lang, size=(1024, 600))
    window.qtbot = qtbot
    _invoiced_and_refunded(window)
    window.show_screen("sales")
    screen = window.sales
    assert screen.invoices_btn.isVisible()
    assert screen.invoices_btn.width() >= screen.invoices_btn.sizeHint().width()
    screen.grab().save(str(tmp_path / f"sales-{lang}.png"))
    looked: list[Any] = []

    def look(dialog: Any) -> None:
        qtbot.waitUntil(lambda: dialog.table.viewport().width() > 0)
        table = dialog.table
        looked.append((dialog.frameGeometry().height() <= 600, dialog.width() <= 1024,
                       table.horizontalScrollBar().maximum(), table.rowCount(),
                       dialog.selected() is dialog.shown[0] and dialog.show_btn.isEnabled(),
                       all(b.width() >= b.sizeHint().width()
                           for b in (dialog.show_btn, dialog.print_btn))))
        dialog.grab().save(str(tmp_path / f"invoices-{lang}.png"))
        dialog.accept()

    on_modal(qtbot, "invoicesDialog", look)
    qtbot.mouseClick(screen.invoices_btn, LEFT)
    qtbot.waitUntil(lambda: len(looked) == 1)
    assert looked == [(True, True, 0, 3, True, True)]


def test_a_refund_made_before_credit_notes_gets_its_credit_note_once(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    window.qtbot = qtbot
    _invoiced_and_refunded(window, with_credit_note=False)
    kinds = ["day_open", "sale", "sale", "invoice", "invoice", "refund"]
    assert journal_kinds(window) == kinds
    window.show_screen("sales")
    screen = window.sales
    qtbot.waitUntil(lambda: screen.table.rowCount() == 3)
    screen.select_number(3)
    assert screen.selected().kind == "refund" and screen.invoice_btn.isEnabled()
    year = dt.date.today().year
    shown: list[Any] = []
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 1)
    note = shown[0]
    assert note.kind == "credit_note" and not note.metadata["duplicate"]
    assert note.metadata["label"] == f"T01-A{year}-00001"
    assert "Ticket de remboursement T01-000003 du " in note.plain_text()
    assert screen.banner.text() == (
        f"Avoir T01-A{year}-00001 établi maintenant pour Hôtel Zalagh\u00a0: le remboursement "
        "date d'avant les avoirs.")
    assert journal_kinds(window) == [*kinds, "credit_note"]
    assert f"Avoir T01-A{year}-00001\u00a0: Hôtel Zalagh" in screen.detail.text()
    # asked again: the same credit note, as a duplicate, never a second one
    on_modal(qtbot, "receiptDialog", lambda d: shown.append(d.document))
    qtbot.mouseClick(screen.invoice_btn, LEFT)
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert shown[1].metadata["duplicate"] and shown[1].metadata["label"] == note.metadata["label"]
    assert journal_kinds(window) == [*kinds, "credit_note"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "Impossible d'enregistrer {path}\u00a0: le disque ou la clé USB est plein (No space "
           "left on device)"),
    ("ar", "تعذر حفظ الملف {path}: القرص أو ذاكرة USB ممتلئة (No space left on device)"),
])
def test_an_invoice_saved_onto_a_full_stick_leaves_no_part_of_a_file(
    qtbot: Any, make_window: Any, tmp_path: Path, lang: str, said: str
) -> None:
    """"Save as PDF" (an A4 page) onto a full USB stick: the dialog says so in the seller's
    language, and no part of a PDF is left on the stick for the customer to take; the
    invoice stays on the screen, to be saved elsewhere."""
    from pos import invoices, receipts
    from tests.helpers import ring as ring_in
    from ui.invoice import DocumentDialog

    window = make_window(lang=lang)
    sale_id = ring_in(window.ctx.store, [("SAV-BLD", 1000)], tendered=10000).id
    with window.ctx.write() as s:
        invoices.issue(s, sale_id, invoices.check_customer("Riad Fès", "", ""))
    with window.ctx.read() as s:
        document = receipts.load_invoice(s, sale_id)
    dialog = DocumentDialog(window.ctx, window, document, None)
    qtbot.addWidget(dialog)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "facture.pdf.partial").symlink_to("/dev/full")  # whatever is written: full
    assert dialog.save(stick / "facture.pdf", "pdf") is None
    assert dialog.banner.property("role") == "alert"
    assert dialog.banner.text() == said.format(path=stick / "facture.pdf")
    assert list(stick.iterdir()) == []
    assert dialog.save(tmp_path / "facture.pdf", "pdf") == tmp_path / "facture.pdf"
    assert _page_size_mm(tmp_path / "facture.pdf") == (210, 297)
