"""Ringing sales through the real widgets: tiles, scanner, search, cash with change,
split payments, discounts and a price override with the manager's PIN."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos.db import DB_FILENAME
from pos.journal import verify
from pos.models import Sale
from tests.ui.conftest import (
    CASHIER_PIN,
    MANAGER_PIN,
    click_tile,
    on_modal,
    tile_row,
    type_pin,
    type_text,
)

LEFT = Qt.MouseButton.LeftButton


def sales(window: Any) -> list[Sale]:
    with window.ctx.read() as s:
        return list(s.scalars(select(Sale).order_by(Sale.number)))


def journal_ok(window: Any) -> int:
    conn = sqlite3.connect(window.ctx.data_dir / DB_FILENAME)
    try:
        verdict = verify(conn)
    finally:
        conn.close()
    assert verdict.ok, verdict
    return verdict.records


def pay_cash(qtbot: Any, notes: tuple[int, ...]) -> dict[str, str]:
    seen: dict[str, str] = {}

    def handle(dialog: Any) -> None:
        for note in notes:
            qtbot.mouseClick(dialog.findChild(type(dialog.ok), f"payNote_{note}"), LEFT)
        seen["change"] = dialog.change.text()
        seen["caption"] = dialog.change_caption.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("payDialog", handle)
    return seen


def test_tap_tiles_and_pay_cash_with_change(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    click_tile(qtbot, window, tile_row(window, "THY-50"))  # 15,00
    assert [(ln.sku, ln.quantity) for ln in sale.cart.lines] == [("AML-250", 2000),
                                                                  ("THY-50", 1000)]
    assert sale.total.text() == "145,00\u00a0DH"
    seen = pay_cash(qtbot, (10000, 5000))
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["change"] == "5,00\u00a0DH"
    assert sale.cart.is_empty and sale.total.text() == "0,00\u00a0DH"
    assert sale.last_change.text() == "Rendre la monnaie : 5,00\u00a0DH"
    assert "T01-000001" in sale.last_sale.text()  # the number printed on the receipt
    rows = sales(window)
    assert len(rows) == 1 and rows[0].total == 14500
    assert [(p.method, p.amount, p.tendered, p.change) for p in rows[0].payments] == [
        ("cash", 14500, 15000, 500)]
    assert rows[0].cashier_name == "Aicha"
    assert journal_ok(window) == 2  # day open + the sale


def test_scanner_burst_adds_wherever_the_focus_is(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.sale.search.setFocus()
    qtbot.keyClicks(window.sale.search, "6111245780016")
    qtbot.keyClick(window.sale.search, Qt.Key.Key_Return)
    assert [ln.sku for ln in window.sale.cart.lines] == ["ARG-250"]
    assert window.sale.search.text() == ""
    window.sale.table.setFocus()
    qtbot.keyClicks(window.sale.table, "6111245780016")
    qtbot.keyClick(window.sale.table, Qt.Key.Key_Return)
    assert window.sale.cart.lines[0].quantity == 2000


def test_unknown_barcode_offers_to_create_the_product(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.sale.search.setFocus()
    qtbot.keyClicks(window.sale.search, "9990001112226")
    qtbot.keyClick(window.sale.search, Qt.Key.Key_Return)
    assert window.sale.cart.is_empty
    assert window.sale.banner.isVisible() and "9990001112226" in window.sale.banner.text()
    assert window.sale.create_product.isVisible()

    def fill(dialog: Any) -> None:
        assert dialog.barcodes.text() == "9990001112226"
        qtbot.keyClicks(dialog.sku, "NEW-1")
        type_text(qtbot, dialog.name_fr, "Savon à l'argan")
        qtbot.keyClicks(dialog.price, "22,50")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("productDialog", fill)
    qtbot.mouseClick(window.sale.create_product, LEFT)
    assert [(ln.sku, ln.unit_price) for ln in window.sale.cart.lines] == [("NEW-1", 2250)]


def test_typing_slowly_is_not_a_scan(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.sale.search.setFocus()
    for ch in "61112":
        qtbot.keyClick(window.sale.search, ch)
        qtbot.wait(70)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_Return)
    assert window.sale.search.text() == "61112"
    assert window.sale.cart.is_empty


def test_search_as_you_type_in_both_scripts(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    qtbot.keyClicks(sale.search, "SAFRAN")
    assert {p.sku for p in sale.model.products} == {"SAF-1G", "SAF-5G"}
    sale.search.clear()
    type_text(qtbot, sale.search, "عسل")
    assert {p.sku for p in sale.model.products} == {"HNY-THY", "HNY-EUP", "HNY-ORG", "HNY-KG"}
    sale.search.clear()
    qtbot.keyClicks(sale.search, "cosmetique")
    assert [p.sku for p in sale.model.products] == ["ARG-100C"]
    click_tile(qtbot, window, 0)
    assert [ln.sku for ln in sale.cart.lines] == ["ARG-100C"]


def test_weighed_product_asks_for_the_weight(qtbot: Any, make_window: Any) -> None:
    window = make_window()

    def weigh(dialog: Any) -> None:
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, "0,75")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("weightDialog", weigh)
    window.sale.select_category("food")
    click_tile(qtbot, window, tile_row(window, "DAT-KG"))  # 140,00 / kg
    assert window.sale.cart.lines[0].quantity == 750
    assert window.sale.total.text() == "105,00\u00a0DH"


def test_plus_minus_quantity_and_bad_input(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "MNT-BND"))
    qtbot.mouseClick(sale.plus, LEFT)
    qtbot.mouseClick(sale.plus, LEFT)
    assert sale.cart.lines[0].quantity == 3000
    qtbot.mouseClick(sale.minus, LEFT)
    assert sale.cart.lines[0].quantity == 2000
    errors: list[str] = []

    def bad_then_good(dialog: Any) -> None:
        for typed in ("abc", "1,5"):  # mint is sold by the bunch: no half bunch
            dialog.field.clear()
            qtbot.keyClicks(dialog.field, typed)
            qtbot.mouseClick(dialog.ok, LEFT)
            errors.append(dialog.banner.text())
            assert dialog.isVisible()
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, "6")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("quantityDialog", bad_then_good)
    qtbot.mouseClick(sale.qty_btn, LEFT)
    assert len(errors) == 2 and "abc" in errors[0]
    assert errors[1] == window.ctx.t("quantity.whole_pieces")
    assert sale.cart.lines[0].quantity == 6000
    qtbot.mouseClick(sale.remove_btn, LEFT)
    assert sale.cart.is_empty and not sale.pay.isEnabled()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_quantity_of_pieces_is_a_whole_number(qtbot: Any, make_window: Any,
                                                lang: str) -> None:
    """The quantity dialog of a product sold by the piece refuses 1,5 and says so with a
    whole number as the example; a weighed product keeps its decimals."""
    from ui.line_dialogs import ValueDialog

    window = make_window(lang=lang)
    t = window.ctx.t
    seen: list[tuple[str, bool, bool]] = []

    def typed(unit: str, *texts: str) -> int | None:
        def type_each(dialog: Any) -> None:
            for text in texts:
                dialog.field.clear()
                qtbot.keyClicks(dialog.field, text)
                qtbot.mouseClick(dialog.ok, LEFT)
                if dialog.isVisible():
                    for _ in range(5):
                        QApplication.processEvents()
                    banner = dialog.banner
                    whole = (banner.height() >= banner.heightForWidth(banner.width())
                             and not banner.geometry().intersects(dialog.field.geometry()))
                    seen.append((banner.text() if whole else "(cut)",
                                 bool(dialog.field.property("wrong")),
                                 dialog.field.selectedText() == text))

        caption = t("ui.cart.quantity_caption", name="Savon")
        dialog = ValueDialog(window.ctx, window.sale, "quantityDialog", "ui.cart.quantity_title",
                             caption, "1", kind="quantity", unit=unit)
        on_modal("quantityDialog", type_each)
        return dialog.value if dialog.exec() else None

    assert typed("piece", "1,5", "abc", "2") == 2000
    assert seen == [(t("quantity.whole_pieces"), True, True),
                    (t("quantity.not_pieces", text="abc"), True, True)]
    assert "1,5" not in "".join(text for text, _m, _s in seen)
    seen.clear()
    assert typed("kg", "abc", "1,5") == 1500
    assert seen == [(t("quantity.not_a_number", text="abc"), True, True)]


def test_split_payment_card_then_cash(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00

    def split(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payMethod_card"), LEFT)
        dialog.amount.clear()
        qtbot.keyClicks(dialog.amount, "600")
        qtbot.keyClicks(dialog.reference, "CB-778899")
        qtbot.mouseClick(dialog.ok, LEFT)
        assert dialog.isVisible() and dialog.remaining == 25000
        assert dialog.method == "cash"
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payNote_20000"), LEFT)
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payNote_10000"), LEFT)
        assert dialog.change.text() == "50,00\u00a0DH"
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("payDialog", split)
    qtbot.keyClick(window, Qt.Key.Key_F12)
    rows = sales(window)
    assert len(rows) == 1
    assert [(p.method, p.amount, p.tendered, p.change, p.reference)
            for p in rows[0].payments] == [("card", 60000, None, None, "CB-778899"),
                                           ("cash", 25000, 30000, 5000, "")]
    journal_ok(window)


def test_card_needs_a_reference(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "HAT-DM"))
    messages: list[str] = []

    def no_reference(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payMethod_mobile"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)
        messages.append(dialog.banner.text())
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("payDialog", no_reference)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert messages[0]
    assert sales(window) == [] and len(window.sale.cart.lines) == 1


def test_cart_discount_and_price_override_with_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "TAJ-M"))  # 150,00

    def new_price(dialog: Any) -> None:
        qtbot.keyClicks(dialog.field, "130")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("priceDialog", new_price)
    qtbot.mouseClick(sale.price_btn, LEFT)
    assert sale.cart.lines[0].unit_price == 13000 and sale.cart.lines[0].override_by

    def ten_percent(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "cartDiscountDialogQuick10"), LEFT)

    on_modal("cartDiscountDialog", ten_percent)
    qtbot.mouseClick(sale.cart_disc_btn, LEFT)
    assert sale.total.text() == "117,00\u00a0DH"
    seen = pay_cash(qtbot, (20000,))
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["change"] == "83,00\u00a0DH"
    row = sales(window)[0]
    assert row.total == 11700 and row.authorised_by is not None and row.cart_discount == 1300


def test_cashier_pin_cannot_override_a_price(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "TAJ-M"))
    errors: list[str] = []

    def cashier_pin(pin: Any) -> None:
        type_pin(qtbot, pin, CASHIER_PIN)
        errors.append(pin.banner.text())
        type_pin(qtbot, pin, "9999")
        errors.append(pin.banner.text())
        qtbot.mouseClick(pin.cancel, LEFT)

    def new_price(dialog: Any) -> None:
        qtbot.keyClicks(dialog.field, "100")
        on_modal("pinDialog", cashier_pin)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("priceDialog", new_price)
    qtbot.mouseClick(sale.price_btn, LEFT)
    assert "Aicha" in errors[0]
    assert errors[1] and errors[1] != errors[0]
    assert sale.cart.lines[0].unit_price == 15000


def test_selling_with_the_day_closed_keeps_the_cart(qtbot: Any, make_window: Any) -> None:
    window = make_window(day_open=False)
    assert window.sale.day_box.isVisible()
    click_tile(qtbot, window, tile_row(window, "HAT-DM"))
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert window.sale.banner.isVisible()
    assert len(window.sale.cart.lines) == 1 and sales(window) == []


def test_sign_in_with_a_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window(signed_in=False)
    assert window.current_screen() == "login"
    qtbot.keyClicks(window.login.pin, "0000")
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    assert window.login.banner.isVisible() and window.ctx.user is None
    for digit in CASHIER_PIN:
        qtbot.mouseClick(window.login.findChild(type(window.sale.pay), f"loginKey{digit}"), LEFT)
    qtbot.mouseClick(window.login.findChild(type(window.sale.pay), "loginOk"), LEFT)
    assert window.ctx.user is not None and window.ctx.user.name == "Aicha"
    assert window.current_screen() == "sale"
    assert "Aicha" in window.user_status.text()

