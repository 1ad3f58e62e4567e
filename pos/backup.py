"""Rolling backups of the stall database (SQLite online backup API) and restore.

A restore is recorded in the restored journal (a ``restore`` record, see
:func:`record_restore`): the sales made after the backup are gone from this till, and
its figures for those days go down. The record carries the till's restore count, which
the day summaries carry on to the organisers' server (``sync.protocol.DaySummary``): the
server takes the restored till's figures and keeps what it held before, so that nothing
the till lost disappears from the organisers' view without a word. It also says where the
ticket and Z numbers resume, so that no number printed before the restore is given again
(:func:`record_restore`).

Backups go to the folder the manager chose (a USB stick) or the laptop's own ``backups``
folder (:func:`backup_to`); one that cannot be written leaves no file and says why, naming
the folder (:class:`BackupFailed`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pos import folder_lock, journal, oserrors
from pos.errors import InputError, Ltr, RuleError, SoukError
from pos.i18n import ltr, tr
from pos.journal import verify
from pos.models import utcnow

DEFAULT_KEPT: Final = 14
PATTERN: Final = "souk-*.sqlite3"
SET_ASIDE: Final = "*-before-restore-*"  # the databases restores set aside, beside the live one


def backup_dir(db_path: Path) -> Path:
    """The laptop's own backups folder, beside the database."""
    return db_path.parent / "backups"


def _backups_in(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob(PATTERN), reverse=True)
    except OSError:  # a stick pulled while it was read
        return []


def list_backups(db_path: Path, folder: Path | None = None) -> list[Path]:
    """Backups, newest first: the laptop's own, and those in ``folder`` (the folder the
    manager chose, see :func:`backup_to`) when given."""
    found = set(_backups_in(backup_dir(db_path)))
    if folder is not None:
        found.update(_backups_in(folder))
    return sorted(found, key=lambda path: (path.name, str(path)), reverse=True)


class BackupFailed(RuleError):
    """No backup was written in ``folder``; ``reason`` says why in the user's language
    (:func:`pos.oserrors.reason`). The database itself is untouched."""

    def __init__(self, folder: Path, reason: SoukError) -> None:
        super().__init__("backup.write_failed", folder=Ltr(folder), reason=reason)
        self.folder = folder
        self.reason = reason


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _missing(folder: Path) -> SoukError:
    return SoukError("os.not_found", detail=Ltr(folder))


