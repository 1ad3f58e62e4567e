"""A printed receipt as a witness of the journal.

Each sale receipt's QR code carries the sale's id, its ticket label, its total and the first
characters of its journal record's hash (:func:`pos.receipts.qr_payload`). The receipt is in
the customer's hands, outside the laptop: checked against the journal (``souk-pos verify
--receipt CODE``), it proves that the sale is still recorded as printed, or shows a sale
that was changed or taken out, even from the end of the journal, where the hash chain alone
cannot tell (records removed from the end leave a shorter chain that still holds).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from pos import journal, settings
from pos.errors import Amount, InputError, SoukError
from pos.i18n import latin_digits

#: ``SOUK1:<sale id>:<ticket label>:<total in centimes>:<hash prefix>``, as the QR code
#: carries it (upper case: QR's alphanumeric mode); read case-blind, as a scanner may type it
_CODE: Final = re.compile(
    r"SOUK1:([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}):"
    r"([^:\s]+):(-?\d{1,12}):([0-9A-F]{8,64})", re.IGNORECASE)


@dataclass(frozen=True)
class Receipt:
    """What a receipt's QR code says."""

    sale_id: str
    label: str
    total: int
    hash: str


def parse(code: str) -> Receipt:
    """The receipt a QR code's text describes; an :class:`InputError` for anything else."""
    match = _CODE.fullmatch(latin_digits(code.strip()))
    if match is None:
        raise InputError("witness.bad_code", code=code.strip()[:80])
    return Receipt(sale_id=match[1].lower(), label=match[2].upper(), total=int(match[3]),
                   hash=match[4].lower())


@dataclass(frozen=True)
class Finding:
    """What the journal says of one receipt: ``ok`` when it holds the sale as printed, and
    ``said``, the message of it, written in any language (:meth:`SoukError.message`)."""

    ok: bool
    said: SoukError


def check(db: sqlite3.Connection, receipt: Receipt) -> Finding:
    """Check ``receipt`` against the journal of ``db``."""
    prefix = str(settings.stored(db, settings.DEVICE_PREFIX, settings.DEFAULT_PREFIX))
    said = {"label": receipt.label, "total": Amount(receipt.total)}
    row = db.execute(
        "SELECT s.number, s.total, s.created_at, s.utc_offset_minutes, j.hash FROM sale s "
        "LEFT JOIN journal j ON j.seq = s.journal_seq WHERE s.id = ?",
        (receipt.sale_id,)).fetchone()
    if row is not None:
        return _compared(db, receipt, row, said)
    parts = journal.ticket_parts(receipt.label)
    if parts is None or parts[0] is None or parts[0].casefold() != prefix.casefold():
        return _not_held("witness.other_till", **said, prefix=prefix)
    _prefix, mark, number = parts
    mark = mark or 0
    lost = _lost_with_restore(db, number, mark)
    if lost is not None:
        return _not_held("witness.lost_in_restore", **said, date=lost)
    if db.execute("SELECT 1 FROM sale WHERE number = ?", (number,)).fetchone():
        return _not_held("witness.not_this_sale", **said)
    last = db.execute("SELECT MAX(number) FROM sale").fetchone()[0]
    if last is None or number > last:
        return _not_held("witness.after_end", **said,
                         last=journal.label_of(db, last) if last else "—")
    return _not_held("witness.missing", **said)


def _not_held(key: str, /, **params: object) -> Finding:
    return Finding(False, SoukError(key, **params))


def _compared(db: sqlite3.Connection, receipt: Receipt, row: tuple[Any, ...],
              said: dict[str, Any]) -> Finding:
    number, total, created_at, offset, entry_hash = row
    label = journal.label_of(db, number)
    when = dt.datetime.fromisoformat(str(created_at)) + dt.timedelta(minutes=offset or 0)
    differences: list[tuple[str, object]] = []
    if label != receipt.label:
        differences.append(("label", label))
    if total != receipt.total:
        differences.append(("total", Amount(total)))
    if not (entry_hash or "").startswith(receipt.hash):
        differences.append(("hash", (entry_hash or "—")[:len(receipt.hash)]))
    params = {**said, "date": f"{when:%d/%m/%Y %H:%M}"}
    if not differences:
        return Finding(True, SoukError("witness.ok", **params))
    what, recorded = differences[0]
    return _not_held(f"witness.differs_{what}", **params, recorded=recorded,
                     printed=_printed(receipt, what, said))


def _printed(receipt: Receipt, what: str, said: dict[str, Any]) -> object:
    return receipt.hash if what == "hash" else said[what]


def _lost_with_restore(db: sqlite3.Connection, number: int, mark: int) -> str | None:
    """The day of the restore whose backup did not hold ticket ``number`` (with ``mark``,
    as printed): the restore put back a journal that ended before it, and numbering went on
    after it, or with a higher mark when how far the numbers went was unknown."""
    previous_mark = 0
    for seq, text, created_at in db.execute(
        "SELECT seq, json_extract(record, '$.data.numbers'), created_at FROM journal "
        "WHERE kind = 'restore' AND json_extract(record, '$.data.numbers') IS NOT NULL "
        "ORDER BY seq"
    ):
        numbers = json.loads(text)
        before = db.execute("SELECT MAX(number) FROM sale WHERE journal_seq < ?",
                            (seq,)).fetchone()[0] or 0
        new_mark = int(numbers.get("mark") or 0)
        if number > before and mark == previous_mark and (
                number <= int(numbers.get("ticket") or 0) or new_mark > mark):
            return f"{dt.datetime.fromisoformat(str(created_at)):%d/%m/%Y}"
        previous_mark = new_mark
    return None
