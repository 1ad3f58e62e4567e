"""The headless commands, run as a user would, in a subprocess-free way (main(argv))."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pos.conftest import run


def db_counts(folder: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("product", "sale", "journal")
        )
    finally:
        conn.close()


def catalogue_rows(folder: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return conn.execute(
            "SELECT sku, name_ar, name_fr, category, price, unit, tax_rate, stock, low_stock, "
            "member, photo, active, (SELECT group_concat(code) FROM barcode "
            "WHERE product_id = product.id) FROM product ORDER BY sku").fetchall()
    finally:
        conn.close()


def test_demo_sales_reports_and_verify(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(data)
    code, out, _ = run(capsys, "--data-dir", d, "--lang", "ar", "demo-sales", "--days", "2",
                       "--sales-per-day", "30")
    assert code == 0 and out == "سُجلت 60 عملية بيع تجريبية على مدى يومين.\n"  # not "days: 2"
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
    # the stall speaks French: ';' between fields, decimal commas, codes kept as text
    assert raw.startswith(b"\xef\xbb\xbfsku;name_ar;name_fr;")
    assert b';55,00;piece;0;"=""6111245780283""";20;3;' in raw
    fresh = tmp_path / "fresh"
    assert run(capsys, "--data-dir", str(fresh), "init")[0] == 0
    code, out, _ = run(capsys, "--data-dir", str(fresh), "products", "import", str(target))
    assert code == 0 and db_counts(fresh)[0] == 33
    assert catalogue_rows(fresh) == catalogue_rows(data)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["demo-sales", "--days", "zero"], "« zero »"),
        (["demo-sales", "--sales-per-day", "-4"], "« -4 »"),
        (["report", "z", "--day", "29/11/2026"], "AAAA-MM-JJ"),
        (["report", "z", "--day", "2001-01-01"], "Aucune journée"),
        (["report", "x"], "Aucune journée ouverte"),
        (["products", "import", "/no/such.csv"], "introuvable"),
        (["restore", "/no/such.sqlite3"], "Aucune sauvegarde"),
        (["frobnicate"], "« frobnicate » n'est pas une commande"),
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


def user_rows(folder: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return conn.execute("SELECT name, role FROM user ORDER BY id").fetchall()
    finally:
        conn.close()


def test_init_with_a_manager_pin_and_the_demo_adds_no_demo_staff(data: Path) -> None:
    assert user_rows(data) == [("Manager", "manager")]
    assert db_counts(data)[0] == 33
    conn = sqlite3.connect(data / "souk.sqlite3")  # the demo's first stocks, as typed there
    try:
        assert conn.execute("SELECT DISTINCT user_id, done_from FROM stock_move").fetchall() \
            == [(None, "command_line")]
    finally:
        conn.close()


def test_init_with_the_demo_alone_adds_the_demo_staff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    code, _, _ = run(capsys, "--data-dir", str(folder), "init", "--demo")
    assert code == 0
    assert [role for _, role in user_rows(folder)] == ["manager", "cashier"]


def test_init_refuses_a_manager_pin_a_cashier_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos import users
    from pos.db import Store

    folder = tmp_path / "stall"
    store = Store.open(folder / "souk.sqlite3")
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "5555")
    store.close()
    code, _, err = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init",
                       "--manager-pin", "5555")
    assert code == 2
    assert err == "souk-pos: Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre.\n"
    assert user_rows(folder) == [("Aicha", "cashier")]


def test_demo_sales_on_a_day_left_open_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos import day, users
    from pos.db import Store

    folder = tmp_path / "stall"
    run(capsys, "--data-dir", str(folder), "--lang", "en", "init", "--manager-pin", "1234")
    store = Store.open(folder / "souk.sqlite3")
    with store.write() as s:
        day.open_day(s, 50000, user=users.active_users(s)[0])
    store.close()
    before = db_counts(folder), user_rows(folder)
    code, _, err = run(capsys, "--data-dir", str(folder), "demo-sales", "--days", "2")
    assert code == 2 and err == "souk-pos: A day is already open.\n"
    assert (db_counts(folder), user_rows(folder)) == before
    assert before[0][0] == 0  # no demo catalogue either


def no_stall(folder: Path, lang: str) -> str:
    """What a command that needs a stall says of ``folder``, which holds none."""
    from pos.i18n import ltr

    return {
        "fr": f"souk-pos: Le dossier {folder} ne contient aucune caisse\u00a0: lancez-y "
              "l'application une fois ou exécutez «\u00a0souk-pos init\u00a0», ou vérifiez "
              "--data-dir. Rien n'a été créé.\n",
        "ar": f"souk-pos: لا يحتوي المجلد {ltr(str(folder), 'ar')} على أي صندوق: شغّل التطبيق "
              "فيه مرة واحدة أو نفّذ الأمر «souk-pos init»، أو تحقق من \u200e--data-dir. لم "
              "يُنشأ شيء.\n",
        "en": f"souk-pos: The folder {folder} holds no stall: start the app there once or run "
              "'souk-pos init', or check --data-dir. Nothing was created.\n",
    }[lang]


NEEDS_A_STALL = [
    ["products", "import", "{tmp}/catalogue.csv"],
    ["products", "export", "{tmp}/products.csv"],
    ["report", "z", "--day", "2024-01-01"],
    ["report", "x"],
    ["invoice", "1", "--name", "Riad Fès", "--png", "{tmp}/facture.png"],
    ["invoice", "--list"],
    ["verify"],
    ["backup"],
    ["users", "reset-pin", "Manager", "--pin", "4321"],
    ["sync"],
    ["sync", "status"],
    ["sync", "retry"],
    ["sync", "export", "{tmp}/bundle.json"],
    ["sync", "enrol", "https://souk.example.ma", "ABCD-EFGH"],
]


@pytest.mark.parametrize("argv", NEEDS_A_STALL, ids=" ".join)
@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_commands_that_need_a_stall_refuse_a_folder_without_one_and_make_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], lang: str
) -> None:
    """A mistyped ``--data-dir`` (or another user's data folder): one line in the user's
    language naming the folder and saying how a stall is made, exit 2, and nothing made:
    not a new empty stall that takes the catalogue, the enrolment or the invoice the real
    till never gets. So too in a folder that exists, and beside an empty database file (as
    ``sqlite3`` leaves one)."""
    from ui.main import main as souk_pos  # the entry point, with the sync commands

    (tmp_path / "catalogue.csv").write_text("sku,name_fr,price\nN-1,Miel,10\n",
                                            encoding="utf-8")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    missing = tmp_path / "typo"
    assert souk_pos(["--data-dir", str(missing), "--lang", lang, *argv]) == 2
    assert capsys.readouterr() == ("", no_stall(missing, lang))
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "souk.sqlite3").touch()
    assert souk_pos(["--data-dir", str(empty), "--lang", lang, *argv]) == 2
    assert capsys.readouterr() == ("", no_stall(empty, lang))
    assert [p.name for p in empty.iterdir()] == ["souk.sqlite3"]
    assert (empty / "souk.sqlite3").stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.csv", "empty"]


