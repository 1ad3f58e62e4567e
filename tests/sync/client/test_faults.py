"""Every day's figures reach the server exactly once through a network that lies.

A fault-injecting proxy sits between the stall and the real server; hundreds of sync
runs are interleaved with sales and day closes. After every run, no day is marked synced
at a version the server does not hold; at the end, the server's figures per device and
day equal the stall's to the centime, and each (device, day) is stored once.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from pos.db import Store
from sync.client import config, outbox
from sync.client.engine import sync_once
from sync.client.transport import Backoff, Timeouts, Transport
from sync.server.models import DaySummaryRow
from tests.sync.client.faultproxy import FAULTS, FaultProxy
from tests.sync.client.support import LiveServer, Till, local_figures

ROUNDS = 300
TIMEOUTS = Timeouts(connect=0.2, read=0.2, total=1.0)
BACKOFF = Backoff(attempts=2, base=0.005, cap=0.02)


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[FaultProxy]:
    seed = int(os.environ.get("SOUK_FAULT_SEED", random.randrange(10**6)))
    print(f"fault seed {seed}")
    weights = {f: 1.0 for f in FAULTS} | {"pass": 5.0, "delay": 0.5, "stall": 0.5}
    p = FaultProxy(server.port, seed=seed, hold=0.3, weights=weights)
    yield p
    p.close()


def transport_via(store: Store, url: str) -> Transport:
    with store.read() as s:
        cfg = config.load(s)
    return Transport(url, token=cfg.token, timeouts=TIMEOUTS, backoff=BACKOFF)


def check_never_acked_beyond_server(store: Store, server: LiveServer) -> None:
    """Every version the stall marked synced is held by the server (cheap queries)."""
    with store.read() as s:
        cfg = config.load(s)
        states = outbox.day_states(s)
    with server.database.read() as s:
        held = dict(s.execute(
            select(DaySummaryRow.business_day, DaySummaryRow.version)
            .where(DaySummaryRow.device_id == cfg.device_id)
        ).all())
    for state in states:
        if state.acked:
            assert held.get(state.date, 0) >= state.acked, (state, held)
            assert state.acked <= state.version


@pytest.mark.slow
def test_random_faults_never_lose_nor_double_count(
    till: Till, server: LiveServer, proxy: FaultProxy
) -> None:
    rng = random.Random(proxy.rng.random())
    transport = transport_via(till.store, proxy.url)
    outcomes = {"ok": 0, "failed": 0}
    for _ in range(ROUNDS):
        roll = rng.random()
        if roll < 0.6:
            for _ in range(rng.randint(1, 3)):
                till.sell(rng)
        elif roll < 0.68:
            till.close_day()
        outcome = sync_once(till.store, transport)
        outcomes["ok" if outcome.error is None else "failed"] += 1
        check_never_acked_beyond_server(till.store, server)
    print(dict(proxy.seen), outcomes)
    assert all(proxy.seen[f] for f in FAULTS), proxy.seen
    assert outcomes["ok"] > 10 and outcomes["failed"] > 10

    proxy.drain()
    proxy.enabled = False
    final = sync_once(till.store, transport)
    assert final.ok, final
    with till.store.read() as s:
        device = config.load(s).device_id
    assert device is not None
    assert server.held(device) == local_figures(till.store)
    assert server.rows_per_day() == 1
    assert server.conflicts() == 0
    transport.close()
