"""The keyboard stays in the search box of the sale screen: after a tile tapped, the cart's
buttons pressed and a sale paid with the mouse, what the seller types next goes into the
search; the tiles (once reached by Tab) and the cart (once clicked) keep their arrow keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_flow import pay_cash, sales

LEFT = Qt.MouseButton.LeftButton


def type_where_the_focus_is(qtbot: Any, text: str) -> None:
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClicks(focus, text)


def test_typing_after_a_tap_goes_into_the_search(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    type_where_the_focus_is(qtbot, "miel")
    assert sale.search.text() == "miel"
    assert {p.sku for p in sale.model.products} == {"HNY-THY", "HNY-EUP", "HNY-ORG", "HNY-KG"}
    click_tile(qtbot, window, tile_row(window, "HNY-EUP"))  # a tile found by the search
    assert [ln.sku for ln in sale.cart.lines] == ["AML-250", "HNY-EUP"]
    assert QApplication.focusWidget() is sale.search


def test_the_cart_buttons_leave_the_keys_to_the_search(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "MNT-BND"))
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    for btn in (sale.plus, sale.plus, sale.minus, sale.remove_btn):
        qtbot.mouseClick(btn, LEFT)
        assert QApplication.focusWidget() is sale.search, btn.objectName()
    assert [(ln.sku, ln.quantity) for ln in sale.cart.lines] == [("MNT-BND", 1000)]
    type_where_the_focus_is(qtbot, "THY-50")
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert [ln.sku for ln in sale.cart.lines] == ["MNT-BND", "THY-50"]


def test_after_a_sale_paid_with_the_mouse_the_next_code_goes_into_the_search(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    pay_cash(qtbot, (10000,))
    qtbot.mouseClick(sale.pay, LEFT)
    assert len(sales(window)) == 1 and sale.cart.is_empty
    window.windowHandle().requestActivate()  # as the desktop does once the dialog closed
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is sale.search
    type_where_the_focus_is(qtbot, "THY-50")
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert [ln.sku for ln in sale.cart.lines] == ["THY-50"]


def test_the_tiles_and_the_cart_keep_their_arrow_keys(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    sale.grid.setFocus(Qt.FocusReason.TabFocusReason)  # reached with Tab
    assert sale.grid.hasFocus()
    first = sale.model.products[0].sku
    second = sale.model.products[1].sku
    qtbot.keyClick(sale.grid, Qt.Key.Key_Right)
    qtbot.keyClick(sale.grid, Qt.Key.Key_Left)
    qtbot.keyClick(sale.grid, Qt.Key.Key_Return)
    qtbot.keyClick(sale.grid, Qt.Key.Key_Right)
    qtbot.keyClick(sale.grid, Qt.Key.Key_Return)
    assert [ln.sku for ln in sale.cart.lines] == [first, second]
    assert sale.grid.hasFocus()  # the next tile is an arrow away
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    rect = sale.table.visualRect(sale.cart_model.index(2, 0))
    qtbot.mouseClick(sale.table.viewport(), LEFT, pos=rect.center())
    assert sale.table.hasFocus()
    qtbot.keyClick(sale.table, Qt.Key.Key_Up)
    qtbot.keyClick(sale.table, Qt.Key.Key_Delete)
    assert [ln.sku for ln in sale.cart.lines] == [first, "THY-50"]


def test_a_double_tap_rings_the_tile_twice(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    grid = window.sale.grid
    index = grid.model().index(tile_row(window, "THY-50"), 0)
    grid.scrollTo(index)
    centre = grid.visualRect(index).center()
    qtbot.mouseClick(grid.viewport(), LEFT, pos=centre)  # the first tap...
    qtbot.mouseDClick(grid.viewport(), LEFT, pos=centre)  # ...and the second, quick one
    assert [(ln.sku, ln.quantity) for ln in window.sale.cart.lines] == [("THY-50", 2000)]