def test_the_commands_that_make_a_stall_still_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``init`` and ``demo-sales`` make the stall in a new folder (a restore onto a new
    laptop too: tests/pos/test_backup_laptop.py); the commands that need one then work."""
    source = tmp_path / "catalogue.csv"
    source.write_text("sku,name_fr,price\nN-1,Miel,10\n", encoding="utf-8")
    made = tmp_path / "new"
    assert run(capsys, "--data-dir", str(made), "init")[0] == 0
    assert run(capsys, "--data-dir", str(made), "products", "import", str(source))[0] == 0
    assert db_counts(made)[0] == 1
    demo = tmp_path / "demo"
    assert run(capsys, "--data-dir", str(demo), "demo-sales", "--days", "1",
               "--sales-per-day", "2")[0] == 0
    assert run(capsys, "--data-dir", str(demo), "verify")[0] == 0


def test_init_with_a_bad_pin_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new"
    code, _, err = run(capsys, "--data-dir", str(folder), "--lang", "en", "init",
                       "--manager-pin", "12")
    assert code == 2 and err == "souk-pos: A PIN is 4 to 8 digits.\n"
    assert not folder.exists()


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "--manager-name demande aussi --manager-pin (le code du gérant, 4 à 8 chiffres) : "
           "rien n'a été modifié."),
    ("ar", "\u200e--manager-name\u200e يحتاج أيضًا إلى \u200e--manager-pin\u200e (الرمز السري "
           "للمسير، من 4 إلى 8 أرقام): لم يتغير شيء."),
])
def test_init_refuses_a_manager_name_without_a_pin(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    """A name alone would add no manager: it is refused, on a new folder (left as it was)
    and on a stall already set up (its database unchanged), not silently dropped."""
    folder = tmp_path / "new"
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", lang, "init",
                         "--manager-name", "Fatima", "--demo")
    assert (code, out, err) == (2, "", f"souk-pos: {said}\n")
    assert not folder.exists()
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "init",
                         "--manager-name", "Fatima")
    assert (code, out, err) == (2, "", f"souk-pos: {said}\n")
    assert db.read_bytes() == before


def test_export_to_a_missing_folder_or_onto_a_folder(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such"
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "products", "export",
                       str(missing / "x.csv"))
    assert code == 2 and err == f"souk-pos: Dossier introuvable : {missing}.\n"
    folder = tmp_path / "exports"
    folder.mkdir()
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "products", "export",
                       str(folder))
    assert code == 2 and err == f"souk-pos: {folder} est un dossier, pas un fichier.\n"
    assert list(folder.iterdir()) == [] and not missing.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "exports"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write into a read-only folder")
def test_export_into_a_read_only_folder_leaves_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = run(capsys, "--data-dir", str(data), "--lang", "en", "products",
                           "export", str(folder / "x.csv"))
    finally:
        folder.chmod(0o700)
    assert code == 2 and err == f"souk-pos: Cannot write {folder / 'x.csv'}.\n"
    assert list(folder.iterdir()) == []


def test_an_export_that_cannot_be_written_leaves_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.csv"
    (tmp_path / "x.csv.partial").mkdir()  # in the way of the file written before the rename
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "products", "export",
                       str(target))
    assert code == 2 and err.startswith(f"souk-pos: Impossible d'écrire {target}\u00a0: ")
    assert len(err.splitlines()) == 1 and "Excel" in err
    assert not target.exists() and list((tmp_path / "x.csv.partial").iterdir()) == []


def damage(path: Path, how: str) -> None:
    if how == "not a database":
        path.write_text("Souk POS export, not a database\n", encoding="utf-8")
        return
    conn = sqlite3.connect(path)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [r for (r,) in conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name IN "
            "('journal', 'business_day', 'product', 'sale', 'setting')")]
    finally:
        conn.close()
    raw = bytearray(path.read_bytes())
    for page in roots:  # the schema still reads; these tables' first pages do not
        raw[(page - 1) * size:page * size] = b"\xa5" * size
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["not a database", "pages overwritten"])
def test_a_damaged_database_is_one_clear_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    d = str(data)
    run(capsys, "--data-dir", d, "demo-sales", "--days", "2", "--sales-per-day", "40")
    code, _, _ = run(capsys, "--data-dir", d, "backup")
    assert code == 0
    (saved,) = (data / "backups").glob("souk-*.sqlite3")
    db = data / "souk.sqlite3"
    damage(db, how)
    damaged = db.read_bytes()
    line = (f"souk-pos: The database file {db} is damaged or not a Souk POS database; "
            "restore a backup with 'souk-pos restore FILE'.\n")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for argv, expected in ((["verify"], 1), (["report", "x"], 2),
                           (["report", "z", "--day", yesterday], 2), (["backup"], 2),
                           (["products", "export", str(tmp_path / "p.csv")], 2),
                           (["demo-sales", "--days", "1"], 2)):
        code, out, err = run(capsys, "--data-dir", d, "--lang", "en", *argv)
        assert (code, out, err) == (expected, "", line), argv
    assert db.read_bytes() == damaged
    assert list((data / "backups").glob("souk-*")) == [saved]
    assert not (tmp_path / "p.csv").exists()
    code, out, _ = run(capsys, "--data-dir", d, "--lang", "en", "restore", str(saved))
    assert code == 0 and "Restored" in out
    (kept,) = data.glob("souk-before-restore-*.sqlite3")
    assert kept.read_bytes()[100:] == damaged[100:]  # the same pages, kept aside
    code, out, _ = run(capsys, "--data-dir", d, "verify")
    assert code == 0


def test_argument_errors_in_the_saved_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    folder = tmp_path / "ar"
    code, _, _ = run(capsys, "--data-dir", str(folder), "--lang", "ar", "init",
                     "--manager-pin", "1234")
    assert code == 0
    d = str(folder)
    code, _, err = run(capsys, "--data-dir", d, "report", "z", "--day", "nonsense")
    assert code == 2 and err == "souk-pos: «nonsense» ليس تاريخًا (YYYY-MM-DD).\n"
    code, _, err = run(capsys, f"--data-dir={d}", "demo-sales", "--days", "0")
    assert code == 2 and err == "souk-pos: «0» ليس عددًا صحيحًا بين 1 و3650.\n"
    monkeypatch.setenv("SOUK_POS_DATA", d)
    code, _, err = run(capsys, "report", "z", "--day", "nonsense")
    assert code == 2 and "ليس تاريخًا" in err
    code, _, err = run(capsys, "--lang", "en", "report", "z", "--day", "nonsense")
    assert code == 2 and err == "souk-pos: 'nonsense' is not a date (YYYY-MM-DD).\n"
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "none"), "report", "z", "--day", "x")
    assert code == 2 and "« x » n'est pas une date" in err


def test_report_z_of_a_date_closed_twice_asks_which(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A day closed by mistake and opened again has two Z reports: the seller picks one."""
    from pos import day, users
    from pos.db import Store
    from tests.helpers import ring

    store = Store.open(data / "souk.sqlite3")
    for sales in (2, 1):
        with store.write() as s:
            day.open_day(s, 0, user=None)
        for _ in range(sales):
            ring(store, [("ARG-250", 1000)])
        with store.write() as s:
            manager = users.require_manager(s, "1234")
            day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager)
    with store.write() as s:
        day.open_day(s, 0, user=None)  # and opened a third time: not in any Z yet
    store.close()
    d, today = str(data), dt.date.today().isoformat()
    code, out, err = run(capsys, "--data-dir", d, "report", "z", "--day", today)
    assert (code, out) == (2, "") and "clôturée plusieurs fois (Z 1, 2)" in err and "--z" in err
    for z, sales in ((1, 2), (2, 1)):
        code, out, _ = run(capsys, "--data-dir", d, "report", "z", "--day", today, "--z", str(z),
                           "--json")
        report = json.loads(out)
        assert code == 0 and (report["z_number"], report["sales_count"]) == (z, sales)
    code, out, err = run(capsys, "--data-dir", d, "--lang", "en", "report", "z", "--day", today,
                         "--z", "3")
    assert (code, out) == (2, "") and "There is no Z 3 for the day of " + today in err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--lang", "fr", "report", "z"], "souk-pos report z: Arguments manquants : --day."),
        (["--lang", "en", "report"], "souk-pos report: Say which: x, z."),
        (["--lang", "ar", "users"], "souk-pos users: حدِّد أيًّا منها: reset-pin."),
        (["--lang", "fr", "users", "reset-pin"],
         "souk-pos users reset-pin: Arguments manquants\u00a0: NAME."),
        (["--lang", "ar", "products", "import"],
         "souk-pos products import: وسائط ناقصة: FILE.csv."),
        (["--lang", "en", "restore"], "souk-pos restore: Missing arguments: FILE."),
        (["--lang", "fr", "sync", "enrol"],
         "souk-pos sync enrol: Arguments manquants\u00a0: SERVER_URL, CODE."),
        (["--lang", "fr", "report", "z", "--day"], "souk-pos report z: --day attend une valeur."),
        (["--lang", "fr", "report", "x", "--json=oui"],
         "souk-pos report x: --json ne prend pas de valeur."),
        (["--lang", "ar", "verify", "now"], "souk-pos: وسائط غير معروفة: now."),
        (["--lang", "fr", "frobnicate"],
         "souk-pos: « frobnicate » n'est pas une commande. Les commandes : init, users, "
         "products, sales, demo-sales, report, invoice, verify, backup, restore, sync, "
         "screenshots."),
        (["--lang", "fr", "products", "purge"],
         "souk-pos products: « purge » n'est pas une commande. Les commandes : import, export."),
        (["--lang", "ar", "sync", "--attempts", "99"],
         "souk-pos sync: --attempts: «99» ليس من بين: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10."),
        (["--lang", "fr", "sync", "--attempts", "abc"],
         "souk-pos sync: --attempts : « abc » n'est pas une valeur valide."),
        (["--lang", "fr", "sync", "--connect-timeout", "abc"],
         "souk-pos: « abc » n'est pas un nombre de secondes supérieur à 0 et d'au plus 600."),
        (["--lang", "en", "init", "--man", "x"],
         "souk-pos init: --man could be --manager-name, --manager-pin: write it in full."),
    ],
)
def test_usage_errors_are_one_line_in_the_users_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    from ui.main import main as souk_pos  # the entry point, with the sync commands

    folder = tmp_path / "new"
    code = souk_pos(["--data-dir", str(folder), *argv])
    assert (code, *capsys.readouterr()) == (2, "", line + "\n")
    assert not folder.exists()


