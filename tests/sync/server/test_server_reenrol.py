"""Enrolling a stall again gives it back its device: its days are never counted twice."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import io
import threading
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from sync.server import admin, ingest
from sync.server.db import Database, utcnow
from sync.server.models import DaySummaryRow, Device, EnrolCode, SummaryProduct

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


def by_stand(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["stand"]: c for c in cooperatives(data)}


def test_a_stall_enrolled_into_the_wrong_cooperative_moves_with_its_days(
    client: TestClient, db: Database, organiser: str, world: World
) -> None:
    """The organisers gave the stall the pottery's code first: enrolled again with the
    argan's, its device and every day it pushed are the argan's, counted once."""
    installation = uuid.uuid4()
    wrong = enrol_as(client, db, world.pottery.cooperative_id, "T01",
                     installation_id=installation)
    days = [summary(wrong.device_id, DAY, 12, net=125_050, tickets=7, status="closed",
                    cooperative_id=world.pottery.cooperative_id),
            summary(wrong.device_id, DAY + dt.timedelta(days=1), 9, net=15_650, tickets=2,
                    cooperative_id=world.pottery.cooperative_id)]
    assert client.post("/api/v1/push", headers=wrong.headers,
                       json=push_body(*days)).status_code == 200
    other = summary(wrong.device_id, DAY, 12, net=1, status="closed")
    assert client.post("/api/v1/push", headers=wrong.headers,
                       json=push_body(other)).status_code == 409
    log_in(client, organiser)
    before = edition(client, world)
    assert by_stand(before)["3"]["edition_net"] == 140_700

    right = enrol_as(client, db, world.argan.cooperative_id, "T01",
                     installation_id=installation, previous_device_id=wrong.device_id)
    assert right.device_id == wrong.device_id
    assert client.get("/api/v1/days", headers=wrong.headers).status_code == 401
    known = client.get("/api/v1/days", headers=right.headers).json()["days"]
    assert [(d["business_day"], d["version"]) for d in known] == [
        (DAY.isoformat(), 12), ((DAY + dt.timedelta(days=1)).isoformat(), 9)]
    data = edition(client, world)
    argan, pottery = by_stand(data)["12"], by_stand(data)["3"]
    assert (argan["edition_net"], argan["day_net"], argan["edition_tickets"]) == (
        140_700, 125_050, 9)
    assert (argan["devices"], argan["reported"], argan["days_closed"]) == (2, 1, 1)
    assert argan["conflicts"] == 1 and pottery["conflicts"] == 0
    assert (pottery["edition_net"], pottery["day_net"], pottery["devices"]) == (0, 0, 1)
    assert (pottery["reported"], pottery["days_closed"]) == (0, 0)
    assert data["totals"] == before["totals"] and data["days"] == before["days"]
    assert data["hours"] == before["hours"]
    assert {p["cooperative_fr"] for p in data["top_products"]} == {"Coopérative Argan Nissae"}
    sectors = {g["key"]: g["edition_net"] for g in data["sectors"]}
    assert (sectors["food"], sectors["handicrafts"]) == (140_700, 0)
    rows = csv.reader(io.StringIO(client.get("/dashboard/export/cooperatives.csv?lang=fr")
                                  .content.decode("utf-8-sig")), delimiter=";")
    sales = {r[0]: r for r in rows}
    assert "1407,00" in sales["12"] and "1407,00" not in sales["3"]

    # the days again as the stall now sends them, naming the argan: nothing changes
    again = [d.model_copy(update={"cooperative_id": world.argan.cooperative_id}) for d in days]
    reply = client.post("/api/v1/push", headers=right.headers, json=push_body(*again))
    assert reply.status_code == 200
    assert {r["status"] for r in reply.json()["results"]} == {"unchanged"}
    stale = client.post("/api/v1/push", headers=right.headers, json=push_body(days[1]))
    assert stale.status_code == 403  # the pottery's no longer
    later = summary(right.device_id, DAY + dt.timedelta(days=1), 11, net=20_650, tickets=3,
                    cooperative_id=world.argan.cooperative_id)
    assert client.post("/api/v1/push", headers=right.headers,
                       json=push_body(later)).status_code == 200
    data = edition(client, world)
    assert by_stand(data)["12"]["edition_net"] == 145_700
    assert by_stand(data)["3"]["edition_net"] == 0
    assert data["totals"]["edition"]["net"] == 145_700
    with db.read() as s:
        assert {c for c, in s.execute(select(DaySummaryRow.cooperative_id).where(
            DaySummaryRow.device_id == right.device_id))} == {world.argan.cooperative_id}
        assert {c for c, in s.execute(select(SummaryProduct.cooperative_id))} == {
            world.argan.cooperative_id}
        assert s.get_one(Device, right.device_id).cooperative_id == world.argan.cooperative_id


def test_a_stall_moved_back_and_forth_keeps_one_device(
    client: TestClient, db: Database, organiser: str, world: World
) -> None:
    installation = uuid.uuid4()
    stall = enrol_as(client, db, world.argan.cooperative_id, "T01",
                     installation_id=installation)
    net = push_two_days(client, stall)
    for coop in (world.pottery, world.argan, world.pottery):
        moved = enrol_as(client, db, coop.cooperative_id, "T01", installation_id=installation)
        assert moved.device_id == stall.device_id
    log_in(client, organiser)
    data = edition(client, world)
    assert by_stand(data)["3"]["edition_net"] == net and by_stand(data)["12"]["edition_net"] == 0
    assert data["totals"]["edition"]["net"] == net
    assert [d["devices"] for d in data["days"]] == [1, 1]


def test_an_older_stall_moves_its_device_by_its_id(client: TestClient, db: Database,
                                                  world: World) -> None:
    """A device enrolled without an installation id, named by the stall as its previous."""
    legacy = world.argan
    net = push_two_days(client, legacy)
    back = enrol_as(client, db, world.pottery.cooperative_id, "T01",
                    installation_id=uuid.uuid4(), previous_device_id=legacy.device_id)
    assert back.device_id == legacy.device_id
    with db.read() as s:
        device = s.get_one(Device, legacy.device_id)
        assert (device.cooperative_id, device.total_net) == (world.pottery.cooperative_id, net)
        assert set(s.scalars(select(DaySummaryRow.cooperative_id))) == {
            world.pottery.cooperative_id}


def test_a_stall_with_a_device_in_each_cooperative_gets_the_one_of_its_code(
    client: TestClient, db: Database, world: World
) -> None:
    """Enrolled twice in a market before devices moved: each cooperative's code gives back
    that cooperative's device, and another cooperative's the latest."""
    installation = uuid.uuid4()
    argan = enrol_as(client, db, world.argan.cooperative_id, "T01",
                     installation_id=installation)
    with db.write() as s:
        pottery_id = uuid.uuid4()
        s.add(Device(id=pottery_id, cooperative_id=world.pottery.cooperative_id, name="T01",
                     token_hash="0" * 64, enrolled_at=utcnow(),
                     installation_id=installation))
        herbs = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=world.market_id, name_ar="تعاونية الأعشاب", name_fr="Coopérative Achab",
            sector="herbs", province="Ifrane", stand="30", members=5))
    assert enrol_as(client, db, world.argan.cooperative_id, "T01",
                    installation_id=installation).device_id == argan.device_id
    assert enrol_as(client, db, world.pottery.cooperative_id, "T01",
                    installation_id=installation).device_id == pottery_id
    assert enrol_as(client, db, herbs.id, "T01",
                    installation_id=installation).device_id == pottery_id
    with db.read() as s:
        assert s.get_one(Device, argan.device_id).cooperative_id == world.argan.cooperative_id
        assert s.get_one(Device, pottery_id).cooperative_id == herbs.id


def test_the_same_stall_in_another_market_gets_a_new_device(
    client: TestClient, db: Database, organiser: str, world: World
) -> None:
    """The next edition: the days the stall pushed stay with the market they were sold at."""
    installation = uuid.uuid4()
    first = enrol_as(client, db, world.argan.cooperative_id, "T01",
                     installation_id=installation)
    net = push_two_days(client, first)
    with db.write() as s:
        market = admin.add_market(
            s, name_ar="السوق المتنقل لمكناس", name_fr="Marché itinérant de Meknès",
            city="Meknès", region="Fès-Meknès", starts_on=DAY + dt.timedelta(days=30),
            ends_on=DAY + dt.timedelta(days=34))
        coop = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market.id, name_ar="تعاونية أركان النساء",
            name_fr="Coopérative Argan Nissae", sector="food", province="Essaouira",
            stand="12", members=24, women_led=True))
    nxt = enrol_as(client, db, coop.id, "T01", installation_id=installation,
                   previous_device_id=first.device_id)
    assert nxt.device_id != first.device_id
    assert client.get("/api/v1/days", headers=nxt.headers).json()["days"] == []
    log_in(client, organiser)
    data = edition(client, world)
    assert by_stand(data)["12"]["edition_net"] == net == data["totals"]["edition"]["net"]
    with db.read() as s:
        assert s.get_one(Device, first.device_id).cooperative_id == world.argan.cooperative_id
        assert s.get_one(Device, nxt.device_id).cooperative_id == coop.id


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


@pytest.mark.parametrize("cooperatives", ["one", "two"])
def test_two_codes_used_at_once_by_one_stall_make_one_device(db: Database, world: World,
                                                              cooperatives: str) -> None:
    """Four codes at once, of one cooperative or of two of the market."""
    installation = uuid.uuid4()
    coops = [world.argan.cooperative_id] * 2 + [
        world.argan.cooperative_id if cooperatives == "one" else world.pottery.cooperative_id
    ] * 2
    with db.write() as s:
        codes = [admin.issue_enrol_code(s, c)[0] for c in coops]
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
    with db.read() as s:
        mine = [d for d, _ in admin.list_devices(s) if d.installation_id == installation]
    assert [d.id for d in mine] == [replies[0].device_id]
    assert mine[0].cooperative_id == replies[-1].cooperative.id  # the last enrolment's


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
