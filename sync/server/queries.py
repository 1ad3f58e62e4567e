"""The figures of a market: what the dashboard, the exports and the edition report show.

The edition's totals come from running totals the upsert keeps per device and per market
day; a day's figures from that day's summaries and their per-hour and per-product lines
(which carry the market and the day, so they are read by index). Breakdowns by sector,
origin and programme are made from the per-cooperative rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select, text, tuple_
from sqlalchemy.orm import Session

from sync.server.models import (
    SECTORS,
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    Market,
    MarketDay,
    SummaryHour,
    SummaryProduct,
)

STALE_AFTER = dt.timedelta(minutes=30)
_BESIDE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="souk-dashboard")


def market_dict(m: Market) -> dict[str, Any]:
    return {"id": m.id, "name_ar": m.name_ar, "name_fr": m.name_fr, "city": m.city,
            "region": m.region, "starts_on": m.starts_on.isoformat(),
            "ends_on": m.ends_on.isoformat()}


def list_markets(session: Session) -> list[Market]:
    return list(session.scalars(select(Market).order_by(Market.starts_on.desc(), Market.id)))


def pick_market(session: Session, market_id: int | None, today: dt.date) -> Market | None:
    """The asked market, else the one running today, else the latest to start."""
    if market_id is not None:
        return session.get(Market, market_id)
    markets = list_markets(session)
    running = [m for m in markets if m.starts_on <= today <= m.ends_on]
    candidates = running or markets
    return candidates[0] if candidates else None


def pick_day(market: Market, day: dt.date | None, today: dt.date) -> dt.date:
    if day is not None:
        return day
    return min(max(today, market.starts_on), market.ends_on)


@dataclass(slots=True)
class CoopRow:
    id: int
    name_ar: str
    name_fr: str
    sector: str
    stand: str
    province: str
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
    last_sync: str | None = None
    stale_seconds: int | None = None
    stale: bool = False
    conflicts: int = 0


COOP_FIELDS = tuple(f.name for f in fields(CoopRow))
_coop_values = attrgetter(*COOP_FIELDS)


def _total(col: Any) -> Any:
    """A sum as a whole number on both databases (PostgreSQL sums bigints as numeric)."""
    return cast(func.coalesce(func.sum(col), 0), BigInteger)


def cooperative_rows(session: Session, market: Market, day: dt.date, now: dt.datetime
                     ) -> list[CoopRow]:
    """One row per cooperative of the market, ordered by stand, from one query.

    The edition's totals are the devices' running totals (kept by the upsert); the day's
    come from that day's summaries, read by index. A cooperative's days closed are those
    of its most complete device (a day counts once even when two tills closed it); its
    devices are those not revoked; its last sync is its devices' latest push.
    """
    c, d, s = Cooperative, Device, DaySummaryRow
    members = select(c.id).where(c.market_id == market.id)
    devices = (
        select(d.cooperative_id.label("cid"), _total(d.total_net).label("net"),
               _total(d.total_tickets).label("tickets"),
               _total(d.total_refunds).label("refunds"),
               func.max(d.days_closed).label("closed"),
               _total(case((d.revoked_at.is_(None), 1), else_=0)).label("live"),
               func.max(d.last_push_at).label("last"))
        .where(d.cooperative_id.in_(members)).group_by(d.cooperative_id).subquery()
    )
    today = (
        select(s.cooperative_id.label("cid"), _total(s.net).label("net"),
               _total(s.sales_count).label("tickets"))
        .where(s.market_id == market.id, s.business_day == day)
        .group_by(s.cooperative_id).subquery()
    )
    conflicts = (
        select(Conflict.cooperative_id.label("cid"), func.count().label("n"))
        .where(Conflict.cooperative_id.in_(members)).group_by(Conflict.cooperative_id)
        .subquery()
    )
    query = (
        select(c.id, c.name_ar, c.name_fr, c.sector, c.stand, c.province, c.region, c.members,
               c.women_led, c.youth_led, func.coalesce(today.c.net, 0),
               func.coalesce(today.c.tickets, 0), func.coalesce(devices.c.net, 0),
               func.coalesce(devices.c.tickets, 0), func.coalesce(devices.c.refunds, 0),
               func.coalesce(devices.c.closed, 0), today.c.cid.is_not(None),
               func.coalesce(devices.c.live, 0), devices.c.last,
               func.coalesce(conflicts.c.n, 0))
        .outerjoin(devices, devices.c.cid == c.id)
        .outerjoin(today, today.c.cid == c.id)
        .outerjoin(conflicts, conflicts.c.cid == c.id)
        .where(c.market_id == market.id)
    )
    region = market.region.casefold()
    rows = []
    for (cid, name_ar, name_fr, sector, stand, province, coop_region, size, women, youth,
         day_net, day_tickets, net, tickets, refunds, closed, reported, live, last,
         conflicted) in session.connection().execute(query).all():
        row = CoopRow(cid, name_ar, name_fr, sector, stand, province, coop_region,
                      coop_region.casefold() == region, size, bool(women), bool(youth),
                      day_net, day_tickets, net, tickets, refunds, closed, int(reported), live,
                      conflicts=conflicted)
        if last is not None:
            row.last_sync = last.isoformat() + "Z"
            row.stale_seconds = max(0, int((now - last).total_seconds()))
            row.stale = now - last > STALE_AFTER
        rows.append(row)
    rows.sort(key=lambda r: (_stand_key(r.stand), r.id))
    return rows


def _stand_key(stand: str) -> tuple[int, int, str]:
    return (0, int(stand), "") if stand.isdigit() else (1, 0, stand)


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
    """The best-selling products (per cooperative and product key), by amount.

    Ranked on the amounts alone, then the few winners' names and quantities are read.
    """
    p = SummaryProduct
    where = [p.market_id == market.id] + ([p.business_day == day] if day is not None else [])
    amount = func.sum(p.amount)
    winners = session.connection().execute(
        select(p.cooperative_id, p.product_id, amount.label("amount"))
        .where(*where)
        .group_by(p.cooperative_id, p.product_id)
        .order_by(amount.desc(), p.cooperative_id, p.product_id)
        .limit(limit)
    ).all()
    if not winners:
        return []
    keys = [(w.cooperative_id, w.product_id) for w in winners]
    details = {
        (r.cooperative_id, r.product_id): r for r in session.connection().execute(
            select(p.cooperative_id, p.product_id, func.max(p.name_ar).label("name_ar"),
                   func.max(p.name_fr).label("name_fr"), func.sum(p.quantity).label("quantity"))
            .where(*where, tuple_(p.cooperative_id, p.product_id).in_(keys))
            .group_by(p.cooperative_id, p.product_id)
        )
    }
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
         "quantity": int(details[key].quantity), "amount": int(w.amount)}
        for w, key in zip(winners, keys, strict=True)
    ]


@dataclass
class Group:
    key: str
    cooperatives: int = 0
    members: int = 0
    day_net: int = 0
    day_tickets: int = 0
    edition_net: int = 0
    edition_tickets: int = 0


def _group(rows: Iterable[CoopRow], keys: Iterable[str], key_of: Any) -> list[Group]:
    groups = {k: Group(k) for k in keys}
    for r in rows:
        for k in key_of(r):
            g = groups[k]
            g.cooperatives += 1
            g.members += r.members
            g.day_net += r.day_net
            g.day_tickets += r.day_tickets
            g.edition_net += r.edition_net
            g.edition_tickets += r.edition_tickets
    return list(groups.values())


@dataclass
class Breakdowns:
    sectors: list[Group] = field(default_factory=list)
    origins: list[Group] = field(default_factory=list)
    programmes: list[Group] = field(default_factory=list)


def breakdowns(rows: list[CoopRow]) -> Breakdowns:
    return Breakdowns(
        sectors=_group(rows, SECTORS, lambda r: [r.sector]),
        origins=_group(rows, ("inside_region", "outside_region"),
                       lambda r: ["inside_region" if r.inside else "outside_region"]),
        programmes=_group(
            rows, ("all_cooperatives", "women_led", "youth_led"),
            lambda r: ["all_cooperatives"] + ["women_led"] * r.women_led
            + ["youth_led"] * r.youth_led,
        ),
    )


def _in_memory(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":  # sums in memory, not on disk
        session.execute(text("SET LOCAL work_mem = '32MB'"))


def _hours_and_top(session: Session, market: Market, day: dt.date
                   ) -> tuple[list[dict[str, int]], list[dict[str, Any]]]:
    _in_memory(session)
    return hour_rows(session, market, day), top_products(session, market, day)


def dashboard_data(session: Session, market: Market, day: dt.date, now: dt.datetime,
                   markets: list[Market], *, beside: Session | None = None
                   ) -> dict[str, Any]:
    """Everything the dashboard page shows, as JSON-ready values (money in centimes).

    ``beside``, a second session reading the same snapshot (see
    :meth:`Database.read_together`), reads the hours and the top products on a thread while
    this one reads the cooperatives: the database works on both at once.
    """
    side = _BESIDE.submit(_hours_and_top, beside, market, day) if beside else None
    try:
        _in_memory(session)
        coops = cooperative_rows(session, market, day, now)
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
                    "stalls": sum(c.reported for c in coops)},
            "edition": {"net": sum(d["net"] for d in days),
                        "tickets": sum(d["tickets"] for d in days),
                        "refunds": sum(d["refunds"] for d in days),
                        "days": sum(1 for d in days if d["tickets"] or d["net"])},
            "cooperatives": len(coops),
        },
        # rows of values, the field names once: a market can have thousands of stalls
        "cooperative_fields": COOP_FIELDS,
        "cooperatives": [_coop_values(c) for c in coops],
        "sectors": [asdict(g) for g in split.sectors],
        "origins": [asdict(g) for g in split.origins],
        "programmes": [asdict(g) for g in split.programmes],
        "days": days,
        "hours": hours,
        "top_products": top,
    }
