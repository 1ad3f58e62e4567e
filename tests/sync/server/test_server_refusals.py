"""What the stalls' API refuses, writing nothing: an enrolment body too large to be one, and
days outside their market's dates (which would otherwise count in the edition's figures);
a refused push names its message id and parameters beside the words a stall of before
them reads."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from sync.protocol import MAX_BODY_BYTES, REFUSAL_HEADER, ErrorBody, Refusal
from sync.server import admin, queries
from sync.server.api import ENROL_BODY_BYTES
from sync.server.db import Database
from sync.server.models import DaySummaryRow, Device, EnrolCode, Market, MarketDay
from sync.server.writer import PushWriter, Reply

from .server_support import DAY, World, push_body, summary
from .test_server_writer import push_all, request

if TYPE_CHECKING:
    import httpx
    from fastapi.testclient import TestClient

LAST_DAY = DAY + dt.timedelta(days=4)  # the seeded market runs DAY .. DAY + 4


def devices_and_codes_used(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Device)) or 0,
                s.scalar(select(func.count()).select_from(EnrolCode)
                         .where(EnrolCode.used_at.is_not(None))) or 0)


def padded_enrol(code: str, size: int) -> bytes:
    """A well-formed enrolment request of ``size`` bytes (JSON whitespace)."""
    start = json.dumps({"code": code, "device_name": "caisse"})[:-1].encode()
    return start + b" " * (size - len(start) - 1) + b"}"


@pytest.fixture
def code(db: Database, world: World) -> str:
    with db.write() as s:
        issued, _ = admin.issue_enrol_code(s, world.argan.cooperative_id)
    return issued


def test_an_enrolment_body_too_large_is_refused_and_the_code_kept(
        client: TestClient, db: Database, code: str) -> None:
    before = devices_and_codes_used(db)
    reply = client.post("/api/v1/enrol", content=padded_enrol(code, 200 * 1024),
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 413
    assert reply.json() == {"detail": "the body is too large"}
    assert devices_and_codes_used(db) == before
    # the same code, in a request of a normal size, still enrols
    reply = client.post("/api/v1/enrol", content=padded_enrol(code, 1024),
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 200, reply.text
    devices, used = before
    assert devices_and_codes_used(db) == (devices + 1, used + 1)


def test_an_enrolment_body_too_large_without_length_or_inflated(
        client: TestClient, db: Database, code: str) -> None:
    before = devices_and_codes_used(db)

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b" " * ENROL_BODY_BYTES

    reply = client.post("/api/v1/enrol", content=chunks(),
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 413
    bomb = gzip.compress(padded_enrol(code, 4 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < ENROL_BODY_BYTES
    reply = client.post("/api/v1/enrol", content=bomb, headers={
        "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert reply.status_code == 413
    assert devices_and_codes_used(db) == before


def test_a_normal_enrolment_bodys_errors_are_unchanged(client: TestClient, code: str) -> None:
    reply = client.post("/api/v1/enrol", json={"code": code})
    assert reply.status_code == 422
    assert "device_name" in reply.json()["detail"]
    reply = client.post("/api/v1/enrol", json={"code": "AAAA-BBBB-CCCC", "device_name": "x"})
    assert reply.status_code == 400


def market_figures(db: Database, market_id: int) -> tuple[int, int, int, list[str]]:
    """(stored days, market days, net of the days export, the days it lists)."""
    with db.read() as s:
        market = s.get_one(Market, market_id)
        days = queries.day_rows(s, market)
        return (s.scalar(select(func.count()).select_from(DaySummaryRow)) or 0,
                s.scalar(select(func.count()).select_from(MarketDay)) or 0,
                sum(d["net"] for d in days), [d["day"] for d in days if d["tickets"]])


@pytest.mark.parametrize("outside", [DAY - dt.timedelta(days=1), LAST_DAY + dt.timedelta(days=1),
                                     dt.date(2020, 1, 1)])
def test_a_day_outside_the_markets_dates_is_refused_with_the_whole_push(
        client: TestClient, db: Database, world: World, outside: dt.date) -> None:
    stall = world.argan
    body = push_body(summary(stall.device_id, DAY, 3, net=10_000),
                     summary(stall.device_id, outside, 3, net=99_900))
    reply = client.post("/api/v1/push", json=body, headers=stall.headers)
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert f"summaries.1 ({outside})" in detail
    assert "outside the market's dates (2026-05-12 to 2026-05-16)" in detail
    assert market_figures(db, world.market_id) == (0, 0, 0, [])
    with db.read() as s:
        assert s.get_one(Device, stall.device_id).last_push_at is None


def test_the_markets_first_and_last_days_are_stored(client: TestClient, db: Database,
                                                    world: World) -> None:
    stall = world.pottery
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(
        summary(stall.device_id, DAY, 3, net=10_000),
        summary(stall.device_id, LAST_DAY, 2, net=5_000)))
    assert reply.status_code == 200, reply.text
    assert market_figures(db, world.market_id) == (2, 2, 15_000,
                                                   [DAY.isoformat(), LAST_DAY.isoformat()])


def test_a_refused_day_in_a_batch_leaves_the_others_stored(db: Database, world: World) -> None:
    """The batch path (one transaction for several pushes) checks each push's dates."""
    late = LAST_DAY + dt.timedelta(days=30)
    refused, stored = push_all(PushWriter(db), [
        (world.argan.token, request(summary(world.argan.device_id, late, 4, net=70_000)), None),
        (world.pottery.token, request(summary(world.pottery.device_id, DAY, 4, net=1_000)),
         None)])
    assert isinstance(refused, Reply) and refused.status == 422
    assert f"({late})" in json.loads(refused.body)["detail"]
    assert refused.refusal is not None
    assert Refusal.model_validate_json(refused.refusal).key == "server.err.day_outside_market"
    assert isinstance(stored, Reply) and stored.status == 200
    assert market_figures(db, world.market_id) == (1, 1, 1_000, [DAY.isoformat()])


