"""A till's last contact, as the organisers' dashboard shows it: every request of a till
whose token is good is its contact, a push the server refuses too (a till that keeps trying
is in contact); a request with a bad token never is. The real server on loopback, over
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from typing import Any

import requests
from sqlalchemy import select, update

from sync.protocol import MAX_BODY_BYTES
from sync.server import queries
from sync.server.db import utcnow
from sync.server.models import DaySummaryRow, Device, Market
from tests.sync.client.support import MARKET_DAY, MARKET_END, LiveServer

from .server_support import push_body, summary

LONG_AGO = dt.datetime(2026, 5, 12, 8, 0)


def enrolled(server: LiveServer) -> tuple[uuid.UUID, dict[str, str]]:
    """A till of the seeded cooperative: its device id and its request headers."""
    reply = requests.post(f"{server.url}/api/v1/enrol", timeout=5,
                          json={"code": server.code(), "device_name": "till"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return uuid.UUID(body["device_id"]), {"Authorization": f"Bearer {body['token']}"}


def last_seen(server: LiveServer, device: uuid.UUID) -> dt.datetime | None:
    with server.database.read() as s:
        return s.get_one(Device, device).last_seen_at


def seen_long_ago(server: LiveServer, device: uuid.UUID) -> None:
    """The till's last contact, an hour before the market opened."""
    with server.database.write() as s:
        s.execute(update(Device).where(Device.id == device).values(last_seen_at=LONG_AGO))


def post(server: LiveServer, headers: dict[str, str], **request: Any) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/push", timeout=30, headers=headers, **request)


def refused_pushes(device: uuid.UUID) -> list[tuple[int, dict[str, Any]]]:
    """Pushes the server refuses, each with its status: a day outside the market's dates,
    a day of another till, a body that is not a push, one too large, one compressed
    wrong."""
    outside = push_body(summary(device, MARKET_END + dt.timedelta(days=1)))
    not_mine = push_body(summary(uuid.uuid4(), MARKET_DAY))
    invalid = push_body(summary(device, MARKET_DAY))
    invalid["summaries"][0]["net"] = "lots"
    return [
        (422, {"json": outside}),
        (403, {"json": not_mine}),
        (422, {"json": invalid}),
        (413, {"data": b" " * (MAX_BODY_BYTES + 1),
               "headers": {"Content-Type": "application/json"}}),
        (400, {"data": b"\x1f\x8b not gzip",
               "headers": {"Content-Type": "application/json", "Content-Encoding": "gzip"}}),
    ]


def test_a_till_whose_pushes_are_refused_is_in_contact(server: LiveServer) -> None:
    device, headers = enrolled(server)
    for status, request in refused_pushes(device):
        seen_long_ago(server, device)
        before = utcnow()
        extra = request.pop("headers", {})
        reply = post(server, {**headers, **extra}, **request)
        assert reply.status_code == status, reply.text
        seen = last_seen(server, device)
        assert seen is not None and seen >= before, (status, seen)
    with server.database.read() as s:
        assert s.scalars(select(DaySummaryRow)).all() == []  # nothing else written


def test_a_refused_push_writes_the_contact_at_most_once_a_minute(server: LiveServer) -> None:
    device, headers = enrolled(server)
    (status, request), *_ = refused_pushes(device)
    assert post(server, headers, **request).status_code == status
    first = last_seen(server, device)
    assert first is not None
    assert post(server, headers, **request).status_code == status
    assert last_seen(server, device) == first


