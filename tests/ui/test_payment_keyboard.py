"""The payment dialog at the keyboard, as on a till's tender keys: the card or transfer key
alone pays the rest that way, the cursor in the reference; an amount typed before it is
the part paid that way; Shift+Tab reaches the amount, Enter there goes on to the
reference. Driven on the real dialog, the sale recorded as the seller typed it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_flow import journal_ok, sales
from tests.ui.test_sale_guards import RETURN, THYME_CODE, on_modal, scan

SHIFT = Qt.KeyboardModifier.ShiftModifier


def type_here(qtbot: Any, dialog: Any, text: str) -> None:
    """Type where the dialog's cursor is."""
    qtbot.keyClicks(dialog.focusWidget(), text)


def press(qtbot: Any, dialog: Any, key: Qt.Key, modifier: Any = Qt.KeyboardModifier.NoModifier
          ) -> None:
    qtbot.keyClick(dialog.focusWidget(), key, modifier)


def paid(window: Any) -> list[tuple[str, int, int | None, str]]:
    [sale] = sales(window)
    return [(p.method, p.amount, p.tendered, p.reference) for p in sale.payments]


def test_an_amount_typed_before_the_card_key_is_the_part_paid_by_card(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        type_here(qtbot, dialog, "300")  # the cursor starts in the cash handed over
        press(qtbot, dialog, Qt.Key.Key_F6)
        seen["card"] = (dialog.amount.text(), dialog.focusWidget() is dialog.reference,
                        dialog.tendered.text())
        type_here(qtbot, dialog, "CB-4471")
        press(qtbot, dialog, RETURN)
        seen["rest"] = (dialog.method, dialog.due.text(), dialog.tendered.text(),
                        dialog.focusWidget() is dialog.tendered, dialog.change.text())
        type_here(qtbot, dialog, "600")
        seen["change"] = dialog.change.text()
        press(qtbot, dialog, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F12)
    assert seen["card"] == ("300,00", True, "")
    assert seen["rest"] == ("cash", "550,00\u00a0DH", "", True, "550,00\u00a0DH")
    assert seen["change"] == "50,00\u00a0DH"
    assert paid(window) == [("card", 30000, None, "CB-4471"), ("cash", 55000, 60000, "")]
    assert window.sale.cart.is_empty
    journal_ok(window)


def test_the_card_key_alone_pays_the_rest_and_the_amount_is_a_shift_tab_away(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "RUG-S"))  # 850,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        press(qtbot, dialog, Qt.Key.Key_F6)
        seen["card"] = (dialog.amount.text(), dialog.focusWidget() is dialog.reference)
        press(qtbot, dialog, Qt.Key.Key_Backtab, SHIFT)
        seen["back"] = (dialog.focusWidget() is dialog.amount, dialog.amount.selectedText())
        type_here(qtbot, dialog, "500")  # over the rest, selected
        press(qtbot, dialog, RETURN)  # no reference yet: on to it, nothing refused
        seen["on"] = (dialog.focusWidget() is dialog.reference, dialog.banner.isHidden(),
                      list(dialog.payments))
        type_here(qtbot, dialog, "CB-4472")
        press(qtbot, dialog, RETURN)
        seen["part"] = (dialog.method, dialog.due.text())
        press(qtbot, dialog, Qt.Key.Key_F7)  # the rest by transfer
        seen["mobile"] = (dialog.amount.text(), dialog.reference.text(),
                          dialog.focusWidget() is dialog.reference)
        type_here(qtbot, dialog, "TX-918")
        press(qtbot, dialog, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F12)
    assert seen["card"] == ("850,00", True)
    assert seen["back"] == (True, "850,00")
    assert seen["on"] == (True, True, [])
    assert seen["part"] == ("cash", "350,00\u00a0DH")
    assert seen["mobile"] == ("350,00", "", True)
    assert paid(window) == [("card", 50000, None, "CB-4472"), ("mobile", 35000, None, "TX-918")]
    journal_ok(window)


def test_the_whole_sum_by_card_is_the_card_key_the_reference_and_enter(
        qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="ar")
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00

    def pay(dialog: Any) -> None:
        press(qtbot, dialog, Qt.Key.Key_F6)
        type_here(qtbot, dialog, "CB-1")
        press(qtbot, dialog, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F12)
    assert paid(window) == [("card", 6500, None, "CB-1")]


def test_cash_handed_over_of_the_rest_or_more_is_not_taken_for_a_card_part(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        type_here(qtbot, dialog, "100")  # a note held out, then the customer wants the card
        press(qtbot, dialog, Qt.Key.Key_F6)
        seen["card"] = dialog.amount.text()
        type_here(qtbot, dialog, "CB-2")
        press(qtbot, dialog, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F12)
    assert seen["card"] == "65,00"
    assert paid(window) == [("card", 6500, None, "CB-2")]


def test_a_scan_while_the_rest_is_on_the_card_makes_it_the_new_rest(
        qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # 65,00
    seen: dict[str, Any] = {}

    def pay(dialog: Any) -> None:
        press(qtbot, dialog, Qt.Key.Key_F6)
        scan(qtbot, dialog.focusWidget(), THYME_CODE)  # 15,00 more
        seen["after"] = (dialog.amount.text(), dialog.reference.text(), dialog.isVisible())
        type_here(qtbot, dialog, "CB-3")
        press(qtbot, dialog, RETURN)

    on_modal(qtbot, "payDialog", pay)
    qtbot.keyClick(window.sale.search, Qt.Key.Key_F12)
    assert seen["after"] == ("80,00", "", True)
    assert paid(window) == [("card", 8000, None, "CB-3")]
