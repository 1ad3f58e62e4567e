"""Pushes applied in batches (group commit), on SQLite and PostgreSQL.

Many stalls push at once; the writer applies what is waiting in one transaction. What the
organisers see must be exactly what each stall sent, whatever else was in the batch: a
refused push writes nothing, and a push that breaks its batch is applied again alone while
the others are kept.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from sync.protocol import DaySummary, DayVersion, PushRequest, PushResponse, PushResult
from sync.server import ingest
from sync.server.db import Database
from sync.server.models import (
    DaySummaryRow,
    Device,
    MarketDay,
    SummaryBody,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
)
from sync.server.writer import PushWriter, Reply

from .server_support import DAY, World, summary


def request(*summaries: Any) -> PushRequest:
    return PushRequest(summaries=list(summaries))


def push_all(writer: PushWriter, jobs: list[tuple[str, PushRequest | None, str | None]]
             ) -> list[Reply | BaseException]:
    """Submit every job at once from one event loop, as concurrent requests would."""
    async def go() -> list[Reply | BaseException]:
        try:
            return await asyncio.gather(*(writer.submit(*job) for job in jobs),
                                        return_exceptions=True)
        finally:
            await writer.aclose()
    return asyncio.run(go())


def stored(db: Database) -> dict[tuple[object, dt.date], tuple[int, int]]:
    with db.read() as s:
        return {(r.device_id, r.business_day): (r.version, r.net)
                for r in s.scalars(select(DaySummaryRow))}


def running_totals_match(db: Database) -> bool:
    with db.read() as s:
        days = {r.business_day: (r.net, r.tickets, r.devices)
                for r in s.scalars(select(MarketDay))}
        again: dict[dt.date, tuple[int, int, int]] = {}
        for r in s.scalars(select(DaySummaryRow)):
            net, tickets, devices = again.get(r.business_day, (0, 0, 0))
            again[r.business_day] = (net + r.net, tickets + r.sales_count, devices + 1)
        devices_ok = all(
            d.total_net == (s.scalar(select(func.coalesce(func.sum(DaySummaryRow.net), 0))
                                     .where(DaySummaryRow.device_id == d.id)))
            for d in s.scalars(select(Device)))
    return days == again and devices_ok


def test_many_pushes_at_once_are_applied_in_few_transactions(
        client: TestClient, db: Database, world: World) -> None:
    writer = PushWriter(db)
    jobs: list[tuple[str, PushRequest | None, str | None]] = []
    for n in range(12):
        for stall in (world.argan, world.pottery):
            day = DAY + dt.timedelta(days=n % 3)
            jobs.append((stall.token, request(summary(stall.device_id, day, version=n + 1,
                                                      net=1000 * (n + 1))), None))
    replies = push_all(writer, jobs)
    assert all(isinstance(r, Reply) and r.status == 200 for r in replies), replies
    assert writer.pushes == len(jobs)
    assert writer.batches < len(jobs)  # they shared commits
    held = stored(db)
    for stall in (world.argan, world.pottery):
        for k in range(3):  # the newest version of each day won, whatever the batching
            newest = max(n for n in range(12) if n % 3 == k)
            assert held[stall.device_id, DAY + dt.timedelta(days=k)] == (newest + 1,
                                                                         1000 * (newest + 1))
    assert running_totals_match(db)


def test_every_day_of_a_batch_keeps_its_own_lines_and_body(
        client: TestClient, db: Database, world: World) -> None:
    """Several devices, several days each, one device twice: each stored day has exactly
    the lines and the body of the version that won, none of another day's."""
    writer = PushWriter(db)
    sent: dict[tuple[object, dt.date], Any] = {}
    jobs: list[tuple[str, PushRequest | None, str | None]] = []
    for k, stall in enumerate((world.argan, world.pottery)):
        days = [summary(stall.device_id, DAY + dt.timedelta(days=d), version=3,
                        net=1000 * (10 * k + d + 1), products=d + 1) for d in range(3)]
        jobs.append((stall.token, request(*days), None))
        sent.update({(s.device_id, s.business_day): s for s in days})
    newer = summary(world.argan.device_id, DAY, version=4, net=777, products=5)
    jobs.append((world.argan.token, request(newer), None))  # read after the first
    sent[newer.device_id, DAY] = newer
    replies = push_all(writer, jobs)
    assert all(isinstance(r, Reply) and r.status == 200 for r in replies), replies
    with db.read() as s:
        rows = {(r.device_id, r.business_day): r for r in s.scalars(select(DaySummaryRow))}
        assert set(rows) == set(sent)
        for key, day in sent.items():
            sid = rows[key].id
            products = s.execute(select(SummaryProduct.line, SummaryProduct.product_id,
                                        SummaryProduct.amount)
                                 .where(SummaryProduct.summary_id == sid)
                                 .order_by(SummaryProduct.line)).all()
            assert [(line, sku, amount) for line, sku, amount in products] == [
                (i, p.product_id, p.amount) for i, p in enumerate(day.products)]
            hours = s.execute(select(SummaryHour.hour, SummaryHour.amount)
                              .where(SummaryHour.summary_id == sid)
                              .order_by(SummaryHour.hour)).all()
            assert [tuple(h) for h in hours] == [(h.hour, h.amount) for h in day.hours]
            paid = s.scalar(select(func.sum(SummaryPayment.amount))
                            .where(SummaryPayment.summary_id == sid))
            assert paid == day.net
            body = s.scalar(select(SummaryBody.body).where(SummaryBody.summary_id == sid))
            assert DaySummary.model_validate_json(body) == day
    assert running_totals_match(db)


