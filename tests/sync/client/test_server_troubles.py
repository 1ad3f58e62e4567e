"""A server that keeps failing (5xx) on one day holds up no other day: the days pushed
with it go through, the day it fails on stays waiting (not set aside: the fault is the
server's) and is tried again at every run until the server takes it. A gateway's 502,
503 or 504 (a café's proxy, the operator's) is told as the server, or the link to it,
out of reach for now, the sales safe on the till and sent later."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest

from pos.db import Store
from sync.client import config
from sync.client.engine import sync_once
from sync.client.errors import ServerTrouble
from sync.client.status import snapshot, status_text
from sync.client.transport import Backoff, Timeouts, Transport
from tests.sync.client.faultproxy import FaultProxy, body_of
from tests.sync.client.support import MARKET_DAY, LiveServer, Till, device_of, local_figures

BAD_DAY = MARKET_DAY + dt.timedelta(days=1)


def transport_via(store: Store, url: str) -> Transport:
    with store.read() as s:
        cfg = config.load(s)
    return Transport(url, token=cfg.token, timeouts=Timeouts(connect=1.0, read=5.0, total=10.0),
                     backoff=Backoff(attempts=3, base=0.01, cap=0.02))


def fails_on(date: dt.date) -> object:
    """A 500 for every push that holds ``date``'s summary; the rest passes."""
    def rule(request: bytes) -> str | None:
        if not request.startswith(b"POST ") or b"/push" not in request.split(b"\r\n")[0]:
            return None
        return "500" if f'"business_day":"{date.isoformat()}"'.encode() in body_of(request) \
            else None
    return rule


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[FaultProxy]:
    p = FaultProxy(server.port, seed=1, hold=0.1, weights={"pass": 1.0},
                   rule=fails_on(BAD_DAY))  # type: ignore[arg-type]
    yield p
    p.close()


def test_a_day_the_server_fails_on_holds_up_no_other(
        till: Till, server: LiveServer, proxy: FaultProxy) -> None:
    rng = random.Random(7)
    for _ in range(4):  # four days, pushed in one batch
        till.sell(rng)
        till.close_day()
    transport = transport_via(till.store, proxy.url)
    try:
        outcome = sync_once(till.store, transport)
        others = [MARKET_DAY + dt.timedelta(days=n) for n in (0, 2, 3)]
        assert sorted(outcome.acked) == others
        assert isinstance(outcome.error, ServerTrouble) and outcome.error.status == 500
        assert outcome.set_aside == [] and outcome.waiting == 1
        held = server.held(device_of(till.store))
        assert sorted(held) == others
        figures = local_figures(till.store)
        assert all(held[d] == figures[d] for d in others)
        snap = snapshot(till.store)
        assert snap.waiting == 1 and snap.set_aside == 0  # waiting, not set aside
        [bad] = [d for d in snap.days if d.date == BAD_DAY]
        assert bad.waiting and "500" in bad.last_error
        assert status_text(snap, "en").startswith("offline - 1 day waiting")

        # tried again at the next run, alone, and still waiting
        failed = proxy.seen["500"]
        again = sync_once(till.store, transport)
        assert proxy.seen["500"] > failed
        assert again.acked == [] and again.waiting == 1
        assert isinstance(again.error, ServerTrouble)

        proxy.rule = None  # the server's fault is mended: the day goes through
        last = sync_once(till.store, transport)
        assert last.ok and last.acked == [BAD_DAY]
        assert server.held(device_of(till.store)) == local_figures(till.store)
    finally:
        transport.close()


@pytest.mark.parametrize("status", ["502", "503"])
def test_a_gateway_error_says_the_link_may_be_down_and_the_sales_are_safe(
        till: Till, server: LiveServer, status: str) -> None:
    till.sell(random.Random(8))
    gateway = FaultProxy(server.port, seed=2, hold=0.1, weights={status: 1.0})
    transport = transport_via(till.store, gateway.url)
    try:
        outcome = sync_once(till.store, transport)
    finally:
        transport.close()
        gateway.close()
    error = outcome.error
    assert isinstance(error, ServerTrouble) and error.key == "sync.err.gateway"
    said = {lang: error.message(lang) for lang in ("ar", "fr", "en")}
    assert said["en"] == (
        f"The organisers' server, or the link to it, cannot be reached for now (HTTP {status}). "
        "The sales are safe on this till and will be sent later, by themselves.")
    assert said["fr"] == (
        "Le serveur des organisateurs, ou la liaison jusqu'à lui, est injoignable pour "
        f"l'instant (HTTP {status}). Les ventes sont en sécurité sur cette caisse et seront "
        "envoyées plus tard, d'elles-mêmes.")
    assert "المبيعات محفوظة" in said["ar"] and status in said["ar"]
    assert not any("problème" in s or "trouble" in s for s in said.values())
    # the same words where the till shows the last problem
    snap = snapshot(till.store)
    from sync.client.status import error_text

    assert error_text(snap.last_error, "fr") == said["fr"]