def test_a_bad_token_is_never_a_contact(server: LiveServer) -> None:
    device, headers = enrolled(server)
    seen_long_ago(server, device)
    for token in ("not-the-token", headers["Authorization"].split()[1][:-1]):
        for _status, request in refused_pushes(device):
            extra = request.pop("headers", {})
            reply = post(server, {"Authorization": f"Bearer {token}", **extra}, **request)
            assert reply.status_code == 401, reply.text
        reply = post(server, {"Authorization": f"Bearer {token}"},
                     json=push_body(summary(device, MARKET_DAY)))
        assert reply.status_code == 401
    assert last_seen(server, device) == LONG_AGO
    server.revoke(device)  # its token is no good any more either
    for _status, request in refused_pushes(device):
        extra = request.pop("headers", {})
        assert post(server, {**headers, **extra}, **request).status_code == 401
    assert last_seen(server, device) == LONG_AGO


def test_an_accepted_push_is_a_contact_as_before(server: LiveServer) -> None:
    device, headers = enrolled(server)
    seen_long_ago(server, device)
    before = utcnow()
    body = gzip.compress(json.dumps(push_body(summary(device, MARKET_DAY))).encode())
    reply = post(server, {**headers, "Content-Type": "application/json",
                          "Content-Encoding": "gzip"}, data=body)
    assert reply.status_code == 200, reply.text
    seen = last_seen(server, device)
    assert seen is not None and seen >= before


def refusal(server: LiveServer, device: uuid.UUID) -> tuple[Any, ...]:
    """The device's last refusal as the server keeps it: when, why (its parameters read)."""
    with server.database.read() as s:
        d = s.get_one(Device, device)
        return d.refused_at, d.refused_key, json.loads(d.refused_params or "null")


def test_a_refused_push_keeps_why_until_a_push_is_stored(server: LiveServer) -> None:
    device, headers = enrolled(server)
    outside = MARKET_END + dt.timedelta(days=1)
    keys = []
    for status, request in refused_pushes(device):
        seen_long_ago(server, device)
        before = utcnow()
        extra = request.pop("headers", {})
        assert post(server, {**headers, **extra}, **request).status_code == status
        at, key, _params = refusal(server, device)
        assert at is not None and at >= before, status
        keys.append(key)
    assert keys == ["server.err.day_outside_market", "server.err.day_other_device",
                    "server.err.body_invalid", "server.err.body_too_large",
                    "server.err.body_gzip"]
    seen_long_ago(server, device)
    (status, request), *_ = refused_pushes(device)
    assert post(server, headers, **request).status_code == status
    _at, key, params = refusal(server, device)
    assert (key, params["day"]) == ("server.err.day_outside_market", outside.isoformat())
    assert list(refused_stands(server)) == [server.cooperative_id]
    reply = post(server, headers, json=push_body(summary(device, MARKET_DAY)))
    assert reply.status_code == 200, reply.text
    assert refused_stands(server) == {}  # its figures are stored again


def test_a_refusal_right_after_the_tills_check_is_recorded(server: LiveServer) -> None:
    """A till's sync asks what the server holds (its contact, written then), then pushes:
    the push refused a moment later is recorded all the same, each time."""
    device, headers = enrolled(server)
    (status, request), *_ = refused_pushes(device)
    for _ in range(2):
        before = utcnow()
        assert requests.get(f"{server.url}/api/v1/days", headers=headers,
                            timeout=5).status_code == 200
        seen = last_seen(server, device)
        assert seen is not None
        assert post(server, headers, **request).status_code == status
        at, key, _params = refusal(server, device)
        assert at is not None and at >= before and key == "server.err.day_outside_market"
        assert last_seen(server, device) == seen  # the contact, once a minute


def refused_stands(server: LiveServer) -> dict[int, tuple[Any, ...]]:
    with server.database.read() as s:
        return queries.refusals(s, s.get_one(Market, server.market_id))


def test_a_bad_token_never_records_a_refusal(server: LiveServer) -> None:
    device, headers = enrolled(server)
    for token in ("not-the-token", headers["Authorization"].split()[1][:-1]):
        for _status, request in refused_pushes(device):
            extra = request.pop("headers", {})
            reply = post(server, {"Authorization": f"Bearer {token}", **extra}, **request)
            assert reply.status_code == 401, reply.text
    assert refusal(server, device) == (None, None, None)
