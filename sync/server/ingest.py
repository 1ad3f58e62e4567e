"""Enrolment, device authentication and the idempotent upsert of day summaries.

The upsert is per (device, business day) and replaces only an older version. It is
race-safe on both databases: on SQLite every write transaction holds the database's write
lock from its start (``BEGIN IMMEDIATE``); on PostgreSQL a push first updates its
device's row (``last_push_at``), which serialises the pushes of one device. The day itself
is written with one ``INSERT ... ON CONFLICT (device_id, business_day) DO UPDATE ... WHERE
excluded.version > day_summaries.version``, atomic on both databases. So two pushes of the
same day are applied one after the other and the older one never wins.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.protocol import (
    Bundle,
    CooperativeInfo,
    DaySummary,
    DayVersion,
    EnrolResponse,
    MarketInfo,
    PushResult,
    bundle_signature,
    canonical_json,
    token_hash,
)
from sync.server.db import Database, utcnow
from sync.server.models import (
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    EnrolCode,
    Market,
    MarketDay,
    SummaryBody,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
)
from sync.server.security import code_hash, new_token


class IngestError(Exception):
    """A request the server refuses; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadCode(IngestError):
    status = 400


class Unauthorised(IngestError):
    status = 401


class Forbidden(IngestError):
    status = 403


class Invalid(IngestError):
    status = 422


# --- enrolment ---------------------------------------------------------------------------


def enrol(session: Session, code: str, device_name: str, now: dt.datetime | None = None
          ) -> EnrolResponse:
    """Consume a one-time code and create a device with a new token (returned once)."""
    if "\x00" in device_name:
        raise Invalid("device_name must not contain NUL characters")
    now = now or utcnow()
    device_id = uuid.uuid4()
    consumed = session.execute(
        update(EnrolCode)
        .where(
            EnrolCode.code_hash == code_hash(code),
            EnrolCode.used_at.is_(None),
            EnrolCode.expires_at > now,
        )
        .values(used_at=now, device_id=device_id)
        .returning(EnrolCode.cooperative_id)
    ).scalar_one_or_none()
    if consumed is None:
        raise BadCode("this enrolment code is unknown, used already or expired")
    coop = session.get_one(Cooperative, consumed)
    market = session.get_one(Market, coop.market_id)
    token = new_token()
    session.add(
        Device(
            id=device_id, cooperative_id=coop.id, name=device_name.strip() or "device",
            token_hash=token_hash(token), enrolled_at=now,
        )
    )
    return EnrolResponse(
        device_id=device_id, token=token,
        cooperative=CooperativeInfo(
            id=coop.id, name_ar=coop.name_ar, name_fr=coop.name_fr,
            sector=coop.sector,  # type: ignore[arg-type]  # checked by the table
            province=coop.province, stand=coop.stand,
            market=MarketInfo(
                id=market.id, name_ar=market.name_ar, name_fr=market.name_fr,
                city=market.city, starts_on=market.starts_on, ends_on=market.ends_on,
            ),
        ),
    )


# --- authentication ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceAuth:
    device_id: uuid.UUID
    cooperative_id: int
    market_id: int


_BY_TOKEN = (
    select(Device.id, Device.token_hash, Device.revoked_at, Device.cooperative_id,
           Cooperative.market_id)
    .join(Cooperative, Cooperative.id == Device.cooperative_id)
    .where(Device.token_hash == bindparam("digest"))
)


