"""The product editor keeps a stock sold below zero, and reads decimals as decimals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
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
