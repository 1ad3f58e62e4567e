"""Tamper evidence: any edit, deletion or reordering in the SQLite file is caught."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pos import day, journal, refunds, users
from pos.cart import PaymentSpec
from pos.db import Store
from tests.helpers import ring


@pytest.fixture
def busy_store(store: Store, open_day: int) -> Store:
    for i in range(6):
        ring(store, [("ARG-250", 1000), ("THY-50", 1000 + i * 1000)])
    sale = ring(store, [("RUG-S", 1000)], payments=[PaymentSpec("card", 85000, None, "T9")])
    with store.write() as s:
        m = users.require_manager(s, "1234")
        refunds.refund(s, sale.id, quantities=None, reason="taille", manager=m)
        day.cash_movement(s, "out", 2000, "sacs", user=m)
    store.close()
    return store


def check(path: Path) -> journal.Verdict:
    conn = sqlite3.connect(path)
    try:
        return journal.verify(conn)
    finally:
        conn.close()


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def test_an_untouched_chain_verifies(busy_store: Store) -> None:
    verdict = check(busy_store.path)
    assert verdict.ok and verdict.records == 10
    with Store.open(busy_store.path).read() as s:
        assert journal.head(s).hash == verdict.head_hash


def test_each_record_links_to_the_previous_hash(busy_store: Store) -> None:
    conn = sqlite3.connect(busy_store.path)
    rows = conn.execute("SELECT seq, record, hash FROM journal ORDER BY seq").fetchall()
    conn.close()
    prev = journal.GENESIS
    for seq, record, digest in rows:
        import hashlib

        assert digest == hashlib.sha256(bytes.fromhex(prev) + record.encode()).hexdigest()
        assert json.loads(record)["seq"] == seq
        prev = digest


def test_editing_an_amount_in_a_record_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE journal SET record = replace(record, '\"amount\":15000', "
           "'\"amount\":1500') WHERE seq = 3")
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.bad_seq == 3 and verdict.problem == "journal.edited"


def test_editing_a_column_beside_the_record_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE journal SET amount = amount - 100 WHERE seq = 4")
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.bad_seq == 4


def test_deleting_a_record_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "DELETE FROM journal WHERE seq = 5")
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.bad_seq == 6 and verdict.problem == "journal.missing"


def test_swapping_two_records_is_caught(busy_store: Store) -> None:
    tamper(
        busy_store.path,
        "UPDATE journal SET seq = -1 WHERE seq = 3",
        "UPDATE journal SET seq = 3 WHERE seq = 4",
        "UPDATE journal SET seq = 4 WHERE seq = -1",
    )
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.bad_seq == 3


def test_recomputing_one_hash_still_breaks_the_next_link(busy_store: Store) -> None:
    conn = sqlite3.connect(busy_store.path)
    record, = conn.execute("SELECT record FROM journal WHERE seq = 2").fetchone()
    prev, = conn.execute("SELECT hash FROM journal WHERE seq = 1").fetchone()
    forged = record.replace('"amount":13500', '"amount":100')
    with conn:
        conn.execute("UPDATE journal SET record = ?, hash = ?, amount = 100 WHERE seq = 2",
                     (forged, journal.chain_hash(prev, forged)))
    conn.close()
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.bad_seq == 2  # the grand total no longer adds up


def test_editing_or_deleting_a_sale_row_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE sale SET total = total - 1000 WHERE number = 2")
    assert check(busy_store.path).problem == "journal.tables"


def test_deleting_the_last_sale_with_its_lines_is_caught(busy_store: Store) -> None:
    tamper(
        busy_store.path,
        "DELETE FROM sale_line WHERE sale_id = (SELECT id FROM sale WHERE number = 3)",
        "DELETE FROM payment WHERE sale_id = (SELECT id FROM sale WHERE number = 3)",
        "DELETE FROM sale WHERE number = 3",
    )
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.problem == "journal.tables"


def test_a_line_edited_under_its_sale_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE sale_line SET total = total + 500 WHERE id = 1")
    assert check(busy_store.path).problem == "journal.tables"


def test_verify_messages_say_which_record(busy_store: Store) -> None:
    from pos.i18n import tr

    assert tr("fr", "journal.edited", seq=3) == "L'enregistrement 3 a été modifié."
    assert "3" in tr("ar", "journal.edited", seq=3)
