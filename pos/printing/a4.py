"""Invoices and credit notes on A4 pages, as the PDF a business customer and its
accountant file (the thermal printer keeps printing them as receipts, :mod:`render`).

A :class:`Sheet` is the document as HTML for a ``QTextDocument`` (Qt's layout: HarfBuzz
shapes the Arabic, the bidi algorithm orders mixed text), in the invoice's language or two
languages (Latin then Arabic, each heading on two lines), right-to-left in Arabic: the
cooperative (names in Arabic and French, ICE, city, market), the title, number and date,
the DUPLICATA mark of a copy, the customer, a table of the lines (designation, quantity,
unit price excluding VAT, VAT rate, total excluding VAT; the headings of the amounts say
their currency), the VAT of each rate and the totals, the amount in words and the payments
(each amount with its currency). Pages are laid out 96 units to the inch and drawn
at any resolution by one function: into the PDF (:func:`save_pdf`) and into images
(:func:`page_images`, what is shown and checked), so that both are the same drawing.
Only the bundled fonts are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Final

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from sqlalchemy.orm import Session

from pos import invoices
from pos.amount_words import in_words
from pos.files import write_whole
from pos.i18n import reference_text, tr
from pos.models import JournalEntry, Sale
from pos.money import format_amount, format_money, format_quantity, unit_name
from pos.printing.fonts import ARABIC_FAMILY, FAMILIES, load_fonts
from pos.printing.render import arabic_runs
from pos.receipts import (
    COPY_MARK,
    CREDIT_NOTE_WORDING,
    DUPLICATE_MARK,
    HASH_CHARS,
    INVOICE_WORDING,
    RECEIPT_LANGUAGE_PARTS,
    RECEIPT_LANGUAGES,
    Direction,
    Document,
    Shop,
    Wording,
    city_in,
    isolate,
    lines_ht,
    receipt_language,
    ticket_label,
)

UNITS_PER_INCH: Final = 96
PAGE_WIDTH: Final = 794  # A4, 210 mm, in units of 1/96 inch
PAGE_HEIGHT: Final = 1123  # 297 mm
MARGIN: Final = 57  # 15 mm
FOOTER: Final = 28  # room under the text for the page's number
TEXT_SIZE: Final = 12  # pixels of the body text (units)
PDF_DPI: Final = 300
_INK: Final = "#000000"
_RULE: Final = "#888888"
_SHADE: Final = "#eeeeee"
_P: Final = "margin-top:0; margin-bottom:0"  # Qt sets paragraphs 12 px apart otherwise
_GAP: Final = f'<p style="{_P}; font-size:6pt">&nbsp;</p>'  # between the sheet's parts


@dataclass(frozen=True)
class Sheet:
    """An invoice or credit note laid out for A4 pages."""

    title: str
    label: str  # its number, under each page
    html: str
    rtl: bool

    def plain_text(self) -> str:
        """The words of the sheet as Qt lays them out, a paragraph or a table cell a line
        (for search, logs and tests)."""
        return _document(self).toPlainText()

    def pages(self) -> int:
        return _document(self).pageCount()

    def boxes(self) -> list[tuple[str, int, QRectF]]:
        """Each paragraph and table cell of the sheet as Qt lays it out: its text, the page
        it starts on (0 for the first) and its box on that page, in units of 1/96 inch from
        the page's top left corner (for tests, and to find a figure on a page)."""
        doc = _document(self)
        height = doc.pageSize().height()
        out = []
        block = doc.begin()
        while block.isValid():
            box = doc.documentLayout().blockBoundingRect(block)
            page = int(box.top() // height)
            out.append((block.text(), page,
                        box.translated(MARGIN, MARGIN - page * height)))
            block = block.next()
        return out


class _Html:
    """Texts of the sheet's language(s) as HTML."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in RECEIPT_LANGUAGES else "fr"
        self.langs = RECEIPT_LANGUAGE_PARTS[self.lang]
        self.rtl = self.lang == "ar"
        self.number_lang = self.langs[0]
        self.start = "right" if self.rtl else "left"
        self.end = "left" if self.rtl else "right"
        self.direction: Direction = "rtl" if self.rtl else "ltr"

    def __call__(self, key: str, /, **params: object) -> str:
        """Message ``key`` in each language of the sheet, one line each."""
        return "<br>".join(self.text(tr(lang, key, **params)) for lang in self.langs)

    def inline(self, key: str, /, **params: object) -> str:
        """Message ``key`` on one line: in two languages, ``Latin / Arabic`` (for the short
        labels, that a sheet in two languages keeps to a page)."""
        texts = list(dict.fromkeys(tr(lang, key, **params) for lang in self.langs))
        if len(texts) > 1:  # "Avoirs sur cette facture / ...", without the colons
            texts = [t.rstrip(": \u00a0") for t in texts]
        return " / ".join(self.text(t) for t in texts)

    def text(self, plain: str) -> str:
        """``plain`` as HTML in the sheet's direction: written the other way (an Arabic line
        of a sheet in two languages), it keeps its own order (:func:`pos.receipts.isolate`)."""
        return text(isolate(plain, self.direction))

    def in_currency(self, key: str) -> str:
        """The heading ``key`` of a column of amounts, with their currency: ``Montant HT
        (DH)``, ``المبلغ دون رسوم (د.م.)``; one line a language."""
        return "<br>".join(self.text(tr(lang, "receipt.a4.in_currency", label=tr(lang, key)))
                           for lang in self.langs)

    def money(self, centimes: int) -> str:
        """An amount with its currency, as the receipts write it (:func:`pos.money.
        format_money`): in Arabic the currency at the left of the amount, and a negative
        amount's minus just before its digits (its marks keep it there in Qt's layout)."""
        return text(format_money(centimes, self.number_lang))

    def amount(self, centimes: int) -> str:
        return text(format_amount(centimes, self.number_lang))

    def name(self, name_ar: str, name_fr: str) -> str:
        """A product's name in the sheet's language(s)."""
        if self.rtl:
            return self.text(name_ar or name_fr)
        if len(self.langs) == 1 or not name_ar or name_ar == name_fr:
            return self.text(name_fr or name_ar)
        return f"{self.text(name_fr)}<br>{self.text(name_ar)}"

    def row(self, cells: Iterable[tuple[str, str]], *, head: bool = False,
            style: str = "", widths: Iterable[int] = ()) -> str:
        """A table row of (HTML, alignment ``start``/``end``/``center``) cells, in reading
        order (Qt does not mirror an HTML table: a right-to-left one is written reversed)."""
        tag = "th" if head else "td"
        given = list(widths)
        out = []
        for i, (html, align) in enumerate(cells):
            side = {"start": self.start, "end": self.end}.get(align, align)
            width = f' width="{given[i]}%"' if i < len(given) else ""
            out.append(f'<{tag} align="{side}"{width} style="{style}">'
                       f'<div dir="{self.direction}" align="{side}">{html}</div></{tag}>')
        if self.rtl:
            out.reverse()
        return f"<tr>{''.join(out)}</tr>"


def text(plain: str) -> str:
    """``plain`` escaped for HTML, its Arabic set in the bundled Naskh (Qt would otherwise
    take the Arabic letters from a font installed on this computer)."""
    out, at = [], 0
    for start, length in arabic_runs(plain):
        out.append(escape(plain[at:start]))
        out.append(f"<span style=\"font-family:'{ARABIC_FAMILY}'\">"
                   f"{escape(plain[start:start + length])}</span>")
        at = start + length
    out.append(escape(plain[at:]))
    return "".join(out)


def _identity(h: _Html, shop: Shop) -> str:
    """The cooperative: its names (the sheet's language first), ICE, city and market."""
    names = [shop.name_ar, shop.name_fr] if h.rtl else [shop.name_fr, shop.name_ar]
    lines = [f'<span style="font-size:16pt; font-weight:bold">{h.text(name)}</span>'
             for name in names if name]
    if shop.ice:
        lines.append(h.text(f"{tr(h.langs[0], 'receipt.ice')} {shop.ice}"))
    if city := city_in(shop.city, shop.city_ar, rtl=h.rtl, pair=len(h.langs) == 2):
        lines.append(h.text(city))
    market = shop.market_ar if h.rtl else shop.market_fr or shop.market_ar
    place = " · ".join(p for p in (market, tr(h.langs[0], "receipt.stand", stand=shop.stand)
                                   if shop.stand else "") if p)
    if place:
        lines.append(f'<span style="color:#444444">{h.text(place)}</span>')
    return "<br>".join(lines)


def _heading(h: _Html, title_key: str, rows: list[tuple[str, str]], duplicate: bool) -> str:
    """The title, the document's number and date (and what it refers to), the DUPLICATA
    mark of a copy."""
    title = "<br>".join(h.text(tr(lang, title_key)) for lang in h.langs)
    out = [f'<p align="{h.end}" style="{_P}; font-size:20pt; font-weight:bold">{title}</p>']
    if duplicate:
        mark = COPY_MARK if "en" in h.langs else DUPLICATE_MARK
        out.append(f'<table align="{h.end}" cellpadding="4" style="background:{_INK}">'
                   f'<tr><td style="color:#ffffff; font-size:14pt; font-weight:bold">'
                   f"{h.text(mark)}</td></tr></table>")
    body = "".join(h.row([(label, "start"), (f"<b>{value}</b>", "end")]) for label, value in rows)
    out.append(f'<table align="{h.end}" cellpadding="2">{body}</table>')
    return "".join(out)


def _customer(h: _Html, customer: invoices.Customer) -> str:
    lines = [f"<b>{h.inline('receipt.invoice.customer')}</b>",
             f'<span style="font-size:13pt; font-weight:bold">{h.text(customer.name)}</span>']
    if customer.ice:
        lines.append(h.text(f"{tr(h.langs[0], 'receipt.ice')} {customer.ice}"))
    if customer.address:
        lines.append(h.text(customer.address))
    return (f'<table width="55%" align="{h.start}" cellpadding="6" cellspacing="0" border="1" '
            f'style="border-collapse:collapse; border-color:{_RULE}">'
            f"{h.row([('<br>'.join(lines), 'start')])}</table>")


def _lines(h: _Html, sale: Sale) -> tuple[str, str]:
    """The table of the lines, and that of the totals (excluding VAT, VAT per rate, including
    VAT)."""
    items, taxes, bases = lines_ht(sale.lines)
    heads = [(h("receipt.a4.designation"), "start", 37), (h("receipt.a4.quantity"), "end", 9),
             (h.in_currency("receipt.a4.unit_price"), "end", 23), (h("receipt.a4.vat"), "end", 8),
             (h.in_currency("receipt.invoice.amount_ht"), "end", 23)]
    head = h.row([(heading, align) for heading, align, _width in heads], head=True,
                 style=f"background:{_SHADE}", widths=[width for *_h, width in heads])
    rows = []
    for item in items:
        line = item.line
        unit = "" if line.unit == "piece" else f" {unit_name(line.unit, h.number_lang)}"
        quantity = h.text(format_quantity(line.quantity, line.unit, h.number_lang) + unit)
        rows.append(h.row([(h.name(line.name_ar, line.name_fr), "start"), (quantity, "end"),
                           (h.amount(item.unit_ht), "end"),
                           (h.text(tr(h.number_lang, "receipt.invoice.vat_rate",
                                    rate=line.tax_rate)), "end"),
                           (h.amount(item.gross_ht), "end")]))
        if item.gross_ht != item.net_ht:
            rows.append(h.row([(f"<i>{h.inline('receipt.discount')}</i>", "start"), ("", "end"),
                               ("", "end"), ("", "end"),
                               (h.amount(item.net_ht - item.gross_ht), "end")]))
    table = (f'<table width="100%" cellspacing="0" cellpadding="3" border="1" '
             f'style="border-collapse:collapse; border-color:{_RULE}">'
             f"<thead>{head}</thead>{''.join(rows)}</table>")
    tax = {t.rate: t.tax for t in taxes}
    totals = [h.row([(h("receipt.invoice.total_ht"), "start"),
                     (h.money(sum(bases.values())), "end")])]
    totals += [h.row([(h("receipt.invoice.vat", rate=rate), "start"),
                      (h.money(tax.get(rate, 0)), "end")]) for rate in sorted(bases)]
    totals.append(h.row([(f"<b>{h('receipt.invoice.total_ttc')}</b>", "start"),
                         (f"<b>{h.money(sale.total)}</b>", "end")],
                        style=f"background:{_SHADE}; font-size:13pt"))
    total_table = (f'<table width="100%" cellspacing="0" cellpadding="3" '
                   f'border="1" style="border-collapse:collapse; border-color:{_RULE}">'
                   f"{''.join(totals)}</table>")
    return table, total_table


def _in_words(h: _Html, total: int, key: str) -> str:
    return "".join(
        f'<p dir="{"rtl" if lang == "ar" else "ltr"}" style="{_P}" '
        f'align="{"right" if lang == "ar" else "left"}">'
        f"{text(tr(lang, key, amount=in_words(total, lang)))}</p>"
        for lang in h.langs)


def _listing(h: _Html, heading: str, rows: list[tuple[str, str]]) -> str:
    """A short table under its heading (its first row, so that a page never parts them)."""
    body = "".join(h.row([(label, "start"), (value, "end")]) for label, value in rows)
    return (f'<table width="75%" align="{h.start}" cellpadding="2">'
            f"{h.row([(f'<b>{heading}</b>', 'start'), ('', 'end')])}{body}</table>")


def _payments(h: _Html, sale: Sale, key: str) -> str:
    """Each payment and its amount; a reference as it was typed, left to right on an Arabic
    sheet too (:func:`pos.i18n.reference_text`)."""
    return _listing(h, h.inline(key), [
        (h.inline(f"receipt.pay.{p.method}")
         + (f" ({text(reference_text(p.reference, h.lang))})" if p.reference else ""),
         h.money(p.amount)) for p in sale.payments])


def _page(h: _Html, parts: Iterable[str]) -> str:
    return (f'<html><body dir="{h.direction}"><div align="{h.start}">'
            + "".join(parts) + "</div></body></html>")


def _spaced(*parts: str) -> list[str]:
    return [part + _GAP for part in parts if part]


def _beside(h: _Html, start: str, end: str, widths: tuple[int, ...] = ()) -> str:
    """``start`` at the start side, ``end`` at the end side, their tops level."""
    return (f'<table width="100%" cellpadding="0" cellspacing="0">'
            f"{h.row([(start, 'start'), (end, 'end')], style='vertical-align:top', widths=widths)}"
            "</table>")


def _bottom(h: _Html, totals: str, *notes: str) -> str:
    """The totals at the end side; beside them the amount in words, the payments..."""
    return _beside(h, _GAP.join(n for n in notes if n), totals, widths=(55, 45))


def _date(doc: invoices.Invoice | invoices.CreditNote) -> str:
    return text(f"{doc.local_time:%d/%m/%Y}")


def invoice_sheet(invoice: invoices.Invoice, sale: Sale, shop: Shop, lang: str, *,
                  journal_hash: str = "", duplicate: bool = False,
                  credit_notes: Iterable[invoices.CreditNote] = ()) -> Sheet:
    """The invoice of ``sale`` on A4 (see the module's text); with the credit notes that
    corrected it, if any."""
    h = _Html(lang)
    ticket, when = _ticket(shop, sale)
    notes = list(credit_notes)
    listed = ""
    if notes:
        listed = _listing(h, h.inline("receipt.invoice.credit_notes"), [
            (text(f"{n.label} · {n.local_time:%d/%m/%Y}"), h.money(n.total)) for n in notes])
    return _sheet(h, shop, INVOICE_WORDING, invoice.label, [
        (h.inline("receipt.invoice.number"), text(invoice.label)),
        (h.inline("receipt.date"), _date(invoice)),
    ], invoice.customer, sale, h("receipt.invoice.ticket", label=ticket, date=when), listed,
        journal_hash=journal_hash, duplicate=duplicate)


def credit_note_sheet(note: invoices.CreditNote, refund: Sale, shop: Shop, lang: str, *,
                      journal_hash: str = "", duplicate: bool = False) -> Sheet:
    """The credit note of ``refund`` on A4, laid out as the invoice is, with the invoice it
    corrects, the refund's ticket, date and reason; its amounts below zero."""
    h = _Html(lang)
    ticket, when = _ticket(shop, refund)
    about = h(f"receipt.credit_note.ticket_{refund.kind}", label=ticket, date=when)
    if refund.reason:
        about += "<br>" + h("receipt.reason", reason=refund.reason)
    return _sheet(h, shop, CREDIT_NOTE_WORDING, note.label, [
        (h.inline("receipt.credit_note.number"), text(note.label)),
        (h.inline("receipt.date"), _date(note)),
        (h.inline("receipt.credit_note.invoice"), text(note.invoice_label)),
    ], note.customer, refund, about, journal_hash=journal_hash, duplicate=duplicate)


def _sheet(h: _Html, shop: Shop, wording: Wording, label: str, rows: list[tuple[str, str]],
           customer: invoices.Customer, sale: Sale, about: str, *notes: str,
           journal_hash: str, duplicate: bool) -> Sheet:
    """The invoice or credit note (``wording``) numbered ``label``, of ``sale``: the
    cooperative beside the title and ``rows`` (its number, date...), the customer, ``about``
    (the ticket...), the lines, the totals beside the amount in words, the payments and
    ``notes``."""
    heading = _heading(h, wording.title, rows, duplicate)
    lines, totals = _lines(h, sale)
    parts = _spaced(_beside(h, _identity(h, shop), heading), _customer(h, customer),
                    f'<p style="{_P}">{about}</p>', lines,
                    _bottom(h, totals, _in_words(h, sale.total, wording.words),
                            _payments(h, sale, wording.paid), *notes))
    return Sheet(f"{tr(h.langs[0], wording.title)} {label}", _footer(label, journal_hash),
                 _page(h, parts), h.rtl)


def _ticket(shop: Shop, sale: Sale) -> tuple[str, str]:
    """The label of ``sale``'s ticket and when it was made (its local time)."""
    local = sale.created_at + dt.timedelta(minutes=sale.utc_offset_minutes)
    return ticket_label(shop, sale.number), f"{local:%d/%m/%Y %H:%M}"


def _footer(label: str, journal_hash: str) -> str:
    return f"{label} · {journal_hash[:HASH_CHARS]}" if journal_hash else label


def load_sheet(session: Session, document: Document) -> Sheet:
    """The A4 sheet of an invoice or credit note ``document`` (:func:`pos.receipts.
    load_invoice`, :func:`pos.receipts.load_credit_note`): the same one, in its language,
    a copy when it is one."""
    ref = document.metadata["sale_id"]
    duplicate = bool(document.metadata.get("duplicate"))
    lang = document.language or receipt_language(session)
    sale = session.get_one(Sale, ref)
    shop = Shop.from_settings(session)
    if document.kind == invoices.KIND:
        invoice = invoices.invoice_of(session, ref)
        if invoice is None:
            raise LookupError(f"no invoice of sale {ref}")
        return invoice_sheet(invoice, sale, shop, lang, journal_hash=_hash(session, invoice.seq),
                             duplicate=duplicate,
                             credit_notes=invoices.credit_notes_of(session, invoice))
    note = invoices.credit_note_of(session, ref)
    if note is None:
        raise LookupError(f"no credit note of refund {ref}")
    return credit_note_sheet(note, sale, shop, lang, journal_hash=_hash(session, note.seq),
                             duplicate=duplicate)


def _hash(session: Session, seq: int) -> str:
    entry = session.get(JournalEntry, seq)
    return entry.hash if entry is not None else ""


# --- drawing ------------------------------------------------------------------------------


def _document(sheet: Sheet) -> QTextDocument:
    """The sheet laid out in pages of A4 less the margins and the footer."""
    load_fonts()
    font = QFont()
    font.setFamilies(list(FAMILIES))
    font.setPixelSize(TEXT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # drawn at any scale
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    option = doc.defaultTextOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft if sheet.rtl
                            else Qt.LayoutDirection.LeftToRight)
    doc.setDefaultTextOption(option)
    doc.setHtml(sheet.html)
    doc.setPageSize(QSizeF(PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN - FOOTER))
    return doc


def _draw(sheet: Sheet, painter: QPainter, scale: float,
          next_page: Callable[[], object]) -> int:
    """Draw every page of ``sheet`` with ``painter`` (units of 1/96 inch times ``scale``);
    ``next_page`` starts the next one. Returns the number of pages."""
    doc = _document(sheet)
    body = doc.pageSize()
    pages = doc.pageCount()
    footer = QFont(doc.defaultFont())
    footer.setPixelSize(TEXT_SIZE - 2)
    for page in range(pages):
        if page:
            next_page()
        painter.save()
        painter.scale(scale, scale)
        painter.translate(MARGIN, MARGIN - page * body.height())
        doc.drawContents(painter, QRectF(0, page * body.height(), body.width(), body.height()))
        painter.restore()
        painter.save()
        painter.scale(scale, scale)
        painter.setFont(footer)
        painter.setPen(QColor(_RULE))
        painter.drawText(QRectF(MARGIN, PAGE_HEIGHT - MARGIN - FOOTER / 2, body.width(), FOOTER),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         f"{sheet.label} — {page + 1}/{pages}")
        painter.restore()
    return pages


def pdf_bytes(sheet: Sheet) -> tuple[bytes, int]:
    """``sheet`` as a PDF of A4 pages, in memory, and how many pages it has."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setResolution(PDF_DPI)
    writer.setTitle(sheet.title)
    writer.setCreator("Souk POS")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError("the PDF could not be made")
    try:
        pages = _draw(sheet, painter, PDF_DPI / UNITS_PER_INCH, writer.newPage)
    finally:
        painter.end()
    return bytes(buffer.data().data()), pages


def save_pdf(sheet: Sheet, path: str | Path) -> int:
    """Write ``sheet`` to ``path`` as a PDF of A4 pages, whole or not at all (the OSError
    raised); returns how many pages."""
    data, pages = pdf_bytes(sheet)
    write_whole(Path(path), data)
    return pages


def page_images(sheet: Sheet, dpi: int = UNITS_PER_INCH) -> list[QImage]:
    """The pages of ``sheet`` as images at ``dpi``: the same drawing as the PDF's."""
    scale = dpi / UNITS_PER_INCH
    size = (round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale))
    images: list[QImage] = []

    def new_image() -> None:
        image = QImage(*size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        images.append(image)

    new_image()
    painter = QPainter(images[0])
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)

    def next_page() -> None:
        painter.end()
        new_image()
        painter.begin(images[-1])

    try:
        _draw(sheet, painter, scale, next_page)
    finally:
        painter.end()
    return images
