"""Opening the stall's SQLite database: pragmas, migrations, sessions.

Every connection runs in WAL mode with ``synchronous=FULL`` (a commit is on disk when it
returns), ``foreign_keys=ON`` and a busy timeout. Writing sessions start with
``BEGIN IMMEDIATE`` so that the gapless numbers handed out inside them cannot race.

The caller owns the session::

    store = Store.open(path)
    with store.write() as s:
        checkout.complete(s, cart, ...)
    # the commit has returned: the sale is durable
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from pos.files import DB_FILENAME, shipped_head, stored_revision

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["DB_FILENAME", "Store", "shipped_head", "stored_revision", "upgrade"]

BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("souk_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("pos") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (Alembic, batch mode)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


class Store:
    """The stall's database file, migrated, with read and write sessions."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(souk_write=True), expire_on_commit=False
        )

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        if migrate and stored_revision(path) != shipped_head():
            upgrade(engine)
        return cls(path, engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits (durably) when the block ends without error."""
        with self._write() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
