"""Doubts about this laptop's clock, which dates the business day and every sale.

A stall's laptop at a travelling market may have a wrong clock: a dead CMOS battery (a
date in 2019 or 2000), a wrong time zone, a year typed wrong. A day opened at a wrong
date falls outside the market's dates, which the organisers' server refuses; its
receipts and Z report carry the wrong date. Nothing here ever blocks a sale: the till
asks or warns, and the people decide.

- :func:`opening_doubt`: before a business day is opened, whether the laptop's date is
  outside the dates of the market the stall is enrolled in (``pos.settings.MARKET``), or
  earlier than the journal's newest record (the clock went back). The day-open flow asks
  the manager whether to open anyway.
- :func:`lag`: while selling, how far the clock is behind the newest record of the open
  day, when by more than :data:`SLACK`.
- :func:`duration_text`: "2 h 10 min" in the stall's languages, with their plurals (the
  sync client says by how much the laptop's clock differs from the organisers' server).

Times are naive UTC, as the journal keeps them; ``at`` defaults to now.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from pos import journal, settings
from pos.i18n import tr, tr_count
from pos.models import utcnow

#: how far behind the newest record the clock may be before it is said to have gone back
#: (a clock set by the network moves by seconds; one put back moves by hours or years)
SLACK: Final = dt.timedelta(minutes=5)


def market_dates(session: Session) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the market the stall is enrolled in (kept at enrolment in
    ``pos.settings.MARKET``); None when unknown."""
    market = settings.get(session, settings.MARKET, {}) or {}
    try:
        first = dt.date.fromisoformat(str(market["starts_on"]))
        last = dt.date.fromisoformat(str(market["ends_on"]))
    except (KeyError, TypeError, ValueError):
        return None
    return first, last


def local(at: dt.datetime) -> dt.datetime:
    """A naive UTC time as this laptop's local time (naive), as the day's date is taken."""
    return at.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def when_text(at: dt.datetime) -> str:
    """A naive UTC time as the app writes it, in local time: ``12/03/2019 09:30``."""
    return local(at).strftime("%d/%m/%Y %H:%M")


def date_text(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def _time(found: tuple[object, ...] | None) -> dt.datetime | None:
    if found is None or found[0] is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(found[0])).replace(tzinfo=None)
    except ValueError:
        return None


def last_record_at(db: sqlite3.Connection) -> dt.datetime | None:
    """The time of the journal's last record; None for an empty journal."""
    return _time(db.execute("SELECT created_at FROM journal ORDER BY seq DESC LIMIT 1")
                 .fetchone())


def open_day_newest_at(db: sqlite3.Connection) -> dt.datetime | None:
    """The time of the newest record of the open day, from its opening on (the latest
    time, whatever the order the clock gave them); None when no day is open."""
    row = db.execute("SELECT open_seq FROM business_day WHERE closed_at IS NULL").fetchone()
    if row is None:
        return None
    return _time(db.execute("SELECT MAX(created_at) FROM journal WHERE seq >= ?",
                            (row[0],)).fetchone())


@dataclass(frozen=True)
class OpeningDoubt:
    """Why the laptop's clock looks wrong for opening a day: ``outside`` the market's
    dates, or it went ``back`` before the journal's newest record."""

    kind: str  # "outside" | "back"
    at: dt.datetime  # the laptop's time (naive UTC)
    dates: tuple[dt.date, dt.date] | None = None  # the market's, for "outside"
    newest: dt.datetime | None = None  # the newest record's time (naive UTC), for "back"

    def message(self, lang: str) -> str:
        if self.kind == "outside" and self.dates is not None:
            return tr(lang, "clock.outside_market", date=date_text(local(self.at).date()),
                      starts=date_text(self.dates[0]), ends=date_text(self.dates[1]))
        return tr(lang, "clock.went_back", now=when_text(self.at),
                  newest=when_text(self.newest or self.at))


def opening_doubt(session: Session, at: dt.datetime | None = None) -> OpeningDoubt | None:
    """What is wrong with the laptop's clock for opening a business day at ``at``: its
    date outside the enrolled market's dates, or earlier than the journal's newest record
    by more than :data:`SLACK`; None when neither (a stall not enrolled knows no market's
    dates: only the second is checked)."""
    at = at or utcnow()
    dates = market_dates(session)
    if dates is not None and not dates[0] <= local(at).date() <= dates[1]:
        return OpeningDoubt("outside", at, dates=dates)
    newest = last_record_at(journal.driver_connection(session))
    if newest is not None and at < newest - SLACK:
        return OpeningDoubt("back", at, newest=newest)
    return None


@dataclass(frozen=True)
class Lag:
    """The laptop's clock is ``behind`` the newest record (at ``newest``, naive UTC)."""

    behind: dt.timedelta
    newest: dt.datetime

    def message(self, lang: str) -> str:
        return tr(lang, "clock.behind_records",
                  amount=duration_text(lang, self.behind.total_seconds()),
                  newest=when_text(self.newest))


def lag(db: Session | sqlite3.Connection, at: dt.datetime | None = None) -> Lag | None:
    """How far the clock at ``at`` is behind the newest record of the open day, when by
    more than :data:`SLACK`: it was put back while the day was open. The sales go on; the
    seller is told. None when no day is open (opening one asks, see
    :func:`opening_doubt`)."""
    at = at or utcnow()
    newest = open_day_newest_at(journal.driver_connection(db))
    if newest is None or at >= newest - SLACK:
        return None
    return Lag(newest - at, newest)


def duration_text(lang: str, seconds: float) -> str:
    """A length of time as people say it, to the minute: "10 min", "2 h 10 min",
    "3 days 4 h" ("ساعتان و10 دقائق"), each number in the plural form it takes."""
    minutes = round(abs(seconds) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [("clock.days", days), ("clock.hours", hours)]
    elif hours:
        parts = [("clock.hours", hours), ("clock.minutes", minutes)]
    else:
        parts = [("clock.minutes", minutes)]
    said = [tr_count(lang, key, n) for key, n in parts if n] or [tr_count(lang, parts[0][0], 0)]
    if len(said) == 1:
        return said[0]
    return tr(lang, "clock.and", first=said[0], second=said[1])
