"""What the app shows about sync: a snapshot of the state, and the status-bar words.

:func:`snapshot` reads the database once (a short read transaction); everything else
here is pure, so the GUI thread formats texts from a snapshot without touching the
database or the network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from pos import journal, settings
from pos.clock import duration_text
from pos.db import Store
from pos.i18n import tr, tr_count
from pos.models import BusinessDay, SyncDay
from pos.money import format_money
from pos.reports import date_report
from sync.client import config, outbox
from sync.client.errors import date_text, describe


@dataclass(frozen=True)
class Restored:
    """A day whose figures, sent after a restore of this till's database from a backup,
    replaced what the server held: what it held before, and what the till says now (the
    organisers see both)."""

    held_net: int
    held_tickets: int
    net: int
    tickets: int


@dataclass(frozen=True)
class DayRow:
    """One business day as the sync panel lists it."""

    day_id: int
    date: dt.date
    closed: bool
    z_number: int | None
    local_version: int
    acked_version: int
    attempts: int
    last_synced_at: dt.datetime | None
    last_error: str  # stored form; see :func:`sync.client.errors.describe`
    rejected_version: int | None
    rejected_reason: str
    # its date is outside the enrolled market's dates and it holds figures never delivered
    # (an earlier market's day that reached the organisers is synced, not outside)
    outside: bool = False
    restored: Restored | None = None
    z_mark: int = 0  # the mark a restore put on its Z number (see pos.journal.z_marks)

    @property
    def z_label(self) -> str:
        """The Z number as its report prints it (``R2-8`` after a restore); "" when open."""
        return settings.z_label(self.z_number, self.z_mark) if self.z_number else ""

    @property
    def held_back(self) -> bool:
        """This version of the day is not pushed by itself (see :mod:`sync.client.outbox`)."""
        return self.rejected_version is not None and self.rejected_version == self.local_version

    @property
    def server_newer(self) -> bool:
        """The server holds a newer version of the day than this stall (a restored
        database): the day is not synced, and the organisers should be told."""
        return self.held_back and outbox.is_server_newer(self.rejected_reason)

    @property
    def set_aside(self) -> bool:
        return self.held_back and not outbox.is_server_newer(self.rejected_reason)

    @property
    def waiting(self) -> bool:
        return (self.local_version > self.acked_version and not self.held_back
                and not self.outside)


@dataclass(frozen=True)
class Snapshot:
    """The sync state at one moment; ``syncing`` is set by the service."""

    enrolled: bool = False
    url: str = ""
    ca_file: str | None = None
    device_id: str = ""
    cooperative: dict[str, Any] = field(default_factory=dict)
    revoked: str = ""
    last_success_at: dt.datetime | None = None
    last_attempt_at: dt.datetime | None = None
    last_error: str = ""
    days: tuple[DayRow, ...] = ()
    syncing: bool = False
    #: this laptop's clock minus the server's, in seconds, at the server's last reply
    clock_offset: float | None = None

    @property
    def waiting(self) -> int:
        return sum(1 for d in self.days if d.waiting)

    @property
    def set_aside(self) -> int:
        return sum(1 for d in self.days if d.set_aside)

    @property
    def server_newer(self) -> int:
        return sum(1 for d in self.days if d.server_newer)

    @property
    def restored(self) -> tuple[DayRow, ...]:
        """The days whose figures of a restore replaced the server's, oldest first."""
        return tuple(sorted((d for d in self.days if d.restored), key=lambda d: d.date))

    @property
    def failing(self) -> bool:
        """The latest attempt failed: a failure stores its error, a success clears it
        (decided from what happened, not from the order of clock readings, which a clock
        put back would turn around)."""
        return bool(self.last_error)


def snapshot(store: Store) -> Snapshot:
    with store.read() as s:
        cfg = config.load(s)
        versions = {d.day_id: d.version for d in outbox.day_states(s)}
        dates = outbox.market_dates(s)
        z_marks = journal.z_marks(journal.driver_connection(s))
        rows = s.execute(
            select(BusinessDay, SyncDay)
            .outerjoin(SyncDay, SyncDay.day_id == BusinessDay.id)
            .order_by(BusinessDay.date.desc(), BusinessDay.id.desc())
        ).all()
        days = tuple(
            DayRow(
                day_id=d.id, date=d.date, closed=not d.is_open, z_number=d.z_number,
                local_version=versions.get(d.id, 0),
                acked_version=sd.acked_version if sd else 0,
                attempts=sd.attempts if sd else 0,
                last_synced_at=sd.last_synced_at.replace(tzinfo=dt.UTC)
                if sd and sd.last_synced_at else None,
                last_error=sd.last_error if sd else "",
                rejected_version=sd.rejected_version if sd else None,
                rejected_reason=sd.rejected_reason if sd else "",
                outside=(not outbox.within(dates, d.date)
                         and versions.get(d.id, 0) > (sd.acked_version if sd else 0)),
                restored=_restored(s, d.date, sd.restored) if sd and sd.restored else None,
                z_mark=journal.mark_at(z_marks, d.z_number or 0),
            )
            for d, sd in rows
        )
    return Snapshot(
        enrolled=cfg.enrolled, url=cfg.url, ca_file=cfg.ca_file,
        device_id=str(cfg.device_id or ""), cooperative=cfg.cooperative, revoked=cfg.revoked,
        last_success_at=config.parse_time(cfg.last_success_at),
        last_attempt_at=config.parse_time(cfg.last_attempt_at), last_error=cfg.last_error,
        days=days, clock_offset=cfg.clock_offset,
    )