def test_a_market_moved_later_refuses_the_days_it_no_longer_covers(
        client: TestClient, db: Database, world: World) -> None:
    """The dates are read with the device on every push, not remembered."""
    with db.write() as s:
        s.get_one(Market, world.market_id).starts_on = DAY + dt.timedelta(days=1)
    stall = world.argan
    reply = client.post("/api/v1/push", json=push_body(summary(stall.device_id, DAY)),
                        headers=stall.headers)
    assert reply.status_code == 422
    assert "(2026-05-13 to 2026-05-16)" in reply.json()["detail"]
    assert market_figures(db, world.market_id)[:2] == (0, 0)


@pytest.mark.parametrize(("change", "key", "params", "words"), [
    ({"net": 10_001}, "server.err.day_net", {"day": "2026-05-12"},
     "summaries.0 (2026-05-12): net must equal gross - refunds - voids"),
    ({"business_day": LAST_DAY + dt.timedelta(days=1)}, "server.err.day_outside_market",
     {"day": "2026-05-17", "starts": "2026-05-12", "ends": "2026-05-16"},
     "summaries.0 (2026-05-17): this business day is outside the market's dates "
     "(2026-05-12 to 2026-05-16)"),
], ids=["net", "outside"])
def test_a_refused_push_names_its_message_beside_the_words_an_old_stall_reads(
        client: TestClient, db: Database, world: World, change: dict[str, object], key: str,
        params: dict[str, str], words: str) -> None:
    stall = world.argan
    bad = summary(stall.device_id, DAY, 3, net=10_000).model_copy(update=change)
    reply = client.post("/api/v1/push", json=push_body(bad), headers=stall.headers)
    assert reply.status_code == 422
    # the body is the one a stall of before the header reads, strictly, as it always was
    assert ErrorBody.model_validate_json(reply.content) == ErrorBody(detail=words)
    assert Refusal.model_validate_json(reply.headers[REFUSAL_HEADER]) == Refusal(
        key=key, params=params)
    assert reply.headers[REFUSAL_HEADER].isascii()
    assert market_figures(db, world.market_id) == (0, 0, 0, [])


def refusal_of(reply: httpx.Response) -> Refusal:
    """The message id an error answer names; its body is the one a stall of before the
    header reads, as it always was."""
    ErrorBody.model_validate_json(reply.content)
    assert reply.headers[REFUSAL_HEADER].isascii()
    return Refusal.model_validate_json(reply.headers[REFUSAL_HEADER])


def test_a_body_the_schema_refuses_names_its_message_and_where(client: TestClient,
                                                                world: World) -> None:
    stall = world.argan
    body = push_body(summary(stall.device_id))
    body["summaries"][0]["gross"] = "a lot"
    body["summaries"][0]["units_of_the_future"] = 1  # what a newer stall might send
    reply = client.post("/api/v1/push", json=body, headers=stall.headers)
    assert reply.status_code == 422
    assert reply.json()["detail"] == (
        "summaries.0.gross: Input should be a valid integer, unable to parse string as an "
        "integer; summaries.0.units_of_the_future: Extra inputs are not permitted")
    assert refusal_of(reply) == Refusal(key="server.err.body_invalid", params={
        "where": "summaries.0.gross", "problems": "2"})
    # not JSON at all
    reply = client.post("/api/v1/push", content=b"{", headers={
        **stall.headers, "Content-Type": "application/json"})
    assert reply.status_code == 422 and refusal_of(reply).key == "server.err.body_invalid"


