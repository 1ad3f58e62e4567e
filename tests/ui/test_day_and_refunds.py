"""Around the sale: refunds and voids with the manager's PIN, the day's cash count with a
difference, the Z report; the journal holds exactly what was done."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from sqlalchemy import select

from pos import backup, checkout, day, receipts, refunds, users
from pos.cart import Cart, PaymentSpec, cash
from pos.db import DB_FILENAME, Store
from pos.i18n import tr
from pos.models import BusinessDay, Product, Sale, utcnow
from pos.money import format_amount, format_money
from tests.helpers import drawn_order, drawn_shapes, painted_shapes
from tests.ui.conftest import (
    MANAGER_PIN,
    click_tile,
    journal_kinds,
    on_modal,
    tile_row,
    type_pin,
)
from tests.ui.test_language_and_layout import problems
from tests.ui.test_sale_guards import on_modal as on_modal_active
from ui.widgets import ask_manager, unbroken

LEFT = Qt.MouseButton.LeftButton


def ring(qtbot: Any, window: Any, skus: list[str], notes: tuple[int, ...]) -> None:
    window.show_screen("sale")
    for sku in skus:
        click_tile(qtbot, window, tile_row(window, sku))

    def pay(dialog: Any) -> None:
        for note in notes:
            qtbot.mouseClick(dialog.findChild(QPushButton, f"payNote_{note}"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)


def test_refund_one_line_with_the_manager_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HNY-THY", "SAV-BLD", "SAV-BLD"], (20000, 5000))  # 150 + 2x30
    window.show_screen("sales")
    screen = window.sales
    assert screen.table.rowCount() == 1
    screen.table.selectRow(0)
    assert "210,00" in screen.detail.text()
    wrong: list[str] = []

    def refund(dialog: Any) -> None:
        soap_row = next(i for i, ln in enumerate(dialog.sale.lines) if ln.sku == "SAV-BLD")
        qtbot.keyClicks(dialog.findChild(type(dialog.reason.lineEdit()),
                                         f"refundQty_{soap_row}"), "1")
        dialog.reason.setCurrentIndex(0)

        def pin(pin_dialog: Any) -> None:
            type_pin(qtbot, pin_dialog, "0000")
            wrong.append(pin_dialog.banner.text())
            type_pin(qtbot, pin_dialog, MANAGER_PIN)

        on_modal("pinDialog", pin)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(screen.refund_btn, LEFT)
    assert wrong and wrong[0]
    with window.ctx.read() as s:
        rows = list(s.scalars(select(Sale).order_by(Sale.number)))
    assert [(r.kind, r.total) for r in rows] == [("sale", 21000), ("refund", -3000)]
    assert rows[1].reverses == rows[0].id and rows[1].authorised_by is not None
    assert [(p.method, p.amount) for p in rows[1].payments] == [("cash", -3000)]
    assert screen.table.rowCount() == 2
    assert journal_kinds(window) == ["day_open", "sale", "refund"]


def test_a_card_sale_is_refunded_to_the_card(qtbot: Any, make_window: Any) -> None:
    """The card is offered, with a field for the reference of the operation on the
    terminal: none typed is said before the PIN is asked, the field marked; the one typed
    is kept on the refund's payment and printed on its receipt."""
    window = make_window()
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "HAT-DM"))
    total = window.sale.cart.totals().total
    window.sale.complete([PaymentSpec("card", total, None, "CB-4411")])
    window.show_screen("sales")
    window.sales.table.selectRow(0)
    shown: list[Any] = []

    def pin(pin_dialog: Any) -> None:
        shown.append("pin")
        type_pin(qtbot, pin_dialog, MANAGER_PIN)

    def refund(dialog: Any) -> None:
        shown.append((dialog.method.currentData(), dialog.reference.isVisible()))
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)
        on_modal("pinDialog", pin)
        qtbot.mouseClick(dialog.ok, LEFT)  # no reference typed
        shown.append((dialog.banner.text(), bool(dialog.reference.property("wrong")),
                      dialog.focusWidget() is dialog.reference, dialog.isVisible()))
        dialog.reference.insert(" RB-2207 ")
        assert not dialog.reference.property("wrong")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    assert shown == [("card", True), (window.ctx.t("payment.reference_needed"), True, True, True),
                     "pin"]
    with window.ctx.read() as s:
        refund_sale = s.scalars(select(Sale).where(Sale.kind == "refund")).one()
        assert [(p.method, p.amount, p.reference) for p in refund_sale.payments] == [
            ("card", -total, "RB-2207")]
        text = receipts.load_sale_receipt(s, refund_sale.id, lang="fr").plain_text()
    assert "RB-2207" in text


def sold_by_card_yesterday(data_dir: Path, sku: str) -> None:
    """Before the window opens today's day: yesterday's day, closed, whose one sale (ticket
    1, one ``sku``) was paid by card."""
    store = Store.open(data_dir / DB_FILENAME)
    try:
        with store.write() as s:
            manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
            morning = utcnow() - dt.timedelta(days=1)
            day.open_day(s, 50000, user=manager, at=morning)
            product = s.scalar(select(Product).where(Product.sku == sku))
            cart = Cart()
            cart.add(product)
            checkout.complete(s, cart, [PaymentSpec("card", cart.totals().total, None, "CB-1")],
                              cashier=manager, at=morning + dt.timedelta(hours=1))
            day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager,
                          at=morning + dt.timedelta(hours=2))
    finally:
        store.close()


