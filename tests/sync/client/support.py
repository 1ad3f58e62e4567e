"""The real organisers' server on 127.0.0.1 for the stall's sync tests, and stall helpers.

:class:`LiveServer` runs ``sync.server.app`` under uvicorn in a thread, on a free port,
over an SQLite file in the test's folder (or a PostgreSQL database it is given); it can be
stopped and started again on the same port (the stall then finds it "back"), and its
SQLite file copied and restored (a server restored from an old backup).
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select

from pos import checkout, day, users
from pos.cart import Cart, cash
from pos.db import Store
from pos.models import BusinessDay, Product, User
from pos.reports import date_report
from sync.client import config as sync_config
from sync.server import admin
from sync.server.app import create_app
from sync.server.db import Database
from sync.server.models import Conflict, DaySummaryRow, SummaryPayment, SummaryProduct

MARKET_DAY = dt.date(2026, 5, 12)
# the seeded market's last day: long enough for every day the tests ring (only the
# days within the market's dates are pushed), the longest market there may be
MARKET_END = MARKET_DAY + dt.timedelta(days=admin.MAX_MARKET_DAYS - 1)


def listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def free_port() -> int:
    with listening_socket() as sock:
        return int(sock.getsockname()[1])


class LiveServer:
    """The server app, served for real; ``url`` stays the same across stop/start."""

    def __init__(self, folder: Path, port: int | None = None,
                 database_url: str | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "server.sqlite3"
        self.database_url = database_url or f"sqlite:///{self.path}"
        # a port of its own, held from now on: one looked up and bound later could be taken
        # meanwhile (another test's connection may get it as its local port)
        self._socket = listening_socket(port or 0)
        self.port = int(self._socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.db: Database | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.market_id = 0
        self.cooperative_id = 0

    def start(self) -> LiveServer:
        self.db = Database.connect(self.database_url)
        app = create_app(self.db)
        # PostgreSQL: the app's shutdown closes its push writer's connection
        lifespan = "off" if self.database_url.startswith("sqlite") else "on"
        config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan=lifespan,
                                ws="none", http="h11", timeout_keep_alive=2)
        self._server = uvicorn.Server(config)
        sock, self._socket = self._socket or listening_socket(self.port), None
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(10)
            self._server = None
        if self.db is not None:
            self.db.dispose()
            self.db = None

    @property
    def database(self) -> Database:
        assert self.db is not None, "the server is stopped"
        return self.db

    def seed(self) -> None:
        with self.database.write() as s:
            m = admin.add_market(
                s, name_ar="السوق المتنقل لفاس", name_fr="Marché itinérant de Fès", city="Fès",
                region="Fès-Meknès", starts_on=MARKET_DAY,
                ends_on=MARKET_END)
            c = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=m.id, name_ar="تعاونية أركان النساء",
                name_fr="Coopérative Argan Nissae", sector="food", province="Essaouira",
                stand="12", members=24, women_led=True))
            self.market_id, self.cooperative_id = m.id, c.id

    def code(self) -> str:
        with self.database.write() as s:
            code, _ = admin.issue_enrol_code(s, self.cooperative_id)
        return code

    def revoke(self, device_id: uuid.UUID) -> None:
        with self.database.write() as s:
            admin.revoke_device(s, device_id)

    def backup(self, target: Path) -> None:
        """A consistent copy of the database file (SQLite's online backup)."""
        import sqlite3

        src = sqlite3.connect(self.path)
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()

    def restore(self, source: Path) -> None:
        """Replace the database by ``source``; the server must be stopped."""
        assert self._server is None
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, self.path)

    def held(self, device_id: uuid.UUID) -> dict[dt.date, dict[str, Any]]:
        """What the server holds for a device, per business day."""
        with self.database.read() as s:
            rows = s.scalars(select(DaySummaryRow).where(DaySummaryRow.device_id == device_id))
            out = {}
            for r in rows:
                products = s.scalar(select(func.coalesce(func.sum(SummaryProduct.amount), 0))
                                    .where(SummaryProduct.summary_id == r.id))
                payments = s.scalar(select(func.coalesce(func.sum(SummaryPayment.amount), 0))
                                    .where(SummaryPayment.summary_id == r.id))
                out[r.business_day] = {
                    "version": r.version, "net": r.net, "gross": r.gross, "refunds": r.refunds,
                    "voids": r.voids, "sales": r.sales_count, "status": r.status,
                    "product_total": int(products), "payment_total": int(payments),
                    "grand_total": r.grand_total,
                }
            return out

    def conflicts(self) -> int:
        with self.database.read() as s:
            return int(s.scalar(select(func.count()).select_from(Conflict)) or 0)

    def rows_per_day(self) -> int:
        """The most summary rows any (device, day) has: 1 when nothing is counted twice."""
        with self.database.read() as s:
            counts = s.execute(
                select(func.count()).select_from(DaySummaryRow)
                .group_by(DaySummaryRow.device_id, DaySummaryRow.business_day)
            ).scalars().all()
            return max(counts, default=0)