def test_help_is_in_the_language_asked_keeping_what_is_typed_latin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--help`` speaks ``--lang``'s language, argparse's own words ("usage:",
    "options:") too; the commands, options and metavars stay as they are typed."""
    from ui.main import main as souk_pos

    monkeypatch.setenv("COLUMNS", "80")  # a terminal's width, as argparse wraps to it

    assert souk_pos(["--lang", "ar", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("الاستعمال: souk-pos [-h] [--data-dir DIR] [--lang {ar,fr,en}]")
    assert "\nالخيارات:\n" in out and "\nالوسائط:\n" in out
    assert "  -h, --help            يعرض هذه المساعدة ثم يخرج\n" in out
    assert "    init                ينشئ قاعدة البيانات (والمسير)\n" in out
    assert "    sync                يرسل ملخصات الأيام إلى خادم المنظمين الآن\n" in out
    assert "usage:" not in out and "options:" not in out and "show this help" not in out
    assert souk_pos(["--lang", "fr", "sync", "enrol", "-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : souk-pos sync enrol [-h] [--ca-file CA_FILE]")
    assert "inscrit cette caisse avec le code à usage unique de l'organisateur" in out
    assert "  --name NAME        le nom de cette caisse pour les organisateurs\n" in out


def test_help_speaks_the_stalls_language_without_lang(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stall speaks French (its language saved): ``init --help`` is in French."""
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--data-dir", str(data), "init", "--help")
    assert code == 0 and out.startswith("utilisation : souk-pos init [-h]")
    assert "crée la base de données (et le gérant)" in out
    assert "le code du gérant, 4 à 8 chiffres" in out and "--manager-pin PIN" in out
    for argv, usage in (
            (["report", "z"], "souk-pos report z [-h] --day YYYY-MM-DD [--z N] [--json]"),
            (["users", "reset-pin"], "souk-pos users reset-pin [-h] [--pin PIN] NAME"),
            (["products", "import"], "souk-pos products import [-h] FILE.csv")):
        code, out, _ = run(capsys, "--data-dir", str(data), *argv, "--help")
        assert code == 0 and out.startswith(f"utilisation\u00a0: {usage}\n"), out


