"""The tamper-evident journal: a SHA-256 hash chain over every recorded event.

Each sale, refund, void, cash movement, day opening and day close is appended as a
canonical JSON record with a gapless sequence number and the perpetual grand total::

    hash(n) = SHA-256(hash(n-1) || canonical bytes of record n)

A PIN changed (``pos.users.set_pin``, in the app or with ``souk-pos users reset-pin``) is a
record too, that moves no money and names the user and where it was done, never the PIN.
A restore of a backup (``pos.backup.restore``) is a record too, appended to the restored
journal: the records the backup lacks are gone from this till, and the chain says where
(and, when the database set aside could be read, how far its journal went).

:func:`verify` walks the chain and reports the first record that was edited, deleted,
inserted or moved. It then compares the tables that the reports, receipts and sync
summaries read with what the journal recorded, and reports the first row that differs
by record number, table and column:

- a sale, refund or void: every column of its ``sale`` row, of its lines (in the order of
  their ``position``) and of its payments is rebuilt into the record's canonical text and
  compared with the stored record; ``local_hour`` must be the hour of ``created_at`` moved
  by ``utc_offset_minutes``; a journal record whose sale row is gone is reported too;
- a cash movement: its id, kind, day, time, amount and reason;
- a business day: its opening record (date, time, float and, in records that hold it,
  the UTC offset) and its closing record (time, Z number, counted cash, count by
  denomination, expected cash); an open day has no closing figures;
- every day opening, day close and cash movement record has its row;
- an invoice (:mod:`pos.invoices`) moves no money, names a sale (not a refund nor a void)
  with its ticket number and total, that no refund or void reversed before it, and that no
  invoice before it named; its number is the one after the last invoice of its year (1 for
  the year's first, or after where a restore record says the year's numbering resumed),
  and its label says that year and number;
- a credit note (:mod:`pos.invoices`) moves no money, names a refund or void made before
  it (in the record just before it; later for a refund recorded before credit notes were
  made, whose credit note is made when asked) with its ticket number and total, whose sale
  has the invoice the credit note names (and its customer), made before it; no refund has
  two; its number follows the last credit note of its year as an invoice's does, in its
  own series (``A2026``).

Records written before day openings held ``"offset"`` keep verifying: for them the offset
is only checked against the day's date. A refund or void line's ``reverses_line`` is not
journaled; it must name a line of the reversed sale for the same product. Neither is
``product_id`` of a line (it only moves stock), nor the user ids beside the names that
the records keep.

The newest records can be deleted, with their rows, leaving a valid shorter chain (the
chain has no secret, so it can even be recomputed). :func:`verify` detects it only where
the stall recorded its journal's progress elsewhere:

- a row pointing at a record beyond the journal's end (a day's ``close_seq``, a sale's
  or a cash movement's ``journal_seq``);
- a day version that the organisers' server acknowledged (``sync_day``) beyond the day's
  last record;
- a ticket that was printed or queued (``print_job``) and is no longer a sale, a Z
  report printed for a day that is no longer closed, an invoice printed that is no longer
  in the journal;
- a gap in the ticket numbers or the Z numbers, but for one a restore record explains
  (numbering resumed after the tickets and Z reports of the journal it set aside, see
  :func:`numbers_of`).

Deleting the very newest records of an open day that was neither synced nor printed
since leaves nothing to compare with, and is not detected on the stall (the organisers'
server keeps the journal head of each summary it received).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import settings
from pos.i18n import latin_digits
from pos.models import JournalEntry

GENESIS: Final = "0" * 64
FORMAT: Final = 1
KINDS: Final = ("sale", "refund", "void", "cash_in", "cash_out", "day_open", "day_close",
                 "restore", "invoice", "credit_note", "pin_change")
RESTORE: Final = "restore"  # the database was replaced by a backup (``pos.backup.restore``)
INVOICE: Final = "invoice"  # an invoice made out for a sale (``pos.invoices``)
CREDIT_NOTE: Final = "credit_note"  # the credit note of a refund of an invoiced sale
#: a user's PIN changed (``pos.users.set_pin``): who, and from where; never the PIN
PIN_CHANGE: Final = "pin_change"
#: records that move no money and belong to no day's figures
DOCUMENTS: Final = (INVOICE, CREDIT_NOTE)


def canonical(record: dict[str, Any]) -> str:
    """The exact text that is hashed: sorted keys, no spaces, UTF-8 (not escaped)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, text: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + text.encode()).hexdigest()


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    grand_total: int


#: Where records are written: a write session, or the plain connection of
#: :meth:`pos.db.Store.ledger`.
Writer = Session | sqlite3.Connection


def driver_connection(db: Writer) -> sqlite3.Connection:
    """The sqlite3 connection that ``db`` writes through, inside its transaction (a
    session's pending ORM changes flushed first). The journal and the sales tables are
    written through it: a checkout is a handful of plain statements, as fast as SQLite
    itself allows."""
    if isinstance(db, sqlite3.Connection):
        return db
    db.flush()
    conn = db.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return conn


def head_of(db: sqlite3.Connection) -> Head:
    row = db.execute("SELECT seq, hash, grand_total FROM journal ORDER BY seq DESC LIMIT 1")
    last = row.fetchone()
    return Head(*last) if last else Head(0, GENESIS, 0)


def head(session: Session) -> Head:
    return head_of(driver_connection(session))


def sql_time(moment: dt.datetime) -> str:
    """A naive UTC datetime as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _device_id(db: sqlite3.Connection) -> str:
    """This till's identity (:func:`pos.settings.device_id`), created with its first record."""
    value = settings.stored(db, settings.DEVICE_ID)
    if value is None:
        value = str(uuid.uuid4())
        settings.store(db, settings.DEVICE_ID, value)
    return str(value)


