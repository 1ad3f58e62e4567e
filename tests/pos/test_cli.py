"""The headless commands, run as a user would, in a subprocess-free way (main(argv))."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from pos.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    code, _, _ = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init",
                     "--manager-pin", "1234", "--demo")
    assert code == 0
    return folder


def db_counts(folder: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("product", "sale", "journal")
        )
    finally:
        conn.close()


def test_demo_sales_reports_and_verify(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(data)
    code, _, _ = run(capsys, "--data-dir", d, "demo-sales", "--days", "2", "--sales-per-day", "30")
    assert code == 0
    code, out, _ = run(capsys, "--data-dir", d, "verify")
    assert code == 0 and "Journal intact" in out
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    code, out, _ = run(capsys, "--data-dir", d, "report", "z", "--day", yesterday, "--json")
    report = json.loads(out)
    assert code == 0 and report["z_number"] == 2 and report["sales_count"] == 30
    assert report["net"] == report["gross"] - report["refunds"] - report["voids"]
    code, out, _ = run(capsys, "--data-dir", d, "--lang", "ar", "report", "z", "--day", yesterday)
    assert code == 0 and "تقرير Z رقم 2" in out and "د.م." in out


def test_products_export_then_import(data: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "products.csv"
    code, out, _ = run(capsys, "--data-dir", str(data), "products", "export", str(target))
    assert code == 0 and "33" in out
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "زيت أركان".encode() in raw
    fresh = tmp_path / "fresh"
    code, out, _ = run(capsys, "--data-dir", str(fresh), "products", "import", str(target))
    assert code == 0 and db_counts(fresh)[0] == 33


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["demo-sales", "--days", "zero"], "« zero »"),
        (["demo-sales", "--sales-per-day", "-4"], "« -4 »"),
        (["report", "z", "--day", "29/11/2026"], "AAAA-MM-JJ"),
        (["report", "z", "--day", "2001-01-01"], "Aucune journée"),
        (["report", "x"], "Aucune journée ouverte"),
        (["products", "import", "/no/such.csv"], "introuvable"),
        (["restore", "/no/such.sqlite3"], "Aucune sauvegarde"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_clear_line_exit_2_nothing_written(
    data: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    before = db_counts(data)
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", *argv)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert db_counts(data) == before


def test_a_bad_csv_row_imports_nothing(data: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name_ar,name_fr,price\nN-1,جديد,Nouveau,10\nN-2,جديد,Nouveau,1O\n",
                   encoding="utf-8")
    before = db_counts(data)
    code, _, err = run(capsys, "--data-dir", str(data), "products", "import", str(bad))
    assert code == 2 and "Ligne 3" in err
    assert db_counts(data) == before


def test_verify_fails_on_a_tampered_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--data-dir", str(data), "demo-sales", "--days", "1", "--sales-per-day", "5")
    conn = sqlite3.connect(data / "souk.sqlite3")
    with conn:
        conn.execute("UPDATE journal SET record = replace(record, '\"kind\"', '\"kind\" ') "
                     "WHERE seq = 4")
    conn.close()
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "en", "verify")
    assert code == 1 and "Record 4 was altered" in err


def test_backup_command(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _ = run(capsys, "--data-dir", str(data), "backup", "--keep", "2")
    assert code == 0
    assert len(list((data / "backups").glob("souk-*.sqlite3"))) == 1
