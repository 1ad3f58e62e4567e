"""Goods received mid-market (the van brings 20 more jars on day 3): "Receive stock…" on
the Products screen adds them to the stock as it is, the sales rung meanwhile kept; the
table and the sale screen's tiles show the new stock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos.db import DB_FILENAME, Store
from pos.models import Product
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin
from tests.ui.test_product_stock import _sell

LEFT = Qt.MouseButton.LeftButton


def _stock(data_dir: Path, sku: str) -> int:
    store = Store.open(data_dir / DB_FILENAME)
    try:
        with store.read() as s:
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None
            return product.stock
    finally:
        store.close()


def _set_stock(data_dir: Path, sku: str, stock: int) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        product.stock = stock
    store.close()


def _choose(qtbot: Any, screen: Any, sku: str) -> None:
    screen.search.setText(sku)
    flags = QItemSelectionModel.SelectionFlag
    screen.table.selectionModel().select(  # selectRow selects nothing in a right-to-left table
        screen.proxy.index(0, 0), flags.ClearAndSelect | flags.Rows)


def _table_stock(screen: Any) -> str:
    return str(screen.proxy.index(0, 5).data())


def _receive(qtbot: Any, window: Any, sku: str, typed: list[str], *, sold: int = 0,
             pin: str | None = MANAGER_PIN) -> list[str]:
    """The manager chooses ``sku`` and presses "Receive stock…"; while the dialog is open
    the seller sells ``sold`` (thousandths); the manager types each of ``typed`` in turn
    (Enter after each), then gives the PIN (``None``: cancels it). What the dialog said:
    the stock shown, then each message."""
    screen = window.products
    _choose(qtbot, screen, sku)
    said: list[str] = []

    def receive(dialog: Any) -> None:
        try:
            said.append(dialog.now.text())
            said.append(str(dialog.focusWidget() is dialog.quantity))
            if sold:
                _sell(window, sku, sold)
            for i, text in enumerate(typed):
                dialog.quantity.setText(text)
                if i == len(typed) - 1:
                    if pin is None:
                        on_modal("pinDialog", lambda p: p.reject())
                    else:
                        on_modal("pinDialog", lambda p: type_pin(qtbot, p, pin))
                qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)
                if dialog.isVisible():
                    said.append(dialog.banner.text())
        finally:
            if dialog.isVisible():
                dialog.reject()

    on_modal("receiveDialog", receive)
    qtbot.mouseClick(screen.receive_btn, LEFT)
    return said


def test_twenty_jars_received_while_the_seller_sells(qtbot: Any, make_window: Any,
                                                     data_dir: Path) -> None:
    _set_stock(data_dir, "HNY-EUP", 3000)  # 3 jars left: low (the alert is at 3)
    window = make_window(size=(1024, 600))
    window.show_screen("products")
    screen = window.products
    said = _receive(qtbot, window, "HNY-EUP", ["0", "1,5", "20"], sold=1000)
    assert said == ["En stock maintenant\u00a0: 3", "True",
                    "La quantité doit être supérieure à zéro.",
                    "Vendu à la pièce\u00a0: saisissez un nombre entier (ex. 2)."]
    # 3 jars, 1 sold while the manager typed, 20 received: 22
    assert _stock(data_dir, "HNY-EUP") == 22000
    assert _table_stock(screen) == "22"
    assert screen.banner.text() == ("Miel d'euphorbe 250 g\u00a0: +20 en stock, soit 22 "
                                    "maintenant.")
    window.show_screen("sale")
    window.sale.search.setText("HNY-EUP")
    QApplication.processEvents()
    product = next(p for p in window.sale.model.products if p.sku == "HNY-EUP")
    assert window.sale.model.stock_of(product) == (22000, 3000)


def test_honey_received_in_arabic_with_arabic_digits(qtbot: Any, make_window: Any,
                                                     data_dir: Path) -> None:
    window = make_window(lang="ar", size=(1024, 600))
    window.show_screen("products")
    screen = window.products
    said = _receive(qtbot, window, "HNY-KG", ["كثير", "٢٫٥"])
    assert said == ["المخزون الآن: 12 كلغ", "True", "«كثير» ليست كمية (مثال: 1,5)."]
    assert _stock(data_dir, "HNY-KG") == 14500
    assert _table_stock(screen) == "14,5"
    assert screen.banner.text() == (
        "عسل متعدد الأزهار بالكيلو: أضيف 2,5 كلغ إلى المخزون، وهو الآن 14,5 كلغ.")


def test_a_seller_without_the_managers_pin_receives_nothing(qtbot: Any, make_window: Any,
                                                            data_dir: Path) -> None:
    window = make_window()
    window.show_screen("products")
    assert _receive(qtbot, window, "ARG-250", ["20"], pin=None)[0] == (
        "En stock maintenant\u00a0: 40")
    assert _stock(data_dir, "ARG-250") == 40000


def test_receive_without_a_product_chosen_says_to_choose_one(qtbot: Any, make_window: Any,
                                                             data_dir: Path) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    screen.table.clearSelection()
    screen.receive_btn.setFocus()  # reached with Tab, pressed with the space bar
    qtbot.keyClick(screen.receive_btn, Qt.Key.Key_Space)
    assert screen.banner.text() == ("Choisissez d'abord un produit dans le tableau, puis "
                                    "appuyez sur «\u00a0Réception de stock…\u00a0».")


def test_a_morning_export_imported_at_night_says_the_stock_kept_on_the_screen(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    """Export in the morning, prices edited in a spreadsheet, import at night: the day's
    sales stay in the stock, and the screen says why, in Arabic."""
    from pos import catalogue
    from pos.clock import local

    window = make_window(lang="ar")
    window.show_screen("products")
    screen = window.products
    path = tmp_path / "catalogue.csv"
    screen.export_file(path)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished())
    qtbot.waitUntil(lambda: screen.export_btn.isEnabled())
    _sell(window, "ARG-250", 3000)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(";120,00;", ";130,00;"),
                    encoding="utf-8-sig")
    on_modal("pinDialog", lambda p: type_pin(qtbot, p, MANAGER_PIN))
    screen.import_file(path)
    qtbot.waitUntil(lambda: "احتفظ" in screen.banner.text())
    with window.ctx.read() as s:
        export = catalogue.last_export(s)
    assert export is not None
    assert screen.banner.text().endswith(
        f"لأن مخزونها في الملف هو ما كتبه تصدير {local(export.at).strftime('%H:%M')}.")
    assert _stock(data_dir, "ARG-250") == 37000