def test_every_help_text_is_in_the_catalogue() -> None:
    """Every command and argument of ``souk-pos`` has its help (in the three languages: the
    translation test checks every message is)."""
    from pos.cli import HELP
    from pos.i18n import catalogue
    from pos.usage import help_keys
    from ui.main import command_parser

    keys = help_keys(command_parser(), HELP)
    assert "cli.help.init.manager_pin" in keys and "cli.help.sync.enrol.ca_file" in keys
    assert [key for key in keys if key not in catalogue()] == []


def test_an_unknown_language_is_said_in_the_saved_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    folder = tmp_path / "ar"
    assert run(capsys, "--data-dir", str(folder), "--lang", "ar", "init")[0] == 0
    before = folder.joinpath("souk.sqlite3").read_bytes()
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "de", "verify")
    assert (code, out, err) == (2, "", "souk-pos: لغة غير معروفة: «de». اختر ar أو fr أو en.\n")
    assert folder.joinpath("souk.sqlite3").read_bytes() == before
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "none"), "--lang=de", "verify")
    assert (code, out, err) == (2, "", "souk-pos: Unknown language 'de': choose ar, fr or en.\n")
    assert not (tmp_path / "none").exists()


def test_seconds_are_refused_in_words() -> None:
    from pos.cli import seconds_up_to
    from pos.errors import InputError

    parse = seconds_up_to(600)
    assert (parse("0.5"), parse("600")) == (0.5, 600.0)
    for text in ("abc", "0", "-1", "601", "nan", "inf"):
        with pytest.raises(InputError) as caught:
            parse(text)
        assert caught.value.message("fr") == (
            f"« {text} » n'est pas un nombre de secondes supérieur à 0 et d'au plus 600.")


@pytest.mark.parametrize("prefix", ["X" * 300, "T-03", "T 3", "", "ت03", "T0123456X"])
def test_init_refuses_a_prefix_that_cannot_head_a_receipt_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prefix: str
) -> None:
    folder = tmp_path / "new"
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init",
                         "--prefix", prefix)
    assert (code, out) == (2, "")
    assert err == ("souk-pos: Le préfixe des numéros de ticket doit compter de 1 à 8 lettres "
                   "A-Z ou chiffres, comme T03.\n")
    assert not folder.exists()


def test_init_keeps_a_prefix_of_letters_and_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos import settings
    from pos.db import Store

    folder = tmp_path / "new"
    assert run(capsys, "--data-dir", str(folder), "init", "--prefix", "Souk2026")[0] == 0
    store = Store.open(folder / "souk.sqlite3")
    try:
        with store.read() as s:
            assert settings.ticket_label(settings.device_prefix(s), 12) == "Souk2026-000012"
    finally:
        store.close()


def test_counts_of_products_read_as_each_language_says_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "one.csv"
    one.write_text("sku,name_ar,name_fr,price\nN-1,جديد,Nouveau,10\n", encoding="utf-8")
    folder = str(tmp_path / "stall")
    assert run(capsys, "--data-dir", folder, "init")[0] == 0
    for lang, said in (("fr", "1 produit importé. Nouveaux\u00a0: 1, mis à jour\u00a0: 0."),
                       ("en", "1 product imported. New: 0, updated: 1."),
                       ("ar", "تم استيراد منتج واحد. جديدة: 0، محدّثة: 1.")):
        code, out, _ = run(capsys, "--data-dir", folder, "--lang", lang, "products", "import",
                           str(one))
        assert (code, out) == (0, said + "\n")
    empty = tmp_path / "empty"
    assert run(capsys, "--data-dir", str(empty), "--lang", "fr", "init")[0] == 0
    target = tmp_path / "none.csv"
    for lang, said in (("fr", f"0 produit exporté vers {target}."),
                       ("en", f"0 products exported to {target}."),
                       ("ar", f"لم يُصدَّر أي منتج إلى {target}.")):
        code, out, _ = run(capsys, "--data-dir", str(empty), "--lang", lang, "products",
                           "export", str(target))
        assert (code, out) == (0, said + "\n")


def test_report_lines_follow_each_languages_punctuation(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(data)
    assert run(capsys, "--data-dir", d, "demo-sales", "--days", "1", "--sales-per-day", "3")[0] == 0
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    lines = {}
    for lang in ("fr", "en", "ar"):
        code, out, _ = run(capsys, "--data-dir", d, "--lang", lang, "report", "z",
                           "--day", yesterday)
        assert code == 0
        lines[lang] = out.splitlines()
    assert lines["fr"][2].startswith("Ventes\u00a0: 3  ")
    assert lines["en"][2].startswith("Sales: 3  ")
    assert lines["ar"][2].startswith("المبيعات: 3  ")
    assert all("\u00a0: " in line for line in lines["fr"][2:])
    assert not any(" :" in line for line in lines["fr"][2:])


def saved_settings(folder: Path) -> dict[str, str]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return dict(conn.execute("SELECT key, value FROM setting").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "Cette caisse est déjà configurée et a un gérant : rien n'a été modifié. Pour "
           "changer le code, ouvrez l'application : Réglages → Utilisateurs → Changer le "
           "code ; pour un gérant qui l'a oublié : souk-pos users reset-pin suivi de son nom."),
    ("ar", "هذا الصندوق مُعَدّ من قبل وله مسير: لم يتغير شيء. لتغيير الرمز السري افتح "
           "التطبيق: الإعدادات ← المستخدمون ← تغيير الرمز؛ لمسير نسي رمزه: "
           "\u200esouk-pos users reset-pin\u200e متبوعًا باسمه."),
    ("en", "This stall is already set up and has a manager: nothing was changed. To change "
           "the PIN, open the app: Settings → Users → Change the PIN; for a manager who forgot "
           "it: souk-pos users reset-pin followed by their name."),
])
def test_init_refuses_a_pin_on_a_stall_that_has_a_manager(
    data: Path, capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    from pos import users
    from pos.db import Store
    from pos.errors import AuthError

    db = data / "souk.sqlite3"
    before = db.read_bytes(), saved_settings(data)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "init",
                         "--manager-pin", "9876", "--prefix", "T07", "--demo")
    assert (code, out, err) == (2, "", f"souk-pos: {said}\n")
    assert (db.read_bytes(), saved_settings(data)) == before
    store = Store.open(db)
    try:
        with store.read() as s:
            assert users.authenticate(s, "1234").role == users.MANAGER
            with pytest.raises(AuthError):
                users.authenticate(s, "9876")
    finally:
        store.close()


