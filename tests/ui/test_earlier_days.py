"""Tickets of earlier business days: a customer who comes back the next day of the market
is found by ticket number or through the day selector and refunded on today's day."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from pos import day, users
from pos.journal import ticket_number
from pos.models import BusinessDay, PrintJob, Sale
from tests.ui.conftest import journal_kinds
from tests.ui.test_day_and_refunds import refund_all, ring

LEFT = Qt.MouseButton.LeftButton


def next_market_day(window: Any) -> tuple[int, int]:
    """Close the open day (cash counted as expected) and open the next; (old, new) ids."""
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        expected = day.day_report_expected(s)
        old = day.close_day(s, day.count_for(expected), manager=manager).id
        new = day.open_day(s, 50000, user=manager).id
    window.ctx.day_changed.emit()
    return old, new


def column(screen: Any, col: int) -> list[str]:
    return [screen.table.item(r, col).text() for r in range(screen.table.rowCount())]


def test_refund_yesterdays_ticket_found_by_its_number(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HAT-DM"], (10000,))  # ticket 1, 55,00 DH
    first, second = next_market_day(window)
    window.show_screen("sales")
    screen = window.sales
    assert screen.table.rowCount() == 0  # nothing sold today yet
    assert [screen.day_box.itemData(i) for i in range(screen.day_box.count())] == [second,
                                                                                 first]
    qtbot.keyClicks(screen.search, "12")
    assert screen.table.rowCount() == 0  # no ticket 12 on any day
    screen.search.clear()
    qtbot.keyClicks(screen.search, "1")
    assert column(screen, 0) == [screen.label_of(1)]
    assert screen.selected() is not None and screen.selected().number == 1
    assert not screen.void_btn.isEnabled()  # only the open day's tickets can be voided
    assert "rembours" in screen.hint.text().lower()
    refund_all(qtbot, screen)
    with window.ctx.read() as s:
        rows = list(s.scalars(select(Sale).order_by(Sale.number)))
    assert [(r.number, r.kind, r.total, r.day_id) for r in rows] == [
        (1, "sale", 5500, first), (2, "refund", -5500, second)]
    assert rows[1].reverses == rows[0].id
    screen.search.clear()
    qtbot.keyClicks(screen.search, screen.label_of(1))
    screen.select_number(1)
    assert column(screen, 2) == ["Vente remboursée"]
    assert f"Remboursée : {screen.label_of(2)}" in screen.detail.text()
    screen.search.clear()
    assert column(screen, 0) == [screen.label_of(2)]  # today's list: the refund
    assert journal_kinds(window) == ["day_open", "sale", "day_close", "day_open", "refund"]


def test_refund_from_the_day_selector(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HAT-DM"], (10000,))  # ticket 1
    ring(qtbot, window, ["BSK-DM"], (10000,))  # ticket 2
    first, second = next_market_day(window)
    ring(qtbot, window, ["MNT-BND"], (500,))  # ticket 3, today
    window.show_screen("sales")
    screen = window.sales
    assert column(screen, 0) == [screen.label_of(3)]
    assert "ouverte" in screen.day_box.currentText()
    assert screen.title.text() == "Ventes du jour"
    screen.show_day(first)
    assert "Z 1" in screen.day_box.currentText()
    with window.ctx.read() as s:
        first_date = s.get_one(BusinessDay, first).date.strftime("%d/%m/%Y")
    assert screen.title.text() == f"Tickets du {first_date}"
    assert column(screen, 0) == [screen.label_of(2), screen.label_of(1)]
    screen.select_number(1)
    assert screen.refund_btn.isEnabled() and not screen.void_btn.isEnabled()
    qtbot.mouseClick(screen.void_btn, LEFT)  # disabled: nothing happens
    refund_all(qtbot, screen)
    assert screen.day_box.currentData() == first  # the day chosen stays shown
    assert column(screen, 2) == ["Vente", "Vente remboursée"]
    with window.ctx.read() as s:
        refund = s.scalars(select(Sale).where(Sale.kind == "refund")).one()
        today = s.scalars(select(BusinessDay).where(BusinessDay.closed_at.is_(None))).one()
    assert refund.day_id == today.id == second and refund.total == -5500
    screen.show_day(second)
    assert screen.title.text() == "Ventes du jour"
    assert column(screen, 0) == [screen.label_of(4), screen.label_of(3)]


def test_void_is_kept_for_the_open_day(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HAT-DM"], (10000,))
    next_market_day(window)
    window.show_screen("sales")
    screen = window.sales
    qtbot.keyClicks(screen.search, "1")
    screen.void()  # called directly, as a shortcut would: a clear message, nothing written
    assert "journée ouverte" in screen.banner.text()
    assert journal_kinds(window) == ["day_open", "sale", "day_close", "day_open"]


@pytest.mark.parametrize(("text", "number"), [
    ("12", 12), ("000012", 12), ("T01-000012", 12), ("t01-12", 12), ("١٢", 12),
    (" T01-000012 ", 12), ("T09-000012", None), ("12,50", None), ("miel", None), ("0", None),
    ("", None),
])
def test_ticket_number(text: str, number: int | None) -> None:
    assert ticket_number(text, "T01") == number


def test_ticket_number_marked_by_a_restore() -> None:
    marks = ((10, 2),)  # from ticket 10 on, the labels carry restore 2
    assert ticket_number("T01-R2-000012", "T01", marks) == 12
    assert ticket_number("t01-r2-12", "T01", marks) == 12
    assert ticket_number("T01-000012", "T01", marks) == 12
    assert ticket_number("T01-R1-000012", "T01", marks) is None  # a ticket of another journal
    assert ticket_number("T01-R2-000009", "T01", marks) is None


def test_yesterdays_z_is_shown_and_a_copy_printed_on_asking(qtbot: Any,
                                                            make_window: Any) -> None:
    """The next morning, "Last Z report" shows yesterday's Z, marked DUPLICATA as any copy
    is; a copy goes to the printer only on "Print a copy"."""
    from pos.printing.escpos_out import PrinterSettings
    from pos.printing.queue import build_document
    from tests.pos.printing.conftest import FakePrinter
    from tests.ui.conftest import on_modal
    from tests.ui.test_printing import use_printer

    window = make_window()
    printer = FakePrinter()
    use_printer(window, printer.port)
    yesterday, _today = next_market_day(window)
    window.show_screen("day")
    screen = window.day
    shown: list[str] = []
    queued: list[int] = []

    def look_then_print(dialog: Any) -> None:
        try:
            shown.append(dialog.document.plain_text())
            queued.append(len(z_jobs(window)))  # the report shown: nothing printed yet
            qtbot.mouseClick(dialog.findChild(QPushButton, "receiptPrintCopy"), LEFT)
        finally:
            dialog.accept()

    on_modal("receiptDialog", look_then_print)
    qtbot.mouseClick(screen.last_z_btn, LEFT)
    printer.close()
    assert "RAPPORT Z N° 1" in shown[0] and "DUPLICATA" in shown[0]
    assert queued == [0]
    with window.ctx.read() as s:
        job = s.scalars(select(PrintJob).order_by(PrintJob.id.desc())).first()
        assert job is not None and (job.kind, job.ref, job.duplicate) == (
            "z", str(yesterday), True)
        printed = build_document(s, job, PrinterSettings.load(s)).plain_text()
    assert "RAPPORT Z N° 1" in printed and "DUPLICATA" in printed


def z_jobs(window: Any) -> list[tuple[str, bool]]:
    with window.ctx.read() as s:
        return [(job.ref, job.duplicate) for job in s.scalars(
            select(PrintJob).where(PrintJob.kind == "z").order_by(PrintJob.id))]


def test_last_z_pressed_again_with_the_printer_off_queues_no_second_copy(
        qtbot: Any, make_window: Any) -> None:
    """The printer is off: the seller prints a copy of yesterday's Z, sees nothing come out
    and asks again, twice. One copy waits for the printer; the screen says so."""
    from tests.pos.printing.conftest import FakePrinter
    from tests.ui.conftest import on_modal
    from tests.ui.test_printing import use_printer

    window = make_window()
    printer = FakePrinter()
    printer.close()  # nothing answers on its port
    use_printer(window, printer.port)
    yesterday, _today = next_market_day(window)
    window.show_screen("day")
    screen = window.day
    seen: list[tuple[bool, str]] = []

    def print_copy(dialog: Any) -> None:
        copy = dialog.findChild(QPushButton, "receiptPrintCopy")
        if copy is not None and copy.isEnabled():
            qtbot.mouseClick(copy, LEFT)
        seen.append((copy is not None and copy.isEnabled(), dialog.banner.text()))
        dialog.accept()

    for _press in range(3):
        on_modal("receiptDialog", print_copy)
        qtbot.mouseClick(screen.last_z_btn, LEFT)
    assert z_jobs(window) == [(str(yesterday), True)]
    assert seen[0] == (False, "Une copie de ce rapport part à l'imprimante.")
    for enabled, text in seen[1:]:
        assert not enabled and text.startswith("Ce rapport attend déjà l'imprimante")


def test_last_z_waiting_since_the_close_gets_no_copy(qtbot: Any, make_window: Any) -> None:
    """The printer was off at the close: the Z waits for it. "Last Z report" shows it and
    adds no copy that would print after it."""
    from tests.pos.printing.conftest import FakePrinter
    from tests.ui.conftest import on_modal
    from tests.ui.test_printing import use_printer

    window = make_window()
    printer = FakePrinter()
    printer.close()
    use_printer(window, printer.port)
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        closed = day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager)
        window.printer.enqueue(s, "z", closed.id)
    window.ctx.day_changed.emit()
    window.show_screen("day")
    copies: list[bool | None] = []
    texts: list[str] = []

    def look(dialog: Any) -> None:
        copy = dialog.findChild(QPushButton, "receiptPrintCopy")
        copies.append(None if copy is None else copy.isEnabled())
        texts.append(dialog.banner.text())
        dialog.accept()

    on_modal("receiptDialog", look)
    qtbot.mouseClick(window.day.last_z_btn, LEFT)
    assert copies == [False] and texts[0].startswith("Ce rapport attend déjà l'imprimante")
    assert z_jobs(window) == [(str(closed.id), False)]
