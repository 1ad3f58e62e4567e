"""The invoice of a sale, from the tickets screen: a business customer's name (required),
ICE (15 digits, optional for a private person) and address; the invoice is journaled and
queued for the printer in one transaction (without a printer, it is shown, to save as PNG
or PDF). A sale that has its invoice gets it again, marked as a duplicate: never a second
number (:mod:`pos.invoices`). The refund or void of an invoiced sale has a credit note,
made with it: it is queued with the refund's receipt (or shown, without a printer), and
asked for again from the refund's ticket, printed again as a duplicate (or made then, for a
refund recorded before credit notes were made). Shown, either is saved as PNG or as PDF,
on an A4 page or as wide as the receipt (:class:`DocumentDialog`). The year's invoices and
credit notes are listed, searched and given again from today's tickets, "Invoices…"
(:class:`InvoicesDialog`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos import invoices, journal, oserrors, receipts
from pos.catalogue import fold
from pos.errors import InputError, RuleError
from pos.models import Sale
from pos.money import format_money
from ui.context import AppContext
from ui.printing import PrintService, ReceiptDialog, fitting_height
from ui.widgets import (
    WRONG_FIELD,
    Banner,
    Dialog,
    Texts,
    button,
    hbox,
    label,
    mark_wrong,
    named,
    search_field,
)

if TYPE_CHECKING:  # the renderer is loaded when first needed: the till starts faster
    from pos.printing.render import Raster

#: the field a refused entry is typed in, by the start of its message's key
_FIELD_OF = (("invoice.name", "name"), ("settings.bad_ice", "ice"), ("invoice.address", "address"))


class InvoiceDialog(Dialog):
    """Who the invoice is made out to. On OK the fields are checked (a wrong one is marked
    and nothing is written), then the invoice is made: :attr:`invoice`."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, sale_id: str, ticket: str,
                 printer: PrintService | None = None) -> None:
        super().__init__(ctx, parent, "invoiceDialog", "ui.invoice.title", ticket=ticket)
        self.setStyleSheet(WRONG_FIELD)
        self.sale_id = sale_id
        self.printer = printer  # the invoice is queued in its own transaction
        self.invoice: invoices.Invoice | None = None
        self.fields: dict[str, QLineEdit] = {}
        for key, size in (("name", invoices.NAME_SIZE), ("ice", 40),
                          ("address", invoices.ADDRESS_SIZE)):
            caption = label(f"invoice{key.title()}Caption")
            self.texts.bind(caption.setText, f"ui.invoice.{key}")
            field = named(QLineEdit(), f"invoice{key.title()}", ctx.t(f"ui.invoice.{key}"))
            field.setMaxLength(size)
            field.textEdited.connect(lambda _t, f=field: mark_wrong(f, False))
            caption.setBuddy(field)
            self.fields[key] = field
            self.body.addWidget(caption)
            self.body.addWidget(field)
        self.fields["ice"].setPlaceholderText("001234567000089")
        once = label("invoiceOnce", style="muted", wrap=True)
        self.texts.bind(once.setText, "ui.invoice.once")
        self.body.addWidget(once)
        self.texts.button(self.ok, "ui.invoice.do")
        self.fields["name"].setFocus()

    def customer(self) -> invoices.Customer:
        """The customer as typed; a refused entry raises, its field marked."""
        for field in self.fields.values():
            mark_wrong(field, False)
        try:
            return invoices.check_customer(self.fields["name"].text(), self.fields["ice"].text(),
                                           self.fields["address"].text())
        except InputError as exc:
            wrong = next((f for prefix, f in _FIELD_OF if exc.key.startswith(prefix)), "name")
            mark_wrong(self.fields[wrong])
            raise

    def validate(self) -> None:
        customer = self.customer()
        with self.ctx.write() as s:
            invoice, new = invoices.issue(s, self.sale_id, customer)
            if new and self.printer is not None:
                self.printer.enqueue(s, invoices.KIND, self.sale_id)
        self.invoice = invoice


