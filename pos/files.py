"""Where the stall's data lives, its schema revision and its saved language, read with
the standard library only: the app's first paint and the command line need these before
SQLAlchemy is loaded."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
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


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all: through a ``.partial`` file
    that reaches the disk (or USB stick) before it takes the name, and that is removed when
    writing fails (a full or unplugged stick). Raises the OSError."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    except OSError:
        if not partial.is_dir():
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        raise