def _restored(session: Any, date: dt.date, held: dict[str, Any]) -> Restored | None:
    report = date_report(session, date)
    try:
        return Restored(int(held["net"]), int(held["tickets"]),
                        report.net if report else 0, report.sales_count if report else 0)
    except (KeyError, TypeError, ValueError):
        return None


def restored_text(lang: str, day: DayRow) -> str:
    """'12/05/2026: this till's figures were restored from a backup...' (what the server
    held before, what the till says now); "" for a day that was not."""
    r = day.restored
    if r is None:
        return ""
    return tr(lang, "sync.restored.day", date=date_text(day.date),
              held_net=format_money(r.held_net, lang), held_tickets=r.held_tickets,
              net=format_money(r.net, lang), tickets=r.tickets)


def age_text(lang: str, then: dt.datetime, now: dt.datetime) -> str:
    """'just now', '5 min', '3 h', '2 days' (in ``lang``); a moment later than ``now`` by
    more than a minute (the clock was put back) is given as its date and time instead."""
    seconds = int((now - then).total_seconds())
    if seconds < -60:
        when = then.astimezone().strftime("%Y-%m-%d %H:%M")
        return tr(lang, "sync.age.clock", when=when)
    if seconds < 60:
        return tr(lang, "sync.age.now")
    if seconds < 3600:
        return tr_count(lang, "sync.age.minutes", seconds // 60)
    if seconds < 2 * 86400:
        return tr_count(lang, "sync.age.hours", seconds // 3600)
    return tr_count(lang, "sync.age.days", seconds // 86400)


def sent_text(lang: str, then: dt.datetime | None, now: dt.datetime) -> str:
    """When the figures last reached the organisers (the last sync that went through):
    'last sent at 14:05' today, 'last sent on 12/05/2026' before, in the till's local
    time; 'nothing sent yet' before the first."""
    if then is None:
        return tr(lang, "sync.sent.never")
    local = then.astimezone()
    if local.date() == now.astimezone().date():
        return tr(lang, "sync.sent.today", time=local.strftime("%H:%M"))
    return tr(lang, "sync.sent.earlier", date=local.strftime("%d/%m/%Y"))


def status_text(snap: Snapshot, lang: str, now: dt.datetime | None = None, *,
                sent: bool = True) -> str:
    """The status bar's words: 'synced 2 min ago', 'offline - 3 days waiting · last sent
    at 14:05'... While offline they end with when the figures last reached the organisers
    (after the warnings, which a narrow status bar must not cut), unless ``sent`` is
    False (a place that shows it on its own line)."""
    now = now or dt.datetime.now(dt.UTC)
    if not snap.enrolled:
        return tr(lang, "sync.status.not_set_up")
    if snap.revoked:
        return tr(lang, "sync.status.revoked")
    if snap.syncing:
        text = tr(lang, "sync.status.syncing")
    elif snap.failing:
        text = (tr_count(lang, "sync.status.offline", snap.waiting) if snap.waiting
                else tr(lang, "sync.status.offline_nothing"))
    elif snap.server_newer:
        text = ""
    elif snap.last_success_at is not None:
        text = tr(lang, "sync.status.synced", age=age_text(lang, snap.last_success_at, now))
    else:
        text = tr_count(lang, "sync.status.waiting", snap.waiting)
    if snap.server_newer:
        warning = tr_count(lang, "sync.status.server_newer", snap.server_newer)
        text = f"{text} · {warning}" if text else warning
    if snap.set_aside:
        text += " · " + tr_count(lang, "sync.status.set_aside", snap.set_aside)
    if sent and snap.failing and not snap.syncing and snap.last_success_at is not None:
        text += " · " + sent_text(lang, snap.last_success_at, now)
    return text


def safe_text(snap: Snapshot, lang: str) -> str:
    """What a seller whose figures cannot reach the organisers needs to read besides the
    problem: that the sales are kept on the till and selling goes on, and, unless the
    till was revoked (it needs a new code, which its problem says), that they will be
    sent by themselves once the connection is back. "" when nothing is held up."""
    if not snap.enrolled:
        return ""
    if snap.revoked:
        return tr(lang, "sync.safe.kept")
    if snap.failing and snap.waiting:
        return f"{tr(lang, 'sync.safe.kept')} {tr(lang, 'sync.safe.later')}"
    return ""


#: how far this laptop's clock may be from the server's before the till says so (seconds)
CLOCK_TOLERANCE = 5 * 60


def clock_text(lang: str, offset: float | None) -> str:
    """'This laptop's clock is 2 h 10 min behind the organisers' server…' when the last
    reply of the server found the clocks apart by more than :data:`CLOCK_TOLERANCE`;
    "" otherwise (and before any reply)."""
    if offset is None or abs(offset) <= CLOCK_TOLERANCE:
        return ""
    key = "sync.clock.behind" if offset < 0 else "sync.clock.ahead"
    return tr(lang, key, amount=duration_text(lang, offset))


def error_text(stored: str, lang: str) -> str:
    """A stored error in words."""
    return describe(stored, lang)