def authenticate(session: Session, authorization: str | None) -> DeviceAuth:
    """The device a ``Bearer`` token belongs to; raises :class:`Unauthorised`."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("a bearer token is needed")
    digest = token_hash(token)
    row = session.connection().execute(_BY_TOKEN, {"digest": digest}).one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        raise Unauthorised("unknown token")
    if row.revoked_at is not None:
        raise Unauthorised("this device has been revoked")
    return DeviceAuth(row.id, row.cooperative_id, row.market_id)


# --- the upsert --------------------------------------------------------------------------


MAX_INT64 = 2**63 - 1


def check_summaries(auth: DeviceAuth, summaries: Sequence[DaySummary]) -> None:
    """What the schema cannot say: ownership (403) and consistency (422)."""
    for s in summaries:
        if s.device_id != auth.device_id:
            raise Forbidden(f"summary of {s.business_day} names another device")
        if s.cooperative_id is not None and s.cooperative_id != auth.cooperative_id:
            raise Forbidden(f"summary of {s.business_day} names another cooperative")
    seen: set[dt.date] = set()
    for i, s in enumerate(summaries):
        where = f"summaries.{i} ({s.business_day})"
        if s.business_day in seen:
            raise Invalid(f"{where}: this business day appears twice in the push")
        seen.add(s.business_day)
        problem = _inconsistency(s)
        if problem:
            raise Invalid(f"{where}: {problem}")


def _inconsistency(s: DaySummary) -> str | None:
    if s.net != s.gross - s.refunds - s.voids:
        return "net must equal gross - refunds - voids"
    if len({h.hour for h in s.hours}) != len(s.hours):
        return "an hour appears twice in hours"
    if len({p.method for p in s.payments}) != len(s.payments):
        return "a payment method appears twice in payments"
    if max(s.version, s.journal_head.seq, s.z_number or 0) > MAX_INT64:
        return f"version, journal_head.seq and z_number must be at most {MAX_INT64}"
    texts = [t for p in s.products for t in (p.product_id, p.name_ar, p.name_fr, p.category)]
    if any("\x00" in t for t in texts + [m.member for m in s.members]):
        return "texts must not contain NUL characters"
    for name, value in (("opened_at", s.opened_at), ("closed_at", s.closed_at)):
        try:
            _utc(value)
        except OverflowError:
            return f"{name} is out of range once converted to UTC"
    return None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _columns(auth: DeviceAuth, s: DaySummary, digest: str, now: dt.datetime
             ) -> dict[str, Any]:
    return {
        "device_id": auth.device_id, "cooperative_id": auth.cooperative_id,
        "market_id": auth.market_id, "business_day": s.business_day, "version": s.version,
        "digest": digest, "status": s.status, "z_number": s.z_number,
        "opened_at": _utc(s.opened_at), "closed_at": _utc(s.closed_at),
        "sales_count": s.sales_count, "refunds_count": s.refunds_count,
        "voids_count": s.voids_count, "gross": s.gross, "refunds": s.refunds,
        "voids": s.voids, "net": s.net, "discounts": s.discounts, "items": s.items,
        "cash_expected": s.cash.expected, "cash_counted": s.cash.counted,
        "cash_difference": s.cash.difference, "grand_total": s.grand_total,
        "journal_seq": s.journal_head.seq, "journal_hash": s.journal_head.hash,
        "received_at": now,
    }


_SUMMARIES = cast(Table, DaySummaryRow.__table__)
_BODIES = cast(Table, SummaryBody.__table__)
_HOURS = cast(Table, SummaryHour.__table__)
_PAYMENTS = cast(Table, SummaryPayment.__table__)
_PRODUCTS = cast(Table, SummaryProduct.__table__)
_MARKET_DAYS = cast(Table, MarketDay.__table__)
_DEVICES = cast(Table, Device.__table__)
_COUNTED = ("net", "gross", "refunds", "tickets", "devices", "closed")
_REPLACEABLE = [c.name for c in _SUMMARIES.columns if c.name not in ("id", "device_id",
                                                                    "business_day")]


@functools.cache
def _statements(dialect: str) -> dict[str, Any]:
    """The upsert's statements, built once per dialect (SQLAlchemy caches their SQL)."""
    module: Any = sqlite if dialect == "sqlite" else postgresql
    ins = module.insert(_SUMMARIES)
    body = module.insert(_BODIES)
    conflict = module.insert(Conflict.__table__)
    market_day = module.insert(_MARKET_DAYS)
    return {
        # inserts a new day, or replaces the stored one only if this version is newer
        "upsert": ins.on_conflict_do_update(
            index_elements=[_SUMMARIES.c.device_id, _SUMMARIES.c.business_day],
            set_={name: ins.excluded[name] for name in _REPLACEABLE},
            where=ins.excluded.version > _SUMMARIES.c.version,
        ).returning(_SUMMARIES.c.id),
        "body": body.on_conflict_do_update(
            index_elements=[_BODIES.c.summary_id], set_={"body": body.excluded.body}),
        "conflict": conflict.on_conflict_do_nothing(
            index_elements=["device_id", "business_day", "version", "received_digest"]),
        "stored": select(
            _SUMMARIES.c.version, _SUMMARIES.c.digest, _SUMMARIES.c.net, _SUMMARIES.c.gross,
            _SUMMARIES.c.refunds, _SUMMARIES.c.sales_count, _SUMMARIES.c.status,
        ).where(
            _SUMMARIES.c.device_id == bindparam("device_id"),
            _SUMMARIES.c.business_day == bindparam("business_day")),
        "market_day": market_day.on_conflict_do_update(
            index_elements=[_MARKET_DAYS.c.market_id, _MARKET_DAYS.c.business_day],
            set_={name: _MARKET_DAYS.c[name] + market_day.excluded[name] for name in _COUNTED},
        ),
        "device_totals": _DEVICES.update().where(_DEVICES.c.id == bindparam("device")).values(
            total_net=_DEVICES.c.total_net + bindparam("net"),
            total_tickets=_DEVICES.c.total_tickets + bindparam("tickets"),
            total_refunds=_DEVICES.c.total_refunds + bindparam("refunds"),
            days_closed=_DEVICES.c.days_closed + bindparam("closed"),
        ),
        "drop_payments": _PAYMENTS.delete().where(_PAYMENTS.c.summary_id == bindparam("sid")),
        "drop_hours": _HOURS.delete().where(_HOURS.c.summary_id == bindparam("sid")),
        "drop_products": _PRODUCTS.delete().where(_PRODUCTS.c.summary_id == bindparam("sid")),
        "payments": _PAYMENTS.insert(),
        "hours": _HOURS.insert(),
        "products": _PRODUCTS.insert(),
    }


