"""Every control a test or a screen reader needs has a stable objectName and an accessible
name; dialogs fit a 1024x600 screen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QWidget,
)

from pos.cart import PaymentSpec
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_language_and_layout import SCREENS, problems

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def unnamed(root: QWidget) -> list[str]:
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView):
            continue
        if not widget.isVisibleTo(root):
            continue
        name = widget.objectName()
        if name.startswith("qt_") or isinstance(widget.parentWidget(), (QComboBox,
                                                                        QAbstractSpinBox)):
            continue
        if widget.parentWidget() is not None and widget.parentWidget().objectName() == \
                "syncPanel":
            continue
        if not name or not widget.accessibleName():
            found.append(f"{type(widget).__name__} {name!r} {widget.accessibleName()!r}")
    return found


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_controls_have_names(qtbot: Any, make_window: Any, lang: str) -> None:
    window = make_window(lang=lang)
    click_tile(qtbot, window, tile_row(window, "ARG-250"))
    missing = []
    for name in SCREENS:
        window.show_screen(name)
        missing += [f"{name}: {m}" for m in unnamed(window.screen(name))]
    assert missing == []


def split_payment(qtbot: Any, window: Any, total: int) -> Any:
    """The payment dialog once a card part and a transfer were taken (its list of parts and
    its message shown), as the seller sees it before taking the rest."""
    from ui.payment import PaymentDialog

    dialog = PaymentDialog(window.ctx, window, total)
    dialog.show()
    for method, amount, reference in (("card", "500", "CB123"), ("mobile", "100", "MW9")):
        qtbot.mouseClick(dialog.findChild(QPushButton, f"payMethod_{method}"),
                         Qt.MouseButton.LeftButton)
        dialog.amount.setText(amount)
        dialog.reference.setText(reference)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert len(dialog.payments) == 2 and dialog.banner.isVisible()
    return dialog


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_dialogs_fit_a_small_screen(qtbot: Any, make_window: Any, lang: str) -> None:
    from pos import refunds
    from ui.payment import PaymentDialog
    from ui.products import ProductDialog
    from ui.sales import RefundDialog
    from ui.widgets import PinDialog

    window = make_window(lang=lang, size=(1024, 600))
    for sku in ("ARG-250", "HNY-THY", "RUG-L", "SAF-5G"):
        click_tile(qtbot, window, tile_row(window, sku))
    total = window.sale.cart.totals().total
    window.sale.complete([PaymentSpec("cash", total, total + 18750)])  # change to give
    qtbot.wait(1)
    assert window.sale.last_change.isVisible()
    assert window.height() <= 600 and window.minimumSizeHint().height() <= 600, (
        f"the sale screen after a sale with change needs {window.minimumSizeHint()}")
    assert problems(window) == []
    window.show_screen("sales")
    sale = window.sales.shown[0]
    with window.ctx.read() as s:
        left = refunds.refundable(s, sale)
    dialogs = [
        PaymentDialog(window.ctx, window, 123450),
        split_payment(qtbot, window, 112000),
        PinDialog(window.ctx, window, "ui.pin.reason_refund"),
        RefundDialog(window.ctx, window, sale, left, "T01-000001"),
        ProductDialog(window.ctx, window, window.photos, window.sale.products[0]),
    ]
    report = []
    for dialog in dialogs:
        dialog.show()
        dialog.adjustSize()
        qtbot.wait(1)
        size = dialog.size()
        if size.height() > 580 or size.width() > 1000:
            report.append(f"{dialog.objectName()} is {size.width()}x{size.height()}")
        report += [f"{dialog.objectName()}: {p}" for p in problems(dialog)]
        report += [f"{dialog.objectName()}: {m}" for m in unnamed(dialog)]
        dialog.done(0)  # closing asks first when parts of a payment were taken
    assert report == []
