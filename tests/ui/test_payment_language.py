"""The payment dialog writes amounts the way the UI language does: the exact amount (F11)
and the notes tapped fill the cash field in that format, which reads back as the same
amount, and notes are shown without decimals in every language."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos.money import NBSP
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_flow import journal_ok, sales
from tests.ui.test_sale_guards import note, on_modal

LEFT = Qt.MouseButton.LeftButton


def ring(qtbot: Any, window: Any, *skus: str) -> None:
    for sku in skus:
        click_tile(qtbot, window, tile_row(window, sku))


@pytest.mark.parametrize(("lang", "filled", "due"), [
    ("en", "2,465.00", "MAD\u00a02,465.00"),
    ("fr", f"2{NBSP}465,00", f"2{NBSP}465,00\u00a0DH"),
])
def test_exact_amount_is_written_in_the_language_and_recorded(
        qtbot: Any, make_window: Any, lang: str, filled: str, due: str) -> None:
    window = make_window(lang=lang)
    ring(qtbot, window, "RUG-L", "AML-250")  # 2 400,00 + 65,00
    seen: dict[str, str] = {}

    def exact(dialog: Any) -> None:
        seen["due"] = dialog.due.text()
        qtbot.keyClick(dialog.tendered, Qt.Key.Key_F11)
        seen["given"] = dialog.tendered.text()
        seen["caption"] = dialog.change_caption.text()
        seen["change"] = dialog.change.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", exact)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["due"] == due and seen["given"] == filled
    assert seen["change"] == ("MAD\u00a00.00" if lang == "en" else "0,00\u00a0DH")
    rows = sales(window)
    assert len(rows) == 1 and rows[0].total == 246500
    assert [(p.method, p.amount, p.tendered, p.change) for p in rows[0].payments] == [
        ("cash", 246500, 246500, 0)]
    assert journal_ok(window) == 2


def test_notes_tapped_in_english_fill_english_amounts(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    ring(qtbot, window, "AML-250")  # MAD 65.00
    seen: dict[str, Any] = {}

    def tap(dialog: Any) -> None:
        seen["labels"] = [note(dialog, v).text() for v in (20000, 10000, 5000, 100, 50, 20)]
        qtbot.mouseClick(note(dialog, 5000), LEFT)
        qtbot.mouseClick(note(dialog, 2000), LEFT)
        qtbot.mouseClick(note(dialog, 50), LEFT)
        seen["given"] = dialog.tendered.text()
        seen["change"] = dialog.change.text()
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", tap)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["labels"] == ["200", "100", "50", "1", "0.50", "0.20"]
    assert seen["given"] == "70.50" and seen["change"] == "MAD\u00a05.50"
    [sale] = sales(window)
    assert [(p.amount, p.tendered, p.change) for p in sale.payments] == [(6500, 7050, 550)]
    assert window.sale.last_change.text() == "Give change: MAD\u00a05.50"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_notes_show_no_decimals_in_french_and_arabic(qtbot: Any, make_window: Any,
                                                      lang: str) -> None:
    window = make_window(lang=lang)
    ring(qtbot, window, "AML-250")
    seen: list[str] = []

    def look(dialog: Any) -> None:
        seen.extend(note(dialog, v).text() for v in (20000, 100, 50))
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal(qtbot, "payDialog", look)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen == ["200", "1", "0,50"]
    assert sales(window) == []


def test_card_amount_and_errors_in_english(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    ring(qtbot, window, "RUG-S", "AML-250")  # MAD 915.00
    seen: dict[str, str] = {}

    def card(dialog: Any) -> None:
        dialog.tendered.clear()
        qtbot.keyClicks(dialog.tendered, "abc")
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["error"] = dialog.banner.text()
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payMethod_card"), LEFT)
        seen["amount"] = dialog.amount.text()
        qtbot.keyClicks(dialog.reference, "AUTH-77")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal(qtbot, "payDialog", card)
    qtbot.mouseClick(window.sale.pay, LEFT)
    assert seen["error"] == "'abc' is not an amount (for example 12.50)."
    assert seen["amount"] == "915.00"
    [sale] = sales(window)
    assert [(p.method, p.amount, p.reference) for p in sale.payments] == [
        ("card", 91500, "AUTH-77")]
