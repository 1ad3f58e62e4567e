"""Helpers shared by the server's tests: a seeded market, enrolled stalls, summaries."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config

from sync.protocol import DaySummary
from sync.server import admin
from sync.server.db import Database

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

def alembic(database: Database, action: str, revision: str) -> None:
    """Run an Alembic command (``upgrade``, ``downgrade``) of the server's migrations."""
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(importlib.resources.files("sync.server") / "migrations"))
    with database.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)
        conn.commit()


# --- a market with cooperatives and enrolled devices -------------------------------------


DAY = dt.date(2026, 5, 12)


@dataclass
class Stall:
    cooperative_id: int
    device_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    market_id: int
    argan: Stall
    pottery: Stall


def enrol(client: TestClient, db: Database, cooperative_id: int, name: str = "stall") -> Stall:
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, cooperative_id)
    reply = client.post("/api/v1/enrol", json={"code": code, "device_name": name})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return Stall(cooperative_id, uuid.UUID(body["device_id"]), body["token"])


def set_up_before(db: Database, market_id: int,
                  when: dt.datetime = dt.datetime(2026, 5, 1, 8, 0)) -> None:
    """As if the market's cooperatives had been set up at ``when`` (naive UTC; by default
    before the market of :data:`DAY`): a test whose clock is in that market's days sees
    them in the market (one set up after a day, with no figures of it or before, was not
    in the market yet that day)."""
    from sqlalchemy import update

    from sync.server.models import Cooperative

    with db.write() as s:
        s.execute(update(Cooperative).where(Cooperative.market_id == market_id)
                  .values(created_at=when))


def seed_market(db: Database) -> tuple[int, int, int]:
    with db.write() as s:
        m = admin.add_market(s, name_ar="السوق المتنقل لفاس", name_fr="Marché itinérant de Fès",
                             city="Fès", region="Fès-Meknès", starts_on=DAY,
                             ends_on=DAY + dt.timedelta(days=4))
        a = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=m.id, name_ar="تعاونية أركان النساء", name_fr="Coopérative Argan Nissae",
            sector="food", province="Essaouira", region="Marrakech-Safi", stand="12",
            members=24, women_led=True))
        p = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=m.id, name_ar="تعاونية فخار فاس", name_fr="Coopérative Poterie de Fès",
            sector="handicrafts", province="Fès", stand="3", members=9, youth_led=True))
        return m.id, a.id, p.id




# --- summaries ---------------------------------------------------------------------------


def summary(device_id: uuid.UUID, day: dt.date = DAY, version: int = 10, *,
            net: int = 125_050, tickets: int = 7, cooperative_id: int | None = None,
            status: str = "open", refunds: int = 0, products: int = 3) -> DaySummary:
    """A consistent day summary whose figures derive from ``net`` and ``version``: its
    breakdowns add up as the stall's do (``sync.server.ingest``)."""
    gross = net + refunds
    opened = dt.datetime.combine(day, dt.time(8, 30), dt.UTC)
    hours = [(10, net // 2, tickets // 2), (16, net - net // 2, tickets - tickets // 2)]
    lines = [(f"SKU-{i}", f"منتج {i}", f"Produit {i}", 1000 * (i + 1)) for i in range(products)]
    shares = [net // max(1, products)] * products
    if products:
        shares[0] += net - sum(shares)
    data: dict[str, Any] = {
        "device_id": str(device_id), "cooperative_id": cooperative_id,
        "business_day": day.isoformat(), "version": version, "status": status,
        "opened_at": opened.isoformat(),
        "closed_at": (opened + dt.timedelta(hours=10)).isoformat() if status == "closed"
        else None,
        "utc_offset_minutes": 60, "z_number": 4 if status == "closed" else None,
        "sales_count": tickets, "refunds_count": 1 if refunds else 0, "voids_count": 0,
        "gross": gross, "refunds": refunds, "voids": 0, "net": net, "discounts": 0,
        "items": sum(qty for *_, qty in lines),
        "taxes": [{"rate": 20, "base": net * 5 // 6, "tax": net - net * 5 // 6}],
        "payments": [{"method": "cash", "amount": net, "count": tickets}],
        "products": [
            {"product_id": sku, "name_ar": ar, "name_fr": fr, "category": "huile",
             "quantity": qty, "amount": share}
            for (sku, ar, fr, qty), share in zip(lines, shares, strict=True)
        ],
        "hours": [{"hour": h, "amount": a, "tickets": n} for h, a, n in hours],
        "members": [{"member": "Fatima", "amount": net,
                     "quantity": sum(qty for *_, qty in lines)}],
        "cash": {"opening_float": 20_000, "cash_in": 0, "cash_out": 0,
                 "expected": 20_000 + net},
        "journal_head": {"seq": version, "hash": f"{version:064x}"},
        "grand_total": 1_000_000 + net,
    }
    return DaySummary.model_validate(data)


def push_body(*summaries: DaySummary) -> dict[str, Any]:
    return {"summaries": [s.model_dump(mode="json") for s in summaries]}


def wait_until_pushes_wait(database_url: str, count: int = 1) -> None:
    """Until ``count`` of this process's push writers wait for a lock on PostgreSQL (a
    transaction that holds pushes, such as a move or a merge), at most a minute."""
    from sqlalchemy import create_engine, text

    watcher = create_engine(database_url)
    try:
        with watcher.connect() as conn:
            for _ in range(600):
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND application_name LIKE :writer"
                ), {"writer": f"souk-push-writer-{os.getpid()}-%"}).scalar() or 0
                if waiting >= count:
                    return
                threading.Event().wait(0.1)
    finally:
        watcher.dispose()
    raise AssertionError(f"{count} push(es) never came to wait for the lock held")
