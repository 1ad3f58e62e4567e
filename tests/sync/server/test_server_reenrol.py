"""Enrolling a stall again gives it back its device: its days are never counted twice."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import threading
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from sync.server import admin, ingest
from sync.server.db import Database
from sync.server.models import Device, EnrolCode

from .server_support import DAY, Stall, World, push_body, summary
from .test_server_dashboard import PASSWORD, cooperatives, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def enrol_as(client: TestClient, db: Database, cooperative_id: int, name: str,
             **fields: Any) -> Stall:
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, cooperative_id)
    body = {"code": code, "device_name": name,
            **{k: str(v) for k, v in fields.items() if v is not None}}
    reply = client.post("/api/v1/enrol", json=body)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    return Stall(cooperative_id, uuid.UUID(data["device_id"]), data["token"])


def push_two_days(client: TestClient, stall: Stall) -> int:
    """Two days of sales, as the stall pushes them; returns their net."""
    days = [summary(stall.device_id, DAY, 12, net=125_050, tickets=7, status="closed"),
            summary(stall.device_id, DAY + dt.timedelta(days=1), 9, net=15_650, tickets=2)]
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(*days))
    assert reply.status_code == 200, reply.text
    return sum(d.net for d in days)


def edition(client: TestClient, world: World) -> dict[str, Any]:
    with_login = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}")
    assert with_login.status_code == 200
    data: dict[str, Any] = with_login.json()
    return data


@pytest.fixture
def organiser(db: Database) -> str:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    return "nadia"


def devices_of(db: Database, cooperative_id: int) -> list[Device]:
    with db.read() as s:
        return [d for d, c in admin.list_devices(s) if c.id == cooperative_id]


def test_enrolling_the_same_stall_again_keeps_its_device_and_counts_once(
    client: TestClient, db: Database, organiser: str, world: World
) -> None:
    installation = uuid.uuid4()
    first = enrol_as(client, db, world.argan.cooperative_id, "T05 caisse",
                     installation_id=installation)
    net = push_two_days(client, first)
    again = enrol_as(client, db, world.argan.cooperative_id, "T05 caisse neuve",
                     installation_id=installation, previous_device_id=first.device_id)
    assert again.device_id == first.device_id and again.token != first.token
    # the stall keeps what the server acknowledged; pushing the same days again is harmless
    days = [summary(again.device_id, DAY, 12, net=125_050, tickets=7, status="closed"),
            summary(again.device_id, DAY + dt.timedelta(days=1), 9, net=15_650, tickets=2)]
    reply = client.post("/api/v1/push", headers=again.headers, json=push_body(*days))
    assert {r["status"] for r in reply.json()["results"]} == {"unchanged"}
    assert client.get("/api/v1/days", headers=first.headers).status_code == 401
    old = client.post("/api/v1/push", headers=first.headers, json=push_body(days[0]))
    assert old.status_code == 401
    log_in(client, organiser)
    data = edition(client, world)
    argan = {c["stand"]: c for c in cooperatives(data)}["12"]
    assert argan["edition_net"] == net and data["totals"]["edition"]["net"] == net
    assert argan["devices"] == 2  # the world's till and this one, enrolled twice
    mine = [d for d in devices_of(db, world.argan.cooperative_id) if d.name.startswith("T05")]
    assert [(d.id, d.name, d.installation_id) for d in mine] == [
        (first.device_id, "T05 caisse neuve", installation)]
    with db.read() as s:
        codes = s.scalars(select(EnrolCode.device_id).where(EnrolCode.used_at.is_not(None)))
        assert sorted(str(c) for c in codes).count(str(first.device_id)) == 2


def test_a_revoked_stall_enrolled_again_works_with_the_same_device(
    client: TestClient, db: Database, world: World
) -> None:
    installation = uuid.uuid4()
    stall = enrol_as(client, db, world.argan.cooperative_id, "T07",
                     installation_id=installation)
    net = push_two_days(client, stall)
    with db.write() as s:
        admin.revoke_device(s, stall.device_id)
    assert client.get("/api/v1/days", headers=stall.headers).status_code == 401
    back = enrol_as(client, db, world.argan.cooperative_id, "T07",
                    installation_id=installation)
    assert back.device_id == stall.device_id
    known = client.get("/api/v1/days", headers=back.headers)
    assert known.status_code == 200
    assert [d["version"] for d in known.json()["days"]] == [12, 9]
    later = summary(back.device_id, DAY + dt.timedelta(days=2), 4, net=1_000, tickets=1)
    assert client.post("/api/v1/push", headers=back.headers,
                       json=push_body(later)).status_code == 200
    with db.read() as s:
        device = s.get_one(Device, back.device_id)
        assert device.revoked_at is None
        assert device.total_net == net + 1_000
    assert client.get("/api/v1/days", headers=stall.headers).status_code == 401


def test_another_stall_of_the_cooperative_gets_its_own_device(
    client: TestClient, db: Database, world: World
) -> None:
    one = enrol_as(client, db, world.argan.cooperative_id, "T01", installation_id=uuid.uuid4())
    two = enrol_as(client, db, world.argan.cooperative_id, "T02", installation_id=uuid.uuid4())
    assert one.device_id != two.device_id
    assert client.get("/api/v1/days", headers=one.headers).status_code == 200
    assert client.get("/api/v1/days", headers=two.headers).status_code == 200
    # an older stall that sends no installation id: a new device each time, as before
    old = enrol_as(client, db, world.argan.cooperative_id, "T03")
    older = enrol_as(client, db, world.argan.cooperative_id, "T03")
    assert len({one.device_id, two.device_id, old.device_id, older.device_id}) == 4


def test_the_same_stall_in_another_cooperative_gets_a_new_device(
    client: TestClient, db: Database, world: World
) -> None:
    installation = uuid.uuid4()
    argan = enrol_as(client, db, world.argan.cooperative_id, "T01",
                     installation_id=installation)
    pottery = enrol_as(client, db, world.pottery.cooperative_id, "T01",
                       installation_id=installation, previous_device_id=argan.device_id)
    assert pottery.device_id != argan.device_id
    assert client.get("/api/v1/days", headers=argan.headers).status_code == 200
    with db.read() as s:
        assert s.get_one(Device, pottery.device_id).cooperative_id == world.pottery.cooperative_id


def test_a_device_enrolled_without_installation_id_is_given_back_once(
    client: TestClient, db: Database, world: World
) -> None:
    """A stall enrolled by an older version names its previous device: it gets it back,
    which then keeps the stall's installation id; another stall naming it does not."""
    legacy = world.argan  # enrolled without an installation id
    installation = uuid.uuid4()
    back = enrol_as(client, db, legacy.cooperative_id, "T01",
                    installation_id=installation, previous_device_id=legacy.device_id)
    assert back.device_id == legacy.device_id
    assert client.get("/api/v1/days", headers=legacy.headers).status_code == 401
    stranger = enrol_as(client, db, legacy.cooperative_id, "T09",
                        installation_id=uuid.uuid4(), previous_device_id=legacy.device_id)
    assert stranger.device_id != legacy.device_id
    assert client.get("/api/v1/days", headers=back.headers).status_code == 200
    other_coop = enrol_as(client, db, world.pottery.cooperative_id, "T01",
                          installation_id=uuid.uuid4(),
                          previous_device_id=world.pottery.device_id)
    assert other_coop.device_id == world.pottery.device_id
    with db.read() as s:
        assert s.get_one(Device, legacy.device_id).installation_id == installation


