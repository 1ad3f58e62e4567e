"""A day at the stand on a small laptop (1024x600) and a common one (1366x768): the line
just rung is seen whole in a full cart, a split payment typed at the keyboard says what is
left to pay, the ticket just refunded stays the one shown, the kind of each ticket is read
whole, and the product dialog shows its buttons whole."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QPushButton

from pos import users
from pos.i18n import tr
from tests.ui.conftest import MANAGER_PIN, click_tile, tile_row, type_pin
from tests.ui.test_day_and_refunds import ring
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton
RETURN = Qt.Key.Key_Return
SMALL = (1024, 600)
TEN = ("ARG-250", "AML-250", "HNY-THY", "SAF-1G", "GHS-200", "ROS-200", "TAJ-M", "OLV-1L",
       "HNY-EUP", "RAS-100")


def refund_all(qtbot: Any, screen: Any) -> None:
    """Refund the whole of the chosen ticket, as the manager does with the PIN."""

    def refund(dialog: Any) -> None:
        dialog.fill_all()
        dialog.reason.setCurrentIndex(0)
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "refundDialog", refund)
    qtbot.mouseClick(screen.refund_btn, LEFT)


@pytest.mark.parametrize("size", [SMALL, (1366, 768)])
def test_the_line_just_rung_is_seen_whole_in_a_full_cart(qtbot: Any, make_window: Any,
                                                          size: tuple[int, int]) -> None:
    window = make_window(size=size)
    sale = window.sale
    for sku in TEN:
        click_tile(qtbot, window, tile_row(window, sku))
        row = len(sale.cart.lines) - 1
        line = sale.table.visualRect(sale.cart_model.index(row, 0))
        assert sale.table.viewport().rect().contains(line), (sku, line)
    assert sale.table.verticalScrollBar().isVisible()  # the cart was longer than its box


def test_a_split_payment_typed_at_the_keyboard_says_what_is_left(qtbot: Any,
                                                                  make_window: Any) -> None:
    window = make_window(size=SMALL)
    sale = window.sale
    for sku in ("ARG-250", "SAF-1G"):  # 120,00 + 35,00
        qtbot.keyClicks(sale.search, sku)
        qtbot.keyClick(sale.search, RETURN)
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F6)  # card
        dialog.amount.setText("100")
        qtbot.keyClicks(dialog.reference, "CB1234")
        qtbot.keyClick(dialog.reference, RETURN)
        seen["card"] = (dialog.banner.text(), dialog.banner.property("role"),
                        dialog.due.text(), dialog.isVisible())
        qtbot.keyClicks(dialog.tendered, "20")  # cash, short of the 55,00 left
        qtbot.keyClick(dialog.tendered, RETURN)
        seen["cash"] = (dialog.banner.text(), dialog.banner.property("role"),
                        dialog.due.text(), dialog.isVisible())
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)  # the exact rest
        qtbot.keyClick(dialog.tendered, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(sale.search, Qt.Key.Key_F12)
    left = "Partie enregistrée. Reste : {}\u00a0DH"
    assert seen["card"] == (left.format("55,00"), "notice", "55,00\u00a0DH", True)
    assert seen["cash"] == (left.format("35,00"), "notice", "35,00\u00a0DH", True)
    assert sale.cart.is_empty
    assert sale.last_sale.text().startswith(
        "Ticket n° T01-000001 enregistré\u00a0: 155,00\u00a0DH")
    with window.ctx.read() as s:
        from pos.models import Sale

        paid = [(p.method, p.amount) for p in s.query(Sale).one().payments]
    assert paid == [("card", 10000), ("cash", 2000), ("cash", 3500)]


def test_the_ticket_just_refunded_stays_the_one_shown(qtbot: Any, make_window: Any) -> None:
    window = make_window(size=SMALL)
    ring(qtbot, window, ["HNY-THY"], (20000,))  # T01-000001, 150,00
    ring(qtbot, window, ["ROS-200"], (5000,))  # T01-000002, 40,00
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    refund_all(qtbot, screen)
    assert [screen.table.item(r, 0).text() for r in range(3)] == [
        "T01-000003", "T01-000002", "T01-000001"]
    chosen = screen.selected()
    assert chosen is not None and chosen.number == 1
    assert screen.detail_title.text().startswith("Vente T01-000001")
    assert "Remboursée : T01-000003" in screen.detail.text()


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_kind_of_each_ticket_is_read_whole(qtbot: Any, make_window: Any,
                                               lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    ring(qtbot, window, ["HNY-THY"], (20000,))
    ring(qtbot, window, ["ROS-200"], (5000,))
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(2)
    on_modal(qtbot, "voidDialog", lambda d: (
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN)),
        qtbot.mouseClick(d.ok, LEFT)))
    qtbot.mouseClick(screen.void_btn, LEFT)
    screen.select_number(1)
    refund_all(qtbot, screen)
    t = window.ctx.t
    kinds = [screen.table.item(r, 2).text() for r in range(4)]
    assert kinds == [t("ui.sales.kind_refund"), t("ui.sales.kind_void"),
                     t("ui.sales.kind_voided"), t("ui.sales.kind_refunded")]
    header = screen.table.horizontalHeader()
    needed = screen.table.sizeHintForColumn(2)  # the widest kind with the cell's margins
    assert needed > screen.table.fontMetrics().horizontalAdvance(max(kinds, key=len))
    assert header.sectionSize(2) >= needed


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_product_dialog_shows_its_buttons_whole(qtbot: Any, make_window: Any,
                                                    lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    with window.ctx.read() as s:
        manager = users.authenticate(s, MANAGER_PIN)
        s.expunge(manager)
    window.ctx.set_user(manager)
    window.show_screen("products")
    sizes: list[tuple[str, int, int]] = []

    def look(dialog: Any) -> None:
        for btn in dialog.findChildren(QPushButton):
            if btn.isVisible():
                sizes.append((btn.text(), btn.width(), btn.sizeHint().width()))
        rect = dialog.rect()
        for child in (dialog.ok, dialog.cancel):
            assert rect.contains(QRect(child.mapTo(dialog, child.rect().topLeft()),
                                       child.size()))

    on_modal(qtbot, "productDialog", look)
    qtbot.mouseClick(window.products.add_btn, LEFT)
    photo = {"fr": "Choisir une photo…", "ar": "اختيار صورة…", "en": "Choose a photo…"}[lang]
    assert photo in [text for text, _w, _h in sizes]
    assert all(width >= hint for _t, width, hint in sizes), sizes


def test_a_refund_starts_at_the_quantities_and_a_void_leaves_the_keys_on_the_list(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HNY-THY", "ROS-200"], (20000,))  # T01-000001
    ring(qtbot, window, ["TAJ-M"], (20000,))  # T01-000002
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    focused: list[bool] = []

    def look(dialog: Any) -> None:
        first = next(iter(dialog.fields.values()))
        focused.append(dialog.focusWidget() is first)
        dialog.reject()

    on_modal(qtbot, "refundDialog", look)
    qtbot.mouseClick(screen.refund_btn, LEFT)
    assert focused == [True]  # the first quantity, ready to be typed
    screen.select_number(2)

    def void(dialog: Any) -> None:
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "voidDialog", void)
    qtbot.mouseClick(screen.void_btn, LEFT)
    assert not screen.void_btn.isEnabled()  # the ticket is voided
    assert window.focusWidget() is screen.table  # the arrows still move along the tickets


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_ticket_given_back_whole_offers_no_refund_and_says_why(qtbot: Any, make_window: Any,
                                                                  lang: str) -> None:
    window = make_window(size=SMALL, lang=lang)
    ring(qtbot, window, ["HNY-THY", "ROS-200"], (20000,))  # T01-000001
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    assert screen.refund_btn.isEnabled() and screen.hint.text() == ""
    refund_all(qtbot, screen)
    screen.select_number(1)
    words = tr(lang, "ui.sales.nothing_left")
    assert not screen.refund_btn.isEnabled()
    assert screen.hint.isVisible() and screen.hint.text() == words
    assert screen.refund_btn.toolTip() == words
    screen.select_number(2)  # the refund itself
    assert not screen.refund_btn.isEnabled() and screen.hint.text() == ""


def red_pixels(widget: Any) -> int:
    """The pixels of ``widget`` drawn in the red of a danger button's words."""
    image = widget.grab().toImage()
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if (c := image.pixelColor(x, y)).red() > 140 and c.green() < 90
               and c.blue() < 90)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_ticket_refunded_in_part_says_why_it_cannot_be_voided_and_a_void_says_what_it_does(
        qtbot: Any, make_window: Any, lang: str) -> None:
    window = make_window(size=SMALL, lang=lang)
    ring(qtbot, window, ["HNY-THY", "SAV-BLD", "SAV-BLD", "AML-250"], (20000, 10000))  # 1
    ring(qtbot, window, ["ARG-250"], (20000,))  # T01-000002
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)

    def refund_a_soap(dialog: Any) -> None:
        soap = next(i for i, ln in enumerate(dialog.sale.lines) if ln.sku == "SAV-BLD")
        qtbot.keyClicks(dialog.findChild(type(dialog.reason.lineEdit()), f"refundQty_{soap}"),
                        "1")
        dialog.reason.setCurrentIndex(0)
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "refundDialog", refund_a_soap)
    qtbot.mouseClick(screen.refund_btn, LEFT)
    screen.select_number(1)
    why = tr(lang, "ui.sales.refunded_no_void")
    assert screen.refund_btn.isEnabled() and not screen.void_btn.isEnabled()
    assert screen.hint.isVisible() and screen.hint.text() == why
    assert screen.void_btn.toolTip() == why
    assert red_pixels(screen.void_btn) == 0  # it looks as disabled as it is
    # the refund is said above the lines, which scroll on this screen
    assert screen.detail.text().startswith(
        f"<p><b>{tr(lang, 'ui.sales.refunded_by', tickets=screen.label_of(3))}</b></p>")

    screen.select_number(2)
    assert screen.void_btn.isEnabled() and red_pixels(screen.void_btn) > 0
    seen: list[tuple[str, str, bool]] = []

    def void(dialog: Any) -> None:
        seen.append((dialog.ok.text(), dialog.cancel.text(),
                     all(b.width() >= b.sizeHint().width() for b in (dialog.ok, dialog.cancel))))
        on_modal(qtbot, "pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "voidDialog", void)
    qtbot.mouseClick(screen.void_btn, LEFT)
    # "Annuler" / "إلغاء" would name both the void and going back
    assert seen == [(tr(lang, "ui.void.do"), tr(lang, "ui.void.keep"), True)]
    assert tr(lang, "ui.void.keep") != tr(lang, "ui.cancel")
    screen.select_number(2)
    assert not screen.refund_btn.isEnabled() and not screen.void_btn.isEnabled()
    assert screen.hint.text() == tr(lang, "ui.sales.voided")  # not "refunded"