def test_stalls_answered_together_that_come_back_a_little_apart_share_a_commit(
        client: TestClient, db: Database, world: World) -> None:
    """Three pushes answered by one batch come back one after another (each after a few
    turns of the event loop, as requests parsed one by one do): the writer waits for them
    and applies them in one batch, not the first alone."""
    argan, pottery = world.argan, world.pottery
    writer = PushWriter(db)

    def jobs(version: int) -> list[tuple[str, PushRequest | None, str | None]]:
        return [
            (argan.token, request(summary(argan.device_id, version=version)), None),
            (pottery.token, request(summary(pottery.device_id, version=version)), None),
            (argan.token, request(summary(argan.device_id, DAY + dt.timedelta(days=1),
                                          version=version)), None),
        ]

    async def go() -> tuple[int, list[Reply]]:
        try:
            await asyncio.gather(*(writer.submit(*job) for job in jobs(1)))
            before = writer.batches

            async def later(turns: int, job: tuple[str, PushRequest | None, str | None]
                            ) -> Reply:
                for _ in range(turns):
                    await asyncio.sleep(0)
                return await writer.submit(*job)

            replies = await asyncio.gather(*(later(4 * k, job)
                                             for k, job in enumerate(jobs(2))))
            return writer.batches - before, replies
        finally:
            await writer.aclose()

    batches, replies = asyncio.run(go())
    assert [r.status for r in replies] == [200, 200, 200]
    assert batches == 1
    assert {version for version, _ in stored(db).values()} == {2}
    assert running_totals_match(db)


