"""The store's plain transactions (:meth:`pos.db.Store.ledger`) on a real SQLite file, with
a second connection holding the write lock as another program would."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event

from pos.db import BUSY_TIMEOUT_MS, Store


def test_a_write_that_waits_a_moment_leaves_the_connection_waiting_as_long_as_ever(
        store: Store) -> None:
    handed: list[sqlite3.Connection] = []
    event.listen(store.engine.pool, "checkout",
                 lambda conn, _record, _proxy: handed.append(conn))
    with store.ledger() as db:
        db.execute("CREATE TABLE note (text TEXT)")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"), \
            store.ledger(wait_ms=20) as db:
        db.execute("INSERT INTO note VALUES ('lost')")
    other.execute("ROLLBACK")
    other.close()
    with store.ledger() as db:
        waits: Any = db.execute("PRAGMA busy_timeout").fetchone()[0]
        db.execute("INSERT INTO note VALUES ('kept')")
    assert handed[1] is handed[2]  # the same pooled connection, back to its busy timeout
    assert waits == BUSY_TIMEOUT_MS
    with store.ledger(wait_ms=20) as db:  # with nothing in the way, written as any other
        db.execute("INSERT INTO note VALUES ('also kept')")
    with store.ledger() as db:
        assert [row[0] for row in db.execute("SELECT text FROM note")] == ["kept", "also kept"]
