"""The weight, quantity, price and discount dialogs on a 1024x600 screen, in the three
languages: each caption on one line, an example in brackets never broken."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from pos.money import NBSP
from tests.ui.conftest import click_tile, on_modal, tile_row
from ui.line_dialogs import unbroken_brackets

SMALL = (1024, 600)


def one_line(label: QLabel) -> bool:
    return label.heightForWidth(label.width()) < 2 * label.fontMetrics().lineSpacing()


def brackets_unbroken(text: str) -> bool:
    return all(" " not in inside for inside in re.findall(r"\([^()]*\)", text))


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_each_line_dialog_shows_its_caption_on_one_line(qtbot: Any, make_window: Any,
                                                        lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    sale = window.sale
    seen: dict[str, tuple[bool, bool, int]] = {}

    def look(dialog: Any) -> None:
        for _ in range(5):
            QApplication.processEvents()
        caption = dialog.findChild(QLabel, f"{dialog.objectName()}Caption")
        hint = dialog.findChild(QLabel, f"{dialog.objectName()}Hint")
        text = caption if caption is not None else hint
        seen[dialog.objectName()] = (one_line(text) and one_line(dialog.title),
                                     brackets_unbroken(text.text()), dialog.width())
        dialog.reject()

    on_modal("weightDialog", look)
    click_tile(qtbot, window, tile_row(window, "HNY-KG"))  # honey, by the kilo
    click_tile(qtbot, window, tile_row(window, "ARG-100C"))
    for name, action in (("quantityDialog", sale.edit_quantity),
                         ("priceDialog", sale.override_price),
                         ("lineDiscountDialog", sale.line_discount),
                         ("cartDiscountDialog", sale.cart_discount)):
        on_modal(name, look)
        action()
    assert set(seen) == {"weightDialog", "quantityDialog", "priceDialog",
                         "lineDiscountDialog", "cartDiscountDialog"}
    for name, (whole, unbroken, width) in seen.items():
        assert whole and unbroken, name
        assert width <= SMALL[0] - 300, (name, width)  # the cart stays in sight beside it


def test_an_example_in_brackets_holds_together() -> None:
    assert unbroken_brackets("Miel : quantité en kg (ex. 0,5)") == (
        f"Miel : quantité en kg (ex.{NBSP}0,5)")
    assert unbroken_brackets("عسل: الكمية بالكلغ (مثال 0,5)") == (
        f"عسل: الكمية بالكلغ (مثال{NBSP}0,5)")
