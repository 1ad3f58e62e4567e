"""The tickets of a business day (today's by default, earlier days from a day selector):
the list, search (a ticket number finds the ticket on any day), the detail of one ticket,
reprint, refund (some or all lines, a reason, the manager's PIN), void (open day only), the
invoice of a sale and the year's invoices and credit notes (:mod:`ui.invoice`)."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Final

from PySide6.QtCore import QItemSelectionModel, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from pos import checkout, day, invoices, journal, refunds, settings, witness
from pos.cart import parse_line_quantity
from pos.catalogue import fold
from pos.errors import InputError, SoukError
from pos.i18n import reference_text
from pos.models import BusinessDay, Sale, User
from pos.money import format_amount, format_measure, format_money, format_quantity
from pos.receipts import RECEIPT_LANGUAGES, Direction, isolate
from ui.context import AppContext
from ui.figures import rich_table
from ui.invoice import (
    InvoicesDialog,
    credit_note_made,
    credit_note_text,
    invoice_sale,
    invoiced_text,
    queue_credit_note,
)
from ui.printing import PrintService
from ui.widgets import (
    WRONG_FIELD,
    Banner,
    Dialog,
    Kept,
    Texts,
    ask_manager,
    button,
    card,
    confirm,
    error_words,
    hbox,
    label,
    mark_wrong,
    named,
    search_field,
    vbox,
    when_visible,
)

COLUMNS = ("ui.sales.number", "ui.sales.time", "ui.sales.kind", "ui.sales.payment",
           "ui.sales.total")


def local_time(sale: Sale, fmt: str = "%H:%M") -> str:
    return (sale.created_at + dt.timedelta(minutes=sale.utc_offset_minutes)).strftime(fmt)


def sale_by_number(session: Session, number: int) -> Sale | None:
    """The ticket with this number, whatever its day (one look-up in the unique index)."""
    return session.scalar(select(Sale).where(Sale.number == number))


def reversals(session: Session, *, day_id: int | None = None,
              sale_ids: list[str] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Per sale id (the sales of ``day_id`` and those in ``sale_ids``): the refunds and
    voids recorded against it on any day, as (kind, number)."""
    original = aliased(Sale)
    targets = []
    if day_id is not None:
        targets.append(Sale.reverses.in_(select(original.id).where(original.day_id == day_id)))
    if sale_ids:
        targets.append(Sale.reverses.in_(sale_ids))
    out: dict[str, list[tuple[str, int]]] = {}
    for target in targets:
        query = select(Sale.reverses, Sale.kind, Sale.number).where(target)
        for reverses, kind, number in session.execute(query.order_by(Sale.number)):
            done = out.setdefault(str(reverses), [])
            if (kind, number) not in done:
                done.append((kind, number))
    return out


def scrolling(area: QScrollArea, body: QWidget, name: str) -> QScrollArea:
    """``area`` made to scroll ``body`` up and down as part of the page around it (no
    frame, no background of its own, as wide as it is given)."""
    named(area, name)
    area.setWidget(body)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setStyleSheet("QScrollArea { background: transparent; }")
    area.viewport().setAutoFillBackground(False)
    body.setAutoFillBackground(False)
    return area


