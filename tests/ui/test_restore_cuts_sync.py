"""A backup restored from the app while a sync request is under way: the window's close
(which the restore makes) cuts the request and lets the sync worker end before the
database is replaced, without waiting for the server. Nothing the old run learnt is
written into the restored database: its days are still to be sent, at their own
versions (an acknowledgement of the replaced database's figures would mark them sent)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pos import backup
from pos.db import DB_FILENAME, Store
from sync.client import config, outbox
from sync.client.engine import enrol_store
from sync.client.status import snapshot
from tests.sync.client.conftest import FAST, options
from tests.sync.client.conftest import server as server  # the organisers' live server
from tests.sync.client.faultproxy import FaultProxy
from tests.sync.client.support import LiveServer, Till, device_of
from ui.sync_bridge import SyncBridge

HOLD = 4.0  # how long the push is held on its way to the server (seconds)


def sync_records(path: Path) -> tuple[list[Any], list[Any]]:
    """What a till's database records of its sync: each day's, and the sync settings."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return (db.execute("SELECT * FROM sync_day ORDER BY day_id").fetchall(),
                db.execute("SELECT value FROM setting WHERE key = 'sync'").fetchall())


def is_push(request: bytes) -> bool:
    return request.startswith(b"POST ") and b"/push" in request.split(b"\r\n")[0]


@pytest.fixture
def slow_push(server: LiveServer) -> Iterator[FaultProxy]:
    """Between the till and the server: every push held ``HOLD`` s, then forwarded (the
    server stores it and answers); the rest passes."""
    proxy = FaultProxy(server.port, seed=3, hold=HOLD, weights={"pass": 1.0},
                       rule=lambda request: "delay" if is_push(request) else None)
    yield proxy
    proxy.close()


def test_a_restore_cuts_the_sync_under_way_and_the_restored_till_keeps_its_days_to_send(
        qtbot: Any, make_window: Any, server: LiveServer, slow_push: FaultProxy,
        data_dir: Path) -> None:
    window = make_window(lang="fr", day_open=False)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    till = Till(store)
    rng = random.Random(71)
    till.sell(rng)
    db_path = data_dir / DB_FILENAME
    written = backup.backup_to(db_path, None, label="z").path  # the day, one sale in
    till.sell(rng)
    till.sell(rng)
    with store.write() as s:  # the till reaches the server through the slow link
        config.update(s, url=slow_push.url)
    bridge = SyncBridge(store, "fr", parent=window, options=options(read=HOLD * 3))
    window.attach_sync(bridge)
    bridge.start()
    qtbot.waitUntil(lambda: slow_push.seen["delay"] == 1, timeout=10000)  # the push is out

    window.close()  # as the restore asks (ui.app.request_restore)
    worker = bridge.service._thread
    assert worker is not None and not worker.is_alive()  # ended, not left running
    window.ctx.close()
    backup.restore(db_path, written)

    slow_push.drain()  # the held push reaches the server, which stores it
    worker.join(HOLD * 3)  # (a worker left running would be done by now)
    assert list(server.held(device_of(Store.open(written)))) != []
    assert sync_records(db_path) == sync_records(written)  # as the backup had them
    restored = Store.open(db_path)
    try:
        with restored.read() as s:
            states = outbox.day_states(s)
            todo, _ = outbox.plan(s, states)
        assert [(d.version, d.acked) for d in states] == [(todo[0].version, 0)]
        snap = snapshot(restored)
        assert snap.waiting == 1 and not snap.last_error  # still to send, nothing failed
        assert snap.last_success_at is None
    finally:
        restored.close()
