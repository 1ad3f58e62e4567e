"""The figures of a market: what the dashboard, the exports and the edition report show.

The edition's totals come from running totals the upsert keeps per device and per market
day; a day's figures from that day's summaries and their per-hour and per-product lines
(which carry the market and the day, so they are read by index). Breakdowns by sector,
origin and programme are made from the per-cooperative rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple, get_args

import orjson
from sqlalchemy import BigInteger, and_, case, cast, exists, func, null, select, text, tuple_
from sqlalchemy.orm import Session

from sync.protocol import Unit
from sync.server.admin import stand_order
from sync.server.i18n import market_time, market_utc
from sync.server.models import (
    SECTORS,
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    Market,
    MarketDay,
    RestoredDay,
    SummaryHour,
    SummaryProduct,
)

#: from this long past its market's opening hour (``Market.opens``, in Morocco), a stand
#: that has sent nothing of today is late; and one whose day is open, this long after its
#: last contact
STALE_AFTER = dt.timedelta(minutes=30)
_BESIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="souk-dashboard")


def market_dict(m: Market) -> dict[str, Any]:
    """A market for the page: its city's and region's Arabic names are ``city`` and
    ``region`` when it has none."""
    return {"id": m.id, "name_ar": m.name_ar, "name_fr": m.name_fr, "city": m.city,
            "city_ar": m.city_in("ar"), "region": m.region, "region_ar": m.region_in("ar"),
            "starts_on": m.starts_on.isoformat(), "ends_on": m.ends_on.isoformat()}


def list_markets(session: Session) -> list[Market]:
    return list(session.scalars(select(Market).order_by(Market.starts_on.desc(), Market.id)))


def pick_market(session: Session, market_id: int | None, today: dt.date) -> Market | None:
    """The asked market; else, of the markets running today, the one most stalls have sent
    today's figures to (a market opening today with nothing received yet does not hide one
    in full swing), the latest to start among equals; else the latest to start."""
    if market_id is not None:
        return session.get(Market, market_id)
    markets = list_markets(session)
    running = [m for m in markets if m.starts_on <= today <= m.ends_on]
    if len(running) > 1:
        s = DaySummaryRow
        stalls: dict[int, int] = {market: count for market, count in session.execute(
            select(s.market_id, func.count(s.device_id.distinct()))
            .where(s.market_id.in_([m.id for m in running]), s.business_day == today)
            .group_by(s.market_id))}
        running.sort(key=lambda m: -stalls.get(m.id, 0))  # stable: latest first among equals
    candidates = running or markets
    return candidates[0] if candidates else None


def pick_day(market: Market, day: dt.date | None, today: dt.date) -> dt.date:
    if day is not None:
        return day
    return min(max(today, market.starts_on), market.ends_on)


def is_to_come(market: Market, day: dt.date, today: dt.date) -> bool:
    """Whether ``day`` is after the last day the dashboard shows of ``market`` on ``today``
    (:func:`pick_day`'s default: today, or the market's first day while it is still to
    come): a day after today has no figures yet, and the day picker does not offer it."""
    return day > pick_day(market, None, today)


def is_market_day(market: Market, day: dt.date) -> bool:
    """Whether ``day`` is one of the market's days (the server takes no figures of
    another)."""
    return market.starts_on <= day <= market.ends_on


class CoopRow(NamedTuple):
    """A cooperative's row of the dashboard's table (its values, in this order, are what
    :func:`cooperative_values` gives)."""

    id: int
    name_ar: str
    name_fr: str
    sector: str
    stand: str
    province: str
    province_ar: str  # as the Arabic pages name it: ``province`` when it has no Arabic name
    region: str
    inside: bool
    members: int
    women_led: bool
    youth_led: bool
    day_net: int = 0
    day_tickets: int = 0
    edition_net: int = 0
    edition_tickets: int = 0
    edition_refunds: int = 0
    days_closed: int = 0
    reported: int = 0  # 1 when the day's summary arrived
    devices: int = 0
    last_sync: str | None = None  # the till's last contact (a request with its token)
    stale_seconds: int | None = None
    stale: bool = False  # late: see :func:`cooperative_values`
    conflicts: int = 0
    # the day's figures: when their latest version arrived (in Morocco's time, to the
    # minute, ``2026-05-12T18:42``), how long ago, and whether the day is closed (Z)
    received: str | None = None
    received_seconds: int | None = None
    day_closed: bool = False
    # why nothing of ``day`` came, when that needs the organisers' eye: ``"not_opened"``
    # (today, figures due, its till in contact: the day is not opened on it yet),
    # ``"earlier_open"`` (the same, an earlier day still open on its till: ``open_day``),
    # ``"nothing_sent"`` (a day gone by of the market, the cooperative already in it),
    # ``"not_joined"`` (not in the market yet that day: see :data:`NOT_JOINED`); see
    # :func:`cooperative_values`
    missing: str | None = None
    open_day: str | None = None  # with ``"earlier_open"``: that day (ISO)
    # its till's figures refused (its last push refused came after its last push stored):
    # since when (Morocco's time, to the minute), and why (the message id, its parameters)
    refused: str | None = None
    refused_key: str | None = None
    refused_params: dict[str, str] | None = None


COOP_FIELDS = CoopRow._fields
_REPORTED = COOP_FIELDS.index("reported")
_RECEIVED = COOP_FIELDS.index("received")
_MISSING = COOP_FIELDS.index("missing")
#: a row's ``missing`` when the cooperative was not in the market yet on the day shown: set
#: up after that day's end (in Morocco's time), with no figures of that day nor of an
#: earlier one (a stand that joined the market mid-edition, on the days before it joined).
#: It is not one of that day's stands: not counted in the market's cooperatives of the day
#: nor in its groups (:func:`in_market`, :func:`breakdowns`); the page shows it greyed
NOT_JOINED = "not_joined"


def in_market(row: Sequence[Any]) -> bool:
    """Whether a cooperative's row (of :func:`cooperative_values`) is one of the stands of
    its day: set up by that day's end, or with figures of that day or of an earlier one
    all the same (a till that sold before its cooperative was set up on the server, and
    pushed later: it was in the market from the first day it sold)."""
    return bool(row[_MISSING] != NOT_JOINED)


def _total(col: Any) -> Any:
    """A sum as a whole number on both databases (PostgreSQL sums bigints as numeric)."""
    return cast(func.coalesce(func.sum(col), 0), BigInteger)


# not in the market yet on the day: set up after its end, and no figures of it nor of an
# earlier day (read by index, and only of a cooperative set up after the day)
_PG_NOT_JOINED = """(c.created_at >= %(joined)s AND NOT EXISTS (
           SELECT 1 FROM day_summaries e WHERE e.cooperative_id = c.id
           AND e.market_id = %(market)s AND e.business_day <= %(day)s))"""
# PostgreSQL: the cooperatives' rows made by the database, as :func:`_coop_values_portable`
# makes them (the same values, in the same order): the stall-by-stall work of a market of
# thousands of stalls is done where the rows are, and the server only reads them
_PG_COOPS = f"""
SELECT c.id, c.name_ar, c.name_fr, c.sector, c.stand, c.province,
       coalesce(c.province_ar, c.province), c.region,
       c.region = ANY(%(inside)s), c.members, c.women_led, c.youth_led,
       coalesce(t.net, 0), coalesce(t.tickets, 0), coalesce(d.net, 0),
       coalesce(d.tickets, 0), coalesce(d.refunds, 0), coalesce(d.closed, 0),
       (t.cid IS NOT NULL)::int, coalesce(d.live, 0),
       to_char(d.seen, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       CASE WHEN d.seen IS NOT NULL  -- (greatest() would turn a NULL into 0)
            THEN greatest(0, floor(extract(epoch FROM %(now)s - d.seen)))::int END,
       CASE WHEN NOT %(today)s THEN false  -- late is said of today alone
            WHEN t.cid IS NULL AND {_PG_NOT_JOINED} THEN false
            WHEN t.cid IS NULL  -- nothing of the day: late when due, unless in contact
                 THEN %(due)s AND (d.seen IS NULL OR %(now)s - d.seen > %(stale)s)
            ELSE coalesce(t.open, false)
                 AND (d.last IS NULL OR %(now)s - d.last > %(stale)s) END,
       coalesce(k.n, 0), t.received,
       CASE WHEN t.received IS NOT NULL
            THEN greatest(0, floor(extract(epoch FROM %(now)s - t.received)))::int END,
       coalesce(t.closed AND NOT t.open, false),
       CASE WHEN t.cid IS NOT NULL THEN NULL
            WHEN {_PG_NOT_JOINED} THEN 'not_joined'
            WHEN %(due)s AND %(now)s - d.seen <= %(stale)s
                 THEN CASE WHEN o.day IS NULL THEN 'not_opened' ELSE 'earlier_open' END
            WHEN %(gone)s THEN 'nothing_sent' END,
       CASE WHEN t.cid IS NULL AND %(due)s AND %(now)s - d.seen <= %(stale)s
                 AND NOT {_PG_NOT_JOINED}
            THEN to_char(o.day, 'YYYY-MM-DD') END
FROM cooperatives c
LEFT JOIN (SELECT cooperative_id AS cid, sum(total_net)::bigint AS net,
                  sum(total_tickets)::bigint AS tickets, sum(total_refunds)::bigint AS refunds,
                  max(days_closed) AS closed, count(*) FILTER (WHERE revoked_at IS NULL) AS live,
                  max(last_seen_at) AS seen,
                  greatest(max(last_seen_at), max(last_push_at)) AS last  -- NULLs left out
           FROM devices
           WHERE cooperative_id IN (SELECT id FROM cooperatives WHERE market_id = %(market)s
                                    AND id %% %(parts)s = %(part)s)
           GROUP BY cooperative_id) d ON d.cid = c.id
LEFT JOIN (SELECT cooperative_id AS cid, sum(net)::bigint AS net,
                  sum(sales_count)::bigint AS tickets,
                  bool_or(status = 'open' AND device_id <> ALL (ARRAY(  -- open on a live till
                      SELECT v.id FROM devices v JOIN cooperatives k ON k.id = v.cooperative_id
                      WHERE k.market_id = %(market)s AND v.revoked_at IS NOT NULL))) AS open,
                  max(received_at) AS received, bool_or(status = 'closed') AS closed
           FROM day_summaries WHERE market_id = %(market)s AND business_day = %(day)s
                                AND cooperative_id %% %(parts)s = %(part)s
           GROUP BY cooperative_id) t ON t.cid = c.id
LEFT JOIN (SELECT cooperative_id AS cid, max(business_day) AS day  -- (when due alone)
           FROM day_summaries WHERE %(due)s AND market_id = %(market)s
                AND business_day < %(day)s AND status = 'open'
                AND cooperative_id %% %(parts)s = %(part)s
                AND device_id <> ALL (ARRAY(  -- open on a live till
                    SELECT v.id FROM devices v JOIN cooperatives k ON k.id = v.cooperative_id
                    WHERE k.market_id = %(market)s AND v.revoked_at IS NOT NULL))
           GROUP BY cooperative_id) o ON o.cid = c.id
LEFT JOIN (SELECT cooperative_id AS cid, count(*) AS n FROM conflicts
           WHERE cooperative_id IN (SELECT id FROM cooperatives WHERE market_id = %(market)s
                                    AND id %% %(parts)s = %(part)s)
           GROUP BY cooperative_id) k ON k.cid = c.id
WHERE c.market_id = %(market)s AND c.id %% %(parts)s = %(part)s"""
_PG_REGIONS = "SELECT DISTINCT region FROM cooperatives WHERE market_id = %s"
_STAND = COOP_FIELDS.index("stand")


def cooperative_values(session: Session, market: Market, day: dt.date, now: dt.datetime,
                       *, beside: Session | None = None) -> list[tuple[Any, ...]]:
    """One tuple of values per cooperative of the market (the fields of :class:`CoopRow`,
    in order), ordered by stand: numbered stands by number, then the others by name (then
    by id). Plain tuples: the dashboard sends them as they are, and a market can have
    thousands of stalls.

    The edition's totals are the devices' running totals (kept by the upsert); the day's
    come from that day's summaries, read by index. A cooperative's days closed are those
    of its most complete device (a day counts once even when two tills closed it); its
    devices are those not revoked; its last sync is its devices' latest contact (a request
    made with a device's token, a push or asking which days the server holds, written at
    most once a minute; a bundle imported is none), whatever day it sent; ``received`` is
    when the latest version of ``day``'s figures arrived from its tills (in Morocco's
    time), and ``day_closed`` whether they say the day is closed (Z): closed on a till,
    open on no live one; it comes from inside the region when its region is the market's
    (letter case aside).

    It is late (``stale``) only when ``day`` is today in Morocco (:func:`is_today`; a day
    gone by is over: what did not come of it is ``missing``, below): when today is open
    on one of its live tills and the cooperative has been silent (no contact, no figures
    stored) for more than :data:`STALE_AFTER` (a till in contact has pushed all it had);
    or when the market's hours have begun (:func:`figures_due`), it has sent nothing of
    today (its last figures are of an earlier day, or it was never heard of) and its tills
    have had no contact for more than :data:`STALE_AFTER`. A cooperative whose day is
    closed is not late, however long ago it pushed. Whether today's figures are due is
    one value for the whole market: the rule costs no more than the day's summaries
    already read.

    When nothing of ``day`` came, ``missing`` says why when it needs the organisers' eye:
    ``"not_opened"`` when today's figures are due and its till is in contact all the same
    (a till pushes its day as soon as it is opened, sale or not: the day is not opened on
    it yet), or ``"earlier_open"`` when an earlier day is still open on one of its live
    tills (the latest such day is ``open_day``: the till sells into it, not into today);
    ``"nothing_sent"`` on a day gone by of the market (before today in Morocco)
    that the cooperative was already in the market on (set up before its end, in
    Morocco's time), which is not "late": that day is over. A cooperative set up after
    the day's end that has no figures of it nor of an earlier day was not in the market
    yet that day: ``missing`` is :data:`NOT_JOINED` (never late, nor anything else), and
    it is not one of the day's stands (:func:`in_market`). One set up later that has
    figures of the day all the same (its till sold before it was set up on the server)
    is one of them, with its figures; so it is on the days after it first sold.

    It is ``refused`` when one of its live tills had its last push refused after its last
    push stored (:func:`refusals`).

    ``beside``, a session reading the same snapshot (PostgreSQL), reads half of them.
    """
    if session.get_bind().dialect.name != "postgresql":
        return _coop_values_portable(session, market, day, now)
    region = market.region.casefold()
    regions = _driver(session).execute(_PG_REGIONS, (market.id,)).fetchall()
    params = {"market": market.id, "day": day, "now": now, "stale": STALE_AFTER,
              "today": is_today(market, day, now), "due": figures_due(market, day, now),
              "gone": day_gone(market, day, now), "joined": day_end(day),
              "inside": [r for r, in regions if r.casefold() == region], "parts": 1, "part": 0}
    if beside is None:
        return _with_refusals(session, market, _by_stand(_pg_coops(session, params)))
    # two halves of the cooperatives (by id), read at once: the database works on both
    other = _BESIDE.submit(_pg_coops, beside, {**params, "parts": 2, "part": 1})
    try:
        rows = _pg_coops(session, {**params, "parts": 2})
    finally:
        wait([other])  # the other session is not closed under its thread
    return _with_refusals(session, market, _by_stand(rows + other.result()))


def refusals(session: Session, market: Market) -> dict[int, tuple[Any, ...]]:
    """The market's cooperatives whose figures are refused: one of their live tills had
    its last push refused (its token good) after its last push stored, the latest of
    such refusals by cooperative: (since when, in Morocco's time to the minute, its message
    id, its parameters). A push stored since clears it."""
    d = Device
    found = session.connection().execute(
        select(d.cooperative_id, d.refused_at, d.refused_key, d.refused_params)
        .join(Cooperative, Cooperative.id == d.cooperative_id)
        .where(Cooperative.market_id == market.id, d.revoked_at.is_(None),
               d.refused_at.is_not(None),
               (d.last_push_at.is_(None)) | (d.refused_at > d.last_push_at))
        .order_by(d.refused_at))
    return {cid: (_local_minute(at), key, None if params is None else orjson.loads(params))
            for cid, at, key, params in found}  # the latest last


def _with_refusals(session: Session, market: Market, rows: list[tuple[Any, ...]]
                   ) -> list[tuple[Any, ...]]:
    """The rows with their refusal (:func:`refusals`), or none, at their end."""
    refused = refusals(session, market)
    none = (None, None, None)
    return [(*r, *refused.get(r[0], none)) for r in rows]


def is_today(market: Market, day: dt.date, now: dt.datetime) -> bool:
    """Whether ``day`` is today in Morocco at ``now`` (naive UTC) and one of the market's
    days: the only day whose stands can be late."""
    return is_market_day(market, day) and day == market_time(now).date()


def day_gone(market: Market, day: dt.date, now: dt.datetime) -> bool:
    """Whether ``day`` is one of the market's days and over at ``now`` (naive UTC): before
    today in Morocco."""
    return is_market_day(market, day) and day < market_time(now).date()


def day_end(day: dt.date) -> dt.datetime:
    """When ``day`` ends in Morocco (its next midnight there), as naive UTC."""
    return market_utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def figures_due(market: Market, day: dt.date, now: dt.datetime) -> bool:
    """Whether every stand should have sent figures of ``day`` by ``now`` (naive UTC):
    ``day`` is today in Morocco, one of the market's days, and the market opened (at its
    own hour, ``Market.opens``) more than :data:`STALE_AFTER` ago."""
    local = market_time(now)
    opened = dt.datetime.combine(local.date(), market.opens)
    return (day == local.date() and market.starts_on <= day <= market.ends_on
            and local - opened > STALE_AFTER)


def _driver(session: Session) -> Any:
    driver = session.connection().connection.driver_connection
    assert driver is not None
    return driver


def _pg_coops(session: Session, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = _driver(session).execute(_PG_COOPS, params).fetchall()
    return [(*r[:_RECEIVED], _local_minute(r[_RECEIVED]), *r[_RECEIVED + 1:]) for r in rows]


def _local_minute(utc: dt.datetime | None) -> str | None:
    """A naive UTC time as the page writes it: in Morocco's time, to the minute."""
    return None if utc is None else market_time(utc).isoformat(timespec="minutes")


