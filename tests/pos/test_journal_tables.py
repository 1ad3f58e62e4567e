"""Tamper evidence of the tables the reports read: every edit that changes an X or Z report,
a receipt or a sync summary is caught and named, and the newest records cannot be taken
out once the stall recorded its progress elsewhere (sync, printing, day close, numbers)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import day, journal, refunds, reports, users
from pos.cart import PaymentSpec
from pos.cli import main
from pos.db import Store
from pos.models import BusinessDay
from pos.printing import queue
from sync.client import outbox
from tests.helpers import MANAGER_PIN, ring
from tests.pos.test_journal import check, tamper

OLD_DATABASE = Path(__file__).with_name("data") / "schema-0001.sqlite3"


@pytest.fixture
def busy_store(store: Store, open_day: int) -> Store:
    """Journal: 1 day open, 2-7 six sales, 8 a card sale, 9 its refund, 10 a cash out."""
    for i in range(6):
        ring(store, [("ARG-250", 1000), ("THY-50", 1000 + i * 1000)])
    sale = ring(store, [("RUG-S", 1000)], payments=[PaymentSpec("card", 85000, None, "T9")])
    with store.write() as s:
        m = users.require_manager(s, MANAGER_PIN)
        refunds.refund(s, sale.id, quantities=None, reason="taille", manager=m)
        day.cash_movement(s, "out", 2000, "sacs", user=m)
    store.close()
    return store


@pytest.fixture
def closed_store(busy_store: Store) -> Store:
    """The busy day closed with its count (record 11)."""
    with busy_store.write() as s:
        m = users.require_manager(s, MANAGER_PIN)
        expected = day.day_report_expected(s)
        day.close_day(s, day.count_for(expected + 500), manager=m)
    busy_store.close()
    return busy_store


def value(path: Path, sql: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def assert_caught(verdict: journal.Verdict, seq: int, table: str, column: str) -> None:
    assert not verdict.ok
    assert (verdict.problem, verdict.bad_seq, verdict.table, verdict.column) == (
        "journal.tables", seq, table, column)


def delete_newest_sale(path: Path) -> None:
    """What the audit did: the last sale's record, row, lines and payments deleted."""
    newest = "(SELECT id FROM sale ORDER BY number DESC LIMIT 1)"
    tamper(
        path,
        f"DELETE FROM journal WHERE seq = (SELECT journal_seq FROM sale WHERE id = {newest})",
        f"DELETE FROM sale_line WHERE sale_id = {newest}",
        f"DELETE FROM payment WHERE sale_id = {newest}",
        f"DELETE FROM sale WHERE id = {newest}",
    )


SALE_2 = "(SELECT id FROM sale WHERE number = 2)"  # journal record 3: 2 lines, cash


@pytest.mark.parametrize(
    ("statement", "table", "column"),
    [
        (f"UPDATE payment SET method = 'card' WHERE sale_id = {SALE_2}", "payment", "method"),
        (f"UPDATE payment SET amount = amount - 100 WHERE sale_id = {SALE_2}", "payment",
         "amount"),
        (f"UPDATE sale_line SET tax_rate = 20 WHERE sale_id = {SALE_2}", "sale_line",
         "tax_rate"),
        (f"UPDATE sale_line SET quantity = 3000 WHERE sale_id = {SALE_2} AND position = 1",
         "sale_line", "quantity"),
        (f"UPDATE sale_line SET sku = 'HNY-THY' WHERE sale_id = {SALE_2} AND position = 0",
         "sale_line", "sku"),
        (f"UPDATE sale_line SET name_fr = 'Autre' WHERE sale_id = {SALE_2}", "sale_line",
         "name_fr"),
        # the two lines swapped: the first line is now another product
        (f"UPDATE sale_line SET position = CASE position WHEN 0 THEN 2 ELSE 0 END "
         f"WHERE sale_id = {SALE_2}", "sale_line", "sku"),
        (f"DELETE FROM sale_line WHERE sale_id = {SALE_2} AND position = 1", "sale_line",
         "sale_id"),
        (f"UPDATE sale SET day_id = day_id + 1 WHERE id = {SALE_2}", "sale", "day_id"),
        (f"UPDATE sale SET created_at = replace(created_at, substr(created_at, 1, 4), '2020') "
         f"WHERE id = {SALE_2}", "sale", "created_at"),
        (f"UPDATE sale SET local_hour = (local_hour + 5) % 24 WHERE id = {SALE_2}", "sale",
         "local_hour"),
        (f"UPDATE sale SET cashier_name = 'X' WHERE id = {SALE_2}", "sale", "cashier_name"),
        (f"UPDATE sale SET discount = 100 WHERE id = {SALE_2}", "sale", "discount"),
        (f"UPDATE sale SET number = 99 WHERE id = {SALE_2}", "sale", "number"),
    ],
)
def test_each_edit_of_a_sale_is_caught_and_named(
    busy_store: Store, statement: str, table: str, column: str
) -> None:
    tamper(busy_store.path, statement)
    assert_caught(check(busy_store.path), 3, table, column)