def invoice_sale(ctx: AppContext, parent: QWidget, printer: PrintService, sale: Sale,
                 ticket: str) -> str | None:
    """The invoice of ``sale`` (ticket ``ticket``), asked from the tickets screen: made
    (the dialog asks for the customer), or, when the sale has one, printed again marked as
    a duplicate; without a printer, shown to save as PNG or PDF. Returns what to tell the
    seller (None: nothing was done). RuleError when the sale cannot be invoiced. Of a
    refund or void that has a credit note, the credit note is printed again."""
    if sale.kind != "sale":
        return _credit_note_again(ctx, parent, printer, sale)
    with ctx.read() as s:
        existing = invoices.invoice_of(s, sale.id)
        problem = invoices.refusal(s, sale.id) if existing is None else None
    if problem is not None:
        raise problem
    if existing is not None:
        if not printer.print_job(invoices.KIND, sale.id, duplicate=True):
            _show(ctx, parent, printer, sale.id, duplicate=True)
        return ctx.t("ui.sales.invoice_again", label=existing.label)
    dialog = InvoiceDialog(ctx, parent, sale.id, ticket, printer)
    if not dialog.exec() or dialog.invoice is None:
        return None
    _hand_over(ctx, parent, printer, sale.id, invoices.KIND)
    return ctx.t("ui.sales.invoice_made", label=dialog.invoice.label)


def _hand_over(ctx: AppContext, parent: QWidget, printer: PrintService, ref: str,
               kind: str) -> None:
    """A new invoice or credit note, just queued in the transaction that journaled it, to
    the printer; without a printer, on the screen to save as PNG or PDF."""
    if printer.configured:
        printer.notify()
        printer.refresh_queue()
    else:
        _show(ctx, parent, printer, ref, duplicate=False, kind=kind)


