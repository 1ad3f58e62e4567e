"""The stock on the sale screen's tiles, as the seller lives a market day: the stock left
shows on a tile once it is low (orange), sold out or sold past zero (red), it follows the
sales as they are rung, and a sale is never refused for stock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos.db import DB_FILENAME, Store
from pos.models import Product
from tests.ui.conftest import click_tile, on_modal, tile_row
from ui import theme

LEFT = Qt.MouseButton.LeftButton


def _set_stock(data_dir: Path, **stocks: int) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        for sku, stock in stocks.items():
            product = s.scalar(select(Product).where(Product.sku == sku.replace("_", "-")))
            assert product is not None
            product.stock = stock
    store.close()


def _stock(window: Any, sku: str) -> int:
    with window.ctx.read() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        return product.stock


def _tile(window: Any, sku: str) -> tuple[str, int, int]:
    """What the tile of ``sku`` says to a screen reader, and how many of its pixels are
    painted orange (low stock) and red (none left)."""
    QApplication.processEvents()  # the stock is read again once the sale is shown
    grid = window.sale.grid
    grid.doItemsLayout()
    index = grid.model().index(tile_row(window, sku), 0)
    grid.scrollTo(index)
    image = grid.viewport().grab(grid.visualRect(index)).toImage()
    colours = [image.pixelColor(x, y).name() for x in range(image.width())
               for y in range(image.height())]
    said = index.data(Qt.ItemDataRole.AccessibleTextRole)
    return said, colours.count(QColor(theme.ACCENT).name()), colours.count(
        QColor(theme.DANGER).name())


def _pay_cash(qtbot: Any, window: Any, *notes: int) -> None:
    def handle(dialog: Any) -> None:
        for note in notes:
            qtbot.mouseClick(dialog.findChild(type(dialog.ok), f"payNote_{note}"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            dialog.reject()

    on_modal("payDialog", handle)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert window.sale.cart.is_empty


def _weigh(qtbot: Any, window: Any, sku: str, weight: str) -> None:
    def weigh(dialog: Any) -> None:
        dialog.field.clear()
        dialog.field.insert(weight)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("weightDialog", weigh)
    click_tile(qtbot, window, tile_row(window, sku))


def test_the_tiles_follow_the_stock_sold_down_and_past_zero(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    # the evening count left 8 jars of amlou (alert at 6) and 2,5 kg of honey (alert at 2)
    _set_stock(data_dir, AML_250=8000, HNY_KG=2500)
    window = make_window(size=(1024, 600))
    window.sale.select_category("food")
    said, orange, red = _tile(window, "AML-250")
    assert said == "Amlou aux amandes 250 g, 65,00\u00a0DH, Stock\u00a0: 8"
    assert orange == 0 and red == 0  # not low yet: the tile as always
    for _ in range(3):
        click_tile(qtbot, window, tile_row(window, "AML-250"))
    _pay_cash(qtbot, window, 20000)
    said, orange, red = _tile(window, "AML-250")
    assert said.endswith("Stock\u00a0: 5")
    assert orange > 20 and red == 0  # 5 jars: low, in orange
    # three kilos of honey asked for, 2,5 kg counted: the sale goes through all the same
    window.sale.select_category("honey")
    _weigh(qtbot, window, "HNY-KG", "3")
    _pay_cash(qtbot, window, 20000, 20000, 20000)
    assert _stock(window, "HNY-KG") == -500
    said, orange, red = _tile(window, "HNY-KG")
    assert said.endswith("Stock\u00a0: -0,5\u00a0kg")
    assert red > 20
    # another shelf, or a search, shows the stock as sold, not as the catalogue was loaded
    window.sale.select_category("food")
    assert _tile(window, "AML-250")[0].endswith("Stock\u00a0: 5")
    window.sale.search.setText("amlou")
    assert _tile(window, "AML-250")[0].endswith("Stock\u00a0: 5")


def test_the_tiles_say_the_stock_in_arabic(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    _set_stock(data_dir, HNY_KG=1250)
    window = make_window(lang="ar", size=(1024, 600))
    window.sale.select_category("honey")
    said, orange, red = _tile(window, "HNY-KG")
    assert said.endswith("المخزون: 1,25\u00a0كلغ")
    assert orange > 20 and red == 0  # 1,25 kg, alert at 2 kg: low, not sold out


def test_a_refund_of_part_of_a_line_and_a_void_put_the_stock_back(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    from tests.ui.conftest import MANAGER_PIN, type_pin

    window = make_window(lang="ar", size=(1024, 600))
    window.sale.select_category("honey")
    _weigh(qtbot, window, "HNY-KG", "١٫٥")  # 1,5 kg, typed in Arabic digits
    _pay_cash(qtbot, window, 20000, 20000)
    window.sale.select_category("food")
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    _pay_cash(qtbot, window, 10000)
    assert (_stock(window, "HNY-KG"), _stock(window, "AML-250")) == (10500, 44000)
    # the customer brings back half a kilo of the honey (the first ticket)
    window.show_screen("sales")
    window.sales.select_number(1)

    def refund(dialog: Any) -> None:
        dialog.findChild(type(dialog.reason), "refundReason").setCurrentIndex(0)
        field = dialog.fields[dialog.sale.lines[0].id]
        field.insert("٠٫٥")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            dialog.reject()

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    assert _stock(window, "HNY-KG") == 11000
    # the jar of amlou was rung by mistake: the ticket is voided, the jar is back
    window.sales.select_number(2)
    on_modal("voidDialog", lambda d: (
        d.reason.insert("خطأ"),
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN)),
        qtbot.mouseClick(d.ok, LEFT)))
    qtbot.mouseClick(window.sales.void_btn, LEFT)
    assert _stock(window, "AML-250") == 45000
    window.show_screen("sale")
    window.sale.select_category("honey")
    assert _tile(window, "HNY-KG")[0].endswith("المخزون: 11\u00a0كلغ")
