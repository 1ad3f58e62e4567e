"""The stalls' API on SQLite and PostgreSQL: health, enrolment, push, known days."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, func, select, text, update

from sync.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SERVICE_NAME,
    DaySummary,
    PushResponse,
    summary_digest,
    token_hash,
)
from sync.server import admin, ingest
from sync.server.db import Database
from sync.server.models import (
    Conflict,
    Cooperative,
    DaySummaryRow,
    Device,
    SummaryBody,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
)

from .server_support import DAY, World, push_body, summary

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def stored(db: Database, world_stall: object = None) -> list[DaySummaryRow]:
    with db.read() as s:
        return list(s.scalars(select(DaySummaryRow).order_by(DaySummaryRow.business_day)))


def test_health_names_the_service(client: TestClient) -> None:
    reply = client.get("/api/v1/health")
    assert reply.status_code == 200
    assert reply.json()["service"] == SERVICE_NAME
    assert reply.json()["protocol"] == PROTOCOL_VERSION == 5


def test_enrol_gives_a_token_stored_only_as_hash(client: TestClient, db: Database,
                                                  world: World) -> None:
    with db.read() as s:
        device = s.get(Device, world.argan.device_id)
        assert device is not None
        assert device.token_hash == token_hash(world.argan.token)
        assert world.argan.token not in device.token_hash
        assert device.cooperative_id == world.argan.cooperative_id
    assert len(world.argan.token) >= 43  # 256 bits, url-safe base64


def test_enrol_reply_describes_the_cooperative_and_market(client: TestClient, db: Database,
                                                          world: World) -> None:
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, world.pottery.cooperative_id)
    body = client.post("/api/v1/enrol", json={"code": code.lower().replace("-", " "),
                                              "device_name": "caisse 2"}).json()
    assert body["cooperative"]["name_fr"] == "Coopérative Poterie de Fès"
    assert body["cooperative"]["sector"] == "handicrafts"
    assert body["cooperative"]["market"]["city"] == "Fès"


OLD_MARKET = {"id", "name_ar", "name_fr", "city", "starts_on", "ends_on"}


@pytest.mark.parametrize(("protocol", "city_ar", "stand"), [
    (None, None, None), ("3", None, None), ("junk", None, None), ("4", "فاس", None),
    ("5", "فاس", "31"), ("6", "فاس", "31")])
def test_the_city_in_arabic_and_the_stand_go_only_to_a_stall_that_reads_them(
        client: TestClient, db: Database, world: World, protocol: str | None,
        city_ar: str | None, stand: str | None) -> None:
    """A stall of protocol 4 or later (it says so in its Souk-Protocol header) is told the
    market's city in Arabic, at enrolment and with its known days, and from protocol 5 its
    cooperative's stand as it is now with its known days; an older stall, whose models
    refuse fields they do not know, gets the fields of before."""
    with db.write() as s:
        admin.edit_market(s, world.market_id, city_ar="فاس")
        code, _ = admin.issue_enrol_code(s, world.pottery.cooperative_id)
    headers = {PROTOCOL_HEADER: protocol} if protocol else {}
    reply = client.post("/api/v1/enrol", json={"code": code, "device_name": "caisse 2"},
                        headers=headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    with db.write() as s:  # the organisers put the cooperative at another stand
        s.get_one(Cooperative, world.pottery.cooperative_id).stand = "31"
    reply = client.get("/api/v1/days", headers={
        **headers, "Authorization": f"Bearer {body['token']}"})
    assert reply.status_code == 200, reply.text
    days = reply.json()
    for market in (body["cooperative"]["market"], days["market"]):
        assert market["city"] == "Fès"
        assert market.get("city_ar") == city_ar
        assert set(market) == OLD_MARKET | ({"city_ar"} if city_ar else set())
    assert days.get("stand") == stand
    assert set(days) == {"days", "market"} | ({"stand"} if stand else set())


def test_a_market_without_its_city_in_arabic_sends_none(client: TestClient,
                                                        world: World) -> None:
    """The stall then writes the city as the organisers wrote it."""
    days = client.get("/api/v1/days", headers={
        **world.argan.headers, PROTOCOL_HEADER: str(PROTOCOL_VERSION)}).json()
    assert set(days["market"]) == OLD_MARKET


def test_push_stores_the_summary_and_its_lines(client: TestClient, db: Database,
                                               world: World) -> None:
    s1 = summary(world.argan.device_id, net=125_050, tickets=7, products=3)
    reply = client.post("/api/v1/push", json=push_body(s1), headers=world.argan.headers)
    assert reply.status_code == 200, reply.text
    body = PushResponse.model_validate(reply.json())
    assert [(r.business_day, r.status, r.version) for r in body.results] == [
        (DAY, "stored", 10)]
    assert [(d.business_day, d.version) for d in body.known_days] == [(DAY, 10)]
    (row,) = stored(db)
    assert (row.net, row.sales_count, row.version) == (125_050, 7, 10)
    assert row.digest == summary_digest(s1)
    assert row.cooperative_id == world.argan.cooperative_id
    with db.read() as s:
        assert s.scalar(select(func.sum(SummaryHour.amount))) == 125_050
        assert s.scalar(select(func.count()).select_from(SummaryProduct)) == 3
        body = s.scalar(select(SummaryBody.body).where(SummaryBody.summary_id == row.id))
        assert body is not None and json.loads(body) == s1.model_dump(mode="json")


def test_newer_version_replaces_and_older_is_stale(client: TestClient, db: Database,
                                                   world: World) -> None:
    dev, h = world.argan.device_id, world.argan.headers
    client.post("/api/v1/push", json=push_body(summary(dev, version=5, net=1000)), headers=h)
    reply = client.post("/api/v1/push", json=push_body(summary(dev, version=9, net=9000,
                                                                products=1)), headers=h)
    assert reply.json()["results"][0]["status"] == "stored"
    reply = client.post("/api/v1/push", json=push_body(summary(dev, version=7, net=7000)),
                        headers=h)
    assert reply.status_code == 200
    assert reply.json()["results"][0] == {"business_day": DAY.isoformat(), "status": "stale",
                                          "version": 9,
                                          "detail": "the server holds a newer version"}
    (row,) = stored(db)
    assert (row.version, row.net) == (9, 9000)
    with db.read() as s:  # the lines of the replaced version are gone
        assert s.scalar(select(func.count()).select_from(SummaryProduct)) == 1
        assert s.scalar(select(func.sum(SummaryHour.amount))) == 9000


def test_same_version_different_body_is_a_recorded_conflict(
        client: TestClient, db: Database, world: World) -> None:
    dev, h = world.argan.device_id, world.argan.headers
    other_day = summary(dev, day=DAY + dt.timedelta(days=1), version=3, net=500)
    client.post("/api/v1/push", json=push_body(summary(dev, version=4, net=1000)), headers=h)
    clash = summary(dev, version=4, net=2000)
    reply = client.post("/api/v1/push", json=push_body(clash, other_day), headers=h)
    assert reply.status_code == 409
    results = {r["business_day"]: r for r in reply.json()["results"]}
    assert results[DAY.isoformat()]["status"] == "conflict"
    assert results[DAY.isoformat()]["version"] == 4
    assert results[other_day.business_day.isoformat()]["status"] == "stored"  # rest applied
    assert [r.net for r in stored(db)] == [1000, 500]
    with db.read() as s:
        (conflict,) = s.scalars(select(Conflict))
        assert conflict.received_digest == summary_digest(clash)
        assert json.loads(conflict.body)["net"] == 2000
    again = client.post("/api/v1/push", json=push_body(clash), headers=h)
    assert again.status_code == 409
    with db.read() as s:  # the same conflicting body is recorded once
        assert s.scalar(select(func.count()).select_from(Conflict)) == 1


def test_a_digest_from_another_release_is_no_conflict_when_the_body_is_the_same(
        client: TestClient, db: Database, world: World) -> None:
    """Digests are made from a summary's JSON in field order; a server upgraded since a day
    was stored compares the bodies themselves before it calls a resend a conflict."""
    dev, h = world.argan.device_id, world.argan.headers
    first = summary(dev, version=4, net=1000)
    client.post("/api/v1/push", json=push_body(first), headers=h)
    with db.write() as s:
        s.execute(update(DaySummaryRow).values(digest="0" * 64))
    reply = client.post("/api/v1/push", json=push_body(first), headers=h)
    assert reply.status_code == 200
    assert reply.json()["results"][0]["status"] == "unchanged"
    other = client.post("/api/v1/push", json=push_body(summary(dev, version=4, net=2000)),
                        headers=h)
    assert other.status_code == 409
    with db.read() as s:
        assert [c.received_digest for c in s.scalars(select(Conflict))] == [
            summary_digest(summary(dev, version=4, net=2000))]


def test_gzip_body_is_accepted(client: TestClient, db: Database, world: World) -> None:
    raw = json.dumps(push_body(summary(world.argan.device_id, net=4200))).encode()
    reply = client.post(
        "/api/v1/push", content=gzip.compress(raw),
        headers={**world.argan.headers, "Content-Encoding": "gzip",
                 "Content-Type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    assert [r.net for r in stored(db)] == [4200]


def test_days_lists_what_the_server_holds_for_this_device_only(
        client: TestClient, world: World) -> None:
    a, p = world.argan, world.pottery
    client.post("/api/v1/push", json=push_body(
        summary(a.device_id, version=3), summary(a.device_id, DAY + dt.timedelta(days=1), 8)),
        headers=a.headers)
    client.post("/api/v1/push", json=push_body(summary(p.device_id, version=2)),
                headers=p.headers)
    days = client.get("/api/v1/days", headers=a.headers).json()["days"]
    assert days == [{"business_day": "2026-05-12", "version": 3},
                    {"business_day": "2026-05-13", "version": 8}]
    assert client.get("/api/v1/days").status_code == 401


def test_contact_is_written_once_a_minute_even_by_several_servers(
        client: TestClient, db: Database, world: World) -> None:
    """Asking which days the server holds is the till's contact. Two server processes
    that both read a contact more than a minute old, and both write theirs, write it
    once: the second finds the first's and leaves it. A revoked till is never written."""
    a = world.argan
    assert client.get("/api/v1/days", headers=a.headers).status_code == 200
    with db.read() as s:
        polled = s.get_one(Device, a.device_id).last_seen_at
    assert polled is not None
    now = polled + dt.timedelta(minutes=2)
    with db.write() as s:
        assert ingest.touch_contact(s, a.device_id, now)
    with db.write() as s:  # the other process, a few seconds later
        assert not ingest.touch_contact(s, a.device_id, now + dt.timedelta(seconds=59))
    with db.write() as s:
        assert ingest.touch_contact(s, a.device_id, now + dt.timedelta(seconds=61))
        admin.revoke_device(s, world.pottery.device_id)
    with db.write() as s:
        assert not ingest.touch_contact(s, world.pottery.device_id, now)
    with db.read() as s:
        assert s.get_one(Device, a.device_id).last_seen_at == now + dt.timedelta(seconds=61)
        assert s.get_one(Device, world.pottery.device_id).last_seen_at is None


