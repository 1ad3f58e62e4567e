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
the folder (:class:`BackupFailed`). A chosen folder on the laptop's own disk
(:func:`on_laptop`: a stick's mount point while the stick is out, or a folder of the
laptop) takes the backup, which is then said to be no copy off the laptop
(:func:`done_text`). A backup also holds the catalogue's photos and the cooperative's logo,
which a restore puts back beside the database (a new laptop has them).

Before a restore, :func:`contents` says what a backup holds (when and why it was written,
its sales and days, whose till it is) and :func:`replaced` what the restore would set aside
of the database it replaces (its sales and kept carts the backup lacks, and whether it is
another till's); :func:`check_backup` refuses a file that is no backup, a damaged one and a
newer version's, before anything changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import struct
import sys
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pos import clock, folder_lock, journal, oserrors
from pos.errors import InputError, Ltr, RuleError, SoukError
from pos.files import ctrl_c_held, write_whole
from pos.i18n import comma, ltr, tr, tr_count
from pos.journal import verify
from pos.models import utcnow
from pos.money import format_money
from pos.photos import PHOTOS

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
    fails or is stopped. BackupFailed says why, naming the folder (a full or read-only USB
    stick, a file where the folder should be), in the user's language.
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
        _add_files(db_path, partial)
        partial.replace(target)
    except (OSError, sqlite3.OperationalError) as exc:
        with contextlib.suppress(OSError):  # a read-only folder refuses even that
            _remove(partial)
        raise BackupFailed(folder, oserrors.reason(exc)) from exc
    except BaseException:  # stopped (Ctrl+C): no part of a backup is left behind
        with contextlib.suppress(OSError):
            _remove(partial)
        raise
    for old in _backups_in(folder)[max(keep, 1):]:
        with contextlib.suppress(OSError):  # one that cannot go stays; the new one is written
            old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class Written:
    """Where :func:`backup_to` wrote the backup; ``missed`` says why not in the folder the
    manager chose (then it is in the laptop's own folder); ``on_laptop``, that it is in the
    folder chosen but that folder is on the laptop's own disk (:func:`on_laptop`): no copy
    off the laptop."""

    path: Path
    missed: BackupFailed | None = None
    on_laptop: bool = False

    @property
    def as_meant(self) -> bool:
        """Whether the backup is where the manager meant it to go: in the folder chosen,
        off the laptop, or in the laptop's own folder when none was chosen."""
        return self.missed is None and not self.on_laptop


def backup_to(db_path: Path, chosen: str | Path | None, *, label: str = "manual",
              keep: int = DEFAULT_KEPT) -> Written:
    """A backup in the folder the manager chose (a USB stick), else in the laptop's own
    folder: a stick pulled, full or write-protected never leaves the till without one.
    A chosen folder on the laptop's own disk (a stick's mount point left behind when it was
    pulled, or a folder of the laptop) takes it too, and ``on_laptop`` says so.
    BackupFailed only when the laptop's folder fails too."""
    missed = None
    if chosen:
        folder = Path(chosen)
        try:
            path = make_backup(db_path, label=label, keep=keep, folder=folder)
        except BackupFailed as exc:
            missed = exc
        else:
            return Written(path, on_laptop=on_laptop(folder, db_path))
    return Written(make_backup(db_path, label=label, keep=keep), missed)


def done_text(lang: str, written: Written, *, cli: bool = False,
              shown: Callable[[Path], str] = str) -> str:
    """Where the backup went, in ``lang``; why not in the chosen folder, if it was not, or
    that the chosen folder is on the laptop's own disk, and what to do for a copy off the
    laptop (in the app, or with the command when ``cli``). ``shown`` writes a path as the
    message is to show it (whole, unless told)."""
    path = ltr(shown(written.path), lang)
    if written.missed is not None:
        again = tr(lang, "backup.again_cli" if cli else "backup.again_app")
        return tr(lang, "backup.done_instead", folder=ltr(shown(written.missed.folder), lang),
                  reason=written.missed.reason.message(lang), again=again, path=path)
    if written.on_laptop:
        again = tr(lang, "backup.plug_cli" if cli else "backup.plug_app")
        return tr(lang, "backup.done_on_laptop", again=again, path=path)
    return tr(lang, "backup.done", path=path)


def on_laptop(folder: Path, db_path: Path) -> bool:
    """Whether ``folder`` is on the laptop's own disk: the disk the database ``db_path`` is
    on, so a backup there is no copy off the laptop. So is a USB stick's mount point
    (``/media/usb0``, ``/mnt/usb``) while the stick is out: a folder of the laptop's disk
    then. The same filesystem as the database's, or another partition or volume of the
    same physical disk (Linux, Windows); a folder that cannot be looked at is not said to
    be on the laptop (:func:`backup_to` has just written there, or says why it could
    not)."""
    try:
        if os.stat(folder).st_dev == os.stat(db_path.parent).st_dev:
            return True
    except OSError:
        return False
    return bool(_disks_of(folder) & _disks_of(db_path.parent))


MOUNTS: Final = Path("/proc/self/mountinfo")
BLOCK: Final = Path("/sys/dev/block")  # a block device's node, by major:minor


def _disks_of(path: Path) -> frozenset[str]:
    """The physical disks (as Linux names them: ``sda``, ``nvme0n1``; as Windows numbers
    them: ``PhysicalDrive0``) under the filesystem ``path`` is on: through its partition,
    and the volumes (LVM, encryption; a Windows volume's extents) it is made of. Empty
    where that is unknown: a filesystem in memory or on the network, another system."""
    if sys.platform == "win32":
        return _windows_disks(path)
    try:
        mount = mount_of(os.path.realpath(path), MOUNTS.read_text(encoding="utf-8"))
    except OSError:
        return frozenset()
    if mount is None:
        return frozenset()
    number, source = mount
    nodes = [BLOCK / number] if not number.startswith("0:") else []
    if source.startswith("/dev/"):
        with contextlib.suppress(OSError):
            device = os.stat(source).st_rdev
            nodes.append(BLOCK / f"{os.major(device)}:{os.minor(device)}")
    for node in nodes:
        with contextlib.suppress(OSError):
            return disks_under(node.resolve(strict=True))
    return frozenset()


#: DeviceIoControl's code asking a volume for the disks it lies on (winioctl.h)
IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS: Final = 0x00560000


def _windows_disks(path: Path) -> frozenset[str]:
    """:func:`_disks_of` on Windows (pywin32): the disks of the volume ``path`` is on, as
    the volume's extents give them; empty when the volume does not say (a network
    share)."""
    try:
        import win32file  # pywin32, on Windows only

        root = win32file.GetVolumePathName(os.path.realpath(path))
        volume = win32file.GetVolumeNameForVolumeMountPoint(root).rstrip("\\")
        shared = win32file.FILE_SHARE_READ | win32file.FILE_SHARE_WRITE
        handle = win32file.CreateFile(volume, 0, shared, None, win32file.OPEN_EXISTING, 0,
                                      None)
        try:
            extents = win32file.DeviceIoControl(
                handle, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, None, 4096)
        finally:
            handle.Close()
    except Exception:  # no pywin32, no volume (a share), a device that will not say
        return frozenset()
    return disks_of_extents(bytes(extents))


def disks_of_extents(extents: bytes) -> frozenset[str]:
    """The disks a ``VOLUME_DISK_EXTENTS`` structure names: its count, then as many
    ``DISK_EXTENT`` (the disk's number, then the extent's offset and length), aligned on
    8 bytes."""
    (count,) = struct.unpack_from("<I", extents, 0)
    count = min(count, (len(extents) - 8) // 24)  # what the buffer holds of them
    return frozenset(f"PhysicalDrive{struct.unpack_from('<I', extents, 8 + 24 * i)[0]}"
                     for i in range(count))


def disks_under(node: Path, depth: int = 0) -> frozenset[str]:
    """The disks of the block device ``node`` (its folder under ``/sys/devices``)."""
    if (node / "partition").exists():
        node = node.parent
    parts: list[Path] = []
    with contextlib.suppress(OSError):
        parts = [part.resolve(strict=True) for part in (node / "slaves").iterdir()]
    if not parts or depth > 8:
        return frozenset({node.name})
    return frozenset().union(*(disks_under(part, depth + 1) for part in parts))


def mount_of(path: str, mountinfo: str) -> tuple[str, str] | None:
    """The filesystem an absolute ``path`` is on, from the text of
    ``/proc/self/mountinfo``: its device number (``major:minor``) and its source
    (``/dev/sda2``; ``tmpfs``...). The mount nearest ``path`` wins, the last one mounted
    where there are several at one place."""
    found = None
    depth = -1
    for line in mountinfo.splitlines():
        head, _, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if len(fields) < 5 or len(rest) < 2:
            continue
        point = _unescaped(fields[4])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= depth:
            found, depth = (fields[2], _unescaped(rest[1])), len(point)
    return found


def _unescaped(field: str) -> str:
    """A path as mountinfo writes it: a space as ``\\040``, a tab, newline, backslash in
    octal too."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)


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
    """Raise InputError unless ``path`` is a readable Souk database whose journal holds,
    written by this version of the app or an older one (a newer one's schema this version
    cannot open: the till would not start on it)."""
    if path.is_dir():
        raise InputError("backup.is_folder", path=str(path))
    if not path.is_file():
        raise InputError("backup.not_found", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            verdict = verify(conn) if ok else None
            revision = _revision(conn) if ok else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError("backup.invalid", path=str(path)) from exc
    if verdict is None or not verdict.ok:
        raise InputError("backup.invalid", path=str(path))
    if revision not in _shipped_revisions():
        raise InputError("backup.newer", path=str(path))


def _revision(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


_REVISION: Final = re.compile(r"^revision\s*=\s*['\"]?(\w+)['\"]?", re.M)


def _shipped_revisions() -> set[str]:
    """The schema revisions this version knows (its migrations')."""
    from importlib import resources

    found = set()
    for script in (resources.files("pos") / "migrations" / "versions").iterdir():
        if script.name.endswith(".py"):
            found.update(_REVISION.findall(script.read_text(encoding="utf-8")))
    return found


# souk-20261130-151755-151282-z.sqlite3: the laptop's local time when it was written
_NAMED: Final = re.compile(r"souk-(\d{8}-\d{6})-\d+-(\w+)\.sqlite3$")


@dataclass(frozen=True)
class Contents:
    """What a backup holds, read without changing it, for the manager to pick the right
    one: when it was written (the laptop's local time, as its name says), why (``z``: at a
    day close), its size, its sales and days, and whose till it is."""

    path: Path
    written: dt.datetime  # local time, naive
    label: str
    size: int
    sales: int  # sales rung up (refunds and voids aside)
    days: int
    last_day: dt.date | None
    device_id: str | None
    prefix: str
    cooperative: dict[str, str]
    sale_ids: frozenset[str]
    held: frozenset[tuple[str, str]] = frozenset()  # the carts kept (parked or being rung up)
    enrolled: bool = False  # with a market server (its device token)

    def line(self, lang: str) -> str:
        """One line in ``lang``: when, why, how many sales and days, how big."""
        why = tr(lang, "backup.kind_z" if self.label == "z" else "backup.kind_manual")
        sales = tr_count(lang, "backup.sales", self.sales)
        days = tr_count(lang, "backup.days", self.days)
        last = (" (" + tr(lang, "backup.last_day", date=ltr(clock.date_text(self.last_day),
                                                          lang)) + ")"
                if self.last_day is not None else "")
        size = tr(lang, "backup.size_mb" if self.size >= 1_000_000 else "backup.size_kb",
                  size=_size(self.size, lang))
        parts = [ltr(self.written.strftime("%d/%m/%Y %H:%M"), lang), why,
                 f"{sales}{comma(lang)}{days}{last}", size]
        return " · ".join(parts)

    def whose(self, lang: str) -> str:
        """Whose till it is: the cooperative's name in ``lang`` (or the other) and the
        till's prefix."""
        name = (self.cooperative.get("name_ar" if lang == "ar" else "name_fr")
                or self.cooperative.get("name_fr") or self.cooperative.get("name_ar") or "")
        if not name:
            return tr(lang, "backup.till", prefix=self.prefix)
        return tr(lang, "backup.till_of", prefix=self.prefix, name=name)


def _size(size: int, lang: str) -> str:
    value = f"{size / 1_000_000:.1f}" if size >= 1_000_000 else str(max(1, round(size / 1000)))
    return value.replace(".", ",") if lang != "en" else value


def contents(path: Path, *, ids: bool = True) -> Contents | None:
    """What the backup ``path`` holds; None when it cannot be read as a Souk database.
    ``ids``: with its sales' and kept carts' ids, for :func:`replaced` (a list of backups
    only counts them)."""
    try:
        size = path.stat().st_size
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            def one(sql: str) -> Any:
                row = conn.execute(sql).fetchone()
                return None if row is None else row[0]

            sales = int(one("SELECT COUNT(*) FROM sale WHERE kind = 'sale'") or 0)
            sale_ids = frozenset(str(row[0]) for row in conn.execute(
                "SELECT id FROM sale WHERE kind = 'sale'")) if ids else frozenset()
            days = int(one("SELECT COUNT(*) FROM business_day") or 0)
            last = one("SELECT MAX(date) FROM business_day")
            values = {str(key): value for key, value in conn.execute(
                "SELECT key, value FROM setting WHERE key IN (?, ?, ?, ?)",
                ("device_id", "device_prefix", "cooperative", "sync"))}
            held = _held_carts(conn) if ids else frozenset()
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError):
        return None
    named = _NAMED.search(path.name)
    if named:
        written = dt.datetime.strptime(named[1], "%Y%m%d-%H%M%S")
        label = named[2]
    else:
        written = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        label = "manual"
    setting = {key: _json(value) for key, value in values.items()}
    coop, sync = setting.get("cooperative"), setting.get("sync")
    return Contents(
        path=path, written=written, label=label, size=size, sales=sales, days=days,
        last_day=dt.date.fromisoformat(str(last)) if last else None,
        device_id=setting.get("device_id") if isinstance(setting.get("device_id"), str)
        else None,
        prefix=str(setting.get("device_prefix") or "T01"),
        cooperative={str(k): str(v) for k, v in coop.items() if isinstance(v, str)}
        if isinstance(coop, dict) else {},
        sale_ids=sale_ids, held=held,
        enrolled=isinstance(sync, dict) and bool(sync.get("token")))


def _held_carts(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    """The carts kept in the database (parked, or being rung up when the app closed), by
    when they were kept and what they hold; none in a backup older than kept carts."""
    try:
        return frozenset((str(at), str(data)) for at, data in conn.execute(
            "SELECT saved_at, data FROM held_cart WHERE state IN ('current', 'parked')"))
    except sqlite3.OperationalError:
        return frozenset()


def _json(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Replaced:
    """What the restore of a backup would set aside from the database it replaces: the sales
    this till holds that the backup lacks (they stay in the set-aside file, never deleted),
    and whether the backup is another till's."""

    sales: int
    total: int  # centimes
    other_till: bool
    held: int = 0  # kept carts the backup lacks
    same_till: bool = False  # the backup is this very till's (a restore to undo a mistake)


def replaced(db_path: Path, backup: Contents) -> Replaced:
    """What restoring ``backup`` over the database at ``db_path`` sets aside (nothing when
    there is no database: a new laptop)."""
    if not db_path.exists():
        return Replaced(0, 0, False)
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT id, total FROM sale WHERE kind = 'sale'").fetchall()
            device = _device_of(conn)
            used = conn.execute("SELECT 1 FROM business_day LIMIT 1").fetchone() is not None
            held = _held_carts(conn) - backup.held
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return Replaced(0, 0, False)
    missing = [int(total) for sale_id, total in rows if str(sale_id) not in backup.sale_ids]
    # a till that never opened a day (a new laptop just set up) is no other till to lose
    other = used and device != backup.device_id
    return Replaced(len(missing), sum(missing), other, len(held),
                    same_till=device == backup.device_id)


class Restored(KeyboardInterrupt):
    """Ctrl+C pressed while the restored database was put in place: it is, whole (Ctrl+C
    was held off until then); the database it replaced is set aside at ``kept`` (None:
    there was none)."""

    def __init__(self, kept: Path | None) -> None:
        super().__init__(str(kept))
        self.kept = kept


def restore(db_path: Path, backup: Path) -> Path | None:
    """Replace the database by ``backup``. The current one is kept aside, its path
    returned (None when the folder had no database yet: a new laptop, whose folder is
    made).

    Refused while the app or a ``souk-pos`` command has the folder open
    (:mod:`pos.folder_lock`) or any program has the database open: what such a
    connection commits after the swap would go into the file set aside, and the sale the
    seller saw as done would be missing from the restored till.

    Stopped with Ctrl+C (KeyboardInterrupt), the database is as it was, and neither the
    copy set aside nor the one being prepared is left beside it; once the restored copy
    is being put in place, Ctrl+C waits until it is, whole (:class:`Restored`).
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
    kept: Path | None = None
    swapped = False
    try:
        with held:
            kept = _set_aside(db_path) if db_path.exists() else None
            staging = _staged(backup, db_path, kept)
            with ctrl_c_held():
                _swap(staging, db_path)
                swapped = True
    except KeyboardInterrupt:
        if swapped:
            raise Restored(kept) from None
        if kept is not None:  # a copy of the database as it still is
            _remove(kept)
        raise
    return kept


def before_text(lang: str, found: Contents, replacing: Replaced, *, aside: bool = True
                ) -> list[str]:
    """What restoring ``found`` over a database brings back, whose till it is when not this
    one's, and (``aside``) the sales it sets aside (``replacing``: :func:`replaced`), in
    ``lang``, said before it is done."""
    lines = [tr(lang, "backup.holds", whose=found.whose(lang), line=found.line(lang))]
    if replacing.other_till:
        lines.append(tr(lang, "backup.other_till", whose=found.whose(lang)))
    if found.enrolled and not replacing.same_till:
        # a second laptop made a copy of the first one would sell under its enrolment:
        # the server keeps one copy of each day of a till, and the other's sales are lost
        lines.append(tr(lang, "backup.takes_place"))
    if aside and replacing.sales:
        lines.append(tr(lang, "backup.sets_aside", count=replacing.sales,
                        total=format_money(replacing.total, lang)))
    if aside and replacing.held:
        lines.append(tr(lang, "backup.sets_aside_carts", count=replacing.held))
    return lines


def after_text(lang: str, db_path: Path, backup: Path, kept: Path | None, *,
               names: bool = False) -> list[str]:
    """What the restore of ``backup`` into ``db_path`` did, in ``lang``: where the database
    it replaced was kept and what it held that the backup lacks, and where the ticket and
    Z numbers go on. ``names``: the files' names rather than their whole paths (a window,
    where a long path would be cut over lines)."""

    def shown(path: Path) -> str:
        return ltr(path.name if names else str(path), lang)

    if kept is None:  # a new or empty folder: nothing was set aside
        lines = [tr(lang, "backup.restored_new", path=shown(backup),
                    folder=shown(db_path.parent))]
    else:
        lines = [tr(lang, "backup.restored", path=shown(backup), kept=shown(kept))]
        found = contents(db_path)
        aside = replaced(kept, found) if found is not None else None
        if aside is not None and aside.sales:
            lines.append(tr(lang, "backup.kept_sales", count=aside.sales,
                            total=format_money(aside.total, lang),
                            kept=ltr(kept.name, lang)))
    lines.append(tr(lang, "backup.recorded"))
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        numbers = journal.numbers_of(conn)
        marked = numbers.mark == journal.restores_of(conn)[-1][1]  # by this very restore
        label = journal.label_of(conn, numbers.ticket + 1)
        z = journal.z_label_of(conn, numbers.z + 1)
    finally:
        conn.close()
    if not marked:
        lines.append(tr(lang, "backup.numbers_resume", label=label, z=z))
    elif kept is None:
        lines.append(tr(lang, "backup.numbers_marked_new", label=label, z=z))
    else:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            other = not same_till(conn, kept)
        lines.append(tr(lang, "backup.numbers_marked_other" if other
                        else "backup.numbers_marked", label=label, z=z))
    return lines


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
    and backups nearby have seen. So too when the set-aside database is another till's
    (:func:`same_till`): the database the first-run wizard made on a new laptop, before the
    dead laptop's backup was restored over it, says nothing of how far that till went.
    """
    end = _journal_end(kept) if kept is not None and same_till(conn, kept) else None
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


def _device_of(conn: sqlite3.Connection) -> Any:
    row = conn.execute("SELECT value FROM setting WHERE key = 'device_id'").fetchone()
    return None if row is None else _json(row[0])


def same_till(conn: sqlite3.Connection, kept: Path) -> bool:
    """Whether the database set aside at ``kept`` is the till of the restored database
    ``conn`` (the same device id; neither having one is the same too). One that cannot be
    read is taken for the same: the damaged database of this very till."""
    try:
        other = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
        try:
            theirs = _device_of(other)
        finally:
            other.close()
    except sqlite3.Error:
        return True
    return bool(_device_of(conn) == theirs)


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
    except BaseException as exc:  # Ctrl+C too: no part of a copy left
        _remove(kept)
        if isinstance(exc, OSError):
            raise _cannot_write(kept, exc) from exc
        raise


FILES: Final = "souk_backup_file"  # in a backup only: the files beside the database
LOGO: Final = "logo"  # where a restore puts the cooperative's logo it brings


def _add_files(db_path: Path, target: Path) -> None:
    """Put into the backup ``target`` the files the database names but does not hold: the
    catalogue's photos and the cooperative's logo (a file anywhere on the laptop), so that
    a new laptop gets them back with the rest."""
    found: list[tuple[str, bytes]] = []
    with contextlib.suppress(OSError):
        for photo in sorted((db_path.parent / PHOTOS).iterdir()):
            if photo.is_file():
                found.append((f"{PHOTOS}/{photo.name}", photo.read_bytes()))
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        logo = _cooperative(conn).get("logo")
        if isinstance(logo, str) and logo:
            with contextlib.suppress(OSError):
                found.append((f"{LOGO}/{Path(logo).name}", Path(logo).read_bytes()))
        if not found:
            return
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE {FILES} (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        conn.executemany(f"INSERT INTO {FILES} (name, data) VALUES (?, ?)", found)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _cooperative(conn: sqlite3.Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM setting WHERE key = 'cooperative'").fetchone()
    value = _json(row[0]) if row else None
    return value if isinstance(value, dict) else {}


def _take_files(staging: Path, folder: Path) -> None:
    """Put the files a backup brings (:func:`_add_files`) into the data ``folder``, and
    take them out of the restored database: a photo or logo already there is kept as it
    is; a logo whose path is not on this laptop is named where it was put."""
    conn = sqlite3.connect(staging, isolation_level=None)
    try:
        try:
            files = conn.execute(f"SELECT name, data FROM {FILES}").fetchall()
        except sqlite3.OperationalError:
            return  # a backup without files (none to bring, or an older version's)
        coop = _cooperative(conn)
        for name, data in files:
            kind, _, base = str(name).partition("/")
            if kind not in (PHOTOS, LOGO) or not base or Path(base).name != base:
                continue  # only a plain name, in its own folder
            if kind == LOGO and Path(str(coop.get("logo") or "")).is_file():
                continue  # the logo is where the setting says (this very laptop)
            target = folder / kind / base
            if not target.exists():  # written whole: a part would be kept as it is
                target.parent.mkdir(parents=True, exist_ok=True)
                write_whole(target, bytes(data))
            if kind == LOGO:
                coop["logo"] = str(target)
                conn.execute("UPDATE setting SET value = ? WHERE key = 'cooperative'",
                             (json.dumps(coop, ensure_ascii=False),))
        conn.execute(f"DROP TABLE {FILES}")
    finally:
        conn.close()


def _staged(backup: Path, db_path: Path, kept: Path | None) -> Path:
    """A copy of ``backup`` beside the database, the restore recorded in it and the files
    it brings put in the data folder; removed when that fails or is stopped (Ctrl+C)."""
    staging = db_path.with_name(db_path.name + ".restoring")
    _remove(staging)
    try:
        _copy(backup, staging)
        _take_files(staging, db_path.parent)
        _record_in(staging, backup, kept)
    except BaseException as exc:
        _remove(staging)
        if isinstance(exc, (OSError, sqlite3.OperationalError)):
            raise _cannot_write(db_path, exc) from exc
        raise
    return staging


def _swap(staging: Path, db_path: Path) -> None:
    """Put the restored copy ``staging`` in the database's place (the rename is atomic);
    the old file's write-ahead log and journal go first, lest SQLite replay them into the
    new one."""
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
