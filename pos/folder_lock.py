"""Who has a stall's data folder open: lock files that the operating system lets go of
when the process ends, so that a crash never leaves a stale lock behind.

Everything that opens the stall's database (the app and every ``souk-pos`` command,
through :meth:`pos.db.Store.open`) holds :data:`LOCK_FILENAME` *shared*; restoring a
backup (:mod:`pos.backup`) must hold it *alone* and refuses while anything else holds it,
because a database swapped under an open connection loses what that connection commits
next. The app also holds :data:`APP_LOCK_FILENAME` alone for as long as it runs, so that
a second app on the same folder says so instead of running twice.

The locks are portalocker's (``flock`` on POSIX, ``LockFileEx`` on Windows), taken on a
file kept open while held: two opens in one process are two holders.
"""

from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import IO, Final

import portalocker

from pos.errors import RuleError

LOCK_FILENAME: Final = "souk.lock"
APP_LOCK_FILENAME: Final = "souk-app.lock"
WAIT_SECONDS: Final = 10.0  # how long a shared holder waits for a restore to finish


class FolderBusy(RuleError):
    """The folder is held alone (a backup is being restored into it)."""


class Held:
    """A lock on a folder, let go by :meth:`release` (or when the process ends)."""

    def __init__(self, file: IO[bytes] | None) -> None:
        self._file = file

    def release(self) -> None:
        if self._file is None:
            return
        portalocker.unlock(self._file)
        self._file.close()
        self._file = None

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _open(folder: Path, name: str) -> IO[bytes] | None:
    """The lock file, created if needed; None when the folder cannot take one (read-only
    media: nothing can write the database there either)."""
    try:
        return open(folder / name, "a+b")  # kept open while held
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return None
        raise


def shared(folder: Path, *, wait: float = WAIT_SECONDS) -> Held:
    """Hold ``folder`` along with any other shared holder; waits up to ``wait`` seconds
    while it is held alone, then raises :class:`FolderBusy`."""
    file = _open(folder, LOCK_FILENAME)
    if file is None:
        return Held(None)
    deadline = time.monotonic() + wait
    while True:
        if _try(file, exclusive=False):
            return Held(file)
        if time.monotonic() >= deadline:
            file.close()
            raise FolderBusy("folder.restoring", path=str(folder))
        time.sleep(0.05)


def alone(folder: Path, name: str = LOCK_FILENAME) -> Held | None:
    """Hold the lock file ``name`` of ``folder`` with no other holder, or None at once
    when something else holds it (the caller says what)."""
    file = _open(folder, name)
    if file is None:
        return Held(None)
    if not _try(file, exclusive=True):
        file.close()
        return None
    return Held(file)


def _try(file: IO[bytes], *, exclusive: bool) -> bool:
    """True when locked, False when the lock is held elsewhere."""
    mode = portalocker.LOCK_EX if exclusive else portalocker.LOCK_SH
    try:
        portalocker.lock(file, mode | portalocker.LOCK_NB)
    except portalocker.exceptions.LockException:
        return False
    return True