def test_a_used_code_changes_nothing(client: TestClient, db: Database, world: World) -> None:
    installation = uuid.uuid4()
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, world.argan.cooperative_id)
    body = {"code": code, "device_name": "T01", "installation_id": str(installation)}
    first = client.post("/api/v1/enrol", json=body)
    assert first.status_code == 200
    again = client.post("/api/v1/enrol", json=body)
    assert again.status_code == 400
    token = first.json()["token"]
    assert client.get("/api/v1/days",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bad = client.post("/api/v1/enrol", json={**body, "installation_id": "not-a-uuid"})
    assert bad.status_code == 422


def test_two_codes_used_at_once_by_one_stall_make_one_device(db: Database,
                                                              world: World) -> None:
    installation = uuid.uuid4()
    with db.write() as s:
        codes = [admin.issue_enrol_code(s, world.argan.cooperative_id)[0] for _ in range(4)]
    replies: list[Any] = []
    start = threading.Barrier(len(codes))

    def enrol(code: str) -> None:
        start.wait()
        with db.write() as s:
            replies.append(ingest.enrol(s, code, "T01", installation_id=installation))

    threads = [threading.Thread(target=enrol, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(replies) == 4 and len({r.device_id for r in replies}) == 1
    mine = [d for d in devices_of(db, world.argan.cooperative_id)
            if d.installation_id == installation]
    assert len(mine) == 1


def test_the_migration_keeps_the_devices_enrolled_before(client: TestClient, db: Database,
                                                         world: World) -> None:
    """Down to the schema without installation ids and up again: the devices are there,
    their tokens work, and a stall of an older version gets its device back."""
    cfg = Config()
    cfg.set_main_option("script_location",
                        str(importlib.resources.files("sync.server") / "migrations"))
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.commit()
    db.migrate()
    assert client.get("/api/v1/days", headers=world.argan.headers).status_code == 200
    back = enrol_as(client, db, world.argan.cooperative_id, "T01",
                    installation_id=uuid.uuid4(), previous_device_id=world.argan.device_id)
    assert back.device_id == world.argan.device_id
