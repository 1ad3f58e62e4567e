"""The stall's database as the outbox: which days need pushing, and what the server holds.

A day needs pushing when the last journal number of that day (its *version*) is above the
version the server acknowledged (``SyncDay.acked_version``), unless that very version was
held back: set aside (refused by the server, or unbuildable), or answered by the server
with a newer version of its own, or found so in what the server says it holds
(:func:`mark_server_newer`, :func:`reconcile`: the stall's database was restored from a
backup). A held-back day is tried again when its version changes, or
when the seller asks (:func:`clear_held_back`). The summary pushed is always the full
aggregate of the day (``pos.reports``), never a delta.

A restore with ``souk-pos restore`` is recorded in the journal (``pos.backup``) with the
till's restore count; a day's summary carries the count as of its version, and a server of
protocol 3 orders a day's versions by (restore count, version) (:attr:`DayState.key`): the
restored till's figures replace what the server held, which it keeps and tells the stall
(:func:`note_restored`; ``SyncDay.restored``). With an older server, counts are left out
and versions alone compare, as before.

Every function here works in a session the caller owns; the write ones belong in a write
transaction, so that an acknowledgement is either fully recorded or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, replace

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import clock, journal
from pos.models import BusinessDay, SyncDay, utcnow
from pos.reports import date_report, last_seq, summary
from sync.protocol import SHORT_TEXT, DaySummary, DayVersion, Replaced

SERVER_NEWER = "sync.err.server_newer"  # the message id of a day the server holds newer
REASON_CHARS = 500  # what SyncDay.rejected_reason holds


def is_server_newer(reason: str) -> bool:
    """Whether a held-back day's stored reason says the server holds a newer version."""
    return reason.startswith(f'["{SERVER_NEWER}"')


def _newer_reason(held: int) -> str:
    return json.dumps([SERVER_NEWER, {"version": str(held)}], separators=(",", ":"))


