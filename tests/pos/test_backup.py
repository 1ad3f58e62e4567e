from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pos import backup
from pos.db import Store
from pos.errors import InputError
from tests.helpers import ring


def sales(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM sale").fetchone()[0])
    finally:
        conn.close()


def test_backups_roll_and_restore_brings_a_day_back(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    first = backup.make_backup(store.path, keep=3)
    for _ in range(4):
        ring(store, [("VRB-50", 1000)])
        backup.make_backup(store.path, keep=3)
    kept = backup.list_backups(store.path)
    assert len(kept) == 3 and first not in kept
    assert sales(kept[0]) == 5 and sales(kept[-1]) == 3
    store.close()

    previous = backup.restore(store.path, kept[-1])
    assert sales(store.path) == 3
    assert sales(previous) == 5  # the replaced database is kept, never lost
    reopened = Store.open(store.path)
    ring(reopened, [("THY-50", 1000)])
    reopened.close()
    assert sales(store.path) == 4


def test_restore_refuses_what_is_not_a_backup(store: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError) as caught:
        backup.restore(store.path, junk)
    assert caught.value.key == "backup.invalid"
    with pytest.raises(InputError):
        backup.restore(store.path, tmp_path / "missing.sqlite3")


def test_a_tampered_backup_is_refused(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    copy = backup.make_backup(store.path)
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("UPDATE journal SET amount = 1 WHERE kind = 'sale'")
    conn.close()
    with pytest.raises(InputError):
        backup.restore(store.path, copy)
