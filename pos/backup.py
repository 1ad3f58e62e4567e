"""Rolling backups of the stall database (SQLite online backup API) and restore.

A restore is recorded in the restored journal (a ``restore`` record, see
:func:`record_restore`): the sales made after the backup are gone from this till, and
its figures for those days go down. The record carries the till's restore count, which
the day summaries carry on to the organisers' server (``sync.protocol.DaySummary``): the
server takes the restored till's figures and keeps what it held before, so that nothing
the till lost disappears from the organisers' view without a word.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Final

from pos import folder_lock, journal, oserrors
from pos.errors import InputError, RuleError
from pos.journal import verify
from pos.models import utcnow

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


def restore(db_path: Path, backup: Path) -> Path | None:
    """Replace the database by ``backup``. The current one is kept aside, its path
    returned (None when the folder had no database yet: a new laptop, whose folder is
    made).

    Refused while the app or a ``souk-pos`` command has the folder open
    (:mod:`pos.folder_lock`) or any program has the database open: what such a
    connection commits after the swap would go into the file set aside, and the sale the
    seller saw as done would be missing from the restored till.
    """
    check_backup(backup)
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(folder, exc) from exc
    held = folder_lock.alone(folder)
    if held is None:
        raise RuleError("backup.in_use", path=str(folder))
    with held:
        kept = _set_aside(db_path) if db_path.exists() else None
        _put_in_place(backup, db_path, kept)
    return kept


def record_restore(conn: sqlite3.Connection, backup: Path, kept: Path | None) -> int:
    """Append the ``restore`` record to the journal of the restored database ``conn``;
    returns the till's restore count after it.

    The count is one more than the highest of the backup's and the set-aside database's
    (when it can be read): a later restore, even of an older backup, counts higher. The
    record belongs to the day left open in the backup, if any (that day's figures changed:
    its version moves past the backup's), and says how far the set-aside journal went.
    """
    lost = _journal_end(kept) if kept is not None else None
    count = max(_restore_count(conn), lost[1] if lost else 0) + 1
    row = conn.execute("SELECT id FROM business_day WHERE closed_at IS NULL "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    data: dict[str, Any] = {
        "backup": backup.name, "restores": count,
        "set_aside": kept.name if kept is not None else None,
        "lost": None if lost is None else {"seq": lost[0].seq, "hash": lost[0].hash,
                                           "grand_total": lost[0].grand_total},
    }
    journal.append(conn, kind=journal.RESTORE, ref=str(uuid.uuid4()),
                   day_id=row[0] if row else None, amount=0, data=data, at=utcnow())
    return count


def _restore_count(conn: sqlite3.Connection) -> int:
    found = journal.restores_of(conn)
    return found[-1][1] if found else 0


def _journal_end(path: Path) -> tuple[journal.Head, int] | None:
    """The head of a set-aside database's journal and its restore count; None when it
    cannot be read (damaged: it was kept as it was)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return journal.head_of(conn), _restore_count(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _kept_path(db_path: Path) -> Path:
    """A name for the database set aside that no earlier restore has taken."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        tail = f"-{n}" if n else ""
        kept = db_path.with_name(f"{db_path.stem}-before-restore-{stamp}{tail}{db_path.suffix}")
        if not any(Path(f"{kept}{s}").exists() for s in _COMPANIONS):
            return kept
    raise FileExistsError(kept)


_COMPANIONS: Final = ("", "-wal", "-shm", "-journal")  # the database and SQLite's files


def _alone_on(db_path: Path) -> sqlite3.Connection:
    """A connection holding the database file alone (SQLite's exclusive locking mode), so
    that no other program reads or commits while it is set aside. RuleError if another
    program has it open (the till of an older version, a database browser...)."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")  # in exclusive mode the lock outlives the commit
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.close()
        if exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise RuleError("backup.in_use", path=str(db_path.parent)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _readable(db_path: Path) -> bool:
    """Whether the file reads as a database. A read-only look: it neither folds the
    write-ahead log into the file nor deletes it, as a read-write connection to a damaged
    file does when it closes."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return True  # busy, or no index to read with: not damage (the next step says more)
    except sqlite3.DatabaseError:
        return False
    return True


def _set_aside(db_path: Path) -> Path:
    """Keep the current database next to it, with every commit it holds: a consistent copy
    when it can be read, else the file as it is with its write-ahead log (which may hold
    the newest commits) and the log's index."""
    kept = _kept_path(db_path)
    if not _readable(db_path):
        _copy_as_is(db_path, kept)
        return kept
    try:
        conn = _alone_on(db_path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise
        _copy_as_is(db_path, kept)
        return kept
    try:
        _backup_into(conn, kept)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise _cannot_write(kept, exc) from exc
        _copy_as_is(db_path, kept)  # damaged, copied while no one else can write
    finally:
        conn.close()
    return kept


def _backup_into(conn: sqlite3.Connection, target: Path) -> None:
    dst = sqlite3.connect(target)
    try:
        conn.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        dst.close()
        _remove(target)
        raise
    dst.close()


def _copy_as_is(db_path: Path, kept: Path) -> None:
    try:
        for suffix in _COMPANIONS:
            if Path(f"{db_path}{suffix}").exists():
                shutil.copyfile(f"{db_path}{suffix}", f"{kept}{suffix}")
    except OSError as exc:
        _remove(kept)
        raise _cannot_write(kept, exc) from exc


def _put_in_place(backup: Path, db_path: Path, kept: Path | None) -> None:
    """Copy ``backup`` beside the database and record the restore in the copy, then swap
    it in (the rename is atomic); the old file's write-ahead log and journal go, lest
    SQLite replay them into the new one."""
    staging = db_path.with_name(db_path.name + ".restoring")
    _remove(staging)
    try:
        _copy(backup, staging)
        _record_in(staging, backup, kept)
    except (OSError, sqlite3.OperationalError) as exc:
        _remove(staging)
        raise _cannot_write(db_path, exc) from exc
    for suffix in _COMPANIONS[1:]:
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    staging.replace(db_path)
    _sync_folder(db_path.parent)


def _record_in(staging: Path, backup: Path, kept: Path | None) -> None:
    """:func:`record_restore` in the staging copy, committed durably."""
    conn = sqlite3.connect(staging, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            record_restore(conn, backup, kept)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def _remove(path: Path) -> None:
    for suffix in _COMPANIONS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no handle on a folder for this)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cannot_write(path: Path, exc: OSError | sqlite3.Error) -> RuleError:
    return RuleError("backup.cannot_write", path=str(path), reason=oserrors.reason(exc))
