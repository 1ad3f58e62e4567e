"""The till's logs never hold its device token: a sync run that fails on the till's own
database (a write of the sync settings refused, as a full disk refuses it) is logged
with what failed, and without the settings it was writing, which hold the token."""

from __future__ import annotations

import logging
import random
import sqlite3

import pytest
from pytestqt.qtbot import QtBot

from pos.db import Store
from sync.client import config
from sync.client.service import SyncEvent, SyncService
from tests.sync.client.conftest import options
from tests.sync.client.support import Till


def test_a_run_failing_on_the_tills_database_logs_no_token(
        qtbot: QtBot, till: Till, enrolled: Store, caplog: pytest.LogCaptureFixture) -> None:
    till.sell(random.Random(51))
    with enrolled.read() as s:
        token = config.load(s).token
    assert token
    db = sqlite3.connect(enrolled.path)
    with db:  # the sync settings can no longer be written
        db.execute("CREATE TRIGGER full BEFORE UPDATE ON setting WHEN NEW.key = 'sync' "
                   "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END")
    db.close()
    service = SyncService(enrolled, options())
    finished: list[SyncEvent] = []
    service.add_listener(lambda e: finished.append(e) if e.kind == "finished" else None)
    caplog.set_level(logging.ERROR, logger="sync.client.service")
    service.start()
    try:
        service.request("manual")
        qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    finally:
        service.stop()
    error = finished[0].error
    assert error is not None and error.key == "sync.err.internal"
    assert "sync: the run failed" in caplog.text
    assert "database or disk is full" in caplog.text  # what failed is there
    # nor any piece of it (a long parameter is logged cut in the middle, its start kept)
    pieces = {token[i:i + 8] for i in range(len(token) - 7)}
    assert not [piece for piece in pieces if piece in caplog.text]