def sell(qtbot: Any, window: Any, skus: list[str], payments: list[PaymentSpec]) -> None:
    """Ring ``skus`` on the sale screen, paid by ``payments``."""
    window.show_screen("sale")
    for sku in skus:
        click_tile(qtbot, window, tile_row(window, sku))
    assert window.sale.complete(payments)


def split_text(dialog: Any) -> str:
    return str(dialog.findChild(QLabel, "refundSplitConfirmText").text())


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_split_paid_sale_goes_back_to_the_card_up_to_what_it_paid(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """Two tajines, 300,00: 200,00 by card and 100,00 in cash. Given back whole to the card
    that paid most, the card takes back its 200,00 and the rest is cash: the seller is
    asked before the PIN; "no" goes back to the dialog, nothing asked nor recorded."""
    window = make_window(lang=lang)
    sell(qtbot, window, ["TAJ-M", "TAJ-M"],
         [PaymentSpec("card", 20000, None, "CB-4411"), cash(10000)])
    window.show_screen("sales")
    window.sales.select_number(1)
    seen: list[Any] = []

    def pin(pin_dialog: Any) -> None:
        seen.append("pin")
        type_pin(qtbot, pin_dialog, MANAGER_PIN)

    def refund(dialog: Any) -> None:
        seen.append(dialog.method.currentData())
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)
        dialog.reference.insert("RB-77")

        def no(split: Any) -> None:
            seen.append(("no", split.windowTitle(), split_text(split)))
            qtbot.mouseClick(split.cancel, LEFT)

        on_modal("refundSplitConfirm", no)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.isVisible())

        def yes(split: Any) -> None:
            seen.append("yes")
            on_modal("pinDialog", pin)
            qtbot.mouseClick(split.ok, LEFT)

        on_modal("refundSplitConfirm", yes)
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    t = window.ctx.t
    question = t("ui.refund.split_card", part=format_money(20000, lang),
                 cash=format_money(10000, lang))
    assert seen == ["card", ("no", t("ui.refund.split_title"), question), True, "yes", "pin"]
    if lang == "fr":
        assert question == ("On ne peut plus rendre que 200,00\u00a0DH de ce ticket sur la "
                            "carte.\nRendre 200,00\u00a0DH sur la carte et 100,00\u00a0DH en "
                            "espèces\u00a0?")
    else:
        assert format_money(20000, "ar") in question and "نقدًا؟" in question
    with window.ctx.read() as s:
        back = s.scalars(select(Sale).where(Sale.kind == "refund")).one()
        assert back.total == -30000
        assert [(p.method, p.amount, p.reference) for p in back.payments] == [
            ("card", -20000, "RB-77"), ("cash", -10000, "")]
    assert journal_kinds(window) == ["day_open", "sale", "refund"]


def test_a_card_that_gave_back_all_it_paid_is_not_offered(qtbot: Any,
                                                          make_window: Any) -> None:
    """4 soaps, 120,00: 70,00 by card, 50,00 in cash; three given back already, 70,00 of
    them to the card. For the last, cash is offered and no reference asked; the card
    chosen all the same, the seller is told it takes nothing more and agrees to cash."""
    window = make_window()
    sell(qtbot, window, ["SAV-BLD"] * 4, [PaymentSpec("card", 7000, None, "CB-4411"),
                                          cash(5000)])
    with window.ctx.write() as s:
        manager = users.authenticate(s, MANAGER_PIN)
        sale = s.scalars(select(Sale)).one()
        line = sale.lines[0].id
        for quantity in (2000, 1000):
            room = refunds.method_room(s, sale)
            amount = refunds.amount_of(s, sale, {line: quantity})
            refunds.refund(s, sale.id, quantities={line: quantity}, reason="x",
                           manager=manager, parts=refunds.parts_for(room, amount, "card", "R"))
        assert refunds.method_room(s, sale) == {"card": 0, "mobile": 0, "cash": 3000}
    window.show_screen("sales")
    window.sales.select_number(1)
    seen: list[Any] = []

    def refund(dialog: Any) -> None:
        seen.append((dialog.method.currentData(), dialog.reference.isVisible()))
        dialog.method.setCurrentIndex(dialog.method.findData("card"))
        seen.append(dialog.reference.isVisible())
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)

        def yes(split: Any) -> None:
            seen.append(split_text(split))
            on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
            qtbot.mouseClick(split.ok, LEFT)

        on_modal("refundSplitConfirm", yes)
        qtbot.mouseClick(dialog.ok, LEFT)  # no reference: nothing goes to the card

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    assert seen == [("cash", False), True,
                    "Plus rien de ce ticket ne peut être rendu sur la carte.\nRendre "
                    "30,00\u00a0DH en espèces\u00a0?"]
    with window.ctx.read() as s:
        last = s.scalars(select(Sale).where(Sale.kind == "refund")
                         .order_by(Sale.number.desc())).first()
        assert last is not None
        assert [(p.method, p.amount) for p in last.payments] == [("cash", -3000)]


@pytest.mark.parametrize(("lang", "weighed"), [("fr", "1,25 kg"), ("ar", "1,25 كلغ"),
                                               ("en", "1.25 kg")])
