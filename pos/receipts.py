"""Receipts, X/Z reports and the printer test page as documents: pure data, no Qt.

A :class:`Document` is a title, some metadata and a list of blocks (text, two-column rows,
separators, a QR code, a picture, vertical space). It says nothing about dots or fonts:
:mod:`pos.printing.render` lays it out for a given paper width, and the same drawing is the
on-screen preview, the PNG/PDF copy and what the thermal printer receives.

Receipt language is ``"ar"``, ``"fr"``, ``"en"``, ``"both"`` (Arabic and French: bilingual
lines, French reading order with the Arabic beside it) or ``"ar_en"`` (Arabic and English,
likewise). Product and place names have an Arabic and a French (Latin script) form: an
English receipt shows the French one. Alignment in blocks is logical: ``"start"`` is the
right edge of a right-to-left block.

::

    with store.read() as s:
        doc = receipts.load_sale_receipt(s, sale_id)

An invoice (:mod:`pos.invoices`) is a document of the same kind, for the same printer:
:func:`invoice_document`, rebuilt by :func:`load_invoice`; so is the credit note of a
refund of an invoiced sale: :func:`credit_note_document`, :func:`load_credit_note`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import invoices, journal, settings
from pos.amount_words import in_words
from pos.cart import TaxLine, taxes_of
from pos.i18n import comma, reference_text, tr, tr_count
from pos.models import BusinessDay, JournalEntry, Payment, Sale, SaleLine
from pos.money import (
    allocate,
    format_amount,
    format_money,
    format_quantity,
    line_amount,
    tax_part,
    unit_name,
)
from pos.reports import DayReport, MethodTotal, day_report

Align = Literal["start", "center", "end"]
Size = Literal["small", "normal", "large", "huge"]
Direction = Literal["ltr", "rtl"]
Rule = Literal["solid", "dashed", "double"]
ReceiptLanguage = Literal["ar", "fr", "en", "both", "ar_en"]

#: in the order the settings offer them
RECEIPT_LANGUAGES: Final[tuple[ReceiptLanguage, ...]] = ("both", "ar", "fr", "ar_en", "en")
DEFAULT_RECEIPT_LANGUAGE: Final = "both"
#: the receipt language first offered for a UI language: the market's customers read
#: Arabic, so every receipt has it; beside it French, as Moroccan trade writes, unless
#: the till speaks English (a manager who set up in English reads the other half)
RECEIPT_LANGUAGE_FOR: Final[dict[str, ReceiptLanguage]] = {
    "ar": "both", "fr": "both", "en": "ar_en"}
#: the languages of a receipt language, the Latin one first when there are two
RECEIPT_LANGUAGE_PARTS: Final[dict[str, tuple[str, ...]]] = {
    "ar": ("ar",), "fr": ("fr",), "en": ("en",), "both": ("fr", "ar"), "ar_en": ("en", "ar")}
DUPLICATE_MARK: Final = "DUPLICATA / نسخة"
COPY_MARK: Final = "COPY / نسخة"  # the same mark on English receipts
QR_PREFIX: Final = "SOUK1"
HASH_CHARS: Final = 16
LRI: Final = "\u2066"  # left-to-right isolate
RLI: Final = "\u2067"  # right-to-left isolate
PDI: Final = "\u2069"  # pop directional isolate
FSI: Final = "\u2068"  # first strong isolate


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph; wraps when longer than the paper."""

    text: str
    direction: Direction = "ltr"
    align: Align = "start"
    size: Size = "normal"
    bold: bool = False
    inverse: bool = False  # white on black, for marks that must not be missed


@dataclass(frozen=True, slots=True)
class Columns:
    """A label at the start and a value at the end: ``Total ........ 240,00 DH``."""

    label: str
    value: str
    direction: Direction = "ltr"
    size: Size = "normal"
    bold: bool = False
    indent: int = 0  # in steps of about two characters, on the label side
    near: bool = False  # the label ends against the value column instead of starting at
    # the start edge: "2 × 120,00   240,00" (item details; keeps the printed band narrow)
    shrink: bool = True  # a label too long beside its value may be set smaller to stay on
    # its line; a name in two languages is not (the names of a receipt are of one size):
    # its Arabic half goes on the line under the French one


@dataclass(frozen=True, slots=True)
class Separator:
    style: Rule = "dashed"


@dataclass(frozen=True, slots=True)
class QrCode:
    payload: str


@dataclass(frozen=True, slots=True)
class Picture:
    """An image file (the cooperative's logo), fitted to the paper and ``max_lines`` high."""

    path: str
    max_lines: int = 4


@dataclass(frozen=True, slots=True)
class Spacer:
    lines: float = 0.5  # in normal text lines


Block = Text | Columns | Separator | QrCode | Picture | Spacer


