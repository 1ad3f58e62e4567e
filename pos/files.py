"""Where the stall's data lives, its schema revision and its saved language, read with
the standard library only: the app's first paint and the command line need these before
SQLAlchemy is loaded. Files written whole or not at all, and Ctrl+C held off while they
are put in place."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from pos.i18n import normalise_language

DB_FILENAME: Final = "souk.sqlite3"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w]+|None)['\"]?", re.M)


def default_data_dir() -> Path:
    """``SOUK_POS_DATA``, else the user's data folder (``~/.local/share/souk-pos``...)."""
    env = os.environ.get("SOUK_POS_DATA")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("souk-pos", "souk"))


@cache
def shipped_head() -> str:
    """The newest schema revision shipped, read from the migration files themselves."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (resources.files("pos") / "migrations" / "versions").iterdir():
        if script.name.endswith(".py"):
            found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the stall schema must have one head, not {sorted(heads)}")
    return heads.pop()


def _read_one(path: Path, sql: str) -> str | None:
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute(sql).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def stored_revision(path: Path) -> str | None:
    """The schema revision of the database file (None: no file, or not a Souk database)."""
    return _read_one(path, "SELECT version_num FROM alembic_version")


def saved_language(db_path: Path) -> str:
    """The language saved in the database, else the system's (``LANG``)."""
    value = _read_one(db_path, "SELECT value FROM setting WHERE key = 'language'")
    if value is not None:
        try:
            return normalise_language(json.loads(value))
        except ValueError:
            pass
    return normalise_language(os.environ.get("LANG"))


def write_whole(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all: through a ``.partial`` file
    (:func:`write_partial`) that takes the name once it is on the disk. Raises the
    OSError."""
    partial = write_partial(path, data.encode("utf-8") if isinstance(data, str) else data)
    try:
        partial.replace(path)  # a file open in Excel is locked on Windows
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def write_partial(path: Path, data: bytes) -> Path:
    """Write ``data`` beside ``path``, to its ``.partial`` file, and return that file once
    it has reached the disk (or USB stick), for the caller to give it ``path``'s name: a
    file only ever has its name whole. The file is removed when writing fails (a full or
    unplugged stick) or is stopped (Ctrl+C): the OSError, or the interruption, is raised."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        if not partial.is_dir():
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        raise
    return partial


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[Callable[[], bool]]:
    """Ctrl+C pressed in the block takes effect when the block ends, as it would have
    then (Python's KeyboardInterrupt, raised at the end): so that what the block does is
    done whole (files put in place together, a database swapped for another). The block
    may ask whether it was pressed (the function given) to stop sooner by itself, before
    its point of no return. Nothing is held outside the main thread, where no signal
    arrives."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: pressed.append(signum))
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:  # the block ended as it should: what it held off comes now
        if callable(previous):
            previous(signal.SIGINT, None)
        elif previous == signal.SIG_DFL:
            signal.raise_signal(signal.SIGINT)
