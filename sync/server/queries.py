"""The figures of a market: what the dashboard, the exports and the edition report show.

Everything is summed by the database from the summary columns and the per-hour and
per-product lines (which carry the market and the day, so they are read by index);
breakdowns by sector, origin and programme are made from the per-cooperative rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from sync.server.models import (
    SECTORS,
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    Market,
    SummaryHour,
    SummaryProduct,
)

STALE_AFTER = dt.timedelta(minutes=30)


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


@dataclass
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
    devices: int = 0
    last_sync: str | None = None
    stale_seconds: int | None = None
    stale: bool = False
    conflicts: int = 0


def _sum(col: Any) -> Any:
    return func.coalesce(func.sum(col), 0)


def cooperative_rows(session: Session, market: Market, day: dt.date, now: dt.datetime
                     ) -> list[CoopRow]:
    """One row per cooperative of the market, ordered by stand."""
    s = DaySummaryRow
    on_day = s.business_day == day
    totals = {
        r.cooperative_id: r for r in session.execute(
            select(
                s.cooperative_id,
                _sum(case((on_day, s.net), else_=0)).label("day_net"),
                _sum(case((on_day, s.sales_count), else_=0)).label("day_tickets"),
                _sum(s.net).label("net"), _sum(s.sales_count).label("tickets"),
                _sum(s.refunds).label("refunds"),
            ).where(s.market_id == market.id).group_by(s.cooperative_id)
        )
    }
    closed_days = select(s.cooperative_id, s.business_day).where(
        s.market_id == market.id, s.status == "closed"
    ).distinct().subquery()
    closed: dict[int, int] = dict(session.execute(
        select(closed_days.c.cooperative_id, func.count()).group_by(closed_days.c.cooperative_id)
    ).all())
    devices = {
        r.cooperative_id: r for r in session.execute(
            select(Device.cooperative_id, func.count().label("n"),
                   func.max(Device.last_push_at).label("last"))
            .join(Cooperative, Cooperative.id == Device.cooperative_id)
            .where(Cooperative.market_id == market.id, Device.revoked_at.is_(None))
            .group_by(Device.cooperative_id)
        )
    }
    conflicts: dict[int, int] = dict(session.execute(
        select(Conflict.cooperative_id, func.count())
        .join(Cooperative, Cooperative.id == Conflict.cooperative_id)
        .where(Cooperative.market_id == market.id).group_by(Conflict.cooperative_id)
    ).all())
    rows = []
    region = market.region.casefold()
    for c in session.scalars(select(Cooperative).where(Cooperative.market_id == market.id)):
        row = CoopRow(
            id=c.id, name_ar=c.name_ar, name_fr=c.name_fr, sector=c.sector, stand=c.stand,
            province=c.province, region=c.region, inside=c.region.casefold() == region,
            members=c.members, women_led=c.women_led, youth_led=c.youth_led,
            days_closed=closed.get(c.id, 0), conflicts=conflicts.get(c.id, 0),
        )
        if (t := totals.get(c.id)) is not None:
            row.day_net, row.day_tickets = int(t.day_net), int(t.day_tickets)
            row.edition_net, row.edition_tickets = int(t.net), int(t.tickets)
            row.edition_refunds = int(t.refunds)
        if (d := devices.get(c.id)) is not None:
            row.devices = d.n
            if d.last is not None:
                row.last_sync = d.last.isoformat() + "Z"
                row.stale_seconds = max(0, int((now - d.last).total_seconds()))
                row.stale = now - d.last > STALE_AFTER
        rows.append(row)
    rows.sort(key=lambda r: (_stand_key(r.stand), r.id))
    return rows


def _stand_key(stand: str) -> tuple[int, int, str]:
    return (0, int(stand), "") if stand.isdigit() else (1, 0, stand)


def day_rows(session: Session, market: Market) -> list[dict[str, Any]]:
    s = DaySummaryRow
    rows = session.execute(
        select(
            s.business_day, _sum(s.net).label("net"), _sum(s.gross).label("gross"),
            _sum(s.refunds).label("refunds"), _sum(s.sales_count).label("tickets"),
            func.count(distinct(s.cooperative_id)).label("stalls"),
            _sum(case((s.status == "closed", 1), else_=0)).label("closed"),
        ).where(s.market_id == market.id).group_by(s.business_day).order_by(s.business_day)
    )
    return [
        {"day": r.business_day.isoformat(), "net": int(r.net), "gross": int(r.gross),
         "refunds": int(r.refunds), "tickets": int(r.tickets), "stalls": int(r.stalls),
         "closed": int(r.closed)}
        for r in rows
    ]


def hour_rows(session: Session, market: Market, day: dt.date | None) -> list[dict[str, int]]:
    """Sales by the stalls' local hour, on one day or (``day=None``) the whole edition."""
    h = SummaryHour
    where = [h.market_id == market.id] + ([h.business_day == day] if day is not None else [])
    query = select(h.hour, _sum(h.amount).label("amount"), _sum(h.tickets).label("tickets"))
    query = query.where(*where).group_by(h.hour)
    got = {r.hour: r for r in session.execute(query)}
    return [
        {"hour": hour, "amount": int(got[hour].amount) if hour in got else 0,
         "tickets": int(got[hour].tickets) if hour in got else 0}
        for hour in range(24)
    ]


def top_products(session: Session, market: Market, day: dt.date | None, limit: int = 10
                 ) -> list[dict[str, Any]]:
    p = SummaryProduct
    where = [p.market_id == market.id] + ([p.business_day == day] if day is not None else [])
    amount = func.sum(p.amount)
    query = (
        select(p.cooperative_id, p.product_id, func.max(p.name_ar).label("name_ar"),
               func.max(p.name_fr).label("name_fr"), func.sum(p.quantity).label("quantity"),
               amount.label("amount"))
        .where(*where)
        .group_by(p.cooperative_id, p.product_id)
        .order_by(amount.desc(), p.cooperative_id, p.product_id)
        .limit(limit)
    )
    rows = session.execute(query).all()
    names = {
        c.id: c for c in session.execute(
            select(Cooperative.id, Cooperative.name_ar, Cooperative.name_fr)
            .where(Cooperative.id.in_({r.cooperative_id for r in rows}))
        )
    } if rows else {}
    return [
        {"cooperative_id": r.cooperative_id,
         "cooperative_ar": names[r.cooperative_id].name_ar,
         "cooperative_fr": names[r.cooperative_id].name_fr, "product_id": r.product_id,
         "name_ar": r.name_ar, "name_fr": r.name_fr, "quantity": int(r.quantity),
         "amount": int(r.amount)}
        for r in rows
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


def dashboard_data(session: Session, market: Market, day: dt.date, now: dt.datetime,
                   markets: list[Market]) -> dict[str, Any]:
    """Everything the dashboard page shows, as JSON-ready values (money in centimes)."""
    coops = cooperative_rows(session, market, day, now)
    days = day_rows(session, market)
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
                    "stalls": today["stalls"] if today else 0},
            "edition": {"net": sum(d["net"] for d in days),
                        "tickets": sum(d["tickets"] for d in days),
                        "refunds": sum(d["refunds"] for d in days),
                        "days": sum(1 for d in days if d["tickets"] or d["net"])},
            "cooperatives": len(coops),
        },
        "cooperatives": [asdict(c) for c in coops],
        "sectors": [asdict(g) for g in split.sectors],
        "origins": [asdict(g) for g in split.origins],
        "programmes": [asdict(g) for g in split.programmes],
        "days": days,
        "hours": hour_rows(session, market, day),
        "top_products": top_products(session, market, day),
    }
