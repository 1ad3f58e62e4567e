"""Guards around ringing a sale: a scan while the payment dialog or a dialog of the cart
(weight, quantity, discount, price) is open joins the cart (never the amount, weight or
value typed, which stay as they were), large change is confirmed, absurd amounts refused and an
empty cash field asked for, closing over a cart in progress asks first, cart lines show their
price and discount in full, and Enter in the search box rings up the product found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from pos import catalogue
from pos.db import DB_FILENAME, Store
from pos.i18n import tr
from pos.money import format_money
from tests.ui.conftest import MANAGER_PIN, click_tile, tile_row, type_pin
from tests.ui.conftest import on_modal as _on_modal
from tests.ui.test_sale_flow import journal_ok, sales

LEFT = Qt.MouseButton.LeftButton
RETURN = Qt.Key.Key_Return
THYME_CODE = "6111245780207"  # THY-50, 15,00
AMLOU_CODE = "6111245780054"  # AML-250, 65,00
SCAN_PAUSE = 200  # ms between a person's last key and a scan (a scanner's keys: under 50)


def on_modal(qtbot: Any, name: str, handler: Callable[[Any], None]) -> None:
    """``conftest.on_modal``, the dialog made the active window first (as it is on a
    desktop) and closed if the handler leaves it open or fails, so that a test of a
    misbehaving dialog fails instead of hanging (closed with ``done``: ``reject`` may ask
    first, as the payment dialog does with parts taken)."""

    def run(dialog: Any) -> None:
        try:
            dialog.windowHandle().requestActivate()
            qtbot.waitUntil(dialog.isActiveWindow)
            handler(dialog)
        finally:
            if dialog.isVisible():
                dialog.done(0)

    _on_modal(name, run)


def note(dialog: Any, value: int) -> QPushButton:
    btn = dialog.findChild(QPushButton, f"payNote_{value}")
    assert isinstance(btn, QPushButton)
    return btn


def scan(qtbot: Any, widget: Any, code: str) -> None:
    """What a scanner does: the digits and Enter, key after key without a pause."""
    qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, RETURN)


def test_a_scan_into_the_payment_dialog_joins_the_cart(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        qtbot.mouseClick(note(dialog, 5000), LEFT)
        assert dialog.tendered.hasFocus()
        scan(qtbot, dialog.tendered, THYME_CODE)
        seen["open"] = dialog.isVisible()
        seen["given"] = dialog.tendered.text()
        seen["due"] = dialog.due.text()
        seen["notice"] = dialog.banner.text()
        if not seen["open"]:  # the scan took the payment
            return
        qtbot.mouseClick(note(dialog, 5000), LEFT)
        seen["change"] = dialog.change.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["open"]
    assert seen["given"] == "50,00"  # the amount field is as it was before the scan
    assert seen["due"] == "80,00\u00a0DH"
    assert "Thym séché 50 g" in seen["notice"] and "80,00\u00a0DH" in seen["notice"]
    assert seen["change"] == "20,00\u00a0DH"
    rows = sales(window)
    assert len(rows) == 1 and rows[0].total == 8000
    assert sorted(line.sku for line in rows[0].lines) == ["AML-250", "THY-50"]
    assert [(p.method, p.amount, p.tendered, p.change) for p in rows[0].payments] == [
        ("cash", 8000, 10000, 2000)]
    assert sale.cart.is_empty
    journal_ok(window)


def test_an_unknown_code_scanned_while_paying_records_nothing(qtbot: Any,
                                                              make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        scan(qtbot, dialog.tendered, "96385074")
        seen["open"] = dialog.isVisible()
        seen["given"] = dialog.tendered.text()
        seen["error"] = dialog.banner.text()
        if seen["open"]:
            qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["open"] and seen["given"] == ""
    assert "96385074" in seen["error"]
    assert sales(window) == []
    assert [(ln.sku, ln.quantity) for ln in sale.cart.lines] == [("AML-250", 1000)]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_scan_into_the_weight_dialog_joins_the_cart_and_the_weight_still_waits(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    """The seller tapped the honey sold by weight; before it is weighed, the customer's next
    item is scanned: it joins the cart, the weight field is as it was, and the weight
    typed then is the honey's. A code the till does not know is said in the dialog."""
    window = make_window(lang=lang)
    sale = window.sale
    seen: dict[str, Any] = {}

    def weigh(dialog: Any) -> None:
        qtbot.keyClicks(dialog.field, "0,5")
        qtbot.wait(SCAN_PAUSE)
        scan(qtbot, dialog.field, THYME_CODE)
        seen["open"] = dialog.isVisible()
        seen["typed"] = dialog.field.text()
        seen["notice"] = dialog.banner.text()
        seen["cart"] = skus_and_quantities(window)
        if not seen["open"]:
            return
        scan(qtbot, dialog.field, "96385074")
        seen["unknown"] = dialog.banner.text()
        seen["typed_after_unknown"] = dialog.field.text()
        qtbot.keyClick(dialog.field, RETURN)  # Enter typed by hand validates the weight

    on_modal(qtbot, "weightDialog", weigh)
    click_tile(qtbot, window, tile_row(window, "HNY-KG"))  # 200,00 the kilo
    assert seen["open"] and seen["typed"] == "0,5"
    thyme = "Thym séché 50 g" if lang == "fr" else "زعتر مجفف 50 غ"
    assert seen["notice"] == window.ctx.t("ui.cart.scan_added", name=thyme)
    assert seen["cart"] == [("THY-50", 1000)]
    assert "96385074" in seen["unknown"] and seen["typed_after_unknown"] == "0,5"
    assert skus_and_quantities(window) == [("THY-50", 1000), ("HNY-KG", 500)]
    assert sale.cart.totals().total == 11500


