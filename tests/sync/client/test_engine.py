"""One sync run against the real server: acknowledgements, set-aside days, revocation,
a server restored from an old backup, enrolment and the day-close bundle."""

from __future__ import annotations

import random
from pathlib import Path

from pos.db import Store
from sync.client import config
from sync.client.engine import sync_store
from sync.client.status import snapshot
from tests.sync.client.conftest import FAST
from tests.sync.client.support import LiveServer, Till, local_figures


def device_of(store: Store):
    with store.read() as s:
        cfg = config.load(s)
    assert cfg.device_id is not None
    return cfg.device_id


def test_days_reach_the_server_and_equal_the_stall(till: Till, server: LiveServer) -> None:
    rng = random.Random(1)
    for _ in range(5):
        till.sell(rng)
    till.close_day()
    for _ in range(3):
        till.sell(rng)
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok, outcome
    assert len(outcome.acked) == 2
    assert server.held(device_of(till.store)) == local_figures(till.store)
    again = sync_store(till.store, **FAST)
    assert again.ok and again.acked == []
