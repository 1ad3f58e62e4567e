"""The business day: opened with a cash float, cash in and out, closed with a count.

Closing compares the counted cash (by note and coin) with the expected cash, numbers the
Z report, journals it, and leaves the day read-only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import journal
from pos.errors import InputError, RuleError
from pos.models import BusinessDay, CashMovement, User, utcnow
from pos.money import NOTES_AND_COINS
from pos.users import MANAGER

#: the float offered on a till's very first day, when no close says what the box holds
FIRST_FLOAT: Final = 50000


def current_day(session: Session) -> BusinessDay | None:
    return session.scalar(select(BusinessDay).where(BusinessDay.closed_at.is_(None)))


def require_open_day(session: Session) -> BusinessDay:
    day = current_day(session)
    if day is None:
        raise RuleError("day.not_open")
    return day


def _offset(at: dt.datetime) -> int:
    offset = at.replace(tzinfo=dt.UTC).astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


@dataclass(frozen=True)
class FloatGuess:
    """The float to offer when a day opens, and where it comes from: ``"counted"``, the
    cash counted at the last close (the Z records no cash taken out after the count, so
    the count is what was left in the box); ``"float"``, that day's own float when nothing
    was counted at its close; ``"first"``, :data:`FIRST_FLOAT` before any close."""

    amount: int
    source: Literal["counted", "float", "first"]
    date: dt.date | None = None  # the business day whose close it comes from


def float_guess(session: Session) -> FloatGuess:
    """What the next day's float is likely to be: what the last close left in the box."""
    last = session.scalar(select(BusinessDay).where(BusinessDay.closed_at.is_not(None))
                          .order_by(BusinessDay.id.desc()).limit(1))
    if last is None:
        return FloatGuess(FIRST_FLOAT, "first")
    if last.count_detail and last.counted is not None:
        return FloatGuess(last.counted, "counted", last.date)
    return FloatGuess(last.opening_float, "float", last.date)


def open_day(
    session: Session, opening_float: int, *, user: User | None, at: dt.datetime | None = None
) -> BusinessDay:
    if current_day(session) is not None:
        raise RuleError("day.already_open")
    if opening_float < 0:
        raise InputError("money.negative", text=str(opening_float))
    at = at or utcnow()
    offset = _offset(at)
    day = BusinessDay(
        date=(at + dt.timedelta(minutes=offset)).date(), opened_at=at, utc_offset_minutes=offset,
        opening_float=opening_float, opened_by=user.id if user else None, open_seq=0,
    )
    session.add(day)
    session.flush()
    link = journal.append(
        session, kind="day_open", ref=str(day.id), day_id=day.id, amount=0, at=at,
        data={"date": day.date.isoformat(), "float": opening_float, "offset": offset,
              "user": user.name if user else ""},
    )
    day.open_seq = link.seq
    return day


def cash_movement(
    session: Session, kind: str, amount: int, reason: str, *, user: User | None,
    at: dt.datetime | None = None,
) -> CashMovement:
    """Cash put into (``"in"``) or taken out of (``"out"``) the drawer, with a reason."""
    if kind not in ("in", "out"):
        raise InputError("cash.kind", kind=kind)
    if amount <= 0:
        raise InputError("money.zero")
    if not reason.strip():
        raise InputError("cash.reason_needed")
    day = require_open_day(session)
    at = at or utcnow()
    move = CashMovement(
        id=str(uuid.uuid4()), day_id=day.id, kind=kind, amount=amount, reason=reason.strip(),
        created_at=at, user_id=user.id if user else None,
    )
    link = journal.append(
        session, kind=f"cash_{kind}", ref=move.id, day_id=day.id, amount=0, at=at,
        data={"amount": amount, "reason": move.reason, "user": user.name if user else ""},
    )
    move.journal_seq = link.seq
    session.add(move)
    session.flush()
    return move


def counted_total(counts: Mapping[int, int]) -> int:
    """Cash in the drawer from a count by denomination (centimes -> how many)."""
    for denomination, number in counts.items():
        if denomination not in NOTES_AND_COINS:
            raise InputError("count.denomination", value=denomination)
        if number < 0:
            raise InputError("count.negative")
    return sum(d * n for d, n in counts.items())


def day_report_expected(session: Session) -> int:
    """Cash expected in the drawer of the open day."""
    from pos.reports import day_report

    return day_report(session, require_open_day(session)).cash.expected


def count_for(amount: int) -> dict[int, int]:
    """A count by denomination adding up to ``amount`` (largest notes first)."""
    counts: dict[int, int] = {}
    rest = max(0, amount)
    for denomination in NOTES_AND_COINS:
        counts[denomination], rest = divmod(rest, denomination)
    return {d: n for d, n in counts.items() if n}


def next_z_number(session: Session) -> int:
    """After the last Z, and after the Z reports of a journal that a restore set aside."""
    return journal.numbers_of(journal.driver_connection(session)).z + 1


def close_day(
    session: Session, counts: Mapping[int, int], *, manager: User,
    at: dt.datetime | None = None,
) -> BusinessDay:
    """Close the open day: count, Z number, journal. Returns the closed day."""
    from pos.reports import day_report

    if manager.role != MANAGER:
        raise RuleError("pin.not_manager", name=manager.name)
    day = require_open_day(session)
    counted = counted_total(counts)
    report = day_report(session, day)
    at = at or utcnow()
    day.closed_at = at
    day.closed_by = manager.id
    day.counted = counted
    day.count_detail = {str(d): n for d, n in sorted(counts.items(), reverse=True) if n}
    day.expected = report.cash.expected
    day.z_number = next_z_number(session)
    link = journal.append(
        session, kind="day_close", ref=str(day.id), day_id=day.id, amount=0, at=at,
        data={
            "z": day.z_number, "date": day.date.isoformat(), "expected": day.expected,
            "counted": counted, "count": day.count_detail, "net": report.net,
            "sales": report.sales_count, "refunds": report.refunds_count,
            "voids": report.voids_count, "user": manager.name,
        },
    )
    day.close_seq = link.seq
    session.flush()
    return day


def days(session: Session) -> list[BusinessDay]:
    return list(session.scalars(select(BusinessDay).order_by(BusinessDay.id.desc())))


def days_of_date(session: Session, date: dt.date) -> list[BusinessDay]:
    """The business days opened on ``date`` (local), oldest first: a day closed by mistake
    and opened again makes two, each with its own Z."""
    query = select(BusinessDay).where(BusinessDay.date == date).order_by(BusinessDay.id)
    return list(session.scalars(query))