@dataclass(frozen=True)
class Document:
    """Something to print: a receipt, a report or the test page."""

    kind: str  # sale, refund, void, x, z, test
    title: str
    language: str
    blocks: tuple[Block, ...]
    metadata: Mapping[str, str] = field(default_factory=dict)
    open_drawer: bool = False  # kick the cash drawer when this is printed

    def plain_text(self) -> str:
        """The words of the document, one block a line (for search, logs and tests)."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                out.append(block.text)
            elif isinstance(block, Columns):
                out.append(f"{block.label}\t{block.value}")
            elif isinstance(block, QrCode):
                out.append(f"[QR {block.payload}]")
            elif isinstance(block, Separator):
                out.append("-" * 32)
        return "\n".join(out)


@dataclass(frozen=True)
class Shop:
    """Who is selling, where: the letterhead of every receipt."""

    name_ar: str = ""
    name_fr: str = ""
    ice: str = ""
    city: str = ""
    city_ar: str = ""  # "" when the cooperative gave none: city is written
    logo: str = ""
    footer: str | Mapping[str, str] = ""
    market_ar: str = ""
    market_fr: str = ""
    market_city: str = ""
    market_city_ar: str = ""  # "" when the server gave none: market_city is written
    stand: str = ""
    device_prefix: str = "T01"
    ticket_marks: journal.Marks = ()  # the marks restores put on ticket labels

    @classmethod
    def from_settings(cls, session: Session) -> Shop:
        coop: Mapping[str, Any] = settings.get(session, settings.COOPERATIVE, {}) or {}
        market: Mapping[str, Any] = settings.get(session, settings.MARKET, {}) or {}
        footer = coop.get("footer") or ""
        return cls(
            name_ar=str(coop.get("name_ar") or ""), name_fr=str(coop.get("name_fr") or ""),
            ice=str(coop.get("ice") or ""), city=str(coop.get("city") or ""),
            city_ar=str(coop.get("city_ar") or ""), logo=str(coop.get("logo") or ""),
            footer=footer if isinstance(footer, Mapping) else str(footer),
            market_ar=str(market.get("name_ar") or ""),
            market_fr=str(market.get("name_fr") or ""),
            market_city=str(market.get("city") or ""),
            market_city_ar=str(market.get("city_ar") or ""), stand=str(market.get("stand") or ""),
            device_prefix=settings.device_prefix(session),
            ticket_marks=journal.ticket_marks(journal.driver_connection(session)),
        )


def receipt_language(session: Session) -> ReceiptLanguage:
    value = settings.get(session, settings.RECEIPT_LANGUAGE, DEFAULT_RECEIPT_LANGUAGE)
    return next((lang for lang in RECEIPT_LANGUAGES if lang == value), "both")


def strong_direction(text: str, default: Direction = "ltr") -> Direction:
    """The direction of the first strongly directional character of ``text`` that is not
    inside an isolate (``LRI``/``RLI``/``FSI`` ... ``PDI``), as the bidi algorithm finds a
    paragraph's direction."""
    depth = 0
    for char in text:
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(char)
            if kind == "L":
                return "ltr"
            if kind in ("R", "AL"):
                return "rtl"
    return default


def isolate(text: str, direction: Direction) -> str:
    """``text`` ready to sit in a ``direction`` paragraph: written the other way (a French
    name on an Arabic receipt), it is isolated so that it keeps its own order, its leading
    digits and its final full stop where its writer put them."""
    if strong_direction(text, direction) == direction:
        return text
    return f"{LRI if direction == 'rtl' else RLI}{text}{PDI}"


