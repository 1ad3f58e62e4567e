from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from pos import backup, day, settings
from pos.db import DB_FILENAME, Store
from pos.errors import InputError, RuleError
from pos.files import saved_language
from pos.i18n import ltr
from pos.journal import canonical, chain_hash, driver_connection, head_of, restores_of, verify
from pos.models import BusinessDay, Sale, User
from pos.receipts import QrCode, load_day_report, load_sale_receipt
from pos.reports import last_seq
from sync.client import status
from tests.helpers import ring, small_disk, usb_stick
from tests.pos.conftest import run
from tests.pos.test_journal import check, tamper
from tests.pos.test_journal_tables import rechain_without


def sales(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM sale").fetchone()[0])
    finally:
        conn.close()


def test_backups_roll_and_restore_brings_a_day_back(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    first = backup.make_backup(store.path, keep=3)
    for _ in range(4):
        ring(store, [("VRB-50", 1000)])
        backup.make_backup(store.path, keep=3)
    kept = backup.list_backups(store.path)
    assert len(kept) == 3 and first not in kept
    assert sales(kept[0]) == 5 and sales(kept[-1]) == 3
    store.close()

    previous = backup.restore(store.path, kept[-1])
    assert sales(store.path) == 3
    assert sales(previous) == 5  # the replaced database is kept, never lost
    reopened = Store.open(store.path)
    ring(reopened, [("THY-50", 1000)])
    reopened.close()
    assert sales(store.path) == 4


def test_restore_refuses_what_is_not_a_backup(store: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError) as caught:
        backup.restore(store.path, junk)
    assert caught.value.key == "backup.invalid"
    with pytest.raises(InputError):
        backup.restore(store.path, tmp_path / "missing.sqlite3")


def test_a_tampered_backup_is_refused(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    copy = backup.make_backup(store.path)
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("UPDATE journal SET amount = 1 WHERE kind = 'sale'")
    conn.close()
    with pytest.raises(InputError):
        backup.restore(store.path, copy)


ROOT = Path(__file__).resolve().parents[2]

TILL = """
import sys
import types
from pathlib import Path
from pos.db import Store
from tests.helpers import ring, small_disk

store = Store.open(Path(sys.argv[1]))
print("open", flush=True)
sys.stdin.readline()
ring(store, [("THY-50", 1000)])
print("done", flush=True)  # the seller sees the sale done
store.close()
"""

OTHER_PROGRAM = """
import sqlite3, sys

conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("SELECT COUNT(*) FROM sale").fetchone()
print("open", flush=True)
sys.stdin.readline()
conn.execute("CREATE TABLE written_after(x)")
print("committed", flush=True)
"""


def started(script: str, db_path: Path) -> subprocess.Popen[str]:
    """``script`` in a process of its own, once it says it has the database open."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(db_path)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "open\n"
    return proc


def finished(proc: subprocess.Popen[str]) -> str:
    """Let ``proc`` commit and end; what it printed."""
    out, _ = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0
    return out


def stopped(proc: subprocess.Popen[str]) -> None:
    """End ``proc`` if a failed step left it running."""
    if proc.returncode is None:
        proc.kill()
        proc.communicate(timeout=60)


def test_restore_is_refused_while_a_till_has_the_folder_open(
    store: Store, open_day: int
) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    store.close()
    till = started(TILL, store.path)
    try:
        with pytest.raises(RuleError) as refused:
            backup.restore(store.path, saved)
        assert refused.value.key == "backup.in_use"
        assert "The till is open on this folder" in refused.value.message("en")
        assert "La caisse est ouverte" in refused.value.message("fr")
        assert finished(till) == "done\n"  # a sale rung after the refusal
    finally:
        stopped(till)
    assert sales(store.path) == 2  # it is in the database, not in a file set aside
    assert list(store.path.parent.glob("*before-restore*")) == []
    kept = backup.restore(store.path, saved)  # the till closed: the restore goes ahead
    assert kept is not None and sales(kept) == 2 and sales(store.path) == 1


def test_restore_is_refused_while_another_program_has_the_database_open(
    store: Store, open_day: int
) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    store.close()
    other = started(OTHER_PROGRAM, store.path)
    try:
        with pytest.raises(RuleError) as refused:
            backup.restore(store.path, saved)
        assert refused.value.key == "backup.in_use"
        assert finished(other) == "committed\n"
    finally:
        stopped(other)
    conn = sqlite3.connect(store.path)
    try:  # what it committed after the refusal is in the database
        assert conn.execute("SELECT COUNT(*) FROM written_after").fetchone() == (0,)
    finally:
        conn.close()


def test_an_open_store_in_this_process_holds_the_folder_too(
    store: Store, open_day: int
) -> None:
    saved = backup.make_backup(store.path)
    with pytest.raises(RuleError):
        backup.restore(store.path, saved)
    ring(store, [("THY-50", 1000)])
    assert sales(store.path) == 1


def test_a_damaged_database_is_set_aside_with_its_write_ahead_log(
    store: Store, open_day: int, tmp_path: Path
) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    conn = sqlite3.connect(store.path)
    try:  # the database file holds everything so far; the log starts afresh
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with store.write() as s:
        settings.put(s, settings.LANGUAGE, "ar")  # this commit is in the log only
    crashed = tmp_path / "crashed" / DB_FILENAME
    crashed.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):  # the files as a power cut leaves them
        shutil.copyfile(f"{store.path}{suffix}", f"{crashed}{suffix}")
    wal = Path(f"{crashed}-wal").read_bytes()
    raw = crashed.read_bytes()
    crashed.write_bytes(b"\xa5" * 100 + raw[100:])  # the header is damaged

    kept = backup.restore(crashed, saved)
    assert kept is not None and sales(crashed) == 1
    assert kept.read_bytes()[100:] == raw[100:]
    assert Path(f"{kept}-wal").read_bytes() == wal
    assert Path(f"{kept}-shm").is_file()
    kept.write_bytes(raw[:100] + kept.read_bytes()[100:])  # mended by someone who knows how
    assert saved_language(kept) == "ar"  # the commit the log held is there
    # the restore is recorded; how far the damaged journal went could not be read
    assert restore_record(crashed)[2]["lost"] is None


def test_restore_into_a_new_folder(
    store: Store, open_day: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    laptop = tmp_path / "new" / "laptop"
    code, out, err = run(capsys, "--data-dir", str(laptop), "--lang", "en", "restore", str(saved))
    assert code == 0 and err == ""
    said = out.splitlines()
    assert said[0].startswith("Backup: till T01, ") and " · by hand · 1 sale, 1 day " in said[0]
    assert said[1:] == [
        f"Restored from {saved} into {laptop}.",
        "The restore is recorded in the journal: the sales made after the backup are no "
        "longer in this till. At the next sync the organisers get this till's figures, and "
        "see what their server held before.",
        "This folder had no database: how far the receipt and Z numbers went after this "
        "backup on the till it came from is unknown. The next receipts and Z reports carry "
        "the restore's mark (T01-R1-000002, Z report no. R1-1), so that no number is given "
        "twice."]
    assert sales(laptop / DB_FILENAME) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup.restore(empty / DB_FILENAME, saved) is None  # nothing to set aside
    reopened = Store.open(empty / DB_FILENAME)
    ring(reopened, [("THY-50", 1000)])
    reopened.close()
    assert sales(empty / DB_FILENAME) == 2


def test_each_restore_sets_aside_a_copy_of_its_own(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    ring(store, [("THY-50", 1000)])
    store.close()
    first = backup.restore(store.path, saved)
    second = backup.restore(store.path, saved)  # within the same second, as like as not
    assert first is not None and second is not None and first != second
    assert sales(first) == 2 and sales(second) == 1


def restore_record(path: Path) -> tuple[int, int | None, dict[str, object]]:
    """The newest journal record of the database at ``path``, which must be a restore's:
    (its number, its day, its data); the journal must hold."""
    conn = sqlite3.connect(path)
    try:
        assert verify(conn).ok
        seq, kind, day_id, record = conn.execute(
            "SELECT seq, kind, day_id, record FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    assert kind == "restore"
    return seq, day_id, json.loads(record)["data"]


def test_a_restore_is_recorded_in_the_restored_journal(store: Store, open_day: int) -> None:
    """The restored journal is the backup's and one record more: the restore, in the day
    the backup left open (whose version moves past the backup's), saying how far the
    journal set aside went."""
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    for _ in range(3):
        ring(store, [("VRB-50", 1000)])
    with store.ledger() as conn:
        lost = head_of(conn)
    store.close()
    kept = backup.restore(store.path, saved)
    assert kept is not None
    seq, day_id, data = restore_record(store.path)
    with sqlite3.connect(saved) as conn:
        saved_head = head_of(conn)
    assert seq == saved_head.seq + 1 and day_id == open_day
    assert data == {"backup": saved.name, "restores": 1, "set_aside": kept.name,
                    "lost": {"seq": lost.seq, "hash": lost.hash,
                             "grand_total": lost.grand_total},
                    "numbers": {"ticket": 4, "z": 0, "mark": 0,  # the journal set aside's
                                "z_mark": 0}}
    reopened = Store.open(store.path)
    try:
        with reopened.read() as s:
            day = s.get_one(BusinessDay, open_day)
            assert last_seq(s, day) == seq  # the open day's figures changed
            assert restores_of(driver_connection(s)) == [(seq, 1)]
    finally:
        reopened.close()


def test_the_restore_count_goes_on_whatever_backup_is_restored(
    store: Store, open_day: int, tmp_path: Path
) -> None:
    ring(store, [("THY-50", 1000)])
    older = backup.make_backup(store.path)
    ring(store, [("THY-50", 1000)])
    with store.write() as s:
        day.close_day(s, day.count_for(day.day_report_expected(s)),
                      manager=s.scalars(select(User)).first())
    closed = backup.make_backup(store.path)
    store.close()
    backup.restore(store.path, closed)
    _, day_id, data = restore_record(store.path)
    assert (day_id, data["restores"]) == (None, 1)  # no day was open in the backup
    backup.restore(store.path, older)  # whose journal knows no restore
    assert restore_record(store.path)[2]["restores"] == 2
    laptop = tmp_path / "laptop" / DB_FILENAME  # a new laptop knows only the backup's count
    assert backup.restore(laptop, older) is None
    assert restore_record(laptop)[2] == {"backup": older.name, "restores": 1,
                                         "set_aside": None, "lost": None,
                                         "numbers": {"ticket": 1, "z": 0, "mark": 1,
                                                     "z_mark": 1}}


# --- numbering after a restore ----------------------------------------------------------


def labels(path: Path) -> list[str]:
    """Every ticket of the database at ``path`` as printed on its receipt (the label, and
    the label its QR code carries), in order; the journal must hold."""
    store = Store.open(path)
    try:
        with store.read() as s:
            found = []
            for sale_id in s.scalars(select(Sale.id).order_by(Sale.number)):
                receipt = load_sale_receipt(s, sale_id)
                (code,) = [b.payload for b in receipt.blocks if isinstance(b, QrCode)]
                label = receipt.metadata["label"]
                assert f":{label}:" in code and label in receipt.plain_text()
                found.append(label)
    finally:
        store.close()
    assert check(path).ok
    return found


def close_and_open(store: Store) -> None:
    with store.write() as s:
        manager = s.scalars(select(User)).first()
        assert manager is not None
        day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager)
        day.open_day(s, 50000, user=manager)


def close_and_open_at(path: Path) -> None:
    """:func:`close_and_open` on the database at ``path``, opened for it and closed after."""
    store = Store.open(path)
    try:
        close_and_open(store)
    finally:
        store.close()


def test_numbers_printed_before_a_restore_are_not_given_again(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tickets 2 to 4 and the Z 1 rung after the backup are lost with their database,
    but are in customers' and organisers' hands: the restored till goes on after them."""
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    ring(store, [("THY-50", 1000)])
    close_and_open(store)  # Z 1
    ring(store, [("THY-50", 1000)])
    ring(store, [("THY-50", 1000)])
    assert labels(store.path) == [f"T01-{n:06d}" for n in (1, 2, 3, 4)]
    store.close()
    code, said, err = run(capsys, "--data-dir", str(store.path.parent), "--lang", "fr",
                          "restore", str(saved))
    assert code == 0 and err == ""
    reopened = Store.open(store.path)
    ring(reopened, [("THY-50", 1000)])
    close_and_open(reopened)
    ring(reopened, [("THY-50", 1000)])
    with reopened.read() as s:
        z_numbers = s.scalars(select(BusinessDay.z_number).order_by(BusinessDay.id)).all()
    reopened.close()
    assert labels(store.path) == ["T01-000001", "T01-000005", "T01-000006"]
    assert z_numbers == [2, None]  # not Z 1 again
    code, _out, err = run(capsys, "--data-dir", str(store.path.parent), "verify")
    assert code == 0 and err == ""  # the gap 2-4 is the restore's
    assert said.splitlines()[-1] == (
        "Le prochain ticket sera le T01-000005 et le prochain rapport Z le n° 2 : les numéros "
        "imprimés avant la restauration ne sont pas redonnés.")


def test_a_gap_no_restore_explains_is_still_caught(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    ring(store, [("THY-50", 1000)])
    store.close()
    backup.restore(store.path, saved)
    reopened = Store.open(store.path)
    for _ in range(3):
        ring(reopened, [("THY-50", 1000)])  # tickets 3, 4, 5
    reopened.close()
    assert check(store.path).ok
    rechain_without(store.path, 4)
    verdict = check(store.path)
    assert not verdict.ok and verdict.problem == "journal.numbers" and verdict.ref == "4"
    tamper(store.path, "UPDATE sale SET number = 2 WHERE number = 3")  # into the gap
    verdict = check(store.path)
    assert not verdict.ok and verdict.problem in ("journal.numbers", "journal.tables")


def test_labels_carry_the_restore_when_the_lost_numbers_cannot_be_known(
    store: Store, open_day: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The damaged database cannot say how far its tickets went: the tickets after the
    restore carry its count, which no ticket before carried; a later restore that can read
    the database it sets aside keeps the mark and goes on after its tickets."""
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    ring(store, [("THY-50", 1000)])  # T01-000002, printed, then the file is damaged
    store.close()
    raw = store.path.read_bytes()
    store.path.write_bytes(b"\xa5" * 100 + raw[100:])
    code, out, err = run(capsys, "--data-dir", str(store.path.parent), "--lang", "en",
                         "restore", str(saved))
    assert code == 0 and err == ""
    reopened = Store.open(store.path)
    ring(reopened, [("THY-50", 1000)])
    assert labels(store.path) == ["T01-000001", "T01-R1-000002"]
    assert out.splitlines()[-1] == (
        "The database set aside cannot be read, so how far its receipt and Z numbers went is "
        "unknown: the next receipts and Z reports carry the restore's mark (T01-R1-000002, "
        "Z report no. R1-1), so that no number is given twice.")
    again = backup.make_backup(reopened.path)
    ring(reopened, [("THY-50", 1000)])  # T01-R1-000003, lost by the next restore
    reopened.close()
    backup.restore(store.path, again)
    reopened = Store.open(store.path)
    ring(reopened, [("THY-50", 1000)])
    reopened.close()
    assert labels(store.path) == ["T01-000001", "T01-R1-000002", "T01-R1-000004"]


def test_a_mark_is_above_every_count_the_backups_nearby_know(
    store: Store, open_day: int
) -> None:
    ring(store, [("THY-50", 1000)])
    older = backup.make_backup(store.path)
    store.close()
    for _ in range(2):
        backup.restore(store.path, older)  # restores 1 and 2
    backup.make_backup(store.path)  # a backup of restore 2, beside the older one
    raw = store.path.read_bytes()
    store.path.write_bytes(b"\xa5" * 100 + raw[100:])
    backup.restore(store.path, older)  # whose journal knows no restore
    assert restore_record(store.path)[2]["numbers"] == {"ticket": 1, "z": 0, "mark": 3,
                                                       "z_mark": 3}


def z_labels(path: Path) -> list[str]:
    """Every Z report of the database at ``path`` as printed (the number its paper shows in
    its title), in the order of the days; the sync panel's list of days says the same; the
    journal must hold."""
    store = Store.open(path)
    try:
        with store.read() as s:
            found = []
            closed = select(BusinessDay.id).where(BusinessDay.z_number.is_not(None))
            for day_id in s.scalars(closed.order_by(BusinessDay.id)):
                paper = load_day_report(s, day_id, "z", lang="en")
                label = paper.metadata["z"]
                assert paper.title == f"Z REPORT No. {label}" in paper.plain_text()
                found.append(label)
        listed = [d.z_label for d in status.snapshot(store).days if d.closed]  # newest first
    finally:
        store.close()
    assert listed[::-1] == found
    assert check(path).ok
    return found


def cli_backup(capsys: pytest.CaptureFixture[str], folder: Path) -> Path:
    """``souk-pos backup`` of the data folder ``folder``: the backup it wrote."""
    code, _out, err = run(capsys, "--data-dir", str(folder), "backup")
    assert code == 0 and err == ""
    return backup.list_backups(folder / DB_FILENAME)[0]


def test_z_numbers_carry_the_restore_when_the_lost_ones_cannot_be_known(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """The damaged database cannot say how far its Z reports went: those after the restore
    carry its count, on the paper, in ``report z`` and the sync panel; a later restore that
    can read the database it sets aside keeps the mark and goes on after its Z reports."""
    folder = store.path.parent
    close_and_open(store)  # Z 1
    store.close()
    saved = cli_backup(capsys, folder)
    close_and_open_at(store.path)  # Z 2, printed and handed over, then the file is damaged
    raw = store.path.read_bytes()
    store.path.write_bytes(b"\xa5" * 100 + raw[100:])
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "en", "restore",
                         str(saved))
    assert code == 0 and err == ""
    assert "(T01-R1-000001, Z report no. R1-2)" in out.splitlines()[-1]
    close_and_open_at(store.path)
    assert z_labels(store.path) == ["1", "R1-2"]  # not a second Z 2

    with closing(sqlite3.connect(store.path)) as conn:
        date = conn.execute("SELECT date FROM business_day LIMIT 1").fetchone()[0]
    report_z = ("--data-dir", str(folder), "--lang", "en", "report", "z", "--day", date)
    for typed in ("R1-2", "r1-2", "2", "R١-٢"):  # as the paper shows it, or its number
        code, out, err = run(capsys, *report_z, "--z", typed)
        assert (code, err) == (0, "") and out.splitlines()[0] == "Z report no. R1-2"
    code, out, _ = run(capsys, *report_z, "--z", "R1-2", "--json")
    assert code == 0 and (json.loads(out)["z_label"], json.loads(out)["z_number"]) == ("R1-2", 2)
    for typed in ("R2-2", "R1-1"):  # no Z of this till was printed so
        code, out, err = run(capsys, *report_z, "--z", typed)
        assert (code, out) == (2, "") and f"There is no Z {typed} for the day of {date}" in err
    code, out, err = run(capsys, *report_z)
    assert (code, out) == (2, "") and "closed more than once (Z 1, R1-2)" in err
    code, out, err = run(capsys, *report_z, "--z", "Z2")
    assert (code, out) == (2, "") and "'Z2' is not a Z number" in err

    again = cli_backup(capsys, folder)
    close_and_open_at(store.path)  # R1-3, lost by the next restore
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "en", "restore",
                         str(again))
    assert code == 0 and err == ""
    assert "the next Z report no. R1-4:" in out.splitlines()[-1]
    close_and_open_at(store.path)
    assert z_labels(store.path) == ["1", "R1-2", "R1-4"]
    assert run(capsys, "--data-dir", str(folder), "verify")[0] == 0


def forge_z(path: Path, z: int, forged: int) -> None:
    """Give Z ``z`` the number ``forged``, in its day and its record, and rebuild the chain
    after it: a forger who knows how the hashes are made."""
    conn = sqlite3.connect(path)
    with conn:
        (seq,) = conn.execute("SELECT close_seq FROM business_day WHERE z_number = ?",
                              (z,)).fetchone()
        conn.execute("UPDATE business_day SET z_number = ? WHERE z_number = ?", (forged, z))
        (prev,) = conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq - 1,)).fetchone()
        later = conn.execute("SELECT seq, record FROM journal WHERE seq >= ? ORDER BY seq",
                             (seq,)).fetchall()
        for at, text in later:
            record = json.loads(text)
            if at == seq:
                record["data"]["z"] = forged
            text = canonical(record)
            prev = chain_hash(prev, text)
            conn.execute("UPDATE journal SET record = ?, hash = ? WHERE seq = ?",
                         (text, prev, at))
    conn.close()


def test_a_z_gap_no_restore_explains_is_caught(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    close_and_open(store)  # Z 1
    saved = backup.make_backup(store.path)
    close_and_open(store)  # Z 2, lost by the restore
    store.close()
    backup.restore(store.path, saved)
    for _ in range(2):
        close_and_open_at(store.path)  # Z 3 and 4
    assert check(store.path).ok  # the missing Z 2 is the restore's
    forge_z(store.path, 4, 5)
    verdict = check(store.path)
    assert not verdict.ok and (verdict.problem, verdict.ref) == ("journal.z_numbers", "4")
    code, out, err = run(capsys, "--data-dir", str(store.path.parent), "--lang", "en",
                         "verify")
    assert (code, out) == (1, "") and err.startswith("Z report number 4 is missing")


# --- a backup that cannot be written ---------------------------------------------------


def test_a_full_disk_leaves_no_partial_backup_and_says_so(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    folder = backup.backup_dir(store.path)
    with small_disk(folder):
        with pytest.raises(backup.BackupFailed) as failed:
            backup.make_backup(store.path)
        assert list(folder.iterdir()) == []  # no partial file
    said = failed.value.message("ar")
    assert said.startswith(f"تعذّرت كتابة النسخة الاحتياطية في {ltr(str(folder), 'ar')}: "
                           "القرص أو ذاكرة USB ممتلئة")  # the path isolated, left to right
    assert "Something went wrong" not in failed.value.message("en")
    assert sales(store.path) == 1 and check(store.path).ok


def test_a_read_only_backups_folder_is_named_not_the_database(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = data / "backups"
    with small_disk(folder, read_only=True):
        code, out, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "backup")
        fr = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
        assert list(folder.iterdir()) == []
    assert code == 2 and out == ""
    assert err.startswith(f"souk-pos: تعذّرت كتابة النسخة الاحتياطية في {ltr(str(folder), 'ar')}"
                          ": القرص أو ذاكرة USB للقراءة فقط")
    assert "souk.sqlite3" not in err and "قاعدة البيانات" not in err.split(".")[0]
    assert fr[2].startswith(f"souk-pos: La sauvegarde n'a pas pu être écrite dans {folder} : "
                            "le disque ou la clé USB est en lecture seule")


def test_a_file_where_the_backups_folder_should_be(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "backups").write_text("not a folder")
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "backup")
    assert code == 2 and out == ""
    assert err == (f"souk-pos: The backup could not be written in {data / 'backups'}: a file "
                   "of that name is there, not a folder. The sales are safe in the database; "
                   "try again.\n")
    assert (data / "backups").read_text() == "not a folder"


# --- the folder the manager chose -------------------------------------------------------


def choose(data: Path, folder: Path) -> None:
    """Backups to ``folder``, as the manager chose it in Settings → Backups."""
    store = Store.open(data / DB_FILENAME)
    with store.write() as s:
        settings.put(s, settings.BACKUP_FOLDER, str(folder))
    store.close()


def test_backups_go_to_the_chosen_folder(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with usb_stick(tmp_path) as stick:
        choose(data, stick)
        code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "backup")
        (written,) = stick.glob(backup.PATTERN)
        assert (code, out, err) == (0, f"Backup written: {written}\n", "")
        assert backup.list_backups(data / DB_FILENAME, stick) == [written]
        assert not backup.on_laptop(stick, data / DB_FILENAME)
    assert not (data / "backups").exists()


def test_a_chosen_folder_on_the_laptops_disk_is_said_to_be_no_copy_off_it(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Documents" / "souk"  # the same disk as the database
    folder.mkdir(parents=True)
    choose(data, folder)
    assert backup.on_laptop(folder, data / DB_FILENAME)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "backup")
    (written,) = folder.glob(backup.PATTERN)  # written where it was chosen
    assert (code, err) == (0, "")
    assert out == (f"Backup written: {written}. That folder is on this laptop's own disk, not on "
                   "a USB stick: it is no copy off the laptop. Plug the USB stick in, then run "
                   "souk-pos backup again: only a copy off the laptop survives it breaking "
                   "down.\n")
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "backup")
    assert code == 0 and err == ""
    assert out.startswith("تم حفظ النسخة الاحتياطية: ")
    assert "هذا المجلد على قرص الحاسوب نفسه، لا على ذاكرة USB" in out
    assert "ثم أعد تنفيذ الأمر souk-pos backup" in out
    assert len(list(folder.glob(backup.PATTERN))) == 2 and not (data / "backups").exists()


def test_a_stick_pulled_from_its_mount_point_leaves_a_folder_of_the_laptop(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``/media/usb0`` (usbmount, fstab) stays when the stick is pulled: a folder of the
    laptop's disk, where the backups then land. The command says so, in French."""
    stick = tmp_path / "media" / "usb0"
    choose(data, stick)
    with small_disk(stick, size="64m"):
        code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
        (on_stick,) = stick.glob(backup.PATTERN)
        assert (code, out) == (0, f"Sauvegarde écrite\u00a0: {on_stick}\n")
    assert stick.is_dir() and list(stick.iterdir()) == []  # the stick pulled
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
    (on_laptop,) = stick.glob(backup.PATTERN)
    assert code == 0
    assert out == (f"Sauvegarde écrite\u00a0: {on_laptop}. Ce dossier est sur le disque de "
                   "l'ordinateur, pas sur une clé USB\u00a0: ce n'est pas une copie hors de "
                   "l'ordinateur. Branchez la clé USB, puis relancez souk-pos backup\u00a0: "
                   "seule une copie hors de l'ordinateur survit à sa panne.\n")


@pytest.mark.parametrize("stick_is", ["pulled", "full"])
def test_without_the_chosen_folder_backups_go_to_the_laptop(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], stick_is: str
) -> None:
    stick = tmp_path / "media" / "USB"
    store = Store.open(data / DB_FILENAME)
    with store.write() as s:
        settings.put(s, settings.BACKUP_FOLDER, str(stick))
    store.close()
    if stick_is == "pulled":
        code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
        reason = "le dossier n'existe pas ; la clé USB est-elle branchée ?"
        assert not stick.exists()  # never made on the laptop's disk
    else:
        with small_disk(stick):
            code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
            assert list(stick.iterdir()) == []
        reason = "le disque ou la clé USB est plein"
    (written,) = (data / "backups").glob(backup.PATTERN)
    assert code == 0 and err == ""
    assert out.startswith(f"Le dossier de sauvegarde {stick} est inutilisable : {reason}")
    assert out.endswith(f"La sauvegarde a été écrite dans le dossier de l'ordinateur : "
                        f"{written}\n")


def test_a_folder_is_checked_before_it_is_chosen(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    assert backup.check_folder(good) == good and list(good.iterdir()) == []
    with (small_disk(tmp_path / "locked", read_only=True) as locked,
          pytest.raises(backup.BackupFailed) as refused):
        backup.check_folder(locked)
    assert "lecture seule" in refused.value.message("fr")
    with pytest.raises(backup.BackupFailed) as missing:
        backup.check_folder(tmp_path / "gone")
    assert "n'existe pas" in missing.value.message("fr")


@contextlib.contextmanager
def two_partitions(image: Path, at: tuple[Path, Path]) -> Iterator[None]:
    """A disk of two partitions (a disk image on a loop device), each with a filesystem
    mounted at one of ``at``: the laptop's disk with ``/`` and ``/home`` apart. Skips
    where disks cannot be made (not root, no loop devices)."""
    with image.open("wb") as disk:
        disk.truncate(64 << 20)
        table = bytearray(512)  # an MBR: two Linux partitions of 32 MB less the first MB
        for n, start in enumerate((2048, 65536)):
            table[446 + 16 * n:462 + 16 * n] = struct.pack("<B3sB3sII", 0, bytes(3), 0x83,
                                                           bytes(3), start, 63488)
        table[510:] = b"\x55\xaa"
        disk.write(table)
    made = subprocess.run(["losetup", "--partscan", "--find", "--show", str(image)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"no disk can be made here: {made.stderr.strip()}")
    loop = made.stdout.strip()
    mounted: list[Path] = []
    try:
        subprocess.run(["partx", "--add", loop], capture_output=True, check=False)
        for n, folder in enumerate(at, 1):
            part = f"{loop}p{n}"
            folder.mkdir(parents=True, exist_ok=True)
            for command in (["mkfs.ext4", "-q", part], ["mount", part, str(folder)]):
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    pytest.skip(f"no disk can be made here: {done.stderr.strip()}")
            mounted.append(folder)
        yield
    finally:
        for folder in mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
        subprocess.run(["losetup", "--detach", loop], capture_output=True, check=False)


def test_another_partition_of_the_laptops_disk_is_no_copy_off_it(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database on one partition, the folder chosen on another of the same disk (a
    ``/home`` apart, a ``D:``): two filesystems, one disk that dies with the laptop."""
    laptop, home = tmp_path / "laptop", tmp_path / "home"
    with two_partitions(tmp_path / "disk.img", (laptop, home)):
        shutil.copytree(data, laptop / "data")
        folder = home / "backups"
        folder.mkdir()
        assert os.stat(laptop).st_dev != os.stat(home).st_dev
        choose(laptop / "data", folder)
        code, out, _ = run(capsys, "--data-dir", str(laptop / "data"), "--lang", "en", "backup")
        (written,) = folder.glob(backup.PATTERN)
        assert code == 0
        assert out.startswith(f"Backup written: {written}. That folder is on this laptop's "
                              "own disk, not on a USB stick")
        with usb_stick(tmp_path) as stick:
            assert not backup.on_laptop(stick, laptop / "data" / DB_FILENAME)


FEDORA = r"""60 1 0:30 /root / rw,relatime shared:1 - btrfs /dev/nvme0n1p3 rw,subvol=/root
23 60 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
95 60 0:30 /home /home rw,relatime shared:55 - btrfs /dev/nvme0n1p3 rw,subvol=/home
101 60 0:41 / /tmp rw,nosuid,nodev shared:60 - tmpfs tmpfs rw,size=8048420k
120 60 8:17 / /media/amina/CLE\040USB rw,nosuid,nodev,relatime shared:300 - vfat /dev/sdb1 rw
121 60 254:3 / /mnt/usb rw,relatime shared:301 - ext4 /dev/mapper/vg-data rw
122 121 8:33 / /mnt/usb rw,relatime shared:302 - ext4 /dev/sdc1 rw
"""


@pytest.mark.parametrize(("path", "mount"), [
    ("/home/amina/.local/share/souk", ("0:30", "/dev/nvme0n1p3")),  # btrfs: by its disk
    ("/", ("0:30", "/dev/nvme0n1p3")),
    ("/homework", ("0:30", "/dev/nvme0n1p3")),  # not under /home
    ("/media/amina/CLE USB/souk", ("8:17", "/dev/sdb1")),  # a space in a stick's name
    ("/media/amina/CLE USB2", ("0:30", "/dev/nvme0n1p3")),
    ("/mnt/usb/souk", ("8:33", "/dev/sdc1")),  # the stick mounted over a volume: the last
    ("/tmp/x", ("0:41", "tmpfs")),
])
def test_the_filesystem_a_folder_is_on_is_read_from_the_mounts(
    path: str, mount: tuple[str, str]
) -> None:
    assert backup.mount_of(path, FEDORA) == mount


def test_volumes_are_followed_down_to_their_disk(tmp_path: Path) -> None:
    """An encrypted LVM volume (``dm-1`` on ``dm-0`` on ``sda3``), as ``/sys/devices``
    shows it: on the disk ``sda``, as is its partition ``sda1``; a stick ``sdb`` is not."""
    devices = tmp_path / "devices"
    sda = devices / "pci0000:00" / "block" / "sda"
    for part in ("sda1", "sda3"):
        (sda / part).mkdir(parents=True)
        (sda / part / "partition").write_text(part[-1])
    (devices / "pci0000:00" / "block" / "sdb" / "sdb1").mkdir(parents=True)
    (devices / "pci0000:00" / "block" / "sdb" / "sdb1" / "partition").write_text("1")
    virtual = devices / "virtual" / "block"
    for name, under in (("dm-0", sda / "sda3"), ("dm-1", virtual / "dm-0")):
        (virtual / name / "slaves").mkdir(parents=True)
        (virtual / name / "slaves" / under.name).symlink_to(under)
    assert backup.disks_under(virtual / "dm-1") == {"sda"}
    assert backup.disks_under(sda / "sda1") == {"sda"}
    assert backup.disks_under(devices / "pci0000:00" / "block" / "sdb" / "sdb1") == {"sdb"}


def extents(*disks: int) -> bytes:
    """A ``VOLUME_DISK_EXTENTS`` as Windows fills it: the count, then each extent's disk
    number, offset and length, aligned on 8 bytes."""
    return struct.pack("<I4x", len(disks)) + b"".join(
        struct.pack("<I4xqq", disk, 1 << 20, 64 << 30) for disk in disks)


class FakeWin32File(types.ModuleType):
    """pywin32's ``win32file`` on a laptop whose disk 0 holds C: and D: (two partitions)
    and whose USB stick, disk 1, is E:; F: is a network share, which names no disk."""

    FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING = 1, 2, 3
    VOLUMES: ClassVar = {"C:\\": ("{c}", (0,)), "D:\\": ("{d}", (0,)),
                         "E:\\": ("{e}", (1,)), "G:\\": ("{g}", (0, 2))}

    def __init__(self) -> None:
        super().__init__("win32file")
        self.closed = 0

    def GetVolumePathName(self, path: str) -> str:  # pywin32 names them so
        return path[:3]

    def GetVolumeNameForVolumeMountPoint(self, root: str) -> str:
        if root not in self.VOLUMES:
            raise OSError("not a volume")
        return f"\\\\?\\Volume{self.VOLUMES[root][0]}\\"

    def CreateFile(self, name: str, *args: object) -> Any:
        assert not name.endswith("\\")  # the volume itself, not its root folder
        fake = self

        class Handle:
            volume = name

            def Close(self) -> None:
                fake.closed += 1
        return Handle()

    def DeviceIoControl(self, handle: Any, code: int, inp: None, size: int) -> bytes:
        assert code == 0x00560000  # IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS
        (disks,) = [d for v, d in self.VOLUMES.values() if handle.volume.endswith(v)]
        return extents(*disks)


def test_on_windows_a_second_partition_of_the_laptops_disk_is_not_taken_for_a_stick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeWin32File()
    monkeypatch.setitem(sys.modules, "win32file", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os.path, "realpath", lambda p: str(p))
    laptop = backup._disks_of(Path("C:\\Users\\amina\\AppData\\souk-pos"))
    assert laptop == {"PhysicalDrive0"}
    assert backup._disks_of(Path("D:\\Sauvegardes")) & laptop  # the laptop's disk
    assert not backup._disks_of(Path("E:\\souk")) & laptop  # the stick
    assert backup._disks_of(Path("G:\\")) == {"PhysicalDrive0", "PhysicalDrive2"}
    assert backup._disks_of(Path("F:\\partage")) == frozenset()  # says nothing
    assert fake.closed == 4


def test_a_volumes_disks_are_read_within_what_windows_wrote() -> None:
    assert backup.disks_of_extents(extents(3)) == {"PhysicalDrive3"}
    assert backup.disks_of_extents(extents(0, 1)[:32]) == {"PhysicalDrive0"}  # cut short