def _usable(folder: Path, *, make: bool) -> None:
    """Raise BackupFailed unless ``folder`` is a folder (made when ``make``: the laptop's own;
    a chosen folder is never made, lest a pulled USB stick's folder be made on the laptop)."""
    if folder.exists() and not folder.is_dir():
        raise BackupFailed(folder, SoukError("os.not_a_folder", detail=str(folder)))
    if not make and not folder.is_dir():
        raise BackupFailed(folder, _missing(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed(folder, oserrors.reason(exc)) from exc


def make_backup(db_path: Path, *, label: str = "manual", keep: int = DEFAULT_KEPT,
                folder: Path | None = None) -> Path:
    """Copy the live database consistently (readers and the till may go on) into ``folder``
    (which must exist), else into the laptop's own :func:`backup_dir`, and keep the newest
    ``keep`` backups there.

    Written whole or not at all: through a ``.partial`` file that is removed when writing
    fails. BackupFailed says why, naming the folder (a full or read-only USB stick, a file
    where the folder should be), in the user's language.
    """
    own = folder is None
    folder = backup_dir(db_path) if folder is None else folder
    _usable(folder, make=own)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"souk-{stamp}-{label}.sqlite3"
    partial = target.with_suffix(".partial")
    try:
        with open(partial, "xb"):  # the system's own reason when the folder takes no file
            pass
        _copy(db_path, partial)
        partial.replace(target)
    except (OSError, sqlite3.OperationalError) as exc:
        with contextlib.suppress(OSError):  # a read-only folder refuses even that
            _remove(partial)
        raise BackupFailed(folder, oserrors.reason(exc)) from exc
    for old in _backups_in(folder)[max(keep, 1):]:
        with contextlib.suppress(OSError):  # one that cannot go stays; the new one is written
            old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class Written:
    """Where :func:`backup_to` wrote the backup; ``missed`` says why not in the folder the
    manager chose (then it is in the laptop's own folder)."""

    path: Path
    missed: BackupFailed | None = None


def backup_to(db_path: Path, chosen: str | Path | None, *, label: str = "manual",
              keep: int = DEFAULT_KEPT) -> Written:
    """A backup in the folder the manager chose (a USB stick), else in the laptop's own
    folder: a stick pulled, full or write-protected never leaves the till without one.
    BackupFailed only when the laptop's folder fails too."""
    missed = None
    if chosen:
        try:
            return Written(make_backup(db_path, label=label, keep=keep, folder=Path(chosen)))
        except BackupFailed as exc:
            missed = exc
    return Written(make_backup(db_path, label=label, keep=keep), missed)


def done_text(lang: str, written: Written) -> str:
    """Where the backup went, in ``lang``; why not in the chosen folder, if it was not."""
    path = ltr(str(written.path), lang)
    if written.missed is None:
        return tr(lang, "backup.done", path=path)
    return tr(lang, "backup.done_instead", folder=ltr(str(written.missed.folder), lang),
              reason=written.missed.reason.message(lang), path=path)


def check_folder(folder: Path) -> Path:
    """``folder`` if backups can be written in it (a file is written there and removed),
    else BackupFailed saying why."""
    _usable(folder, make=False)
    probe = folder / f".souk-write-test-{uuid.uuid4().hex}"
    try:
        with open(probe, "xb") as out:
            out.write(b"souk")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise BackupFailed(folder, oserrors.reason(exc)) from exc
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
    return folder


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

    It also says where the ticket, Z, invoice and credit note numbers resume (``numbers``, see
    :func:`pos.journal.numbers_of`), so that no number printed on a lost sale is given
    again: after the set-aside journal's last ones when it can be read. When it cannot (a
    damaged file, or none: a new laptop), how far they went is unknown, even to the
    organisers' server, which only knows the last sync: the ticket and Z labels then carry
    the restore count (``T03-R2-000124``, ``R2-8``), higher than any this till's journals
    and backups nearby have seen.
    """
    end = _journal_end(kept) if kept is not None else None
    ours = journal.numbers_of(conn)
    if end is not None:
        lost, lost_count, theirs = end
        count = max(_restore_count(conn), lost_count) + 1
        numbers = journal.Numbers(ticket=max(ours.ticket, theirs.ticket),
                                  z=max(ours.z, theirs.z), mark=max(ours.mark, theirs.mark),
                                  z_mark=max(ours.z_mark, theirs.z_mark),
                                  invoices=journal.merged(ours.invoices, theirs.invoices),
                                  credit_notes=journal.merged(ours.credit_notes,
                                                              theirs.credit_notes))
    else:
        lost = None
        count = max(_restore_count(conn), _counts_nearby(backup, kept)) + 1
        numbers = journal.Numbers(ticket=ours.ticket, z=ours.z, mark=count, z_mark=count,
                                  invoices=ours.invoices, credit_notes=ours.credit_notes)
    row = conn.execute("SELECT id FROM business_day WHERE closed_at IS NULL "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    data: dict[str, Any] = {
        "backup": backup.name, "restores": count,
        "set_aside": kept.name if kept is not None else None,
        "lost": None if lost is None else {"seq": lost.seq, "hash": lost.hash,
                                           "grand_total": lost.grand_total},
        "numbers": numbers.data(),
    }
    journal.append(conn, kind=journal.RESTORE, ref=str(uuid.uuid4()),
                   day_id=row[0] if row else None, amount=0, data=data, at=utcnow())
    return count


def _restore_count(conn: sqlite3.Connection) -> int:
    found = journal.restores_of(conn)
    return found[-1][1] if found else 0


def _journal_end(path: Path) -> tuple[journal.Head, int, journal.Numbers] | None:
    """The head of a set-aside database's journal, its restore count and how far its
    numbers went; None when it cannot be read (damaged: it was kept as it was)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return journal.head_of(conn), _restore_count(conn), journal.numbers_of(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _counts_nearby(backup: Path, kept: Path | None) -> int:
    """The highest restore count among the other backups beside ``backup`` and in the
    till's own backups folder, and the databases earlier restores set aside beside
    ``kept``: what the till's lost journal may
    have counted up to, when it cannot be read itself."""
    files = set(_backups_in(backup.parent))
    if kept is not None:
        files.update(_backups_in(backup_dir(kept)))
        with contextlib.suppress(OSError):
            files.update(kept.parent.glob(SET_ASIDE + kept.suffix))
    files.discard(backup)
    if kept is not None:
        files.discard(kept)
    highest = 0
    for path in files:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                highest = max(highest, _restore_count(conn))
            finally:
                conn.close()
        except sqlite3.Error:
            continue  # damaged too, or not a database
    return highest


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
