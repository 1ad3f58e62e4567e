"""The product editor keeps a stock sold below zero, and reads decimals as decimals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from sqlalchemy import select

from pos.db import DB_FILENAME, Store
from pos.models import Product
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin

LEFT = Qt.MouseButton.LeftButton


def _product(data_dir: Path, sku: str) -> tuple[int, int, int]:
    store = Store.open(data_dir / DB_FILENAME)
    try:
        with store.read() as s:
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None
            return product.price, product.stock, product.low_stock
    finally:
        store.close()


def test_edit_a_product_sold_past_its_stock(qtbot: Any, make_window: Any, data_dir: Path) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        product = s.scalar(select(Product).where(Product.sku == "MNT-BND"))
        assert product is not None
        product.stock = -6000  # six bunches sold that were not counted in
    store.close()
    window = make_window()
    window.show_screen("products")
    screen = window.products
    qtbot.keyClicks(screen.search, "MNT-BND")
    screen.table.selectRow(0)
    shown: list[str] = []

    def edit(dialog: Any) -> None:
        shown.append(dialog.stock.text())
        dialog.price.setText("6.500")
        dialog.low.setText("0.0")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():  # refused: close it so that the test reports what was kept
            dialog.reject()

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert shown == ["-6"]
    assert _product(data_dir, "MNT-BND") == (650, -6000, 0)


def _sell(window: Any, sku: str, quantity: int) -> None:
    """The seller rings ``quantity`` (thousandths) of ``sku`` at the till, paid in cash."""
    from pos import checkout
    from pos.cart import Cart, cash

    with window.ctx.read() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        cart = Cart()
        cart.add(product, quantity)
    total = cart.totals().total
    with window.ctx.store.ledger() as db:
        checkout.complete(db, cart, [cash(total, total)], cashier=window.ctx.user)


def _edit_while_selling(qtbot: Any, window: Any, sku: str, *, price: str,
                        stock: str | None = None) -> list[str]:
    """The manager opens ``sku`` in the product editor; while it is open the seller sells
    1,5 kg of it; the manager types a new price (and a stock, if given) and saves."""
    window.show_screen("products")
    screen = window.products
    qtbot.keyClicks(screen.search, sku)
    flags = QItemSelectionModel.SelectionFlag
    screen.table.selectionModel().select(  # selectRow selects nothing in a right-to-left table
        screen.proxy.index(0, 0), flags.ClearAndSelect | flags.Rows)
    shown: list[str] = []

    def edit(dialog: Any) -> None:
        shown.append(dialog.stock.text())
        _sell(window, sku, 1500)
        dialog.price.setText(price)
        if stock is not None:
            dialog.stock.setText(stock)
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            dialog.reject()

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    return shown


def test_a_price_saved_while_the_seller_sells_keeps_the_sales_stock(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    window = make_window()
    assert _edit_while_selling(qtbot, window, "HNY-KG", price="210") == ["12"]
    # 12 kg of honey, 1,5 kg sold while the dialog was open: 10,5 kg left, at the new price
    assert _product(data_dir, "HNY-KG") == (21000, 10500, 2000)


def test_a_stock_typed_in_the_editor_is_the_count_at_the_save(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    window = make_window(lang="ar")
    # the manager weighs what is left and types it, Arabic digits and decimal comma
    assert _edit_while_selling(qtbot, window, "HNY-KG", price="200", stock="٩٫٢٥") == ["12"]
    assert _product(data_dir, "HNY-KG") == (20000, 9250, 2000)
