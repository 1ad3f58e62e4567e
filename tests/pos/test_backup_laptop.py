"""The laptop died: the manager carries the USB stick's backups to a new laptop and
restores one with ``souk-pos restore``, or restores one over a till that went on selling.
What the command says (which backup, whose till, the sales set aside), and the backups it
refuses, in French and Arabic."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pos import backup
from pos.db import DB_FILENAME
from pos.i18n import tr_count
from tests.pos.conftest import run


def sale_ids(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM sale WHERE kind = 'sale'")}


def week_on_a_stick(data: Path, stick: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A week of sales, backed up to the USB stick ``stick``; the backup's path."""
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "7",
               "--sales-per-day", "6")[0] == 0
    stick.mkdir()
    with closing(sqlite3.connect(data / DB_FILENAME)) as conn, conn:
        conn.execute("INSERT OR REPLACE INTO setting (key, value) VALUES "
                     "('backup_folder', ?), ('cooperative', ?)",
                     (f'"{stick}"', '{"name_fr": "Coopérative Argan", "name_ar": "تعاونية أركان"}'))
    code, out, _ = run(capsys, "--data-dir", str(data), "backup")
    assert code == 0 and str(stick) in out
    (found,) = stick.glob("souk-*.sqlite3")
    return found


def test_a_new_laptop_is_told_what_the_backup_holds_and_whose_till_it_is(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    new = tmp_path / "new-laptop"
    code, out, err = run(capsys, "--data-dir", str(new), "--lang", "fr", "restore", str(stick))
    assert code == 0, err
    assert "caisse T01 de Coopérative Argan" in out
    assert "42 ventes, 7 jours" in out
    assert "à la demande" in out
    assert sale_ids(new / DB_FILENAME) == sale_ids(data / DB_FILENAME)
    assert "absentes" not in out  # a new laptop sets nothing aside
    assert "prendra la place" not in out  # a till enrolled with no market server


def test_an_enrolled_tills_backup_on_another_laptop_says_the_first_must_stop_selling(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cooperative copying its till to a second laptop by restoring its backup would have
    two tills under one enrolment, the organisers getting one's sales only: the restore
    says the new laptop takes the first one's place, and how to add a second till. Put
    back on the till itself (a restore to undo a mistake), it says nothing of it."""
    week_on_a_stick(data, tmp_path / "usb", capsys)
    with closing(sqlite3.connect(data / DB_FILENAME)) as conn, conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('sync', ?)", (json.dumps(
            {"url": "http://127.0.0.1:8700", "device_id": "d1", "token": "secret"}),))
    assert run(capsys, "--data-dir", str(data), "backup")[0] == 0
    stick = max((tmp_path / "usb").glob("souk-*.sqlite3"))
    found = backup.contents(stick)
    assert found is not None and found.enrolled
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "second"), "--lang", "fr",
                         "restore", str(stick))
    assert code == 0, err
    assert ("Cet ordinateur prendra la place de la caisse de cette sauvegarde, avec son "
            "inscription auprès des organisateurs\u00a0: l'autre ordinateur doit cesser de "
            "vendre") in out
    assert "Pour une deuxième caisse au stand, ne restaurez pas" in out
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "restore", str(stick))
    assert code == 0, err
    assert "سيحل هذا الحاسوب محل" not in out


def test_in_arabic_the_backup_is_described_in_arabic_words(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "new"), "--lang", "ar",
                         "restore", str(stick))
    assert code == 0, err
    assert "الجهاز T01 لدى تعاونية أركان" in out
    assert "42 عملية بيع، 7 أيام" in out  # the Arabic comma, the plural of 3 to 10
    found = backup.contents(stick)
    assert found is not None
    assert tr_count("ar", "backup.sales", 1) == "عملية بيع واحدة"
    assert tr_count("ar", "backup.days", 2) == "يومان"
    assert tr_count("ar", "backup.sales", 11) == "11 عملية بيع"


def test_sales_since_the_backup_are_counted_and_kept_aside_when_it_is_restored(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    before = sale_ids(data / DB_FILENAME)
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "1",
               "--sales-per-day", "3")[0] == 0
    after = sale_ids(data / DB_FILENAME)
    assert len(after - before) == 3
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "restore", str(stick))
    assert code == 0, err
    assert "Ventes de cette caisse absentes de la sauvegarde\u00a0: 3 (" in out
    (kept,) = data.glob("souk-before-restore-*.sqlite3")
    assert kept.name in out
    assert sale_ids(kept) == after  # never lost: the set-aside file holds them all
    assert sale_ids(data / DB_FILENAME) == before


def test_another_tills_backup_is_named_as_such_before_it_replaces_this_one(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    assert run(capsys, "--data-dir", str(other), "--lang", "fr", "init", "--manager-pin",
               "5678", "--prefix", "T07")[0] == 0
    stick = week_on_a_stick(other, tmp_path / "usb", capsys)
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "1",
               "--sales-per-day", "2")[0] == 0  # this till has sold
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "restore", str(stick))
    assert code == 0, err
    assert ("Attention\u00a0: cette sauvegarde est celle d'une autre caisse (caisse T07 de "
            "Coopérative Argan), pas de celle-ci.") in out


def test_a_newer_versions_backup_is_refused_before_anything_changes(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    newer = tmp_path / "souk-newer.sqlite3"
    shutil.copyfile(stick, newer)
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    new = tmp_path / "new"
    code, _, err = run(capsys, "--data-dir", str(new), "--lang", "fr", "restore", str(newer))
    assert code == 2
    assert "version plus récente de Souk POS\u00a0: mettez l'application à jour" in err
    assert not new.exists()  # the till was not left on a database it cannot open
    before = (data / DB_FILENAME).read_bytes()
    code, _, err = run(capsys, "--data-dir", str(data), "--lang", "ar", "restore", str(newer))
    assert code == 2 and "بإصدار أحدث من Souk POS" in err
    assert (data / DB_FILENAME).read_bytes() == before
    assert not list(data.glob("*before-restore*"))


def test_a_folder_given_for_the_backup_is_refused_in_words(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "new"), "--lang", "fr",
                       "restore", str(stick.parent))
    assert code == 2
    assert "est un dossier\u00a0: choisissez-y un fichier de sauvegarde" in err


def test_what_cannot_be_read_has_no_description(tmp_path: Path, data: Path) -> None:
    cut = tmp_path / "souk-20261128-203000-000000-z.sqlite3"
    cut.write_bytes((data / DB_FILENAME).read_bytes()[:3000])
    assert backup.contents(cut) is None
    notes = tmp_path / "notes.txt"
    notes.write_text("liste des prix")
    assert backup.contents(notes) is None


def test_a_backup_restored_over_a_new_laptops_fresh_database_gives_no_number_twice(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The new laptop was set up first (``init``, or the first-run wizard): its empty
    database, another till's, says nothing of how far the dead laptop's numbers went."""
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    new = tmp_path / "new"
    assert run(capsys, "--data-dir", str(new), "--lang", "fr", "init", "--manager-pin",
               "2468")[0] == 0
    code, out, err = run(capsys, "--data-dir", str(new), "--lang", "fr", "restore", str(stick))
    assert code == 0, err
    assert "La base mise de côté est celle d'une autre caisse (ou d'un nouvel ordinateur)" in out
    assert "(T01-R1-000043, rapport Z n° R1-8)" in out
    assert "autre caisse (caisse" not in out  # nothing was sold here: no warning


def test_a_backup_the_stick_could_not_take_says_what_to_do_next(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    shutil.rmtree(stick.parent)  # the stick pulled
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "backup")
    assert code == 0, err
    assert ("Corrigez cela (clé USB branchée, pas pleine, pas protégée en écriture), puis "
            "relancez souk-pos backup") in out
    (written,) = (data / "backups").glob("souk-*.sqlite3")
    assert out.endswith(f"La sauvegarde a été écrite dans le dossier de l'ordinateur\u00a0: "
                        f"{written}\n")


def test_the_photos_and_the_logo_come_back_on_the_new_laptop(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    (data / "photos").mkdir()
    (data / "photos" / "ARG-250.png").write_bytes(png)
    logo = tmp_path / "Pictures" / "argan.png"  # wherever the manager kept it
    logo.parent.mkdir()
    logo.write_bytes(png[::-1][:64] + png)
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    with closing(sqlite3.connect(data / DB_FILENAME)) as conn, conn:
        conn.execute("UPDATE setting SET value = ? WHERE key = 'cooperative'",
                     (json.dumps({"name_fr": "Coopérative Argan", "logo": str(logo)}),))
    assert run(capsys, "--data-dir", str(data), "backup")[0] == 0
    stick = max((tmp_path / "usb").glob("souk-*.sqlite3"))
    shutil.rmtree(data)  # the laptop died
    shutil.rmtree(logo.parent)
    new = tmp_path / "new"
    code, _, err = run(capsys, "--data-dir", str(new), "--lang", "fr", "restore", str(stick))
    assert code == 0, err
    assert (new / "photos" / "ARG-250.png").read_bytes() == png
    with closing(sqlite3.connect(new / DB_FILENAME)) as conn:
        coop = json.loads(conn.execute(
            "SELECT value FROM setting WHERE key = 'cooperative'").fetchone()[0])
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert coop["logo"] == str(new / "logo" / "argan.png")
    assert Path(coop["logo"]).read_bytes() == png[::-1][:64] + png
    assert backup.FILES not in tables  # the files went to the folder, not into the till
    assert run(capsys, "--data-dir", str(new), "verify")[0] == 0


def left_beside(data: Path) -> list[str]:
    """What a restore may leave beside the database: its copy set aside, its copy being
    prepared."""
    return sorted(p.name for p in data.iterdir() if "before-restore" in p.name
                  or ".restoring" in p.name)


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "souk-pos: Interrompu\u00a0: rien n'a été restauré\u00a0; la base de données est "
           "telle qu'elle était.\n"),
    ("ar", "souk-pos: توقف الأمر: لم يُسترجع شيء، وقاعدة البيانات كما كانت.\n"),
])
def test_a_restore_stopped_while_it_is_prepared_leaves_the_database_as_it_was(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, lang: str, said: str) -> None:
    """Ctrl+C while the restored copy is prepared (the restore being recorded in it): one
    line saying nothing was restored, exit 130; the till's sales are all there, and
    neither the copy set aside nor the one prepared is left beside the database."""
    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "1",
               "--sales-per-day", "3")[0] == 0
    before = sale_ids(data / DB_FILENAME)

    def ctrl_c(staging: Path, *_args: object) -> None:
        assert staging.exists()  # the backup is copied beside the database
        raise KeyboardInterrupt

    monkeypatch.setattr(backup, "_record_in", ctrl_c)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "restore", str(stick))
    assert (code, out, err) == (130, "", said)
    assert sale_ids(data / DB_FILENAME) == before and left_beside(data) == []
    code, out, _ = run(capsys, "--data-dir", str(data), "verify")
    assert code == 0


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.usefixtures("ctrl_c")
def test_ctrl_c_as_the_backup_is_put_in_place_waits_until_it_is_whole(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """A real Ctrl+C (SIGINT) as the restored copy replaces the database: the swap is
    never left half done (the old log gone, the new file not yet in place); it ends,
    then the command stops, saying the backup is restored whole and where the database
    it replaced is kept."""
    import signal

    from pos.i18n import ltr

    stick = week_on_a_stick(data, tmp_path / "usb", capsys)
    backed_up = sale_ids(data / DB_FILENAME)
    assert run(capsys, "--data-dir", str(data), "demo-sales", "--days", "1",
               "--sales-per-day", "3")[0] == 0
    sold = sale_ids(data / DB_FILENAME)
    swap = backup._swap

    def ctrl_c_then_swap(staging: Path, db_path: Path) -> None:
        signal.raise_signal(signal.SIGINT)
        swap(staging, db_path)

    monkeypatch.setattr(backup, "_swap", ctrl_c_then_swap)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "restore", str(stick))
    (kept,) = data.glob("souk-before-restore-*.sqlite3")
    path = ltr(str(kept), lang)
    assert (code, out) == (130, "")
    assert err == {
        "fr": "souk-pos: Interrompu une fois la sauvegarde restaurée en entier\u00a0; la base "
              f"de données qu'elle remplace est gardée de côté\u00a0: {path}.\n",
        "ar": "souk-pos: توقف الأمر بعد أن استُرجعت النسخة الاحتياطية كاملة؛ وقاعدة البيانات "
              f"التي حلّت محلها محفوظة جانبًا: {path}.\n"}[lang]
    assert sale_ids(data / DB_FILENAME) == backed_up and sale_ids(kept) == sold
    assert not list(data.glob("*.restoring*"))
    assert run(capsys, "--data-dir", str(data), "verify")[0] == 0