def test_the_audited_cash_edit_changes_the_z_and_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE cash_movement SET amount = 20000")
    with Store.open(busy_store.path).read() as s:
        open_day = s.scalars(select(BusinessDay)).one()
        assert reports.day_report(s, open_day).cash.cash_out == 20000  # was 2000
    assert_caught(check(busy_store.path), 10, "cash_movement", "amount")

    tamper(busy_store.path, "UPDATE business_day SET opening_float = 0")
    assert_caught(check(busy_store.path), 1, "business_day", "opening_float")  # the first


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ("UPDATE cash_movement SET kind = 'in'", "kind"),
        ("UPDATE cash_movement SET reason = 'autre'", "reason"),
        ("UPDATE cash_movement SET day_id = 7", "day_id"),
        ("UPDATE cash_movement SET created_at = replace(created_at, '-', '/')", "created_at"),
    ],
)
def test_each_edit_of_a_cash_movement_is_caught(
    busy_store: Store, statement: str, column: str
) -> None:
    tamper(busy_store.path, statement)
    assert_caught(check(busy_store.path), 10, "cash_movement", column)


def test_a_deleted_cash_movement_row_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "DELETE FROM cash_movement")
    assert_caught(check(busy_store.path), 10, "cash_movement", "id")


def test_a_refund_line_pointed_at_another_line_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "UPDATE sale_line SET reverses_line = 1 WHERE sale_id = "
           "(SELECT id FROM sale WHERE kind = 'refund')")
    assert_caught(check(busy_store.path), 9, "sale_line", "reverses_line")


@pytest.mark.parametrize(
    ("statement", "seq", "column"),
    [
        ("UPDATE business_day SET counted = counted + 10000", 11, "counted"),
        ("UPDATE business_day SET count_detail = '{\"20000\": 1}'", 11, "count_detail"),
        ("UPDATE business_day SET expected = 0", 11, "expected"),
        ("UPDATE business_day SET z_number = 5", 11, "z_number"),
        ("UPDATE business_day SET closed_at = replace(closed_at, ':', '-')", 11, "closed_at"),
        ("UPDATE business_day SET utc_offset_minutes = utc_offset_minutes + 60", 1,
         "utc_offset_minutes"),
        ("UPDATE business_day SET date = '2001-01-01'", 1, "date"),
        ("UPDATE business_day SET opened_at = replace(opened_at, ':', '-')", 1, "opened_at"),
    ],
)
def test_each_edit_of_a_closed_day_is_caught(
    closed_store: Store, statement: str, seq: int, column: str
) -> None:
    assert check(closed_store.path).ok
    tamper(closed_store.path, statement)
    assert_caught(check(closed_store.path), seq, "business_day", column)


def test_an_untouched_closed_day_verifies(closed_store: Store) -> None:
    verdict = check(closed_store.path)
    assert verdict.ok and verdict.records == 11


def test_deleting_the_close_of_a_day_is_caught(closed_store: Store) -> None:
    tamper(closed_store.path, "DELETE FROM journal WHERE seq = 11")
    verdict = check(closed_store.path)
    assert not verdict.ok and verdict.problem == "journal.behind"
    assert (verdict.bad_seq, verdict.records) == (11, 10)
    assert (verdict.table, verdict.column) == ("business_day", "close_seq")


def test_reopening_a_day_whose_z_was_printed_is_caught(closed_store: Store) -> None:
    with closed_store.write() as s:
        queue.enqueue(s, "z", s.scalars(select(BusinessDay.id)).one())
    closed_store.close()
    tamper(
        closed_store.path,
        "DELETE FROM journal WHERE seq = 11",
        "UPDATE business_day SET closed_at = NULL, closed_by = NULL, counted = NULL, "
        "count_detail = NULL, expected = NULL, z_number = NULL, close_seq = NULL",
    )
    verdict = check(closed_store.path)
    assert not verdict.ok and verdict.problem == "journal.printed_z"


def test_a_day_row_claiming_to_be_open_beside_its_close_record_is_caught(
    closed_store: Store,
) -> None:
    tamper(closed_store.path, "UPDATE business_day SET closed_at = NULL, closed_by = NULL, "
           "counted = NULL, count_detail = NULL, expected = NULL, z_number = NULL, "
           "close_seq = NULL")
    assert_caught(check(closed_store.path), 11, "business_day", "close_seq")


def test_deleting_the_newest_sale_of_a_synced_day_is_caught(busy_store: Store) -> None:
    with busy_store.write() as s:
        open_day = s.scalars(select(BusinessDay)).one()
        outbox.mark_acked(s, open_day.id, reports.last_seq(s, open_day))
    busy_store.close()
    ring(busy_store, [("ARG-250", 1000)])  # record 11, after the sync
    busy_store.close()
    delete_newest_sale(busy_store.path)
    assert check(busy_store.path).ok  # nothing recorded record 11 elsewhere

    delete_newest_sale(busy_store.path)  # the refund, record 9, the server had
    tamper(busy_store.path, "DELETE FROM journal WHERE seq = 10",
           "DELETE FROM cash_movement")
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.problem == "journal.behind"
    assert (verdict.bad_seq, verdict.records) == (10, 8)
    assert (verdict.table, verdict.column) == ("sync_day", "acked_version")


