"""Small dialogs of the cart: typed quantity or weight, a discount, a new price."""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtWidgets import QButtonGroup, QLabel, QLineEdit, QWidget

from pos.cart import Discount, check_quantity, parse_line_quantity
from pos.errors import SoukError
from pos.money import NBSP, parse_money, parse_percent, parse_quantity
from ui.context import AppContext
from ui.widgets import (
    WRONG_FIELD,
    Dialog,
    button,
    hbox,
    label,
    mark_wrong,
    named,
    percent_text,
)

#: the widest a line dialog grows to show its texts each on one line (on a 1024 px screen
#: the cart and the tiles stay in sight around it); a longer text wraps between words
WIDEST = 640
BRACKETED = re.compile(r"\([^()]*\)")


def unbroken_brackets(text: str) -> str:
    """``text`` with the spaces between brackets made no-break spaces: an example such as
    "(e.g. 0.5)" or "(مثال 0,5)" never breaks across two lines."""
    return BRACKETED.sub(lambda m: m.group().replace(" ", NBSP), text)


def fit_texts(dialog: Dialog, *labels: QLabel) -> None:
    """Make ``dialog`` wide enough for each of ``labels`` to show on one line, up to
    :data:`WIDEST` (a window is otherwise only as wide as its buttons, and a caption
    wraps in three lines)."""
    widest = 0
    for lab in labels:
        lab.ensurePolished()  # its font as the style sheet sets it
        margins = lab.contentsMargins()
        widest = max(widest, math.ceil(lab.fontMetrics().horizontalAdvance(lab.text()))
                     + margins.left() + margins.right() + 2 * lab.margin() + 2)
    layout = dialog.layout()
    if layout is not None:
        outer = layout.contentsMargins()
        widest += outer.left() + outer.right()
    dialog.setMinimumWidth(max(dialog.minimumSizeHint().width(), min(widest, WIDEST)))


class ValueDialog(Dialog):
    """One field: a quantity, a weight or a price. A quantity of a product sold by the
    piece (``unit``) is a whole number."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, name: str, title_key: str,
                 caption: str, value: str = "", kind: str = "money", unit: str = "") -> None:
        super().__init__(ctx, parent, name, title_key)
        self.setStyleSheet(WRONG_FIELD)
        self.kind = kind
        self.unit = unit
        self.value = 0
        self.caption = cap = label(f"{name}Caption", wrap=True)
        cap.setText(unbroken_brackets(caption))
        self.field = named(QLineEdit(value), f"{name}Input", caption)
        self.field.setStyleSheet("font-size: 26px;")
        self.field.selectAll()
        self.field.textEdited.connect(lambda _t: mark_wrong(self.field, False))
        self.body.addWidget(cap)
        self.body.addWidget(self.field)
        fit_texts(self, self.title, cap)
        self.field.setFocus()

    def _try_accept(self) -> None:
        super()._try_accept()
        if self.isVisible() and self.banner.isVisible():
            self.adjustSize()  # a window keeps its size: grown to show the message whole

    def validate(self) -> None:
        try:
            self.value = self._value(self.field.text())
        except SoukError:
            mark_wrong(self.field)
            raise

    def _value(self, text: str) -> int:
        if self.kind != "quantity":
            return parse_money(text)
        if not self.unit:
            return parse_quantity(text)
        quantity = parse_line_quantity(text, self.unit)
        check_quantity(quantity, self.unit)
        return quantity


class DiscountDialog(Dialog):
    """A discount as an amount or a percentage (0 removes it)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, name: str,
                 title_key: str, /, **params: Any) -> None:
        super().__init__(ctx, parent, name, title_key, **params)
        self.discount: Discount | None = None
        self.percent = button(f"{name}Percent", checkable=True)
        self.amount = button(f"{name}Amount", checkable=True)
        self.texts.button(self.percent, "ui.discount.percent")
        self.texts.button(self.amount, "ui.discount.amount")
        group = QButtonGroup(self)
        group.addButton(self.percent)
        group.addButton(self.amount)
        self.percent.setChecked(True)
        self.field = named(QLineEdit(), f"{name}Input", ctx.t("ui.discount.value"))
        for kind in (self.percent, self.amount):
            # the digits typed next are the discount's, and Enter validates it
            kind.setAutoDefault(False)
            kind.clicked.connect(self._type_value)
        self.field.setStyleSheet("font-size: 26px;")
        quick = []
        for pct in (5, 10, 15, 20):
            btn = button(f"{name}Quick{pct}", role="money")
            btn.setText(percent_text(pct, ctx.lang))
            btn.clicked.connect(lambda _=False, p=pct: self._quick(p))
            quick.append(btn)
        hint = label(f"{name}Hint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.discount.hint")
        self.body.addLayout(hbox(self.percent, self.amount))
        self.body.addWidget(self.field)
        self.body.addLayout(hbox(*quick))
        self.body.addWidget(hint)
        fit_texts(self, self.title, hint)
        self.field.setFocus()

    def _type_value(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    def _quick(self, pct: int) -> None:
        self.percent.setChecked(True)
        self.field.setText(str(pct))
        self._try_accept()

    def validate(self) -> None:
        text = self.field.text()
        if self.percent.isChecked():
            value = parse_percent(text)
            self.discount = Discount("percent", value) if value else None
        else:
            value = parse_money(text)
            self.discount = Discount("amount", value) if value else None