def test_invalid_body_says_what_is_wrong_and_writes_nothing(
        client: TestClient, db: Database, world: World) -> None:
    body = push_body(summary(world.argan.device_id))
    body["summaries"][0]["net"] = "lots"
    reply = client.post("/api/v1/push", json=body, headers=world.argan.headers)
    assert reply.status_code == 422
    assert "summaries.0.net" in reply.json()["detail"]
    inconsistent = push_body(summary(world.argan.device_id))
    inconsistent["summaries"][0]["net"] += 1
    reply = client.post("/api/v1/push", json=inconsistent, headers=world.argan.headers)
    assert reply.status_code == 422
    assert "net must equal gross - refunds - voids" in reply.json()["detail"]
    assert stored(db) == []


@pytest.mark.parametrize(("path", "value", "message"), [
    (("products", 0, "name_fr"), "huile\x00d'argan", "NUL characters"),
    (("version",), 2**63, "at most"),
    (("opened_at",), "0001-01-01T00:30:00+05:00", "opened_at is out of range"),
])
def test_values_the_databases_cannot_hold_get_422(
        client: TestClient, db: Database, world: World, path: tuple[object, ...], value: object,
        message: str) -> None:
    body = push_body(summary(world.argan.device_id))
    target = body["summaries"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    reply = client.post("/api/v1/push", json=body, headers=world.argan.headers)
    assert reply.status_code == 422
    assert message in reply.json()["detail"]
    assert stored(db) == []


def test_device_name_with_nul_is_refused_and_the_code_kept(
        client: TestClient, db: Database, world: World) -> None:
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, world.argan.cooperative_id)
    reply = client.post("/api/v1/enrol", json={"code": code, "device_name": "caisse\x00"})
    assert reply.status_code == 422
    assert client.post("/api/v1/enrol", json={"code": code, "device_name": "caisse"}
                       ).status_code == 200