class DocumentDialog(ReceiptDialog):
    """An invoice or credit note as it prints, to save as PNG, or as PDF: an A4 page (as
    business customers and accountants file them, :mod:`pos.printing.a4`) or as wide as
    the receipt ("Save as PDF" offers both)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, document: receipts.Document,
                 raster: Raster | None) -> None:
        super().__init__(ctx, parent, document, raster)
        self.a4 = True  # what "Save as PDF" writes: an A4 page, or the receipt's width
        self.save_pdf.clicked.disconnect()
        self.save_pdf.setEnabled(True)  # the A4 page needs no receipt renderer
        self.pdf_menu = named(QMenu(self.save_pdf), "receiptPdfPages")
        for key, a4 in (("ui.invoice.pdf_a4", True), ("ui.invoice.pdf_receipt", False)):
            action = self.pdf_menu.addAction("")
            self.texts.bind(action.setText, key)
            action.setEnabled(a4 or raster is not None)
            action.triggered.connect(lambda _c=False, a4=a4: self._ask_pdf(a4))
        self.save_pdf.setMenu(self.pdf_menu)

    def _ask_pdf(self, a4: bool) -> None:
        self.a4 = a4
        self.ask_save("pdf")

    def save(self, path: str | Path, kind: str) -> Path | None:
        """As :meth:`ReceiptDialog.save`; a PDF is an A4 page unless the receipt's width
        was chosen."""
        if kind != "pdf" or not self.a4:
            return super().save(path, kind)
        from pos.printing import a4  # (as the renderer: when first needed)

        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            with self.ctx.read() as s:
                sheet = a4.load_sheet(s, self.document)
            a4.save_pdf(sheet, target)
        except OSError as exc:  # written whole or not at all: no part of a file left
            self.banner.error(self.ctx.t("ui.receipt.save_failed", path=str(target),
                                         detail=oserrors.reason(exc).message(self.ctx.lang)))
            return None
        self.banner.notice(self.ctx.t("ui.receipt.saved", path=str(target)))
        return target


def _show(ctx: AppContext, parent: QWidget, printer: PrintService, sale_id: str, *,
          duplicate: bool, kind: str = invoices.KIND) -> None:
    """The invoice of sale ``sale_id`` (or the credit note of refund ``sale_id``) on the
    screen, to save as PNG or PDF."""
    load = receipts.load_invoice if kind == invoices.KIND else receipts.load_credit_note
    with ctx.read() as s:
        document = load(s, sale_id, duplicate=duplicate)
    DocumentDialog(ctx, parent, document, printer.raster(document)).exec()


def _credit_note_again(ctx: AppContext, parent: QWidget, printer: PrintService,
                       refund: Sale) -> str:
    """The credit note of ``refund`` printed again as a duplicate; or, for a refund of an
    invoiced sale recorded before credit notes were made, made now and printed (queued in
    the transaction that journals it)."""
    with ctx.write() as s:
        note, new = invoices.owed_credit(s, refund.id)
        if new:
            printer.enqueue(s, invoices.CREDIT_KIND, refund.id)
    if note is None:
        raise RuleError("invoice.not_a_sale")
    if new:
        _hand_over(ctx, parent, printer, refund.id, invoices.CREDIT_KIND)
        return ctx.t("ui.sales.credit_note_late", label=note.label, name=note.customer.name)
    if not printer.print_job(invoices.CREDIT_KIND, refund.id, duplicate=True):
        _show(ctx, parent, printer, refund.id, duplicate=True, kind=invoices.CREDIT_KIND)
    return ctx.t("ui.sales.credit_note_again", label=note.label)


def queue_credit_note(printer: PrintService | None, writer: journal.Writer,
                      refund_id: str) -> None:
    """Queue the credit note of refund ``refund_id``, if it has one, after its receipt, in
    the transaction that recorded it (:meth:`PrintService.enqueue`)."""
    if printer is not None and invoices.credit_note_of(writer, refund_id) is not None:
        printer.enqueue(writer, invoices.CREDIT_KIND, refund_id)


def credit_note_made(ctx: AppContext, parent: QWidget, printer: PrintService,
                     refund_id: str) -> str:
    """What to tell the seller of the credit note of refund ``refund_id`` just recorded
    ("" when it has none: the sale had no invoice); without a printer, it is shown, to be
    saved as PNG or PDF for the customer."""
    with ctx.read() as s:
        note = invoices.credit_note_of(s, refund_id)
    if note is None:
        return ""
    if not printer.configured:
        _show(ctx, parent, printer, refund_id, duplicate=False, kind=invoices.CREDIT_KIND)
    return ctx.t("ui.sales.credit_note_made", label=note.label, name=note.customer.name)


def invoiced_text(ctx: AppContext, invoice: invoices.Invoice | None,
                  notes: list[invoices.CreditNote] | None = None) -> str:
    """The line the ticket's detail says of its invoice and the credit notes that
    corrected it ("" when it has none)."""
    if invoice is None:
        return ""
    said = ctx.t("ui.sales.invoiced", label=invoice.label, name=invoice.customer.name)
    if notes:
        said += " · " + ctx.t("ui.sales.credit_notes",
                              labels=", ".join(note.label for note in notes))
    return said


def credit_note_text(ctx: AppContext, note: invoices.CreditNote | None) -> str:
    """The line a refund's detail says of its credit note ("" when it has none)."""
    if note is None:
        return ""
    return ctx.t("ui.sales.credit_note", label=note.label, name=note.customer.name)


#: the list's columns: number, date, customer, ICE, total, the ticket
LIST_COLUMNS: Final = ("number", "date", "customer", "ice", "total", "ticket")


