"""Databases made by every released schema upgrade to the current one, data intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from pos import journal
from pos.db import Store, current_revision, head_revision, shipped_head, stored_revision

DATA = Path(__file__).with_name("data")
RELEASED = sorted(DATA.glob("schema-*.sqlite3"))


@pytest.mark.parametrize("old", RELEASED, ids=lambda p: p.stem)
def test_old_database_upgrades_on_open(tmp_path: Path, old: Path) -> None:
    path = tmp_path / "souk.sqlite3"
    shutil.copy(old, path)
    before = sqlite3.connect(path)
    sales_before = before.execute("SELECT COUNT(*), SUM(total) FROM sale").fetchone()
    products = before.execute("SELECT COUNT(*) FROM product").fetchone()[0]
    before.close()

    store = Store.open(path)
    assert current_revision(store.engine) == head_revision(store.engine)
    store.close()

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*), SUM(total) FROM sale").fetchone() == sales_before
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert journal.verify(conn).ok
        # each product's stock is its opening move, its moves adding up to it
        assert conn.execute(
            "SELECT COUNT(*), SUM(stock = (SELECT SUM(change) FROM stock_move m "
            "WHERE m.product_id = p.id AND m.kind = 'opening')) FROM product p").fetchone() == (
            products, products)
        # in its product's unit, made in the app, and kept from changes still
        assert conn.execute(
            "SELECT COUNT(*) FROM stock_move m JOIN product p ON p.id = m.product_id "
            "WHERE m.unit = p.unit AND m.done_from = 'app'").fetchone() == (products,)
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            conn.execute("UPDATE stock_move SET unit = 'kg'")
    finally:
        conn.close()


def test_a_new_database_gets_every_pragma(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "souk.sqlite3")
    with store.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    store.close()
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                       "busy_timeout": 10000}


def test_the_quick_head_check_agrees_with_alembic(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "souk.sqlite3")
    try:
        assert shipped_head() == head_revision(store.engine)
        assert stored_revision(store.path) == shipped_head()
    finally:
        store.close()
    assert stored_revision(tmp_path / "absent.sqlite3") is None