def local_figures(store: Store) -> dict[dt.date, dict[str, Any]]:
    """The stall's own figures per business day, shaped like :meth:`LiveServer.held`."""
    with store.read() as s:
        out = {}
        for date in sorted(set(s.scalars(select(BusinessDay.date)))):
            r = date_report(s, date)
            assert r is not None
            out[date] = {
                "version": r.journal_seq, "net": r.net, "gross": r.gross, "refunds": r.refunds,
                "voids": r.voids, "sales": r.sales_count, "status": r.status,
                "product_total": sum(p.amount for p in r.products),
                "payment_total": sum(p.amount for p in r.payments),
                "grand_total": r.grand_total,
            }
        return out


class Till:
    """Rings sales and opens and closes days on a stall database, as the app does."""

    def __init__(self, store: Store, start: dt.date = MARKET_DAY) -> None:
        self.store = store
        self.next_date = start
        with store.read() as s:
            self.manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
            self.cashier: User = users.active_users(s)[-1]
            self.products = [p for p in s.scalars(select(Product)) if p.price > 0]

    def open_day(self) -> None:
        at = dt.datetime.combine(self.next_date, dt.time(8, 30))
        self.next_date += dt.timedelta(days=1)
        with self.store.write() as s:
            day.open_day(s, 50_000, user=self.manager, at=at)

    def _now(self, s: Any) -> dt.datetime:
        current = day.require_open_day(s)
        return current.opened_at + dt.timedelta(minutes=5 + 3 * current.id)

    def sell(self, rng: Any, lines: int = 2) -> int:
        """Ring one sale (opening a day if none is open); returns its total."""
        return self.ring([(product, 1000 * rng.randint(1, 3))
                          for product in rng.sample(self.products, lines)])

    def ring(self, lines: list[tuple[Product, int]]) -> int:
        """Ring one sale of these products (and thousandths of their unit), opening a day
        if none is open; returns its total."""
        if not self.is_open():
            self.open_day()
        with self.store.write() as s:
            cart = Cart()
            for product, quantity in lines:
                cart.add(s.merge(product), quantity)
            total = cart.totals().total
            sale = checkout.complete(s, cart, [cash(total, total)],
                                     cashier=s.merge(self.cashier), at=self._now(s))
            return sale.total

    def is_open(self) -> bool:
        with self.store.read() as s:
            return day.current_day(s) is not None

    def close_day(self) -> None:
        if not self.is_open():
            return
        with self.store.write() as s:
            expected = day.day_report_expected(s)
            day.close_day(s, day.count_for(expected), manager=s.merge(self.manager))


@contextmanager
def live_server(kind: str, folder: Path, schema: str) -> Iterator[LiveServer]:
    """The real server on loopback over ``kind``'s database: SQLite in ``folder``, or a
    PostgreSQL schema of its own named after ``schema``; seeded, stopped at the end."""
    from tests.sync.server.conftest import pg_schema

    with ExitStack() as stack:
        url = None if kind == "sqlite" else stack.enter_context(pg_schema(schema))
        live = LiveServer(folder, database_url=url).start()
        stack.callback(live.stop)
        live.seed()
        yield live


def device_of(store: Store) -> uuid.UUID:
    """The device id the stall's store was given at enrolment."""
    with store.read() as s:
        device = sync_config.load(s).device_id
    assert device is not None
    return device
