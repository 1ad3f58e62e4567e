"""The cart from the keyboard: Del removes the selected line (the last one added) wherever
the focus is on the sale screen unless the search box holds text, and emptying a cart of
several lines is confirmed first, No by default."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_flow import journal_ok, sales
from tests.ui.test_sale_guards import on_modal, scan

LEFT = Qt.MouseButton.LeftButton
DEL = Qt.Key.Key_Delete
CTRL = Qt.KeyboardModifier.ControlModifier
RETURN = Qt.Key.Key_Return
ARGAN_CODE = "6111245780016"  # ARG-250


def skus(window: Any) -> list[str]:
    return [ln.sku for ln in window.sale.cart.lines]


def test_del_removes_the_last_line_added_with_the_focus_in_the_empty_search(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    assert sale.search.hasFocus()  # where the screen puts the focus when it opens
    scan(qtbot, sale.search, ARGAN_CODE)
    qtbot.keyClicks(sale.search, "THY-50")
    qtbot.keyClick(sale.search, RETURN)  # the search adds the product and empties itself
    assert skus(window) == ["ARG-250", "THY-50"]
    assert sale.search.hasFocus() and sale.search.text() == ""
    qtbot.keyClick(sale.search, DEL)
    assert skus(window) == ["ARG-250"]
    assert sale.total.text() == "120,00\u00a0DH"
    qtbot.keyClick(sale.search, DEL)
    assert sale.cart.is_empty and not sale.pay.isEnabled()
    qtbot.keyClick(sale.search, DEL)  # nothing left: nothing happens
    assert sale.cart.is_empty


def test_del_with_text_in_the_search_edits_the_text(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    sale.search.setFocus()
    qtbot.keyClicks(sale.search, "miel")
    qtbot.keyClick(sale.search, Qt.Key.Key_Home)
    qtbot.keyClick(sale.search, DEL)
    assert sale.search.text() == "iel"
    assert skus(window) == ["AML-250"]


def test_del_removes_the_line_chosen_in_the_cart(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    for sku in ("AML-250", "THY-50", "MNT-BND"):
        click_tile(qtbot, window, tile_row(window, sku))
    rect = sale.table.visualRect(sale.cart_model.index(0, 0))
    qtbot.mouseClick(sale.table.viewport(), LEFT, pos=rect.center())
    qtbot.keyClick(sale.table, DEL)
    assert skus(window) == ["THY-50", "MNT-BND"]
    sale.search.setFocus()  # the line after the removed one stays chosen
    qtbot.keyClick(sale.search, DEL)
    assert skus(window) == ["MNT-BND"]


def test_clearing_a_cart_of_several_lines_asks_no_by_default(qtbot: Any,
                                                             make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    asked: list[str] = []

    def press_enter(dialog: Any) -> None:
        asked.append(dialog.findChild(type(dialog.title), "clearConfirmText").text())
        qtbot.keyClick(dialog, RETURN)

    on_modal(qtbot, "clearConfirm", press_enter)
    qtbot.keyClick(sale.search, DEL, CTRL)
    assert asked == ["Retirer les 2 lignes du panier ?"]
    assert skus(window) == ["AML-250", "THY-50"]

    def scan_in(dialog: Any) -> None:  # a scanner's digits and Enter answer nothing
        asked.append("scanned")
        scan(qtbot, dialog.cancel, ARGAN_CODE)
        assert dialog.isVisible()
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "clearConfirm", scan_in)
    qtbot.mouseClick(sale.clear_btn, LEFT)
    assert asked[-1] == "scanned" and skus(window) == ["AML-250", "THY-50"]

    on_modal(qtbot, "clearConfirm", lambda dialog: qtbot.mouseClick(dialog.ok, LEFT))
    qtbot.mouseClick(sale.clear_btn, LEFT)
    assert sale.cart.is_empty and sale.total.text() == "0,00\u00a0DH"
    assert sales(window) == [] and journal_ok(window) == 1  # the day's opening only


def test_clearing_a_single_line_does_not_ask(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    asked: list[str] = []

    def not_asked() -> None:  # runs inside the question, if one were asked
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.objectName() == "clearConfirm":
            asked.append("asked")
            dialog.done(0)

    QTimer.singleShot(0, not_asked)  # no watcher left behind for the next tests' questions
    qtbot.mouseClick(sale.clear_btn, LEFT)
    assert sale.cart.is_empty and asked == []
