"""Enrolment, device authentication and the idempotent upsert of day summaries.

The upsert is per (device, business day) and replaces only an older version (ordered by
the stall's restore count, then the version: see :func:`upsert_summary`). It is
race-safe on both databases: on SQLite every write transaction holds the database's write
lock from its start (``BEGIN IMMEDIATE``); on PostgreSQL a push first locks its device's
row, which serialises the pushes of one device. The day itself is written with one
``INSERT ... ON CONFLICT (device_id, business_day) DO UPDATE ... WHERE (excluded.restores,
excluded.version) > (day_summaries.restores, day_summaries.version)``, atomic on both
databases. So two pushes of the same day are applied one after the other and the older
one never wins.

The API applies pushes in batches, one transaction each (see :mod:`sync.server.writer`);
:func:`push` applies one in a caller's session (bundles, tests).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast

import orjson
from pydantic import ValidationError
from sqlalchemy import Connection, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from sync.protocol import (
    MAX_REFUSAL_BYTES,
    STAND_SINCE,
    Bundle,
    CooperativeInfo,
    DaySummary,
    DayVersion,
    EnrolResponse,
    MarketInfo,
    PushResult,
    Refusal,
    Replaced,
    bundle_signature,
    summary_digest,
    summary_json,
    token_hash,
)
from sync.server import messages
from sync.server.db import Database, utcnow
from sync.server.models import (
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    EnrolCode,
    Market,
    RestoredDay,
    SummaryProduct,
)
from sync.server.security import code_hashes, new_token


class IngestError(Exception):
    """A request the server refuses; ``status`` is the HTTP status to answer with.

    ``detail`` is the API's answer in English; ``key`` and ``params``, the message the
    organisers read (``souk-server import``) in their language, which the API sends too
    (:meth:`refusal`) for the stall to tell the manager in theirs. Every refusal an import
    or a push can meet has a key; the others (enrolment, tokens) are answered in English.
    """

    status = 400

    def __init__(self, detail: str, key: str | None = None, /, **params: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.key = key
        self.params = params

    def message(self, lang: str) -> str:
        """The refusal in ``lang`` (the API's English words when it has no message id)."""
        return self.detail if self.key is None else messages.message(lang, self.key, self.params)

    def refusal(self) -> Refusal | None:
        """The message id and parameters as the API sends them (``sync.protocol.Refusal``),
        or None when there is no message id, or it does not fit the protocol's limits (the
        English ``detail`` then says it alone)."""
        if self.key is None:
            return None
        try:
            refusal = Refusal(key=self.key, params={k: _wire_param(v)
                                                    for k, v in self.params.items()})
        except ValidationError:
            return None
        return refusal if len(refusal.header()) <= MAX_REFUSAL_BYTES else None


def problem_at(error: Any, whole: str = "body") -> str:
    """Where one problem of a validation error is, by its fields' names:
    ``summaries.0.net`` (``whole`` for the whole body or file)."""
    return ".".join(str(p) for p in error.get("loc", ()) if p != "body") or whole


def first_problem(exc: ValidationError | Any, whole: str = "body") -> tuple[str, int]:
    """Where the first problem of a validation error is (:func:`problem_at`) and how many
    there are: what a refusal says, in the reader's language, rather than pydantic's
    English."""
    errors = exc.errors()
    return (problem_at(errors[0], whole) if errors else whole), len(errors)


def _wire_param(value: object) -> str:
    """A parameter as the stall gets it: dates in ISO form, a field by its English name."""
    if isinstance(value, messages.Field):
        return messages.tr("en", value.key)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


class BadCode(IngestError):
    status = 400


class Unauthorised(IngestError):
    status = 401


class Forbidden(IngestError):
    status = 403


class Invalid(IngestError):
    status = 422


class Malformed(IngestError):
    """A body that cannot be read (a corrupt gzip body)."""

    status = 400


class TooLarge(IngestError):
    status = 413


class Unsupported(IngestError):
    """A body in an encoding the server does not take."""

    status = 415


class OutsideMarket(Invalid):
    """A pushed day outside its device's market's dates."""

    def __init__(self, where: str, day: dt.date, starts_on: dt.date, ends_on: dt.date
                 ) -> None:
        super().__init__(f"{where}: this business day is outside the market's dates "
                         f"({starts_on} to {ends_on})", "server.err.day_outside_market",
                         day=day, starts=starts_on, ends=ends_on)
        self.day, self.starts_on, self.ends_on = day, starts_on, ends_on


# --- enrolment ---------------------------------------------------------------------------


def enrol(session: Session, code: str, device_name: str, now: dt.datetime | None = None, *,
          installation_id: uuid.UUID | None = None,
          previous_device_id: uuid.UUID | None = None, city_ar: bool = False
          ) -> EnrolResponse:
    """Consume a one-time code and give its stall a device with a new token (returned once).

    A stall the code's market already has a device for (the same ``installation_id``, or
    the ``previous_device_id`` of a device enrolled without one) gets that device back:
    same id, so the days the server holds stay its days and are not pushed twice; a new
    token, so the old one stops working; its revocation lifted. When the code is another
    cooperative's (the organisers gave the stall the wrong one first), the device moves to
    it with every day it pushed: the market's figures stay as they are, the stall's sales
    are its new cooperative's. Any other stall, or the same stall in another market (the
    next edition, whose figures are its own), gets a new device. ``city_ar``: the stall
    reads the market's city in Arabic (see :func:`market_info`). A code is found as typed
    or with the characters a person takes for others read as the code's own
    (:func:`~sync.server.security.code_hashes`).
    """
    if "\x00" in device_name:
        raise Invalid("device_name must not contain NUL characters",
                      "server.err.device_name_nul")
    now = now or utcnow()
    digests = code_hashes(code)  # as typed, then its confusable characters read
    valid = (EnrolCode.used_at.is_(None), EnrolCode.expires_at > now)
    found = dict(session.execute(
        select(EnrolCode.code_hash, EnrolCode.id).where(EnrolCode.code_hash.in_(digests),
                                                        *valid)).all())
    consumed = None
    for digest in digests:
        if digest in found:  # taken only once, by whichever enrolment takes it first
            consumed = session.execute(
                update(EnrolCode).where(EnrolCode.id == found[digest], *valid)
                .values(used_at=now).returning(EnrolCode.id, EnrolCode.cooperative_id)
            ).one_or_none()
            break
    if consumed is None:
        raise BadCode("this enrolment code is unknown, used already or expired",
                      "server.err.enrol_code")
    code_id, cooperative_id = consumed
    coop = session.get_one(Cooperative, cooperative_id)
    # PostgreSQL: the enrolments of one market one at a time (SQLite: the write lock), so
    # that two codes used at once by one stall still make one device; a push's foreign key
    # checks take a weaker lock that this one does not wait for
    market = session.scalars(
        select(Market).where(Market.id == coop.market_id).with_for_update(key_share=True)
    ).one()
    name = device_name.strip() or "device"
    token = new_token()
    device = _enrolled_before(session, coop, installation_id, previous_device_id)
    moved = False
    if device is None:
        device = Device(
            id=uuid.uuid4(), cooperative_id=coop.id, name=name, token_hash=token_hash(token),
            enrolled_at=now, installation_id=installation_id,
        )
        session.add(device)
    else:
        moved = device.cooperative_id != coop.id
        device.cooperative_id = coop.id
        device.name = name
        device.token_hash = token_hash(token)
        device.revoked_at = None
        if installation_id is not None:
            device.installation_id = installation_id
    session.flush()
    if moved:
        _move_days(session, device.id, coop.id)
    session.execute(update(EnrolCode).where(EnrolCode.id == code_id)
                    .values(device_id=device.id))
    return EnrolResponse(
        device_id=device.id, token=token,
        cooperative=CooperativeInfo(
            id=coop.id, name_ar=coop.name_ar, name_fr=coop.name_fr,
            sector=coop.sector,  # type: ignore[arg-type]  # checked by the table
            province=coop.province, stand=coop.stand,
            market=market_info(session, market.id, city_ar=city_ar),
        ),
    )


def _enrolled_before(session: Session, coop: Cooperative, installation_id: uuid.UUID | None,
                     previous_device_id: uuid.UUID | None) -> Device | None:
    """This stall's device in the market of ``coop``, if it has one, its row locked.

    A device is the stall's by its installation id or, enrolled without one, by being the
    ``previous_device_id`` the stall names. Should the stall have several in the market
    (enrolled into two of its cooperatives before they were moved), the one of ``coop``
    comes first, then the one of its installation id, the one it names, the latest.
    """
    mine = []
    if installation_id is not None:
        mine.append(Device.installation_id == installation_id)
    if previous_device_id is not None:
        mine.append(and_(Device.id == previous_device_id, Device.installation_id.is_(None)))
    if not mine:
        return None
    found = list(session.scalars(
        select(Device).join(Cooperative, Cooperative.id == Device.cooperative_id)
        .where(Cooperative.market_id == coop.market_id, or_(*mine))
        .order_by(Device.id)  # locked in the order the push writer locks devices
        .with_for_update(of=Device)
    ))
    found.sort(key=lambda d: d.enrolled_at, reverse=True)
    return min(found, default=None, key=lambda d: (
        d.cooperative_id != coop.id, d.installation_id != installation_id,
        d.id != previous_device_id))


def _move_days(session: Session, device_id: uuid.UUID, cooperative_id: int) -> None:
    """Give the days a device pushed (their product lines, their conflicts) to the
    cooperative it moved to, in its market: the market's running totals and its hours
    stay as they are, the device's running totals moved with it."""
    days = select(DaySummaryRow.id).where(DaySummaryRow.device_id == device_id)
    for table, where in (
        (DaySummaryRow, DaySummaryRow.device_id == device_id),
        (SummaryProduct, SummaryProduct.summary_id.in_(days)),
        (Conflict, Conflict.device_id == device_id),
        (RestoredDay, RestoredDay.device_id == device_id),
    ):
        session.execute(update(table).where(where).values(cooperative_id=cooperative_id),
                        execution_options={"synchronize_session": False})


# --- authentication ----------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceAuth:
    device_id: uuid.UUID
    cooperative_id: int
    market_id: int
    #: the market's dates: a pushed day must fall within them (unchecked when None)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    #: the device's last contact as the server held it when its token was looked up
    seen_at: dt.datetime | None = None


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer ...`` header; raises :class:`Unauthorised`."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("a bearer token is needed", "server.err.token_missing")
    return token


def authenticate(session: Session, authorization: str | None) -> DeviceAuth:
    """The device a ``Bearer`` token belongs to (its row not locked), with its last
    contact; raises :class:`Unauthorised`."""
    store = Store.of(session.connection())
    cursor, digest = store.find_device(bearer_token(authorization), lock=False)
    return store.device_found(cursor.fetchone(), digest)


#: a device's last contact is written at most this often (its requests in between leave it)
CONTACT_EVERY = dt.timedelta(minutes=1)


def contact_due(auth: DeviceAuth, now: dt.datetime) -> bool:
    """Whether a request of ``auth``'s device at ``now`` is to be written as its last
    contact: the one held is older than :data:`CONTACT_EVERY` (or there is none)."""
    return auth.seen_at is None or auth.seen_at < now - CONTACT_EVERY


def touch_contact(session: Session, device_id: uuid.UUID, now: dt.datetime) -> bool:
    """Write ``now`` as the device's last contact unless one was written less than
    :data:`CONTACT_EVERY` before (by another request, another server process) or the
    device was revoked meanwhile; whether it was written."""
    written = session.connection().execute(_CONTACT, {
        "device_id": device_id, "now": now, "since": now - CONTACT_EVERY})
    return bool(written.rowcount)


# --- the upsert --------------------------------------------------------------------------


MAX_INT64 = 2**63 - 1


def check_summaries(auth: DeviceAuth, summaries: Sequence[DaySummary]) -> None:
    """What the schema cannot say: ownership (403), consistency and days within the
    market's dates (422)."""
    for s in summaries:
        if s.device_id != auth.device_id:
            raise Forbidden(f"summary of {s.business_day} names another device",
                            "server.err.day_other_device", day=s.business_day)
        if s.cooperative_id is not None and s.cooperative_id != auth.cooperative_id:
            raise Forbidden(f"summary of {s.business_day} names another cooperative",
                            "server.err.day_other_cooperative", day=s.business_day,
                            named=s.cooperative_id, cooperative=auth.cooperative_id)
    seen: set[dt.date] = set()
    for i, s in enumerate(summaries):
        where = f"summaries.{i} ({s.business_day})"
        if s.business_day in seen:
            raise Invalid(f"{where}: this business day appears twice in the push",
                          "server.err.day_twice", day=s.business_day)
        seen.add(s.business_day)
        if auth.starts_on is not None and auth.ends_on is not None and not (
                auth.starts_on <= s.business_day <= auth.ends_on):
            raise OutsideMarket(where, s.business_day, auth.starts_on, auth.ends_on)
        problem = _inconsistency(s)
        if problem:
            words, key, params = problem
            raise Invalid(f"{where}: {words}", key, day=s.business_day, **params)


Problem = tuple[str, str, dict[str, object]]  # the API's words, a message id, its parameters


def _inconsistency(s: DaySummary) -> Problem | None:
    if s.net != s.gross - s.refunds - s.voids:
        return "net must equal gross - refunds - voids", "server.err.day_net", {}
    if len({h.hour for h in s.hours}) != len(s.hours):
        return "an hour appears twice in hours", "server.err.day_hour_twice", {}
    if len({p.method for p in s.payments}) != len(s.payments):
        return "a payment method appears twice in payments", "server.err.day_payment_twice", {}
    if len({p.product_id for p in s.products}) != len(s.products):
        return "a product appears twice in products", "server.err.day_product_twice", {}
    problem = _breakdown_problem(s)
    if problem:
        return problem
    if max(s.version, s.journal_head.seq, s.z_number or 0) > MAX_INT64:
        return (f"version, journal_head.seq and z_number must be at most {MAX_INT64}",
                "server.err.day_too_large", {"max": MAX_INT64})
    texts = [t for p in s.products for t in (p.product_id, p.name_ar, p.name_fr, p.category)]
    if "\x00" in "".join(texts + [m.member for m in s.members]):  # one search, not one per text
        return "texts must not contain NUL characters", "server.err.day_nul", {}
    for name, value in (("opened_at", s.opened_at), ("closed_at", s.closed_at)):
        try:
            _utc(value)
        except OverflowError:
            return (f"{name} is out of range once converted to UTC",
                    f"server.err.day_{name}_range", {"time": value})
    return None


def _breakdown_problem(s: DaySummary) -> Problem | None:
    """A breakdown that does not add up to the day's own figures.

    The stall makes each breakdown of a day from the same sales, lines and payments as its
    totals (``pos.reports``): a sale's lines and its payments add up to its total (change
    given back is not a payment), a refund or a void reverses both; so on every summary it
    builds, the hours, the payments, the products and the members add up to the net to the
    centime, and the cash expected follows from the cash taken. The organisers see these
    breakdowns beside the totals: a day where they disagree would show two figures for one
    thing. The taxes are not among them (only taxed rates are listed), nor the payments'
    counts (a sale paid in two ways counts in both).
    """
    net, cash = s.net, s.cash
    if sum(h.amount for h in s.hours) != net:
        return "the hours' amounts must add up to net", "server.err.day_hours_net", {}
    if sum(h.tickets for h in s.hours) != s.sales_count:
        return ("the hours' tickets must add up to sales_count",
                "server.err.day_hours_tickets", {})
    if sum(p.amount for p in s.payments) != net:
        return "the payments' amounts must add up to net", "server.err.day_payments_net", {}
    if sum(p.amount for p in s.products) != net:
        return "the products' amounts must add up to net", "server.err.day_products_net", {}
    if s.items != sum(p.quantity for p in s.products if p.product_id):
        return ("items must equal the quantities of the products with a product_id",
                "server.err.day_items", {})
    if sum(m.amount for m in s.members) != net:
        return "the members' amounts must add up to net", "server.err.day_members_net", {}
    if sum(m.quantity for m in s.members) != sum(p.quantity for p in s.products):
        return ("the members' quantities must add up to the products' quantities",
                "server.err.day_members_quantity", {})
    taken = sum(p.amount for p in s.payments if p.method == "cash")
    if cash.expected != cash.opening_float + taken + cash.cash_in - cash.cash_out:
        return ("cash.expected must equal cash.opening_float + the cash payments + "
                "cash.cash_in - cash.cash_out", "server.err.day_cash_expected", {})
    if (cash.counted is None) != (cash.difference is None) or (
            cash.counted is not None and cash.difference != cash.counted - cash.expected):
        return ("cash.difference must equal cash.counted - cash.expected (both null when "
                "not counted)", "server.err.day_cash_difference", {})
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
        "received_at": now, "restores": s.restores or 0,
    }


