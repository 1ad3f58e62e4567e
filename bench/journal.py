"""Benchmark of the durable sales journal.

Prints a table and, last, one line of ``key=value`` figures:

- ``commit_ratio``: median durable checkout (5 lines, 1 cash payment, journal and hash) over
  the median raw ``sqlite3`` transaction inserting the same rows into bare tables with the
  same pragmas, measured in this run (target <= 2.0);
- ``zreport_ms_100k``: building the Z report of one day when the journal holds 100,000
  sales (target <= 50);
- ``verify_ms_100k``: verifying that 100,000-record chain (target <= 1,500).

The 100,000-sale database is built once (about 50 days of 2,000 sales) and kept in
``bench/out/``; ``--rebuild`` makes it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import select

from pos import checkout, day, demo, journal, users
from pos.cart import Cart, cash
from pos.db import Store
from pos.models import BusinessDay, Product
from pos.reports import day_report

OUT = Path(__file__).resolve().parent / "out"
BIG_DAYS, BIG_PER_DAY = 50, 2000
RUNS = 300

RAW_SCHEMA = """
CREATE TABLE sale (id TEXT PRIMARY KEY, number INTEGER, day_id INTEGER, created_at TEXT,
  total INTEGER, subtotal INTEGER, discount INTEGER, cashier TEXT);
CREATE TABLE sale_line (id INTEGER PRIMARY KEY, sale_id TEXT, position INTEGER, sku TEXT,
  name_ar TEXT, name_fr TEXT, unit TEXT, unit_price INTEGER, quantity INTEGER, total INTEGER);
CREATE TABLE payment (id INTEGER PRIMARY KEY, sale_id TEXT, method TEXT, amount INTEGER,
  tendered INTEGER, change INTEGER);
CREATE TABLE journal (seq INTEGER PRIMARY KEY, kind TEXT, ref TEXT, amount INTEGER,
  record TEXT, hash TEXT);
"""


def raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                   "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def raw_transaction(conn: sqlite3.Connection, n: int) -> None:
    sale_id = str(uuid.uuid4())
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO sale VALUES (?,?,?,?,?,?,?,?)",
                 (sale_id, n, 1, dt.datetime.now().isoformat(), 50000, 50000, 0, "Youssef"))
    conn.executemany(
        "INSERT INTO sale_line (sale_id, position, sku, name_ar, name_fr, unit, unit_price, "
        "quantity, total) VALUES (?,?,?,?,?,?,?,?,?)",
        [(sale_id, i, f"SKU-{i}", "زيت أركان", "Huile d'argan", "piece", 10000, 1000, 10000)
         for i in range(5)],
    )
    conn.execute("INSERT INTO payment (sale_id, method, amount, tendered, change) "
                 "VALUES (?,?,?,?,?)", (sale_id, "cash", 50000, 50000, 0))
    conn.execute("INSERT INTO journal VALUES (?,?,?,?,?,?)",
                 (n, "sale", sale_id, 50000, "{}" * 200, "0" * 64))
    conn.execute("COMMIT")


def measure_commits(folder: Path) -> tuple[list[float], list[float]]:
    """(raw, durable) transaction times, interleaved so both see the same machine load."""
    conn = raw_connection(folder / "raw.sqlite3")
    conn.executescript(RAW_SCHEMA)
    store = Store.open(folder / "souk.sqlite3")
    demo.seed_demo(store)
    with store.write() as s:
        day.open_day(s, 0, user=None)
        products = list(s.scalars(select(Product).where(Product.unit == "piece").limit(5)))
        cashier = users.active_users(s)[0]
    raw, durable = [], []
    for n in range(RUNS):
        start = time.perf_counter()
        raw_transaction(conn, n)
        raw.append(time.perf_counter() - start)
        cart = Cart()
        for p in products:
            cart.add(p)
        total = cart.totals().total
        start = time.perf_counter()
        with store.ledger() as db:  # as the till rings a sale
            checkout.complete(db, cart, [cash(total, total)], cashier=cashier)
        durable.append(time.perf_counter() - start)
    store.close()
    conn.close()
    return raw, durable


def big_database(rebuild: bool) -> Path:
    path = OUT / "journal-100k.sqlite3"
    if path.exists() and not rebuild:
        return path
    OUT.mkdir(exist_ok=True)
    for stale in OUT.glob("journal-100k.sqlite3*"):
        stale.unlink()
    print(f"building {BIG_DAYS * BIG_PER_DAY} sales in {path} (once)...", file=sys.stderr)
    building = OUT / "journal-100k.building.sqlite3"
    for stale in OUT.glob("journal-100k.building.sqlite3*"):
        stale.unlink()
    store = Store.open(building)
    demo.demo_sales(store, days=BIG_DAYS, per_day=BIG_PER_DAY, start=dt.date(2026, 1, 1))
    store.close()
    conn = sqlite3.connect(building)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    building.replace(path)
    return path


def measure_zreport(path: Path) -> list[float]:
    store = Store.open(path)
    times = []
    with store.read() as s:
        days = list(s.scalars(select(BusinessDay).order_by(BusinessDay.id)))
    for target in days[len(days) // 2: len(days) // 2 + 10]:
        with store.read() as s:
            start = time.perf_counter()
            report = day_report(s, s.get(BusinessDay, target.id))  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
            assert report.sales_count > 0
    store.close()
    return times


def measure_verify(path: Path) -> tuple[list[float], int]:
    times, records = [], 0
    for _ in range(3):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        start = time.perf_counter()
        verdict = journal.verify(conn)
        times.append(time.perf_counter() - start)
        conn.close()
        assert verdict.ok
        records = verdict.records
    return times, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="souk-bench-", dir=OUT if OUT.exists() else None))
    try:
        raw, durable = measure_commits(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    big = big_database(args.rebuild)
    zreport = measure_zreport(big)
    verify, records = measure_verify(big)

    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    rows = [
        ("raw sqlite3 transaction (median)", f"{ms(raw):.2f} ms"),
        ("durable checkout (median)", f"{ms(durable):.2f} ms"),
        ("durable checkout (p95)", f"{statistics.quantiles(durable, n=20)[-1] * 1000:.2f} ms"),
        ("Z report of one day, 100k journal (median)", f"{ms(zreport):.2f} ms"),
        (f"verify chain of {records} records (median)", f"{ms(verify):.0f} ms"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>10}")
    print(
        f"commit_ratio={statistics.median(durable) / statistics.median(raw):.2f} "
        f"zreport_ms_100k={ms(zreport):.1f} verify_ms_100k={ms(verify):.0f} records={records}"
    )


if __name__ == "__main__":
    main()
