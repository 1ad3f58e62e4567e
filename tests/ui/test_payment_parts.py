"""Parts of a payment already taken are never dropped: leaving the payment dialog keeps them
with the cart (F12 asks only for the rest), removing one is its own confirmed step that says
how to give it back, the cart cannot be made worth less than them, and emptying the cart
names them first. A cart worth nothing is sold without a payment."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from pos.cart import PaymentSpec
from pos.i18n import tr
from pos.money import format_money
from pos.receipts import LRI, PDI, load_sale_receipt
from tests.helpers import drawn_order
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_flow import journal_ok, sales
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton
DH = "\u00a0DH"
CB777 = PaymentSpec("card", 50000, None, "CB777")


def method(dialog: Any, name: str) -> QPushButton:
    btn = dialog.findChild(QPushButton, f"payMethod_{name}")
    assert isinstance(btn, QPushButton)
    return btn


def take_card(qtbot: Any, dialog: Any, amount: str, reference: str) -> None:
    """Charge part of the sum on the card terminal and record it."""
    qtbot.mouseClick(method(dialog, "card"), LEFT)
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.keyClicks(dialog.reference, reference)
    qtbot.mouseClick(dialog.ok, LEFT)


def question(confirm: Any, name: str) -> str:
    text = confirm.findChild(QLabel, f"{name}Text")
    assert isinstance(text, QLabel)
    return str(text.text())


def parts(dialog: Any) -> list[str]:
    table = dialog.paid_list
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def back_to(qtbot: Any, window: Any) -> None:
    """The till's window active again once a dialog closed, as the desktop makes it (the
    offscreen platform leaves no window active), so that its shortcuts answer."""
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)


def take_card_and_leave(qtbot: Any, window: Any, amount: str = "500",
                        reference: str = "CB777") -> list[str]:
    """Take a card part, then press Esc and close the dialog keeping it; the question."""
    asked: list[str] = []

    def leave(confirm: Any) -> None:
        asked.append(question(confirm, "payLeaveConfirm"))
        qtbot.mouseClick(confirm.ok, LEFT)

    def pay(dialog: Any) -> None:
        take_card(qtbot, dialog, amount, reference)
        on_modal(qtbot, "payLeaveConfirm", leave)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    back_to(qtbot, window)
    return asked


def test_a_card_part_stays_with_the_cart_when_the_payment_is_left(qtbot: Any,
                                                                   make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    seen: dict[str, Any] = {}

    def stay(confirm: Any) -> None:
        seen["asked"] = question(confirm, "payLeaveConfirm")
        qtbot.mouseClick(confirm.cancel, LEFT)  # "go on with the payment"

    def leave(confirm: Any) -> None:
        qtbot.mouseClick(confirm.ok, LEFT)

    def pay(dialog: Any) -> None:
        take_card(qtbot, dialog, "500", "CB777")
        seen["notice"] = dialog.banner.text()
        on_modal(qtbot, "payLeaveConfirm", stay)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        seen["open after no"] = dialog.isVisible()
        on_modal(qtbot, "payLeaveConfirm", leave)
        qtbot.mouseClick(dialog.cancel, LEFT)
        seen["open after yes"] = dialog.isVisible()

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["notice"] == f"Partie enregistrée. Reste : 350,00{DH}"
    assert seen["asked"] == (
        f"Déjà payé : 500,00{DH} (Carte  500,00{DH}  (CB777)).\n"
        "Ces paiements restent avec le panier : au prochain encaissement (F12), il ne "
        f"restera que 350,00{DH} à payer.\nFermer l'encaissement ?")
    assert seen["open after no"] and not seen["open after yes"]
    assert sales(window) == []
    assert sale.taken == [CB777]
    assert sale.taken_label.isVisible()
    assert sale.taken_label.text() == f"Déjà payé 500,00{DH} · reste 350,00{DH}"
    assert sale.banner.text() == (f"Paiements déjà pris (500,00{DH}) gardés avec le panier. "
                                  f"Reste à payer : 350,00{DH} (F12).")

    def finish(dialog: Any) -> None:
        seen["due"] = (dialog.due_caption.text(), dialog.due.text())
        seen["parts"] = parts(dialog)
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)  # the exact rest, in cash
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", finish)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["due"] == ("Reste à payer", f"350,00{DH}")
    assert seen["parts"] == [f"Carte  500,00{DH}  (CB777)"]
    rows = sales(window)
    assert len(rows) == 1 and rows[0].total == 85000
    assert [(p.method, p.amount, p.reference) for p in rows[0].payments] == [
        ("card", 50000, "CB777"), ("cash", 35000, "")]
    assert sale.taken == [] and not sale.taken_label.isVisible()
    assert journal_ok(window) == 2


def test_a_part_is_removed_only_once_the_seller_says_it_was_given_back(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    seen: dict[str, Any] = {}
    asked: list[str] = []

    def answer(yes: bool) -> Any:
        def handle(confirm: Any) -> None:
            asked.append(question(confirm, "payRemoveConfirm"))
            qtbot.mouseClick(confirm.ok if yes else confirm.cancel, LEFT)
        return handle

    def not_asked() -> None:  # runs inside a question, if one were asked
        confirm = QApplication.activeModalWidget()
        if confirm is not None and confirm.objectName() == "payLeaveConfirm":
            asked.append("asked on leaving")
            confirm.done(1)

    def pay(dialog: Any) -> None:
        take_card(qtbot, dialog, "500", "CB777")
        remove = dialog.findChild(QPushButton, "payRemovePart0")
        seen["button"] = (remove.text(), remove.accessibleName())
        on_modal(qtbot, "payRemoveConfirm", answer(False))
        qtbot.mouseClick(remove, LEFT)
        seen["after no"] = (dialog.due.text(), parts(dialog))
        on_modal(qtbot, "payRemoveConfirm", answer(True))
        qtbot.mouseClick(remove, LEFT)
        seen["after yes"] = (dialog.due.text(), dialog.paid_list.isVisible(),
                             dialog.banner.text())
        QTimer.singleShot(0, not_asked)
        qtbot.mouseClick(dialog.cancel, LEFT)
        seen["closed"] = not dialog.isVisible()

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["button"] == ("Retirer", f"Retirer Carte  500,00{DH}  (CB777)")
    terminal = (f"Retirer le paiement Carte  500,00{DH}  (CB777) ?\nAnnulez-le ou "
                f"remboursez-le d'abord sur le terminal de paiement (500,00{DH}), sinon la "
                "carte du client reste débitée.")
    assert asked == [terminal, terminal]  # asked twice, never on leaving
    assert seen["after no"] == (f"350,00{DH}", [f"Carte  500,00{DH}  (CB777)"])
    assert seen["after yes"] == (f"850,00{DH}", False,
                                 f"Paiement retiré. Reste : 850,00{DH}")
    assert seen["closed"]
    assert sale.taken == [] and not sale.taken_label.isVisible()
    assert sales(window) == [] and len(sale.cart.lines) == 1



def test_a_card_amount_over_the_rest_is_refused_and_selected_to_be_typed_again(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        take_card(qtbot, dialog, "650", "CB650")  # a zero too many
        seen["refused"] = (dialog.isVisible(), dialog.banner.text(), parts(dialog))
        seen["amount"] = (dialog.amount.hasFocus(), dialog.amount.selectedText())
        qtbot.keyClicks(dialog.amount, "65")  # typed over what was selected
        seen["retyped"] = dialog.amount.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["refused"] == (True, f"650,00{DH} dépasse les 65,00{DH} qui restent à payer.",
                               [])
    assert seen["amount"] == (True, "650")
    assert seen["retyped"] == "65"
    [sale] = sales(window)
    assert [(p.method, p.amount, p.reference) for p in sale.payments] == [
        ("card", 6500, "CB650")]
    journal_ok(window)


def test_a_reference_in_groups_of_digits_keeps_its_order_in_arabic(qtbot: Any,
                                                                  make_window: Any) -> None:
    """``4521 8890`` in a right-to-left line would be set ``8890 4521`` by the bidi
    algorithm; the list of parts keeps it as it was typed."""
    window = make_window(lang="ar")
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        take_card(qtbot, dialog, "30", "4521 8890")
        seen["parts"] = parts(dialog)
        qtbot.mouseClick(dialog.findChild(QPushButton, "payExact"), LEFT)  # the rest in cash
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(window.sale.pay, LEFT)
    [part] = seen["parts"]
    assert part == f"{tr('ar', 'payment.card')}  {format_money(3000, 'ar')}  ({LRI}4521 8890{PDI})"
    drawn = drawn_order(part, Qt.LayoutDirection.RightToLeft)
    assert "45218890" in drawn and "88904521" not in drawn
    [sale] = sales(window)
    assert [(p.method, p.amount, p.reference) for p in sale.payments] == [
        ("card", 3000, "4521 8890"), ("cash", 3500, "")]


def test_the_cart_cannot_fall_below_the_parts_taken(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    take_card_and_leave(qtbot, window)
    click_tile(qtbot, window, tile_row(window, "THY-50"))  # + 15,00: more to pay
    assert sale.taken_label.text() == f"Déjà payé 500,00{DH} · reste 365,00{DH}"

    rect = sale.table.visualRect(sale.cart_model.index(0, 0))
    qtbot.mouseClick(sale.table.viewport(), LEFT, pos=rect.center())
    qtbot.keyClick(sale.table, Qt.Key.Key_Delete)  # the rug out: 15,00 for 500,00 paid
    assert [ln.sku for ln in sale.cart.lines] == ["RUG-S", "THY-50"]
    assert sale.banner.text() == (
        f"Impossible : 500,00{DH} sont déjà payés pour ce panier, qui ne ferait plus que "
        f"15,00{DH}. Retirez d'abord le paiement en trop dans l'encaissement (F12), après "
        "l'avoir rendu au client.")

    def discount(percent: str) -> Any:
        def handle(dialog: Any) -> None:
            dialog.field.clear()
            qtbot.keyClicks(dialog.field, percent)
            qtbot.mouseClick(dialog.ok, LEFT)
        return handle

    on_modal(qtbot, "cartDiscountDialog", discount("50"))  # 432,50: less than paid
    qtbot.mouseClick(sale.cart_disc_btn, LEFT)
    assert sale.cart.discount is None and sale.total.text() == f"865,00{DH}"
    on_modal(qtbot, "cartDiscountDialog", discount("10"))  # 778,50: still more
    qtbot.mouseClick(sale.cart_disc_btn, LEFT)
    assert sale.total.text() == f"778,50{DH}"
    assert sale.taken_label.text() == f"Déjà payé 500,00{DH} · reste 278,50{DH}"

    asked: list[str] = []

    def answer(yes: bool) -> Any:
        def handle(confirm: Any) -> None:
            asked.append(question(confirm, "clearConfirm"))
            qtbot.mouseClick(confirm.ok if yes else confirm.cancel, LEFT)
        return handle

    on_modal(qtbot, "clearConfirm", answer(False))
    qtbot.mouseClick(sale.clear_btn, LEFT)
    assert len(sale.cart.lines) == 2 and sale.taken == [CB777]
    on_modal(qtbot, "clearConfirm", answer(True))
    qtbot.mouseClick(sale.clear_btn, LEFT)
    assert asked == [
        f"Des paiements ont déjà été pris pour ce panier : Carte  500,00{DH}  (CB777).\n"
        "Vider le panier les annule : rendez d'abord les espèces, et remboursez la carte ou "
        "le virement au client.\nVider quand même ?"] * 2
    assert sale.cart.is_empty and sale.taken == [] and not sale.taken_label.isVisible()
    assert sales(window) == []


def test_emptying_a_one_line_cart_partly_paid_asks_first(qtbot: Any,
                                                         make_window: Any) -> None:
    window = make_window(lang="en")
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    take_card_and_leave(qtbot, window, "100", "CB1")
    asked: list[str] = []

    def keep(confirm: Any) -> None:
        asked.append(question(confirm, "clearConfirm"))
        qtbot.keyClick(confirm, Qt.Key.Key_Return)  # No is the default

    on_modal(qtbot, "clearConfirm", keep)
    qtbot.keyClick(sale.search, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert asked and "Card  MAD\u00a0100.00  (CB1)" in asked[0]
    assert len(sale.cart.lines) == 1 and sale.taken == [PaymentSpec("card", 10000, None, "CB1")]


def test_closing_the_app_names_the_parts_taken(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar")
    window.confirm_close = True
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    take_card_and_leave(qtbot, window, "100", "CB1")
    back_to(qtbot, window)
    asked: list[str] = []

    def keep(confirm: Any) -> None:
        asked.append(question(confirm, "closeConfirm"))
        qtbot.keyClick(confirm, Qt.Key.Key_Return)  # No is the default

    on_modal(qtbot, "closeConfirm", keep)
    assert not window.close()
    assert asked == [
        "السلة قيد التسجيل (سطر واحد، 850,00\u00a0د.م.) محفوظة مع الدفعات المأخوذة من قبل لها: "
        f"بطاقة  100,00\u00a0د.م.  ({LRI}CB1{PDI})\nستعود إلى الشاشة معها عند تشغيل الصندوق من "
        "جديد: أتمم البيع حينها، أو أعد هذه الدفعات.\nهل تريد الإغلاق الآن؟"]
    assert window.isVisible() and window.sale.taken == [PaymentSpec("card", 10000, None, "CB1")]
    window.confirm_close = False  # the fixture closes it


@pytest.mark.parametrize("how", ["nothing typed", "exact amount", "card"])
def test_a_cart_worth_nothing_is_sold_without_payment(qtbot: Any, make_window: Any,
                                                      how: str) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))

    def gift(dialog: Any) -> None:
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, "100")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "cartDiscountDialog", gift)
    qtbot.mouseClick(sale.cart_disc_btn, LEFT)
    assert sale.total.text() == f"0,00{DH}"
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        seen["due"] = dialog.due.text()
        if how == "exact amount":
            qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)
        elif how == "card":
            qtbot.mouseClick(method(dialog, "card"), LEFT)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["error"] = dialog.banner.text() if dialog.isVisible() else ""

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen == {"due": f"0,00{DH}", "error": ""}
    rows = sales(window)
    assert len(rows) == 1 and rows[0].total == 0 and rows[0].payments == []
    assert sale.cart.is_empty
    assert sale.last_sale.text() == f"Ticket n° T01-000001 enregistré\u00a0: 0,00{DH}"
    assert not sale.last_change.isVisible()
    with window.ctx.read() as s:  # its receipt, as for any sale
        receipt = load_sale_receipt(s, rows[0].id).plain_text()
    assert "T01-000001" in receipt and "Amlou aux amandes" in receipt
    assert f"0,00{DH}" in receipt
    assert journal_ok(window) == 2


def test_money_given_when_nothing_is_due_is_refused(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    click_tile(qtbot, window, tile_row(window, "THY-50"))  # 15,00
    take_card_and_leave(qtbot, window, "65", "CB65")
    qtbot.keyClick(sale.search, Qt.Key.Key_Delete)  # the thyme out: the card covers it all
    assert [ln.sku for ln in sale.cart.lines] == ["AML-250"]
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        seen["due"] = dialog.due.text()
        qtbot.keyClicks(dialog.tendered, "5")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["error"] = (dialog.isVisible(), dialog.banner.text())
        dialog.tendered.clear()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", pay)
    qtbot.mouseClick(sale.pay, LEFT)
    assert seen["due"] == f"0,00{DH}"
    assert seen["error"] == (True, "Il n'y a rien à payer : effacez le montant saisi et "
                                   "validez.")
    rows = sales(window)
    assert [(p.method, p.amount, p.reference) for p in rows[0].payments] == [
        ("card", 6500, "CB65")]