def append(
    writer: Writer,
    *,
    kind: str,
    ref: str,
    day_id: int | None,
    amount: int,
    data: dict[str, Any],
    at: dt.datetime,
) -> Head:
    """Add the next link inside the write transaction that records the event; returns it."""
    if kind not in KINDS:
        raise ValueError(f"unknown journal kind {kind!r}")
    db = driver_connection(writer)
    last = head_of(db)
    seq = last.seq + 1
    grand_total = last.grand_total + amount
    record = {
        "format": FORMAT,
        "seq": seq,
        "kind": kind,
        "ref": ref,
        "device": _device_id(db),
        "day": day_id,
        "at": iso(at),
        "amount": amount,
        "grand_total": grand_total,
        "data": data,
    }
    text = canonical(record)
    digest = chain_hash(last.hash, text)
    db.execute(
        "INSERT INTO journal (seq, kind, ref, day_id, created_at, amount, grand_total, record, "
        "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, kind, ref, day_id, sql_time(at), amount, grand_total, text, digest),
    )
    return Head(seq, digest, grand_total)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    head_hash: str
    bad_seq: int | None = None
    problem: str = ""  # message id: journal.edited, journal.missing, ...
    table: str = ""  # where a table disagrees with the journal
    column: str = ""
    ref: str = ""  # the ticket number, sale id or day id the message names

    def __bool__(self) -> bool:
        return self.ok

    @property
    def params(self) -> dict[str, object]:
        """The placeholders of the :attr:`problem` message."""
        return {"seq": self.bad_seq, "head": self.records, "table": self.table,
                "column": self.column, "ref": self.ref}


_COLUMNS: Final = ("seq", "kind", "ref", "day", "amount", "grand_total")
_SALE_KINDS: Final = frozenset(("sale", "refund", "void"))


def _columns_agree(row: tuple[Any, ...], device: str) -> bool:
    """Do the columns beside the record say what the hashed record says?

    The record is canonical JSON (sorted keys), so its first and last fields can be
    compared as bytes (UTF-8, as hashed); anything unusual is decided by parsing it.
    """
    seq, kind, ref, day_id, amount, grand_total, text, _ = row
    day = "null" if day_id is None else str(day_id)
    if text.startswith(f'{{"amount":{amount},"at":"'.encode()) and text.endswith(
        f',"day":{day},"device":{device},"format":{FORMAT},"grand_total":{grand_total},'
        f'"kind":"{kind}","ref":"{ref}","seq":{seq}}}'.encode()
    ):
        return True
    try:
        record = json.loads(text)
    except ValueError:
        return False
    return tuple(record.get(k) for k in _COLUMNS) == (seq, kind, ref, day_id, amount, grand_total)


def _check_row(
    expected_seq: int, prev: str, total: int, row: tuple[Any, ...], device: str
) -> tuple[str, str, int]:
    """(problem id or "", new head hash, new grand total) for one journal row."""
    seq, _kind, _ref, _day, amount, grand_total, text, stored_hash = row
    if seq != expected_seq:
        return ("journal.missing" if seq > expected_seq else "journal.moved"), prev, total
    digest = hashlib.sha256(bytes.fromhex(prev) + text).hexdigest()  # chain_hash of bytes
    if digest != stored_hash or not _columns_agree(row, device):
        return "journal.edited", prev, total
    if total + amount != grand_total:
        return "journal.total", prev, total
    return "", stored_hash, grand_total


@dataclass(frozen=True)
class _Problem:
    seq: int | None
    table: str
    column: str
    problem: str = "journal.tables"
    ref: str = ""


@dataclass
class _Chain:
    """What the walk along the chain keeps for the cross-checks of the tables."""

    head: int = 0
    device: Any = None  # this till's device id, as its first record says
    sales: int = 0  # records of sales, refunds and voids
    others: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # seq -> (kind, record)


def _same(stored: Any, value: Any) -> bool:
    """A table value equals what the journal recorded (1000 is not 1000.0 nor '1000')."""
    return bool(stored == value) and type(stored) is type(value)


def _first_difference(row: dict[str, Any], recorded: list[tuple[str, Any]]) -> str | None:
    """The first column of ``row`` that differs from its recorded value."""
    for column, value in recorded:
        if not _same(value, row.get(column)):
            return column
    return None


def _parse(text: str | bytes) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _at(record: dict[str, Any]) -> str | None:
    """The record's time as the tables store it (see :func:`sql_time`)."""
    at = record.get("at")
    return at.replace("T", " ", 1) if isinstance(at, str) else None


def _local(moment: Any, offset: Any) -> dt.datetime | None:
    """A stored UTC time moved by ``offset`` minutes; None when either is malformed."""
    try:
        return dt.datetime.fromisoformat(moment) + dt.timedelta(minutes=offset)
    except (TypeError, ValueError, OverflowError):
        return None


