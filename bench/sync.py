"""Sync benchmark: summary size, catch-up time, and how long sync blocks the UI thread.

    .venv/bin/python bench/sync.py [--days 5] [--sales 2000] [--products 200]

Builds a stall with 200 products and 5 days of 2,000 sales, serves the real organisers'
server on 127.0.0.1, and prints a table, then one line of ``key=value`` figures:

summary_bytes   gzipped size of one day's summary as pushed (target <= 6,000)
catchup_s       pushing the 5 offline days to the local server (target <= 1 s)
sale_block_ms   the longest the GUI thread was held by sync (request_sync calls and the
                bridge's event handling) while ringing sales with the server hanging
                (target: nothing measurable above 5 ms)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import catalogue, checkout, day, demo, users
from pos.cart import Cart, PaymentSpec, cash
from pos.db import DB_FILENAME, Store
from pos.models import BusinessDay, Product
from sync.client import config, outbox
from sync.client.engine import enrol_store, sync_store
from sync.client.service import SyncOptions
from sync.client.transport import Backoff, Timeouts, compress, encode
from sync.server import admin
from sync.server.app import create_app
from sync.server.db import Database

MAX_DAYS = 60  # --days at most: the market's dates cover them
VARIANTS = (("250 g", "250 غ"), ("500 g", "500 غ"), ("1 kg", "1 كلغ"), ("petit", "صغير"),
            ("grand", "كبير"), ("rouge", "أحمر"), ("bleu", "أزرق"), ("coffret", "علبة هدية"))


def make_stall(folder: Path, products: int, days: int, sales: int) -> Store:
    store = Store.open(folder / DB_FILENAME)
    with store.write() as s:
        base = catalogue.parse_csv(demo.demo_csv())
        n = 0
        for variant_fr, variant_ar in VARIANTS:
            for data in base:
                if n >= products:
                    break
                data.sku = f"{data.sku}-{n:03d}"[:40]
                data.name_fr = f"{data.name_fr} {variant_fr}"
                data.name_ar = f"{data.name_ar} {variant_ar}"
                data.barcodes = []
                data.price = max(500, data.price + 100 * (n % 7))
                catalogue.add_or_update(s, data)
                n += 1
            base = catalogue.parse_csv(demo.demo_csv())
        demo.ensure_demo_users(s)
    rng = random.Random(3)
    first = dt.date.today() - dt.timedelta(days=days + 1)
    for i in range(days):
        with store.write() as s:
            ring_day(s, first + dt.timedelta(days=i), sales, rng)
    return store


def ring_day(s: Session, date: dt.date, sales: int, rng: random.Random) -> None:
    """A market day: open, ``sales`` sales over eleven hours, close with the count."""
    manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
    products = [p for p in s.scalars(select(Product)) if p.price > 0]
    opening = dt.datetime.combine(date, dt.time(8, 30))
    day.open_day(s, 50_000, user=manager, at=opening)
    for second in sorted(rng.randrange(11 * 3600) for _ in range(sales)):
        cart = Cart()
        for product in rng.sample(products, rng.choice((1, 1, 2, 2, 3, 4))):
            cart.add(product, 1000 * rng.choice((1, 1, 2, 3)))
        total = cart.totals().total
        method = rng.random()
        pay = (cash(total, total) if method < 0.75 else
               PaymentSpec("card" if method < 0.9 else "mobile", total, None, "REF"))
        checkout.complete(s, cart, [pay], cashier=manager,
                          at=opening + dt.timedelta(seconds=1800 + second))
    counted = day.count_for(day.day_report_expected(s))
    day.close_day(s, counted, manager=manager, at=opening + dt.timedelta(hours=12))


class Server:
    def __init__(self, folder: Path) -> None:
        self.db = Database.connect(f"sqlite:///{folder / 'server.sqlite3'}")
        app = create_app(self.db)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off",
                                                    ws="none", http="h11"))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def code(self) -> str:
        with self.db.write() as s:
            # the market runs over the days the stall rang (before today): a stall pushes
            # only the days within its market's dates
            m = admin.add_market(s, name_ar="سوق", name_fr="Marché", city="Fès",
                                 region="Fès-Meknès",
                                 starts_on=dt.date.today() - dt.timedelta(days=MAX_DAYS + 1),
                                 ends_on=dt.date.today())
            c = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=m.id, name_ar="تعاونية", name_fr="Coopérative", sector="food",
                province="Fès", stand="1", members=10))
            code, _ = admin.issue_enrol_code(s, c.id)
        return code

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.db.dispose()


def summary_bytes(store: Store) -> tuple[int, int]:
    with store.read() as s:
        states = outbox.day_states(s)
        built = outbox.build(s, states[-1])
    assert not isinstance(built, str), built
    raw = encode(built)
    return len(raw), len(compress(raw))


def sale_block_ms(store: Store, seconds: float) -> tuple[float, int]:
    """Longest GUI-thread hold by sync while the server hangs; sales rung meanwhile."""
    from PySide6.QtCore import QCoreApplication

    from ui.sync_bridge import SyncBridge

    app = QCoreApplication.instance() or QCoreApplication([])
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(64)  # accepts (in the kernel's backlog) and never answers
    with store.write() as s:
        config.update(s, url=f"http://127.0.0.1:{hang.getsockname()[1]}")
        if day.current_day(s) is None:
            day.open_day(s, 0, user=users.active_users(s)[0])
    options = SyncOptions(debounce=0.2, interval=1.0, retry_min=0.1, retry_max=0.3,
                          timeouts=Timeouts(connect=1.0, read=seconds, total=seconds * 2),
                          backoff=Backoff(attempts=1))
    bridge = SyncBridge(store, "fr", options=options)
    bridge.start()
    rng = random.Random(5)
    with store.read() as s:
        products = [p for p in s.scalars(select(Product)) if p.price > 0]
    worst, rung = 0.0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        with store.write() as s:  # the sale itself (not sync's doing)
            cart = Cart()
            cart.add(s.merge(rng.choice(products)), 1000)
            total = cart.totals().total
            checkout.complete(s, cart, [cash(total, total)], cashier=None)
        rung += 1
        t0 = time.perf_counter()
        bridge.request_sync("sale")
        t1 = time.perf_counter()
        app.processEvents()  # the bridge's slots: events from the worker, status text
        t2 = time.perf_counter()
        worst = max(worst, t1 - t0, t2 - t1)
        time.sleep(0.005)
    bridge.stop()
    hang.close()
    return worst * 1000, rung


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5, choices=range(1, MAX_DAYS + 1),
                        metavar=f"1..{MAX_DAYS}")
    parser.add_argument("--sales", type=int, default=2000)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--hang", type=float, default=3.0, help="seconds of hung server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        store = make_stall(folder / "stall", args.products, args.days, args.sales)
        built_s = time.perf_counter() - t0
        raw, packed = summary_bytes(store)
        server = Server(folder)
        try:
            enrol_store(store, server.url, server.code(), name="bench")
            t0 = time.perf_counter()
            outcome = sync_store(store, timeouts=Timeouts(), backoff=Backoff())
            catchup = time.perf_counter() - t0
            assert outcome.ok and len(outcome.acked) == args.days, outcome
        finally:
            server.stop()
        with store.read() as s:
            days = len(list(s.scalars(select(BusinessDay))))
        block, rung = sale_block_ms(store, args.hang)
        store.close()
    rows = [
        ("stall", f"{args.products} products, {days} days x {args.sales} sales "
                  f"(built in {built_s:.1f} s)"),
        ("summary JSON", f"{raw:,} bytes"),
        ("summary gzipped", f"{packed:,} bytes (target <= 6,000)"),
        ("catch-up", f"{catchup:.3f} s for {args.days} days (target <= 1 s)"),
        ("UI block", f"{block:.2f} ms max over {rung} sales, server hanging (target ~0)"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(f"summary_bytes={packed} catchup_s={catchup:.3f} sale_block_ms={block:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
