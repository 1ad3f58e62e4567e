"""Fixtures for the stall's sync tests: a live server, an enrolled stall with a till."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos.db import Store
from pos.models import Product, User
from sync.client.engine import enrol_store
from sync.client.service import SyncOptions
from sync.client.transport import Backoff, Timeouts
from tests.sync.client.support import LiveServer, Till
from ui.sync_bridge import SyncBridge

FAST = {"timeouts": Timeouts(connect=0.5, read=2.0, total=5.0),
        "backoff": Backoff(attempts=2, base=0.01, cap=0.05)}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server").start()
    live.seed()
    yield live
    live.stop()


@pytest.fixture
def enrolled(store: Store, staff: tuple[User, User], products: dict[str, Product],
             server: LiveServer) -> Store:
    """The stall's store, enrolled with ``server``."""
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    return store


@pytest.fixture
def till(enrolled: Store) -> Till:
    return Till(enrolled)


def options(read: float = 1.0) -> SyncOptions:
    """Sync service options for tests: quick retries, short timeouts."""
    return SyncOptions(debounce=0.05, interval=60, retry_min=0.05, retry_max=0.2,
                       timeouts=Timeouts(connect=0.3, read=read, total=read * 2),
                       backoff=Backoff(attempts=1, base=0.01))


@pytest.fixture
def bridge(qtbot: QtBot, enrolled: Store) -> Iterator[SyncBridge]:
    """The app's sync bridge over the enrolled stall (its worker stopped at the end)."""
    b = SyncBridge(enrolled, "en", options=options())
    yield b
    b.stop()