def _rows(conn: sqlite3.Connection, query: str, *args: Any) -> list[dict[str, Any]]:
    cur = conn.execute(query, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# The canonical text of a sale's record, rebuilt by SQLite from the sale, its lines and its
# payments as :meth:`pos.records.SaleRecord.journal_data` and :func:`append` wrote it (lines
# and payments come in the order of their key, sale and position). A sale whose rebuilt
# text is not its stored record is a candidate, which :func:`_sale_difference` examines
# column by column: SQLite only narrows the search, Python decides.
_SALE_CANDIDATES: Final = """
SELECT s.journal_seq, s.id FROM sale s LEFT JOIN journal j ON j.seq = s.journal_seq
WHERE j.record IS NOT json_object(
  'amount', s.total,
  'at', CASE WHEN instr(s.created_at, 'T') = 0 THEN replace(s.created_at, ' ', 'T') END,
  'data', json_object(
    'authorised_by', s.authorised_by, 'cart_discount', s.cart_discount,
    'cashier', s.cashier_name, 'cashier_id', s.cashier_id, 'discount', s.discount,
    'id', s.id, 'kind', s.kind,
    'lines', (SELECT json(json_group_array(json_array(sku, name_ar, name_fr, unit, list_price,
        unit_price, quantity, discount, cart_discount, total, tax_rate, member, category)))
        FROM sale_line WHERE sale_id = s.id),
    'number', s.number, 'offset', s.utc_offset_minutes,
    'payments', (SELECT json(json_group_array(json_array(method, amount, tendered, change,
        reference))) FROM payment WHERE sale_id = s.id),
    'reason', s.reason, 'reverses', s.reverses, 'subtotal', s.subtotal, 'total', s.total),
  'day', s.day_id, 'device', :device, 'format', :format, 'grand_total', j.grand_total,
  'kind', s.kind, 'ref', s.id, 'seq', s.journal_seq)
OR s.local_hour IS NOT
   CAST(strftime('%H', s.created_at, s.utc_offset_minutes || ' minutes') AS INTEGER)
"""

_SALE_FIELDS: Final = (  # data key -> sale column
    ("id", "id"), ("kind", "kind"), ("number", "number"), ("offset", "utc_offset_minutes"),
    ("cashier", "cashier_name"), ("cashier_id", "cashier_id"),
    ("authorised_by", "authorised_by"), ("subtotal", "subtotal"), ("discount", "discount"),
    ("cart_discount", "cart_discount"), ("total", "total"), ("reverses", "reverses"),
    ("reason", "reason"),
)
#: The columns of a sale line and of a payment, in the order of their journal rows.
LINE_COLUMNS: Final = ("sku", "name_ar", "name_fr", "unit", "list_price", "unit_price",
                       "quantity", "discount", "cart_discount", "total", "tax_rate", "member",
                       "category")
PAYMENT_COLUMNS: Final = ("method", "amount", "tendered", "change", "reference")


def _parts_difference(
    rows: list[dict[str, Any]], recorded: Any, columns: tuple[str, ...]
) -> str | None:
    """The first column where a sale's lines (or payments) differ from their journal rows."""
    recorded = recorded if isinstance(recorded, list) else []
    if len(rows) != len(recorded):
        return "sale_id"  # one was added to the sale or taken from it
    for row, values in zip(rows, recorded, strict=True):
        if not isinstance(values, list) or len(values) != len(columns):
            return columns[0]
        found = _first_difference(row, list(zip(columns, values, strict=True)))
        if found:
            return found
    return None


def _sale_difference(
    conn: sqlite3.Connection, seq: int, sale_id: str, head: int
) -> _Problem | None:
    """Where sale ``sale_id`` and its lines and payments differ from journal record ``seq``
    (None when they do not)."""
    sale = _rows(conn, "SELECT * FROM sale WHERE id = ?", sale_id)[0]
    stored = conn.execute("SELECT kind, record FROM journal WHERE seq = ?", (seq,)).fetchone()
    if stored is None or stored[0] not in _SALE_KINDS:
        problem = "journal.behind" if seq > head else "journal.tables"
        return _Problem(seq, "sale", "journal_seq", problem)
    record = _parse(stored[1])
    data = record.get("data")
    data = data if isinstance(data, dict) else {}
    recorded = [("id", record.get("ref")), ("kind", record.get("kind")),
                ("day_id", record.get("day")), ("created_at", _at(record)),
                ("total", record.get("amount"))]
    recorded += [(column, data.get(key)) for key, column in _SALE_FIELDS]
    column = _first_difference(sale, recorded)
    if column:
        return _Problem(seq, "sale", column)
    local = _local(sale["created_at"], sale["utc_offset_minutes"])
    if local is None or local.hour != sale["local_hour"]:
        return _Problem(seq, "sale", "local_hour")
    lines = _rows(conn, "SELECT * FROM sale_line WHERE sale_id = ? ORDER BY position", sale_id)
    column = _parts_difference(lines, data.get("lines"), LINE_COLUMNS)
    if column:
        return _Problem(seq, "sale_line", column)
    payments = _rows(conn, "SELECT * FROM payment WHERE sale_id = ? ORDER BY position", sale_id)
    column = _parts_difference(payments, data.get("payments"), PAYMENT_COLUMNS)
    return _Problem(seq, "payment", column) if column else None


Candidates = Callable[[], list[tuple[int, str]]]
MMAP_BYTES: Final = 1 << 30  # the sales' search reads the file through a memory map


def _candidates_beside(conn: sqlite3.Connection) -> Candidates:
    """The (journal number, sale id) of :data:`_SALE_CANDIDATES`, by journal number, looked
    for while the chain is walked: SQLite rebuilds the records on a read-only connection of
    its own, in a thread (it works without Python's lock, the walk mostly with it). A
    database in memory, or a file that cannot be opened again, is searched on ``conn``
    after the walk.

    The two connections read the database as it is when each starts; a row changed in
    between is decided on ``conn``, which :func:`_sale_difference` reads.
    """
    first = conn.execute("SELECT CAST(record AS BLOB) FROM journal WHERE seq = 1").fetchone()
    params = {"device": _parse(first[0]).get("device") if first else None, "format": FORMAT}

    def here() -> list[tuple[int, str]]:
        return sorted(conn.execute(_SALE_CANDIDATES, params).fetchall())

    path = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"),
                "")
    if not path:
        return here
    found: list[list[tuple[int, str]]] = []

    def search() -> None:
        try:
            other = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)
        except sqlite3.Error:
            return
        try:
            other.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # fewer reads for the look-ups
            found.append(sorted(other.execute(_SALE_CANDIDATES, params).fetchall()))
        except sqlite3.Error:
            pass
        finally:
            other.close()

    thread = threading.Thread(target=search, name="journal-verify", daemon=True)
    thread.start()

    def wait() -> list[tuple[int, str]]:
        thread.join()
        return found[0] if found else here()

    return wait