def test_lang_says_the_commands_messages_and_leaves_the_stalls_language(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stall speaks French (set when it was made): a command run with ``--lang ar``
    answers in Arabic, and the stall, the app and the next commands still speak French."""
    from pos.files import saved_language

    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "init")
    assert (code, err) == (0, "")
    assert out == f"قاعدة البيانات موجودة من قبل: {data / 'souk.sqlite3'}\nلم يتغير شيء.\n"
    assert saved_language(data / "souk.sqlite3") == "fr"
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "en", "verify")
    assert code == 0 and out.startswith("Journal intact: ")
    code, out, _ = run(capsys, "--data-dir", str(data), "verify")
    assert code == 0 and out.startswith("Journal intact : ")
    assert saved_language(data / "souk.sqlite3") == "fr"


def test_init_says_what_it_added_to_a_stall_without_a_manager(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "one.csv"
    one.write_text("sku,name_ar,name_fr,price\nN-1,جديد,Nouveau,10\n", encoding="utf-8")
    folder = tmp_path / "stall"
    assert run(capsys, "--data-dir", str(folder), "--lang", "fr", "init")[0] == 0
    assert run(capsys, "--data-dir", str(folder), "--lang", "fr", "products", "import",
               str(one))[0] == 0
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init",
                         "--manager-pin", "4321", "--manager-name", "Fatima", "--prefix", "T07",
                         "--demo")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Base de données déjà en place : {folder / 'souk.sqlite3'}",
        "Les numéros de ticket commencent maintenant par T07.",
        "Gérant Fatima ajouté.",
        "Catalogue de démonstration non chargé : la caisse a déjà des produits.",
    ]
    assert user_rows(folder) == [("Fatima", "manager")] and db_counts(folder)[0] == 1
    new = tmp_path / "new"
    code, out, _ = run(capsys, "--data-dir", str(new), "--lang", "en", "init",
                       "--manager-pin", "4321", "--demo")
    assert code == 0 and out.splitlines() == [
        f"Database ready: {new / 'souk.sqlite3'}", "Manager Manager added.",
        "Demo catalogue loaded."]


def test_verify_counts_the_records_as_each_language_says_them(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos import day
    from pos.db import Store
    from tests.helpers import ring

    store = Store.open(data / "souk.sqlite3")
    with store.write() as s:
        day.open_day(s, 0, user=None)
    for _ in range(3):
        ring(store, [("ARG-250", 1000)])
    store.close()
    said = {}
    for lang in ("ar", "fr", "en"):
        code, out, _ = run(capsys, "--data-dir", str(data), "--lang", lang, "verify")
        assert code == 0
        said[lang] = out.partition("،" if lang == "ar" else ",")[0]
    assert said == {"ar": "السجل سليم: 4 قيود", "fr": "Journal intact : 4 enregistrements",
                    "en": "Journal intact: 4 records"}


def journal_rows(folder: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return conn.execute("SELECT kind, record FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()


def signs_in(folder: Path, pin: str) -> str | None:
    """The name of the user ``pin`` signs in, or None."""
    from pos import users
    from pos.db import Store
    from pos.errors import AuthError

    store = Store.open(folder / "souk.sqlite3")
    try:
        with store.read() as s:
            try:
                return users.authenticate(s, pin).name
            except AuthError:
                return None
    finally:
        store.close()


@pytest.mark.parametrize(("lang", "asked", "said"), [
    ("fr", ["Nouveau code de Manager (4 à 8 chiffres, non affiché)\u00a0: ",
            "Le même code encore une fois\u00a0: "],
     "Manager a un nouveau code\u00a0; le journal enregistre qu'il a été changé en ligne de "
     "commande.\n"),
    ("ar", ["الرمز السري الجديد لـManager (من 4 إلى 8 أرقام، لا يظهر): ",
            "الرمز نفسه مرة أخرى: "],
     "لـManager رمز سري جديد؛ سُجّل في السجل أنه غُيّر من سطر الأوامر.\n"),
])
def test_a_manager_who_forgot_the_pin_gets_a_new_one_on_the_laptop(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    lang: str, asked: list[str], said: str
) -> None:
    """The only manager forgot the PIN: ``users reset-pin`` asks the new one twice without
    showing it (Arabic-Indic digits are digits), saves it hashed, and the journal says it
    was changed from the command line, naming the manager, never the PIN; the journal
    still verifies."""
    typed = iter(["٤٣٢١", "4321"])
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("getpass.getpass", getpass)
    before = len(journal_rows(data))
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "users",
                         "reset-pin", " manager ")
    assert (code, out, err) == (0, said, "")
    assert prompts == asked
    assert signs_in(data, "4321") == "Manager" and signs_in(data, "1234") is None
    rows = journal_rows(data)
    assert len(rows) == before + 1
    kind, record = rows[-1]
    assert kind == "pin_change"
    assert json.loads(record)["data"] == {"user": 1, "name": "Manager", "role": "manager",
                                          "from": "command_line"}
    conn = sqlite3.connect(data / "souk.sqlite3")
    try:
        assert "4321" not in conn.execute("SELECT pin_hash FROM user").fetchone()[0]
    finally:
        conn.close()
    assert "4321" not in record
    code, out, _ = run(capsys, "--data-dir", str(data), "verify")
    assert code == 0 and "Journal intact" in out


def test_reset_pin_takes_the_pin_for_scripts(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "users",
                         "reset-pin", "Manager", "--pin", "٨٧٦٥")
    assert (code, err) == (0, "")
    assert out == ("Manager has a new PIN; the journal records that it was changed from the "
                   "command line.\n")
    assert signs_in(data, "8765") == "Manager"


@pytest.mark.parametrize(("argv", "typed", "said"), [
    (["--pin", "12"], [], "Un code PIN compte 4 à 8 chiffres."),
    (["--pin", "douze"], [], "Un code PIN compte 4 à 8 chiffres."),
    ([], ["4321", "4312"], "Les deux codes ne sont pas identiques."),
    ([], ["123", "123"], "Un code PIN compte 4 à 8 chiffres."),
    (["--pin", "5555"], [],  # Aicha's
     "Un autre utilisateur a déjà ce code PIN\u00a0; choisissez-en un autre."),
])
def test_reset_pin_refuses_a_pin_the_app_would_refuse(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], typed: list[str], said: str
) -> None:
    from pos import users
    from pos.db import Store

    store = Store.open(data / "souk.sqlite3")
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "5555")
    store.close()
    answers = iter(typed)
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    code, out, err = run(capsys, "--data-dir", str(data), "users", "reset-pin", "Manager",
                         *argv)
    assert (code, out, err) == (2, "", f"souk-pos: {said}\n")
    assert db.read_bytes() == before
    assert signs_in(data, "1234") == "Manager"


def test_reset_pin_is_for_an_active_manager_named(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pos import users
    from pos.db import Store

    store = Store.open(data / "souk.sqlite3")
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "5555")
    store.close()
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    for name in ("Aicha", "Karim"):
        code, out, err = run(capsys, "--data-dir", str(data), "users", "reset-pin", name,
                             "--pin", "4321")
        assert (code, out) == (2, "")
        assert err == (f"souk-pos: Aucun gérant ne s'appelle {name} ici\u00a0; les gérants\u00a0: "
                       "Manager. Rien n'a été modifié.\n")
    assert db.read_bytes() == before


def test_reset_pin_is_refused_while_the_app_is_open(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app holds its folder while it runs: the PIN is not changed under it, and the
    command says to close it first, before any PIN is asked."""
    from pos import folder_lock

    monkeypatch.setattr("getpass.getpass", lambda _prompt="": pytest.fail("PIN asked"))
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    with folder_lock.alone(data, folder_lock.APP_LOCK_FILENAME):  # the app, running
        code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "users",
                             "reset-pin", "Manager")
    assert (code, out) == (2, "")
    assert err == (f"souk-pos: Souk POS is open on this folder ({data}): close it first, then "
                   "run the command again. Nothing was changed.\n")
    assert db.read_bytes() == before
    code, _, _ = run(capsys, "--data-dir", str(data), "users", "reset-pin", "Manager",
                     "--pin", "4321")
    assert code == 0 and signs_in(data, "4321") == "Manager"


