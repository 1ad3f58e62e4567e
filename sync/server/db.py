"""Database engines, sessions and schema migrations for the server.

SQLite (the default, one file in the data dir) and PostgreSQL run the same code and the
same Alembic migrations. On SQLite every connection gets WAL, synchronous=NORMAL,
foreign_keys=ON and a busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so
concurrent writers (threads or processes) queue instead of failing on a lock upgrade.

synchronous=NORMAL in WAL mode never corrupts the database; a power cut can only lose the
last commits before it. The protocol recovers from that by design: every push reply lists
the days the server holds, and a stall pushes again any day the server no longer has
(as after a restore from an old backup). The stalls themselves use synchronous=FULL.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from sync.server.models import Setting

ENV_DATABASE_URL = "SOUK_SERVER_DATABASE_URL"
SQLITE_FILE = "souk-server.sqlite3"
_WRITE = "souk_write"
_SNAPSHOT = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?")


def utcnow() -> dt.datetime:
    """Naive UTC now: the server stores every timestamp as naive UTC on both databases."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("souk-server", appauthor=False))


def resolve_database_url(database_url: str | None, data_dir: str | Path | None) -> str:
    """The URL from the option, else the environment, else SQLite in the data dir."""
    url = database_url or os.environ.get(ENV_DATABASE_URL)
    if url:
        return url
    folder = Path(data_dir) if data_dir else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / SQLITE_FILE}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass(frozen=True)
class Database:
    """One engine, plus session factories for reads and for writes.

    On SQLite the threads of one process take turns for write transactions on a lock of
    their own: SQLite's busy handler would otherwise have them sleep and poll, which wastes
    most of the time under load. Other processes still queue through the busy timeout.
    """

    engine: Engine
    write_lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @classmethod
    def connect(cls, url: str, **engine_kwargs: Any) -> Database:
        is_sqlite = url.startswith("sqlite")
        if is_sqlite:
            engine_kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        else:
            engine_kwargs.setdefault("pool_size", 10)
            engine_kwargs.setdefault("max_overflow", 20)
            # no ping per checkout (a round trip per request): a connection the database
            # dropped fails its first statement, the pool is then emptied, and a push is
            # simply retried on a new connection (see api._push)
        engine = create_engine(url, **engine_kwargs)
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        return cls(engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def insert(self, table: Any) -> Any:
        """The dialect's INSERT, which has ``on_conflict_do_*``."""
        module = sqlite if self.is_sqlite else postgresql
        return module.insert(table)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a write transaction, committed on success, rolled back on error."""
        engine = self.engine.execution_options(**{_WRITE: True})
        with self._serialised(), Session(engine, expire_on_commit=False) as session, \
                session.begin():
            yield session

    @contextmanager
    def _serialised(self) -> Iterator[None]:
        if not self.is_sqlite:
            yield
            return
        with self.write_lock:
            yield

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read_together(self, beside: int = 1) -> Iterator[tuple[Session, list[Session]]]:
        """A read session and ``beside`` more over one snapshot of the data (PostgreSQL),
        for threads that read at once; on SQLite one session and no others."""
        if not self.is_postgresql:
            with self.read() as session:
                yield session, []
            return
        engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(engine) as main, main.begin(), ExitStack() as stack:
            snapshot = main.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            if not _SNAPSHOT.fullmatch(snapshot):
                raise RuntimeError(f"unexpected snapshot name {snapshot!r}")
            sides = []
            for _ in range(beside):
                side = stack.enter_context(Session(engine))
                stack.enter_context(side.begin())
                side.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                sides.append(side)
            yield main, sides

    def sessionmaker(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine.execution_options(**{_WRITE: True}))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (safe to run from several processes)."""
        cfg = Config()
        cfg.set_main_option(
            "script_location", str(importlib.resources.files("sync.server") / "migrations")
        )
        with self.engine.execution_options(**{_WRITE: True}).connect() as conn:
            if self.is_postgresql:
                conn.execute(text("SELECT pg_advisory_lock(870070)"))
                conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if self.is_postgresql:
                    conn.execute(text("SELECT pg_advisory_unlock(870070)"))
                    conn.commit()

    def setting(self, key: str, make: Any) -> str:
        """A server-wide value, created once (race-safe) with ``make()`` when missing."""
        with self.write() as s:
            s.execute(
                self.insert(Setting.__table__)
                .values(key=key, value=make())
                .on_conflict_do_nothing(index_elements=["key"])
            )
            return s.execute(select(Setting.value).where(Setting.key == key)).scalar_one()

    def session_key(self) -> bytes:
        return bytes.fromhex(self.setting("session_key", lambda: secrets.token_hex(32)))

    def dispose(self) -> None:
        self.engine.dispose()