def _sales_problem(conn: sqlite3.Connection, chain: _Chain, candidates: Candidates
                   ) -> _Problem | None:
    """The first sale, refund or void whose rows differ from its journal record."""
    found: list[_Problem] = []
    for seq, sale_id in candidates():
        problem = _sale_difference(conn, seq, sale_id, chain.head)
        if problem is not None:
            found.append(problem)
            break
    if conn.execute("SELECT COUNT(*) FROM sale").fetchone()[0] != chain.sales:
        lost = conn.execute(  # a record whose sale row was deleted
            "SELECT MIN(j.seq) FROM journal j WHERE j.kind IN ('sale', 'refund', 'void') "
            "AND NOT EXISTS (SELECT 1 FROM sale s WHERE s.id = j.ref)"
        ).fetchone()[0]
        if lost is not None:
            found.append(_Problem(lost, "sale", "id"))
    # a refund or void line gives back a line of the sale it reverses, of the same product
    # (CROSS JOIN: from the few sales that reverse one, by their index, not from every line)
    wrong = conn.execute(
        "SELECT MIN(s.journal_seq) FROM sale s CROSS JOIN sale_line l ON l.sale_id = s.id "
        "LEFT JOIN sale_line o ON o.id = l.reverses_line WHERE s.reverses IS NOT NULL "
        "AND (o.sale_id IS NOT s.reverses OR o.sku IS NOT l.sku)"
    ).fetchone()[0]
    if wrong is not None:
        found.append(_Problem(wrong, "sale_line", "reverses_line"))
    return min(found, key=lambda p: p.seq or 0) if found else None


def _record_of(chain: _Chain, seq: Any, kinds: tuple[str, ...]) -> dict[str, Any] | None:
    kind, text = chain.others.get(seq, ("", b""))
    return _parse(text) if kind in kinds else None


def _unlinked(seq: Any, chain: _Chain, table: str, column: str) -> _Problem:
    """A row pointing at a record that is not of its kind, or beyond the journal's end."""
    if isinstance(seq, int) and seq > chain.head:
        return _Problem(seq, table, column, "journal.behind")
    return _Problem(seq if isinstance(seq, int) else None, table, column)


def _cash_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    found: list[_Problem] = []
    claimed: set[int] = set()
    for move in _rows(conn, "SELECT * FROM cash_movement"):
        seq = move["journal_seq"]
        record = _record_of(chain, seq, ("cash_in", "cash_out"))
        if record is None:
            found.append(_unlinked(seq, chain, "cash_movement", "journal_seq"))
            continue
        claimed.add(seq)
        data = record.get("data") or {}
        kind = record.get("kind", "").removeprefix("cash_")
        column = _first_difference(move, [
            ("id", record.get("ref")), ("kind", kind), ("day_id", record.get("day")),
            ("created_at", _at(record)), ("amount", data.get("amount")),
            ("reason", data.get("reason")),
        ])
        if column:
            found.append(_Problem(seq, "cash_movement", column))
    found += [_Problem(seq, "cash_movement", "id") for seq, (kind, _) in chain.others.items()
              if kind in ("cash_in", "cash_out") and seq not in claimed]
    return min(found, key=lambda p: p.seq or 0) if found else None


def _opening_difference(day: dict[str, Any], record: dict[str, Any]) -> str | None:
    data = record.get("data") or {}
    column = _first_difference(day, [
        ("id", record.get("day")), ("opened_at", _at(record)), ("date", data.get("date")),
        ("opening_float", data.get("float")),
    ])
    if column or str(day["id"]) != record.get("ref"):
        return column or "id"
    if "offset" in data:
        return None if _same(data["offset"], day["utc_offset_minutes"]) else "utc_offset_minutes"
    local = _local(day["opened_at"], day["utc_offset_minutes"])  # records without the offset
    return None if local and local.date().isoformat() == day["date"] else "utc_offset_minutes"


def _closing_difference(day: dict[str, Any], record: dict[str, Any]) -> str | None:
    data = record.get("data") or {}
    try:
        detail = json.loads(day["count_detail"])
    except (TypeError, ValueError):
        detail = None
    if str(day["id"]) != record.get("ref") or record.get("day") != day["id"]:
        return "id"
    if detail != data.get("count"):
        return "count_detail"
    return _first_difference(day, [
        ("closed_at", _at(record)), ("z_number", data.get("z")),
        ("counted", data.get("counted")), ("expected", data.get("expected")),
    ])


_CLOSE_COLUMNS: Final = ("closed_at", "closed_by", "counted", "count_detail", "expected",
                         "z_number", "close_seq")


def _day_problems(day: dict[str, Any], chain: _Chain, claimed: set[int]) -> list[_Problem]:
    found: list[_Problem] = []
    opening = _record_of(chain, day["open_seq"], ("day_open",))
    if opening is None:
        found.append(_unlinked(day["open_seq"], chain, "business_day", "open_seq"))
    else:
        claimed.add(day["open_seq"])
        column = _opening_difference(day, opening)
        if column:
            found.append(_Problem(day["open_seq"], "business_day", column))
    if day["closed_at"] is None:  # an open day has no closing figures
        column = next((c for c in _CLOSE_COLUMNS if day[c] is not None), None)
        if column:
            found.append(_Problem(day["open_seq"], "business_day", column))
        return found
    closing = _record_of(chain, day["close_seq"], ("day_close",))
    if closing is None:
        found.append(_unlinked(day["close_seq"], chain, "business_day", "close_seq"))
        return found
    claimed.add(day["close_seq"])
    column = _closing_difference(day, closing)
    if column:
        found.append(_Problem(day["close_seq"], "business_day", column))
    return found


def _days_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    found: list[_Problem] = []
    claimed: set[int] = set()
    for day in _rows(conn, "SELECT * FROM business_day ORDER BY id"):
        found += _day_problems(day, chain, claimed)
    found += [_Problem(seq, "business_day", "open_seq" if kind == "day_open" else "close_seq")
              for seq, (kind, _) in chain.others.items()
              if kind in ("day_open", "day_close") and seq not in claimed]
    return min(found, key=lambda p: p.seq or 0) if found else None