_SUMMARIES = cast(Table, DaySummaryRow.__table__)
_COUNTED = ("net", "gross", "refunds", "tickets", "devices", "closed")
_REPLACEABLE = [c.name for c in _SUMMARIES.columns if c.name not in ("id", "device_id",
                                                                    "business_day")]


@dataclass(frozen=True, slots=True)
class Held:
    """What the server holds of one (device, day): enough to judge a push and its deltas."""

    version: int
    digest: str
    net: int
    gross: int
    refunds: int
    sales_count: int
    status: str
    restores: int  # the stall's restore count as of this version (0: never restored)

    @property
    def key(self) -> tuple[int, int]:
        """What orders a day's summaries: (restore count, version)."""
        return self.restores, self.version


def summary_key(s: DaySummary) -> tuple[int, int]:
    """A summary's (restore count, version): see :func:`upsert_summary`."""
    return s.restores or 0, s.version


_SUMMARY_COLUMNS = ["device_id", "business_day", *_REPLACEABLE]
_HELD_COLUMNS = ("business_day", *(f.name for f in fields(Held)))
_HELD_SQL = (f"SELECT {', '.join(_HELD_COLUMNS)} FROM day_summaries WHERE device_id = {{p}}")
# PostgreSQL: what the devices of several token digests hold, led by the device's id
_HELD_BY_TOKENS = (
    f"SELECT s.device_id, {', '.join('s.' + c for c in _HELD_COLUMNS)} FROM day_summaries s "
    "JOIN devices d ON d.id = s.device_id WHERE d.token_hash = ANY(%s)")


