"""Taking payment: cash with one-tap notes and coins and the change shown large, card and
mobile transfer with their references, and any split between them.

The dialog only builds the list of :class:`pos.cart.PaymentSpec`; the sale screen records
the sale with them.

A barcode scanned while the dialog is open adds the product to the cart (the sale screen
then calls :meth:`PaymentDialog.set_total`); its digits never reach the amount field and
its Enter never confirms. Cash handed over that leaves :data:`BIG_CHANGE` or more to give
back is confirmed first, showing the amount given and the change; an amount
:data:`ABSURD_TIMES` times the sum due and over :data:`ABSURD_FLOOR` is refused.

Amounts the dialog puts in its fields (a note tapped, the exact amount) are written the way
the UI language writes them (``1 250,00``, ``1,250.00``), which :func:`pos.money.parse_money`
reads back.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    QWidget,
)

from pos.cart import NOTES_AND_COINS, PaymentMethod, PaymentSpec, check_payments
from pos.errors import Amount, InputError, RuleError
from pos.money import format_amount, format_money, parse_money
from ui.context import AppContext
from ui.scanner import SCANS, TO_CART
from ui.widgets import Dialog, Kept, button, confirm, hbox, label, named, vbox

METHOD_KEYS = {"cash": "F5", "card": "F6", "mobile": "F7"}
BIG_CHANGE = max(NOTES_AND_COINS)  # change of the largest banknote or more is confirmed
ABSURD_TIMES = 100  # cash given this many times the sum due...
ABSURD_FLOOR = 100_000  # ...and over 1 000 DH is a typing (or scanning) accident


def note_text(value: int, lang: str) -> str:
    """A note or coin as written on its button: ``200``, ``0,50`` (fr, ar) or ``0.50`` (en)."""
    text = format_amount(value, lang)
    return text[:-3] if value % 100 == 0 else text


class PaymentDialog(Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, total: int) -> None:
        super().__init__(ctx, parent, "payDialog", "ui.pay.title")
        self.total = total
        self.payments: list[PaymentSpec] = []
        self.setProperty(SCANS, TO_CART)
        self.setMinimumWidth(560)
        t = self.texts
        self.due_caption = label("payDueCaption", style="muted")
        self.due = label("payDue", style="bigTotal")
        self.paid_list = named(QListWidget(), "payPaidList")
        self.paid_list.setMaximumHeight(70)
        self.paid_list.hide()
        self.methods = QButtonGroup(self)
        row = []
        for method, key in METHOD_KEYS.items():
            btn = button(f"payMethod_{method}", checkable=True, shortcut=key)
            t.button(btn, f"payment.{method}")
            btn.setMinimumHeight(46)
            self.methods.addButton(btn)
            btn.clicked.connect(lambda _=False, m=method: self.set_method(m))
            row.append(btn)
        self.methods.setExclusive(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._cash_page())
        self.stack.addWidget(self._other_page())
        self.ok.setProperty("shortcutText", "F12")
        QShortcut(QKeySequence("F12"), self, self.ok.click)
        t.button(self.ok, "ui.pay.validate")
        self.ok.setMinimumHeight(52)
        self.ok.setMinimumWidth(200)
        self.ok.setProperty("role", "pay")
        self.body.setSpacing(6)
        self.body.addLayout(hbox(self.due_caption, None, self.due))
        self.body.addWidget(self.paid_list)
        self.body.addLayout(hbox(*row))
        self.body.addWidget(self.stack)
        self.method = "cash"
        self.set_method("cash")
        self._update()

    # --- pages ------------------------------------------------------------------
    def _cash_page(self) -> QWidget:
        page = QWidget()
        t = self.texts
        given = label("payGivenCaption")
        t.bind(given.setText, "ui.pay.given")
        self.tendered = named(QLineEdit(), "payTendered", self.ctx.t("ui.pay.given"))
        self.tendered.setStyleSheet("font-size: 24px; font-weight: bold; padding: 2px 10px;")
        self.tendered.textChanged.connect(self._update)
        exact = button("payExact", shortcut="F11")
        t.button(exact, "ui.pay.exact")
        exact.clicked.connect(self._exact)
        clear = button("payClearGiven")
        t.button(clear, "ui.pay.clear")
        clear.clicked.connect(self.tendered.clear)
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, value in enumerate(NOTES_AND_COINS):
            btn = button(f"payNote_{value}", role="money")
            btn.setText(note_text(value, self.ctx.lang))
            btn.setAccessibleName(format_money(value, self.ctx.lang))
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.clicked.connect(lambda _=False, v=value: self._add_note(v))
            grid.addWidget(btn, i // 5, i % 5)
        self.change_caption = label("payChangeCaption", style="muted")
        self.change = label("payChange", style="change")
        layout = vbox(given, spacing=4)
        layout.addLayout(hbox(self.tendered, exact, clear))
        layout.addLayout(grid)
        layout.addLayout(hbox(self.change_caption, None))
        layout.addWidget(self.change)
        page.setLayout(layout)
        return page

    def _other_page(self) -> QWidget:
        page = QWidget()
        t = self.texts
        amount_caption = label("payAmountCaption")
        t.bind(amount_caption.setText, "ui.pay.amount")
        self.amount = named(QLineEdit(), "payAmount", self.ctx.t("ui.pay.amount"))
        ref_caption = label("payReferenceCaption")
        t.bind(ref_caption.setText, "ui.pay.reference")
        self.reference = named(QLineEdit(), "payReference", self.ctx.t("ui.pay.reference"))
        hint = label("payOtherHint", style="muted", wrap=True)
        t.bind(hint.setText, "ui.pay.split_hint")
        page.setLayout(vbox(amount_caption, self.amount, ref_caption, self.reference, hint, None,
                            spacing=6))
        return page

    # --- behaviour --------------------------------------------------------------
    @property
    def remaining(self) -> int:
        return self.total - sum(p.amount for p in self.payments)

    def set_method(self, method: str) -> None:
        self.method = method
        for btn in self.methods.buttons():
            btn.setChecked(btn.objectName() == f"payMethod_{method}")
        self.stack.setCurrentIndex(0 if method == "cash" else 1)
        if method == "cash":
            self.tendered.setFocus()
        else:
            self.amount.setText(format_amount(self.remaining, self.ctx.lang))
            self.reference.clear()
            self.reference.setFocus()
        self._update()

    def _add_note(self, value: int) -> None:
        current = self._tendered_value()
        self.tendered.setText(format_amount(current + value, self.ctx.lang))

    def _exact(self) -> None:
        if self.method != "cash":
            self.set_method("cash")
        self.tendered.setText(format_amount(self.remaining, self.ctx.lang))

    def _tendered_value(self) -> int:
        try:
            return parse_money(self.tendered.text()) if self.tendered.text().strip() else 0
        except InputError:
            return 0

    def set_total(self, total: int, added: str) -> None:
        """The cart changed while paying (a product ``added`` by the scanner)."""
        self.total = total
        self._update()
        self.banner.notice(self.ctx.t("ui.pay.added", name=added,
                                      amount=format_money(self.remaining, self.ctx.lang)))

    def _update(self) -> None:
        lang = self.ctx.lang
        split = bool(self.payments)
        self.due_caption.setText(self.ctx.t("ui.pay.remaining" if split else "ui.pay.to_pay"))
        self.due.setText(format_money(self.remaining, lang))
        given = self._tendered_value()
        if given >= self.remaining:
            self.change_caption.setText(self.ctx.t("ui.pay.change"))
            self.change.setText(format_money(given - self.remaining, lang))
            self.change.setStyleSheet("")
        else:
            self.change_caption.setText(self.ctx.t("ui.pay.still_due"))
            self.change.setText(format_money(self.remaining - given, lang))
            self.change.setStyleSheet("color: #b42318;")

    def _record_part(self, spec: PaymentSpec) -> None:
        self.payments.append(spec)
        self.paid_list.show()
        method = self.ctx.t(f"payment.{spec.method}")
        text = f"{method}  {format_money(spec.amount, self.ctx.lang)}"
        if spec.reference:
            text += f"  ({spec.reference})"
        self.paid_list.addItem(text)

    def validate(self) -> None:
        remaining = self.remaining
        if self.method == "cash":
            given = parse_money(self.tendered.text()) if self.tendered.text().strip() else 0
            if given <= 0:
                raise RuleError("payment.tendered_short")
            if given > ABSURD_TIMES * remaining and given > ABSURD_FLOOR:
                raise InputError("ui.pay.given_absurd", given=Amount(given),
                                 due=Amount(remaining))
            if given - remaining >= BIG_CHANGE and not self._confirm_change(given, remaining):
                raise Kept
            if given >= remaining:
                self._record_part(PaymentSpec("cash", remaining, given))
            else:
                self._record_part(PaymentSpec("cash", given, given))
                self.tendered.clear()
                self._update()
                raise _Partial
        else:
            amount = parse_money(self.amount.text(), allow_zero=False)
            if amount > remaining:
                raise RuleError("payment.mismatch", paid=Amount(amount), total=Amount(remaining))
            if not self.reference.text().strip():
                raise InputError("payment.reference_needed")
            method = cast(PaymentMethod, self.method)
            self._record_part(PaymentSpec(method, amount, None, self.reference.text()))
            if amount < remaining:
                self.set_method("cash")
                raise _Partial
        check_payments(self.total, self.payments)

    def _confirm_change(self, given: int, due: int) -> bool:
        """Ask whether ``given`` (leaving ``given - due`` to give back) is right."""
        lang = self.ctx.lang
        question = self.ctx.t("ui.pay.confirm_change", given=format_money(given, lang),
                              change=format_money(given - due, lang))
        if confirm(self.ctx, self, "payChangeConfirm", "ui.pay.confirm_title", question,
                   "ui.pay.confirm_yes", "ui.pay.confirm_no", style="subtitle"):
            return True
        self.tendered.setFocus()
        self.tendered.selectAll()
        return False

    def _try_accept(self) -> None:
        try:
            self.validate()
        except Kept:
            return
        except _Partial:
            self.banner.notice(self.ctx.t("ui.pay.part_recorded",
                                          amount=format_money(self.remaining, self.ctx.lang)))
            self._update()
            return
        except (InputError, RuleError) as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self.accept()

    def change_due(self) -> int:
        return sum((p.change or 0) for p in self.payments)


class _Partial(Exception):
    """A part of a split payment was taken; the dialog stays open for the rest."""