def _numbers_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    """Ticket numbers run 1, 2, 3... without a gap, except where a restore record says
    numbering resumed after a higher number (the tickets of the journal it set aside)."""
    resumed = _resumptions(chain, "ticket")
    if not resumed:
        return _plain_numbers_problem(conn)
    rows = conn.execute("SELECT number, journal_seq FROM sale ORDER BY number")
    return _gap_problem(rows, resumed, "sale", "number", "journal.numbers")


def _z_numbers_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    """Z numbers run 1, 2, 3... in the order the days were closed, without a gap, except
    where a restore record says they resumed after a higher number (the Z reports of the
    journal it set aside)."""
    rows = conn.execute("SELECT z_number, close_seq FROM business_day "
                        "WHERE z_number IS NOT NULL AND close_seq IS NOT NULL ORDER BY z_number")
    return _gap_problem(rows, _resumptions(chain, "z"), "business_day", "z_number",
                        "journal.z_numbers")


def _gap_problem(rows: Iterable[tuple[int, int]], resumed: list[tuple[int, int]], table: str,
                 column: str, problem: str) -> _Problem | None:
    """The first number of ``rows`` ((number, journal number), by number) that is not the
    one after the last, or after where the restore before it resumed numbering."""
    expected, after = 1, 0
    for number, seq in rows:
        while after < len(resumed) and resumed[after][0] < seq:
            expected = resumed[after][1] + 1  # the restore before this number
            after += 1
        if number != expected:
            return _Problem(seq, table, column, problem, ref=str(expected))
        expected += 1
    return None


def _resumptions(chain: _Chain, key: str) -> list[tuple[int, int]]:
    """(journal number, last ticket or Z number before it: ``key``) of each restore record
    that says where numbering resumed, oldest first."""
    found = []
    for seq, (kind, text) in sorted(chain.others.items()):
        if kind == RESTORE:
            data = _parse(text).get("data")
            numbers = data.get("numbers") if isinstance(data, dict) else None
            if isinstance(numbers, dict):
                found.append((seq, _int(numbers.get(key))))
    return found


def _plain_numbers_problem(conn: sqlite3.Connection) -> _Problem | None:
    """Ticket numbers run 1, 2, 3... without a gap (a journal that resumed no numbering)."""
    query = "SELECT COUNT(*), MIN(number), MAX(number) FROM sale"
    count, first, last = conn.execute(query).fetchone()
    if count == (last or 0) and first in (1, None):
        return None
    missing = 1 if first != 1 else conn.execute(
        "SELECT MIN(s.number) + 1 FROM sale s WHERE NOT EXISTS "
        "(SELECT 1 FROM sale t WHERE t.number = s.number + 1) AND s.number < ?", (last,)
    ).fetchone()[0]
    after = conn.execute("SELECT MIN(journal_seq) FROM sale WHERE number > ?",
                         (missing,)).fetchone()[0]
    return _Problem(after, "sale", "number", "journal.numbers", ref=str(missing))


def _synced_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    """The organisers' server acknowledged a version (a journal number) of each day it
    holds: a day's version above its last record means records were taken out."""
    for day_id, acked, rejected, close_seq in conn.execute(
        "SELECT s.day_id, s.acked_version, s.rejected_version, d.close_seq FROM sync_day s "
        "LEFT JOIN business_day d ON d.id = s.day_id ORDER BY s.day_id"
    ):
        last = chain.head if close_seq is None else min(close_seq, chain.head)
        for column, version in (("acked_version", acked), ("rejected_version", rejected)):
            if isinstance(version, int) and version > last:
                return _Problem(version, "sync_day", column, "journal.behind", ref=str(day_id))
    return None


def _documents_printed(kind: str) -> str:
    """The first print job of a ``kind`` of document kept as a journal record (an invoice,
    a credit note) that has no such record."""
    return (f"SELECT ref FROM print_job WHERE kind = '{kind}' AND NOT EXISTS (SELECT 1 FROM "
            f"journal j WHERE j.kind = '{kind}' AND j.ref = print_job.ref) ORDER BY id LIMIT 1")


#: what was printed (or queued) and is gone from the tables: each query's first, and the
#: problem it is
_PRINTED_GONE: Final = (
    ("SELECT ref FROM print_job WHERE kind IN ('sale', 'refund', 'void') AND NOT EXISTS "
     "(SELECT 1 FROM sale s WHERE s.id = print_job.ref) ORDER BY id LIMIT 1", "journal.printed"),
    ("SELECT ref FROM print_job WHERE kind = 'z' AND NOT EXISTS (SELECT 1 FROM business_day "
     "d WHERE CAST(d.id AS TEXT) = print_job.ref AND d.close_seq IS NOT NULL) "
     "ORDER BY id LIMIT 1", "journal.printed_z"),
    (_documents_printed("invoice"), "journal.printed_invoice"),
    (_documents_printed("credit_note"), "journal.printed_credit_note"),
)


def _printed_problem(conn: sqlite3.Connection) -> _Problem | None:
    """Each printed (or queued) ticket is a sale in the tables, each Z a closed day, each
    invoice and credit note a journal record."""
    for query, problem in _PRINTED_GONE:
        gone = conn.execute(query).fetchone()
        if gone is not None:
            return _Problem(None, "print_job", "ref", problem, ref=gone[0])
    return None


_INVOICE_LABEL: Final = re.compile(r"[^\s-]+-(?:R\d{1,4}-)?F(\d{4})-(\d{5,})")
_CREDIT_LABEL: Final = re.compile(r"[^\s-]+-(?:R\d{1,4}-)?A(\d{4})-(\d{5,})")