def _upsert_sql(p: str, *, rows: str = "", returning: str = "id") -> str:
    """INSERT a day, or replace the stored one only if this version is newer; its id.

    ``p`` formats a column's placeholder; with ``rows``, the days are read from that
    relation (one per device and day) instead of one row of placeholders."""
    names = ", ".join(_SUMMARY_COLUMNS)
    values = ", ".join(p.format(name) for name in _SUMMARY_COLUMNS)
    source = f"SELECT {values} FROM {rows}" if rows else f"VALUES ({values})"
    sets = ", ".join(f"{name} = excluded.{name}" for name in _REPLACEABLE)
    return (f"INSERT INTO day_summaries ({names}) {source} "
            f"ON CONFLICT (device_id, business_day) DO UPDATE SET {sets} "
            "WHERE (excluded.restores, excluded.version) > (day_summaries.restores, "
            f"day_summaries.version) RETURNING {returning}")


def _pg_record() -> str:
    """The columns of a day as ``json_to_recordset`` reads them, and ``n``: the place of its
    body in the array of bodies sent beside (text, so that it is kept exactly)."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    typed = [f"{n} {_SUMMARIES.c[n].type.compile(dialect=dialect)}" for n in _SUMMARY_COLUMNS]
    return ", ".join([*typed, "n int"])


def _unchanged(table: str, keys: dict[str, str], values: dict[str, str]) -> str:
    """SQL true when ``table`` holds the line at ``keys`` with ``values`` already (both
    map a column to the expression proposed for it)."""
    key = " AND ".join(f"x.{column} = {e}" for column, e in keys.items())
    stored = ", ".join(f"x.{column}" for column in values)
    return (f"EXISTS (SELECT FROM {table} x WHERE {key} "
            f"AND ({stored}) IS NOT DISTINCT FROM ({', '.join(values.values())}))")


# PostgreSQL: the days of a batch (one per device and day), their bodies, their lines and
# their devices' running totals in one statement. The days come as one JSON array and their
# bodies as an array of texts; the lines are read from each body (parsed once, as jsonb)
# and upserted by key. A line whose row is already stored as proposed is left out (most
# are, from one push of a day to the next): not even locked, so it costs no write. The keys
# a new version no longer has are deleted; the deletes and the upserts touch disjoint rows,
# so the statement's parts cannot interfere. It fails (souk_check, migration 0003) unless it
# wrote every day it was given: the writer sends the COMMIT right behind it without waiting,
# and a failed statement turns that COMMIT into a rollback.
_PG_STORE = f"""WITH t AS (
  SELECT * FROM json_to_recordset(%(days)s::json) AS t({_pg_record()})),