def skus_and_quantities(window: Any) -> list[tuple[str, int]]:
    return [(ln.sku, ln.quantity) for ln in window.sale.cart.lines]


@pytest.mark.parametrize(("button", "dialog_name", "typed", "code", "cart"), [
    ("qty_btn", "quantityDialog", "3", THYME_CODE, [("AML-250", 3000), ("THY-50", 2000)]),
    # the same product scanned: on top of the quantity typed for the one the seller saw
    ("qty_btn", "quantityDialog", "3", AMLOU_CODE, [("AML-250", 5000)]),
    ("disc_btn", "lineDiscountDialog", "10", THYME_CODE, [("AML-250", 1000), ("THY-50", 2000)]),
    ("cart_disc_btn", "cartDiscountDialog", "10", THYME_CODE,
     [("AML-250", 1000), ("THY-50", 2000)]),
    ("price_btn", "priceDialog", "60", THYME_CODE, [("AML-250", 1000), ("THY-50", 2000)]),
])  # fmt: skip
def test_a_scan_into_a_line_dialog_joins_the_cart_and_leaves_the_dialog_as_it_was(
    qtbot: Any, make_window: Any, button: str, dialog_name: str, typed: str, code: str,
    cart: list[tuple[str, int]]
) -> None:
    """A code scanned before the value is typed and another after: each joins the cart,
    the field is as it was each time (the line's quantity shown selected is still replaced
    by the one typed), and the dialog does what was typed."""
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00, the line selected
    seen: dict[str, Any] = {}

    def scan_type_scan(dialog: Any) -> None:
        before = (dialog.field.text(), dialog.field.selectedText())
        scan(qtbot, dialog.field, code)
        seen["first"] = (dialog.isVisible(), (dialog.field.text(), dialog.field.selectedText())
                         == before)
        qtbot.wait(SCAN_PAUSE)
        qtbot.keyClicks(dialog.field, typed)
        qtbot.wait(SCAN_PAUSE)
        scan(qtbot, dialog.field, code)
        seen["open"] = dialog.isVisible()
        seen["typed"] = dialog.field.text()
        seen["notice"] = dialog.banner.text()
        if seen["open"]:
            on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
            qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, dialog_name, scan_type_scan)
    qtbot.mouseClick(getattr(sale, button), LEFT)
    assert seen["first"] == (True, True)
    assert seen["open"] and seen["typed"] == typed
    name = "Thym séché 50 g" if code == THYME_CODE else "Amlou aux amandes 250 g"
    assert seen["notice"] == f"{name} ajouté au panier."
    assert skus_and_quantities(window) == cart
    amlou = sale.cart.lines[0]
    totals = sale.cart.totals()
    if dialog_name == "lineDiscountDialog":
        assert amlou.discount_amount == 650 and totals.total == 8850
    elif dialog_name == "cartDiscountDialog":
        assert totals.discount == 950 and totals.total == 8550
    elif dialog_name == "priceDialog":
        assert amlou.unit_price == 6000 and totals.total == 9000


