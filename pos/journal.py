"""The tamper-evident journal: a SHA-256 hash chain over every recorded event.

Each sale, refund, void, cash movement, day opening and day close is appended as a
canonical JSON record with a gapless sequence number and the perpetual grand total::

    hash(n) = SHA-256(hash(n-1) || canonical bytes of record n)

:func:`verify` walks the chain and reports the first record that was edited, deleted,
inserted or moved, and cross-checks the sales tables against their journal records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import settings
from pos.models import JournalEntry

GENESIS: Final = "0" * 64
FORMAT: Final = 1
KINDS: Final = ("sale", "refund", "void", "cash_in", "cash_out", "day_open", "day_close")


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


def driver_connection(session: Session) -> sqlite3.Connection:
    """The session's own sqlite3 connection, inside its transaction (pending ORM changes
    flushed first). The journal and the sales tables are written through it: a checkout
    is a handful of plain statements, as fast as SQLite itself allows."""
    session.flush()
    conn = session.connection().connection.driver_connection
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


def _device_id(session: Session, db: sqlite3.Connection) -> str:
    row = db.execute("SELECT value FROM setting WHERE key = 'device_id'").fetchone()
    if row is not None:
        return str(json.loads(row[0]))
    device = settings.device_id(session)
    session.flush()
    return device


def append(
    session: Session,
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
    db = driver_connection(session)
    last = head_of(db)
    seq = last.seq + 1
    grand_total = last.grand_total + amount
    record = {
        "format": FORMAT,
        "seq": seq,
        "kind": kind,
        "ref": ref,
        "device": _device_id(session, db),
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

    def __bool__(self) -> bool:
        return self.ok


_COLUMNS: Final = ("seq", "kind", "ref", "day", "amount", "grand_total")


def _columns_agree(row: tuple[Any, ...], device: str) -> bool:
    """Do the columns beside the record say what the hashed record says?

    The record is canonical JSON (sorted keys), so its first and last fields can be
    compared as text; anything unusual is decided by parsing it.
    """
    seq, kind, ref, day_id, amount, grand_total, text, _ = row
    day = "null" if day_id is None else str(day_id)
    if text.startswith(f'{{"amount":{amount},"at":"') and text.endswith(
        f',"day":{day},"device":{device},"format":{FORMAT},"grand_total":{grand_total},'
        f'"kind":"{kind}","ref":"{ref}","seq":{seq}}}'
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
    if chain_hash(prev, text) != stored_hash or not _columns_agree(row, device):
        return "journal.edited", prev, total
    if total + amount != grand_total:
        return "journal.total", prev, total
    return "", stored_hash, grand_total


_PROJECTION_CHECKS: Final = (
    # a sale or cash movement whose journal record is missing or differs
    """SELECT j.seq, s.id FROM sale s LEFT JOIN journal j ON j.seq = s.journal_seq
       WHERE j.seq IS NULL OR j.ref != s.id OR j.kind != s.kind OR j.amount != s.total""",
    """SELECT j.seq, c.id FROM cash_movement c LEFT JOIN journal j ON j.seq = c.journal_seq
       WHERE j.seq IS NULL OR j.ref != c.id OR j.kind != 'cash_' || c.kind""",
    # lines or payments that no longer add up to their sale
    """SELECT s.journal_seq, s.id FROM sale s JOIN
       (SELECT sale_id, SUM(total) AS t FROM sale_line GROUP BY sale_id) l ON l.sale_id = s.id
       WHERE l.t != s.total""",
    """SELECT s.journal_seq, s.id FROM sale s JOIN
       (SELECT sale_id, SUM(amount) AS t FROM payment GROUP BY sale_id) p ON p.sale_id = s.id
       WHERE p.t != s.total""",
    # a journal record of a sale whose row was deleted: each sale matches its own record
    # (the first check), so equal counts mean every record has its sale
    """SELECT MAX(j.seq), NULL FROM journal j WHERE j.kind IN ('sale', 'refund', 'void')
       HAVING COUNT(*) != (SELECT COUNT(*) FROM sale)""",
)


def verify(conn: sqlite3.Connection) -> Verdict:
    """Walk the whole chain (read-only) and cross-check the sales tables."""
    cur = conn.execute(
        "SELECT seq, kind, ref, day_id, amount, grand_total, record, hash "
        "FROM journal ORDER BY seq"
    )
    prev, total, expected = GENESIS, 0, 1
    device = ""  # JSON of this till's device id, as its first record says
    while rows := cur.fetchmany(2000):
        if not device:
            try:
                device = json.dumps(json.loads(rows[0][6]).get("device"))
            except (ValueError, AttributeError):
                device = "null"
        for row in rows:
            problem, prev, total = _check_row(expected, prev, total, row, device)
            if problem:
                return Verdict(False, expected - 1, prev, bad_seq=row[0], problem=problem)
            expected += 1
    for query in _PROJECTION_CHECKS:
        bad = conn.execute(query + " LIMIT 1").fetchone()
        if bad is not None:
            return Verdict(False, expected - 1, prev, bad_seq=bad[0], problem="journal.tables")
    return Verdict(True, expected - 1, prev)


def records(session: Session, day_id: int | None = None) -> list[dict[str, Any]]:
    """Parsed journal records, oldest first (optionally of one business day)."""
    query = select(JournalEntry.record).order_by(JournalEntry.seq)
    if day_id is not None:
        query = query.where(JournalEntry.day_id == day_id)
    return [json.loads(text) for text in session.scalars(query)]