up AS ({_upsert_sql("{}", rows="t", returning="id, device_id, business_day")}),
j AS (
  SELECT up.id, t.market_id, t.cooperative_id, t.business_day,
         (%(bodies)b::text[])[t.n] AS text
  FROM up JOIN t ON t.device_id = up.device_id AND t.business_day = up.business_day),
jb AS (SELECT j.id, j.market_id, j.cooperative_id, j.business_day, j.text::jsonb AS b FROM j),
body AS (
  INSERT INTO summary_bodies (summary_id, body) SELECT id, text FROM j
  ON CONFLICT (summary_id) DO UPDATE SET body = excluded.body),
pays AS (
  SELECT jb.id, p.* FROM jb, jsonb_to_recordset(jb.b->'payments') AS p(method text,
                                                                       amount bigint,
                                                                       count bigint)),
pay_gone AS (
  DELETE FROM summary_payments o USING jb WHERE o.summary_id = jb.id
  AND NOT EXISTS (SELECT FROM pays p WHERE p.id = o.summary_id AND p.method = o.method)),
pay AS (
  INSERT INTO summary_payments AS o (summary_id, method, amount, count)
  SELECT * FROM pays p
  WHERE NOT {_unchanged("summary_payments", {"summary_id": "p.id", "method": "p.method"},
                        {"amount": "p.amount", "count": "p.count"})}
  ON CONFLICT (summary_id, method) DO UPDATE
  SET amount = excluded.amount, count = excluded.count WHERE o IS DISTINCT FROM excluded),
hours AS (
  SELECT jb.id, jb.market_id, jb.business_day, h.* FROM jb,
         jsonb_to_recordset(jb.b->'hours') AS h(hour int, amount bigint, tickets bigint)),
hour_gone AS (
  DELETE FROM summary_hours o USING jb WHERE o.summary_id = jb.id
  AND NOT EXISTS (SELECT FROM hours h WHERE h.id = o.summary_id AND h.hour = o.hour)),
hrs AS (
  INSERT INTO summary_hours AS o (summary_id, market_id, business_day, hour, amount, tickets)
  SELECT * FROM hours h
  WHERE NOT {_unchanged("summary_hours", {"summary_id": "h.id", "hour": "h.hour"},
                        {c: f"h.{c}" for c in ("market_id", "business_day", "amount",
                                               "tickets")})}
  ON CONFLICT (summary_id, hour) DO UPDATE
  SET amount = excluded.amount, tickets = excluded.tickets WHERE o IS DISTINCT FROM excluded),
products AS (
  SELECT jb.id, jb.market_id, jb.business_day, jb.cooperative_id, p.pid, p.ar, p.fr, p.c,
         p.q, p.a, coalesce(p.u, jb.b->>'default_unit') AS u, p.n FROM jb,
    ROWS FROM (jsonb_to_recordset(jb.b->'products') AS (product_id text, name_ar text,
      name_fr text, category text, quantity bigint, amount bigint, unit text))
    WITH ORDINALITY AS p(pid, ar, fr, c, q, a, u, n)),
prod_gone AS (
  DELETE FROM summary_products o USING jb WHERE o.summary_id = jb.id
  AND o.line >= jsonb_array_length(jb.b->'products')),
prods AS (
  INSERT INTO summary_products AS o (summary_id, line, market_id, business_day,
    cooperative_id, product_id, name_ar, name_fr, category, quantity, amount, unit)
  SELECT id, n - 1, market_id, business_day, cooperative_id, pid, ar, fr, c, q, a, u
  FROM products p
  WHERE NOT {_unchanged("summary_products", {"summary_id": "p.id", "line": "p.n - 1"}, {
      "market_id": "p.market_id", "business_day": "p.business_day",
      "cooperative_id": "p.cooperative_id", "product_id": "p.pid", "name_ar": "p.ar",
      "name_fr": "p.fr", "category": "p.c", "quantity": "p.q", "amount": "p.a",
      "unit": "p.u"})}
  ON CONFLICT (summary_id, line) DO UPDATE
  SET product_id = excluded.product_id, name_ar = excluded.name_ar,
      name_fr = excluded.name_fr, category = excluded.category,
      quantity = excluded.quantity, amount = excluded.amount, unit = excluded.unit
  WHERE o IS DISTINCT FROM excluded),
devices AS (
  UPDATE devices d SET last_push_at = x.now,
    last_seen_at = coalesce(x.seen, d.last_seen_at), total_net = d.total_net + x.net,
    total_tickets = d.total_tickets + x.tickets, total_refunds = d.total_refunds + x.refunds,
    days_closed = d.days_closed + x.closed
  FROM json_to_recordset(%(devices)s::json) AS x(id uuid, now timestamp, seen timestamp,
                                                  net bigint, tickets bigint,
                                                  refunds bigint, closed int)
  WHERE d.id = x.id)
SELECT souk_check(count(*) = %(count)s, 'a day changed during its upsert') FROM up"""
_PG_STORE = " ".join(_PG_STORE.split())

# PostgreSQL: a batch's changes to the market days, in (market, day) order
_PG_MARKET_DAYS = """INSERT INTO market_days (market_id, business_day, net, gross, refunds,
                         tickets, devices, closed)
SELECT t.m, t.d, t.net, t.gross, t.refunds, t.tickets, t.devices, t.closed
FROM unnest(%(market)s::int[], %(day)s::date[], %(net)s::bigint[], %(gross)s::bigint[],
            %(refunds)s::bigint[], %(tickets)s::bigint[], %(devices)s::int[],
            %(closed)s::int[]) AS t(m, d, net, gross, refunds, tickets, devices, closed)