def _write_lines(conn: Connection, sql: dict[str, Any], auth: DeviceAuth, summary_id: int,
                 s: DaySummary, body: str, replacing: bool) -> None:
    day, market = s.business_day, auth.market_id
    conn.execute(sql["body"], {"summary_id": summary_id, "body": body})
    if replacing:
        conn.execute(sql["drop_payments"], {"sid": summary_id})
        conn.execute(sql["drop_hours"], {"sid": summary_id})
        conn.execute(sql["drop_products"], {"sid": summary_id})
    if s.payments:
        conn.execute(sql["payments"], [
            {"summary_id": summary_id, "method": p.method, "amount": p.amount,
             "count": p.count} for p in s.payments
        ])
    if s.hours:
        conn.execute(sql["hours"], [
            {"summary_id": summary_id, "hour": h.hour, "market_id": market,
             "business_day": day, "amount": h.amount, "tickets": h.tickets} for h in s.hours
        ])
    if s.products:
        conn.execute(sql["products"], [
            {"summary_id": summary_id, "line": i, "market_id": market, "business_day": day,
             "cooperative_id": auth.cooperative_id, "product_id": p.product_id,
             "name_ar": p.name_ar, "name_fr": p.name_fr, "category": p.category,
             "quantity": p.quantity, "amount": p.amount} for i, p in enumerate(s.products)
        ])


@dataclass
class Deltas:
    """How a push changed a device's running totals (and, in ``days``, its market days')."""

    net: int = 0
    tickets: int = 0
    refunds: int = 0
    closed: int = 0
    days: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def add(self, new: DaySummary, old: Any) -> dict[str, Any]:
        """Account for ``new`` replacing ``old`` (a stored row, or None); the day's change."""
        was_closed = int(old is not None and old.status == "closed")
        change = {
            "net": new.net - (old.net if old else 0),
            "gross": new.gross - (old.gross if old else 0),
            "refunds": new.refunds - (old.refunds if old else 0),
            "tickets": new.sales_count - (old.sales_count if old else 0),
            "devices": 0 if old else 1,
            "closed": int(new.status == "closed") - was_closed,
        }
        self.days[new.business_day] = change
        self.net += change["net"]
        self.tickets += change["tickets"]
        self.refunds += change["refunds"]
        self.closed += change["closed"]
        return change