class InvoicesDialog(QDialog):
    """This year's invoices and credit notes, the newest first (from today's tickets):
    search by number, customer or ticket; "Show" one to see its duplicate and save it as
    PNG or PDF, "Print a duplicate" with a printer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, printer: PrintService,
                 year: int | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.printer = printer
        self.year = year or dt.date.today().year
        self.texts = t = Texts(ctx)
        title = ctx.t("ui.invoices.title", year=self.year)
        named(self, "invoicesDialog", title)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        heading = label("invoicesTitle", style="title")
        heading.setText(title)
        self.search = search_field(t, "invoicesSearch", "ui.invoices.search")
        self.search.textChanged.connect(self._fill)
        self.table = named(QTableWidget(0, len(LIST_COLUMNS)), "invoicesTable", title)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(36)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LIST_COLUMNS.index("customer"),
                                    QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.show_selected())
        self.empty = label("invoicesEmpty", style="muted", wrap=True)
        self.banner = Banner("invoicesMessage")
        self.show_btn = button("invoicesShow", role="primary")
        self.print_btn = button("invoicesPrint")
        close = button("invoicesClose")
        for btn, key, slot in ((self.show_btn, "ui.invoices.show", self.show_selected),
                               (self.print_btn, "ui.invoices.print", self.print_selected),
                               (close, "ui.close", self.accept)):
            t.button(btn, key)
            btn.setAutoDefault(False)
            btn.clicked.connect(slot)
        self.show_btn.setDefault(True)  # Enter shows the chosen one, once
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(heading)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.banner)
        layout.addLayout(hbox(self.show_btn, self.print_btn, None, close))
        with ctx.read() as s:
            conn = journal.driver_connection(s)
            self.documents = invoices.of_year(s, self.year)
            self.tickets = {d.ticket: journal.label_of(conn, d.ticket) for d in self.documents}
        self.shown: list[invoices.Invoice | invoices.CreditNote] = []
        self._fill()
        self.resize(960, fitting_height(parent, 560))
        self.search.setFocus()

    def _cells(self, document: invoices.Invoice | invoices.CreditNote) -> list[str]:
        return [document.label, f"{document.local_time:%d/%m/%Y}", document.customer.name,
                document.customer.ice, format_money(document.total, self.ctx.lang),
                self.tickets[document.ticket]]

    def _fill(self) -> None:
        """The documents that match every word searched (number, customer, ICE, ticket)."""
        self.table.setHorizontalHeaderLabels([self.ctx.t(f"invoice.list.{c}")
                                              for c in LIST_COLUMNS])
        words = fold(self.search.text()).split()
        self.shown = [d for d in self.documents
                      if all(w in fold(" ".join([*self._cells(d), str(d.ticket)]))
                             for w in words)]
        self.table.setRowCount(len(self.shown))
        for row, document in enumerate(self.shown):
            for col, value in enumerate(self._cells(document)):
                item = QTableWidgetItem(value)
                if isinstance(document, invoices.CreditNote):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        if self.documents and not self.shown:
            self.empty.setText(self.ctx.t("ui.invoices.none_found"))
        elif not self.documents:
            self.empty.setText(self.ctx.t("invoice.list_empty", year=self.year))
        self.empty.setVisible(not self.shown)
        if self.shown:  # (QTableView.selectRow picks no column right to left before shown)
            self.table.selectionModel().select(
                self.table.model().index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.setCurrentCell(0, 0)
        self._selected()

    def selected(self) -> invoices.Invoice | invoices.CreditNote | None:
        rows = self.table.selectionModel().selectedRows()
        return self.shown[rows[0].row()] if rows else None

    def _selected(self) -> None:
        chosen = self.selected() is not None
        self.show_btn.setEnabled(chosen)
        self.print_btn.setEnabled(chosen and self.printer.configured)

    @staticmethod
    def _kind_and_ref(document: invoices.Invoice | invoices.CreditNote) -> tuple[str, str]:
        if isinstance(document, invoices.Invoice):
            return invoices.KIND, document.sale_id
        return invoices.CREDIT_KIND, document.refund_id

    def show_selected(self) -> None:
        """The chosen document's duplicate on the screen, to save as PNG or PDF."""
        document = self.selected()
        if document is not None:
            kind, ref = self._kind_and_ref(document)
            _show(self.ctx, self, self.printer, ref, duplicate=True, kind=kind)

    def print_selected(self) -> None:
        document = self.selected()
        if document is None:
            return
        kind, ref = self._kind_and_ref(document)
        if self.printer.print_job(kind, ref, duplicate=True):
            self.banner.notice(self.ctx.t(f"ui.sales.{_AGAIN[kind]}", label=document.label))


#: what is said of a document printed again, by its kind
_AGAIN: Final = {invoices.KIND: "invoice_again", invoices.CREDIT_KIND: "credit_note_again"}