ORDER BY t.m, t.d
ON CONFLICT (market_id, business_day) DO UPDATE
SET net = market_days.net + excluded.net, gross = market_days.gross + excluded.gross,
    refunds = market_days.refunds + excluded.refunds,
    tickets = market_days.tickets + excluded.tickets,
    devices = market_days.devices + excluded.devices,
    closed = market_days.closed + excluded.closed"""

_LITE_UPSERT = _upsert_sql(":{}")
_LITE_BODY = ("INSERT INTO summary_bodies (summary_id, body) VALUES (?, ?) "
              "ON CONFLICT (summary_id) DO UPDATE SET body = excluded.body")
# SQLite: the lines are upserted by key, each written only if it changed (most do not from
# one push of a day to the next), and the keys the new version no longer has are deleted
_LITE_PAYMENTS = (
    "INSERT INTO summary_payments (summary_id, method, amount, count) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (summary_id, method) DO UPDATE SET amount = excluded.amount, count = "
    "excluded.count WHERE (amount, count) IS NOT (excluded.amount, excluded.count)")
_LITE_HOURS = (
    "INSERT INTO summary_hours (summary_id, hour, market_id, business_day, amount, tickets) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (summary_id, hour) DO UPDATE SET amount = "
    "excluded.amount, tickets = excluded.tickets WHERE (amount, tickets) IS NOT "
    "(excluded.amount, excluded.tickets)")
_PRODUCT_FIELDS = ("product_id", "name_ar", "name_fr", "category", "quantity", "amount",
                   "unit")
_LITE_PRODUCTS = (
    "INSERT INTO summary_products (summary_id, line, market_id, business_day, cooperative_id, "
    "product_id, name_ar, name_fr, category, quantity, amount, unit) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (summary_id, line) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in _PRODUCT_FIELDS)
    + f" WHERE ({', '.join(_PRODUCT_FIELDS)}) IS NOT "
    f"({', '.join('excluded.' + n for n in _PRODUCT_FIELDS)})")
_LITE_GONE = [
    "DELETE FROM summary_payments WHERE summary_id = ? AND method NOT IN (SELECT value FROM "
    "json_each(?))",
    "DELETE FROM summary_hours WHERE summary_id = ? AND hour NOT IN (SELECT value FROM "
    "json_each(?))",
    "DELETE FROM summary_products WHERE summary_id = ? AND line >= ?",
]
_LITE_DEVICE = ("UPDATE devices SET last_push_at = ?, last_seen_at = coalesce(?, last_seen_at), "
                "total_net = total_net + ?, total_tickets = total_tickets + ?, "
                "total_refunds = total_refunds + ?, days_closed = days_closed + ? WHERE id = ?")
_LITE_MARKET_DAY = (
    "INSERT INTO market_days (market_id, business_day, net, gross, refunds, tickets, devices, "
    "closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (market_id, business_day) DO UPDATE "
    "SET " + ", ".join(f"{n} = market_days.{n} + excluded.{n}" for n in _COUNTED))
_DEVICE_BY_TOKEN = (
    "SELECT d.id, d.token_hash, d.revoked_at, d.cooperative_id, c.market_id, m.starts_on, "
    "m.ends_on, d.last_seen_at FROM devices d JOIN cooperatives c ON c.id = d.cooperative_id "
    "JOIN markets m ON m.id = c.market_id WHERE d.token_hash = {p}")
_SEEN_AT = 7  # where the device's last contact is in its row
# :data:`_CONTACT` on the driver, for a push refused: its device's last refusal (when, why),
# and its last contact unless one was written less than a minute before
_SEEN = ("UPDATE devices SET last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < {p} "
         "THEN {p} ELSE last_seen_at END, refused_at = {p}, refused_key = {p}, "
         "refused_params = {p} WHERE id = {p} AND revoked_at IS NULL")
_CONFLICT = (
    "INSERT INTO conflicts (device_id, cooperative_id, business_day, version, stored_digest, "
    "received_digest, received_at, body) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}) "
    "ON CONFLICT (device_id, business_day, version, received_digest) DO NOTHING")
# what a summary sent after a restore of its stall replaces, kept (see RestoredDay)
_KEEP_REPLACED = (
    "INSERT INTO restored_days (device_id, cooperative_id, market_id, business_day, "
    "restores, version, held_restores, status, net, gross, refunds, sales_count, digest, "
    "body, new_version, new_net, new_sales_count, received_at) "
    "SELECT s.device_id, s.cooperative_id, s.market_id, s.business_day, {p}, s.version, "
    "s.restores, s.status, s.net, s.gross, s.refunds, s.sales_count, s.digest, "
    "coalesce(b.body, ''), {p}, {p}, {p}, {p} FROM day_summaries s "
    "LEFT JOIN summary_bodies b ON b.summary_id = s.id "
    "WHERE s.device_id = {p} AND s.business_day = {p} "
    "ON CONFLICT (device_id, business_day, restores) DO NOTHING")
_STORED_BODY = ("SELECT b.body FROM summary_bodies b JOIN day_summaries s ON s.id = "
                "b.summary_id WHERE s.device_id = {p} AND s.business_day = {p}")


def _lite_time(value: dt.datetime | None) -> str | None:
    """A naive datetime as SQLAlchemy's SQLite dialect stores it."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


MarketDays = dict[tuple[int, dt.date], dict[str, int]]