class LinesArea(QScrollArea):
    """A ticket's lines that scroll past ``rows`` of them, so that what follows them (the
    reason, the buttons) stays on a 1024x600 screen however long the ticket."""

    def __init__(self, body: QWidget, name: str, rows: int, count: int) -> None:
        super().__init__()
        scrolling(self, body, name)
        self.rows = rows
        self.count = max(count, 1)

    def _hint(self, rows: int) -> QSize:
        """As wide as the lines with the scroll bar beside them, ``rows`` of them high."""
        inner = self.widget().sizeHint()
        if self.count <= rows:
            return inner
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(inner.width() + bar, inner.height() * rows // self.count)

    def sizeHint(self) -> QSize:
        return self._hint(self.rows)

    def minimumSizeHint(self) -> QSize:
        # never narrower than the lines (a scroll area would squeeze them), at least two
        return self._hint(min(2, self.rows))


class RefundDialog(Dialog):
    """Choose what is given back, why, and how. On OK the quantities are checked (no more
    than is left, pieces whole) before the manager's PIN is asked; a wrong one is marked
    and nothing is asked. A card or a transfer takes back no more than it paid of the
    sale (:func:`pos.refunds.method_room`): the rest is given in cash, once the seller
    has agreed to that split, and a card's or transfer's reference is typed."""

    #: lines shown at once; more scroll
    ROWS: Final = 4
    #: what the split asks, per method that takes back part of it, or nothing of it
    SPLIT: Final = {"card": "ui.refund.split_card", "mobile": "ui.refund.split_mobile"}
    NO_ROOM: Final = {"card": "ui.refund.none_card", "mobile": "ui.refund.none_mobile"}

    def __init__(self, ctx: AppContext, parent: QWidget | None, sale: Sale,
                 left: dict[int, int], label_text: str,
                 printer: PrintService | None = None) -> None:
        super().__init__(ctx, parent, "refundDialog", "ui.refund.title", ticket=label_text)
        self.setStyleSheet(WRONG_FIELD)
        self.printer = printer  # the receipt is queued in the refund's own transaction
        self.sale = sale
        self.left = left
        self.result_sale: str | None = None
        with ctx.read() as s:
            self.room = refunds.method_room(s, checkout.get_sale(s, sale.id))
        self.fields: dict[int, QLineEdit] = {}
        body = named(QWidget(), "refundLinesBody")
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        lang = ctx.lang
        for row, line in enumerate(sale.lines):
            name = label(f"refundName_{row}")
            name.setText(ctx.name_of(line.name_ar, line.name_fr))
            sold = label(f"refundSold_{row}", style="muted")
            sold.setText(ctx.t("ui.refund.left", qty=format_measure(left.get(line.id, 0),
                                                                     line.unit, lang)))
            field = named(QLineEdit(), f"refundQty_{row}",
                          ctx.t("ui.refund.quantity_of", name=name.text()))
            field.setPlaceholderText("0")
            field.setMaximumWidth(110)
            field.setEnabled(left.get(line.id, 0) > 0)
            field.textEdited.connect(lambda _t, f=field: mark_wrong(f, False))
            self.fields[line.id] = field
            grid.addWidget(name, row, 0)
            grid.addWidget(sold, row, 1)
            grid.addWidget(field, row, 2)
        self.lines_area = LinesArea(body, "refundLines", self.ROWS, len(sale.lines))
        everything = button("refundAll")
        self.texts.button(everything, "ui.refund.all")
        everything.clicked.connect(self.fill_all)
        rcap = label("refundReasonCaption")
        self.texts.bind(rcap.setText, "ui.refund.reason")
        self.reason = named(QComboBox(), "refundReason", ctx.t("ui.refund.reason"))
        self.reason.setEditable(True)
        for key in ("ui.refund.reason_return", "ui.refund.reason_damaged",
                    "ui.refund.reason_mistake"):
            self.reason.addItem(ctx.t(key))
        self.reason.setCurrentText("")
        mcap = label("refundMethodCaption")
        self.texts.bind(mcap.setText, "ui.refund.method")
        self.method = named(QComboBox(), "refundMethod", ctx.t("ui.refund.method"))
        for m in ("cash", "card", "mobile"):
            self.method.addItem(ctx.t(f"payment.{m}"), m)
        self.method.setCurrentIndex(max(self.method.findData(self.default_method()), 0))
        self.ref_caption = label("refundReferenceCaption")
        self.texts.bind(self.ref_caption.setText, "ui.refund.reference")
        self.reference = named(QLineEdit(), "refundReference", ctx.t("ui.refund.reference"))
        self.reference.textEdited.connect(lambda _t: mark_wrong(self.reference, False))
        self.method.currentIndexChanged.connect(self._method_chosen)
        self._method_chosen()
        self.body.addWidget(self.lines_area, 1)
        self.body.addWidget(everything)
        choices = QGridLayout()  # the two fields one above the other, aligned
        choices.setHorizontalSpacing(12)
        choices.addWidget(rcap, 0, 0)
        choices.addWidget(self.reason, 0, 1)
        choices.addWidget(mcap, 1, 0)
        choices.addWidget(self.method, 1, 1, Qt.AlignmentFlag.AlignLeading)
        choices.addWidget(self.ref_caption, 2, 0)
        choices.addWidget(self.reference, 2, 1)
        choices.setColumnStretch(1, 1)
        self.body.addLayout(choices)
        self.texts.button(self.ok, "ui.refund.do")
        # the quantities are typed first (or "Refund everything" pressed)
        first = next((f for f in self.fields.values() if f.isEnabled()), None)
        if first is not None:
            first.setFocus()

    def default_method(self) -> str:
        """The way most of the sale was paid (a card sale is refunded to the card) while
        that way can still take something back, else cash."""
        paid: dict[str, int] = {}
        for payment in self.sale.payments:
            paid[payment.method] = paid.get(payment.method, 0) + payment.amount
        most = max(paid, key=lambda method: paid[method], default="cash")
        return most if most == "cash" or self.room.get(most, 0) > 0 else "cash"

    def _method_chosen(self) -> None:
        """A card or a transfer asks for the reference of its operation; cash none."""
        other = self.method.currentData() != "cash"
        self.ref_caption.setVisible(other)
        self.reference.setVisible(other)
        mark_wrong(self.reference, False)

    def fill_all(self) -> None:
        for line in self.sale.lines:
            qty = self.left.get(line.id, 0)
            if qty:
                self.fields[line.id].setText(format_quantity(qty, line.unit, self.ctx.lang))

    def quantities(self) -> dict[int, int]:
        """What is typed to be given back, per line id; a quantity that cannot be (not a
        number, more than is left, a part of a piece) raises, its field marked."""
        out: dict[int, int] = {}
        for line in self.sale.lines:
            field = self.fields[line.id]
            mark_wrong(field, False)
            text = field.text().strip()
            if not text or not field.isEnabled():
                continue
            try:
                quantity = parse_line_quantity(text, line.unit, allow_zero=True)
                problem = refunds.quantity_problem(line, quantity, self.left.get(line.id, 0))
                if problem is not None:
                    raise problem
            except SoukError:
                self.lines_area.ensureWidgetVisible(field)
                mark_wrong(field)
                raise
            if quantity:
                out[line.id] = quantity
        return out

    def refund_parts(self, quantities: dict[int, int]) -> list[refunds.RefundPart]:
        """How what ``quantities`` give back is paid back: by the method chosen as far as
        it can take it, the rest in cash (:func:`pos.refunds.parts_for`). A card or a
        transfer that takes part of it needs its reference (the field marked)."""
        method = str(self.method.currentData())
        with self.ctx.read() as s:
            original = checkout.get_sale(s, self.sale.id)
            amount = refunds.amount_of(s, original, quantities)
            self.room = refunds.method_room(s, original)
        parts = refunds.parts_for(self.room, amount, method, self.reference.text())
        if any(p.method != "cash" and p.amount and not p.reference for p in parts):
            mark_wrong(self.reference)
            self.reference.setFocus()
            raise InputError("payment.reference_needed")
        return parts

    def split_agreed(self, parts: list[refunds.RefundPart]) -> bool:
        """Whether the seller agrees to give back in cash what the chosen card or transfer
        cannot take (asked only then)."""
        method = str(self.method.currentData())
        taken = sum(p.amount for p in parts if p.method == method)
        cash = sum(p.amount for p in parts if p.method == "cash")
        if method == "cash" or not cash:
            return True
        lang = self.ctx.lang
        if taken:
            question = self.ctx.t(self.SPLIT[method], part=format_money(taken, lang),
                                  cash=format_money(cash, lang))
        else:
            question = self.ctx.t(self.NO_ROOM[method], cash=format_money(cash, lang))
        return confirm(self.ctx, self, "refundSplitConfirm", "ui.refund.split_title", question,
                       "ui.refund.split_yes", "ui.refund.split_no", style="subtitle")

    def validate(self) -> None:
        quantities = self.quantities()  # checked before the PIN is asked
        if not quantities:
            raise InputError("refund.nothing")
        if not self.reason.currentText().strip():
            raise InputError("refund.reason_needed")
        parts = self.refund_parts(quantities)
        if not self.split_agreed(parts):
            raise Kept
        manager = ask_manager(self.ctx, self, "ui.pin.reason_refund")
        if manager is None:
            raise Kept
        with self.ctx.write() as s:
            done = refunds.refund(s, self.sale.id, quantities=quantities,
                                  reason=self.reason.currentText(), manager=manager,
                                  cashier=self.ctx.user, parts=parts)
            if self.printer is not None:
                self.printer.enqueue(s, done.kind, done.id)
            queue_credit_note(self.printer, s, done.id)
            self.result_sale = done.id


class VoidDialog(Dialog):
    """The reason of a void. Its buttons say what they do ("Void the ticket", "Keep the
    ticket"): in French and Arabic "Annuler" and "إلغاء" would name both the void and
    going back."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, label_text: str) -> None:
        super().__init__(ctx, parent, "voidDialog", "ui.void.title", ticket=label_text)
        self.texts.button(self.ok, "ui.void.do")
        self.texts.button(self.cancel, "ui.void.keep")
        cap = label("voidReasonCaption")
        self.texts.bind(cap.setText, "ui.refund.reason")
        self.reason = named(QLineEdit(), "voidReason", ctx.t("ui.refund.reason"))
        self.reason.setText(ctx.t("ui.refund.reason_mistake"))
        self.reason.selectAll()  # the usual reason, replaced by what is typed
        self.reason_text = ""
        self.body.addWidget(cap)
        self.body.addWidget(self.reason)
        self.setMinimumWidth(380)  # the ticket's number and a reason whole
        self.reason.setFocus()

    def validate(self) -> None:
        self.reason_text = self.reason.text().strip()
        if not self.reason_text:
            raise InputError("refund.reason_needed")


class SalesScreen(QWidget):
    def __init__(self, ctx: AppContext, printer: PrintService) -> None:
        super().__init__()
        named(self, "salesScreen")
        self.ctx = ctx
        self.printer = printer
        self.texts = Texts(ctx)
        self.rows: list[Sale] = []
        self.shown: list[Sale] = []
        self.found: Sale | None = None  # the ticket whose number is searched, on any day
        self.reversals: dict[str, list[tuple[str, int]]] = {}
        self.days: list[BusinessDay] = []
        self.day_id: int | None = None
        self._newest: int | None = None
        self.prefix = "T01"
        self.marks: journal.Marks = ()  # the marks restores put on ticket labels
        self.z_marks: journal.Marks = ()  # and on Z numbers
        t = self.texts
        title = self.title = label("salesTitle", style="title")
        title.setText(ctx.t("ui.sales.title"))
        day_caption = label("salesDayCaption")
        t.bind(day_caption.setText, "ui.sales.day")
        self.day_box = named(QComboBox(), "salesDay")
        t.bind(self.day_box.setAccessibleName, "ui.sales.day")
        self.day_box.setMinimumWidth(220)
        self.day_box.currentIndexChanged.connect(self._day_chosen)
        self.search = search_field(t, "salesSearch", "ui.sales.search")
        self.search.textChanged.connect(self._search_changed)
        self.table = named(QTableWidget(0, len(COLUMNS)), "salesTable")
        t.bind(self.table.setAccessibleName, "ui.sales.title")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 2):  # the number, the hour and "Refunded sale" are read whole
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.detail_title = label("saleDetailTitle", style="subtitle", wrap=True)
        self.detail = label("saleDetail", wrap=True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        # a long ticket scrolls in its card instead of growing the window past the screen
        self.detail_area = scrolling(QScrollArea(), self.detail, "saleDetailScroll")
        self.hint = label("saleDetailHint", style="muted", wrap=True)
        self.banner = Banner("salesMessage")
        self.reprint_btn = button("salesReprint")
        # a copy in the language the customer reads (a tourist's receipt in English)
        self.reprint_in_btn = button("salesReprintIn")
        t.button(self.reprint_in_btn, "ui.sales.reprint_in")
        self.languages = named(QMenu(self.reprint_in_btn), "salesReprintLanguages")
        for lang in RECEIPT_LANGUAGES:
            action = self.languages.addAction("")
            action.setData(lang)
            t.bind(action.setText, f"ui.receipt_language.{lang}")
            action.triggered.connect(lambda _c=False, lang=lang: self.reprint(lang))
        self.reprint_in_btn.setMenu(self.languages)
        self.refund_btn = button("salesRefund")
        self.void_btn = button("salesVoid", role="danger")
        self.invoice_btn = button("salesInvoice")
        # the year's invoices and credit notes, to find one again (a customer's accountant)
        self.invoices_btn = button("salesInvoices")
        t.button(self.invoices_btn, "ui.sales.invoices")
        self.invoices_btn.clicked.connect(self.show_invoices)
        for btn, key, slot in ((self.reprint_btn, "ui.sales.reprint", lambda: self.reprint()),
                               (self.refund_btn, "ui.sales.refund", self.refund),
                               (self.void_btn, "ui.sales.void", self.void),
                               (self.invoice_btn, "ui.sales.invoice", self.invoice)):
            t.button(btn, key)
            btn.clicked.connect(slot)
        side = card()
        side.setMinimumWidth(320)
        side.setMaximumWidth(440)
        side_layout = vbox(self.detail_title, self.detail_area, self.hint, self.reprint_btn,
                           self.reprint_in_btn, self.invoice_btn, self.refund_btn, self.void_btn,
                           margins=14)
        side_layout.setStretchFactor(self.detail_area, 1)
        side.setLayout(side_layout)
        left = vbox(spacing=8)
        left.addLayout(hbox(title, None, self.invoices_btn, day_caption, self.day_box))
        left.addWidget(self.search)
        left.addWidget(self.banner)
        left.addWidget(self.table, 1)
        layout = hbox(spacing=12, margins=12)
        layout.addLayout(left, 1)
        layout.addWidget(side)
        self.setLayout(layout)
        ctx.sales_changed.connect(when_visible(self, self.refresh))
        ctx.day_changed.connect(when_visible(self, self.refresh))
        ctx.language_changed.connect(lambda _l: self.retranslate())

    def label_of(self, number: int) -> str:
        return settings.ticket_label(self.prefix, number, journal.mark_at(self.marks, number))

    # --- loading ----------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the business days and the chosen day's tickets. The day chosen stays
        chosen until a new day is opened; then that day is shown."""
        with self.ctx.read() as s:
            self.prefix = settings.device_prefix(s)
            self.marks = journal.ticket_marks(journal.driver_connection(s))
            self.z_marks = journal.z_marks(journal.driver_connection(s))
            self.days = day.days(s)
        newest = self.days[0].id if self.days else None
        if newest != self._newest or self.day_id not in {d.id for d in self.days}:
            self.day_id = newest
        self._newest = newest
        self._fill_days()
        self._set_title()
        self._load()

    def _day_label(self, d: BusinessDay) -> str:
        date = d.date.strftime("%d/%m/%Y")
        if d.is_open:
            return self.ctx.t("ui.sales.day_open", date=date)
        z = journal.z_label_at(self.z_marks, d.z_number) if d.z_number else ""
        return self.ctx.t("ui.sales.day_closed", date=date, z=z)

    def _fill_days(self) -> None:
        self.day_box.blockSignals(True)
        self.day_box.clear()
        for d in self.days:
            self.day_box.addItem(self._day_label(d), d.id)
        self.day_box.setCurrentIndex(max(self.day_box.findData(self.day_id), 0))
        self.day_box.blockSignals(False)

    def show_day(self, day_id: int) -> None:
        """Show the tickets of business day ``day_id``."""
        index = self.day_box.findData(day_id)
        if index >= 0:
            self.day_box.setCurrentIndex(index)

    def _day_chosen(self, _index: int) -> None:
        self.day_id = self.day_box.currentData()
        self._set_title()
        self._load()

    def _load(self) -> None:
        with self.ctx.read() as s:
            self.rows = checkout.sales_of_day(s, self.day_id) if self.day_id is not None else []
            self.found = self._lookup(s)
            extra = [self.found.id] if self.found is not None else []
            self.reversals = reversals(s, day_id=self.day_id, sale_ids=extra)
        self._fill()

    def _lookup(self, session: Session) -> Sale | None:
        number = journal.ticket_number(self.search.text(), self.prefix, self.marks)
        return sale_by_number(session, number) if number is not None else None

    def _search_changed(self) -> None:
        found = self.found
        with self.ctx.read() as s:
            self.found = self._lookup(s)
            if self.found is not None and (found is None or found.id != self.found.id):
                self.reversals.update(reversals(s, sale_ids=[self.found.id]))
        self._fill()

    # --- the list ---------------------------------------------------------------
    def _matches(self, sale: Sale, words: list[str]) -> bool:
        text = fold(" ".join([self.label_of(sale.number), str(sale.number),
                              format_amount(sale.total, self.ctx.lang), sale.cashier_name]
                             + [f"{ln.name_ar} {ln.name_fr}" for ln in sale.lines]
                             + [p.reference for p in sale.payments]))
        return all(w in text for w in words)

    def _kind(self, sale: Sale) -> str:
        done = {kind for kind, _n in self.reversals.get(sale.id, [])}
        if sale.kind == "sale" and done:
            return self.ctx.t("ui.sales.kind_voided" if "void" in done
                              else "ui.sales.kind_refunded")
        return self.ctx.t(f"ui.sales.kind_{sale.kind}")

    def _fill(self) -> None:
        t, lang = self.ctx.t, self.ctx.lang
        self.table.setHorizontalHeaderLabels([t(c) for c in COLUMNS])
        chosen = self.selected()  # stays chosen when the list is filled again
        words = fold(self.search.text()).split()
        shown = [sale for sale in self.rows if self._matches(sale, words)]
        if self.found is not None and all(s.id != self.found.id for s in shown):
            shown.insert(0, self.found)
        self.shown = shown
        self.table.setRowCount(len(shown))
        for row, sale in enumerate(shown):
            methods = " + ".join(dict.fromkeys(t(f"payment.{p.method}") for p in sale.payments))
            when = local_time(sale, "%H:%M" if sale.day_id == self.day_id else "%d/%m %H:%M")
            cells = (self.label_of(sale.number), when, self._kind(sale), methods,
                     format_money(sale.total, lang))
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if sale.kind != "sale" or sale.id in self.reversals:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        rows = [r for r, sale in enumerate(shown) if chosen is not None and sale.id == chosen.id]
        if len(shown) == 1 and self.found is not None:
            rows = [0]
        if rows:
            self.select_row(rows[0])
        else:
            self.table.clearSelection()
        self._show_detail()

    def selected(self) -> Sale | None:
        rows = self.table.selectionModel().selectedRows()
        return self.shown[rows[0].row()] if rows else None

    def select_row(self, row: int) -> None:
        index = self.table.model().index(row, 0)
        self.table.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def select_number(self, number: int) -> None:
        for row, sale in enumerate(self.shown):
            if sale.number == number:
                self.select_row(row)

    def _show_detail(self) -> None:
        sale = self.selected()
        t, lang = self.ctx.t, self.ctx.lang
        for btn in (self.reprint_btn, self.reprint_in_btn, self.refund_btn, self.void_btn,
                    self.invoice_btn):
            btn.setEnabled(sale is not None)
        self.hint.setText("")
        self.void_btn.setToolTip("")
        if sale is None:
            self.detail_title.setText(t("ui.sales.pick"))
            self.detail.setText("")
            return
        done = self.reversals.get(sale.id, [])
        open_day = self.ctx.open_day()
        today = open_day is not None and sale.day_id == open_day.id
        self.void_btn.setEnabled(sale.kind == "sale" and not done and today)
        with self.ctx.read() as s:
            left = refunds.refundable(s, sale) if sale.kind == "sale" and done else None
            invoice = invoices.invoice_of(s, sale.id)
            notes = invoices.credit_notes_of(s, invoice) if invoice is not None else []
            note = invoices.credit_note_of(s, sale.id) if sale.kind != "sale" else None
            # a refund of an invoiced sale recorded before credit notes were made has none
            owed = (note is None and sale.reverses is not None
                    and invoices.invoice_of(s, sale.reverses) is not None)
        # a sale's invoice, or its duplicate once it has one (a refunded sale gets none); a
        # refund's credit note again, or at last
        self.invoice_btn.setEnabled((sale.kind == "sale" and (invoice is not None or not done))
                                    or note is not None or owed)
        given_back = left is not None and not any(left.values())  # refunded whole, or voided
        self.refund_btn.setEnabled(sale.kind == "sale" and open_day is not None
                                   and not given_back)
        self.refund_btn.setToolTip(t("ui.sales.nothing_left") if given_back else "")
        if sale.kind == "sale" and not done and open_day is not None and not today:
            self.hint.setText(t("void.other_day"))
            self.void_btn.setToolTip(self.hint.text())
        elif sale.kind == "sale" and open_day is None:
            self.hint.setText(t("day.not_open"))
        elif given_back:
            voided = any(kind == "void" for kind, _n in done)
            self.hint.setText(t("ui.sales.voided" if voided else "ui.sales.nothing_left"))
        elif sale.kind == "sale" and done and today:  # refunded in part, no more voided
            self.hint.setText(t("ui.sales.refunded_no_void"))
            self.void_btn.setToolTip(self.hint.text())
        self.detail_title.setText(f"{t('ui.sales.kind_' + sale.kind)} "
                                  f"{self.label_of(sale.number)} · "
                                  f"{local_time(sale, '%d/%m/%Y %H:%M')}")
        direction: Direction = "rtl" if self.ctx.rtl else "ltr"  # a quantity below 0 kept whole
        rows = [
            (f"{isolate(format_quantity(ln.quantity, ln.unit, lang), direction)} × "
             f"{escape(self.ctx.name_of(ln.name_ar, ln.name_fr))}",
             format_amount(ln.total, lang))
            for ln in sale.lines
        ]
        rows.append((f"<b>{t('ui.cart.total')}</b>", f"<b>{format_money(sale.total, lang)}</b>"))
        for p in sale.payments:
            ref = f" ({escape(reference_text(p.reference, lang))})" if p.reference else ""
            rows.append((f"{t('payment.' + p.method)}{ref}",
                         format_amount(p.amount, lang)))
        # the refunds or the void first: at 1024x600 the lines below scroll
        first = ""
        if done:
            tickets = ", ".join(self.label_of(number) for _k, number in done)
            voided = any(k == "void" for k, _n in done)
            key = "ui.sales.voided_by" if voided else "ui.sales.refunded_by"
            first = f"<p><b>{t(key, tickets=tickets)}</b></p>"
        extra = (f"<p>{escape(t('ui.sales.reason', reason=sale.reason))}</p>" if sale.reason
                 else "")
        if invoice is not None:
            extra += f"<p>{escape(invoiced_text(self.ctx, invoice, notes))}</p>"
        if note is not None:
            extra += f"<p>{escape(credit_note_text(self.ctx, note))}</p>"
        self.detail.setText(first + rich_table(rows, lang) + extra)
        self.detail_area.verticalScrollBar().setValue(0)  # a ticket is read from its top

    # --- actions ----------------------------------------------------------------
    def reprint(self, language: str | None = None) -> None:
        """Print a copy of the selected receipt, in the receipt ``language`` (or the
        settings' one); without a printer, show it (to save as PNG or PDF)."""
        sale = self.selected()
        if sale is None:
            return
        if self.printer.print_job(sale.kind, sale.id, duplicate=True, language=language):
            self.banner.notice(self.ctx.t("ui.sales.reprinted"))
        else:
            self.printer.show_receipt(self, sale.id, duplicate=True, language=language)

    def refund(self) -> None:
        sale = self.selected()
        if sale is None:
            return
        if self.ctx.open_day() is None:
            self.banner.error(self.ctx.t("day.not_open"))
            return
        with self.ctx.read() as s:
            left = refunds.refundable(s, sale)
        if not any(left.values()):
            self.banner.error(self.ctx.t("ui.sales.nothing_left"))
            return
        dialog = RefundDialog(self.ctx, self, sale, left, self.label_of(sale.number),
                              printer=self.printer)
        if dialog.exec() and dialog.result_sale:
            self._after_reversal(dialog.result_sale, "refund")

    def void(self) -> None:
        sale = self.selected()
        if sale is None:
            return
        open_day = self.ctx.open_day()
        if open_day is None or sale.day_id != open_day.id:
            self.banner.error(self.ctx.t("void.other_day"))
            return
        dialog = VoidDialog(self.ctx, self, self.label_of(sale.number))
        if not dialog.exec():
            return
        manager = ask_manager(self.ctx, self, "ui.pin.reason_void")
        if manager is None:
            return
        self._void(sale, dialog.reason_text, manager)

    def invoice(self) -> None:
        """The selected sale's invoice: made, or printed again as a duplicate."""
        sale = self.selected()
        if sale is None:
            return
        try:
            said = invoice_sale(self.ctx, self, self.printer, sale, self.label_of(sale.number))
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        if said:
            self.banner.notice(said)
            self._show_detail()

    def open_receipt(self, code: str) -> None:
        """A receipt's QR code was scanned (a customer back with it, to refund, invoice or
        print it again): show its ticket, whatever its day, and say so when the receipt is
        not what the journal holds (another till's, forged, or lost with a restore)."""
        try:
            receipt = witness.parse(code)
        except SoukError as exc:
            self.banner.error(error_words(self.ctx, exc), seconds=20)
            return
        with self.ctx.read() as s:
            finding = witness.check(journal.driver_connection(s), receipt)
            sale = s.get(Sale, receipt.sale_id)
            label = self.label_of(sale.number) if sale is not None else None
        if label is not None:
            self.search.setText(label)
        if not finding.ok:
            self.banner.error(error_words(self.ctx, finding.said), seconds=20)

    def show_invoices(self) -> None:
        """This year's invoices and credit notes, to find one and give it again."""
        InvoicesDialog(self.ctx, self, self.printer).exec()

    def _void(self, sale: Sale, reason: str, manager: User) -> None:
        try:
            with self.ctx.write() as s:
                done = refunds.void(s, sale.id, reason=reason, manager=manager,
                                    cashier=self.ctx.user)
                self.printer.enqueue(s, done.kind, done.id)
                queue_credit_note(self.printer, s, done.id)
                done_id = done.id
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self._after_reversal(done_id, "void")

    def _after_reversal(self, sale_id: str, kind: str) -> None:
        self.printer.notify()
        said = credit_note_made(self.ctx, self, self.printer, sale_id)
        self.banner.notice(" ".join(filter(None, (self.ctx.t(f"ui.sales.{kind}_done"), said))))
        self.ctx.sales_changed.emit()
        # the button pressed may be disabled now (a voided ticket): the keys stay on the list
        self.table.setFocus()

    def _set_title(self) -> None:
        """Today's sales, or the tickets of the earlier day chosen."""
        chosen = next((d for d in self.days if d.id == self.day_id), None)
        if chosen is None or chosen.id == self._newest:
            self.title.setText(self.ctx.t("ui.sales.title"))
        else:
            self.title.setText(self.ctx.t("ui.sales.title_day",
                                          date=chosen.date.strftime("%d/%m/%Y")))

    def retranslate(self) -> None:
        self.texts.apply()
        self._set_title()
        for i, d in enumerate(self.days[:self.day_box.count()]):
            self.day_box.setItemText(i, self._day_label(d))
        self._fill()