def upsert_summary(db: Database, session: Session, auth: DeviceAuth, s: DaySummary,
                   now: dt.datetime, deltas: Deltas | None = None) -> PushResult:
    """Store one summary unless the server holds its version or a newer one."""
    body = canonical_json(s.model_dump(mode="json")).decode()
    digest = hashlib.sha256(body.encode()).hexdigest()  # == protocol.summary_digest(s)
    day = s.business_day
    conn = session.connection()
    sql = _statements(conn.dialect.name)
    old = conn.execute(sql["stored"], {"device_id": auth.device_id, "business_day": day}
                       ).one_or_none()
    summary_id = conn.execute(sql["upsert"], _columns(auth, s, digest, now)).scalar()
    if summary_id is not None:
        _write_lines(conn, sql, auth, summary_id, s, body, replacing=old is not None)
        (deltas if deltas is not None else Deltas()).add(s, old)
        return PushResult(business_day=day, status="stored", version=s.version)
    if old is None:  # only a concurrent writer could do this; the device lock prevents it
        raise RuntimeError(f"the summary of {day} vanished during its upsert")
    if s.version < old.version:
        return PushResult(business_day=day, status="stale", version=old.version,
                          detail="the server holds a newer version")
    if hmac.compare_digest(digest, old.digest):
        return PushResult(business_day=day, status="unchanged", version=old.version)
    conn.execute(sql["conflict"], {
        "device_id": auth.device_id, "cooperative_id": auth.cooperative_id,
        "business_day": day, "version": s.version, "stored_digest": old.digest,
        "received_digest": digest, "received_at": now, "body": body,
    })
    return PushResult(business_day=day, status="conflict", version=old.version,
                      detail="the server holds a different body under this version")


_KNOWN_DAYS = (
    select(DaySummaryRow.business_day, DaySummaryRow.version)
    .where(DaySummaryRow.device_id == bindparam("device_id"))
    .order_by(DaySummaryRow.business_day)
)
_TOUCH = (
    update(Device)
    .where(Device.id == bindparam("device_id"), Device.revoked_at.is_(None))
    .values(last_push_at=bindparam("now"))
)


def known_days(session: Session, device_id: uuid.UUID) -> list[DayVersion]:
    rows = session.connection().execute(_KNOWN_DAYS, {"device_id": device_id})
    return [DayVersion(business_day=d, version=v) for d, v in rows]


def push(db: Database, session: Session, auth: DeviceAuth, summaries: Sequence[DaySummary]
         ) -> tuple[list[PushResult], list[DayVersion]]:
    """Check then upsert a batch (ordered by day, so concurrent batches lock in order)."""
    check_summaries(auth, summaries)
    now = utcnow()
    seen = session.connection().execute(_TOUCH, {"device_id": auth.device_id, "now": now})
    if seen.rowcount != 1:
        raise Unauthorised("this device has been revoked")
    deltas = Deltas()
    by_day = {s.business_day: upsert_summary(db, session, auth, s, now, deltas)
              for s in sorted(summaries, key=lambda s: s.business_day)}
    days = known_days(session, auth.device_id)
    if deltas.days:
        conn = session.connection()
        sql = _statements(conn.dialect.name)
        conn.execute(sql["device_totals"], {
            "device": auth.device_id, "net": deltas.net, "tickets": deltas.tickets,
            "refunds": deltas.refunds, "closed": deltas.closed,
        })
        # last, in day order: every device of the market updates these rows, so their
        # locks are held only until the commit that follows, and never in crossed order
        for day in sorted(deltas.days):
            conn.execute(sql["market_day"], {"market_id": auth.market_id, "business_day": day,
                                             **deltas.days[day]})
    return [by_day[s.business_day] for s in summaries], days


# --- day-close bundles -------------------------------------------------------------------


def import_bundle(db: Database, session: Session, bundle: Bundle) -> list[PushResult]:
    """Apply a signed day-close bundle exactly like a push from its device."""
    row = session.execute(
        select(Device.token_hash, Device.revoked_at, Device.cooperative_id,
               Cooperative.market_id)
        .join(Cooperative, Cooperative.id == Device.cooperative_id)
        .where(Device.id == bundle.device_id)
    ).one_or_none()
    if row is None:
        raise Unauthorised(f"the bundle comes from an unknown device {bundle.device_id}")
    expected = bundle_signature(row.token_hash, bundle.device_id, list(bundle.summaries))
    if not hmac.compare_digest(expected, bundle.signature):
        raise Unauthorised("the bundle's signature does not match its device")
    if row.revoked_at is not None:
        raise Unauthorised(f"device {bundle.device_id} has been revoked")
    auth = DeviceAuth(bundle.device_id, row.cooperative_id, row.market_id)
    results, _ = push(db, session, auth, bundle.summaries)
    return results