class Store:
    """A push's statements on a driver connection (no ORM on this path).

    Values are passed as the driver and SQLAlchemy's column types expect them, so what is
    written is exactly what the models read back. The caller owns the transaction.
    ``online``: the pushes come from their devices themselves, each one's contact
    (``last_seen_at``), written with its totals; not a bundle's.
    """

    def __init__(self, driver: Any, sqlite: bool, *, online: bool = True) -> None:
        self.sqlite = sqlite
        self.driver = driver
        self.online = online
        self.p = "?" if sqlite else "%s"
        # PostgreSQL: the days (JSON of their columns, body) and device totals to send
        # (:meth:`send_staged`), and the statements sent (:meth:`check_stored`)
        self.staged: list[tuple[str, str]] = []
        self.totals: dict[uuid.UUID, dict[str, Any]] = {}  # by device: its row of _PG_STORE
        self.sent: list[Any] = []
        self.bodies: dict[tuple[uuid.UUID, dt.date], str | None] = {}  # read ahead

    def send_staged(self) -> None:
        """PostgreSQL: send the days stored and the device totals added since the last call,
        as one statement (at most one day per device and day, one total per device: a
        device's next push comes after this)."""
        if not self.staged and not self.totals:
            return
        self.sent.append(self.driver.execute(_PG_STORE, {
            "days": "[" + ",".join(record for record, _ in self.staged) + "]",
            "bodies": [body for _, body in self.staged],
            "devices": orjson.dumps(list(self.totals.values())).decode(),
            "count": len(self.staged),
        }, prepare=True))
        self.staged, self.totals = [], {}

    def check_stored(self) -> None:
        """Send what is staged, and wait for every statement sent (an error raises)."""
        self.send_staged()
        sent, self.sent = self.sent, []
        for cursor in sent:
            cursor.fetchall()

    @classmethod
    def of(cls, conn: Connection, *, online: bool = True) -> Store:
        """The store on a SQLAlchemy connection's driver connection."""
        return cls(conn.connection.driver_connection, conn.dialect.name == "sqlite",
                   online=online)

    def _key(self, device_id: uuid.UUID) -> str | uuid.UUID:
        return device_id.hex if self.sqlite else device_id

    def device(self, token: str) -> DeviceAuth:
        """The device a token belongs to; raises :class:`Unauthorised`.

        On PostgreSQL its row is locked until the transaction ends (on SQLite the write
        lock is held already), so the pushes of one device are applied one at a time.
        """
        cursor, digest = self.find_device(token)
        return self.device_found(cursor.fetchone(), digest)

    def find_device(self, token: str, *, lock: bool = True) -> tuple[Any, str]:
        """:meth:`device`'s query, sent: (its cursor, the token's digest). Without ``lock``,
        the device's row is only read."""
        if lock and not self.sqlite:
            cursor, digests = self.find_devices([token])
            return cursor, digests[0]
        digest = token_hash(token)
        return self.driver.execute(_DEVICE_BY_TOKEN.format(p=self.p), (digest,)), digest

    def find_devices(self, tokens: Iterable[str]) -> tuple[Any, list[str]]:
        """PostgreSQL: the devices of several tokens, looked up and locked (in the order of
        their ids, as every writer does) by one statement: (its cursor, the digests)."""
        digests = [token_hash(t) for t in tokens]
        sql = _DEVICE_BY_TOKEN.format(p="ANY(%s)") + " ORDER BY d.id FOR UPDATE OF d"
        return self.driver.execute(sql, (digests,), prepare=True), digests

    def device_found(self, row: Any, digest: str) -> DeviceAuth:
        """:meth:`device`'s answer, from the row :meth:`find_device`'s query found."""
        if row is None or not hmac.compare_digest(row[1], digest):
            raise Unauthorised("unknown token", "server.err.token_unknown")
        if row[2] is not None:
            raise Unauthorised("this device has been revoked", "server.err.device_revoked",
                               device=uuid.UUID(hex=row[0]) if self.sqlite else row[0])
        if self.sqlite:
            seen = row[_SEEN_AT]
            return DeviceAuth(uuid.UUID(hex=row[0]), row[3], row[4],
                              dt.date.fromisoformat(row[5]), dt.date.fromisoformat(row[6]),
                              None if seen is None else dt.datetime.fromisoformat(seen))
        return DeviceAuth(row[0], row[3], row[4], row[5], row[6], row[_SEEN_AT])

    def contact(self, auth: DeviceAuth, now: dt.datetime, refused: IngestError) -> None:
        """For a push refused once its token was found good: write the refusal, ``now``
        with its message id and parameters (the dashboard tells the till's figures refused,
        and why, while no push was stored since), whatever the till's last contact (it asked
        what the server holds just before); and ``now`` as its last contact when due
        (:data:`CONTACT_EVERY`): a till that keeps trying is in contact. Refusals are rare;
        a push applied writes the contact with the device's totals (:meth:`device_totals`);
        a bundle's never does (not :attr:`online`)."""
        if not self.online:
            return
        since = now - CONTACT_EVERY
        params = orjson.dumps({k: _wire_param(v) for k, v in refused.params.items()}
                              ).decode() if refused.key else None
        if self.sqlite:
            self.driver.execute(_SEEN.format(p="?"), (
                _lite_time(since), _lite_time(now), _lite_time(now), refused.key, params,
                auth.device_id.hex))
            return
        self.driver.execute(_SEEN.format(p="%s"), (
            since, now, now, refused.key, params, auth.device_id), prepare=True)

    def held(self, device_id: uuid.UUID) -> dict[dt.date, Held]:
        return self.held_found(self.find_held(device_id).fetchall())

    def find_held(self, device_id: uuid.UUID) -> Any:
        if self.sqlite:
            return self.driver.execute(_HELD_SQL.format(p="?"), (device_id.hex,))
        return self.driver.execute(_HELD_SQL.format(p="%s"), (device_id,), prepare=True)

    def find_helds(self, digests: list[str]) -> Any:
        """PostgreSQL: what the devices of several token digests hold, by one statement
        (rows led by the device's id: see :meth:`helds_found`). Sent right after
        :meth:`find_devices`, it reads what was committed once their locks were taken."""
        return self.driver.execute(_HELD_BY_TOKENS, (digests,), prepare=True)

    @staticmethod
    def helds_found(rows: Iterable[Any]) -> dict[uuid.UUID, dict[dt.date, Held]]:
        held: dict[uuid.UUID, dict[dt.date, Held]] = defaultdict(dict)
        for r in rows:
            held[r[0]][r[1]] = Held(*r[2:])
        return held

    def held_found(self, rows: Iterable[Any]) -> dict[dt.date, Held]:
        if self.sqlite:
            return {dt.date.fromisoformat(r[0]): Held(*r[1:]) for r in rows}
        return {r[0]: Held(*r[1:]) for r in rows}

    def find_stored_body(self, device_id: uuid.UUID, day: dt.date) -> Any:
        return self.driver.execute(_STORED_BODY.format(p=self.p), (
            self._key(device_id), day.isoformat() if self.sqlite else day))

    def stored_body(self, device_id: uuid.UUID, day: dt.date) -> str | None:
        if (device_id, day) in self.bodies:
            return self.bodies[device_id, day]
        row = self.find_stored_body(device_id, day).fetchone()
        return None if row is None else str(row[0])

    def store(self, auth: DeviceAuth, s: DaySummary, body: str, digest: str,
              now: dt.datetime, replacing: bool) -> int | None:
        """Write the day and its lines if newer than what is held; its id, else None (on
        PostgreSQL the day is only staged, for :meth:`send_staged`: its statement fails
        if it does not write the day)."""
        columns = _columns(auth, s, digest, now)
        if not self.sqlite:
            record = f'{orjson.dumps(columns).decode()[:-1]},"n":{len(self.staged) + 1}}}'
            self.staged.append((record, body))
            return 0
        day = s.business_day.isoformat()
        columns.update(
            device_id=auth.device_id.hex, business_day=day,
            opened_at=_lite_time(columns["opened_at"]),
            closed_at=_lite_time(columns["closed_at"]),
            received_at=_lite_time(columns["received_at"]))
        cur = self.driver.cursor()
        row = cur.execute(_LITE_UPSERT, columns).fetchone()
        if row is None:
            return None
        sid = int(row[0])
        cur.execute(_LITE_BODY, (sid, body))
        if replacing:
            methods = json.dumps([p.method for p in s.payments])
            hours = json.dumps([h.hour for h in s.hours])
            for gone, keys in zip(_LITE_GONE, (methods, hours, len(s.products)), strict=True):
                cur.execute(gone, (sid, keys))
        market = auth.market_id
        cur.executemany(_LITE_PAYMENTS, [(sid, p.method, p.amount, p.count)
                                         for p in s.payments])
        cur.executemany(_LITE_HOURS, [(sid, h.hour, market, day, h.amount, h.tickets)
                                      for h in s.hours])
        cur.executemany(_LITE_PRODUCTS, [
            (sid, i, market, day, auth.cooperative_id, p.product_id, p.name_ar, p.name_fr,
             p.category, p.quantity, p.amount, s.unit_of(p)) for i, p in enumerate(s.products)])
        return sid

    def keep_replaced(self, auth: DeviceAuth, s: DaySummary, now: dt.datetime) -> None:
        """Keep what the server holds of ``s``'s day, which ``s`` (sent after a restore of
        its stall) is about to replace; sent before the day's upsert."""
        day: str | dt.date = s.business_day
        when: str | dt.datetime | None = now
        if self.sqlite:
            day, when = s.business_day.isoformat(), _lite_time(now)
        self.driver.execute(_KEEP_REPLACED.format(p=self.p), (
            s.restores or 0, s.version, s.net, s.sales_count, when,
            self._key(auth.device_id), day))

    def conflict(self, auth: DeviceAuth, s: DaySummary, stored_digest: str, digest: str,
                 body: str, now: dt.datetime) -> None:
        """Record a body that arrived under a version the server holds another body for."""
        day: str | dt.date = s.business_day
        when: str | dt.datetime | None = now
        if self.sqlite:
            day, when = s.business_day.isoformat(), _lite_time(now)
        self.driver.execute(_CONFLICT.format(p=self.p), (
            self._key(auth.device_id), auth.cooperative_id, day, s.version, stored_digest,
            digest, when, body))

    def device_totals(self, auth: DeviceAuth, deltas: Deltas, now: dt.datetime) -> None:
        """Touch the device (``last_push_at``, and ``last_seen_at`` when :attr:`online`) and
        add a push's changes to its totals."""
        seen = now if self.online else None
        if self.sqlite:
            self.driver.execute(_LITE_DEVICE, (
                _lite_time(now), _lite_time(seen), deltas.net, deltas.tickets, deltas.refunds,
                deltas.closed, auth.device_id.hex))
            return
        self.totals[auth.device_id] = {
            "id": auth.device_id, "now": now, "seen": seen, "net": deltas.net,
            "tickets": deltas.tickets, "refunds": deltas.refunds, "closed": deltas.closed}

    def market_days(self, changes: MarketDays) -> None:
        """Add the changes to the market days' running totals, in (market, day) order:
        every device of a market updates these rows, so they are written last and their
        locks are held only until the commit that follows, never crossed."""
        keys = sorted(changes)
        if not keys:
            return
        if self.sqlite:
            self.driver.executemany(_LITE_MARKET_DAY, [
                (m, d.isoformat(), *(changes[m, d][n] for n in _COUNTED)) for m, d in keys])
            return
        self.driver.execute(_PG_MARKET_DAYS, {
            "market": [m for m, _ in keys], "day": [d for _, d in keys],
            **{n: [changes[k][n] for k in keys] for n in _COUNTED},
        }, prepare=True)