@dataclass(frozen=True)
class _InvoiceRecord:
    """An invoice or credit note (facture d'avoir) record as ``verify`` reads it: record
    ``seq``, its data, the sale it is about (for a credit note, the refund or void), how a
    problem names it (its label, or else that sale's id) and the problem's key
    (``journal.invoice``, ``journal.credit_note``)."""

    seq: int
    record: dict[str, Any]
    data: dict[str, Any]
    ref: Any
    shown: str
    problem: str

    @classmethod
    def read(cls, seq: int, record: dict[str, Any], problem: str) -> _InvoiceRecord:
        data = record.get("data")
        data = data if isinstance(data, dict) else {}
        ref, label = record.get("ref"), data.get("label")
        return cls(seq, record, data, ref, label if isinstance(label, str) else str(ref),
                   problem)

    def wrong(self, table: str, column: str, suffix: str = "") -> _Problem:
        return _Problem(self.seq, table, column, self.problem + suffix, ref=self.shown)

    def sale_difference(self, sale: tuple[Any, ...] | None) -> _Problem | None:
        """What is wrong with what it says of its sale ``sale`` (number and total; None: no
        sale it may be about): it moves no money, and says the sale's ticket and total."""
        if self.record.get("amount") != 0:
            return self.wrong("journal", "amount")
        if sale is None:
            return self.wrong("sale", "id")
        for column, said, number in (("number", "ticket", sale[0]), ("total", "total", sale[1])):
            if not _same(self.data.get(said), number):
                return self.wrong("sale", column)
        return None

    def order_difference(self, done: set[str], pattern: re.Pattern[str],
                         last: dict[int, int]) -> _Problem | None:
        """It is the first of its sale (``done``: the sales with one before it) and its year
        and number (its label, matching ``pattern``, saying the same) follow the last of its
        year in ``last`` (both updated)."""
        if self.ref in done:
            return self.wrong("journal", "ref", "_twice")
        done.add(str(self.ref))
        label, year, number = (self.data.get("label"), self.data.get("year"),
                               self.data.get("number"))
        match = pattern.fullmatch(label) if isinstance(label, str) else None
        if (not isinstance(year, int) or not isinstance(number, int) or match is None
                or (int(match[1]), int(match[2])) != (year, number)):
            return self.wrong("journal", "record")
        expected = last.get(year, 0) + 1
        if number != expected:
            return _Problem(self.seq, "journal", "record", f"{self.problem}_numbers",
                            ref=f"{year}-{expected:05d}")
        last[year] = number
        return None


def _credit_difference(conn: sqlite3.Connection, seq: int, record: dict[str, Any],
                       credited: set[str], invoices: dict[Any, tuple[Any, Any, Any]],
                       last: dict[int, int]) -> _Problem | None:
    """What is wrong with credit note record ``seq`` (None: nothing): it is about a refund
    or void recorded before it, of the invoice it names (``invoices``, by record: label,
    sale, customer), given the refunds credited and the last number of each year before
    it (both updated)."""
    note = _InvoiceRecord.read(seq, record, "journal.credit_note")
    refund = conn.execute("SELECT number, total, reverses FROM sale WHERE id = ? AND kind IN "
                          "('refund', 'void') AND journal_seq < ?", (note.ref, seq)).fetchone()
    problem = note.sale_difference(refund)
    if problem is not None:
        return problem
    invoice = invoices.get(note.data.get("invoice_seq"))
    if invoice is None or invoice != (note.data.get("invoice"), refund[2],
                                      note.data.get("customer")):
        return note.wrong("journal", "record")
    return note.order_difference(credited, _CREDIT_LABEL, last)


def _invoice_difference(conn: sqlite3.Connection, seq: int, record: dict[str, Any],
                        invoiced: set[str], last: dict[int, int]) -> _Problem | None:
    """What is wrong with invoice record ``seq`` (None: nothing): it is about a sale that
    nothing reversed before it, given the sales invoiced and the last number of each year
    before it (both updated)."""
    invoice = _InvoiceRecord.read(seq, record, "journal.invoice")
    sale = conn.execute("SELECT number, total FROM sale WHERE id = ? AND kind = 'sale'",
                        (invoice.ref,)).fetchone()
    problem = invoice.sale_difference(sale)
    if problem is not None:
        return problem
    reversed_before = conn.execute("SELECT 1 FROM sale WHERE reverses = ? AND journal_seq < ?",
                                   (invoice.ref, seq)).fetchone()
    if reversed_before is not None:
        return invoice.wrong("sale", "reverses")
    return invoice.order_difference(invoiced, _INVOICE_LABEL, last)


def _invoices_problem(conn: sqlite3.Connection, chain: _Chain) -> _Problem | None:
    """The first invoice or credit note record that is wrong (see
    :func:`_invoice_difference` and :func:`_credit_difference`)."""
    invoiced: set[str] = set()
    credited: set[str] = set()
    made: dict[Any, tuple[Any, Any, Any]] = {}  # the invoices so far: label, sale, customer
    last: dict[int, int] = {}
    last_credit: dict[int, int] = {}
    for seq, (kind, text) in sorted(chain.others.items()):
        if kind == INVOICE:
            record = _parse(text)
            problem = _invoice_difference(conn, seq, record, invoiced, last)
            if problem is not None:
                return problem
            data = record.get("data") or {}
            made[seq] = (data.get("label"), record.get("ref"), data.get("customer"))
        elif kind == CREDIT_NOTE:
            problem = _credit_difference(conn, seq, _parse(text), credited, made, last_credit)
            if problem is not None:
                return problem
        elif kind == RESTORE:  # numbering resumes after the invoices of the journal set aside
            data = _parse(text).get("data")
            numbers = data.get("numbers") if isinstance(data, dict) else None
            if isinstance(numbers, dict):
                last = merged(last, invoice_numbers(numbers.get("invoices")))
                last_credit = merged(last_credit, invoice_numbers(numbers.get("credit_notes")))
    return None


def _tables_problem(conn: sqlite3.Connection, chain: _Chain, candidates: Candidates
                    ) -> _Problem | None:
    """The first row that differs from the journal (the lowest record number), else the
    first sign that the journal lost its newest records."""
    found = [p for p in (_sales_problem(conn, chain, candidates), _cash_problem(conn, chain),
                         _days_problem(conn, chain), _invoices_problem(conn, chain))
             if p is not None]
    if found:
        return min(found, key=lambda p: p.seq or 0)
    return (_numbers_problem(conn, chain) or _z_numbers_problem(conn, chain)
            or _synced_problem(conn, chain) or _printed_problem(conn))


