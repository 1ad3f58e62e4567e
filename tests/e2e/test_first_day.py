"""A stall's first day through the real app: the setup wizard, opening the day, sales by
tile, scanner and search, a split payment, a refund with the manager's PIN, the language
switched to Arabic and back, the day closed with a difference; then the journal verifies
and holds exactly what was done."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select, text

from pos.db import DB_FILENAME
from pos.journal import verify
from pos.models import BusinessDay, JournalEntry, Sale
from tests.ui.conftest import click_tile, on_modal, tile_row, type_pin
from ui.app import application, build
from ui.context import AppContext
from ui.main import main as souk_pos

LEFT = Qt.MouseButton.LeftButton
PIN = "2468"


def pay(qtbot: Any, notes: tuple[int, ...] = (), card: tuple[str, str] | None = None) -> None:
    def handle(dialog: Any) -> None:
        if card:
            qtbot.mouseClick(dialog.findChild(QPushButton, "payMethod_card"), LEFT)
            dialog.amount.setText(card[0])
            qtbot.keyClicks(dialog.reference, card[1])
            qtbot.mouseClick(dialog.ok, LEFT)
        for note in notes:
            qtbot.mouseClick(dialog.findChild(QPushButton, f"payNote_{note}"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("payDialog", handle)


def setup(qtbot: Any, data_dir: Path) -> Any:
    application()
    ctx = AppContext.open(data_dir, "fr")
    holder = build(ctx)
    qtbot.addWidget(holder)
    holder.show()
    wizard = holder.centralWidget()
    qtbot.mouseClick(wizard.next, LEFT)  # French
    qtbot.mouseClick(wizard.next, LEFT)  # no cooperative name yet
    assert wizard.banner.isVisible() and wizard.step == 1
    qtbot.keyClicks(wizard.name_fr, "Cooperative Amal")
    qtbot.keyClicks(wizard.ice, "001122334000055")
    qtbot.keyClicks(wizard.city, "Fes")
    qtbot.mouseClick(wizard.next, LEFT)
    qtbot.keyClicks(wizard.manager_name, "Khadija")
    qtbot.keyClicks(wizard.pin, PIN)
    qtbot.keyClicks(wizard.pin2, "2469")
    qtbot.mouseClick(wizard.next, LEFT)
    assert wizard.step == 2 and wizard.banner.isVisible()
    wizard.pin2.clear()
    qtbot.keyClicks(wizard.pin2, PIN)
    qtbot.mouseClick(wizard.next, LEFT)
    qtbot.mouseClick(wizard.next, LEFT)  # printer skipped
    assert wizard.demo.isChecked()
    qtbot.mouseClick(wizard.next, LEFT)  # finish
    window = holder.property("next")
    assert window is not None and window.isVisible()
    qtbot.addWidget(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_first_day_of_a_stall(qtbot: Any, tmp_path: Path) -> None:
    window = setup(qtbot, tmp_path)
    assert window.ctx.user.name == "Khadija"
    assert len(window.sale.products) >= 30
    with window.ctx.store.read() as s:  # the demo's first stocks, by the manager set up
        firsts = s.execute(text("SELECT DISTINCT u.name, m.done_from FROM stock_move m "
                                "LEFT JOIN user u ON u.id = m.user_id")).all()
    assert firsts == [("Khadija", "app")]
    assert window.sale.day_box.isVisible()

    def float_300(dialog: Any) -> None:
        dialog.field.setText("300")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("openDayDialog", float_300)
    qtbot.mouseClick(window.sale.open_day, LEFT)
    window.show_screen("sale")
    assert not window.sale.day_box.isVisible()

    # 1: tiles, cash with change (65 + 2 x 30 = 125, paid 200)
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    click_tile(qtbot, window, tile_row(window, "SAV-BLD"))
    click_tile(qtbot, window, tile_row(window, "SAV-BLD"))
    pay(qtbot, (20000,))
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert window.sale.last_change.text() == "Rendre la monnaie : 75,00\u00a0DH"

    # 2: scanner + search, split card/cash (120 + 35 = 155)
    window.sale.search.setFocus()
    qtbot.keyClicks(window.sale.search, "6111245780016")
    qtbot.keyClick(window.sale.search, Qt.Key.Key_Return)
    qtbot.keyClicks(window.sale.search, "safran 1")
    click_tile(qtbot, window, 0)
    pay(qtbot, (5000, 500), card=("100", "CB-1"))
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F12)

    # 3: in Arabic
    window.ctx.set_language("ar")
    assert QApplication.instance().layoutDirection() == Qt.LayoutDirection.RightToLeft
    click_tile(qtbot, window, tile_row(window, "MNT-BND"))
    pay(qtbot, (500,))
    qtbot.mouseClick(window.sale.pay, LEFT)
    window.ctx.set_language("fr")

    # refund sale 1 entirely
    window.show_screen("sales")
    window.sales.select_number(1)

    def refund(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)

    # close: expected 300 + 125 + 55 + 5 - 125 = 360; counted 350
    window.show_screen("day")
    assert window.day.expected == 36000
    window.day.counts[20000].setValue(1)
    window.day.counts[10000].setValue(1)
    window.day.counts[5000].setValue(1)
    assert window.day.difference.text() == "Il manque 10,00\u00a0DH"
    on_modal("closeDayConfirm", lambda confirm: (
        on_modal("pinDialog", lambda pin: (
            on_modal("receiptDialog", lambda d: d.accept()), type_pin(qtbot, pin, PIN))),
        qtbot.mouseClick(confirm.ok, LEFT)))
    qtbot.mouseClick(window.day.close_btn, LEFT)

    ctx = window.ctx
    with ctx.read() as s:
        kinds = list(s.scalars(select(JournalEntry.kind).order_by(JournalEntry.seq)))
        sales = [(x.kind, x.total) for x in s.scalars(select(Sale).order_by(Sale.number))]
        closed = s.scalars(select(BusinessDay)).one()
    assert kinds == ["day_open", "sale", "sale", "sale", "refund", "day_close"]
    assert sales == [("sale", 12500), ("sale", 15500), ("sale", 500), ("refund", -12500)]
    assert (closed.z_number, closed.expected, closed.counted) == (1, 36000, 35000)
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    try:
        assert verify(conn).ok
    finally:
        conn.close()
    window.close()
    ctx.store.close()
    assert souk_pos(["--data-dir", str(tmp_path), "verify"]) == 0