@dataclass
class Deltas:
    """How a push changed a device's running totals (and, in ``days``, its market days')."""

    net: int = 0
    tickets: int = 0
    refunds: int = 0
    closed: int = 0
    days: dict[dt.date, dict[str, int]] = field(default_factory=dict)

    def add(self, new: DaySummary, old: Held | None) -> dict[str, Any]:
        """Account for ``new`` replacing ``old`` (what was held, or None); the day's change."""
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

    def into(self, market_id: int, changes: MarketDays) -> None:
        """Add this push's day changes to a batch's market-day changes."""
        for day, change in self.days.items():
            total = changes.setdefault((market_id, day), dict.fromkeys(_COUNTED, 0))
            for name in _COUNTED:
                total[name] += change[name]


def check_written(upserted: Any, day: dt.date) -> None:
    """An upsert of a day gave back its row; else another writer changed the day during it,
    which the device's lock (SQLite's write lock) rules out."""
    if upserted is None:
        raise RuntimeError(f"the summary of {day} changed during its upsert")


def _same_body(store: Store, auth: DeviceAuth, s: DaySummary) -> bool:
    """Whether the stored body of the day says the same as ``s`` (digests made by another
    release of the server differ for equal bodies). The cooperative a body names is not
    compared: it is its device's, which the stall's names again once the device moved to
    another cooperative (see :func:`enrol`). Nor is the device: a day the till pushed under
    a device since merged into this one names that one (see
    :func:`sync.server.admin.merge_devices`). Nor are units when the stored body has none:
    a stall updated since it pushed this version names them now (see ``sync.protocol``)."""
    stored = store.stored_body(auth.device_id, s.business_day)
    if stored is None:
        return False
    try:
        held = DaySummary.model_validate_json(stored)
    except ValidationError:
        return False
    if not held.says_units:
        s = s.without_units()
    return held.model_copy(update={"cooperative_id": s.cooperative_id,
                                   "device_id": s.device_id}) == s


def upsert_summary(store: Store, auth: DeviceAuth, s: DaySummary, now: dt.datetime,
                   held: dict[dt.date, Held], deltas: Deltas) -> PushResult:
    """Store one summary unless the server holds its version or a newer one.

    Versions are ordered by the stall's restore count first (:func:`summary_key`): a
    summary made after a restore of the stall's database replaces what the server holds
    even at a lower version (the organisers' figures are the till's own), and what it
    replaces is kept (:class:`~sync.server.models.RestoredDay`) and told in the result.

    ``held`` is what the server holds for the device, read after the device's row lock
    (or SQLite's write lock) was taken, so no other push of the device can change it
    before this transaction ends; it is updated with what this push stores.
    """
    body, digest = summary_json(s)
    day = s.business_day
    old = held.get(day)
    key = summary_key(s)
    if old is None or key > old.key:
        replaced = None
        if old is not None and key[0] > old.restores:
            store.keep_replaced(auth, s, now)
            replaced = Replaced(restores=key[0], version=old.version, net=old.net,
                                tickets=old.sales_count)
        check_written(store.store(auth, s, body, digest, now, replacing=old is not None), day)
        deltas.add(s, old)
        held[day] = Held(s.version, digest, s.net, s.gross, s.refunds, s.sales_count,
                         s.status, key[0])
        return PushResult(business_day=day, status="stored", version=s.version,
                          replaced=replaced)
    if key < old.key:
        return PushResult(business_day=day, status="stale", version=old.version,
                          detail="the server holds a newer version")
    if hmac.compare_digest(digest, old.digest) or _same_body(store, auth, s):
        return PushResult(business_day=day, status="unchanged", version=old.version)
    store.conflict(auth, s, old.digest, digest, body, now)
    return PushResult(business_day=day, status="conflict", version=old.version,
                      detail="the server holds a different body under this version")