def _by_stand(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows in the order stands are walked in (:func:`sync.server.admin.stand_order`,
    as the dashboard's table and the enrolment codes list them: ``7``, ``7 bis``, ``12``,
    ``A 2``, ``A 10``), then by id."""
    return sorted(rows, key=lambda r: (stand_order(r[_STAND]), r[0]))


def _coop_values_portable(session: Session, market: Market, day: dt.date, now: dt.datetime
                          ) -> list[tuple[Any, ...]]:
    """:func:`cooperative_values` on any database: the sums by SQL, the rest here."""
    c, d, s = Cooperative, Device, DaySummaryRow
    members = select(c.id).where(c.market_id == market.id)
    devices = (
        select(d.cooperative_id.label("cid"), _total(d.total_net).label("net"),
               _total(d.total_tickets).label("tickets"),
               _total(d.total_refunds).label("refunds"),
               func.max(d.days_closed).label("closed"),
               _total(case((d.revoked_at.is_(None), 1), else_=0)).label("live"),
               func.max(d.last_seen_at).label("seen"),
               func.max(d.last_push_at).label("pushed"))
        .where(d.cooperative_id.in_(members)).group_by(d.cooperative_id).subquery()
    )
    revoked = select(d.id).where(d.revoked_at.is_not(None))
    due = figures_due(market, day, now)
    today = (
        select(s.cooperative_id.label("cid"), _total(s.net).label("net"),
               _total(s.sales_count).label("tickets"),
               func.max(case((and_(s.status == "open", s.device_id.not_in(revoked)), 1),
                             else_=0)).label("open"),  # the day open on a live till
               func.max(s.received_at).label("received"),
               func.max(case((s.status == "closed", 1), else_=0)).label("closed"))
        .where(s.market_id == market.id, s.business_day == day)
        .group_by(s.cooperative_id).subquery()
    )
    earlier = (  # the latest earlier day open on a live till (only asked when due)
        select(s.cooperative_id.label("cid"), func.max(s.business_day).label("day"))
        .where(s.market_id == market.id, s.business_day < day, s.status == "open",
               s.device_id.not_in(revoked))
        .group_by(s.cooperative_id).subquery()
    )
    day_ends = day_end(day)
    # set up after the day, and no figures of it nor of an earlier day: not in the market
    # yet that day (asked by index, and only of a cooperative set up after the day)
    not_joined = case((c.created_at >= day_ends, ~exists().where(
        s.cooperative_id == c.id, s.market_id == market.id, s.business_day <= day)),
        else_=False)
    conflicts = (
        select(Conflict.cooperative_id.label("cid"), func.count().label("n"))
        .where(Conflict.cooperative_id.in_(members)).group_by(Conflict.cooperative_id)
        .subquery()
    )
    query = (
        select(c.id, c.name_ar, c.name_fr, c.sector, c.stand, c.province,
               func.coalesce(c.province_ar, c.province), c.region, c.members,
               c.women_led, c.youth_led, func.coalesce(today.c.net, 0),
               func.coalesce(today.c.tickets, 0), func.coalesce(devices.c.net, 0),
               func.coalesce(devices.c.tickets, 0), func.coalesce(devices.c.refunds, 0),
               func.coalesce(devices.c.closed, 0), today.c.cid.is_not(None),
               func.coalesce(devices.c.live, 0), devices.c.seen, devices.c.pushed,
               func.coalesce(conflicts.c.n, 0), func.coalesce(today.c.open, 0),
               today.c.received, func.coalesce(today.c.closed, 0), not_joined,
               earlier.c.day if due else null())
        .outerjoin(devices, devices.c.cid == c.id)
        .outerjoin(today, today.c.cid == c.id)
        .outerjoin(conflicts, conflicts.c.cid == c.id)
        .where(c.market_id == market.id)
    )
    if due:
        query = query.outerjoin(earlier, earlier.c.cid == c.id)
    region = market.region.casefold()
    shown_today = is_today(market, day, now)
    gone = day_gone(market, day, now)
    inside: dict[str, bool] = {}  # a market's cooperatives come from a few regions
    values: list[tuple[Any, ...]] = []
    for (cid, name_ar, name_fr, sector, stand, province, province_ar, coop_region, size,
         women, youth, day_net, day_tickets, net, tickets, refunds, closed, reported, live,
         seen, pushed, conflicted, open_day, received, day_closed, out, earlier_day
         ) in session.connection().execute(query).all():
        near = inside.get(coop_region)
        if near is None:
            near = inside[coop_region] = coop_region.casefold() == region
        synced = stale_seconds = None
        if seen is not None:
            synced = seen.isoformat(timespec="microseconds") + "Z"
            stale_seconds = max(0, int((now - seen).total_seconds()))
        last = max((t for t in (seen, pushed) if t is not None), default=None)
        in_contact = seen is not None and now - seen <= STALE_AFTER
        joined = bool(reported) or not out
        if not shown_today or not joined:
            # a day gone by (or to come) is flagged for what did not come; a stand not in
            # the market yet that day is not late for it
            stale = False
        elif reported:
            stale = bool(open_day) and (last is None or now - last > STALE_AFTER)
        else:
            stale = due and not in_contact
        missing = still_open = None
        if not joined:
            missing = NOT_JOINED  # not in the market yet that day
        elif not reported:
            if due and in_contact:
                missing = "not_opened" if earlier_day is None else "earlier_open"
                still_open = None if earlier_day is None else earlier_day.isoformat()
            elif gone:
                missing = "nothing_sent"
        received_seconds = (None if received is None
                            else max(0, int((now - received).total_seconds())))
        values.append((cid, name_ar, name_fr, sector, stand, province, province_ar,
                       coop_region, near, size, bool(women), bool(youth), day_net,
                       day_tickets, net, tickets, refunds, closed, int(reported), live,
                       synced, stale_seconds, stale, conflicted, _local_minute(received),
                       received_seconds, bool(day_closed) and not open_day, missing,
                       still_open))
    return _with_refusals(session, market, _by_stand(values))


def cooperative_rows(session: Session, market: Market, day: dt.date, now: dt.datetime
                     ) -> list[CoopRow]:
    """:func:`cooperative_values` as rows with named fields."""
    return [CoopRow._make(values) for values in
            cooperative_values(session, market, day, now)]


def day_rows(session: Session, market: Market) -> list[dict[str, Any]]:
    """The market's days, from the running totals the upsert keeps per market day."""
    m = MarketDay
    rows = session.connection().execute(
        select(m.business_day, m.net, m.gross, m.refunds, m.tickets, m.devices, m.closed)
        .where(m.market_id == market.id, m.devices > 0).order_by(m.business_day)
    )
    return [
        {"day": r.business_day.isoformat(), "net": int(r.net), "gross": int(r.gross),
         "refunds": int(r.refunds), "tickets": int(r.tickets), "devices": int(r.devices),
         "closed": int(r.closed)}
        for r in rows
    ]


def hour_rows(session: Session, market: Market, day: dt.date | None) -> list[dict[str, int]]:
    """Sales by the stalls' local hour, on one day or (``day=None``) the whole edition."""
    h = SummaryHour
    where = [h.market_id == market.id] + ([h.business_day == day] if day is not None else [])
    query = select(h.hour, _total(h.amount).label("amount"), _total(h.tickets).label("tickets"))
    query = query.where(*where).group_by(h.hour)
    got = {r.hour: r for r in session.connection().execute(query)}
    return [
        {"hour": hour, "amount": int(got[hour].amount) if hour in got else 0,
         "tickets": int(got[hour].tickets) if hour in got else 0}
        for hour in range(24)
    ]


def top_products(session: Session, market: Market, day: dt.date | None, limit: int = 10
                 ) -> list[dict[str, Any]]:
    """The best-selling products (per cooperative and product key), by amount; a product
    whose amount is not above zero (only refunded that day) is none of them.

    Ranked on the amounts alone, then the few winners' names and quantities are read. On
    one day, a cooperative with a single device has one line per product (a summary names
    each product once), so its lines are read from the top of the day's index by amount
    until enough are found; only the lines of cooperatives with several devices are summed.
    """
    p = SummaryProduct
    where = [p.market_id == market.id] + ([p.business_day == day] if day is not None else [])
    amount = func.sum(p.amount)
    order = (amount.desc(), p.cooperative_id, p.product_id)
    summed = select(p.cooperative_id, p.product_id, amount.label("amount")).where(*where)
    if day is None:
        winners = session.connection().execute(
            summed.group_by(p.cooperative_id, p.product_id).having(amount > 0)
            .order_by(*order).limit(limit)
        ).all()
    else:
        several = list(session.connection().execute(  # (read from an index alone)
            select(Device.cooperative_id).group_by(Device.cooperative_id)
            .having(func.count() > 1)).scalars())
        winners = list(session.connection().execute(
            select(p.cooperative_id, p.product_id, p.amount)
            .where(*where, p.cooperative_id.not_in(several), p.amount > 0)
            .order_by(p.amount.desc(), p.cooperative_id, p.product_id).limit(limit)
        ))
        if several:  # their lines summed, and ranked with the others
            winners += session.connection().execute(
                summed.where(p.cooperative_id.in_(several))
                .group_by(p.cooperative_id, p.product_id).having(amount > 0)
                .order_by(*order).limit(limit))
            winners.sort(key=lambda w: (-w.amount, w.cooperative_id, w.product_id))
            del winners[limit:]
    if not winners:
        return []
    keys = [(w.cooperative_id, w.product_id) for w in winners]
    details = _product_details(
        session, [*where, tuple_(p.cooperative_id, p.product_id).in_(keys)])
    names = {
        c.id: c for c in session.connection().execute(
            select(Cooperative.id, Cooperative.name_ar, Cooperative.name_fr)
            .where(Cooperative.id.in_({w.cooperative_id for w in winners}))
        )
    }
    return [
        {"cooperative_id": w.cooperative_id,
         "cooperative_ar": names[w.cooperative_id].name_ar,
         "cooperative_fr": names[w.cooperative_id].name_fr, "product_id": w.product_id,
         "name_ar": details[key].name_ar, "name_fr": details[key].name_fr,
         "quantity": sum(part.quantity for part in details[key].parts),
         "quantities": [{"quantity": part.quantity, "unit": part.unit}
                        for part in details[key].parts],
         "amount": int(w.amount)}
        for w, key in zip(winners, keys, strict=True)
    ]


class Part(NamedTuple):
    """What a product sold in one unit (None: a stall that did not say which)."""

    unit: str | None
    quantity: int
    amount: int


class ProductDetails(NamedTuple):
    name_ar: str
    name_fr: str
    parts: list[Part]


UNIT_ORDER = get_args(Unit)  # piece first, as the stalls count most goods


def merge_units(parts: Iterable[Part]) -> list[Part]:
    """A product's quantities by unit. Lines that do not say their unit (from a stall not
    yet updated) count in the product's unit when its other lines name one only: its
    older days add up with its newer ones. With several units named (its unit was changed
    during the edition) they stay apart, as they cannot be added."""
    parts = list(parts)
    known = [x for x in parts if x.unit is not None]
    unknown = [x for x in parts if x.unit is None]
    if len(known) == 1 and unknown:
        return [Part(known[0].unit, sum(x.quantity for x in parts),
                     sum(x.amount for x in parts))]
    rank = {u: i for i, u in enumerate(UNIT_ORDER)}
    return sorted(parts, key=lambda x: rank.get(x.unit or "", len(rank)))


def _product_details(session: Session, where: list[Any]
                     ) -> dict[tuple[int, str], ProductDetails]:
    """The names and quantities by unit of the products of the lines ``where`` selects,
    per (cooperative, product key)."""
    p = SummaryProduct
    rows = session.connection().execute(
        select(p.cooperative_id, p.product_id, p.unit, func.max(p.name_ar).label("name_ar"),
               func.max(p.name_fr).label("name_fr"), _total(p.quantity).label("quantity"),
               _total(p.amount).label("amount"))
        .where(*where).group_by(p.cooperative_id, p.product_id, p.unit))
    names: dict[tuple[int, str], tuple[str, str]] = {}
    parts: dict[tuple[int, str], list[Part]] = {}
    for r in rows:
        key = (r.cooperative_id, r.product_id)
        known = names.get(key)
        names[key] = (r.name_ar, r.name_fr) if known is None else (
            max(known[0], r.name_ar), max(known[1], r.name_fr))
        parts.setdefault(key, []).append(Part(r.unit, int(r.quantity), int(r.amount)))
    return {key: ProductDetails(*names[key], merge_units(parts[key])) for key in names}


class ProductRow(NamedTuple):
    """A product of a cooperative sold in one unit over the edition, or on one day (an
    export's row)."""

    stand: str
    cooperative_ar: str
    cooperative_fr: str
    product_id: str
    name_ar: str
    name_fr: str
    quantity: int
    unit: str | None
    amount: int


def product_rows(session: Session, market: Market, day: dt.date | None = None
                 ) -> list[ProductRow]:
    """Every product of the edition, or (``day``) of that day, per cooperative and unit,
    the best sellers first. A day's rows are the lines the day's top products are summed
    from, its units merged the same way: the figures are the panel's."""
    p = SummaryProduct
    where = [p.market_id == market.id] + ([p.business_day == day] if day is not None else [])
    details = _product_details(session, where)
    coops = {
        c.id: c for c in session.connection().execute(
            select(Cooperative.id, Cooperative.stand, Cooperative.name_ar, Cooperative.name_fr)
            .where(Cooperative.market_id == market.id))
    }
    rows = [
        ProductRow(coops[cid].stand, coops[cid].name_ar, coops[cid].name_fr, pid,
                   d.name_ar, d.name_fr, part.quantity, part.unit, part.amount)
        for (cid, pid), d in details.items() if cid in coops for part in d.parts
    ]
    rows.sort(key=lambda r: (-r.amount, r.stand, r.product_id, r.unit or ""))
    return rows


@dataclass
class Group:
    key: str
    cooperatives: int = 0
    members: int = 0
    day_net: int = 0
    day_tickets: int = 0
    edition_net: int = 0
    edition_tickets: int = 0


@dataclass
class Breakdowns:
    sectors: list[Group] = field(default_factory=list)
    origins: list[Group] = field(default_factory=list)
    programmes: list[Group] = field(default_factory=list)


_SECTOR, _INSIDE, _WOMEN, _YOUTH, _MEMBERS, _DAY_NET, _DAY_TICKETS, _NET, _TICKETS = (
    COOP_FIELDS.index(name) for name in (
        "sector", "inside", "women_led", "youth_led", "members", "day_net", "day_tickets",
        "edition_net", "edition_tickets"))


def breakdowns(rows: Iterable[tuple[Any, ...]]) -> Breakdowns:
    """The cooperatives by sector, by origin (inside or outside the market's region) and
    by programme (all, women-led, youth-led), from their rows (:class:`CoopRow` or the
    tuples of :func:`cooperative_values`). The rows are summed once per kind of
    cooperative (sector, origin, programmes: a few dozen kinds), then the kinds into the
    groups.

    A cooperative not in the market yet on the day of its row (:func:`in_market`) is not
    one of its groups' stands that day: neither it nor its members are counted; its sales
    of the edition (of the days after it joined) are, as the edition's totals hold them."""
    kinds: dict[tuple[str, bool, bool, bool], list[int]] = {}
    for r in rows:
        kind = (r[_SECTOR], bool(r[_INSIDE]), bool(r[_WOMEN]), bool(r[_YOUTH]))
        sums = kinds.get(kind)
        if sums is None:
            sums = kinds[kind] = [0, 0, 0, 0, 0, 0]
        if in_market(r):
            sums[0] += 1
            sums[1] += r[_MEMBERS]
        sums[2] += r[_DAY_NET]
        sums[3] += r[_DAY_TICKETS]
        sums[4] += r[_NET]
        sums[5] += r[_TICKETS]
    split = Breakdowns(
        sectors=[Group(key) for key in SECTORS],
        origins=[Group("inside_region"), Group("outside_region")],
        programmes=[Group("all_cooperatives"), Group("women_led"), Group("youth_led")],
    )
    by_sector = {g.key: g for g in split.sectors}
    inside, outside = split.origins
    everyone, women, youth = split.programmes
    for (sector, near, women_led, youth_led), sums in kinds.items():
        groups = [by_sector[sector], inside if near else outside, everyone]
        groups += [women] * women_led + [youth] * youth_led
        for g in groups:
            g.cooperatives += sums[0]
            g.members += sums[1]
            g.day_net += sums[2]
            g.day_tickets += sums[3]
            g.edition_net += sums[4]
            g.edition_tickets += sums[5]
    return split


def restored_rows(session: Session, market: Market, day: dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """The stands whose day was restored from a backup on their till, on ``day`` or (None)
    over the edition: what the server held before the restored till's figures replaced it
    (one row per restore), and what the till says now. The dashboard's panel, the edition
    report and the days export show these rows. Read by index
    (``ix_restored_days_market_day``); a market has few."""
    r, s, c = RestoredDay, DaySummaryRow, Cooperative
    on_day = [r.business_day == day] if day is not None else []
    rows = session.connection().execute(
        select(r.business_day, c.stand, c.name_ar, c.name_fr, r.net, r.sales_count, s.net,
               s.sales_count)
        .join(s, and_(s.device_id == r.device_id, s.business_day == r.business_day))
        .join(c, c.id == s.cooperative_id)
        .where(r.market_id == market.id, *on_day)
        .order_by(r.business_day, c.stand, r.device_id, r.restores))
    return [{"day": when.isoformat(), "stand": stand, "name_ar": ar, "name_fr": fr,
             "held_net": int(held_net), "held_tickets": int(held_tickets), "net": int(net),
             "tickets": int(tickets)}
            for when, stand, ar, fr, held_net, held_tickets, net, tickets in rows]


class RestoredSums(NamedTuple):
    """A day's stands restored from a backup on their till, summed over them: how many, what
    the last restore of each replaced, and what their tills say now."""

    stands: int
    held_net: int
    held_tickets: int
    net: int
    tickets: int


def restored_sums(session: Session, market: Market) -> dict[str, RestoredSums]:
    """:class:`RestoredSums` by day (ISO) over the edition, for a table of one row per day
    (the days export): of each till restored more than once, its last restore, which
    replaced the figures the server held just before the till's of now (those of the
    restores before are in :func:`restored_rows`)."""
    r, s = RestoredDay, DaySummaryRow
    last = (select(r.device_id, r.business_day, func.max(r.restores).label("restores"))
            .where(r.market_id == market.id).group_by(r.device_id, r.business_day).subquery())
    rows = session.connection().execute(
        select(r.business_day, func.count(s.cooperative_id.distinct()), _total(r.net),
               _total(r.sales_count), _total(s.net), _total(s.sales_count))
        .join(last, and_(last.c.device_id == r.device_id,
                         last.c.business_day == r.business_day,
                         last.c.restores == r.restores))
        .join(s, and_(s.device_id == r.device_id, s.business_day == r.business_day))
        .where(r.market_id == market.id).group_by(r.business_day))
    return {day.isoformat(): RestoredSums(*(int(v) for v in values))
            for day, *values in rows}


def _in_memory(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":  # sums in memory, not on disk
        session.execute(text("SET LOCAL work_mem = '32MB'"))


def _hours_and_top(session: Session, market: Market, day: dt.date
                   ) -> tuple[list[dict[str, int]], list[dict[str, Any]]]:
    _in_memory(session)
    return hour_rows(session, market, day), top_products(session, market, day)


def dashboard_data(session: Session, market: Market, day: dt.date, now: dt.datetime,
                   markets: list[Market], *, beside: Sequence[Session] = ()
                   ) -> dict[str, Any]:
    """Everything the dashboard page shows, as JSON-ready values (money in centimes).

    ``beside``, sessions reading the same snapshot (see :meth:`Database.read_together`),
    read on threads while this one reads the cooperatives: the last the hours and the top
    products, the one before it (if any) half of the cooperatives. The database works on
    them at once.
    """
    half = beside[0] if len(beside) > 1 else None  # reads half of the cooperatives
    side = _BESIDE.submit(_hours_and_top, beside[-1], market, day) if beside else None
    try:
        _in_memory(session)
        coops = cooperative_values(session, market, day, now, beside=half)
        days = day_rows(session, market)
        hours, top = side.result() if side else _hours_and_top(session, market, day)
    finally:
        if side:
            wait([side])  # the other session is not closed under its thread
    split = breakdowns(coops)
    today = next((d for d in days if d["day"] == day.isoformat()), None)
    return {
        "generated_at": now.isoformat() + "Z",
        "market": market_dict(market),
        "markets": [market_dict(m) for m in markets],
        "day": day.isoformat(),
        "totals": {
            "day": {"net": today["net"] if today else 0,
                    "tickets": today["tickets"] if today else 0,
                    "refunds": today["refunds"] if today else 0,
                    "stalls": sum(c[_REPORTED] for c in coops)},
            "edition": {"net": sum(d["net"] for d in days),
                        "tickets": sum(d["tickets"] for d in days),
                        "refunds": sum(d["refunds"] for d in days),
                        "days": sum(1 for d in days if d["tickets"] or d["net"])},
            # the day's stands: not those not in the market yet that day
            "cooperatives": sum(1 for c in coops if in_market(c)),
        },
        # rows of values, the field names once: a market can have thousands of stalls
        "cooperative_fields": COOP_FIELDS,
        "cooperatives": coops,
        "sectors": [asdict(g) for g in split.sectors],
        "origins": [asdict(g) for g in split.origins],
        "programmes": [asdict(g) for g in split.programmes],
        "days": days,
        "hours": hours,
        "top_products": top,
        "restored": restored_rows(session, market, day),
    }