def test_the_refundable_quantity_of_a_weighed_product_has_its_unit(
        qtbot: Any, make_window: Any, lang: str, weighed: str) -> None:
    """As the cart writes it: 1,25 kg of honey left to give back, 2 soaps (no unit)."""
    window = make_window(lang=lang)
    with window.ctx.write() as s:
        cart = Cart()
        cart.add(s.scalar(select(Product).where(Product.sku == "HNY-KG")), 1250)
        cart.add(s.scalar(select(Product).where(Product.sku == "SAV-BLD")), 2000)
        checkout.complete(s, cart, [cash(cart.totals().total)], cashier=None)
    window.show_screen("sales")
    window.sales.select_number(1)
    seen: list[str] = []

    def look(dialog: Any) -> None:
        seen.extend(dialog.findChild(QLabel, f"refundSold_{row}").text() for row in (0, 1))
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("refundDialog", look)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    t = window.ctx.t
    assert seen == [t("ui.refund.left", qty=weighed), t("ui.refund.left", qty="2")]


def test_cancelled_pin_records_nothing(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["HAT-DM"], (10000,))
    window.show_screen("sales")
    window.sales.table.selectRow(0)

    def refund(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentText("abîmé")
        on_modal("pinDialog", lambda pin: qtbot.mouseClick(pin.cancel, LEFT))
        qtbot.mouseClick(dialog.ok, LEFT)
        assert dialog.isVisible()
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    assert journal_kinds(window) == ["day_open", "sale"]


def test_void_a_ticket(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["BSK-DM"], (10000,))
    window.show_screen("sales")
    window.sales.table.selectRow(0)
    on_modal("voidDialog", lambda d: (
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN)),
        qtbot.mouseClick(d.ok, LEFT)))
    qtbot.mouseClick(window.sales.void_btn, LEFT)
    with window.ctx.read() as s:
        kinds = [(r.kind, r.total) for r in s.scalars(select(Sale).order_by(Sale.number))]
    assert kinds == [("sale", 7000), ("void", -7000)]
    assert journal_kinds(window) == ["day_open", "sale", "void"]


def test_open_day_cash_out_and_close_with_a_difference(qtbot: Any, make_window: Any) -> None:
    window = make_window(day_open=False)
    window.show_screen("day")
    screen = window.day
    assert screen.open_btn.isVisible()

    def float_500(dialog: Any) -> None:
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, "500")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("openDayDialog", float_500)
    qtbot.mouseClick(screen.open_btn, LEFT)
    assert screen.count_card.isVisible()
    assert "Journée ouverte" in window.day_status.text()
    ring(qtbot, window, ["TAJ-M"], (20000,))  # +150 cash
    window.show_screen("day")

    def cash_out(dialog: Any) -> None:
        qtbot.keyClicks(dialog.amount, "20")
        qtbot.keyClicks(dialog.reason, "sacs")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("cashDialog", cash_out)
    qtbot.mouseClick(screen.cash_out_btn, LEFT)
    assert screen.expected == 50000 + 15000 - 2000  # 630,00
    screen.counts[20000].setValue(3)  # 600
    screen.counts[1000].setValue(2)  # 20 -> 620: short by 10
    assert "620,00" in screen.counted_label.text()
    assert screen.difference.text() == "Il manque 10,00\u00a0DH"
    shown: list[str] = []
    asked: list[str] = []

    def close_pin(pin: Any) -> None:
        asked.append("pin")
        on_modal("receiptDialog", lambda d: (shown.append(d.windowTitle()), d.accept()))
        type_pin(qtbot, pin, MANAGER_PIN)

    def back(dialog: Any) -> None:
        asked.append(confirm_text(dialog))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # going back is the default

    on_modal("pinDialog", close_pin)
    on_modal_active(qtbot, "closeDayConfirm", back)
    qtbot.mouseClick(screen.close_btn, LEFT)
    assert asked == ["Attendu : 630,00\u00a0DH\nCompté : 620,00\u00a0DH\n"
                     "Il manque 10,00\u00a0DH\n\n"
                     "La clôture imprime le rapport Z et ne peut pas être annulée."]
    assert journal_kinds(window) == ["day_open", "sale", "cash_out"]  # nothing written
    assert screen.count_card.isVisible() and "Journée ouverte" in window.day_status.text()

    on_modal_active(qtbot, "closeDayConfirm", lambda d: qtbot.mouseClick(d.ok, LEFT))
    qtbot.mouseClick(screen.close_btn, LEFT)
    assert asked[1:] == ["pin"]  # the PIN once the close is confirmed
    assert shown and "Z" in shown[0]
    with window.ctx.read() as s:
        closed = s.scalars(select(BusinessDay)).one()
    assert closed.z_number == 1 and closed.counted == 62000 and closed.expected == 63000
    assert closed.count_detail == {"20000": 3, "1000": 2}
    assert "Journée fermée" in window.day_status.text()
    assert journal_kinds(window) == ["day_open", "sale", "cash_out", "day_close"]
    qtbot.waitUntil(lambda: len(backup.list_backups(window.ctx.db_path)) == 1, timeout=5000)
    (kept,) = backup.list_backups(window.ctx.db_path)
    assert kept.name.endswith("-z.sqlite3")  # the closed day is backed up, off the UI thread