def test_a_body_too_large_or_unreadable_names_its_message(client: TestClient,
                                                          world: World) -> None:
    stall = world.argan
    headers = {**stall.headers, "Content-Type": "application/json"}
    reply = client.post("/api/v1/push", content=b" " * (MAX_BODY_BYTES + 1), headers=headers)
    assert reply.status_code == 413 and reply.json() == {"detail": "the body is too large"}
    assert refusal_of(reply) == Refusal(key="server.err.body_too_large",
                                        params={"max": str(MAX_BODY_BYTES)})
    reply = client.post("/api/v1/push", content=b"\x1f\x8b not gzip",
                        headers={**headers, "Content-Encoding": "gzip"})
    assert reply.status_code == 400 and refusal_of(reply).key == "server.err.body_gzip"
    reply = client.post("/api/v1/push", content=b"{}", headers={**headers,
                                                                 "Content-Encoding": "br"})
    assert reply.status_code == 415 and refusal_of(reply).key == "server.err.body_encoding"
    reply = client.post("/api/v1/enrol", content=b" " * (ENROL_BODY_BYTES + 1),
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 413 and refusal_of(reply) == Refusal(
        key="server.err.body_too_large", params={"max": str(ENROL_BODY_BYTES)})


def test_an_enrolment_refused_names_its_message(client: TestClient, code: str) -> None:
    reply = client.post("/api/v1/enrol", json={"code": code})
    assert reply.status_code == 422 and refusal_of(reply) == Refusal(
        key="server.err.body_invalid", params={"where": "device_name", "problems": "1"})
    reply = client.post("/api/v1/enrol", json={"code": "AAAA-BBBB-CCCC", "device_name": "x"})
    assert reply.status_code == 400
    assert reply.json() == {"detail": "this enrolment code is unknown, used already or expired"}
    assert refusal_of(reply).key == "server.err.enrol_code"
    reply = client.post("/api/v1/enrol", json={"code": code, "device_name": "a\x00b"})
    assert reply.status_code == 422 and refusal_of(reply).key == "server.err.device_name_nul"


def test_a_token_refused_names_why(client: TestClient, db: Database, world: World) -> None:
    stall = world.argan
    body = push_body(summary(stall.device_id))
    for path in ("/api/v1/push", "/api/v1/days"):
        call = client.post if path.endswith("push") else client.get
        kwargs: dict[str, object] = {"json": body} if path.endswith("push") else {}
        reply = call(path, **kwargs)  # type: ignore[operator]
        assert reply.status_code == 401 and refusal_of(reply).key == "server.err.token_missing"
        reply = call(path, headers={"Authorization": "Bearer " + "x" * 43}, **kwargs)
        assert reply.status_code == 401 and refusal_of(reply).key == "server.err.token_unknown"
        assert reply.headers["WWW-Authenticate"] == "Bearer"
    with db.write() as s:
        admin.revoke_device(s, stall.device_id)
    for reply in (client.post("/api/v1/push", json=body, headers=stall.headers),
                  client.get("/api/v1/days", headers=stall.headers)):
        assert reply.status_code == 401 and reply.json() == {
            "detail": "this device has been revoked"}
        assert refusal_of(reply) == Refusal(key="server.err.device_revoked",
                                            params={"device": str(stall.device_id)})


def test_an_address_the_api_does_not_have_names_its_message(client: TestClient) -> None:
    reply = client.get("/api/v1/days/all")
    assert reply.status_code == 404 and reply.json() == {"detail": "Not Found"}
    assert refusal_of(reply) == Refusal(key="server.err.api_not_found",
                                        params={"path": "/api/v1/days/all"})
    # the dashboard's pages are not the stalls' API: their answers are as they were
    reply = client.get("/dashboard/static/nothing.js")
    assert reply.status_code == 404 and REFUSAL_HEADER not in reply.headers


def test_every_message_the_api_names_is_the_servers_and_the_stalls() -> None:
    """Each message id the API can send has the organisers' words (server.json) and the
    stall's own (sync.json), the stall's with no parameter the server does not send (a
    revoked device and an enrolment code refused: the stall's ``sync.err.revoked`` and
    ``sync.err.enrol_bad_code`` say them)."""
    import re
    from importlib import resources

    from pos.i18n import catalogue, placeholders
    from sync.client.errors import SERVER_KEYS, STALL_KEYS

    source = "".join((resources.files("sync.server") / name).read_text(encoding="utf-8")
                     for name in ("api.py", "app.py", "ingest.py"))
    used = set(re.findall(r'"(server\.err\.[a-z_]+)"', source))
    assert {"server.err.body_invalid", "server.err.body_too_large", "server.err.token_unknown",
            "server.err.api_not_found"} <= used
    text = (resources.files("resources") / "i18n" / "server.json").read_text(encoding="utf-8")
    server_words = json.loads(text)
    stall_words = catalogue()
    for key in used - {"server.err.bundle_unknown_device", "server.err.bundle_signature",
                       "server.err.device_revoked", "server.err.enrol_code"}:
        ours = STALL_KEYS + key.removeprefix(SERVER_KEYS)
        assert key in server_words and ours in stall_words, key
        assert placeholders(stall_words[ours]["en"]) <= placeholders(server_words[key]["en"])
