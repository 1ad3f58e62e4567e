"""Rolling backups of the stall database (SQLite online backup API) and restore."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Final

from pos.errors import InputError
from pos.journal import verify

DEFAULT_KEPT: Final = 14
PATTERN: Final = "souk-*.sqlite3"


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Path]:
    """Backups, newest first."""
    return sorted(backup_dir(db_path).glob(PATTERN), reverse=True)


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def make_backup(db_path: Path, *, label: str = "manual", keep: int = DEFAULT_KEPT) -> Path:
    """Copy the live database consistently (readers and the till may go on) and keep the
    newest ``keep`` backups."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"souk-{stamp}-{label}.sqlite3"
    partial = target.with_suffix(".partial")
    _copy(db_path, partial)
    partial.replace(target)
    for old in list_backups(db_path)[max(keep, 1):]:
        old.unlink(missing_ok=True)
    return target


def check_backup(path: Path) -> None:
    """Raise InputError unless ``path`` is a readable Souk database whose journal holds."""
    if not path.is_file():
        raise InputError("backup.not_found", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            verdict = verify(conn) if ok else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError("backup.invalid", path=str(path)) from exc
    if verdict is None or not verdict.ok:
        raise InputError("backup.invalid", path=str(path))


def restore(db_path: Path, backup: Path) -> Path:
    """Replace the database by ``backup``; the current one is kept aside and returned.

    The app must not have the database open.
    """
    check_backup(backup)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = db_path.with_name(f"{db_path.stem}-before-restore-{stamp}{db_path.suffix}")
    if db_path.exists():
        try:
            _copy(db_path, kept)
        except sqlite3.DatabaseError as exc:  # a damaged file is kept aside as it is
            if isinstance(exc, sqlite3.OperationalError):
                raise
            shutil.copyfile(db_path, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    staging = db_path.with_suffix(".restoring")
    _copy(backup, staging)
    staging.replace(db_path)
    return kept
