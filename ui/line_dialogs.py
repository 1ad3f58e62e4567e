"""Small dialogs of the cart: typed quantity or weight, a discount, a new price."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QButtonGroup, QLineEdit, QWidget

from pos.cart import Discount
from pos.money import parse_money, parse_percent, parse_quantity
from ui.context import AppContext
from ui.widgets import Dialog, button, hbox, label, named


class ValueDialog(Dialog):
    """One field: a quantity, a weight or a price."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, name: str, title_key: str,
                 caption: str, value: str = "", kind: str = "money") -> None:
        super().__init__(ctx, parent, name, title_key)
        self.kind = kind
        self.value = 0
        cap = label(f"{name}Caption", wrap=True)
        cap.setText(caption)
        self.field = named(QLineEdit(value), f"{name}Input", caption)
        self.field.setStyleSheet("font-size: 26px;")
        self.field.selectAll()
        self.body.addWidget(cap)
        self.body.addWidget(self.field)
        self.field.setFocus()

    def validate(self) -> None:
        text = self.field.text()
        self.value = parse_quantity(text) if self.kind == "quantity" else parse_money(text)


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
        self.field.setStyleSheet("font-size: 26px;")
        quick = []
        for pct in (5, 10, 15, 20):
            btn = button(f"{name}Quick{pct}", role="money")
            btn.setText(f"{pct} %")
            btn.clicked.connect(lambda _=False, p=pct: self._quick(p))
            quick.append(btn)
        hint = label(f"{name}Hint", style="muted", wrap=True)
        self.texts.bind(hint.setText, "ui.discount.hint")
        self.body.addLayout(hbox(self.percent, self.amount))
        self.body.addWidget(self.field)
        self.body.addLayout(hbox(*quick))
        self.body.addWidget(hint)
        self.field.setFocus()

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