@pytest.mark.parametrize("command", [["init", "--manager-pin", "1234", "--manager-name"]])
def test_init_refuses_a_name_longer_than_a_receipt_keeps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    folder = tmp_path / "stall"
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "en", *command, "N" * 81)
    assert (code, out) == (2, "")
    assert err == "souk-pos: A name has at most 80 characters, this one has 81: shorten it.\n"
    assert not (folder / "souk.sqlite3").exists()
    code, _, _ = run(capsys, "--data-dir", str(folder), *command, "N" * 80)
    assert code == 0 and user_rows(folder) == [("N" * 80, "manager")]


ROOT = Path(__file__).resolve().parents[2]

#: the app's start, as far as its folder: held as *the* app (``ui.app.hold_folder``), or
#: the message the cashier would read; held until told to end on standard input
APP_STARTS = """
import sys
from pathlib import Path
from pos.errors import SoukError
from ui.app import hold_folder

try:
    held = hold_folder(Path(sys.argv[1]))
except SoukError as exc:
    print("told:", exc.message("en"), flush=True)
    raise SystemExit(2)
print("started", flush=True)
sys.stdin.read()
"""


def start_app(folder: Path) -> subprocess.Popen[str]:
    """The app started on ``folder`` in another process; it has started, or said why not,
    once its first line is read."""
    return subprocess.Popen([sys.executable, "-c", APP_STARTS, str(folder)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_app_starts_while_reset_pin_waits_for_the_pin(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cashier starts the stall app while the manager is still to type the new PIN: the
    app starts (it is not told it is already open); the PIN typed after is saved once the
    app is closed."""
    said: list[str] = []

    def getpass(prompt: str = "") -> str:
        if not said:  # the manager has not typed yet: a cashier starts the app
            app = start_app(data)
            assert app.stdout is not None
            said.append(app.stdout.readline())
            app.communicate("", timeout=60)  # and closes it
        return "4321"

    monkeypatch.setattr("getpass.getpass", getpass)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "users",
                         "reset-pin", "Manager")
    assert said == ["started\n"]
    assert (code, err) == (0, "")
    assert out == ("Manager has a new PIN; the journal records that it was changed from the "
                   "command line.\n")
    assert signs_in(data, "4321") == "Manager"


def test_an_app_opened_while_the_pin_is_typed_gets_no_pin_changed_under_it(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app is started while the manager types the PIN, and is still open when it is
    typed: the command says so and that the PIN was not changed, writes nothing, and
    works once the app is closed."""
    apps: list[subprocess.Popen[str]] = []

    def getpass(prompt: str = "") -> str:
        if not apps:
            apps.append(start_app(data))
            assert apps[0].stdout is not None and apps[0].stdout.readline() == "started\n"
        return "4321"

    monkeypatch.setattr("getpass.getpass", getpass)
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    try:
        code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "users",
                             "reset-pin", "Manager")
        assert (code, out) == (2, "")
        assert err == (f"souk-pos: Souk POS was opened on this folder ({data}) while the PIN "
                       "was being typed: the PIN was not changed. Close the app, then run the "
                       "command again.\n")
        assert db.read_bytes() == before
        assert signs_in(data, "1234") == "Manager" and signs_in(data, "4321") is None
    finally:
        apps[0].communicate("", timeout=60)  # the app is closed
    code, _, _ = run(capsys, "--data-dir", str(data), "users", "reset-pin", "Manager")
    assert code == 0 and signs_in(data, "4321") == "Manager"


@pytest.mark.parametrize("command", [
    ["init", "--manager-pin", "1234"], ["products", "import", "{csv}"], ["report", "x"],
    ["demo-sales", "--days", "1"], ["users", "reset-pin", "Manager", "--pin", "4321"],
    ["backup"],
])
def test_a_data_dir_that_is_a_file_is_said_and_nothing_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """``--data-dir`` given a file (the CSV's name typed in its place): one line saying so,
    exit 2, the file as it was and nothing made beside it; not a traceback."""
    csv = tmp_path / "produits.csv"
    csv.write_text("sku;name_ar;name_fr;price\r\nN-1;جديد;Nouveau;10,50\r\n", encoding="utf-8")
    before = csv.read_bytes()
    argv = [arg.replace("{csv}", str(csv)) for arg in command]
    code, out, err = run(capsys, "--data-dir", str(csv), "--lang", "fr", *argv)
    assert (code, out) == (2, "")
    assert err == (f"souk-pos: {csv} est un fichier, pas un dossier\u00a0: --data-dir indique "
                   "le dossier de la base de données de la caisse. Rien n'a été modifié.\n")
    assert csv.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [csv.name]


def test_a_data_dir_that_cannot_be_made_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that cannot be made (here under a file) is said with the system's reason,
    in the user's language: not a traceback."""
    under = tmp_path / "notes.txt"
    under.write_text("pas un dossier")
    folder = under / "caisse"
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "fr", "init")
    assert (code, out) == (2, "")
    assert err.startswith(f"souk-pos: La base de données {folder / 'souk.sqlite3'} est "
                          "inutilisable\u00a0: ")
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert under.read_text() == "pas un dossier"


def test_reset_pin_with_no_terminal_says_to_give_the_pin_and_changes_nothing(
    data: Path
) -> None:
    """Run where there is no terminal to type the PIN on unseen (a scheduled task, a pipe):
    the command does not read it shown, with Python's warnings in English; it says, in the
    stall's language, to run it in a terminal or give ``--pin``, and changes nothing."""
    db = data / "souk.sqlite3"
    before = db.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", "from pos.cli import main; raise SystemExit(main())",
         "--data-dir", str(data), "users", "reset-pin", "Manager"],
        cwd=ROOT, input="4321\n4321\n", capture_output=True, text=True, timeout=120,
        start_new_session=True,  # no controlling terminal
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "souk-pos: Aucun terminal où taper le code sans qu'il s'affiche\u00a0: lancez la "
        "commande dans un terminal, ou donnez le code avec --pin. Rien n'a été modifié.\n")
    assert db.read_bytes() == before
    assert signs_in(data, "1234") == "Manager"


