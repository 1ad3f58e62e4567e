"""A file the system would not write, in the user's language.

The system's own words (``strerror``) are English whatever the stall's language: the
common causes (a full disk or USB stick, a read-only one, a folder this user may not
write, a missing folder) get a message of their own, and the system's words are kept
only as a detail."""

from __future__ import annotations

import errno
import sqlite3

from pos.errors import SoukError

_BY_ERRNO = {
    errno.ENOSPC: "os.no_space",
    errno.EDQUOT: "os.no_space",
    errno.EFBIG: "os.no_space",
    errno.EROFS: "os.read_only",
    errno.EACCES: "os.permission",
    errno.EPERM: "os.permission",
    errno.ENOENT: "os.not_found",
    errno.ENOTDIR: "os.not_found",
    errno.ENODEV: "os.not_found",
    errno.EISDIR: "os.is_folder",
    errno.ENAMETOOLONG: "os.name_too_long",
}
# SQLite's primary result codes for the same causes
_BY_SQLITE = {sqlite3.SQLITE_FULL: "os.no_space", sqlite3.SQLITE_READONLY: "os.read_only",
              sqlite3.SQLITE_PERM: "os.permission", sqlite3.SQLITE_CANTOPEN: "os.not_found"}


def reason(exc: OSError | sqlite3.Error) -> SoukError:
    """Why ``exc`` happened, as a message parameter (a :class:`SoukError` is rendered in
    the message's language)."""
    if isinstance(exc, OSError):
        key = _BY_ERRNO.get(exc.errno or 0, "os.other")
        return SoukError(key, detail=exc.strerror or str(exc))
    code = getattr(exc, "sqlite_errorcode", None)
    key = _BY_SQLITE.get(code & 0xFF, "os.other") if isinstance(code, int) else "os.other"
    return SoukError(key, detail=str(exc))




def database_problem(exc: BaseException, path: object) -> SoukError:
    """What to tell about an error of SQLite on the database ``path`` (SQLAlchemy's
    wrapper or sqlite3's own): busy (another writer: try again), a full disk, or the
    system's reason (read-only, not allowed, missing)."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(orig).lower()
    busy = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    if primary in busy or (primary is None and ("locked" in text or "busy" in text)):
        return SoukError("db.busy")
    if primary == sqlite3.SQLITE_FULL or (primary is None and "full" in text):
        return SoukError("disk.full")
    cause = reason(orig) if isinstance(orig, (OSError, sqlite3.Error)) else str(orig)
    return SoukError("db.unusable", path=str(path), reason=cause)
