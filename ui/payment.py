"""Taking payment: cash with one-tap notes and coins and the change shown large, card and
mobile transfer with their references, and any split between them.

The dialog only builds the list of :class:`pos.cart.PaymentSpec`; the sale screen records
the sale with them.

A barcode scanned while the dialog is open adds the product to the cart (the sale screen
then calls :meth:`PaymentDialog.set_total`); its digits never reach the amount field and
its Enter never confirms. Cash handed over that leaves :data:`BIG_CHANGE` or more to give
back is confirmed first, showing the amount given and the change; an amount
:data:`ABSURD_TIMES` times the sum due or more, and over :data:`ABSURD_FLOOR`, is refused
(``6500`` typed for 65,00 DH: centimes typed as dirhams).

Amounts the dialog puts in its fields (a note tapped, the exact amount) are written the way
the UI language writes them (``1 250,00``, ``1,250.00``), which :func:`pos.money.parse_money`
reads back.

Card and mobile transfer, from the keyboard, as on a till's tender keys: the key alone
(F6, F7) pays the rest that way, the cursor in the reference; an amount typed first, less
than the rest, is the part paid that way (``300`` then F6: 300 by card, the rest after).
Shift+Tab from the reference reaches the amount, selected to be typed over; Enter there
goes on to the reference while it is empty.

The parts of a split already taken (a card charged, a transfer received, cash handed over)
are never dropped by closing the dialog: the sale screen keeps them with the cart and opens
the dialog again with them, asking only for the rest, and leaving with parts taken is
confirmed first. A part is only removed by its own button, once the seller confirms it was
given back (on the card terminal, the transfer, the cash). A cart worth nothing (a gift, a
100 % discount) is validated with nothing given, and recorded without a payment.

Each part taken or removed is told at once (``parts_changed``), so that the sale screen
writes it to the database before anything else can happen to the till (a crash, a dead
battery): a card charged is never forgotten. The cash that settles the sum due is the
exception: the sale's own commit, which follows at once, records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pos.cart import PaymentMethod, PaymentSpec, check_payments
from pos.errors import Amount, InputError, RuleError
from pos.i18n import reference_text
from pos.money import NOTES_AND_COINS, format_amount, format_money, parse_money
from ui.context import AppContext
from ui.scanner import SCANS, TO_CART
from ui.widgets import Dialog, Kept, button, confirm, hbox, label, named, vbox

METHOD_KEYS = {"cash": "F5", "card": "F6", "mobile": "F7"}
BIG_CHANGE = max(NOTES_AND_COINS)  # change of the largest banknote or more is confirmed
ABSURD_TIMES = 100  # cash given this many times the sum due or more...
ABSURD_FLOOR = 100_000  # ...and over 1 000 DH is a typing (or scanning) accident
#: how to give each kind of part back before removing it
REMOVE_QUESTIONS = {"cash": "ui.pay.remove_cash", "card": "ui.pay.remove_card",
                    "mobile": "ui.pay.remove_mobile"}


def note_text(value: int, lang: str) -> str:
    """A note or coin as written on its button: ``200``, ``0,50`` (fr, ar) or ``0.50`` (en)."""
    text = format_amount(value, lang)
    return text[:-3] if value % 100 == 0 else text


def part_text(ctx: AppContext, spec: PaymentSpec) -> str:
    """A payment taken, as the seller reads it: ``Carte  500,00 DH  (CB777)``; its
    reference read left to right in Arabic too (:func:`pos.i18n.reference_text`)."""
    text = f"{ctx.t(f'payment.{spec.method}')}  {format_money(spec.amount, ctx.lang)}"
    if not spec.reference:
        return text
    return f"{text}  ({reference_text(spec.reference, ctx.lang)})"


def parts_text(ctx: AppContext, specs: Sequence[PaymentSpec]) -> str:
    return " ; ".join(part_text(ctx, spec) for spec in specs)


class PaymentDialog(Dialog):
    """``taken``: the parts of the payment already taken for this cart (kept by the sale
    screen when the dialog was closed before the end); ``payments`` is what was taken when
    the dialog closes, accepted or not.

    Signals:
        parts_changed(): a part was taken (but the cash that settles the sale) or removed.
    """

    parts_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None, total: int,
                 taken: Sequence[PaymentSpec] = ()) -> None:
        super().__init__(ctx, parent, "payDialog", "ui.pay.title")
        self.total = total
        self.payments: list[PaymentSpec] = list(taken)
        self.setProperty(SCANS, TO_CART)
        self.setMinimumWidth(680)
        t = self.texts
        self.due_caption = label("payDueCaption", style="muted")
        self.due = label("payDue", style="bigTotal")
        self.paid_list = self._parts_table()
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
        due_row = hbox(self.due_caption, None, self.due, self.paid_list)
        due_row.setStretch(1, 0)
        due_row.setStretch(3, 1)  # the parts take the room the sum due leaves
        self.body.addLayout(due_row)
        self.body.addLayout(hbox(*row))
        self.body.addWidget(self.stack)
        self.method = "cash"
        self._show_parts()
        self.set_method("cash")
        self._update()

    # --- pages ------------------------------------------------------------------
    def _parts_table(self) -> QTableWidget:
        table = named(QTableWidget(0, 2), "payPaidList", self.ctx.t("ui.pay.paid_parts"))
        table.horizontalHeader().hide()
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumWidth(280)
        table.hide()
        return table

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
        columns = -(-len(NOTES_AND_COINS) // 2)  # two rows, the notes first
        for i, value in enumerate(NOTES_AND_COINS):
            btn = button(f"payNote_{value}", role="money")
            btn.setText(note_text(value, self.ctx.lang))
            btn.setAccessibleName(format_money(value, self.ctx.lang))
            btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            btn.clicked.connect(lambda _=False, v=value: self._add_note(v))
            grid.addWidget(btn, i // columns, i % columns)
        self.change_caption = label("payChangeCaption", style="muted")
        self.change = label("payChange", style="change")
        self.tendered.setMinimumWidth(140)
        layout = vbox(spacing=4)
        tendered_row = hbox(given, self.tendered, exact, clear)
        tendered_row.setStretch(1, 1)
        layout.addLayout(tendered_row)
        layout.addLayout(grid)
        layout.addLayout(hbox(self.change_caption, None, self.change))
        page.setLayout(layout)
        return page

    def _other_page(self) -> QWidget:
        page = QWidget()
        t = self.texts
        amount_caption = label("payAmountCaption")
        t.bind(amount_caption.setText, "ui.pay.amount")
        self.amount = named(QLineEdit(), "payAmount", self.ctx.t("ui.pay.amount"))
        self.amount.installEventFilter(self)
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
        """Pay by ``method``: the rest, or the amount typed on the page shown when it is
        less than the rest (typed before choosing how it is paid); a card or a transfer
        then asks for its reference."""
        part = self._typed_part()
        before, self.method = self.method, method
        for btn in self.methods.buttons():
            btn.setChecked(btn.objectName() == f"payMethod_{method}")
        self.stack.setCurrentIndex(0 if method == "cash" else 1)
        lang = self.ctx.lang
        if method == "cash":
            if part is not None:
                self.tendered.setText(format_amount(part, lang))
            self.tendered.setFocus()
        else:
            if part is not None and before == "cash":
                self.tendered.clear()  # it is paid this way now
            self.amount.setText(format_amount(self.remaining if part is None else part, lang))
            if method != before:
                self.reference.clear()
            self.reference.setFocus()
        self._update()

    def _typed_part(self) -> int | None:
        """The amount typed on the page shown, when it is less than the rest (a part of
        it); None for nothing, the rest or more, or what is not an amount."""
        value = _amount_in(self.tendered if self.method == "cash" else self.amount)
        return value if value is not None and 0 < value < self.remaining else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the amount of a card or transfer goes on to its reference while none
        is typed, rather than refusing the part for want of it."""
        if (watched is self.amount and event.type() == QEvent.Type.KeyPress
                and cast(QKeyEvent, event).key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not self.reference.text().strip()):
            self.reference.setFocus()
            return True
        return super().eventFilter(watched, event)

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
        """The cart changed while paying (a product ``added`` by the scanner); a card or
        transfer amount that was the rest is the new rest."""
        whole = self.method != "cash" and _amount_in(self.amount) == self.remaining
        self.total = total
        if whole:
            self.amount.setText(format_amount(self.remaining, self.ctx.lang))
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

    def _record_part(self, spec: PaymentSpec, *, settles: bool = False) -> None:
        self.payments.append(spec)
        self._show_parts()
        if not (settles and spec.method == "cash"):
            self.parts_changed.emit()

    def _show_parts(self) -> None:
        """The parts taken, newest in view, each with its own button to remove it; the list
        sits beside the sum due and scrolls, so a split never makes the dialog taller."""
        table = self.paid_list
        table.setRowCount(0)
        for i, spec in enumerate(self.payments):
            text = part_text(self.ctx, spec)
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            remove = button(f"payRemovePart{i}")
            remove.setText(self.ctx.t("ui.pay.remove_part"))
            remove.setAccessibleName(self.ctx.t("ui.pay.remove_part_named", part=text))
            remove.setToolTip(remove.accessibleName())
            remove.setStyleSheet("padding: 2px 8px;")
            remove.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            remove.clicked.connect(lambda _=False, s=spec: self._remove_part(s))
            table.insertRow(i)
            table.setItem(i, 0, item)
            table.setCellWidget(i, 1, remove)
        count = table.rowCount()
        table.setVisible(bool(count))
        if count:
            table.resizeRowsToContents()
            rows = sum(table.rowHeight(r) for r in range(min(count, 2)))
            table.setFixedHeight(rows + 2 * table.frameWidth())
            table.scrollToItem(table.item(count - 1, 0))

    def _remove_part(self, spec: PaymentSpec) -> None:
        """Remove a part taken, once the seller confirms it was given back to the customer."""
        lang = self.ctx.lang
        question = self.ctx.t(REMOVE_QUESTIONS[spec.method], part=part_text(self.ctx, spec),
                              amount=format_money(spec.amount, lang))
        if not confirm(self.ctx, self, "payRemoveConfirm", "ui.pay.remove_title", question,
                       "ui.pay.remove_yes", "ui.pay.remove_no", risky=True):
            return
        self.payments.remove(spec)
        self._show_parts()
        self.parts_changed.emit()
        if self.method != "cash":
            self.amount.setText(format_amount(self.remaining, lang))
        self._update()
        self.banner.notice(self.ctx.t("ui.pay.part_removed",
                                      amount=format_money(self.remaining, lang)))

    def reject(self) -> None:
        """Esc, Cancel or the window's close: with parts taken, only once the seller
        confirms (the parts stay with the cart either way)."""
        if self.payments and not self._confirm_leave():
            return
        super().reject()

    def _confirm_leave(self) -> bool:
        lang = self.ctx.lang
        question = self.ctx.t("ui.pay.leave_question",
                              paid=format_money(self.total - self.remaining, lang),
                              parts=parts_text(self.ctx, self.payments),
                              rest=format_money(self.remaining, lang))
        return confirm(self.ctx, self, "payLeaveConfirm", "ui.pay.leave_title", question,
                       "ui.pay.leave_yes", "ui.pay.leave_no")

    def _entered(self) -> int:
        """The amount typed on the page shown (0 when empty)."""
        field = self.tendered if self.method == "cash" else self.amount
        return parse_money(field.text()) if field.text().strip() else 0

    def validate(self) -> None:
        remaining = self.remaining
        if remaining == 0:  # a gift, or parts that already cover the cart: nothing to take
            if self._entered():
                raise InputError("ui.pay.nothing_due")
            check_payments(self.total, self.payments)
            return
        if self.method == "cash":
            given = self._entered()
            if given <= 0:
                self.tendered.setFocus()
                raise InputError("ui.pay.given_needed")
            if given >= ABSURD_TIMES * remaining and given > ABSURD_FLOOR:
                raise InputError("ui.pay.given_absurd", given=Amount(given),
                                 due=Amount(remaining))
            if given - remaining >= BIG_CHANGE and not self._confirm_change(given, remaining):
                raise Kept
            if given >= remaining:
                self._record_part(PaymentSpec("cash", remaining, given), settles=True)
            else:
                self._record_part(PaymentSpec("cash", given, given))
                self.tendered.clear()
                self._update()
                raise _Partial
        else:
            amount = parse_money(self.amount.text(), allow_zero=False)
            if amount > remaining:
                self.amount.setFocus()
                self.amount.selectAll()  # to be typed over
                raise InputError("ui.pay.more_than_due", amount=Amount(amount),
                                 rest=Amount(remaining))
            if not self.reference.text().strip():
                raise InputError("payment.reference_needed")
            method = cast(PaymentMethod, self.method)
            self._record_part(PaymentSpec(method, amount, None, self.reference.text()))
            if amount < remaining:
                self.amount.clear()  # taken: not an amount to pay in cash
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


def _amount_in(field: QLineEdit) -> int | None:
    """The amount typed in ``field`` (0 when empty); None when it is not one."""
    try:
        return parse_money(field.text()) if field.text().strip() else 0
    except InputError:
        return None


class _Partial(Exception):
    """A part of a split payment was taken; the dialog stays open for the rest."""
