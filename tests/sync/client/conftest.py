"""Fixtures for the stall's sync tests: a live server, an enrolled stall with a till."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos.db import Store
from pos.models import Product, User
from sync.client.engine import enrol_store
from sync.client.transport import Backoff, Timeouts
from tests.sync.client.support import LiveServer, Till

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