def test_deleting_a_printed_ticket_is_caught(store: Store, open_day: int) -> None:
    for _ in range(3):
        sale = ring(store, [("ARG-250", 1000)])
        with store.write() as s:
            queue.enqueue(s, sale.kind, sale.id)
    store.close()
    delete_newest_sale(store.path)
    with Store.open(store.path).read() as s:  # the X report lost a sale
        assert reports.day_report(s, s.get_one(BusinessDay, open_day)).sales_count == 2
    verdict = check(store.path)
    assert not verdict.ok and verdict.problem == "journal.printed"
    assert verdict.ref == sale.id


def test_a_sale_row_left_beyond_the_journal_is_caught(busy_store: Store) -> None:
    tamper(busy_store.path, "DELETE FROM journal WHERE seq >= 9", "DELETE FROM cash_movement")
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.problem == "journal.behind"
    assert (verdict.bad_seq, verdict.table, verdict.column) == (9, "sale", "journal_seq")


def rechain_without(path: Path, number: int) -> None:
    """Delete ticket ``number`` with its record and rebuild the chain after it, renumbered:
    a forger who knows how the hashes are made."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    with conn:
        sale_id, gone = conn.execute("SELECT id, journal_seq FROM sale WHERE number = ?",
                                     (number,)).fetchone()
        for table in ("sale_line", "payment", "sale"):
            conn.execute(f"DELETE FROM {table} WHERE {'id' if table == 'sale' else 'sale_id'} "
                         "= ?", (sale_id,))
        conn.execute("DELETE FROM journal WHERE seq = ?", (gone,))
        prev, total = conn.execute("SELECT hash, grand_total FROM journal WHERE seq = ?",
                                   (gone - 1,)).fetchone()
        later = conn.execute("SELECT seq, record FROM journal WHERE seq > ? ORDER BY seq",
                             (gone,)).fetchall()
        for seq, text in later:
            record = json.loads(text)
            total += record["amount"]
            record.update(seq=seq - 1, grand_total=total)
            text = journal.canonical(record)
            prev = journal.chain_hash(prev, text)
            conn.execute("UPDATE journal SET seq = ?, record = ?, hash = ?, grand_total = ? "
                         "WHERE seq = ?", (seq - 1, text, prev, total, seq))
        for table, column in (("sale", "journal_seq"), ("cash_movement", "journal_seq"),
                              ("business_day", "open_seq"), ("business_day", "close_seq")):
            conn.execute(f"UPDATE {table} SET {column} = {column} - 1 WHERE {column} > ?",
                         (gone,))
    conn.close()


def test_a_rebuilt_chain_without_a_ticket_leaves_a_gap_in_the_numbers(
    busy_store: Store,
) -> None:
    rechain_without(busy_store.path, 2)
    verdict = check(busy_store.path)
    assert not verdict.ok and verdict.problem == "journal.numbers"
    assert verdict.ref == "2" and verdict.bad_seq == 3  # ticket 3 is now record 3


def test_verify_names_the_record_table_and_column(
    busy_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(busy_store.path, f"UPDATE sale_line SET quantity = 3000 WHERE sale_id = {SALE_2}")
    code = main(["--data-dir", str(busy_store.path.parent), "--lang", "en", "verify"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Journal record 3 no longer matches the table sale_line (column quantity)." in err
    code = main(["--data-dir", str(busy_store.path.parent), "--lang", "fr", "verify"])
    assert code == 1 and "colonne quantity" in capsys.readouterr().err


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    """The released schema-0001 database (journal records without the day's offset),
    upgraded by opening it."""
    path = tmp_path / "souk.sqlite3"
    shutil.copy(OLD_DATABASE, path)
    Store.open(path).close()
    return path


def test_an_old_database_still_verifies_and_its_edits_are_caught(old_database: Path) -> None:
    verdict = check(old_database)
    assert verdict.ok and verdict.records == 46
    first_cash = "(SELECT sale_id FROM payment WHERE method = 'cash' ORDER BY sale_id LIMIT 1)"
    seq = value(old_database, f"SELECT journal_seq FROM sale WHERE id = {first_cash}")
    tamper(old_database, f"UPDATE payment SET method = 'card' WHERE sale_id = {first_cash}")
    assert_caught(check(old_database), seq, "payment", "method")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statement", "seq", "column"),
    [
        ("UPDATE business_day SET utc_offset_minutes = -600 WHERE id = 1", 1,
         "utc_offset_minutes"),  # an offset that moves the opening to another date
        ("UPDATE business_day SET counted = 0 WHERE id = 2", 46, "counted"),
        ("UPDATE cash_movement SET amount = 20000", 45, "amount"),
    ],
)
def test_edits_of_an_old_database_are_caught(
    old_database: Path, statement: str, seq: int, column: str
) -> None:
    tamper(old_database, statement)
    verdict = check(old_database)
    assert not verdict.ok and (verdict.bad_seq, verdict.column) == (seq, column)
