"""Fixtures for the server's tests: the same tests run on SQLite and on PostgreSQL.

PostgreSQL: the suite uses ``$SOUK_TEST_POSTGRES_URL`` or the project's default server
(127.0.0.1:5432, user postgres, trust, database ``test``), creates one schema per test
session (per xdist worker), truncates it between tests and drops it at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sync.server.app import create_app
from sync.server.db import Database
from tests.sync.client.support import LiveServer

from .server_support import World, enrol, seed_market

HTTPX_WARNING = "Using `httpx` with `starlette.testclient` is deprecated"
with warnings.catch_warnings():  # raised at import, before pytest_configure's filters apply
    warnings.filterwarnings("ignore", HTTPX_WARNING)
    from fastapi.testclient import TestClient

PG_URL = os.environ.get(
    "SOUK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PG_HINT = (
    "PostgreSQL not reachable at {url}: start a server on 127.0.0.1:5432 (user postgres, "
    "trust auth, database 'test') or set SOUK_TEST_POSTGRES_URL to enable these tests"
)
TABLES = ("summary_products", "summary_hours", "summary_payments", "summary_bodies",
          "day_summaries",
          "conflicts", "restored_days", "merged_days", "enrol_codes", "devices", "cooperatives",
          "markets", "users")


def pytest_configure(config: pytest.Config) -> None:
    # third-party warnings we do not control
    config.addinivalue_line("filterwarnings", f"ignore:{HTTPX_WARNING}")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:openpyxl.*")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:schemathesis.*")
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:hypothesis.*")


# --- databases ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies (migrating once per session)."""
    path = tmp_path_factory.mktemp("template") / "souk.sqlite3"
    db = Database.connect(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return path


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema, dropped at the end; skips the test with
    how to enable it when PostgreSQL is not there."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT",
                                 connect_args={"connect_timeout": 3})
    try:
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin_engine.dispose()
        pytest.skip(PG_HINT.format(url=PG_URL) + f" ({exc.__class__.__name__})")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    with pg_schema("souk_test") as url:
        db = Database.connect(url)
        db.migrate()
        db.dispose()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "souk.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database without any table, for the migrations' tests."""
    if request.param == "sqlite":
        database = Database.connect(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield database
        database.dispose()
        return
    with pg_schema("souk_test_empty") as url:
        database = Database.connect(url)
        try:
            yield database
        finally:
            database.dispose()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server on loopback, over SQLite or PostgreSQL, with a market and a
    cooperative (:meth:`LiveServer.seed`)."""
    live = LiveServer(tmp_path / "server", database_url=database_url).start()
    live.seed()
    yield live
    live.stop()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.connect(database_url)
    yield database
    database.dispose()


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db, migrate=False)) as c:
        yield c



@pytest.fixture
def world(client: TestClient, db: Database) -> World:
    market_id, argan, pottery = seed_market(db)
    return World(market_id, enrol(client, db, argan, "argan-1"),
                 enrol(client, db, pottery, "pottery-1"))


# --- browsers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_chromium() -> Iterator[None]:
    """One Chromium for the module's browser tests (see
    :func:`tests.sync.server.test_server_browser.sharing_chromium`)."""
    from .test_server_browser import sharing_chromium

    with sharing_chromium():
        yield