def confirm_text(dialog: Any) -> str:
    return str(dialog.findChild(QLabel, "closeDayConfirmText").text())


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_closing_with_nothing_counted_says_so_and_goes_back_to_the_count(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    window = make_window(lang=lang)  # opened with 500,00 of float: 500,00 expected
    ring(qtbot, window, ["TAJ-M"], (20000,))  # +150,00 cash
    window.show_screen("day")
    screen = window.day
    seen: list[tuple[str, str, bool, str]] = []
    asked: list[int] = []

    def back(dialog: Any) -> None:
        seen.append((dialog.windowTitle(), confirm_text(dialog), dialog.cancel.isDefault(),
                     dialog.cancel.text()))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    def close_pin(pin: Any) -> None:
        asked.append(len(seen))
        on_modal("receiptDialog", lambda d: d.accept())
        type_pin(qtbot, pin, MANAGER_PIN)

    on_modal("pinDialog", close_pin)
    on_modal_active(qtbot, "closeDayConfirm", back)
    qtbot.mouseClick(screen.close_btn, LEFT)
    ((title, text, back_is_default, back_text),) = seen
    empty, missing, go_back = {
        "fr": ("La caisse n'a pas été comptée", "Il manque", "Revenir au comptage"),
        "ar": ("لم يُعَدّ الصندوق", "ناقص", "الرجوع إلى العدّ"),
        "en": ("The cash has not been counted", "Short by", "Back to the count"),
    }[lang]
    missing += " " + format_money(65000, lang)
    assert title == empty and missing in text and back_is_default and back_text == go_back
    assert journal_kinds(window) == ["day_open", "sale"]  # no PIN asked, nothing written
    assert asked == [] and window.ctx.open_day() is not None
    assert window.focusWidget() is screen.counts[20000]  # back at the count, its first field

    on_modal_active(qtbot, "closeDayConfirm", lambda d: qtbot.mouseClick(d.ok, LEFT))
    qtbot.mouseClick(screen.close_btn, LEFT)  # closing anyway is the seller's choice
    assert asked == [1]  # the PIN, once closing anyway is chosen
    with window.ctx.read() as s:
        closed = s.scalars(select(BusinessDay)).one()
    assert (closed.counted, closed.expected) == (0, 65000)


def test_x_report_is_shown(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["MNT-BND"], (500,))
    window.show_screen("day")
    shown: list[str] = []
    on_modal("receiptDialog", lambda d: (shown.append(d.windowTitle()), d.accept()))
    qtbot.mouseClick(window.day.x_btn, LEFT)
    assert shown and "X" in shown[0]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_refund_quantities_are_checked_before_the_pin(qtbot: Any, make_window: Any,
                                                      monkeypatch: Any, lang: str) -> None:
    """More than is left, or half a bottle, is answered on the dialog with the field
    marked; the manager types the PIN once, for what can be given back."""
    import ui.sales

    asked: list[bool] = []
    ready = [False]  # the quantities are right: the PIN may be asked

    def ask(*args: Any) -> Any:
        asked.append(ready[0])
        return ask_manager(*args) if ready[0] else None  # too early: as if cancelled

    monkeypatch.setattr(ui.sales, "ask_manager", ask)
    window = make_window(lang=lang)
    ring(qtbot, window, ["ARG-250", "SAV-BLD", "SAV-BLD"], (20000,))  # 120 + 2 x 30
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    seen: list[tuple[str, bool, bool, bool]] = []

    def refund(dialog: Any) -> None:
        bottle, soap = dialog.fields.values()

        def press_ok(field: Any) -> None:
            qtbot.mouseClick(dialog.ok, LEFT)
            seen.append((dialog.banner.text(), bool(field.property("wrong")),
                         dialog.focusWidget() is field, dialog.isVisible()))

        dialog.reason.setCurrentIndex(0)
        qtbot.keyClicks(bottle, "2")  # one was sold
        press_ok(bottle)
        bottle.clear()
        qtbot.keyClicks(soap, "0,5")  # half a soap
        press_ok(soap)
        assert not bottle.property("wrong")
        soap.clear()
        qtbot.keyClicks(soap, "1")
        assert not soap.property("wrong")  # typing again clears the mark
        ready[0] = True
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(screen.refund_btn, LEFT)
    t = window.ctx.t
    bottle = window.ctx.name_of("زيت أركان غذائي 250 مل", "Huile d'argan alimentaire 250 ml")
    soap = window.ctx.name_of("صابون بلدي بالأوكالبتوس", "Savon noir beldi à l'eucalyptus")
    assert seen == [(t("refund.too_much", name=bottle), True, True, True),
                    (t("refund.whole_pieces", name=soap), True, True, True)]
    assert ("Huile" in seen[0][0]) == (lang != "ar")
    assert asked == [True]  # once, when the quantities were right
    with window.ctx.read() as s:
        back = s.scalars(select(Sale).where(Sale.kind == "refund")).one()
        assert [(ln.sku, ln.quantity) for ln in back.lines] == [("SAV-BLD", -1000)]
    assert journal_kinds(window) == ["day_open", "sale", "refund"]


def test_the_backup_after_a_close_goes_to_the_laptop_when_the_stick_is_pulled(
    qtbot: Any, make_window: Any, tmp_path: Any
) -> None:
    window = make_window(lang="fr")
    window.show_screen("day")
    screen = window.day
    stick = tmp_path / "media" / "USB"  # chosen, then pulled
    screen.backup_after_close(3, str(stick))
    qtbot.waitUntil(lambda: screen.backup_task.isFinished(), timeout=10000)
    qtbot.waitUntil(screen.banner.isVisible, timeout=5000)
    (kept,) = backup.list_backups(window.ctx.db_path)
    assert kept.name.endswith("-z.sqlite3") and not stick.exists()
    assert screen.banner.text().startswith(
        f"Le dossier de sauvegarde {unbroken(str(stick))} est inutilisable")
    assert screen.banner.text().endswith(
        f"dossier de l'ordinateur : {unbroken(str(kept))}")


def test_the_backup_after_a_close_in_a_folder_of_the_laptop_says_it_is_no_copy_off_it(
    qtbot: Any, make_window: Any, tmp_path: Any
) -> None:
    window = make_window(lang="fr")
    window.show_screen("day")
    screen = window.day
    folder = tmp_path / "media" / "usb0"  # a stick's mount point, the stick pulled
    folder.mkdir(parents=True)
    screen.backup_after_close(3, str(folder))
    qtbot.waitUntil(lambda: screen.backup_task.isFinished(), timeout=10000)
    qtbot.waitUntil(screen.banner.isVisible, timeout=5000)
    (kept,) = folder.glob(backup.PATTERN)
    assert kept.name.endswith("-z.sqlite3")
    assert screen.banner.text() == (
        f"Sauvegarde écrite\u00a0: {unbroken(str(kept))}. Ce dossier est sur le disque de "
        "l'ordinateur, pas sur une clé USB\u00a0: ce n'est pas une copie hors de "
        "l'ordinateur. Branchez la clé USB, puis appuyez sur «\u00a0Sauvegarder "
        "maintenant\u00a0» dans Réglages → Sauvegardes\u00a0: seule une copie hors de "
        "l'ordinateur survit à sa panne.")
    assert screen.banner.property("role") == "alert"


def refund_all(qtbot: Any, screen: Any) -> None:
    """Refund the whole ticket selected on the tickets ``screen``, with the manager's PIN."""

    def refund(dialog: Any) -> None:
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(screen.refund_btn, LEFT)


def table_rows(label: QLabel, rtl: bool) -> dict[str, str]:
    """The rows of a rich-text table (ui.figures.rich_table) as name -> figure, as read."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", label.text()):
        cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if rtl:
            cells.reverse()
        rows[cells[0]] = cells[1]
    return rows


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_refund_shows_on_the_day_screen_as_on_the_x_report(qtbot: Any, make_window: Any,
                                                             lang: str) -> None:
    """After a sale and its refund the net is nothing: the day screen says why, the refunds'
    count and amount under the sales', with the figures the X report prints."""
    window = make_window(lang=lang)
    ring(qtbot, window, ["TAJ-M"], (20000,))  # 150,00
    window.show_screen("sales")
    window.sales.select_number(1)
    refund_all(qtbot, window.sales)
    # on the tickets screen, the refund's total below zero: its minus painted at the left
    # of the six marks of 150,00, the refund's row chosen (light text on dark) or not
    tickets = window.sales.table
    refund = next(row for row, sale in enumerate(window.sales.shown) if sale.number == 2)
    total = tickets.visualItemRect(tickets.item(refund, tickets.columnCount() - 1))
    for number in (1, 2):
        window.sales.select_number(number)
        assert "-######" in painted_shapes(tickets.viewport(), total)
    window.show_screen("day")
    t = window.ctx.t
    rows = table_rows(window.day.summary, lang == "ar")
    sales, refunded = f"{t('report.sales')} (1)", f"{t('report.refunds')} (1)"
    assert [(name, rows.get(name)) for name in (sales, refunded, t("report.net"))] == [
        (sales, format_money(15000, lang)), (refunded, format_money(-15000, lang)),
        (t("report.net"), format_money(0, lang))]
    assert not any(name.startswith(t("report.voids")) for name in rows)  # none to show
    if lang == "ar":  # the minus drawn before the digits, the currency at their left
        assert drawn_order(rows[refunded], Qt.LayoutDirection.RightToLeft) == ".م.د-150,00"
    with window.ctx.read() as s:
        day_id = window.ctx.open_day().id
        x = receipts.load_day_report(s, day_id, "x", lang=lang)
    printed = {b.label: b.value for b in x.blocks if isinstance(b, receipts.Columns)}
    assert printed[f"{tr(lang, 'receipt.report.sales')} (1)"] in rows[sales]
    assert printed[f"{tr(lang, 'receipt.report.refunds')} (1)"] in rows[refunded]
    assert printed[tr(lang, "receipt.report.net")] == rows[t("report.net")]


def test_a_void_shows_on_the_day_screen(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    ring(qtbot, window, ["BSK-DM"], (10000,))  # 70,00
    window.show_screen("sales")
    window.sales.select_number(1)

    def void(dialog: Any) -> None:
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("voidDialog", void)
    qtbot.mouseClick(window.sales.void_btn, LEFT)
    window.show_screen("day")
    rows = table_rows(window.day.summary, rtl=False)
    assert (rows["Ventes (1)"], rows["Remboursements (0)"], rows["Annulations (1)"],
            rows["Ventes nettes"]) == ("70,00\u00a0DH", "0,00\u00a0DH", "-70,00\u00a0DH",
                                       "0,00\u00a0DH")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_cart_discount_is_written_below_zero(qtbot: Any, make_window: Any, lang: str) -> None:
    """The discount under the cart's total reads as an amount taken off, its minus drawn
    before the digits in Arabic too."""
    window = make_window(lang=lang)
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00: 10 % is 6,50
    on_modal("cartDiscountDialog", lambda d: qtbot.mouseClick(
        d.findChild(QPushButton, "cartDiscountDialogQuick10"), LEFT))
    qtbot.mouseClick(window.sale.cart_disc_btn, LEFT)
    shown = window.sale.discount_label.text()
    assert shown == window.ctx.t("ui.cart.discount_total", amount=format_money(-650, lang))
    drawn = {"ar": ".م.د-6,50ضيفختلا", "fr": "Remise-6,50DH"}[lang]
    assert drawn_order(shown) == drawn  # as a label lays it out


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_ten_centime_coins_are_taken_and_counted(qtbot: Any, make_window: Any,
                                                  lang: str) -> None:
    """The 10-centime coin (Morocco's smallest in use) has its key when paying and its line
    in the cash count, which still fit a 1024x600 screen."""
    window = make_window(lang=lang, size=(1024, 600))
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "MNT-BND"))  # 5,00
    seen: list[tuple[str, str, str, list[str]]] = []

    def pay(dialog: Any) -> None:
        coin = dialog.findChild(QPushButton, "payNote_10")
        assert isinstance(coin, QPushButton)  # else the dialog is closed, the test fails
        for value in (500, 10, 10):
            qtbot.mouseClick(dialog.findChild(QPushButton, f"payNote_{value}"), LEFT)
        qtbot.wait(1)  # the change's caption, longer now, laid out again
        seen.append((coin.text(), coin.accessibleName(), dialog.tendered.text(),
                     problems(dialog)))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal_active(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen == [("0,10", format_money(10, lang), "5,20", [])]
    window.show_screen("day")
    screen = window.day
    screen.counts[10].setValue(3)
    screen.counts[20000].setValue(2)
    qtbot.wait(1)
    assert screen.counted_label.text() == window.ctx.t(
        "ui.day.counted", amount=format_money(40030, lang))
    field = screen.counts[10]
    assert field.isVisible() and window.rect().contains(
        QRect(field.mapTo(window, QPoint(0, 0)), field.size()))
    assert window.height() <= 600 and problems(window) == []
    assert screen.counted() == {10: 3, 20000: 2}


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_paying_the_porter_is_typed_at_the_keyboard_and_the_drawer_adds_up(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    """The cash-out dialog opens on its amount: the manager types the amount, Tab, the
    reason, Enter. The day's screen then shows the money taken out with its minus, as the
    X report prints it, so that the float, the cash sales, the cash put in and the cash
    taken out add up to the cash expected."""
    window = make_window(lang=lang, size=(1024, 600))  # 500,00 of float
    ring(qtbot, window, ["TAJ-M"], (20000,))  # +150,00 cash
    window.show_screen("day")
    screen = window.day

    def porter(dialog: Any) -> None:
        field = dialog.focusWidget()
        qtbot.keyClicks(field, "30")
        qtbot.keyClick(field, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.focusWidget(), "porter")
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)

    on_modal_active(qtbot, "cashDialog", porter)
    qtbot.mouseClick(screen.cash_out_btn, LEFT)
    assert journal_kinds(window) == ["day_open", "sale", "cash_out"]
    shown = re.findall(r"<b>([^<]*)</b>", screen.summary.text())
    float_, sales, out, expected = shown[0], shown[1], shown[3], shown[4]
    assert (float_, sales, out, expected) == tuple(
        format_money(v, lang) for v in (50000, 15000, -3000, 62000))
    assert screen.expected == 50000 + 15000 - 3000


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_day_screen_opens_on_the_count_or_on_opening_the_day(
    qtbot: Any, make_window: Any, lang: str
) -> None:
    """F3 at the end of the day: the first note's field has the focus, so the count is
    typed at once (and Enter opens no cash dialog); nothing is said missing before the
    count starts. On a closed day, the Open button has the focus."""
    window = make_window(lang=lang, size=(1024, 600))  # 500,00 of float
    screen = window.day
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: window.focusWidget() is screen.counts[20000])
    assert screen.difference.text() == tr(lang, "ui.day.not_counted")
    qtbot.keyClicks(window.focusWidget(), "3")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert screen.counted_label.text() == tr(lang, "ui.day.counted",
                                             amount=format_money(60000, lang))
    assert screen.difference.text() == tr(lang, "ui.day.surplus",
                                          amount=format_money(10000, lang))
    assert window.ctx.open_day() is not None

    with window.ctx.write() as s:
        from pos import day, users

        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        day.close_day(s, {20000: 3}, manager=manager)
    window.ctx.day_changed.emit()
    window.show_screen("sale")
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: window.focusWidget() is screen.open_btn)
    opened: list[str] = []
    on_modal("openDayDialog", lambda d: (opened.append(d.objectName()), d.reject()))
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Space)
    assert opened == ["openDayDialog"]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_closing_the_day_says_where_its_backup_went(qtbot: Any, make_window: Any,
                                                    lang: str) -> None:
    """Counted short by 10,00 DH and closed with the PIN: once the Z is read, the screen
    says the day's backup is written, and where (no folder chosen: the laptop's own)."""
    window = make_window(lang=lang, size=(1024, 600))  # 500,00 of float
    window.show_screen("day")
    screen = window.day
    screen.counts[20000].setValue(2)
    screen.counts[5000].setValue(1)
    screen.counts[2000].setValue(2)  # 490,00
    assert screen.difference.text() == tr(lang, "ui.day.missing",
                                          amount=format_money(1000, lang))

    def close_pin(pin: Any) -> None:
        on_modal("receiptDialog", lambda d: d.accept())
        type_pin(qtbot, pin, MANAGER_PIN)

    on_modal("pinDialog", close_pin)
    on_modal_active(qtbot, "closeDayConfirm", lambda d: qtbot.mouseClick(d.ok, LEFT))
    qtbot.mouseClick(screen.close_btn, LEFT)
    qtbot.waitUntil(lambda: len(backup.list_backups(window.ctx.db_path)) == 1, timeout=5000)
    (kept,) = backup.list_backups(window.ctx.db_path)
    done = tr(lang, "backup.done", path="")
    qtbot.waitUntil(lambda: screen.banner.text().startswith(done))
    assert unbroken(kept.name) in screen.banner.text()
    assert screen.banner.property("role") == "notice"