def verify(conn: sqlite3.Connection) -> Verdict:
    """Walk the whole chain (read-only), then compare the tables with it."""
    candidates = _candidates_beside(conn)
    cur = conn.execute(
        "SELECT seq, kind, ref, day_id, amount, grand_total, CAST(record AS BLOB), hash "
        "FROM journal ORDER BY seq"
    )
    prev, total, expected = GENESIS, 0, 1
    chain = _Chain()
    device = ""  # JSON of this till's device id, as its first record says
    while rows := cur.fetchmany(2000):
        if not device:
            chain.device = _parse(rows[0][6]).get("device")
            device = json.dumps(chain.device)
        for row in rows:
            problem, prev, total = _check_row(expected, prev, total, row, device)
            if problem:
                return Verdict(False, expected - 1, prev, bad_seq=row[0], problem=problem)
            if row[1] in _SALE_KINDS:
                chain.sales += 1
            else:
                chain.others[row[0]] = (row[1], row[6])
            expected += 1
    chain.head = expected - 1
    bad = _tables_problem(conn, chain, candidates)
    if bad is not None:
        return Verdict(False, chain.head, prev, bad_seq=bad.seq, problem=bad.problem,
                       table=bad.table, column=bad.column, ref=bad.ref)
    return Verdict(True, chain.head, prev)


#: the restores recorded, read by their own index (``ix_journal_restore``, which a literal
#: kind lets SQLite use); a restore's data holds the till's restore count after it
_RESTORES_SQL: Final = (
    "SELECT seq, json_extract(record, '$.data.restores') FROM journal "
    "WHERE kind = 'restore' ORDER BY seq")


def restores_of(db: sqlite3.Connection) -> list[tuple[int, int]]:
    """The restores of a backup this journal records: (journal number, the till's restore
    count after it), oldest first. The count goes on across restores (the database set
    aside by a restore counts too), so that a later restore always has a higher one."""
    return [(int(seq), int(n or 0)) for seq, n in db.execute(_RESTORES_SQL)]


def restores_at(restores: list[tuple[int, int]], seq: int) -> int:
    """The restore count in effect at journal number ``seq`` (0 before any restore), from
    :func:`restores_of`."""
    count = 0
    for at, n in restores:
        if at > seq:
            break
        count = n
    return count


# --- numbering across restores ------------------------------------------------------------
#
# A restore puts the backup's journal back, and with it the backup's last ticket and Z
# numbers: the sales and days closed after the backup are gone from the till, but their
# receipts and Z reports are in people's hands. So that no number is given twice, the
# restore record says where numbering resumes (``data.numbers``):
#
# - ``ticket`` and ``z``: the last numbers given so far, as far as the till knows (the
#   higher of the backup's and the set-aside journal's, when that one could be read);
#   the next sale is ``ticket + 1``, the gap between is explained by the record;
# - ``mark``: the mark that the ticket labels carry from then on (``T03-R2-000124``; 0: no
#   mark). When the set-aside journal cannot be read (a damaged file, or a new laptop),
#   nobody knows how far its numbers went: the labels then carry the restore count, which
#   no label before the restore carried. A later restore keeps the highest mark it sees.
# - ``z_mark``: the same for the Z reports (``R2-8``). Restore records written before Z
#   reports had a mark have none: the Z reports after them keep the plain numbers they
#   were printed with.
#
# Numbers grow with the journal, so the mark of a ticket or a Z follows from its number
# alone.

#: the ``numbers`` of the newest restore record that has them, by the restores' own index
_RESUMED_SQL: Final = (
    "SELECT json_extract(record, '$.data.numbers') FROM journal "
    "WHERE kind = 'restore' AND json_extract(record, '$.data.numbers') IS NOT NULL "
    "ORDER BY seq DESC LIMIT 1")
#: the next ticket number: after the last sale, and after where the last restore resumed
NEXT_TICKET_SQL: Final = (
    "SELECT MAX(COALESCE((SELECT MAX(number) FROM sale), 0), COALESCE((SELECT "
    "json_extract(record, '$.data.numbers.ticket') FROM journal WHERE kind = 'restore' "
    "ORDER BY seq DESC LIMIT 1), 0)) + 1")


@dataclass(frozen=True)
class Numbers:
    """How far a journal's numbering went: the last ticket and Z numbers given (those its
    restores resumed after included), the marks its ticket and Z labels carry now, and the
    last invoice number of each year (:mod:`pos.invoices`; the invoices' labels carry the
    tickets' mark)."""

    ticket: int = 0
    z: int = 0
    mark: int = 0
    z_mark: int = 0
    invoices: Mapping[int, int] = field(default_factory=dict)
    credit_notes: Mapping[int, int] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """As a restore record holds it (``invoices`` and ``credit_notes`` only when there
        are some)."""
        out: dict[str, Any] = {"ticket": self.ticket, "z": self.z, "mark": self.mark,
                               "z_mark": self.z_mark}
        if self.invoices:
            out["invoices"] = {str(year): n for year, n in sorted(self.invoices.items())}
        if self.credit_notes:
            out["credit_notes"] = {str(year): n for year, n in sorted(self.credit_notes.items())}
        return out


def invoice_numbers(value: Any) -> dict[int, int]:
    """The last invoice number of each year, as a restore record holds them."""
    found: dict[int, int] = {}
    if isinstance(value, dict):
        for year, number in value.items():
            if isinstance(year, str) and year.isdigit() and _int(number):
                found[int(year)] = _int(number)
    return found


def merged(*numbers: Mapping[int, int]) -> dict[int, int]:
    """The highest of several last invoice numbers, year by year."""
    out: dict[int, int] = {}
    for each in numbers:
        for year, number in each.items():
            out[year] = max(out.get(year, 0), number)
    return out