def test_a_newer_version_replaces_every_line_whatever_its_keys(
        client: TestClient, db: Database, world: World) -> None:
    dev, h = world.argan.device_id, world.argan.headers
    first = summary(dev, version=5, net=1000, products=2)
    client.post("/api/v1/push", json=push_body(first), headers=h)
    data = summary(dev, version=6, net=3000, products=4).model_dump(mode="json")
    data["hours"] = [{"hour": 9, "amount": 1000, "tickets": 3},
                     {"hour": 16, "amount": 2000, "tickets": 4}]
    data["payments"] = [{"method": "card", "amount": 2500, "count": 5},
                        {"method": "mobile", "amount": 500, "count": 2}]
    data["cash"]["expected"] = data["cash"]["opening_float"]  # no cash taken
    newer = DaySummary.model_validate(data)
    reply = client.post("/api/v1/push", json=push_body(newer), headers=h)
    assert reply.json()["results"][0]["status"] == "stored"
    (row,) = stored(db)
    with db.read() as s:
        hours = s.execute(select(SummaryHour.hour, SummaryHour.amount, SummaryHour.tickets)
                          .order_by(SummaryHour.hour)).all()
        assert [tuple(r) for r in hours] == [(9, 1000, 3), (16, 2000, 4)]
        payments = s.execute(select(SummaryPayment.method, SummaryPayment.amount)
                             .order_by(SummaryPayment.method)).all()
        assert [tuple(r) for r in payments] == [("card", 2500), ("mobile", 500)]
        products = s.execute(select(SummaryProduct.line, SummaryProduct.product_id,
                                    SummaryProduct.amount).order_by(SummaryProduct.line)
                             ).all()
        assert [(line, sku) for line, sku, _ in products] == [
            (i, f"SKU-{i}") for i in range(4)]
        assert sum(amount for _, _, amount in products) == 3000
        assert {r.summary_id for r in s.scalars(select(SummaryProduct))} == {row.id}
    shrunk = summary(dev, version=7, net=500, products=1)
    client.post("/api/v1/push", json=push_body(shrunk), headers=h)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(SummaryProduct)) == 1
        assert s.scalar(select(func.count()).select_from(SummaryHour)) == 2
        assert s.scalar(select(func.sum(SummaryHour.amount))) == 500
        assert s.execute(select(SummaryPayment.method, SummaryPayment.amount)).all() == [
            ("cash", 500)]


@pytest.mark.postgres
def test_a_push_survives_the_database_dropping_its_connections(
        client: TestClient, db: Database, world: World) -> None:
    if not db.is_postgresql:
        pytest.skip("the push writer's connection to PostgreSQL")
    dev, h = world.argan.device_id, world.argan.headers
    assert client.post("/api/v1/push", json=push_body(summary(dev, version=1)),
                       headers=h).status_code == 200
    writer = client.app.state.writer  # type: ignore[attr-defined]
    killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:  # the connection the server's pushes go through
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name"), {"name": writer.application_name}).scalar()
    killer.dispose()
    assert killed == 1
    reply = client.post("/api/v1/push", json=push_body(summary(dev, version=2)), headers=h)
    assert reply.status_code == 200, reply.text
    assert reply.json()["results"][0] == {"business_day": DAY.isoformat(), "status": "stored",
                                          "version": 2, "detail": None}