def bodies_to_compare(held: dict[dt.date, Held], summaries: Sequence[DaySummary]
                      ) -> list[dt.date]:
    """The days whose summary comes with the version the server holds, under another
    digest: :func:`upsert_summary` compares their stored body (read it ahead)."""
    return [s.business_day for s in summaries
            if (old := held.get(s.business_day)) is not None and summary_key(s) == old.key
            and summary_digest(s) != old.digest]


def apply_push(store: Store, auth: DeviceAuth, summaries: Sequence[DaySummary],
               now: dt.datetime, changes: MarketDays
               ) -> tuple[list[PushResult], list[DayVersion]]:
    """Check then upsert a batch of one device's days, in day order; its device's totals
    are updated (and ``last_push_at`` touched), its market days' changes are added to
    ``changes`` for the caller to write last. Nothing is written if a check fails."""
    check_summaries(auth, summaries)
    results = apply_checked(store, auth, summaries, now, store.held(auth.device_id), changes)
    store.check_stored()
    return results


def apply_checked(store: Store, auth: DeviceAuth, summaries: Sequence[DaySummary],
                  now: dt.datetime, held: dict[dt.date, Held], changes: MarketDays
                  ) -> tuple[list[PushResult], list[DayVersion]]:
    """:func:`apply_push` once checked and ``held`` read (under the device's lock)."""
    deltas = Deltas()
    by_day = {s.business_day: upsert_summary(store, auth, s, now, held, deltas)
              for s in sorted(summaries, key=lambda s: s.business_day)}
    store.device_totals(auth, deltas, now)
    deltas.into(auth.market_id, changes)
    days = [DayVersion(business_day=d, version=held[d].version,
                       restores=held[d].restores or None) for d in sorted(held)]
    return [by_day[s.business_day] for s in summaries], days


_KNOWN_DAYS = (
    select(DaySummaryRow.business_day, DaySummaryRow.version, DaySummaryRow.restores)
    .where(DaySummaryRow.device_id == bindparam("device_id"))
    .order_by(DaySummaryRow.business_day)
)
_RESTORED = (
    select(RestoredDay.business_day, RestoredDay.restores, RestoredDay.version,
           RestoredDay.net, RestoredDay.sales_count)
    .where(RestoredDay.device_id == bindparam("device_id"))
    .order_by(RestoredDay.restores)
)
_TOUCH = (
    update(Device)
    .where(Device.id == bindparam("device_id"), Device.revoked_at.is_(None))
    .values(last_push_at=bindparam("now"))
)
_CONTACT = (
    update(Device)
    .where(Device.id == bindparam("device_id"), Device.revoked_at.is_(None),
           or_(Device.last_seen_at.is_(None), Device.last_seen_at < bindparam("since")))
    .values(last_seen_at=bindparam("now"))
)


def market_info(session: Session, market_id: int, *, city_ar: bool = False) -> MarketInfo:
    """A market as the stalls are told of it; its city's Arabic name (when it has one) only
    with ``city_ar``, for a stall of protocol 4 or later (an older one refuses the field)."""
    m = session.get_one(Market, market_id)
    return MarketInfo(id=m.id, name_ar=m.name_ar, name_fr=m.name_fr, city=m.city,
                      city_ar=m.city_ar if city_ar else None,
                      starts_on=m.starts_on, ends_on=m.ends_on)


def stand_told(session: Session, cooperative_id: int, protocol: int) -> str | None:
    """A cooperative's stand as it is now (the organisers may have moved it since its tills
    enrolled), to tell a stall of ``protocol`` with its known days: None before protocol 5
    (an older stall refuses the field)."""
    if protocol < STAND_SINCE:
        return None
    return session.get_one(Cooperative, cooperative_id).stand


def known_days(session: Session, device_id: uuid.UUID) -> list[DayVersion]:
    """What the server holds of each day of a device: its version and restore count, and
    what the latest restore of the stall replaced, if one did (only a day sent after a
    restore replaced anything: the kept days are looked up only when one was)."""
    conn = session.connection()
    days = conn.execute(_KNOWN_DAYS, {"device_id": device_id}).all()
    restored = {d: Replaced(restores=r, version=v, net=n, tickets=t)  # the latest wins
                for d, r, v, n, t in conn.execute(_RESTORED, {"device_id": device_id})
                } if any(r for _d, _v, r in days) else {}
    return [DayVersion(business_day=d, version=v, restores=r or None, restored=restored.get(d))
            for d, v, r in days]


def push(db: Database, session: Session, auth: DeviceAuth, summaries: Sequence[DaySummary]
         ) -> tuple[list[PushResult], list[DayVersion]]:
    """:func:`apply_push` in a session's write transaction, for a device known already.

    The device's row is updated first (``last_push_at``), which serialises the pushes of
    one device and refuses a revoked one. Its last contact (``last_seen_at``) is left as
    it is: a bundle brought on a USB stick is not the till online (the API's pushes go
    through the writer, which writes it).
    """
    conn = session.connection()
    now = utcnow()
    if conn.execute(_TOUCH, {"device_id": auth.device_id, "now": now}).rowcount != 1:
        raise Unauthorised("this device has been revoked", "server.err.device_revoked",
                           device=auth.device_id)
    store = Store.of(conn, online=False)
    changes: MarketDays = {}
    results = apply_push(store, auth, summaries, now, changes)
    store.market_days(changes)
    return results


# --- day-close bundles -------------------------------------------------------------------


def import_bundle(db: Database, session: Session, bundle: Bundle) -> list[PushResult]:
    """Apply a signed day-close bundle exactly like a push from its device."""
    row = session.execute(
        select(Device.token_hash, Device.revoked_at, Device.cooperative_id,
               Cooperative.market_id, Market.starts_on, Market.ends_on)
        .join(Cooperative, Cooperative.id == Device.cooperative_id)
        .join(Market, Market.id == Cooperative.market_id)
        .where(Device.id == bundle.device_id)
    ).one_or_none()
    if row is None:
        raise Unauthorised(f"the bundle comes from an unknown device {bundle.device_id}",
                           "server.err.bundle_unknown_device", device=bundle.device_id)
    expected = bundle_signature(row.token_hash, bundle.device_id, list(bundle.summaries))
    if not hmac.compare_digest(expected, bundle.signature):
        raise Unauthorised("the bundle's signature does not match its device",
                           "server.err.bundle_signature", device=bundle.device_id)
    if row.revoked_at is not None:
        raise Unauthorised(f"device {bundle.device_id} has been revoked",
                           "server.err.device_revoked", device=bundle.device_id)
    auth = DeviceAuth(bundle.device_id, row.cooperative_id, row.market_id, row.starts_on,
                      row.ends_on)
    results, _ = push(db, session, auth, bundle.summaries)
    return results