def test_large_change_is_confirmed_first(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {"asked": []}

    def answer(yes: bool) -> Any:
        def handle(confirm: Any) -> None:
            seen["asked"].append(confirm.findChild(type(confirm.title),
                                                   "payChangeConfirmText").text())
            if yes:
                qtbot.keyClick(confirm, RETURN)  # Enter says yes
            else:
                qtbot.mouseClick(confirm.cancel, LEFT)
        return handle

    def pay(dialog: Any) -> None:
        qtbot.keyClicks(dialog.tendered, "500")
        on_modal(qtbot, "payChangeConfirm", answer(False))
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["open_after_no"] = dialog.isVisible()
        seen["recorded_after_no"] = len(sales(window))
        seen["given_after_no"] = dialog.tendered.text()
        on_modal(qtbot, "payChangeConfirm", answer(True))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["open_after_no"] and seen["recorded_after_no"] == 0
    assert seen["given_after_no"] == "500"
    assert len(seen["asked"]) == 2
    assert "500,00\u00a0DH" in seen["asked"][0] and "435,00\u00a0DH" in seen["asked"][0]
    rows = sales(window)
    assert [(p.amount, p.tendered, p.change) for p in rows[0].payments] == [
        (6500, 50000, 43500)]


def test_change_under_the_largest_note_is_not_asked(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    asked: list[str] = []

    def refuse(confirm: Any) -> None:
        asked.append("asked")
        qtbot.mouseClick(confirm.cancel, LEFT)

    def pay(dialog: Any) -> None:
        on_modal(qtbot, "payChangeConfirm", refuse)
        qtbot.mouseClick(note(dialog, 20000), LEFT)  # 135,00 back: no question
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert asked == []
    assert [(p.tendered, p.change) for p in sales(window)[0].payments] == [(20000, 13500)]


def test_an_absurd_amount_is_refused(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        qtbot.keyClicks(dialog.tendered, "96385074")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["open"] = dialog.isVisible()
        seen["error"] = dialog.banner.text()
        seen["given"] = dialog.tendered.text()
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["open"] and seen["given"] == "96385074"
    assert "65,00\u00a0DH" in seen["error"] and "Corrigez" in seen["error"]
    assert sales(window) == [] and len(window.sale.cart.lines) == 1



def test_cash_typed_in_centimes_is_refused_not_offered_as_change(qtbot: Any,
                                                                 make_window: Any) -> None:
    """``6500`` typed for 65,00 DH due (its centimes typed as dirhams) is a hundred times
    the sum: refused as a typing accident, never offered as 6 435,00 DH of change; a
    200 DH note for the same sum is taken."""
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {"asked": []}

    def refuse(confirm: Any) -> None:
        seen["asked"].append(confirm.objectName())
        qtbot.mouseClick(confirm.cancel, LEFT)

    def pay(dialog: Any) -> None:
        on_modal(qtbot, "payChangeConfirm", refuse)
        qtbot.keyClicks(dialog.tendered, "6500")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["open"] = dialog.isVisible()
        seen["error"] = dialog.banner.text()
        seen["given"] = dialog.tendered.text()
        seen["recorded"] = len(sales(window))
        seen["parts"] = list(dialog.payments)
        dialog.tendered.clear()
        qtbot.mouseClick(note(dialog, 20000), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["open"] and seen["given"] == "6500"
    assert seen["error"] == tr("fr", "ui.pay.given_absurd", given=format_money(650000, "fr"),
                               due=format_money(6500, "fr"))
    assert seen["recorded"] == 0 and seen["parts"] == [] and seen["asked"] == []
    [sale] = sales(window)
    assert [(p.method, p.amount, p.tendered, p.change) for p in sale.payments] == [
        ("cash", 6500, 20000, 13500)]
    journal_ok(window)


def test_paying_with_the_cash_field_empty_asks_for_the_amount_given(qtbot: Any,
                                                                   make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        dialog.ok.setFocus()
        seen["focus_before"] = dialog.tendered.hasFocus()
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["open"] = dialog.isVisible()
        seen["error"] = dialog.banner.text()
        seen["focus"] = dialog.tendered.hasFocus()
        seen["recorded"] = len(sales(window))
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["open"] and not seen["focus_before"]
    assert seen["error"] == "Saisissez la somme donnée par le client."
    assert seen["focus"]  # the cursor where the amount is typed
    assert seen["recorded"] == 0 and sales(window) == [] and len(window.sale.cart.lines) == 1


def test_closing_over_a_cart_asks_no_by_default(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.confirm_close = True
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    asked: list[str] = []

    def press_enter(dialog: Any) -> None:
        asked.append(dialog.findChild(type(dialog.title), "closeConfirmText").text())
        qtbot.keyClick(dialog, RETURN)

    on_modal(qtbot, "closeConfirm", press_enter)
    assert not window.close()
    assert asked == ["Le panier en cours (2 lignes, 80,00\u00a0DH) est gardé\u00a0: il reviendra à "
                     "l'écran au prochain démarrage de la caisse.\nFermer maintenant\u00a0?"]
    assert window.isVisible() and len(window.sale.cart.lines) == 2

    on_modal(qtbot, "closeConfirm", lambda dialog: qtbot.mouseClick(dialog.ok, LEFT))
    assert window.close()
    assert not window.isVisible()
    window.confirm_close = False  # the fixture closes it again
    window.ctx.store.close()
    again = make_window(day_open=False)  # what the question said: the cart is back
    assert [line.sku for line in again.sale.cart.lines] == ["AML-250", "THY-50"]


def test_closing_with_an_empty_cart_does_not_ask(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.confirm_close = True
    asked: list[str] = []

    def keep(dialog: Any) -> None:
        asked.append("asked")
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "closeConfirm", keep)
    assert window.close()
    assert asked == [] and not window.isVisible()


def _paragraph_heights(text: str, width: float, font: Any) -> list[tuple[int, float]]:
    """(lines, height) of each paragraph of ``text`` laid out at ``width``, as an item view
    lays out a wrapped cell."""
    result = []
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        lines, height = 0, 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            lines += 1
            height += line.height()
        layout.endLayout()
        result.append((lines, height))
    return result


def _detail_geometry(table: QTableView, row: int) -> tuple[int, QRectF, QRectF]:
    """(lines of the name, rect of the price and discount line, visible rect of the row's
    product cell), in viewport coordinates."""
    index = table.model().index(row, 0)
    table.scrollTo(index)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    delegate = table.itemDelegateForIndex(index)
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, index)
    option.rect = table.visualRect(index)
    style = table.style()
    text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    (name_lines, name_h), (_, detail_h) = _paragraph_heights(
        index.data(), text_rect.width() - 2 * margin, option.font)
    top = text_rect.top() + (text_rect.height() - (name_h + detail_h)) / 2
    detail = QRectF(text_rect.left(), top + name_h, text_rect.width(), detail_h)
    visible = QRectF(text_rect.intersected(option.rect).intersected(table.viewport().rect()))
    return name_lines, detail, visible


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_long_name_keeps_its_price_and_discount_visible(qtbot: Any, make_window: Any,
                                                          lang: str) -> None:
    window = make_window(lang=lang)
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "ROS-200"))
    click_tile(qtbot, window, tile_row(window, "ARG-250"))  # 120,00, the line selected

    def twelve(dialog: Any) -> None:
        titles.append(dialog.title.text())
        qtbot.mouseClick(dialog.amount, LEFT)
        qtbot.keyClicks(dialog.field, "12")
        qtbot.mouseClick(dialog.ok, LEFT)

    titles: list[str] = []
    on_modal(qtbot, "lineDiscountDialog", twelve)
    qtbot.mouseClick(sale.disc_btn, LEFT)
    assert sale.cart.lines[1].discount_amount == 1200
    argan = sale.cart.lines[1].name_fr if lang == "fr" else sale.cart.lines[1].name_ar
    assert titles == [("Remise sur " if lang == "fr" else "تخفيض على ") + argan]
    text = sale.cart_model.index(1, 0).data()
    name, detail_text = text.split("\n")
    amounts = ("120,00\u00a0DH", "12,00") if lang == "fr" else ("120,00\u00a0د.م.", "12,00")
    assert all(a in detail_text for a in amounts)
    name_lines, detail, visible = _detail_geometry(sale.table, 1)
    if lang == "fr":
        assert name_lines >= 2  # "Huile d'argan alimentaire 250 ml" wraps in the cart
    assert visible.contains(detail), (name, detail, visible)


def test_enter_in_the_search_adds_the_only_result(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    qtbot.keyClicks(sale.search, "verveine")
    assert [p.sku for p in sale.model.products] == ["VRB-50"]
    qtbot.keyClick(sale.search, RETURN)
    assert [(ln.sku, ln.quantity) for ln in sale.cart.lines] == [("VRB-50", 1000)]
    assert sale.search.text() == "" and sale.search.hasFocus()
    assert sale.total.text() == "18,00\u00a0DH"


def test_enter_with_several_results_adds_nothing(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    qtbot.keyClicks(sale.search, "miel")
    qtbot.keyClick(sale.search, RETURN)
    assert sale.cart.is_empty and sale.search.text() == "miel"
    assert sale.banner.isVisible() and "4 produits" in sale.banner.text()


def test_enter_prefers_the_exact_sku(qtbot: Any, make_window: Any, data_dir: Path) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        catalogue.add_or_update(s, catalogue.ProductData(
            sku="THY-5", name_ar="زعتر 5 غ", name_fr="Thym 5 g", price=300))
    store.close()
    window = make_window()
    sale = window.sale
    qtbot.keyClicks(sale.search, "thy-5")
    assert {p.sku for p in sale.model.products} == {"THY-5", "THY-50"}
    qtbot.keyClick(sale.search, RETURN)
    assert [ln.sku for ln in sale.cart.lines] == ["THY-5"]
    assert sale.search.text() == ""