def server_version(reason: str) -> int | None:
    """The version the server holds, from a server-newer day's stored reason."""
    if not is_server_newer(reason):
        return None
    try:
        return int(json.loads(reason)[1]["version"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


Key = tuple[int, int]  # (restore count, version): how the server orders a day's summaries


@dataclass(frozen=True)
class DayState:
    day_id: int
    date: dt.date
    version: int
    acked: int
    rejected: int | None
    restores: int = 0  # the till's restore count as of ``version`` (0: never restored)

    @property
    def waiting(self) -> bool:
        return self.version > self.acked and self.version != self.rejected

    @property
    def key(self) -> Key:
        return self.restores, self.version


def restores(session: Session) -> list[tuple[int, int]]:
    """The restores this till's journal records (``pos.journal.restores_of``)."""
    return journal.restores_of(journal.driver_connection(session))


def day_states(session: Session) -> list[DayState]:
    """Every business day, oldest first, with its version (its last journal number) and
    the till's restore count as of it."""
    rows = session.execute(
        select(BusinessDay, SyncDay.acked_version, SyncDay.rejected_version)
        .outerjoin(SyncDay, SyncDay.day_id == BusinessDay.id)
        .order_by(BusinessDay.date, BusinessDay.id)
    ).all()
    found = restores(session)
    out = []
    for d, a, r in rows:
        version = last_seq(session, d)
        out.append(DayState(d.id, d.date, version, int(a or 0), r,
                            journal.restores_at(found, version)))
    return out


def market_dates(session: Session) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the market the stall is enrolled in (kept at enrolment in
    ``pos.settings.MARKET``); None when unknown."""
    return clock.market_dates(session)


def within(dates: tuple[dt.date, dt.date] | None, date: dt.date) -> bool:
    """Whether ``date`` is one of the market's ``dates`` (any date when they are unknown)."""
    return dates is None or dates[0] <= date <= dates[1]


def plan(session: Session, states: list[DayState] | None = None
         ) -> tuple[list[DayState], list[DayState]]:
    """(days to push, oldest first; earlier days of the same dates, covered by them).

    The server keeps one summary per (device, date). When a day was closed and another
    opened on the same date, the summary of the last one covers them all
    (``pos.reports.date_report``), and acknowledging it acknowledges them all.

    Only days within the dates of the market the stall is enrolled in are pushed: the
    days of an earlier market (a stall enrolled into the next edition) belong to that
    market's figures, not to this one's (:class:`sync.client.status.DayRow` ``outside``).
    """
    dates = market_dates(session)
    states = [s for s in (day_states(session) if states is None else states)
              if within(dates, s.date)]
    last_of_date = {s.date: s.day_id for s in states}
    shadowed = [s for s in states if last_of_date[s.date] != s.day_id and s.waiting]
    todo = [s for s in states if last_of_date[s.date] == s.day_id and s.waiting]
    return todo, shadowed


def build(session: Session, state: DayState, *, units: bool = True,
          with_restores: bool = True) -> DaySummary | str:
    """The day's summary at its current version, or why it cannot be built. Without
    ``units`` (a server older than protocol 2 refuses them) it names no unit; without
    ``with_restores`` (older than protocol 3), no restore count."""
    report = date_report(session, state.date)
    if report is None:
        return "no business day"
    data = summary(session, report)
    if with_restores:
        data["restores"] = journal.restores_at(restores(session), report.journal_seq) or None
    # one canonical order, by the stall's product key: variants of a product sit side by
    # side, which roughly halves what gzip has to say about their names
    data["products"] = sorted(
        ({**p, **{k: _wire_text(p[k]) for k in _PRODUCT_TEXTS}} for p in data["products"]),
        key=lambda p: str(p["product_id"]))
    data["default_unit"] = _default_units(data["products"]) if units else None
    if not units:
        for p in data["products"]:
            p.pop("unit", None)
    data["members"] = [{**m, "member": _wire_text(m["member"])} for m in data["members"]]
    try:
        return DaySummary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', 'invalid')}"[:500]


_PRODUCT_TEXTS = ("name_ar", "name_fr", "category")


def _default_units(products: list[dict[str, object]]) -> str | None:
    """The day's most common unit, left out of the products sold in it (most are sold by
    the piece: a summary stays as small as it was without units); the others keep theirs.
    A product whose unit changed during the day has none (``pos.reports``): then the day
    has no default, which would give it one, and every other product names its own."""
    named = [p["unit"] for p in products]
    if not named or None in named:
        return None
    default = Counter(named).most_common(1)[0][0]
    for p in products:
        if p["unit"] == default:
            del p["unit"]
    return str(default)


def _wire_text(text: str) -> str:
    """A name as the server takes it: no NUL, at most 200 characters (a sale line keeps
    the product's name as it was sold, which an older version let be longer)."""
    return text.replace("\x00", "")[:SHORT_TEXT]


def _row(session: Session, day_id: int) -> SyncDay:
    row = session.get(SyncDay, day_id)
    if row is None:
        row = SyncDay(day_id=day_id, acked_version=0, attempts=0, last_error="",
                      rejected_reason="")
        session.add(row)
    return row


def mark_acked(session: Session, day_id: int, version: int, note: str = "",
               states: list[DayState] | None = None) -> None:
    """The server holds ``version`` of this day (called only with its 2xx reply);
    ``states``, the day states read in this transaction, if the caller has them."""
    row = _row(session, day_id)
    now = utcnow()
    row.acked_version = version
    row.last_synced_at = now
    row.last_attempt_at = now
    row.attempts = 0
    row.last_error = note
    if row.rejected_version is not None and row.rejected_version <= version:
        row.rejected_version = None
        row.rejected_reason = ""
    day = session.get_one(BusinessDay, day_id)
    for earlier in day_states(session) if states is None else states:  # the same date's
        if earlier.date == day.date and earlier.day_id != day_id and earlier.version <= version:
            other = _row(session, earlier.day_id)
            other.acked_version = earlier.version
            other.last_synced_at = now
            other.last_error = ""


def set_aside(session: Session, day_id: int, version: int, reason: str) -> None:
    """Stop pushing this version of the day; a later version is tried again. ``reason``
    is stored as :meth:`sync.client.errors.SyncError.to_text` writes it."""
    row = _row(session, day_id)
    row.rejected_version = version
    row.rejected_reason = reason[:REASON_CHARS]
    row.last_attempt_at = utcnow()


def mark_server_newer(session: Session, day_id: int, version: int, held: int) -> None:
    """The server holds version ``held`` of this day, newer than the stall's ``version``:
    not synced, and not pushed again until the stall's version of the day changes."""
    row = _row(session, day_id)
    row.rejected_version = version
    row.rejected_reason = _newer_reason(held)
    row.last_attempt_at = utcnow()
    row.last_error = ""
    row.attempts = 0


def clear_held_back(session: Session) -> int:
    """Forget every set-aside mark (and server-newer mark), so that the next sync pushes
    those days again; returns how many days were marked."""
    rows = session.scalars(select(SyncDay).where(SyncDay.rejected_version.is_not(None))).all()
    for row in rows:
        row.rejected_version = None
        row.rejected_reason = ""
    return len(rows)


def record_failure(session: Session, day_ids: list[int], error_text: str) -> None:
    now = utcnow()
    for day_id in day_ids:
        row = _row(session, day_id)
        row.attempts = (row.attempts or 0) + 1
        row.last_attempt_at = now
        row.last_error = error_text[:300]


def reconcile(session: Session, known: list[DayVersion], *, with_restores: bool = True,
              states: list[DayState] | None = None) -> list[dt.date]:
    """Bring what the stall records of the server in line with ``known``, what the server
    says it holds of each date; returns the dates the server had lost. ``states``: the day
    states read in this transaction, if the caller has them.

    A server restored from an old backup has lost versions it once acknowledged: the
    acknowledged version is lowered and those days are pushed again. A server holding a
    newer version of a day than the stall's own marks the day :func:`mark_server_newer`,
    not synced: the stall's database was restored from an older backup by hand, or from
    a restore this server cannot tell (older than protocol 3), and the sales made after it
    are in the server's figures only; pushing the older figures would change nothing, as
    the server keeps the newest version of a day. A restore the journal records makes the
    restored figures newer (see the module's text): they are pushed. What a restore's
    figures replaced on the server is kept (:func:`note_restored`).

    Without ``with_restores`` (a server older than protocol 3) versions alone compare.
    """
    held = _held_keys(known, with_restores)
    states = day_states(session) if states is None else states
    if not with_restores:
        states = [replace(s, restores=0) for s in states]
    found = restores(session) if with_restores else []
    rows = session.execute(
        select(SyncDay, BusinessDay.date)
        .join(BusinessDay, BusinessDay.id == SyncDay.day_id)
        .where(SyncDay.acked_version > 0)
    ).all()
    lost = []
    for row, date in rows:
        acked = (journal.restores_at(found, row.acked_version), row.acked_version)
        there = held.get(date, (0, 0))
        if there < acked:  # what it holds is older than what it acknowledged, if anything
            row.acked_version = there[1] if there[0] == acked[0] else 0
            row.last_error = '["sync.err.server_lost",{}]'
            lost.append(date)
    _mark_newer_on_server(session, held, states)
    last_of_date = {s.date: s.day_id for s in states}
    for day in known:
        if day.restored is not None and day.business_day in last_of_date:
            note_restored(session, last_of_date[day.business_day], day.restored)
    return lost


def _held_keys(known: list[DayVersion], with_restores: bool) -> dict[dt.date, Key]:
    return {d.business_day: ((d.restores or 0) if with_restores else 0, d.version)
            for d in known}


def _mark_newer_on_server(session: Session, known: dict[dt.date, Key],
                          states: list[DayState]) -> None:
    dates = market_dates(session)
    last_of_date = {s.date: s for s in states if within(dates, s.date)}
    for date, state in last_of_date.items():
        held = known.get(date, (0, 0))
        if held <= state.key:
            continue
        row = session.get(SyncDay, state.day_id)
        if row is None or row.rejected_version != state.version \
                or row.rejected_reason != _newer_reason(held[1]):
            mark_server_newer(session, state.day_id, state.version, held[1])


def note_restored(session: Session, day_id: int, replaced: Replaced) -> None:
    """Keep what the server held of this day before the figures of a restore of this till
    replaced it (the latest restore's, when there were several)."""
    row = _row(session, day_id)
    said = replaced.model_dump(mode="json")
    if row.restored != said and int((row.restored or {}).get("restores", 0)) <= replaced.restores:
        row.restored = said


def held_newer(session: Session, states: list[DayState] | None = None) -> list[dt.date]:
    """The dates whose current version is held back because the server holds a newer
    one, oldest first."""
    versions = {s.day_id: s for s in (day_states(session) if states is None else states)}
    rows = session.scalars(select(SyncDay).where(SyncDay.rejected_version.is_not(None))).all()
    return sorted({versions[r.day_id].date for r in rows
                   if r.day_id in versions and r.rejected_version == versions[r.day_id].version
                   and is_server_newer(r.rejected_reason)})
