"""Opening the stall's SQLite database: pragmas, migrations, sessions.

Every connection runs in WAL mode with ``synchronous=FULL`` (a commit is on disk when it
returns), ``foreign_keys=ON`` and a busy timeout. Writing sessions start with
``BEGIN IMMEDIATE`` so that the gapless numbers handed out inside them cannot race.

The caller owns the session::

    store = Store.open(path)
    with store.write() as s:
        checkout.complete(s, cart, ...)
    # the commit has returned: the sale is durable

The till's own checkout, a handful of plain statements, runs on :meth:`Store.ledger`: the
same pooled connection and transaction rules without an ORM session, whose bookkeeping
would cost as much as the statements themselves.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from pos import folder_lock
from pos.errors import RuleError
from pos.files import DB_FILENAME, shipped_head, stored_revision
from pos.folder_lock import Held

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "DB_FILENAME", "DamagedDatabase", "NoDatabase", "Store", "shipped_head", "stored_revision",
    "upgrade",
]

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


class NoDatabase(RuleError):
    """There is no database file yet (and the caller would not create one)."""


class DamagedDatabase(RuleError):
    """The file is not a readable SQLite database, or one that is not a Souk POS database."""


def _is_new_or_souk(path: Path) -> bool:
    """Whether ``path`` is missing, empty, a database without tables, or a Souk database
    (it has Alembic's table); False for anything else, damaged files included."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return not tables or "alembic_version" in tables


class Store:
    """The stall's database file, migrated, with read and write sessions."""

    def __init__(self, path: Path, engine: Engine, held: Held | None = None) -> None:
        self.path = path
        self.engine = engine
        # the data folder, held shared (pos.folder_lock) until close, or until the store
        # is dropped without one
        self._release = weakref.finalize(self, held.release) if held else None
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(souk_write=True), expire_on_commit=False
        )

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True, create: bool = True) -> Store:
        """The database at ``path``, created unless ``create`` is False (then NoDatabase),
        and migrated to the shipped schema. DamagedDatabase, before anything is written,
        if the file is not a Souk POS database. The store holds its folder (shared) until
        :meth:`close`, so that no backup is restored under it (:mod:`pos.folder_lock`)."""
        if not create and not path.is_file():
            raise NoDatabase("db.missing", path=str(path.parent))
        if migrate and stored_revision(path) != shipped_head() and not _is_new_or_souk(path):
            raise DamagedDatabase("db.damaged", path=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        held = folder_lock.shared(path.parent)
        try:
            engine = make_engine(path)
            if migrate and stored_revision(path) != shipped_head():
                upgrade(engine)
        except BaseException:
            held.release()
            raise
        return cls(path, engine, held)

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

    @contextmanager
    def ledger(self, *, wait_ms: int | None = None) -> Iterator[sqlite3.Connection]:
        """A plain connection in a ``BEGIN IMMEDIATE`` transaction that commits (durably)
        when the block ends without error and is rolled back otherwise. For code written
        in plain statements (:func:`pos.checkout.complete` and what the till writes with
        it); the connection goes back to the pool at the end.

        ``wait_ms``: how long this transaction waits for a write lock held elsewhere
        before it fails (``database is locked``), instead of the connection's busy timeout
        (:data:`BUSY_TIMEOUT_MS`), which the connection gets back before it returns to the
        pool: a write the till makes by itself waits a moment, a sale as long as ever."""
        pooled = self.engine.raw_connection()
        try:
            conn = pooled.driver_connection
            assert isinstance(conn, sqlite3.Connection)
            usual = None
            if wait_ms is not None:
                usual = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
                conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                if usual is not None:
                    conn.execute(f"PRAGMA busy_timeout={usual}")
        finally:
            pooled.close()

    def close(self) -> None:
        self.engine.dispose()
        if self._release is not None:
            self._release()