@pytest.mark.parametrize("option", ["--pdf", "--receipt-pdf", "--png"])
def test_an_invoice_saved_onto_a_folder_is_refused_before_it_is_made(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    """``--pdf`` given a folder (the file's name forgotten): one line saying so, exit 2, and
    no invoice made (not one made, then a traceback)."""
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    folder = tmp_path / "factures"
    folder.mkdir()
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "invoice", "1",
                         "--name", "Riad Fès", option, str(folder))
    assert (code, out) == (2, "")
    assert err == f"souk-pos: {folder} est un dossier, pas un fichier.\n"
    assert list(folder.iterdir()) == []
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(("lang", "full", "too_long"), [
    ("fr", "le disque ou la clé USB est plein (No space left on device)",
     "le nom est trop long pour le système de fichiers\u00a0; choisissez-en un plus court "
     "(File name too long)"),
    ("ar", "القرص أو ذاكرة USB ممتلئة (No space left on device)",
     "الاسم طويل جدًا بالنسبة لنظام الملفات؛ اختر اسمًا أقصر (File name too long)"),
])
def test_an_invoice_whose_file_cannot_be_written_is_not_made(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, full: str,
    too_long: str,
) -> None:
    """A file asked that cannot be written (a full USB stick, a name the system refuses):
    one line naming it and saying why, exit 2; no invoice recorded and no file left, the
    A4 page written before it taken away too. Run again where it can be written, the
    invoice is the first, T01-F…-00001, as an original: not a DUPLICATA of one the
    customer never got."""
    from pos.i18n import ltr
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    stick = tmp_path / "stick"
    stick.mkdir()
    page, png = stick / "facture.pdf", stick / "facture.png"
    (stick / "facture.png.partial").symlink_to("/dev/full")  # whatever is written: full
    base = ("--data-dir", str(data), "--lang", lang, "invoice", "1", "--name", "Riad Fès")
    code, out, err = run(capsys, *base, "--pdf", str(page), "--png", str(png))
    not_made = {"fr": "Rien n'a été enregistré et aucun fichier n'a été écrit.",
                "ar": "لم يُسجَّل شيء ولم يُكتب أي ملف."}[lang]
    cannot = {"fr": "Impossible d'écrire {}\u00a0: {}. ", "ar": "تعذّرت كتابة {}: {}. "}[lang]
    assert (code, out) == (2, "")
    assert err == f"souk-pos: {cannot.format(ltr(str(png), lang), full)}{not_made}\n"
    assert list(stick.iterdir()) == []
    long_name = stick / ("facture-" + "x" * 260 + ".pdf")
    code, out, err = run(capsys, *base, "--receipt-pdf", str(long_name))
    assert (code, out) == (2, "")
    assert err == f"souk-pos: {cannot.format(ltr(str(long_name), lang), too_long)}{not_made}\n"
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == []
    code, out, err = run(capsys, *base, "--pdf", str(page), "--png", str(png))
    assert (code, err) == (0, "")
    year = dt.date.today().year
    assert out.splitlines()[0] == {
        "fr": f"Facture T01-F{year}-00001 établie pour le ticket T01-000001 (Riad Fès).",
        "ar": f"أُعِدّت الفاتورة T01-F{year}-00001 للوصل T01-000001 (Riad Fès)."}[lang]
    assert sorted(p.name for p in stick.iterdir()) == ["facture.pdf", "facture.png"]
    assert page.read_bytes().startswith(b"%PDF") and png.read_bytes().startswith(b"\x89PNG")


def test_an_invoice_asked_twice_in_one_file_is_refused_before_it_is_made(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--pdf`` and ``--png`` given the same file: one would be lost under the other."""
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    same = tmp_path / "facture"
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "invoice", "1",
                         "--name", "Riad Fès", "--pdf", str(same), "--png", str(same))
    assert (code, out) == (2, "")
    assert err == (f"souk-pos: --pdf, --receipt-pdf and --png each need a file of their own: "
                   f"{same} is given twice.\n")
    assert list(tmp_path.iterdir()) == [data]
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == []


def test_a_backup_stopped_with_ctrl_c_leaves_no_part_of_a_file(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C while the backup is written (the photos added to the copy): one line saying
    no backup was made, exit 130, and no ``.partial`` file left in the backups folder for a
    manager to take for a backup; no Python trace."""
    from pos import backup

    def ctrl_c(db_path: Path, target: Path) -> None:
        assert target.exists()  # the database is copied in part
        raise KeyboardInterrupt

    code, _, _ = run(capsys, "--data-dir", str(data), "backup")
    assert code == 0
    (first,) = (data / "backups").iterdir()
    monkeypatch.setattr(backup, "_add_files", ctrl_c)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "backup")
    assert (code, out) == (130, "")
    assert err == "souk-pos: Stopped: no backup was made, and the part written was removed.\n"
    assert list((data / "backups").iterdir()) == [first]


