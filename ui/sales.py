"""Today's sales: the list, search, the detail of one ticket, reprint, refund (some or all
lines, a reason, the manager's PIN) and void."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pos import checkout, refunds, settings
from pos.catalogue import fold
from pos.errors import InputError, SoukError
from pos.models import Sale, User
from pos.money import format_amount, format_money, format_quantity, parse_quantity
from ui.context import AppContext
from ui.printing import PrintService
from ui.widgets import (
    Banner,
    Dialog,
    Texts,
    ask_manager,
    button,
    card,
    hbox,
    label,
    named,
    search_field,
    vbox,
    when_visible,
)

COLUMNS = ("ui.sales.number", "ui.sales.time", "ui.sales.kind", "ui.sales.payment",
           "ui.sales.total")


def local_time(sale: Sale) -> str:
    import datetime as dt

    return (sale.created_at + dt.timedelta(minutes=sale.utc_offset_minutes)).strftime("%H:%M")


class RefundDialog(Dialog):
    """Choose what is given back, why, and how; the manager's PIN is asked on OK."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, sale: Sale,
                 left: dict[int, int], label_text: str,
                 printer: PrintService | None = None) -> None:
        super().__init__(ctx, parent, "refundDialog", "ui.refund.title", ticket=label_text)
        self.printer = printer  # the receipt is queued in the refund's own transaction
        self.sale = sale
        self.left = left
        self.result_sale: str | None = None
        self.fields: dict[int, QLineEdit] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        lang = ctx.lang
        for row, line in enumerate(sale.lines):
            name = label(f"refundName_{row}")
            name.setText(ctx.name_of(line.name_ar, line.name_fr))
            sold = label(f"refundSold_{row}", style="muted")
            sold.setText(ctx.t("ui.refund.left", qty=format_quantity(left.get(line.id, 0),
                                                                      line.unit, lang)))
            field = named(QLineEdit(), f"refundQty_{row}",
                          ctx.t("ui.refund.quantity_of", name=name.text()))
            field.setPlaceholderText("0")
            field.setMaximumWidth(110)
            field.setEnabled(left.get(line.id, 0) > 0)
            self.fields[line.id] = field
            grid.addWidget(name, row, 0)
            grid.addWidget(sold, row, 1)
            grid.addWidget(field, row, 2)
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
        self.body.addLayout(grid)
        self.body.addWidget(everything)
        self.body.addLayout(hbox(rcap, self.reason, 1))
        self.body.addLayout(hbox(mcap, self.method, None))
        self.texts.button(self.ok, "ui.refund.do")

    def fill_all(self) -> None:
        for line in self.sale.lines:
            qty = self.left.get(line.id, 0)
            if qty:
                self.fields[line.id].setText(format_quantity(qty, line.unit, self.ctx.lang))

    def quantities(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for line_id, field in self.fields.items():
            text = field.text().strip()
            if text and text != "0":
                out[line_id] = parse_quantity(text)
        return out

    def validate(self) -> None:
        quantities = self.quantities()
        if not quantities:
            raise InputError("refund.nothing")
        if not self.reason.currentText().strip():
            raise InputError("refund.reason_needed")
        manager = ask_manager(self.ctx, self, "ui.pin.reason_refund")
        if manager is None:
            raise _Cancelled
        with self.ctx.write() as s:
            done = refunds.refund(s, self.sale.id, quantities=quantities,
                                  reason=self.reason.currentText(), manager=manager,
                                  cashier=self.ctx.user, method=self.method.currentData())
            if self.printer is not None:
                self.printer.enqueue(s, done.kind, done.id)
            self.result_sale = done.id

    def _try_accept(self) -> None:
        try:
            self.validate()
        except _Cancelled:
            return
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self.accept()


class _Cancelled(Exception):
    pass


class VoidDialog(Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, label_text: str) -> None:
        super().__init__(ctx, parent, "voidDialog", "ui.void.title", ticket=label_text)
        cap = label("voidReasonCaption")
        self.texts.bind(cap.setText, "ui.refund.reason")
        self.reason = named(QLineEdit(), "voidReason", ctx.t("ui.refund.reason"))
        self.reason.setText(ctx.t("ui.refund.reason_mistake"))
        self.reason_text = ""
        self.body.addWidget(cap)
        self.body.addWidget(self.reason)

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
        self.prefix = "T01"
        t = self.texts
        title = label("salesTitle", style="title")
        t.bind(title.setText, "ui.sales.title")
        self.search = search_field(t, "salesSearch", "ui.sales.search")
        self.search.textChanged.connect(self._fill)
        self.table = named(QTableWidget(0, len(COLUMNS)), "salesTable")
        t.bind(self.table.setAccessibleName, "ui.sales.title")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.detail_title = label("saleDetailTitle", style="subtitle", wrap=True)
        self.detail = label("saleDetail", wrap=True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.banner = Banner("salesMessage")
        self.reprint_btn = button("salesReprint")
        self.refund_btn = button("salesRefund")
        self.void_btn = button("salesVoid", role="danger")
        for btn, key, slot in ((self.reprint_btn, "ui.sales.reprint", self.reprint),
                               (self.refund_btn, "ui.sales.refund", self.refund),
                               (self.void_btn, "ui.sales.void", self.void)):
            t.button(btn, key)
            btn.clicked.connect(slot)
        side = card()
        side.setMinimumWidth(320)
        side.setMaximumWidth(440)
        side.setLayout(vbox(self.detail_title, self.detail, None, self.reprint_btn,
                            self.refund_btn, self.void_btn, margins=14))
        left = vbox(spacing=8)
        left.addLayout(hbox(title, None))
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
        return settings.ticket_label(self.prefix, number)

    def refresh(self) -> None:
        with self.ctx.read() as s:
            self.prefix = settings.device_prefix(s)
            current = self.ctx.open_day()
            if current is None:
                from pos import day

                days = day.days(s)
                current = days[0] if days else None
            self.rows = checkout.sales_of_day(s, current.id) if current else []
            self.reversed = {r.reverses for r in self.rows if r.reverses}
        self._fill()

    def _fill(self) -> None:
        t, lang = self.ctx.t, self.ctx.lang
        self.table.setHorizontalHeaderLabels([t(c) for c in COLUMNS])
        words = fold(self.search.text()).split()
        shown = []
        for sale in self.rows:
            text = fold(" ".join([self.label_of(sale.number), str(sale.number),
                                  format_amount(sale.total, lang), sale.cashier_name]
                                 + [f"{ln.name_ar} {ln.name_fr}" for ln in sale.lines]
                                 + [p.reference for p in sale.payments]))
            if all(w in text for w in words):
                shown.append(sale)
        self.shown = shown
        self.table.setRowCount(len(shown))
        for row, sale in enumerate(shown):
            methods = " + ".join(dict.fromkeys(t(f"payment.{p.method}") for p in sale.payments))
            cells = (self.label_of(sale.number), local_time(sale), t(f"ui.sales.kind_{sale.kind}"),
                     methods, format_money(sale.total, lang))
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if sale.kind != "sale" or sale.id in self.reversed:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
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
        for btn in (self.reprint_btn, self.refund_btn, self.void_btn):
            btn.setEnabled(sale is not None)
        if sale is None:
            self.detail_title.setText(t("ui.sales.pick"))
            self.detail.setText("")
            return
        can_reverse = sale.kind == "sale" and sale.id not in self.reversed
        self.refund_btn.setEnabled(sale.kind == "sale")
        self.void_btn.setEnabled(can_reverse and self.ctx.open_day() is not None)
        self.detail_title.setText(f"{t('ui.sales.kind_' + sale.kind)} "
                                  f"{self.label_of(sale.number)} · {local_time(sale)}")
        rows = [
            f"<tr><td>{format_quantity(ln.quantity, ln.unit, lang)} × "
            f"{self.ctx.name_of(ln.name_ar, ln.name_fr)}</td>"
            f"<td align='right'>{format_amount(ln.total, lang)}</td></tr>"
            for ln in sale.lines
        ]
        rows.append(f"<tr><td><b>{t('ui.cart.total')}</b></td>"
                    f"<td align='right'><b>{format_money(sale.total, lang)}</b></td></tr>")
        for p in sale.payments:
            ref = f" ({p.reference})" if p.reference else ""
            rows.append(f"<tr><td>{t('payment.' + p.method)}{ref}</td>"
                        f"<td align='right'>{format_amount(p.amount, lang)}</td></tr>")
        extra = f"<p>{t('ui.sales.reason', reason=sale.reason)}</p>" if sale.reason else ""
        self.detail.setText(f"<table width='100%' cellspacing='4'>{''.join(rows)}</table>{extra}")

    def reprint(self) -> None:
        sale = self.selected()
        if sale is None:
            return
        if self.printer.print_job(sale.kind, sale.id, duplicate=True):
            self.banner.notice(self.ctx.t("ui.sales.reprinted"))
        else:
            self.printer.show_receipt(self, sale.id, duplicate=True)

    def refund(self) -> None:
        sale = self.selected()
        if sale is None:
            return
        with self.ctx.read() as s:
            left = refunds.refundable(s, sale)
        if not any(left.values()):
            self.banner.error(self.ctx.t("refund.nothing"))
            return
        dialog = RefundDialog(self.ctx, self, sale, left, self.label_of(sale.number),
                              printer=self.printer)
        if dialog.exec() and dialog.result_sale:
            self._after_reversal(dialog.result_sale, "refund")

    def void(self) -> None:
        sale = self.selected()
        if sale is None:
            return
        dialog = VoidDialog(self.ctx, self, self.label_of(sale.number))
        if not dialog.exec():
            return
        manager = ask_manager(self.ctx, self, "ui.pin.reason_void")
        if manager is None:
            return
        self._void(sale, dialog.reason_text, manager)

    def _void(self, sale: Sale, reason: str, manager: User) -> None:
        try:
            with self.ctx.write() as s:
                done = refunds.void(s, sale.id, reason=reason, manager=manager,
                                    cashier=self.ctx.user)
                self.printer.enqueue(s, done.kind, done.id)
                done_id = done.id
        except SoukError as exc:
            self.banner.error(exc.message(self.ctx.lang))
            return
        self._after_reversal(done_id, "void")

    def _after_reversal(self, sale_id: str, kind: str) -> None:
        self.printer.notify()
        self.banner.notice(self.ctx.t(f"ui.sales.{kind}_done"))
        self.ctx.sales_changed.emit()

    def retranslate(self) -> None:
        self.texts.apply()
        self._fill()
