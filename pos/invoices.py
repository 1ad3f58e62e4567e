"""Invoices ("factures", فواتير) for the business customers of a sale: a hotel, a shop or
a restaurant buying argan oil or amlou in bulk asks for one with its name and ICE.

An invoice is a record of the journal (kind ``invoice``), appended like the others and
never edited: the sale it invoices, the customer's name, ICE (15 digits, optional for a
private person) and address, its number and when it was made. It moves no money (its
amount is 0), belongs to no business day, and changes no figure: the day summaries, the
X and Z reports and what is synced stay as they were. The document is rebuilt from the
record and the sale (:func:`pos.receipts.load_invoice`).

- **One invoice per sale.** Asking again for a sale's invoice gives the one it has, to be
  printed marked "DUPLICATA / نسخة", never a second number. Only a sale can be invoiced
  (not a refund nor a void), and not once a refund or a void reversed any of it: what the
  customer paid in the end would not be what the invoice says (a refund of an invoiced
  sale gets a credit note instead, see below).
- **Numbering.** Gapless per till and per calendar year (the year of the invoice's local
  date), printed with the till's prefix: ``T03-F2026-00001``, ``T03-F2026-00002``...,
  ``T03-F2027-00001`` on the first invoice of 2027, as Moroccan bookkeeping numbers its
  invoices by year. After a restore of a backup, numbering resumes after the invoices of
  the journal set aside, and the labels carry the restore's mark when that journal could
  not be read (``T03-R2-F2026-00004``), as the tickets do. :func:`pos.journal.verify`
  checks the numbers, that each invoice names a sale of this till with its ticket and
  total, and that no sale has two.
- **Credit notes** ("factures d'avoir", إشعارات دائنة). When an invoiced sale is refunded,
  in part or in whole, or voided, the refund's transaction appends a credit note (kind
  ``credit_note``) for the customer of the invoice: the refund it stands for, the invoice
  it corrects, the refunded lines (rebuilt from the refund, as an invoice's are from its
  sale). Like an invoice it moves no money and changes no figure. Credit notes have their
  own gapless yearly series per till, ``T03-A2026-00001`` ("A" for avoir), so that the
  invoices' series stays one of invoices (an accountant reads a gap in either as a
  missing document), with the restore's mark as the invoices have it. The invoice,
  asked again, lists its credit notes. A refund of an invoiced sale recorded before credit
  notes were made has none: it gets one when it is asked for (:func:`owed_credit`), a new
  record numbered and dated then, whose document names the refund's date; never two.
- **The year's list** (:func:`of_year`): the invoices and credit notes numbered in a year,
  the newest first, each read through its own index of the journal (``ix_journal_invoice``,
  ``ix_journal_credit_note``).

::

    with store.write() as s:
        invoice, new = invoices.issue(s, sale_id, invoices.check_customer("Hôtel Zalagh",
                                                                          ice, address))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from pos import journal, settings
from pos.checkout import local_offset_minutes
from pos.errors import InputError, RuleError
from pos.models import utcnow

KIND: Final = "invoice"
CREDIT_KIND: Final = "credit_note"
NAME_SIZE: Final = 120
ADDRESS_SIZE: Final = 200

_BY_SALE: Final = ("SELECT seq, record FROM journal WHERE kind = 'invoice' AND ref = ? "
                   "ORDER BY seq LIMIT 1")
_CREDIT_BY_REFUND: Final = (
    "SELECT seq, record FROM journal WHERE kind = 'credit_note' AND ref = ? "
    "ORDER BY seq LIMIT 1")
# The scans of the invoices or credit notes say no order: SQLite then reads them through
# their own index (``ix_journal_invoice``, ``ix_journal_credit_note``), where ordering by
# ``seq`` would make it read the whole journal; they are sorted once read.
_CREDITS_OF_INVOICE: Final = (
    "SELECT seq, record FROM journal WHERE kind = 'credit_note' "
    "AND json_extract(record, '$.data.invoice_seq') = ?")
_OF_YEAR: Final = ("SELECT seq, record FROM journal WHERE kind = '{kind}' "  # a literal kind
                   "AND json_extract(record, '$.data.year') = ?")
_LAST_CREDIT_OF_YEAR: Final = (
    "SELECT MAX(json_extract(record, '$.data.number')) FROM journal "
    "WHERE kind = 'credit_note' AND json_extract(record, '$.data.year') = ?")
_LAST_OF_YEAR: Final = (
    "SELECT MAX(json_extract(record, '$.data.number')) FROM journal WHERE kind = 'invoice' "
    "AND json_extract(record, '$.data.year') = ?")


@dataclass(frozen=True)
class Customer:
    """Who the invoice is made out to."""

    name: str
    ice: str = ""
    address: str = ""

    def data(self) -> dict[str, str]:
        return {"name": self.name, "ice": self.ice, "address": self.address}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_customer(name: str, ice: str = "", address: str = "") -> Customer:
    """The customer as typed, checked: a name (required), an ICE of 15 digits when one is
    given (Arabic-Indic digits written 0-9, spaces left out) and an address, each on one
    line. InputError for anything else."""
    name = _one_line(name)
    if not name:
        raise InputError("invoice.name_needed")
    if len(name) > NAME_SIZE:
        raise InputError("invoice.name_too_long", size=NAME_SIZE)
    checked_ice = settings.check_ice(ice)
    address = _one_line(address)
    if len(address) > ADDRESS_SIZE:
        raise InputError("invoice.address_too_long", size=ADDRESS_SIZE)
    return Customer(name, checked_ice, address)


def label(prefix: str, year: int, number: int, mark: int = 0, series: str = "F") -> str:
    """The invoice number as printed: ``T03-F2026-00001``; ``T03-R2-F2026-00001`` with the
    mark a restore put on the tickets (:func:`pos.journal.mark_at`). A credit note's is
    of series ``A``: ``T03-A2026-00001``."""
    head = f"{prefix}-R{mark}" if mark else prefix
    return f"{head}-{series}{year}-{number:05d}"


def _record(seq: int, text: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """An invoice's or a credit note's journal record: what it refers to (``ref``), its
    data, and the fields both documents have, by name."""
    record = json.loads(text)
    data: dict[str, Any] = record["data"]
    customer = data.get("customer") or {}
    return str(record["ref"]), data, {
        "seq": seq, "number": int(data["number"]), "year": int(data["year"]),
        "label": str(data["label"]), "ticket": int(data["ticket"]),
        "total": int(data["total"]), "created_at": dt.datetime.fromisoformat(record["at"]),
        "utc_offset_minutes": int(data["offset"]),
        "customer": Customer(str(customer.get("name") or ""), str(customer.get("ice") or ""),
                             str(customer.get("address") or "")),
    }


@dataclass(frozen=True)
class _Document:
    """What an invoice and a credit note both hold (the ticket and total are the sale's,
    or the refund's)."""

    seq: int  # its journal record
    number: int
    year: int
    label: str
    ticket: int  # the number of the ticket it is for
    total: int  # that ticket's total, centimes (below zero for a refund)
    created_at: dt.datetime  # naive UTC
    utc_offset_minutes: int
    customer: Customer

    @property
    def local_time(self) -> dt.datetime:
        return self.created_at + dt.timedelta(minutes=self.utc_offset_minutes)


@dataclass(frozen=True)
class Invoice(_Document):
    """An invoice as its journal record holds it."""

    sale_id: str

    @classmethod
    def from_record(cls, seq: int, text: str) -> Invoice:
        ref, _data, common = _record(seq, text)
        return cls(sale_id=ref, **common)


@dataclass(frozen=True)
class CreditNote(_Document):
    """A credit note as its journal record holds it."""

    refund_id: str  # the refund or void it stands for
    invoice_seq: int  # the journal record of the invoice it corrects
    invoice_label: str

    @classmethod
    def from_record(cls, seq: int, text: str) -> CreditNote:
        ref, data, common = _record(seq, text)
        return cls(refund_id=ref, invoice_seq=int(data["invoice_seq"]),
                   invoice_label=str(data["invoice"]), **common)


def invoice_of(db: journal.Writer, sale_id: str) -> Invoice | None:
    """The invoice of sale ``sale_id``, if it has one."""
    row = journal.driver_connection(db).execute(_BY_SALE, (sale_id,)).fetchone()
    return Invoice.from_record(row[0], row[1]) if row else None


def invoices_of(db: journal.Writer, sale_ids: Iterable[str]) -> dict[str, Invoice]:
    """The invoices of those of ``sale_ids`` that have one, by sale id."""
    conn = journal.driver_connection(db)
    found: dict[str, Invoice] = {}
    for sale_id in dict.fromkeys(sale_ids):
        row = conn.execute(_BY_SALE, (sale_id,)).fetchone()
        if row:
            found[sale_id] = Invoice.from_record(row[0], row[1])
    return found


def credit_note_of(db: journal.Writer, refund_id: str) -> CreditNote | None:
    """The credit note of refund or void ``refund_id``, if it has one."""
    row = journal.driver_connection(db).execute(_CREDIT_BY_REFUND, (refund_id,)).fetchone()
    return CreditNote.from_record(row[0], row[1]) if row else None


def credit_notes_of(db: journal.Writer, invoice: Invoice) -> list[CreditNote]:
    """The credit notes that correct ``invoice``, oldest first."""
    rows = journal.driver_connection(db).execute(_CREDITS_OF_INVOICE, (invoice.seq,))
    return [CreditNote.from_record(seq, text) for seq, text in sorted(rows)]


def of_year(db: journal.Writer, year: int) -> list[Invoice | CreditNote]:
    """The invoices and credit notes numbered in ``year``, the newest first."""
    conn = journal.driver_connection(db)
    found: list[Invoice | CreditNote] = []
    for kind, document in ((KIND, Invoice), (CREDIT_KIND, CreditNote)):
        found += [document.from_record(seq, text)
                  for seq, text in conn.execute(_OF_YEAR.format(kind=kind), (year,))]
    return sorted(found, key=lambda d: d.seq, reverse=True)


def as_json(document: Invoice | CreditNote, ticket: str) -> dict[str, Any]:
    """``document`` for a machine (``souk-pos invoice --list --json``): its kind, number,
    local date (ISO), customer, total in centimes, the ``ticket`` it is for (as printed)
    and, for a credit note, the invoice it corrects."""
    out: dict[str, Any] = {
        "kind": KIND if isinstance(document, Invoice) else CREDIT_KIND,
        "number": document.label, "date": document.local_time.date().isoformat(),
        "customer": document.customer.data(), "total": document.total, "ticket": ticket}
    if isinstance(document, CreditNote):
        out["invoice"] = document.invoice_label
    return out


class _Numbered(NamedTuple):
    """When a new invoice or credit note is made, and the number it takes."""

    at: dt.datetime  # naive UTC
    offset_minutes: int
    year: int  # of the local date: numbering starts again each year
    number: int
    label: str


def _numbered(conn: Any, series: str, at: dt.datetime | None,
              offset_minutes: int | None) -> _Numbered:
    """The next number of ``series`` (``F`` invoices, ``A`` credit notes) in the year of
    ``at`` (now), local time: after the year's last one in the journal, or after where a
    restore resumed the year's numbering (:func:`pos.journal.numbers_of`); its label
    carries the restore's mark when there is one."""
    at = at or utcnow()
    if offset_minutes is None:
        offset_minutes = local_offset_minutes(at)
    year = (at + dt.timedelta(minutes=offset_minutes)).year
    numbers = journal.numbers_of(conn)
    last, resumed = ((_LAST_OF_YEAR, numbers.invoices) if series == "F"
                     else (_LAST_CREDIT_OF_YEAR, numbers.credit_notes))
    row = conn.execute(last, (year,)).fetchone()
    number = max(int(row[0] or 0), resumed.get(year, 0)) + 1
    prefix = str(settings.stored(conn, settings.DEVICE_PREFIX, settings.DEFAULT_PREFIX))
    return _Numbered(at, offset_minutes, year, number,
                     label(prefix, year, number, numbers.mark, series))


def credit(writer: journal.Writer, refund_id: str, *, at: dt.datetime | None = None,
           offset_minutes: int | None = None) -> CreditNote | None:
    """The credit note of refund or void ``refund_id``, journaled in the writer's
    transaction (the one that records the refund), when the sale it reverses has an
    invoice; None when it has none. Called by :mod:`pos.refunds`."""
    conn = journal.driver_connection(writer)
    row = conn.execute("SELECT kind, number, total, reverses, created_at FROM sale "
                       "WHERE id = ?", (refund_id,)).fetchone()
    if row is None or row[0] not in ("refund", "void") or row[3] is None:
        return None
    invoice = invoice_of(conn, str(row[3]))
    if invoice is None:
        return None
    n = _numbered(conn, "A", at, offset_minutes)
    data = {"number": n.number, "year": n.year, "label": n.label, "ticket": int(row[1]),
            "total": int(row[2]), "offset": n.offset_minutes, "invoice": invoice.label,
            "invoice_seq": invoice.seq, "customer": invoice.customer.data()}
    link = journal.append(conn, kind=CREDIT_KIND, ref=refund_id, day_id=None, amount=0,
                          data=data, at=n.at)
    return CreditNote(seq=link.seq, refund_id=refund_id, number=n.number, year=n.year,
                      label=n.label, ticket=int(row[1]), total=int(row[2]),
                      invoice_seq=invoice.seq, invoice_label=invoice.label, created_at=n.at,
                      utc_offset_minutes=n.offset_minutes, customer=invoice.customer)


def owed_credit(writer: journal.Writer, refund_id: str) -> tuple[CreditNote | None, bool]:
    """The credit note of refund or void ``refund_id``: the one it has (False); or, when it
    has none though the sale it reverses has an invoice (it was recorded before credit
    notes were made), made now (True): a new record, numbered and dated now, whose
    document names the refund's own date. (None, False) when the sale has no invoice."""
    existing = credit_note_of(writer, refund_id)
    if existing is not None:
        return existing, False
    made = credit(writer, refund_id)
    return made, made is not None


def _sale(conn: Any, sale_id: str) -> tuple[str, int, int]:
    """(kind, ticket number, total) of the sale; RuleError when there is none."""
    row = conn.execute("SELECT kind, number, total FROM sale WHERE id = ?",
                       (sale_id,)).fetchone()
    if row is None:
        raise RuleError("invoice.no_sale")
    return str(row[0]), int(row[1]), int(row[2])


def refusal(db: journal.Writer, sale_id: str) -> RuleError | None:
    """Why sale ``sale_id`` cannot get a new invoice (None: it can): it is a refund or a
    void, a refund or a void reversed some of it, or the cooperative's name or ICE, which
    every invoice must carry, is not set."""
    conn = journal.driver_connection(db)
    kind, _number, _total = _sale(conn, sale_id)
    if kind != "sale":
        return RuleError("invoice.not_a_sale")
    seller = settings.stored(conn, settings.COOPERATIVE, {}) or {}
    if not (str(seller.get("name_fr") or seller.get("name_ar") or "").strip()
            and str(seller.get("ice") or "").strip()):
        return RuleError("invoice.no_seller")  # an invoice names its seller and the ICE
    reversed_by = conn.execute("SELECT kind FROM sale WHERE reverses = ? ORDER BY number",
                               (sale_id,)).fetchall()
    if reversed_by:
        kinds = {k for (k,) in reversed_by}
        return RuleError("invoice.voided" if "void" in kinds else "invoice.refunded")
    return None


def issue(writer: journal.Writer, sale_id: str, customer: Customer, *,
          at: dt.datetime | None = None, offset_minutes: int | None = None
          ) -> tuple[Invoice, bool]:
    """The invoice of sale ``sale_id``: made now for ``customer`` and journaled in the
    writer's transaction (True), or the one the sale already has (False: it is printed
    again as a duplicate, whatever ``customer`` says). RuleError when the sale cannot be
    invoiced (:func:`refusal`)."""
    conn = journal.driver_connection(writer)
    existing = invoice_of(conn, sale_id)
    if existing is not None:
        return existing, False
    problem = refusal(conn, sale_id)
    if problem is not None:
        raise problem
    _kind, ticket, total = _sale(conn, sale_id)
    n = _numbered(conn, "F", at, offset_minutes)
    data = {"number": n.number, "year": n.year, "label": n.label, "ticket": ticket,
            "total": total, "offset": n.offset_minutes, "customer": customer.data()}
    link = journal.append(conn, kind=KIND, ref=sale_id, day_id=None, amount=0, data=data,
                          at=n.at)
    return Invoice(seq=link.seq, sale_id=sale_id, number=n.number, year=n.year,
                   label=n.label, ticket=ticket, total=total, created_at=n.at,
                   utc_offset_minutes=n.offset_minutes, customer=customer), True


