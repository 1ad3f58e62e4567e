"""Refused requests get the right status and leave the database as it was."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from sync.protocol import MAX_BODY_BYTES
from sync.server import admin
from sync.server.db import Database, utcnow
from sync.server.models import (
    Conflict,
    DaySummaryRow,
    Device,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
)

from .server_support import World, push_body, summary

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def written(db: Database) -> dict[str, int]:
    with db.read() as s:
        counts = {
            t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
            for t in (DaySummaryRow, SummaryHour, SummaryPayment, SummaryProduct, Conflict)
        }
        counts["pushed"] = s.scalar(  # devices with a push stored
            select(func.count()).select_from(Device).where(Device.last_push_at.is_not(None))
        ) or 0
        counts["in_contact"] = s.scalar(  # devices with a request taken as their contact
            select(func.count()).select_from(Device).where(Device.last_seen_at.is_not(None))
        ) or 0
    return counts


NOTHING = {"day_summaries": 0, "summary_hours": 0, "summary_payments": 0,
           "summary_products": 0, "conflicts": 0, "pushed": 0, "in_contact": 0}
#: a push refused from a till whose token is good: nothing written but its contact
CONTACT = {**NOTHING, "in_contact": 1}


def test_no_token(client: TestClient, db: Database, world: World) -> None:
    reply = client.post("/api/v1/push", json=push_body(summary(world.argan.device_id)))
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert written(db) == NOTHING


@pytest.mark.parametrize("header", ["Bearer not-the-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_wrong_token(client: TestClient, db: Database, world: World, header: str) -> None:
    reply = client.post("/api/v1/push", json=push_body(summary(world.argan.device_id)),
                        headers={"Authorization": header})
    assert reply.status_code == 401
    assert written(db) == NOTHING


def test_revoked_device(client: TestClient, db: Database, world: World) -> None:
    with db.write() as s:
        admin.revoke_device(s, world.argan.device_id)
    reply = client.post("/api/v1/push", json=push_body(summary(world.argan.device_id)),
                        headers=world.argan.headers)
    assert reply.status_code == 401
    assert "revoked" in reply.json()["detail"]
    assert client.get("/api/v1/days", headers=world.argan.headers).status_code == 401
    assert written(db) == NOTHING


def test_another_devices_id(client: TestClient, db: Database, world: World) -> None:
    # the pottery stall's token, a summary in the argan stall's name
    reply = client.post("/api/v1/push", json=push_body(summary(world.argan.device_id)),
                        headers=world.pottery.headers)
    assert reply.status_code == 403
    assert written(db) == CONTACT


def test_another_cooperatives_id(client: TestClient, db: Database, world: World) -> None:
    mine = summary(world.pottery.device_id, DAY_2, cooperative_id=world.pottery.cooperative_id)
    theirs = summary(world.pottery.device_id, cooperative_id=world.argan.cooperative_id)
    reply = client.post("/api/v1/push", json=push_body(mine, theirs),
                        headers=world.pottery.headers)
    assert reply.status_code == 403
    assert written(db) == CONTACT  # not even the legitimate day of the same batch


DAY_2 = dt.date(2026, 5, 13)


def test_enrol_code_reused_expired_or_unknown(client: TestClient, db: Database,
                                              world: World) -> None:
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, world.argan.cooperative_id)
        old, _ = admin.issue_enrol_code(s, world.argan.cooperative_id,
                                        now=utcnow() - dt.timedelta(days=8))
    with db.read() as s:
        devices = s.scalar(select(func.count()).select_from(Device))
    first = client.post("/api/v1/enrol", json={"code": code, "device_name": "a"})
    assert first.status_code == 200
    for attempt in (code, old, "ABCD-EFGH-JKMN"):
        reply = client.post("/api/v1/enrol", json={"code": attempt, "device_name": "b"})
        assert reply.status_code == 400
        assert reply.json()["detail"] == "this enrolment code is unknown, used already or expired"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Device)) == devices + 1


def test_fifty_megabyte_body(client: TestClient, db: Database, world: World) -> None:
    body = b'{"summaries": [' + b" " * (50 * 1024 * 1024) + b"]}"
    reply = client.post("/api/v1/push", content=body,
                        headers={**world.argan.headers, "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert written(db) == CONTACT


def test_oversized_body_without_length(client: TestClient, db: Database, world: World) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b" " * (MAX_BODY_BYTES // 2)

    reply = client.post("/api/v1/push", content=chunks(),
                        headers={**world.argan.headers, "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert written(db) == CONTACT


def test_gzip_bomb(client: TestClient, db: Database, world: World) -> None:
    start = json.dumps(push_body(summary(world.argan.device_id)))[:-2].encode()
    bomb = gzip.compress(start + b" " * (40 * 1024 * 1024) + b"]}", compresslevel=9)
    assert len(bomb) < MAX_BODY_BYTES // 10
    reply = client.post("/api/v1/push", content=bomb, headers={
        **world.argan.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert reply.status_code == 413
    assert written(db) == CONTACT


def test_corrupt_gzip_and_unknown_encoding(client: TestClient, db: Database,
                                           world: World) -> None:
    headers = {**world.argan.headers, "Content-Type": "application/json"}
    reply = client.post("/api/v1/push", content=b"\x1f\x8b not gzip",
                        headers={**headers, "Content-Encoding": "gzip"})
    assert reply.status_code == 400
    reply = client.post("/api/v1/push", content=b"{}", headers={**headers,
                                                                "Content-Encoding": "br"})
    assert reply.status_code == 415
    assert written(db) == CONTACT


def test_a_day_twice_in_one_push_is_refused_whole(client: TestClient, db: Database,
                                                  world: World) -> None:
    dev = world.argan.device_id
    reply = client.post("/api/v1/push", json=push_body(summary(dev, version=3),
                                                       summary(dev, version=4)),
                        headers=world.argan.headers)
    assert reply.status_code == 422
    assert "appears twice" in reply.json()["detail"]
    assert written(db) == CONTACT


def test_a_product_twice_in_one_day_is_refused(client: TestClient, db: Database,
                                               world: World) -> None:
    """A summary names each product once (the stall sums a product's sales): the same key
    twice is an error, not two lines for the dashboard to add up."""
    body = push_body(summary(world.argan.device_id, version=3, products=2))
    body["summaries"][0]["products"][1]["product_id"] = "SKU-0"
    reply = client.post("/api/v1/push", json=body, headers=world.argan.headers)
    assert reply.status_code == 422
    assert "a product appears twice in products" in reply.json()["detail"]
    assert written(db) == CONTACT


def test_a_wrong_token_is_told_before_an_invalid_body(client: TestClient, db: Database,
                                                      world: World) -> None:
    reply = client.post("/api/v1/push", json={"summaries": "nonsense"},
                        headers={"Authorization": "Bearer not-the-token"})
    assert reply.status_code == 401
    assert written(db) == NOTHING
