"""Resends, out-of-order deliveries and races never double count: the newest version wins."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sync.server import ingest
from sync.server.db import Database
from sync.server.models import (
    DaySummaryRow,
    Device,
    Market,
    MarketDay,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
)

from .server_support import DAY, World, push_body, summary

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.fixture
def world(world: World, db: Database) -> World:
    """The seeded market, running ten years: these tests push days far apart."""
    with db.write() as s:
        s.get_one(Market, world.market_id).ends_on = DAY + dt.timedelta(days=3650)
    return world


def net_of(version: int) -> int:
    return 1_000 * version + 7  # every version has its own totals


def totals(db: Database, day: dt.date) -> tuple[int, int, int, int, int]:
    """(version, net, sum of hours, number of product lines, sum of payments) for a day."""
    with db.read() as s:
        row = s.execute(select(DaySummaryRow.id, DaySummaryRow.version, DaySummaryRow.net)
                        .where(DaySummaryRow.business_day == day)).one()
        hours = s.scalar(select(func.sum(SummaryHour.amount))
                         .where(SummaryHour.summary_id == row.id))
        lines = s.scalar(select(func.count()).select_from(SummaryProduct)
                         .where(SummaryProduct.summary_id == row.id))
        paid = s.scalar(select(func.sum(SummaryPayment.amount))
                        .where(SummaryPayment.summary_id == row.id))
    return row.version, row.net, hours or 0, lines or 0, paid or 0


def expected(version: int) -> tuple[int, int, int, int, int]:
    return version, net_of(version), net_of(version), version % 4 + 1, net_of(version)


def version_summary(world: World, day: dt.date, version: int):  # type: ignore[no-untyped-def]
    return summary(world.argan.device_id, day, version, net=net_of(version),
                   products=version % 4 + 1)


def test_same_push_ten_times(client: TestClient, db: Database, world: World) -> None:
    body = push_body(version_summary(world, DAY, 6))
    statuses = [
        client.post("/api/v1/push", json=body, headers=world.argan.headers).json()["results"][0]
        ["status"] for _ in range(10)
    ]
    assert statuses == ["stored"] + ["unchanged"] * 9
    assert totals(db, DAY) == expected(6)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DaySummaryRow)) == 1


DAYS = itertools.count(1)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations([1, 2, 3, 5, 8, 13]), repeats=st.lists(st.integers(0, 5), max_size=4))
def test_out_of_order_pushes_keep_the_newest(client: TestClient, db: Database, world: World,
                                             order: list[int], repeats: list[int]) -> None:
    day = DAY + dt.timedelta(days=next(DAYS))
    for version in order + [order[i] for i in repeats]:
        reply = client.post("/api/v1/push", json=push_body(version_summary(world, day, version)),
                            headers=world.argan.headers)
        assert reply.status_code == 200
        assert reply.json()["results"][0]["version"] >= version
    assert totals(db, day) == expected(13)


def test_two_versions_racing_from_two_threads(client: TestClient, db: Database,
                                             world: World) -> None:
    auth = ingest.DeviceAuth(world.argan.device_id, world.argan.cooperative_id,
                             world.market_id)
    errors: list[BaseException] = []

    def push(day: dt.date, version: int, barrier: threading.Barrier) -> None:
        try:
            s = version_summary(world, day, version)
            barrier.wait(timeout=10)
            with db.write() as session:
                ingest.push(db, session, auth, [s])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    rounds = 16
    for i in range(rounds):
        day = DAY + dt.timedelta(days=100 + i)
        base, low, high = 3 * i + 1, 3 * i + 2, 3 * i + 3
        if i % 2:  # race over a stored row; otherwise race to insert the day
            with db.write() as session:
                ingest.push(db, session, auth, [version_summary(world, day, base)])
        barrier = threading.Barrier(2)
        versions = (low, high) if i % 4 < 2 else (high, low)
        threads = [threading.Thread(target=push, args=(day, v, barrier)) for v in versions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        assert totals(db, day) == expected(high)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(DaySummaryRow)) == rounds


def test_an_older_version_waits_for_a_newer_one_being_written(
        client: TestClient, db: Database, world: World) -> None:
    """The newer push holds its transaction open while the older one arrives."""
    auth = ingest.DeviceAuth(world.argan.device_id, world.argan.cooperative_id,
                             world.market_id)
    for day, base in ((DAY, 1), (DAY + dt.timedelta(days=1), None)):
        if base is not None:
            with db.write() as session:
                ingest.push(db, session, auth, [version_summary(world, day, base)])
        written, release = threading.Event(), threading.Event()
        results: list[str] = []

        def newer(day: dt.date = day, written: threading.Event = written,
                  release: threading.Event = release) -> None:
            with db.write() as session:
                ingest.push(db, session, auth, [version_summary(world, day, 9)])
                written.set()
                release.wait(timeout=10)

        def older(day: dt.date = day, results: list[str] = results) -> None:
            with db.write() as session:
                got, _ = ingest.push(db, session, auth, [version_summary(world, day, 5)])
                results.append(got[0].status)

        first = threading.Thread(target=newer)
        first.start()
        assert written.wait(timeout=10)
        second = threading.Thread(target=older)
        second.start()
        second.join(timeout=0.5)  # it must be waiting for the first to commit
        assert second.is_alive()
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)
        assert results == ["stale"]
        assert totals(db, day) == expected(9)


def recomputed(db: Database) -> tuple[dict[str, object], dict[str, object]]:
    """(running totals kept by the upsert, the same summed again from the stored days)."""
    s_, d_, m_ = DaySummaryRow, Device, MarketDay
    with db.read() as s:
        kept_devices = {r.id: (r.total_net, r.total_tickets, r.total_refunds, r.days_closed)
                        for r in s.scalars(select(d_))}
        kept_days = {r.business_day: (r.net, r.gross, r.refunds, r.tickets, r.devices, r.closed)
                     for r in s.scalars(select(m_))}
        devices = {d: (0, 0, 0, 0) for d in kept_devices}
        days: dict[object, tuple[int, ...]] = {}
        for r in s.scalars(select(s_)):
            closed = int(r.status == "closed")
            a = devices[r.device_id]
            devices[r.device_id] = (a[0] + r.net, a[1] + r.sales_count, a[2] + r.refunds,
                                    a[3] + closed)
            b = days.get(r.business_day, (0, 0, 0, 0, 0, 0))
            days[r.business_day] = (b[0] + r.net, b[1] + r.gross, b[2] + r.refunds,
                                    b[3] + r.sales_count, b[4] + 1, b[5] + closed)
    return {"devices": kept_devices, "days": kept_days}, {"devices": devices, "days": days}


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pushes=st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(1, 6),
                                 st.integers(0, 90_000), st.booleans(), st.integers(0, 500)),
                       min_size=1, max_size=25))
def test_running_totals_always_equal_the_stored_days(
        client: TestClient, db: Database, world: World,
        pushes: list[tuple[bool, int, int, int, bool, int]]) -> None:
    """Whatever arrives (replacements, resends, stale versions, closing), the dashboard's
    running totals per device and per market day equal the sums of the stored days."""
    base = DAY + dt.timedelta(days=1000 + 10 * next(DAYS))
    for pottery, day, version, net, closed, refunds in pushes:
        stall = world.pottery if pottery else world.argan
        s = summary(stall.device_id, base + dt.timedelta(days=day), version, net=net,
                    status="closed" if closed else "open", refunds=refunds)
        client.post("/api/v1/push", json=push_body(s), headers=stall.headers)
    kept, again = recomputed(db)
    assert kept == again