def test_a_day_the_database_did_not_write_fails_its_batch_before_the_commit(
        client: TestClient, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If what a push was judged against is out of date (another writer changed the day
    meanwhile, which the device's lock rules out), its upsert writes nothing: the batch
    must fail as a whole rather than commit running totals for a day it did not store."""
    argan = world.argan
    first = summary(argan.device_id, version=5, net=5000)
    (reply,) = push_all(PushWriter(db), [(argan.token, request(first), None)])
    assert isinstance(reply, Reply) and reply.status == 200
    with db.read() as s:
        totals = s.get_one(Device, argan.device_id).total_net

    def older(held: dict[dt.date, ingest.Held]) -> dict[dt.date, ingest.Held]:
        return {day: dataclasses.replace(h, version=0) for day, h in held.items()}

    real_held, real_helds = ingest.Store.held, ingest.Store.helds_found
    monkeypatch.setattr(ingest.Store, "held",
                        lambda self, device_id: older(real_held(self, device_id)))
    monkeypatch.setattr(ingest.Store, "helds_found", staticmethod(
        lambda rows: {k: older(v) for k, v in real_helds(rows).items()}))
    again = summary(argan.device_id, version=5, net=7000)  # judged newer than "version 0"
    (reply,) = push_all(PushWriter(db), [(argan.token, request(again), None)])
    assert isinstance(reply, Exception)
    assert "changed during its upsert" in str(reply)
    assert stored(db) == {(argan.device_id, DAY): (5, 5000)}
    with db.read() as s:
        assert s.get_one(Device, argan.device_id).total_net == totals
    assert running_totals_match(db)


def test_refused_pushes_in_a_batch_write_nothing_and_spare_the_others(
        client: TestClient, db: Database, world: World) -> None:
    writer = PushWriter(db)
    argan, pottery = world.argan, world.pottery
    replies = push_all(writer, [
        (argan.token, request(summary(argan.device_id, version=5, net=5000)), None),
        ("not-a-token", request(summary(argan.device_id, version=6, net=6000)), None),
        (pottery.token, request(summary(argan.device_id, version=7, net=7000)), None),
        (pottery.token, None, "summaries: Field required"),
        (pottery.token, request(summary(pottery.device_id, version=3, net=3000)), None),
    ])
    statuses = [r.status if isinstance(r, Reply) else r for r in replies]
    assert statuses == [200, 401, 403, 422, 200]
    assert json.loads(replies[3].body)["detail"] == "summaries: Field required"  # type: ignore[union-attr]
    assert replies[1].unauthorised  # type: ignore[union-attr]
    assert stored(db) == {(argan.device_id, DAY): (5, 5000), (pottery.device_id, DAY): (3, 3000)}
    assert running_totals_match(db)


def test_a_push_that_breaks_its_batch_fails_alone(
        client: TestClient, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure the checks did not foresee rolls the batch back; the other pushes are
    applied again one by one and kept, the failing one gets its error and leaves nothing."""
    real = ingest.Store.store
    broken = world.pottery.device_id

    def store(self: ingest.Store, auth: ingest.DeviceAuth, *args: Any, **kwargs: Any
              ) -> int | None:
        if auth.device_id == broken:
            raise RuntimeError("the disk said no")
        return real(self, auth, *args, **kwargs)

    monkeypatch.setattr(ingest.Store, "store", store)
    writer = PushWriter(db)
    argan, pottery = world.argan, world.pottery
    replies = push_all(writer, [
        (argan.token, request(summary(argan.device_id, version=1, net=100)), None),
        (pottery.token, request(summary(pottery.device_id, version=1, net=999)), None),
        (argan.token, request(summary(argan.device_id, DAY + dt.timedelta(days=1),
                                      version=2, net=200)), None),
    ])
    assert isinstance(replies[1], RuntimeError)
    assert [r.status for r in (replies[0], replies[2])] == [200, 200]  # type: ignore[union-attr]
    assert stored(db) == {(argan.device_id, DAY): (1, 100),
                          (argan.device_id, DAY + dt.timedelta(days=1)): (2, 200)}
    with db.read() as s:
        assert s.get_one(Device, pottery.device_id).last_push_at is None
    assert running_totals_match(db)


def test_the_api_answers_through_the_writer(client: TestClient, db: Database,
                                            world: World) -> None:
    s1 = summary(world.argan.device_id, version=4, net=4000)
    reply = client.post("/api/v1/push", content=request(s1).model_dump_json(),
                        headers=world.argan.headers)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["known_days"] == [{"business_day": DAY.isoformat(), "version": 4}]
    writer: PushWriter = client.app.state.writer  # type: ignore[attr-defined]
    assert writer.pushes >= 1


def test_two_server_processes_writing_the_same_devices(client: TestClient, db: Database,
                                                       world: World) -> None:
    """Two writers over one database (as two server processes would be) get the pushes of
    the same devices, in opposite orders: every reply is right, the newest version of
    each day is kept, and the running totals equal the stored days (on PostgreSQL a
    deadlock between their batches is resolved by applying the pushes one by one)."""
    first, second = PushWriter(db), PushWriter(db)
    stalls = (world.argan, world.pottery)
    jobs = [(stall, n) for n in range(10) for stall in stalls]

    async def go() -> list[Reply | BaseException]:
        calls = []
        for i, (stall, n) in enumerate(jobs):
            writer = first if i % 2 == 0 else second
            job = request(summary(stall.device_id, DAY + dt.timedelta(days=n % 2),
                                  version=n + 1, net=100 * (n + 1)))
            calls.append(writer.submit(stall.token, job))
        try:
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await first.aclose()
            await second.aclose()

    replies = asyncio.run(go())
    assert all(isinstance(r, Reply) and r.status == 200 for r in replies), replies
    held = stored(db)
    for stall in stalls:
        assert held[stall.device_id, DAY] == (9, 900)
        assert held[stall.device_id, DAY + dt.timedelta(days=1)] == (10, 1000)
    assert running_totals_match(db)


def test_no_database_is_an_error_for_each_push_not_a_wait() -> None:
    """With PostgreSQL out of reach, every push gets the error (its handler answers 500),
    and the next push tries again."""
    writer = PushWriter(Database.connect("postgresql+psycopg://postgres@127.0.0.1:9/none"))

    async def go() -> list[Reply | BaseException]:
        try:
            first = await asyncio.wait_for(asyncio.gather(
                *(writer.submit("token", None, "x") for _ in range(3)),
                return_exceptions=True), timeout=30)
            again = await asyncio.wait_for(asyncio.gather(
                writer.submit("token", None, "x"), return_exceptions=True), timeout=30)
            return [*first, *again]
        finally:
            await writer.aclose()

    outcomes = asyncio.run(go())
    assert len(outcomes) == 4
    assert all(type(o).__name__ == "OperationalError" for o in outcomes), outcomes


def test_a_stored_body_is_the_summarys_exact_json(client: TestClient, db: Database,
                                                  world: World) -> None:
    """The body kept for conflict checks is the summary's JSON, byte for byte; on PostgreSQL
    its column is compressed with lz4 (the migration sets it where the server has lz4)."""
    day = summary(world.argan.device_id, version=9, net=4321, products=4)
    (reply,) = push_all(PushWriter(db), [(world.argan.token, request(day), None)])
    assert isinstance(reply, Reply) and reply.status == 200
    with db.read() as s:
        assert s.scalar(select(SummaryBody.body)) == day.model_dump_json()
        if db.is_postgresql:
            lz4 = s.scalar(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                "WHERE name = 'default_toast_compression'"))
            method = s.scalar(text(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = "
                "'summary_bodies'::regclass AND attname = 'body'"))
            assert method == ("l" if lz4 else "")


def test_replies_are_the_push_responses_json(client: TestClient, db: Database,
                                             world: World) -> None:
    """The reply of a push that stored one day and conflicted on another is the
    PushResponse of what the server holds, as the protocol's model writes it."""
    writer = PushWriter(db)
    first = summary(world.argan.device_id, version=5, net=1000)
    other = summary(world.argan.device_id, DAY + dt.timedelta(days=1), version=2, net=200)
    push_all(writer, [(world.argan.token, request(first), None)])
    changed = summary(world.argan.device_id, version=5, net=1500)  # same version, new body
    (reply,) = push_all(writer, [(world.argan.token, request(changed, other), None)])
    assert isinstance(reply, Reply) and reply.status == 409
    expected = PushResponse(
        results=[PushResult(business_day=DAY, status="conflict", version=5,
                            detail="the server holds a different body under this version"),
                 PushResult(business_day=other.business_day, status="stored", version=2)],
        known_days=[DayVersion(business_day=DAY, version=5),
                    DayVersion(business_day=other.business_day, version=2)])
    assert reply.body == expected.model_dump_json().encode()
