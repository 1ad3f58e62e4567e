"""The invoice of a sale, from the tickets screen: a business customer's name (required),
ICE (15 digits, optional for a private person) and address; the invoice is journaled and
queued for the printer in one transaction (without a printer, it is shown, to save as PNG
or PDF). A sale that has its invoice gets it again, marked as a duplicate: never a second
number (:mod:`pos.invoices`). The refund or void of an invoiced sale has a credit note,
made with it: it is queued with the refund's receipt (or shown, without a printer), and
asked for again from the refund's ticket, printed again as a duplicate."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from pos import invoices, journal, receipts
from pos.errors import InputError, RuleError
from pos.models import Sale
from ui.context import AppContext
from ui.printing import PrintService
from ui.widgets import WRONG_FIELD, Dialog, label, mark_wrong, named

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
    made = dialog.invoice
    if printer.configured:
        printer.notify()
        printer.refresh_queue()
    else:
        _show(ctx, parent, printer, sale.id, duplicate=False)
    return ctx.t("ui.sales.invoice_made", label=made.label)


def _show(ctx: AppContext, parent: QWidget, printer: PrintService, sale_id: str, *,
          duplicate: bool, kind: str = invoices.KIND) -> None:
    load = receipts.load_invoice if kind == invoices.KIND else receipts.load_credit_note
    with ctx.read() as s:
        document = load(s, sale_id, duplicate=duplicate)
    printer.show_document(parent, document)


def _credit_note_again(ctx: AppContext, parent: QWidget, printer: PrintService,
                       refund: Sale) -> str:
    with ctx.read() as s:
        note = invoices.credit_note_of(s, refund.id)
    if note is None:
        raise RuleError("invoice.not_a_sale")
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