def test_a_backup_stopped_once_written_says_where_it_is(
    data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C after the backup took its name, while the oldest ones are put away: it is
    a backup, and the line says where."""
    from pos import backup

    def ctrl_c(folder: Path) -> list[Path]:
        raise KeyboardInterrupt

    monkeypatch.setattr(backup, "_backups_in", ctrl_c)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
    (made,) = (data / "backups").iterdir()
    assert made.suffix == ".sqlite3" and (code, out) == (130, "")
    assert err == (f"souk-pos: Interrompu après l'écriture de la sauvegarde\u00a0: {made}. "
                   "D'anciennes sauvegardes qu'elle aurait supprimées peuvent rester.\n")


def test_demo_sales_stopped_with_ctrl_c_say_the_days_finished_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A day a transaction: Ctrl+C in the third day leaves the two finished, as said."""
    from pos import demo

    closing_day = demo.day.close_day
    closed: list[int] = []

    def ctrl_c_at_the_third(*args: object, **kwargs: object) -> object:
        if len(closed) == 2:
            raise KeyboardInterrupt
        closed.append(1)
        return closing_day(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo.day, "close_day", ctrl_c_at_the_third)
    folder = tmp_path / "essai"
    code, _, err = run(capsys, "--data-dir", str(folder), "--lang", "en", "demo-sales",
                       "--days", "4", "--sales-per-day", "2")
    assert code == 130
    assert err == ("souk-pos: Stopped: the demo days already finished stay in the journal; "
                   "nothing of the day in progress was written.\n")
    assert db_counts(folder)[1] >= 4 and len(closed) == 2
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        assert conn.execute("SELECT COUNT(*) FROM business_day").fetchone()[0] == 2
    finally:
        conn.close()


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "souk-pos: Interrompu\u00a0: aucune facture ni aucun avoir n'a été enregistré, et "
           "aucun fichier n'a été écrit.\n"),
    ("ar", "souk-pos: توقف الأمر: لم تُسجَّل أي فاتورة ولا أي إشعار دائن، ولم يُكتب أي ملف.\n"),
])
@pytest.mark.parametrize("how", ["raised", "sigint"])
@pytest.mark.usefixtures("ctrl_c")
def test_an_invoice_stopped_while_its_files_are_made_records_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, lang: str, said: str, how: str,
) -> None:
    """Ctrl+C while the PNG is made, the A4 page written already: one line saying that no
    invoice was recorded and no file written, exit 130; none is, and no part of a file is
    left. Whether Ctrl+C stops the rendering (``raised``) or comes as a real SIGINT, held
    off while the invoice is made and its files written, then acted on before anything is
    recorded (``sigint``)."""
    import signal

    from pos.printing.render import Raster
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    making = Raster.png_bytes

    def ctrl_c(raster: Raster) -> bytes:
        if how == "raised":
            raise KeyboardInterrupt
        signal.raise_signal(signal.SIGINT)
        return making(raster)

    monkeypatch.setattr(Raster, "png_bytes", ctrl_c)
    out_dir = tmp_path / "factures"
    out_dir.mkdir()
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "invoice", "1",
                         "--name", "Riad Fès", "--pdf", str(out_dir / "a4.pdf"),
                         "--png", str(out_dir / "ticket.png"))
    assert (code, out, err) == (130, "", said)
    assert list(out_dir.iterdir()) == []
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == []


def test_a_file_that_cannot_take_its_name_once_the_invoice_is_recorded_is_said(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A folder made where the PNG goes while the invoice is recorded (or a stick pulled
    out then): the invoice stays made and its A4 page is saved; one line says the PNG
    could not take its name and how to get it, exit 1, no part file left. The same
    command run again gives it, as a duplicate."""
    import pos.cli
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    page, png = tmp_path / "a4.pdf", tmp_path / "ticket.png"
    writing = pos.cli.write_partial

    def then_a_folder_there(path: Path, content: bytes) -> Path:
        written = writing(path, content)
        if path == png:
            png.mkdir()
            (png / "photo.jpg").write_bytes(b"kept")
        return written

    monkeypatch.setattr(pos.cli, "write_partial", then_a_folder_there)
    base = ("--data-dir", str(data), "--lang", "fr", "invoice", "1", "--name", "Riad Fès")
    code, out, err = run(capsys, *base, "--pdf", str(page), "--png", str(png))
    year = dt.date.today().year
    assert (code, out.splitlines()) == (1, [
        f"Facture T01-F{year}-00001 établie pour le ticket T01-000001 (Riad Fès).",
        f"Enregistrée dans {page}."])
    assert err.startswith(f"souk-pos: {png} n'a pas pu prendre son nom\u00a0: ")
    assert err.endswith("pour obtenir ce fichier, relancez la même commande\u00a0: elle "
                        "donne la facture en duplicata.\n") and err.count("\n") == 1
    assert page.read_bytes().startswith(b"%PDF")
    assert (png / "photo.jpg").read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a4.pdf", "data", "ticket.png"]
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == [f"T01-F{year}-00001"]

    again = tmp_path / "ticket-2.png"
    code, out, err = run(capsys, *base, "--png", str(again))
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("Le ticket T01-000001 a déjà sa facture")
    assert again.read_bytes().startswith(b"\x89PNG")


@pytest.mark.usefixtures("ctrl_c")
def test_ctrl_c_once_the_invoice_is_recorded_waits_for_its_files(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real Ctrl+C (SIGINT) once the invoice is recorded, as its files take their names:
    they all do, what is done is said, then the line that it was stopped once all was
    done, exit 130."""
    import signal

    from pos.cli import Context
    from tests.pos.test_invoices import _invoices, _opened, _ticket_in

    _ticket_in(data)
    saying = Context.say
    said: list[str] = []

    def ctrl_c_then_say(ctx: Context, text: str) -> None:
        if not said:
            signal.raise_signal(signal.SIGINT)
        said.append(text)
        saying(ctx, text)

    monkeypatch.setattr(Context, "say", ctrl_c_then_say)
    page, png = tmp_path / "a4.pdf", tmp_path / "ticket.png"
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "en", "invoice", "1",
                         "--name", "Riad Fès", "--pdf", str(page), "--png", str(png))
    year = dt.date.today().year
    assert (code, out.splitlines()) == (130, [
        f"Invoice T01-F{year}-00001 made for ticket T01-000001 (Riad Fès).",
        f"Saved to {page}.", f"Saved to {png}."])
    assert err == "souk-pos: Stopped once all was done: what is said above is done.\n"
    assert page.read_bytes().startswith(b"%PDF") and png.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a4.pdf", "data", "ticket.png"]
    with _opened(data / "souk.sqlite3") as store:
        assert _invoices(store) == [f"T01-F{year}-00001"]
