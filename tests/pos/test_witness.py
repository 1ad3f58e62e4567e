"""A printed receipt checked against the journal: the QR code is read off the image the
printer would print, as an organiser's phone reads it, and given to ``souk-pos verify``."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from escpos.printer import Dummy

from pos import backup
from pos.db import Store
from pos.models import Sale
from pos.printing.escpos_out import PrinterSettings, send_image
from pos.printing.render import render
from pos.receipts import load_sale_receipt
from tests.helpers import ring
from tests.pos.conftest import run
from tests.pos.printing.escpos_decode import decode
from tests.pos.printing.test_qr import read_codes

WIDTH = 384


def printed_code(store: Store, sale: Sale) -> str:
    """The text of the QR code on the receipt of ``sale`` as it came out of the printer."""
    with store.read() as s:
        document = load_sale_receipt(s, sale.id, lang="fr")
    printer = Dummy()
    send_image(printer, render(document, WIDTH), PrinterSettings(width_dots=WIDTH))
    (page,) = decode(printer.output, WIDTH)
    (code,) = read_codes(page.data, WIDTH, page.height)
    return code


def verify(capsys: pytest.CaptureFixture[str], path: Path, *codes: str,
           lang: str = "en") -> tuple[int, str, str]:
    receipts = [arg for code in codes for arg in ("--receipt", code)]
    return run(capsys, "--data-dir", str(path.parent), "--lang", lang, "verify", *receipts)


def remove_last_sale(path: Path) -> None:
    """What someone hiding the day's last sale would do: take out its rows and its journal
    record, the newest one, so that the chain before it still holds."""
    with closing(sqlite3.connect(path)) as conn, conn:
        sale_id, seq = conn.execute(
            "SELECT id, journal_seq FROM sale ORDER BY number DESC LIMIT 1").fetchone()
        assert conn.execute("SELECT MAX(seq) FROM journal").fetchone()[0] == seq
        for table in ("payment", "sale_line"):
            conn.execute(f"DELETE FROM {table} WHERE sale_id = ?", (sale_id,))
        conn.execute("DELETE FROM sale WHERE id = ?", (sale_id,))
        conn.execute("DELETE FROM journal WHERE seq = ?", (seq,))


def test_a_receipt_as_printed_is_found_in_the_journal(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sale = ring(store, [("ARG-250", 2000)])
    code = printed_code(store, sale)
    assert code.startswith("SOUK1:")
    status, out, err = verify(capsys, store.path, code.lower())  # as a scanner may type it
    assert status == 0 and err == ""
    assert out.splitlines()[-1].startswith("Receipt T01-000001 (")
    assert out.splitlines()[-1].endswith(") is in the journal as printed.")


def test_the_last_sales_taken_out_are_shown_by_their_receipts(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records taken from the end of the journal leave a chain that still holds: the
    customer's receipt is what shows them."""
    sales = [ring(store, [("ARG-250", 1000)]) for _ in range(3)]
    codes = [printed_code(store, sale) for sale in sales]
    store.close()
    remove_last_sale(store.path)
    status, _, err = verify(capsys, store.path)
    assert status == 0 and err == ""  # the hash chain alone cannot tell
    status, out, err = verify(capsys, store.path, codes[0], codes[2])
    assert status == 1
    assert out.splitlines()[0] == ("The journal's hash chain holds, but not every receipt "
                                   "given is in it as printed:")
    assert "T01-000001" in out and "as printed" in out
    assert err.splitlines() == [
        "Receipt T01-000003 (" + err.split("(", 1)[1].split(")", 1)[0] + ") is not in the "
        "journal, and its number comes after the last ticket recorded (T01-000002): records "
        "were removed from the end of the journal."]


def test_a_receipt_that_says_another_amount_does_not_match(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sale = ring(store, [("ARG-250", 1000)])
    code = printed_code(store, sale)
    prefix, sale_id, label, total, digest = code.split(":")
    assert int(total) == sale.total
    forged = ":".join((prefix, sale_id, label, str(sale.total // 2), digest))
    status, _, err = verify(capsys, store.path, forged, lang="fr")
    assert status == 1
    assert err.startswith("Le ticket T01-000001 ne correspond pas au journal\u00a0: il porte ")
    other = ":".join((prefix, "00000000-0000-4000-8000-000000000000", label, total, digest))
    status, _, err = verify(capsys, store.path, other)
    assert status == 1 and "another sale carries its number" in err
    elsewhere = ":".join((prefix, "00000000-0000-4000-8000-000000000000", "T07-000001", total,
                          digest))
    status, _, err = verify(capsys, store.path, elsewhere)
    assert status == 1 and "is not from this till (whose prefix is T01)" in err


def lost_in_restore(store: Store, capsys: pytest.CaptureFixture[str], *,
                    damaged: bool) -> str:
    """Ring a sale, back up, ring a second (its receipt printed), then restore the backup,
    the database set aside ``damaged`` or not: the second receipt's code."""
    ring(store, [("THY-50", 1000)])
    saved = backup.make_backup(store.path)
    lost = printed_code(store, ring(store, [("THY-50", 1000)]))
    store.close()
    if damaged:
        raw = store.path.read_bytes()
        store.path.write_bytes(b"\xa5" * 100 + raw[100:])
    status, _, err = run(capsys, "--data-dir", str(store.path.parent), "restore", str(saved))
    assert status == 0 and err == ""
    return lost


def test_a_receipt_lost_with_a_restore_is_said_so(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    lost = lost_in_restore(store, capsys, damaged=False)
    status, _, err = verify(capsys, store.path, lost)
    assert status == 1
    assert "T01-000002" in err and "lost with the sales the backup restored on" in err


def test_a_receipt_lost_with_a_restore_that_could_not_read_the_old_database(
    store: Store, open_day: int, capsys: pytest.CaptureFixture[str]
) -> None:
    lost = lost_in_restore(store, capsys, damaged=True)
    reopened = Store.open(store.path)
    after = printed_code(reopened, ring(reopened, [("THY-50", 1000)]))  # T01-R1-000002
    reopened.close()
    status, out, err = verify(capsys, store.path, lost, after)
    assert status == 1
    assert "Receipt T01-R1-000002 (" in out
    assert "T01-000002" in err and "lost with the sales the backup restored on" in err


@pytest.mark.parametrize("code", ["SOUK1:TEST", "T01-000001", "souk1:not-a-sale:T01-1:1:ab"])
def test_what_is_not_a_receipt_code_is_refused_in_the_users_language(
    store: Store, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    store.close()
    status, out, err = verify(capsys, store.path, code, lang="fr")
    assert status == 2 and out == ""
    assert f"«\u00a0{code}\u00a0» n'est pas un code de ticket Souk POS" in err

