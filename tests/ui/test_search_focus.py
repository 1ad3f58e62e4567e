"""The keyboard stays in the search box of the sale screen: after a tile tapped, the cart's
buttons pressed and a sale paid with the mouse, what the seller types next goes into the
search; the tiles (once reached by Tab) and the cart (once clicked) keep their arrow keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
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


def test_esc_empties_the_search_and_brings_back_every_tile(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar", size=(1024, 600))
    sale = window.sale
    every = [p.sku for p in sale.model.products]
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    type_where_the_focus_is(qtbot, "miel")
    assert len(sale.model.products) == 4
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert sale.search.text() == "" and sale.search.hasFocus()
    assert [p.sku for p in sale.model.products] == every
    assert [line.sku for line in sale.cart.lines] == ["AML-250"]  # the cart is left alone


def type_keys(widget: Any, text: str) -> None:
    """Key presses that type ``text``, as a keyboard set to Arabic sends them (its digits
    are Arabic-Indic: ٠١٢...), a scanner's burst too."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, ord(char),
                                                     Qt.KeyboardModifier.NoModifier, char))


def test_a_scanner_typing_arabic_digits_rings_the_product(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar", size=(1024, 600))
    sale = window.sale
    type_keys(sale.search, "٦١١١٢٤٥٧٨٠٠٥٤")  # 6111245780054, AML-250's barcode
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert [line.sku for line in sale.cart.lines] == ["AML-250"]
    assert sale.search.text() == "" and not sale.create_product.isVisible()


def test_digits_typed_on_an_arabic_keyboard_find_the_product(qtbot: Any,
                                                             make_window: Any) -> None:
    window = make_window(lang="ar", size=(1024, 600))
    sale = window.sale
    sale.search.setFocus()
    type_keys(sale.search, "250")
    by_latin = [p.sku for p in sale.model.products]
    sale.search.clear()
    type_keys(sale.search, "٢٥٠")
    assert sale.search.text() == "٢٥٠"  # the search box shows what was typed
    assert [p.sku for p in sale.model.products] == by_latin
    assert "AML-250" in by_latin and "THY-50" not in by_latin


def test_a_qwerty_scanner_on_an_azerty_laptop_rings_the_product(qtbot: Any,
                                                               make_window: Any) -> None:
    window = make_window(size=(1024, 600))
    sale = window.sale
    sale.search.setFocus()
    sale.search.setText("thym")  # typed by the seller a moment before
    type_keys(sale.search, "-&&&é'(è_àà('")  # 6111245780054, AML-250's barcode, on AZERTY
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert [line.sku for line in sale.cart.lines] == ["AML-250"]
    assert sale.search.text() == "thym"  # the search typed before is left as it was
    assert not sale.create_product.isVisible()


def test_the_count_of_products_found_goes_once_the_search_or_the_cart_moves_on(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    matches = ("4 produits correspondent\u00a0: touchez le bon ou précisez la recherche.")

    def enter(text: str) -> None:
        qtbot.keyClicks(sale.search, text)
        qtbot.keyClick(sale.search, Qt.Key.Key_Return)

    enter("miel")
    assert sale.banner.isVisible() and sale.banner.text() == matches
    qtbot.keyClicks(sale.search, " thym")  # typed on: one product now, not four
    assert [p.sku for p in sale.model.products] == ["HNY-THY"]
    assert sale.banner.isHidden()
    sale.search.clear()

    enter("miel")
    assert sale.banner.isVisible()
    qtbot.keyClick(sale.search, Qt.Key.Key_Escape)  # emptied: every tile is back
    assert sale.banner.isHidden()

    enter("miel")
    assert sale.banner.isVisible()
    click_tile(qtbot, window, tile_row(window, "HNY-EUP"))  # the right one, tapped
    assert [ln.sku for ln in sale.cart.lines] == ["HNY-EUP"]
    assert sale.banner.isHidden()

    enter("")  # nothing searched: nothing said
    sale.scanned("6119999999999")  # a message of its own stays as the search changes
    qtbot.keyClicks(sale.search, "a")
    assert sale.banner.isVisible() and sale.banner.text() == "Code-barres 6119999999999 inconnu."


def test_a_search_that_finds_more_than_its_tiles_says_so(
        qtbot: Any, make_window: Any, data_dir: Any) -> None:
    """A big catalogue: Enter on a word that more products share than the tiles show says
    "more than", never a count the seller cannot see whole."""
    from pos import catalogue
    from pos.catalogue import ProductData
    from pos.db import DB_FILENAME, Store
    from ui.sale import SEARCH_LIMIT

    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        cat = catalogue.categories(s)[0]
        for i in range(SEARCH_LIMIT + 5):
            catalogue.add_or_update(s, ProductData(
                sku=f"SAV-{i:04d}", name_ar=f"صابون {i}", name_fr=f"Savon parfum {i}",
                price=1000 + i, category=cat))
    store.close()
    window = make_window()
    sale = window.sale
    qtbot.keyClicks(sale.search, "parfum")
    assert sale.model.rowCount() == SEARCH_LIMIT
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert sale.banner.text() == (
        f"Plus de {SEARCH_LIMIT} produits correspondent\u00a0: précisez la recherche.")
    qtbot.keyClicks(sale.search, " 30")  # Savon parfum 30, 300 to 304...: a few, counted
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    shown = sale.model.rowCount()
    assert 6 <= shown < SEARCH_LIMIT
    assert sale.banner.text() == (
        f"{shown} produits correspondent\u00a0: touchez le bon ou précisez la recherche.")
