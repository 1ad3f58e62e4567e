"""A market day over a bad connection, as the organisers read it: the server out of reach
all morning while the stall sells, refunds and voids; then pushes answered but cut
before the till read the answer; the day closed and opened again on the same date; the
next day synced as it goes. At the end the dashboard's figures (the server's own
queries) equal, to the centime, what the stall's X and Z reports say, each day counted
once."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pos import day, refunds
from pos.models import Sale
from pos.reports import day_report
from sync.client.engine import sync_once
from sync.server import queries
from sync.server.models import Market
from tests.sync.client.faultproxy import FaultProxy
from tests.sync.client.support import MARKET_DAY, LiveServer, Till
from tests.sync.client.test_faults import transport_via


@pytest.fixture
def link(server: LiveServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(server.port, seed=7, hold=0.3, weights={"refuse": 1.0})
    yield proxy
    proxy.close()


def reverse_two(till: Till) -> None:
    """A void and a refund in full of two sales of the open day, by its manager."""
    with till.store.write() as s:
        today = day.require_open_day(s)
        reversed_ = set(s.scalars(select(Sale.reverses).where(Sale.reverses.is_not(None))))
        sales = [x for x in s.scalars(select(Sale).where(Sale.kind == "sale",
                                                         Sale.day_id == today.id))
                 if x.id not in reversed_]
        manager = s.merge(till.manager)
        refunds.void(s, sales[-1].id, reason="erreur de saisie", manager=manager)
        refunds.refund(s, sales[-2].id, quantities=None, reason="retour", manager=manager)


def x_and_z(till: Till) -> dict[str, dict[str, int]]:
    """Per date, the sum of the stall's Z reports and of its open day's X report."""
    out: dict[str, dict[str, int]] = {}
    with till.store.read() as s:
        for d in day.days(s):
            r = day_report(s, d)
            sums = out.setdefault(d.date.isoformat(), {"net": 0, "tickets": 0, "refunds": 0})
            sums["net"] += r.net
            sums["tickets"] += r.sales_count
            sums["refunds"] += r.refunds
    return out


def test_a_market_day_over_a_bad_connection_is_counted_once(
        till: Till, server: LiveServer, link: FaultProxy) -> None:
    rng = random.Random(61)
    transport = transport_via(till.store, link.url)
    try:
        for _ in range(3):  # all morning out of reach: the runs fail, the sales go on
            for _ in range(4):
                till.sell(rng)
            reverse_two(till)
            outcome = sync_once(till.store, transport)
            assert outcome.error is not None and outcome.waiting == 1
        link.weights = {"cut": 1.0}  # the server takes the pushes; the answers are cut
        for _ in range(2):
            till.sell(rng)
            outcome = sync_once(till.store, transport)
            assert outcome.error is not None and not outcome.acked
        till.close_day()  # closed, then opened again on the same date
        with till.store.write() as s:
            day.open_day(s, 20_000, user=s.merge(till.manager),
                         at=dt.datetime.combine(MARKET_DAY, dt.time(15, 0)))
        for _ in range(3):
            till.sell(rng)
        reverse_two(till)
        link.weights = {"pass": 1.0}  # the connection is back
        assert sync_once(till.store, transport).ok
        till.close_day()
        for _ in range(3):  # the next day, synced as it goes
            till.sell(rng)
            assert sync_once(till.store, transport).ok
    finally:
        link.drain()
        transport.close()

    stall = x_and_z(till)
    assert len(stall) == 2 and stall[MARKET_DAY.isoformat()]["refunds"] > 0
    with server.database.read() as s:
        market = s.get_one(Market, server.market_id)
        days = {d["day"]: d for d in queries.day_rows(s, market)}
        for date, figures in stall.items():
            shown = queries.dashboard_data(s, market, dt.date.fromisoformat(date),
                                           dt.datetime(2026, 5, 14, 12, 0), [market])
            assert {k: shown["totals"]["day"][k] for k in figures} == figures
            assert days[date]["devices"] == 1
        edition = shown["totals"]["edition"]
    assert edition["net"] == sum(v["net"] for v in stall.values())
    assert edition["tickets"] == sum(v["tickets"] for v in stall.values())
    assert server.rows_per_day() == 1 and server.conflicts() == 0