_INVOICES_SQL: Final = (
    "SELECT json_extract(record, '$.data.year'), MAX(json_extract(record, '$.data.number')) "
    "FROM journal WHERE kind = 'invoice' GROUP BY 1")
_CREDIT_NOTES_SQL: Final = _INVOICES_SQL.replace("'invoice'", "'credit_note'")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def numbers_of(db: sqlite3.Connection) -> Numbers:
    row = db.execute("SELECT (SELECT MAX(number) FROM sale), "
                     f"(SELECT MAX(z_number) FROM business_day), ({_RESUMED_SQL})").fetchone()
    resumed = _parse(row[2]) if row[2] else {}
    given = {_int(year): _int(n) for year, n in db.execute(_INVOICES_SQL)}
    credited = {_int(year): _int(n) for year, n in db.execute(_CREDIT_NOTES_SQL)}
    return Numbers(ticket=max(row[0] or 0, _int(resumed.get("ticket"))),
                   z=max(row[1] or 0, _int(resumed.get("z"))), mark=_int(resumed.get("mark")),
                   z_mark=_int(resumed.get("z_mark")),
                   invoices=merged(given, invoice_numbers(resumed.get("invoices"))),
                   credit_notes=merged(credited,
                                       invoice_numbers(resumed.get("credit_notes"))))


Marks = tuple[tuple[int, int], ...]


def _marks(db: sqlite3.Connection, number: str, mark: str) -> Marks:
    found = []
    for (text,) in db.execute(_RESTORE_NUMBERS_SQL):
        numbers = _parse(text) if text else {}
        found.append((_int(numbers.get(number)) + 1, _int(numbers.get(mark))))
    return tuple(found)


def ticket_marks(db: sqlite3.Connection) -> Marks:
    """(first ticket number, mark) from each restore record on, oldest first: what
    :func:`mark_at` reads."""
    return _marks(db, "ticket", "mark")


def z_marks(db: sqlite3.Connection) -> Marks:
    """(first Z number, mark) from each restore record on, oldest first: what
    :func:`mark_at` reads for the Z reports."""
    return _marks(db, "z", "z_mark")


_RESTORE_NUMBERS_SQL: Final = (
    "SELECT json_extract(record, '$.data.numbers') FROM journal WHERE kind = 'restore' "
    "AND json_extract(record, '$.data.numbers') IS NOT NULL ORDER BY seq")


def mark_at(marks: Marks, number: int) -> int:
    """The mark of ticket ``number`` (0: none), from :func:`ticket_marks`."""
    mark = 0
    for first, value in marks:
        if first > number:
            break
        mark = value
    return mark


def label_of(db: sqlite3.Connection, number: int) -> str:
    """Ticket ``number`` as printed (``T03-000124``, or ``T03-R2-000124`` after a restore
    that could not know how far the numbers went)."""
    prefix = settings.stored(db, settings.DEVICE_PREFIX, settings.DEFAULT_PREFIX)
    return settings.ticket_label(str(prefix), number, mark_at(ticket_marks(db), number))


def z_label_of(db: sqlite3.Connection, number: int) -> str:
    """Z report ``number`` as printed (``8``, or ``R2-8`` after a restore that could not
    know how far the Z numbers went)."""
    return z_label_at(z_marks(db), number)


def z_label_at(marks: Marks, number: int) -> str:
    """Z report ``number`` as printed, from :func:`z_marks` (read once for many)."""
    return settings.z_label(number, mark_at(marks, number))


_Z_LABEL: Final = re.compile(r"(?:[Rr](\d{1,4})-)?(\d{1,9})")


def z_label_parts(text: str) -> tuple[int, int | None] | None:
    """(number, mark or None when none was typed) of a Z number typed as printed (``8``,
    or ``R2-8`` after a restore; Arabic digits too); None for anything else."""
    match = _Z_LABEL.fullmatch(latin_digits(text.strip()))
    if match is None or int(match[2]) == 0:
        return None
    return int(match[2]), None if match[1] is None else int(match[1])


def z_number_of(text: str, marks: Marks) -> int | None:
    """The Z number typed as printed (see :func:`z_label_parts`); None for anything else,
    or for a mark this number does not have (a Z of the journal a restore set aside)."""
    parts = z_label_parts(text)
    if parts is None:
        return None
    number, mark = parts
    return None if mark is not None and mark != mark_at(marks, number) else number


_TICKET: Final = re.compile(r"^(?:([^\s-]+)-)?(?:[Rr](\d{1,4})-)?(\d{1,9})$")


def ticket_parts(text: str) -> tuple[str | None, int | None, int] | None:
    """(prefix, mark, number) of a ticket label as printed (``T03-000012``, ``T03-R2-000012``;
    Arabic digits too), None for the prefix or the mark that was not typed; None for
    anything else."""
    match = _TICKET.match(latin_digits(text.strip()))
    if match is None:
        return None
    return match[1] or None, None if match[2] is None else int(match[2]), int(match[3])


def ticket_number(text: str, prefix: str, marks: Marks = ()) -> int | None:
    """The ticket number typed as printed: ``T03-000012``, ``000012`` or ``12`` (Arabic
    digits too), or ``T03-R2-000012`` after a restore (:func:`mark_at`); None for anything
    else, for another till's prefix, or for a mark this number does not have (a ticket of
    the journal a restore set aside)."""
    parts = ticket_parts(text)
    if parts is None:
        return None
    typed_prefix, mark, number = parts
    if typed_prefix is not None and typed_prefix.casefold() != prefix.casefold():
        return None
    if mark is not None and mark != mark_at(marks, number):
        return None
    return number or None


def records(session: Session, day_id: int | None = None) -> list[dict[str, Any]]:
    """Parsed journal records, oldest first (optionally of one business day)."""
    query = select(JournalEntry.record).order_by(JournalEntry.seq)
    if day_id is not None:
        query = query.where(JournalEntry.day_id == day_id)
    return [json.loads(text) for text in session.scalars(query)]
