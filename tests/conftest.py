"""Fixtures shared by the whole suite: a real stall database in a temporary folder."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pos import catalogue, day, demo, users
from pos.db import DB_FILENAME, Store
from pos.models import Product, User

MANAGER_PIN = "1234"
CASHIER_PIN = "5678"


@pytest.fixture
def ctrl_c() -> Iterator[None]:
    """Ctrl+C (SIGINT) raises KeyboardInterrupt in the test, as it does on a terminal,
    even when the tests were started with SIGINT ignored (a shell starts its background
    jobs so, and Python then leaves it ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session", autouse=True)
def _one_qt_application() -> object:
    """One QApplication per test process, made before any code can make a bare
    QGuiApplication (printing does for headless use), so widget tests can always run."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["souk-tests"])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty stall database on disk."""
    s = Store.open(tmp_path / "stall" / DB_FILENAME)
    yield s
    s.close()


@pytest.fixture
def staff(store: Store) -> tuple[User, User]:
    """(manager, cashier) with PINs 1234 and 5678."""
    with store.write() as s:
        manager = users.add_user(s, "Fatima", users.MANAGER, MANAGER_PIN)
        cashier = users.add_user(s, "Youssef", users.CASHIER, CASHIER_PIN)
    return manager, cashier


@pytest.fixture
def products(store: Store) -> dict[str, Product]:
    """The demo catalogue, by SKU."""
    with store.write() as s:
        demo.load_catalogue(s)
    with store.read() as s:
        return {p.sku: p for p in catalogue.all_products(s)}


@pytest.fixture
def open_day(store: Store, staff: tuple[User, User], products: dict[str, Product]) -> int:
    """A business day opened with a 500 DH float; returns its id."""
    with store.write() as s:
        return day.open_day(s, 50000, user=staff[0]).id


class Clock:
    """A clock the test moves by hand (seconds, as ``time.monotonic``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of the wrong-PIN throttle (``pos.users.throttle``), moved by hand."""
    clock = Clock()
    monkeypatch.setattr(users, "throttle", users.PinThrottle(clock=clock))
    return clock