def ink_rows(widget: QWidget) -> list[str]:
    """The lines of marks painted in ``widget`` from its top (:func:`drawn_shapes`), one
    per band of rows holding ink, each left to right."""
    image = widget.grab().toImage()
    background = QColor(image.pixel(1, 1)).lightness()
    inked = [any(abs(QColor(image.pixel(x, y)).lightness() - background) > 100
                 for x in range(image.width())) for y in range(image.height())]
    bands, top = [], None
    for y, ink in enumerate([*inked, False]):
        if ink and top is None:
            top = y
        elif not ink and top is not None:
            bands.append(drawn_shapes(image.copy(0, top, image.width(), y - top)))
            top = None
    return bands


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_refunded_ticket_has_its_minus_on_the_same_side_in_the_list_and_its_detail(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """On a 1024x600 screen, the refund's total in today's sales and the lines of its
    detail carry the same signed amount, with the language's minus (in Arabic the CLDR's,
    a left-to-right mark before it): the minus is drawn at the left of the digits in both,
    never at their right."""
    window = make_window(lang=lang, size=(1024, 600))
    ring(qtbot, window, ["SAV-BLD"], (5000,))  # 30,00
    window.show_screen("sales")
    screen = window.sales
    screen.select_number(1)
    refund_all(qtbot, screen)
    screen.select_number(2)
    for _ in range(5):
        QApplication.processEvents()
    tickets = screen.table
    row = next(r for r, sale in enumerate(screen.shown) if sale.number == 2)
    cell = tickets.item(row, tickets.columnCount() - 1)
    signed = format_amount(-3000, lang)
    assert signed == {"ar": "\u200e-30,00", "fr": "-30,00"}[lang]
    assert cell.text() == format_money(-3000, lang)
    assert signed in cell.text()
    rows = table_rows(screen.detail, lang == "ar")
    line = next(name for name in rows if "×" in name)
    t = window.ctx.t
    assert (rows[line], rows[t("payment.cash")]) == (signed, signed)
    assert rows[t("ui.cart.total")] == cell.text()  # the same text as the list's
    rtl = lang == "ar"
    assert tickets.layoutDirection() == (Qt.LayoutDirection.RightToLeft if rtl
                                         else Qt.LayoutDirection.LeftToRight)
    # as painted: the minus just left of the five marks of 30,00, the currency beyond
    # them (at the far left in Arabic, the far right in French)
    shapes = painted_shapes(tickets.viewport(), tickets.visualItemRect(cell))
    assert shapes == ("####-#####" if rtl else "-#######")  # د.م. -30,00 or -30,00 DH
    # the line of the detail: its amount at the left in Arabic, at the right in French
    first = ink_rows(screen.detail)[0]
    assert first.startswith("-#####") if rtl else first.endswith("-#####")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_figures_write_what_was_given_back_below_zero(qtbot: Any, make_window: Any,
                                                          data_dir: Path, lang: str) -> None:
    """Yesterday's card sale given back to the card today, beside a cash sale: the figures
    screen's refunds read below zero as on the day screen, and so does the card's amount
    and share, their minus drawn before the digits in Arabic too."""
    sold_by_card_yesterday(data_dir, "TAJ-M")  # ticket 1, 150,00 by card
    window = make_window(lang=lang, size=(1024, 600))
    ring(qtbot, window, ["TAJ-M"], (20000,))  # 150,00 in cash
    window.show_screen("sales")
    qtbot.keyClicks(window.sales.search, "1")  # yesterday's ticket, found by its number
    window.sales.select_number(1)
    assert window.sales.selected() is not None and window.sales.selected().number == 1

    def refund(dialog: Any) -> None:
        assert dialog.method.currentData() == "card"
        qtbot.mouseClick(dialog.findChild(QPushButton, "refundAll"), LEFT)
        dialog.reason.setCurrentIndex(0)
        dialog.reference.insert("RB-1")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("refundDialog", refund)
    qtbot.mouseClick(window.sales.refund_btn, LEFT)
    window.show_screen("figures")
    screen, t = window.figures, window.ctx.t
    refunds = screen.kpis["refunds"][1].text()
    assert refunds == format_money(-15000, lang)
    methods = {}
    for row in re.findall(r"<tr>(.*?)</tr>", screen.methods.text()):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        if lang == "ar":
            cells.reverse()
        methods[cells[0]] = cells[1:]
    minus = {"ar": "\u200e-", "fr": "-"}[lang]
    percent = {"ar": "%", "fr": "\u00a0%"}[lang]
    assert methods == {t("payment.cash"): [format_money(15000, lang), f"100{percent}"],
                       t("payment.card"): [format_money(-15000, lang),
                                           f"{minus}100{percent}"]}
    if lang == "ar":
        rtl = Qt.LayoutDirection.RightToLeft
        assert drawn_order(refunds, rtl) == ".م.د-150,00"
        assert drawn_order(methods[t("payment.card")][1], rtl) == "-100%"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_line_discount_is_written_below_zero_as_the_cart_discount(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """A line's discount under its name in the cart reads as an amount taken off, as the
    cart's discount does: with the language's minus, drawn before the digits."""
    window = make_window(lang=lang, size=(1024, 600))
    window.show_screen("sale")
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00: 10 % is 6,50
    on_modal("lineDiscountDialog", lambda d: qtbot.mouseClick(
        d.findChild(QPushButton, "lineDiscountDialogQuick10"), LEFT))
    window.sale.line_discount()
    model = window.sale.cart_model
    detail = model.data(model.index(0, 0)).split("\n")[1]
    taken = window.ctx.t("ui.cart.line_discount", amount=format_amount(-650, lang))
    assert detail.endswith(taken)
    assert model.data(model.index(0, 2)) == format_amount(5850, lang)
    if lang == "ar":  # at the left end of the right-to-left line, its minus first
        assert drawn_order(detail, Qt.LayoutDirection.RightToLeft).startswith("-6,50ضيفخت")
    else:
        assert drawn_order(detail).endswith("remise-6,50")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_next_morning_offers_as_float_what_the_close_left_in_the_box(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """The first day offers the usual 500,00; the next morning, the 1 250,00 counted at
    the close, said under the field with the day it was counted; the manager may type
    another float."""
    window = make_window(lang=lang, day_open=False, size=(1024, 600))
    window.show_screen("day")
    screen = window.day
    offered: list[Any] = []

    def take(typed: str | None) -> Any:
        def answer(dialog: Any) -> None:
            hint = dialog.findChild(QLabel, "openDayHint")
            offered.append((dialog.field.text(), hint.text() if hint else None))
            if hint is not None:  # said whole, on one line
                assert hint.isVisible() and hint.height() < 2 * hint.fontMetrics().height()
            if typed is not None:
                dialog.field.setText(typed)
            qtbot.mouseClick(dialog.ok, LEFT)
        return answer

    on_modal("openDayDialog", take(None))
    qtbot.mouseClick(screen.open_btn, LEFT)
    assert offered == [(format_amount(50000, lang), None)]
    with window.ctx.write() as s:
        first = day.current_day(s)
        assert first is not None and first.opening_float == 50000
        date = first.date
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        day.close_day(s, {20000: 6, 5000: 1}, manager=manager)  # 1 250,00 left in the box
    window.ctx.day_changed.emit()
    on_modal("openDayDialog", take("800"))
    qtbot.mouseClick(screen.open_btn, LEFT)
    assert offered[1] == (format_amount(125000, lang), tr(
        lang, "ui.day.float_counted", date=f"{date:%d/%m/%Y}",
        amount=format_money(125000, lang)))
    with window.ctx.read() as s:
        second = day.current_day(s)
        assert second is not None and second.opening_float == 80000


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_cash_in_and_out_dialogs_titles_fit_on_one_line(qtbot: Any, make_window: Any,
                                                            lang: str) -> None:
    """At 1024x600 the title of the cash in and cash out dialogs reads on one line: the
    dialog is as wide as it, and no taller than it needs."""
    window = make_window(lang=lang, size=(1024, 600))
    window.show_screen("day")
    seen: dict[str, tuple[bool, bool, bool]] = {}

    def look(dialog: Any) -> None:
        title = dialog.title
        lines = title.heightForWidth(title.width()) / title.fontMetrics().lineSpacing()
        seen[title.text()] = (
            title.fontMetrics().horizontalAdvance(title.text()) <= title.width(),
            title.width() < dialog.width() <= 1024 and lines < 2,
            title.height() < 2 * title.fontMetrics().lineSpacing())
        dialog.reject()

    for kind, btn in (("in", window.day.cash_in_btn), ("out", window.day.cash_out_btn)):
        on_modal("cashDialog", look)
        qtbot.mouseClick(btn, LEFT)
        assert seen.pop(tr(lang, f"ui.day.cash_{kind}_title")) == (True, True, True), kind


def lines_holding(label: QLabel, start: int, end: int) -> list[int]:
    """Which lines of ``label``'s text, as it wraps at its width, hold characters
    ``start`` to ``end``."""
    text = QLabel.text(label)
    layout = QTextLayout(text, label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    option.setTextDirection(label.layoutDirection())
    layout.setTextOption(option)
    layout.beginLayout()
    spans = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.contentsRect().width())
        spans.append((line.textStart(), line.textStart() + line.textLength()))
    layout.endLayout()
    return [i for i, (a, b) in enumerate(spans) if a < end and b > start]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_long_backup_path_reads_on_one_line_after_the_close(
        qtbot: Any, make_window: Any, tmp_path: Any, lang: str) -> None:
    """A backup folder deep in the laptop: at 1024x600 the banner shows its path on one
    line, left to right inside the message, its folder shortened in the middle and the
    file's name whole; the whole path is in the banner's tooltip."""
    window = make_window(lang=lang, size=(1024, 600))
    window.show_screen("day")
    screen = window.day
    folder = tmp_path.joinpath("Documents de la coopérative", "Sauvegardes de la caisse",
                               "Marché régional de Fès-Meknès 2026", "Journées de mai")
    folder.mkdir(parents=True)
    screen.backup_after_close(3, str(folder))
    qtbot.waitUntil(lambda: screen.backup_task.isFinished(), timeout=10000)
    qtbot.waitUntil(screen.banner.isVisible, timeout=5000)
    (kept,) = folder.glob(backup.PATTERN)
    shown = QLabel.text(screen.banner)
    start = shown.index("\u2066") if lang == "ar" else shown.index("/")
    end = shown.index("\u2069") if lang == "ar" else shown.index(". ")
    path = shown[start:end].strip("\u2066")
    assert path.endswith(unbroken(kept.name)) and "…" in path
    assert path.startswith(unbroken(str(tmp_path))[:8])
    assert len(lines_holding(screen.banner, start, end)) == 1
    assert str(kept) in screen.banner.toolTip() and str(kept) not in shown