class _Words:
    """Messages and numbers in the receipt's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in RECEIPT_LANGUAGES else DEFAULT_RECEIPT_LANGUAGE
        self.langs = RECEIPT_LANGUAGE_PARTS[self.lang]
        self.pair = len(self.langs) == 2
        self.rtl = self.lang == "ar"
        self.direction: Direction = "rtl" if self.rtl else "ltr"
        self.number_lang = self.langs[0]  # an Arabic and French receipt writes 1 250,00
        self.latin = "en" if "en" in self.langs else "fr"  # the language of the Latin names

    def __call__(self, key: str, /, **params: object) -> str:
        if self.pair:
            latin = tr(self.latin, key, **_isolated(params, "ltr"))
            ar = tr("ar", key, **_isolated(params, "rtl"))
            # The Arabic half is isolated (RLI ... PDI) so that its digits and signs keep
            # their places inside the Latin line.
            return latin if latin == ar else f"{latin} / {RLI}{ar}{PDI}"
        return tr(self.lang, key, **_isolated(params, self.direction))

    def counts(self, counts: Iterable[tuple[str, int]]) -> str:
        """Counts of things, each in the plural form its number takes (``4 ventes,
        1 remboursement``); in two languages, the Arabic half isolated as in a message."""
        counts = list(counts)

        def said(lang: str) -> str:
            return comma(lang).join(tr_count(lang, key, n) for key, n in counts)

        if self.pair:
            return f"{said(self.latin)} / {RLI}{said('ar')}{PDI}"
        return said(self.lang)

    @property
    def duplicate_mark(self) -> str:
        return COPY_MARK if self.latin == "en" else DUPLICATE_MARK

    def money(self, centimes: int) -> str:
        """An amount with its currency; below zero on an Arabic receipt with the CLDR's
        minus and marks (:func:`pos.money.format_money`): ``-21,50 د.م.``, not ``21,50-``."""
        return format_money(centimes, self.number_lang)

    def amount(self, centimes: int) -> str:
        """An amount alone (a column's value), with the language's minus."""
        return format_amount(centimes, self.number_lang)

    def quantity(self, milli: int, unit: str) -> str:
        """A quantity that more of its line follows (``-2 × 120,00``): on an Arabic receipt
        a negative one, which its minus's left-to-right mark makes left-to-right, is
        isolated (:func:`isolate`), so that nothing after it turns left-to-right too (the
        price would move to the other side of it)."""
        return isolate(format_quantity(milli, unit, self.number_lang), self.direction)

    def unit(self, unit: str) -> str:
        if unit == "piece":
            return ""
        return unit_name(unit, self.number_lang)

    def columns(self, label: str, value: str, **style: Any) -> Columns:
        return Columns(label, value, direction=self.direction, **style)

    def row(self, key: str, value: str, **style: Any) -> Columns:
        """A two-column row whose label is the message ``key``."""
        return Columns(self(key), value, direction=self.direction, **style)

    def labelled(self, key: str, param: str, value: str, **style: Any) -> Block:
        """The message ``key`` said of ``value`` (its parameter ``param``): ``Motif : flacon
        cassé``. In two languages ``value`` is written once, beside the labels of both
        (the message ``key.label``), as the ticket's number is: ``Motif / السبب  flacon
        cassé``, not the cashier's words or a payment's reference twice on the line."""
        if self.pair:
            return self.columns(self(f"{key}.label"), value, **style)
        return self.text(self(key, **{param: value}), **style)

    def reference(self, reference: str) -> Block:
        """A payment's reference (a card's authorisation, a transfer's number) as it was
        typed, left to right on an Arabic receipt too: ``4521 8890``, not ``8890 4521``
        (:func:`pos.i18n.reference_text`)."""
        return self.labelled("receipt.reference", "reference",
                             reference_text(reference, self.lang), size="small")

    def text(self, text: str, **style: Any) -> Text:
        return Text(text, direction=self.direction, **style)

    def title(self, key: str, /, **params: object) -> list[Block]:
        """A centred heading; in two languages, one line each (the Latin one first)."""
        return [
            Text(tr(lang, key, **_isolated(params, "rtl" if lang == "ar" else "ltr")),
                 direction="rtl" if lang == "ar" else "ltr", align="center", size="large",
                 bold=True)
            for lang in self.langs
        ]  # fmt: skip

    def local_time(self, utc: dt.datetime, offset_minutes: int) -> str:
        return f"{utc + dt.timedelta(minutes=offset_minutes):%d/%m/%Y %H:%M}"

    def name(self, name_ar: str, name_fr: str) -> Block:
        """A product or place name in the receipt's language(s)."""
        if self.lang == "ar":
            return Text(isolate(name_ar or name_fr, "rtl"), direction="rtl")
        if not self.pair or not name_ar or name_ar == name_fr:
            return Text(isolate(name_fr or name_ar, "ltr"))
        return Columns(name_fr, name_ar, shrink=False)


def _isolated(params: Mapping[str, object], direction: Direction) -> dict[str, object]:
    """Message parameters with each text written the other way isolated (see isolate)."""
    return {k: isolate(v, direction) if isinstance(v, str) else v for k, v in params.items()}


def _centered(text: str, *, rtl: bool = False, size: Size = "small", bold: bool = False) -> Text:
    return Text(text, direction="rtl" if rtl else "ltr", align="center", size=size, bold=bold)


def letterhead(shop: Shop, words: _Words) -> list[Block]:
    """Logo, the cooperative's names, ICE, city, market and stand."""
    blocks: list[Block] = []
    if shop.logo:
        blocks.append(Picture(shop.logo))
    names = [(shop.name_ar, True), (shop.name_fr, False)]
    if words.lang in ("fr", "en"):
        names.reverse()
    for name, rtl in names:
        if name:
            blocks.append(_centered(name, rtl=rtl, size="large", bold=True))
    # "ICE 001234567000089": Moroccan documents use the label "ICE" in Arabic too
    if shop.ice:
        blocks.append(_centered(f"{words('receipt.ice')} {shop.ice}"))
    if city := city_in(shop.city, shop.city_ar, rtl=words.rtl, pair=words.pair):
        blocks.append(_centered(city, rtl=words.rtl))
    market = [shop.market_ar] if words.lang == "ar" else (
        [shop.market_fr, shop.market_ar] if words.pair else [shop.market_fr])
    for name in market:
        if name:
            blocks.append(_centered(name, rtl=name == shop.market_ar and bool(shop.market_ar)))
    place = [words("receipt.stand", stand=shop.stand) if shop.stand else "",
             _market_city(shop, words)]
    if any(place):
        blocks.append(_centered(" · ".join(p for p in place if p), rtl=words.rtl))
    return blocks


def _market_city(shop: Shop, words: _Words) -> str:
    """The market's city in the receipt's language(s) (see :func:`city_in`)."""
    return city_in(shop.market_city, shop.market_city_ar, rtl=words.rtl, pair=words.pair)


def city_in(latin: str, arabic: str, *, rtl: bool, pair: bool) -> str:
    """A city in Arabic on an Arabic document (``rtl``), in Latin letters then Arabic on
    one in two languages (``pair``): ``Essaouira / الصويرة``; once, in the letters it has,
    when it has no name in the other script."""
    arabic = arabic or latin
    if rtl:
        return arabic
    if pair and latin and arabic != latin:
        return f"{latin} / {RLI}{arabic}{PDI}"
    return latin or arabic


def ticket_label(shop: Shop, number: int) -> str:
    mark = journal.mark_at(shop.ticket_marks, number)
    return settings.ticket_label(shop.device_prefix, number, mark)


def qr_payload(sale_id: str, label: str, total: int, journal_hash: str) -> str:
    """What the receipt's QR code carries, in QR alphanumeric characters (a small code).

    ``SOUK1:<sale id>:<ticket label>:<total in centimes>:<first 16 hex of the journal hash>``
    """
    parts = (QR_PREFIX, sale_id, label, str(total), journal_hash[:HASH_CHARS])
    return ":".join(parts).upper()


def _sale_line(words: _Words, line: SaleLine) -> list[Block]:
    blocks: list[Block] = [words.name(line.name_ar, line.name_fr)]
    quantity = words.quantity(line.quantity, line.unit)
    unit = words.unit(line.unit)
    price = words.amount(line.unit_price)
    detail = f"{quantity} {unit} × {price}" if unit else f"{quantity} × {price}"
    gross = line_amount(line.unit_price, line.quantity)
    blocks.append(words.columns(detail, words.amount(gross), near=True))
    if line.discount:
        blocks.append(
            words.columns(words("receipt.discount"), words.amount(-line.discount), near=True)
        )
    return blocks


def _payment_lines(words: _Words, payment: Payment) -> list[Block]:
    blocks: list[Block] = [
        words.columns(words(f"receipt.pay.{payment.method}"), words.amount(payment.amount))
    ]
    if payment.method == "cash" and payment.tendered is not None and payment.change:
        blocks.append(
            words.columns(words("receipt.tendered"), words.amount(payment.tendered), indent=1)
        )
        blocks.append(
            words.columns(words("receipt.change"), words.amount(payment.change), bold=True)
        )
    if payment.reference:
        blocks.append(words.reference(payment.reference))
    return blocks


def _tax_lines(words: _Words, taxes: Iterable[TaxLine]) -> list[Block]:
    return [
        words.columns(words("receipt.tax", rate=t.rate), words.amount(t.tax), size="small")
        for t in taxes
    ]


def _footer(shop: Shop, words: _Words) -> list[Block]:
    footer = shop.footer
    langs = words.langs[::-1]  # Arabic first
    if isinstance(footer, Mapping):
        # an English receipt shows the cooperative's French words when it wrote none in
        # English (they may say how to return a product)
        texts = [(str(footer.get(lang) or (footer.get("fr") if lang == "en" else "") or ""),
                  lang == "ar") for lang in langs]
    elif footer:
        texts = [(footer, any("\u0600" <= ch <= "\u06ff" for ch in footer))]
    else:
        texts = [(tr(lang, "receipt.thanks"), lang == "ar") for lang in langs]
    return [_centered(t, rtl=rtl, size="normal") for t, rtl in texts if t]


def _sale_header(
    words: _Words, sale: Sale, label: str, original: str | None, duplicate: bool
) -> list[Block]:
    blocks: list[Block] = [
        Spacer(0.3),
        *words.title(f"receipt.title.{sale.kind}"),
    ]
    if duplicate:
        blocks.append(Text(words.duplicate_mark, align="center", size="large", bold=True,
                           inverse=True))
    blocks += [
        Spacer(0.3),
        words.columns(words("receipt.number"), label, bold=True),
        words.columns(words("receipt.date"), words.local_time(sale.created_at,
                                                               sale.utc_offset_minutes)),
    ]
    if sale.cashier_name:
        blocks.append(words.columns(words("receipt.cashier"), sale.cashier_name))
    if original:
        blocks.append(words.labelled(f"receipt.reverses.{sale.kind}", "label", original))
    if sale.reason:
        blocks.append(words.labelled("receipt.reason", "reason", sale.reason, size="small"))
    return blocks


def _totals(words: _Words, sale: Sale) -> list[Block]:
    """The subtotal and the discounts when there are any, the total and its VAT. The
    discounts are the lines' (those printed under the lines, added up) and the rest, the
    ticket's (cart) discount, each on a line of its own when it is not zero, so that a
    customer finds the lines' figure on the receipt; subtotal less both is the total."""
    blocks: list[Block] = []
    lines = sum(ln.discount for ln in sale.lines)
    ticket = sale.discount - lines
    if lines or ticket:
        blocks.append(words.columns(words("receipt.subtotal"), words.amount(sale.subtotal)))
    for key, discount in (("receipt.discount.lines", lines), ("receipt.discount.ticket", ticket)):
        if discount:
            blocks.append(words.columns(words(key), words.amount(-discount)))
    # in two languages, short words ("REMBOURSÉ / المسترجع") keep a refund's total on one
    # line of 58 mm paper
    refunded = "receipt.total_refund.short" if words.pair else "receipt.total_refund"
    title = "receipt.total" if sale.total >= 0 else refunded
    blocks.append(words.columns(words(title), words.money(sale.total), size="large", bold=True))
    rates: dict[int, int] = {}
    for line in sale.lines:
        rates[line.tax_rate] = rates.get(line.tax_rate, 0) + line.total
    blocks += _tax_lines(words, taxes_of(rates))
    return blocks


def sale_receipt(
    sale: Sale,
    shop: Shop,
    lang: str,
    *,
    journal_hash: str,
    original_number: int | None = None,
    duplicate: bool = False,
) -> Document:
    """The receipt of a sale, a refund or a void (``sale.kind``).

    ``original_number`` is the ticket number of the sale a refund or void reverses;
    ``duplicate`` marks a reprint "DUPLICATA / نسخة" ("COPY / نسخة" in English), and never
    opens the drawer.
    """
    words = _Words(lang)
    label = ticket_label(shop, sale.number)
    original = ticket_label(shop, original_number) if original_number is not None else None
    blocks: list[Block] = letterhead(shop, words)
    blocks += _sale_header(words, sale, label, original, duplicate)
    blocks.append(Separator("dashed"))
    for line in sale.lines:
        blocks += _sale_line(words, line)
    blocks.append(Separator("dashed"))
    blocks += _totals(words, sale)
    blocks.append(Separator("dashed"))
    for payment in sale.payments:
        blocks += _payment_lines(words, payment)
    items = sum(abs(ln.quantity) // 1000 if ln.unit == "piece" else 1 for ln in sale.lines)
    blocks.append(words.labelled("receipt.items", "count", str(items), size="small"))
    blocks.append(Separator("solid"))
    blocks += _footer(shop, words)
    blocks += [
        Spacer(0.3),
        QrCode(qr_payload(sale.id, label, sale.total, journal_hash)),
        _centered(f"{label} · {journal_hash[:HASH_CHARS]}", size="small"),
    ]
    cash = any(p.method == "cash" for p in sale.payments)
    return Document(
        kind=sale.kind, title=f"{words(f'receipt.title.{sale.kind}')} {label}",
        language=words.lang, blocks=tuple(blocks),
        metadata={"sale_id": sale.id, "label": label, "total": str(sale.total),
                  "hash": journal_hash[:HASH_CHARS], "duplicate": "1" if duplicate else ""},
        open_drawer=cash and not duplicate,
    )


def load_sale_receipt(session: Session, sale_id: str, *, duplicate: bool = False,
                      lang: str | None = None) -> Document:
    """Rebuild the receipt of a recorded sale, refund or void from the database, in
    ``lang`` or else the receipt language of the settings."""
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise LookupError(f"no sale {sale_id}")
    entry = session.get(JournalEntry, sale.journal_seq)
    original = None
    if sale.reverses:
        original = session.scalar(select(Sale.number).where(Sale.id == sale.reverses))
    return sale_receipt(
        sale, Shop.from_settings(session), lang or receipt_language(session),
        journal_hash=entry.hash if entry else "", original_number=original, duplicate=duplicate,
    )


# --- invoices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """What tells an invoice from a credit note on paper (on a receipt and on A4): its kind
    (:data:`pos.invoices.KIND`, :data:`pos.invoices.CREDIT_KIND`) and the messages of its
    title, of the heading of its payments and of its total in words."""

    kind: str
    title: str
    paid: str
    words: str


INVOICE_WORDING: Final = Wording(invoices.KIND, "receipt.invoice.title",
                                 "receipt.report.payments", "receipt.invoice.words")
CREDIT_NOTE_WORDING: Final = Wording(invoices.CREDIT_KIND, "receipt.credit_note.title",
                                     "receipt.credit_note.paid_back",
                                     "receipt.credit_note.words")


@dataclass(frozen=True)
class InvoiceLine:
    """A line of an invoice or a credit note, excluding VAT (:func:`lines_ht`; the A4 page
    of :mod:`pos.printing.a4` lays them out too)."""

    line: SaleLine
    unit_ht: int  # the unit price excluding VAT
    gross_ht: int  # quantity × unit price, excluding VAT
    net_ht: int  # after the line's discounts, excluding VAT


def lines_ht(lines: Iterable[SaleLine]) -> tuple[list[InvoiceLine], tuple[TaxLine, ...],
                                                 dict[int, int]]:
    """The lines excluding VAT, the VAT per rate (as the receipt and the Z report count it:
    on each rate's total) and the total excluding VAT per rate. Each rate's total excluding
    VAT is shared among its lines in proportion, so that the lines add up to it exactly."""
    lines = list(lines)
    by_rate: dict[int, list[SaleLine]] = {}
    for line in lines:
        by_rate.setdefault(line.tax_rate, []).append(line)
    net: dict[int, int] = {}
    bases: dict[int, int] = {}
    for rate, group in by_rate.items():
        total = sum(ln.total for ln in group)
        bases[rate] = total - tax_part(total, rate)
        for ln, share in zip(group, allocate(bases[rate], [ln.total for ln in group]),
                             strict=True):
            net[ln.id] = share
    out = []
    for ln in lines:
        gross = line_amount(ln.unit_price, ln.quantity)
        discounted = bool(ln.discount or ln.cart_discount)
        gross_ht = gross - tax_part(gross, ln.tax_rate) if discounted else net[ln.id]
        out.append(InvoiceLine(ln, ln.unit_price - tax_part(ln.unit_price, ln.tax_rate),
                               gross_ht, net[ln.id]))
    totals = {rate: sum(ln.total for ln in group) for rate, group in by_rate.items()}
    return out, taxes_of(totals), bases


def _invoice_line(words: _Words, item: InvoiceLine) -> list[Block]:
    line = item.line
    quantity = words.quantity(line.quantity, line.unit)
    unit = words.unit(line.unit)
    price = words.amount(item.unit_ht)
    detail = f"{quantity} {unit} × {price}" if unit else f"{quantity} × {price}"
    # the rate alone (the column's heading says VAT), in the language the numbers are in
    detail += f" · {tr(words.number_lang, 'receipt.invoice.vat_rate', rate=line.tax_rate)}"
    blocks: list[Block] = [words.name(line.name_ar, line.name_fr),
                           words.columns(detail, words.amount(item.gross_ht), near=True)]
    if item.gross_ht != item.net_ht:
        blocks.append(words.columns(words("receipt.discount"),
                                    words.amount(item.net_ht - item.gross_ht), near=True))
    return blocks


def _invoice_headings(words: _Words) -> list[Block]:
    """What the lines' columns hold; in two languages, a row for each (the Latin one
    first), both laid out as the lines are."""
    return [Columns(tr(lang, "receipt.invoice.columns"), tr(lang, "receipt.invoice.amount_ht"),
                    direction=words.direction, size="small")
            for lang in words.langs]


def _customer(words: _Words, customer: invoices.Customer) -> list[Block]:
    blocks: list[Block] = [
        words.text(words("receipt.invoice.customer"), bold=True),
        words.text(isolate(customer.name, words.direction), bold=True),
    ]
    if customer.ice:
        blocks.append(words.columns(words("receipt.ice"), customer.ice))
    if customer.address:
        blocks.append(words.text(isolate(customer.address, words.direction), size="small"))
    return blocks


def _in_words(words: _Words, total: int, key: str) -> list[Block]:
    """"Arrêtée la présente facture à la somme de : ..." in each language of the document."""
    return [Text(tr(lang, key, amount=in_words(total, lang)),
                 direction="rtl" if lang == "ar" else "ltr")
            for lang in words.langs]


def _amounts_ht(words: _Words, sale: Sale) -> list[Block]:
    """The lines excluding VAT under their headings, the total excluding VAT, the VAT of
    each rate (0 % said too) and the total including VAT."""
    items, taxes, bases = lines_ht(sale.lines)
    blocks: list[Block] = _invoice_headings(words)
    for item in items:
        blocks += _invoice_line(words, item)
    blocks += [
        Separator("dashed"),
        words.columns(words("receipt.invoice.total_ht"), words.amount(sum(bases.values())),
                      bold=True),
    ]
    tax = {t.rate: t.tax for t in taxes}  # a rate of 0 is said too, not left out
    blocks += [words.columns(words("receipt.invoice.vat", rate=rate),
                             words.amount(tax.get(rate, 0)))
               for rate in sorted(bases)]
    blocks.append(words.columns(words("receipt.invoice.total_ttc"), words.money(sale.total),
                                size="large", bold=True))
    return blocks


def _payments(words: _Words, sale: Sale, key: str) -> list[Block]:
    blocks: list[Block] = [words.text(words(key), bold=True)]
    for payment in sale.payments:
        blocks.append(words.columns(words(f"receipt.pay.{payment.method}"),
                                    words.amount(payment.amount)))
        if payment.reference:
            blocks.append(words.reference(payment.reference))
    return blocks


def _credit_notes(words: _Words, notes: Iterable[invoices.CreditNote]) -> list[Block]:
    """The credit notes that corrected an invoice: number, date and amount of each."""
    notes = list(notes)
    if not notes:
        return []
    blocks: list[Block] = [Separator("dashed"),
                           words.text(words("receipt.invoice.credit_notes"), bold=True)]
    blocks += [words.columns(f"{note.label} · {note.local_time:%d/%m/%Y}",
                             words.amount(note.total), size="small")
               for note in notes]
    return blocks


def invoice_document(invoice: invoices.Invoice, sale: Sale, shop: Shop, lang: str, *,
                     journal_hash: str, duplicate: bool = False,
                     credit_notes: Iterable[invoices.CreditNote] = ()) -> Document:
    """The invoice of ``sale``: the cooperative (letterhead), the customer, the invoice's
    number and date, the ticket it invoices, the lines excluding VAT with their rate, the
    totals excluding VAT, the VAT per rate, the total including VAT, the payments and the
    total in words; then the credit notes that corrected it, if any. ``duplicate`` marks a
    reprint "DUPLICATA / نسخة"."""
    words = _Words(lang)
    ticket = ticket_label(shop, sale.number)
    heading: list[Block] = [
        words.columns(words("receipt.invoice.number"), invoice.label, bold=True),
        words.columns(words("receipt.date"), f"{invoice.local_time:%d/%m/%Y}"),
        words.text(words("receipt.invoice.ticket", label=ticket, date=words.local_time(
            sale.created_at, sale.utc_offset_minutes)), size="small"),
    ]
    return _accounting_document(words, shop, INVOICE_WORDING, invoice.label, heading,
                                invoice.customer, sale, _credit_notes(words, credit_notes),
                                journal_hash=journal_hash, duplicate=duplicate,
                                metadata={"ticket": ticket})


def load_invoice(session: Session, sale_id: str, *, duplicate: bool = False,
                 lang: str | None = None) -> Document:
    """Rebuild the invoice of sale ``sale_id`` from the journal and the sale, in ``lang``
    or else the receipt language of the settings."""
    invoice = invoices.invoice_of(session, sale_id)
    sale = session.get(Sale, sale_id)
    if invoice is None or sale is None:
        raise LookupError(f"no invoice of sale {sale_id}")
    entry = session.get(JournalEntry, invoice.seq)
    return invoice_document(invoice, sale, Shop.from_settings(session),
                            lang or receipt_language(session),
                            journal_hash=entry.hash if entry else "", duplicate=duplicate,
                            credit_notes=invoices.credit_notes_of(session, invoice))


def credit_note_document(note: invoices.CreditNote, refund: Sale, shop: Shop, lang: str, *,
                         journal_hash: str, duplicate: bool = False) -> Document:
    """The credit note ("facture d'avoir", إشعار دائن) of ``refund`` (a refund or void of an
    invoiced sale), laid out as the invoice is: the cooperative, the customer of the
    invoice, the credit note's number and date, the invoice it corrects, the refund's ticket
    and reason, the refunded lines excluding VAT, the VAT per rate, the total including VAT
    and in words, how it was paid back. Amounts are below zero, as on the refund's receipt
    and in the sales figures; the words say the size."""
    words = _Words(lang)
    ticket = ticket_label(shop, refund.number)
    heading: list[Block] = [
        words.columns(words("receipt.credit_note.number"), note.label, bold=True),
        words.columns(words("receipt.date"), f"{note.local_time:%d/%m/%Y}"),
        words.columns(words("receipt.credit_note.invoice"), note.invoice_label, bold=True),
        words.text(words(f"receipt.credit_note.ticket_{refund.kind}", label=ticket,
                         date=words.local_time(refund.created_at, refund.utc_offset_minutes)),
                   size="small"),
    ]
    if refund.reason:
        heading.append(words.labelled("receipt.reason", "reason", refund.reason, size="small"))
    return _accounting_document(words, shop, CREDIT_NOTE_WORDING, note.label, heading,
                                note.customer, refund, [], journal_hash=journal_hash,
                                duplicate=duplicate,
                                metadata={"ticket": ticket, "invoice": note.invoice_label})


def _accounting_document(words: _Words, shop: Shop, wording: Wording, label: str,
                         heading: list[Block], customer: invoices.Customer, sale: Sale,
                         after: list[Block], *, journal_hash: str, duplicate: bool,
                         metadata: dict[str, str]) -> Document:
    """The invoice or credit note (``wording``) numbered ``label``, of ``sale``: the
    cooperative, its title (DUPLICATA on a copy), ``heading`` (its number, date, what it
    refers to), the customer, the lines and totals excluding and including VAT, the
    payments, the total in words, ``after``, then its number and the journal's hash.
    ``metadata`` adds to the sale, label, total, hash and copy mark."""
    blocks: list[Block] = letterhead(shop, words)
    blocks += [Spacer(0.3), *words.title(wording.title)]
    if duplicate:
        blocks.append(Text(words.duplicate_mark, align="center", size="large", bold=True,
                           inverse=True))
    blocks += [
        Spacer(0.3),
        *heading,
        Separator("dashed"),
        *_customer(words, customer),
        Separator("dashed"),
        *_amounts_ht(words, sale),
        Separator("dashed"),
        *_payments(words, sale, wording.paid),
        Separator("dashed"),
        *_in_words(words, sale.total, wording.words),
        *after,
        Separator("solid"),
        _centered(f"{label} · {journal_hash[:HASH_CHARS]}", size="small"),
    ]
    return Document(
        kind=wording.kind, title=f"{words(wording.title)} {label}", language=words.lang,
        blocks=tuple(blocks),
        metadata={"sale_id": sale.id, "label": label, **metadata, "total": str(sale.total),
                  "hash": journal_hash[:HASH_CHARS], "duplicate": "1" if duplicate else ""},
    )


def load_credit_note(session: Session, refund_id: str, *, duplicate: bool = False,
                     lang: str | None = None) -> Document:
    """Rebuild the credit note of refund ``refund_id`` from the journal and the refund, in
    ``lang`` or else the receipt language of the settings."""
    note = invoices.credit_note_of(session, refund_id)
    refund = session.get(Sale, refund_id)
    if note is None or refund is None:
        raise LookupError(f"no credit note of refund {refund_id}")
    entry = session.get(JournalEntry, note.seq)
    return credit_note_document(note, refund, Shop.from_settings(session),
                                lang or receipt_language(session),
                                journal_hash=entry.hash if entry else "", duplicate=duplicate)


def _count_lines(words: _Words, detail: Mapping[str, int] | None) -> list[Block]:
    if not detail:
        return []
    blocks: list[Block] = []
    for denomination, number in sorted(detail.items(), key=lambda kv: -int(kv[0])):
        value = int(denomination)
        text = f"{number} × {words.amount(value)}"
        blocks.append(words.columns(text, words.amount(value * number), indent=1, size="small"))
    return blocks


def _cash_lines(words: _Words, report: DayReport) -> list[Block]:
    cash = report.cash
    row = words.row
    blocks: list[Block] = [
        words.text(words("receipt.report.cash"), bold=True),
        row("receipt.report.cash.float", words.amount(cash.opening_float)),
        row("receipt.report.cash.sales", words.amount(cash.cash_sales)),
    ]
    if cash.cash_in:
        blocks.append(row("receipt.report.cash.in", words.amount(cash.cash_in)))
    if cash.cash_out:
        blocks.append(row("receipt.report.cash.out", words.amount(-cash.cash_out)))
    blocks.append(row("receipt.report.cash.expected", words.amount(cash.expected), bold=True))
    if cash.counted is not None:
        blocks.append(row("receipt.report.cash.counted", words.amount(cash.counted), bold=True))
        blocks += _count_lines(words, cash.count_detail)
    if cash.difference is not None:
        difference = words.amount(cash.difference)
        blocks.append(row("receipt.report.cash.difference", difference, bold=True))
    return blocks


def _report_header(words: _Words, report: DayReport, kind: str,
                   duplicate: bool = False) -> list[Block]:
    offset = report.utc_offset_minutes
    row = words.row
    blocks: list[Block] = [
        Spacer(0.3),
        *words.title(f"receipt.report.title.{kind}", number=report.z_label),
    ]
    if duplicate:
        blocks.append(Text(words.duplicate_mark, align="center", size="large", bold=True,
                           inverse=True))
    blocks += [
        Spacer(0.3),
        row("receipt.report.day", f"{report.date:%d/%m/%Y}", bold=True),
        row("receipt.report.opened", words.local_time(report.opened_at, offset)),
    ]
    if report.closed_at is not None:
        blocks.append(row("receipt.report.closed", words.local_time(report.closed_at, offset)))
    printed = report.generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    blocks.append(row("receipt.report.printed", words.local_time(printed, offset)))
    return blocks


def _sales_lines(words: _Words, report: DayReport, shop: Shop) -> list[Block]:
    amount, row = words.amount, words.row
    blocks: list[Block] = [
        words.columns(f"{words('receipt.report.sales')} ({report.sales_count})",
                      amount(report.gross)),
        words.columns(f"{words('receipt.report.refunds')} ({report.refunds_count})",
                      amount(-report.refunds)),
        words.columns(f"{words('receipt.report.voids')} ({report.voids_count})",
                      amount(-report.voids)),
        row("receipt.report.discounts", amount(report.discounts), size="small"),
        row("receipt.report.net", words.money(report.net), size="large", bold=True),
    ]  # fmt: skip
    blocks += _tax_lines(words, report.taxes)
    if report.first_number is not None and report.last_number is not None:
        first = ticket_label(shop, report.first_number)
        span = f"{first} – {ticket_label(shop, report.last_number)}"  # en dash
        blocks.append(row("receipt.report.tickets", span, size="small"))
    blocks.append(row("receipt.report.items", words.quantity(report.items, "piece"),
                      size="small"))
    return blocks


def _method_lines(words: _Words, payment: MethodTotal) -> list[Block]:
    """A payment method's amount (net of what it gave back), then, under it, the tickets
    that make it: its sales, and its refunds and voids when there were any."""
    counts = [("receipt.report.method_sales", payment.sales),
              ("receipt.report.method_refunds", payment.refunds),
              ("receipt.report.method_voids", payment.voids)]
    return [
        words.columns(words(f"receipt.pay.{payment.method}"), words.amount(payment.amount)),
        words.text(words.counts((key, n) for key, n in counts if n), size="small"),
    ]


def _member_lines(words: _Words, report: DayReport) -> list[Block]:
    """What each member's products took, the most first, then the lines of no member:
    together the day's net, for the cooperative to share out its takings. A member whose
    sales were all given back took nothing and is left out; a stall whose products name
    no member prints nothing of it."""
    named = sorted((m for m in report.members if m.member and m.amount),
                   key=lambda m: (-m.amount, m.member))
    if not named:
        return []
    blocks: list[Block] = [Separator("dashed"),
                           words.text(words("receipt.report.members"), bold=True)]
    blocks += [words.columns(isolate(m.member, words.direction), words.amount(m.amount))
               for m in named]
    unnamed = sum(m.amount for m in report.members if not m.member)
    if unnamed:
        blocks.append(words.row("receipt.report.no_member", words.amount(unnamed)))
    return blocks


def _report(report: DayReport, shop: Shop, lang: str, kind: Literal["x", "z"],
            duplicate: bool = False) -> Document:
    words = _Words(lang)
    blocks: list[Block] = letterhead(shop, words)
    blocks += _report_header(words, report, kind, duplicate)
    blocks.append(Separator("dashed"))
    blocks += _sales_lines(words, report, shop)
    blocks.append(Separator("dashed"))
    blocks.append(words.text(words("receipt.report.payments"), bold=True))
    for payment in report.payments:
        blocks += _method_lines(words, payment)
    blocks += _member_lines(words, report)
    blocks.append(Separator("dashed"))
    blocks += _cash_lines(words, report)
    blocks.append(Separator("solid"))
    blocks += [
        words.columns(words("receipt.report.journal"), f"#{report.journal_seq}", size="small"),
        _centered(report.journal_hash[:32], size="small"),
        words.columns(words("receipt.report.grand_total"), words.amount(report.grand_total),
                      size="small"),
    ]
    title = words(f"receipt.report.title.{kind}", number=report.z_label)
    return Document(
        kind=kind, title=title, language=words.lang, blocks=tuple(blocks),
        metadata={"day_id": str(report.day_id), "z": report.z_label,
                  "duplicate": "1" if duplicate else ""},
    )


def x_report(report: DayReport, shop: Shop, lang: str) -> Document:
    """The mid-day reading of an open day (changes nothing)."""
    return _report(report, shop, lang, "x")


def z_report(report: DayReport, shop: Shop, lang: str) -> Document:
    """The numbered report of a closed day, with the cash count."""
    return _report(report, shop, lang, "z")


def load_day_report(session: Session, day_id: int, kind: Literal["x", "z"],
                    lang: str | None = None, *, duplicate: bool = False) -> Document:
    """The X or Z report of a day; ``duplicate`` marks a Z printed again later."""
    day = session.get(BusinessDay, day_id)
    if day is None:
        raise LookupError(f"no business day {day_id}")
    report = day_report(session, day)
    return _report(report, Shop.from_settings(session), lang or receipt_language(session), kind,
                   duplicate)


def test_page(shop: Shop, lang: str, *, printer: str = "", width_dots: int = 0) -> Document:
    """A page that proves the whole path: both scripts, sizes, rules, edges and a QR code.
    Its own words are in the receipt language ``lang``, as a sale receipt's; the samples
    of both scripts are printed whatever the language, as the receipts may show both."""
    words = _Words(lang)
    blocks: list[Block] = letterhead(shop, words)
    blocks += [Spacer(0.3), *words.title("printing.test.title"), Separator("solid")]
    if printer:
        blocks.append(words.columns(words("printing.test.printer"), printer, size="small"))
    if width_dots:
        blocks.append(words.columns(words("printing.test.width"), str(width_dots), size="small"))
    blocks += [
        *(Text(tr(part, "printing.test.sample"), direction="rtl" if part == "ar" else "ltr")
          for part in words.langs[::-1]),
        Text("àâçéèêëîïôûùüÿœæ ÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ 0123456789"),
        Text("٠١٢٣٤٥٦٧٨٩ ١٢٥٫٥٠ د.م.", direction="rtl"),
        Columns("Huile d'argan", "زيت الأركان"),
        Columns("2 × 120,00", format_amount(24000)),
        Separator("dashed"),
        Text("small / صغير", size="small"),
        Text("normal / عادي"),
        Text("large / كبير", size="large"),
        Text("123,45 DH", size="huge", bold=True, align="center"),
        Text(words.duplicate_mark, align="center", bold=True, inverse=True),
        Separator("double"),
        Columns("|<", ">|", bold=True),
        QrCode("SOUK1:TEST"),
    ]
    blocks += [_centered(tr(part, "printing.test.end"), rtl=part == "ar")
               for part in words.langs]
    return Document(kind="test", title=words("printing.test.title"), language=words.lang,
                    blocks=tuple(blocks))


def characters(document: Document) -> set[str]:
    """Every character the document prints (to check the fonts cover them)."""
    chars: set[str] = set()
    for block in document.blocks:
        if isinstance(block, Text):
            chars.update(block.text)
        elif isinstance(block, Columns):
            chars.update(block.label + block.value)
    return chars


