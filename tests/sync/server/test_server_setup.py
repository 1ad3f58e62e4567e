"""Setting up a new market edition from nothing, as its organisers do it with
``souk-server``: the cooperatives imported from the CSV file they prepared in Excel, every
stand's enrolment code printed at once with the server's address, the stalls enrolling with
the codes read off that page and sending their first day; and the market's dates moved
only when no day the stalls sent falls outside them."""

from __future__ import annotations

import datetime as dt
import html
import io
import random
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from pos import demo, users
from pos.db import DB_FILENAME, Store
from sync.client.engine import enrol_store, sync_store
from sync.client.errors import EnrolFailed, Revoked
from sync.server import ingest
from sync.server.db import Database
from sync.server.i18n import Translator
from sync.server.models import Cooperative, DaySummaryRow, Device, EnrolCode, Market
from tests.sync.client.support import LiveServer, Till

from .server_support import enrol, push_body, summary
from .test_server_cli import counts, main, run

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

STARTS = dt.date(2026, 5, 12)
MARKET = ["market", "add", "--name-ar", "السوق المتنقل لفاس", "--name-fr",
          "Marché itinérant de Fès", "--city", "Fès", "--city-ar", "فاس", "--region",
          "Fès-Meknès", "--starts", STARTS.isoformat(), "--ends", "2026-05-16"]
URL = "http://192.168.1.10:8700"
#: a sheet of cooperatives as Excel in French writes it ("CSV UTF-8": a byte order mark,
#: ``;``, CRLF, the empty columns and row it leaves), with the sectors and yes/no as a
#: French organiser types them
EXCEL_FR = (
    "\ufeffStand;Name_AR;Name_FR;Sector;Province;Province_AR;Members;Women_led;Youth_led;;\r\n"
    "A1;تعاونية الزعفران;Coopérative Safran;Produits alimentaires;Taliouine;تالوين;25;oui;"
    "non;;\r\n"
    "10;تعاونية الأعشاب;Coopérative des herbes;herbs;Ifrane;;8;;x;;\r\n"
    "2;تعاونية الزرابي;Coopérative Tapis;Artisanat;Azilal;أزيلال;30;VRAI;FAUX;;\r\n"
    ";;;;;;;;;;\r\n"
)
#: the same cooperatives typed in Arabic, ``,`` between fields and no byte order mark
PLAIN_AR = (
    "stand,name_ar,name_fr,sector,province,members,women_led\n"
    "A1,تعاونية الزعفران,Coopérative Safran,المنتجات الغذائية,Taliouine,25,نعم\n"
    "10,تعاونية الأعشاب,Coopérative des herbes,herbs,Ifrane,8,لا\n"
    '2,تعاونية الزرابي,"Coopérative Tapis, Azilal",handicrafts,Azilal,30,1\n'
)


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "cooperatives.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))  # as Excel loses Arabic
    return path


def cooperatives(db: Database) -> list[tuple[str, str, str, str, int, bool, bool]]:
    with db.read() as s:
        return [(c.stand, c.name_ar, c.sector, c.province, c.members, c.women_led, c.youth_led)
                for c in s.scalars(select(Cooperative).order_by(Cooperative.id))]


def test_the_cooperatives_come_from_the_organisers_excel_file(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Saved by Excel in French: each cooperative is added, and the command says each one's
    id and stand (the ids ``enrol-code`` takes) and the command that prints their codes."""
    run(database_url, *MARKET, capsys=capsys)
    code, out, err = run(database_url, "cooperative", "import",
                         str(csv_file(tmp_path, EXCEL_FR)), "--market", "1", capsys=capsys,
                         lang="fr")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "coopérative 1\u00a0: Coopérative Safran / تعاونية الزعفران, stand A1, Taliouine / تالوين, "
        "région Fès-Meknès",
        "coopérative 2\u00a0: Coopérative des herbes / تعاونية الأعشاب, stand 10, Ifrane, région "
        "Fès-Meknès",
        "coopérative 3\u00a0: Coopérative Tapis / تعاونية الزرابي, stand 2, Azilal / أزيلال, "
        "région Fès-Meknès",
        "coopératives ajoutées au marché 1\u00a0: 3. Leurs codes d'inscription\u00a0: "
        "souk-server enrol-code --market 1 --url ADRESSE --html codes.html",
        "La province n'a pas de nom en arabe\u00a0: les pages et fichiers en arabe l'écriront "
        "en lettres latines (Ifrane). Pour le lui donner\u00a0: souk-server cooperative edit 2 "
        "--province-ar NOM",
    ]
    assert cooperatives(db) == [
        ("A1", "تعاونية الزعفران", "food", "Taliouine", 25, True, False),
        ("10", "تعاونية الأعشاب", "herbs", "Ifrane", 8, False, True),
        ("2", "تعاونية الزرابي", "handicrafts", "Azilal", 30, True, False),
    ]
    with db.read() as s:
        assert {c.region for c in s.scalars(select(Cooperative))} == {"Fès-Meknès"}


@pytest.mark.parametrize("header", [
    "Stand;Nom AR;Nom FR;Secteur;Province;Membres;Région",
    "الرواق;الاسم بالعربية;الاسم بالفرنسية;القطاع;الإقليم;عدد الأعضاء;الجهة"])
def test_the_columns_may_be_named_in_french_or_in_arabic(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], header: str) -> None:
    """An organiser who titled the sheet's columns in French or Arabic, as the rest of
    the sheet is, has it read as if named as ``cooperative add`` names its options."""
    run(database_url, *MARKET, capsys=capsys)
    text = (f"{header}\r\n"
            "A1;تعاونية الزعفران;Coopérative Safran;Produits alimentaires;Taliouine;25;Souss\r\n")
    code, _, err = run(database_url, "cooperative", "import", str(csv_file(tmp_path, text)),
                       "--market", "1", capsys=capsys)
    assert code == 0, err
    assert [row[:3] for row in cooperatives(db)] == [("A1", "تعاونية الزعفران", "food")]
    with db.read() as s:
        (coop,) = s.scalars(select(Cooperative))
        assert (coop.name_fr, coop.members, coop.region) == ("Coopérative Safran", 25, "Souss")


def test_a_file_typed_in_arabic_with_commas_and_no_byte_order_mark(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    code, out, _ = run(database_url, "cooperative", "import", str(csv_file(tmp_path, PLAIN_AR)),
                       "--market", "1", capsys=capsys, lang="ar")
    assert code == 0
    assert out.splitlines()[-2].startswith("عدد التعاونيات المضافة إلى السوق 1: 3.")
    assert out.splitlines()[-1].startswith("ليس لإقليم التعاونيات ذات الأرقام 1، 2، 3 اسم")
    assert [row[:3] + row[5:6] for row in cooperatives(db)] == [
        ("A1", "تعاونية الزعفران", "food", True), ("10", "تعاونية الأعشاب", "herbs", False),
        ("2", "تعاونية الزرابي", "handicrafts", True)]


@pytest.mark.parametrize(("text", "encoding", "lang", "message"), [
    (EXCEL_FR.replace("herbs", "plantes"), "utf-8", "fr",
     "cooperatives.csv, ligne 3\u00a0: secteur inconnu «\u00a0plantes\u00a0» (au choix\u00a0: "
     "Artisanat, Produits alimentaires, Plantes aromatiques et médicinales, Cosmétiques "
     "naturels, Autres). Rien n'a été importé"),
    (EXCEL_FR.replace("\r\n2;", "\r\nA1;"), "utf-8", "fr",
     "cooperatives.csv, ligne 4\u00a0: le stand A1 figure déjà à la ligne 2. "
     "Rien n'a été importé"),
    (EXCEL_FR.replace(";8;", ";huit;"), "utf-8", "fr",
     "cooperatives.csv, ligne 3\u00a0: «\u00a0huit\u00a0» n'est pas un nombre entier. "
     "Rien n'a été importé"),
    (EXCEL_FR.replace("VRAI", "peut-être"), "utf-8", "fr",
     "cooperatives.csv, ligne 4\u00a0: «\u00a0peut-être\u00a0» dans la colonne women_led n'est "
     "ni oui ni non (oui/non, نعم/لا, 1/0). Rien n'a été importé"),
    (EXCEL_FR.replace("Coopérative Tapis", ""), "utf-8", "fr",
     "cooperatives.csv, ligne 4\u00a0: le nom en français ne doit pas être vide. "
     "Rien n'a été importé"),
    # Excel's plain "CSV" on a French Windows: Latin-1 letters, the Arabic lost to "?"
    (EXCEL_FR.lstrip("\ufeff"), "cp1252", "fr",
     "cooperatives.csv n'est pas en UTF-8\u00a0: dans Excel, enregistrez-le au format "
     "«\u00a0CSV UTF-8\u00a0». Rien n'a été importé"),
    (PLAIN_AR.replace("تعاونية الأعشاب", "??????? ???????"), "utf-8", "fr",
     "cooperatives.csv, ligne 3\u00a0: le nom en arabe «\u00a0??????? ???????\u00a0» a perdu ses "
     "lettres"),
    (PLAIN_AR.replace("province,", "provence,"), "utf-8", "fr",
     "cooperatives.csv a une colonne inconnue «\u00a0provence\u00a0» (les colonnes\u00a0: "
     "stand, name_ar, name_fr, sector, province, members, province_ar, region, women_led, "
     "youth_led). Rien n'a été importé"),
    (PLAIN_AR.replace(",members", ""), "utf-8", "ar",
     "تنقص الملفَ cooperatives.csv أعمدةٌ في سطره الأول: \u200emembers\u200e. "
     "لم يُستورد أي شيء"),
    (PLAIN_AR.replace("handicrafts", "رمل"), "utf-8", "ar",
     "\u200ecooperatives.csv\u200e، السطر 4: قطاع غير معروف «رمل» (من بين: الصناعة التقليدية، "
     "المنتجات الغذائية، النباتات العطرية والطبية، مستحضرات التجميل الطبيعية، أخرى)"),
    (PLAIN_AR.splitlines()[0] + "\n", "utf-8", "fr",
     "cooperatives.csv ne contient aucune coopérative sous sa ligne de noms de colonnes"),
    # saved from an empty sheet: nothing, or Excel's byte order mark and a line end
    ("", "utf-8", "fr",
     "cooperatives.csv est vide\u00a0: sa première ligne doit nommer les colonnes (stand, "
     "name_ar, name_fr, sector, province, members), avec une coopérative par ligne en "
     "dessous. Rien n'a été importé"),
    ("\ufeff\r\n", "utf-8", "ar",
     "الملف cooperatives.csv فارغ: يجب أن يتضمن سطره الأول أسماء الأعمدة"),
])
def test_a_file_with_a_bad_row_imports_nothing(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, text: str, encoding: str, lang: str,
        message: str) -> None:
    """One line in the organiser's language naming the row's line as Excel numbers it,
    exit 2, and not one cooperative of the file added."""
    run(database_url, *MARKET, capsys=capsys)
    monkeypatch.chdir(tmp_path)
    import_refused(database_url, db, csv_file(tmp_path, text, encoding), capsys, lang, message)


def import_refused(database_url: str, db: Database, path: Path,
                   capsys: pytest.CaptureFixture[str], lang: str, message: str) -> None:
    """``cooperative import`` of the file ``path`` (in the current folder) into market 1
    refused: exit 2, one line holding ``message`` in ``lang``, nothing added."""
    before = counts(db)
    code, out, err = run(database_url, "cooperative", "import", path.name, "--market", "1",
                         capsys=capsys, lang=lang)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err
    assert counts(db) == before


def test_a_file_that_is_not_there_is_said_in_the_organisers_language(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    missing = tmp_path / "coopératives.csv"
    for lang, said in (
            ("fr", f"souk-server\u00a0: erreur\u00a0: impossible de lire {missing}\u00a0: ce "
                   "fichier ou ce dossier n'existe pas\n"),
            ("ar", f"souk-server: خطأ: تعذّرت قراءة {missing}: لا وجود لهذا الملف أو المجلد\n")):
        assert run(database_url, "cooperative", "import", str(missing), "--market", "1",
                   capsys=capsys, lang=lang) == (2, "", said)


def test_a_stand_taken_already_imports_nothing(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The same file imported twice (or a stand given to a cooperative added by hand): the
    row is named, and the file's other cooperatives are not added either."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "add", "--market", "1", "--name-ar", "تعاونية",
        "--name-fr", "Coopérative", "--sector", "food", "--province", "Fès", "--stand", "2",
        "--members", "5", capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, "cooperative", "import",
                         str(csv_file(tmp_path, EXCEL_FR)), "--market", "1", capsys=capsys,
                         lang="fr")
    assert (code, out) == (2, "")
    assert err.endswith(", ligne 4\u00a0: le stand 2 du marché 1 est déjà pris par la "
                        "coopérative 1. Rien n'a été importé\n")
    assert counts(db) == before
    code, _, err = run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
                       "--market", "7", capsys=capsys)
    assert (code, err) == (2, "souk-server: error: no market with id 7\n")
    assert counts(db) == before


def issued(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(EnrolCode)) or 0


def codes_on_the_page(page: str) -> dict[str, str]:
    """Each stand's code, read off the printed page as a person reads the slips."""
    slips = re.findall(r'<div class="stand"><bdi dir="ltr"[^>]*>([^<]*)</bdi></div>.*?'
                       r'<div class="code">.*?<bdi dir="ltr">([A-Z0-9-]{15})</bdi>', page)
    return {html.unescape(stand): code for stand, code in slips}


def test_every_stands_code_on_one_page_to_print(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The morning of the first day: one command writes a slip per stand, in the order of
    the stands, each with its cooperative's names, the server's address and a code that
    enrols that cooperative; the page is the owner's alone, the terminal shows no code and
    only the codes' hashes are kept."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys)
    page = tmp_path / "codes.html"
    page.write_text("last year's codes")
    page.chmod(0o644)
    code, out, err = run(database_url, "enrol-code", "--market", "1", "--url", URL + "/",
                         "--html", str(page), "--days", "2", capsys=capsys, lang="fr")
    assert (code, err) == (0, "")
    with db.read() as s:
        until = s.scalars(select(EnrolCode.expires_at)).first()
    assert until is not None
    moment = Translator("fr").moment(until)
    assert out == (f"les codes d'inscription des stands sont prêts à imprimer dans {page} "
                   f"(codes\u00a0: 3, à usage unique, valables jusqu'au {moment} (heure du "
                   "Maroc))\n")
    assert page.stat().st_mode & 0o777 == 0o600
    text = page.read_text(encoding="utf-8")
    codes = codes_on_the_page(text)
    assert list(codes) == ["2", "10", "A1"]  # as the stands are walked
    for code_text in codes.values():
        assert code_text not in out
    assert text.count(f">{URL}</bdi>") >= 3  # the address on each slip
    for name in ("تعاونية الزعفران", "Coopérative Safran", "تعاونية الزرابي",
                 "Coopérative Tapis", "Réglages → Synchronisation", "الإعدادات ← المزامنة",
                 "Inscrire cette caisse", "تسجيل هذا الجهاز", moment):
        assert name in text
    assert text.count("<svg") == 3  # a QR code per slip
    with db.read() as s:
        stored = set(s.scalars(select(EnrolCode.code_hash)))
    assert not stored & set(codes.values())
    with db.write() as s:
        enrolled = {stand: ingest.enrol(s, c, f"T{stand}").cooperative.stand
                    for stand, c in codes.items()}
    assert enrolled == {"2": "2", "10": "10", "A1": "A1"}


def test_the_arabic_page_reads_right_to_left(database_url: str, db: Database, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys)
    page = tmp_path / "رموز.html"
    code, out, _ = run(database_url, "enrol-code", "--market", "1", "--url", URL, "--html",
                       str(page), capsys=capsys, lang="ar")
    assert code == 0 and out.startswith(f"رموز تسجيل الأروقة جاهزة للطبع في \u200e{page}\u200e")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in text
    assert "<title>رموز تسجيل الصناديق: السوق 1، السوق المتنقل لفاس</title>" in text
    assert len(codes_on_the_page(text)) == 3


def test_every_stands_code_on_the_terminal(database_url: str, db: Database, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Without a page: a line per stand, its code and its cooperative, to read out by phone;
    ``--not-enrolled`` leaves out the stands whose till is enrolled already."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys)
    code, out, _ = run(database_url, "enrol-code", "--market", "1", "--url", URL,
                       capsys=capsys, lang="fr")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(
        "Codes d'inscription des stands du marché 1 (Marché itinérant de Fès), à usage unique, "
        "valables jusqu'au ")
    assert lines[0].endswith(" (heure du Maroc)\u00a0:")
    assert lines[1] == f"adresse du serveur\u00a0: {URL}"
    rows = [line.split("\t") for line in lines[2:]]
    assert [(r[0], r[2]) for r in rows] == [
        ("stand 2", "coopérative 3 (Coopérative Tapis)"),
        ("stand 10", "coopérative 2 (Coopérative des herbes)"),
        ("stand A1", "coopérative 1 (Coopérative Safran)")]
    with db.write() as s:
        ingest.enrol(s, rows[1][1].lower().replace("-", " "), "caisse")  # as it is typed
    code, out, _ = run(database_url, "enrol-code", "--market", "1", "--not-enrolled",
                       capsys=capsys, lang="ar")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()[1:]] == ["الرواق 2", "الرواق A1"]
    code, out, _ = run(database_url, "enrol-code", "3", "--url", URL, "--no-qr",
                       capsys=capsys, lang="ar")
    assert code == 0 and out.splitlines()[1] == f"عنوان الخادم: \u200e{URL}\u200e"


@pytest.mark.parametrize(("args", "message"), [
    (["1", "--market", "1"], "give one cooperative's id, or --market ID for every stand of a "
                             "market, not both"),
    ([], "give one cooperative's id, or --market ID"),
    (["1", "--html", "codes.html"], "--html goes with --market ID"),
    (["1", "--not-enrolled"], "--not-enrolled goes with --market ID"),
    (["--market", "1", "--html", "codes.html"], "the page gives each stand the server's "
                                                "address: give it with --url"),
    (["--market", "1", "--url", "192.168.1.10:8700"], '"192.168.1.10:8700" is not a server '
                                                      "address"),
    (["--market", "1", "--url", "http://souk.example.ma"],
     "the tills send over plain http only to a server on the market's local network"),
    (["--market", "1", "--url", URL, "--html", "missing/codes.html"],
     "cannot write missing/codes.html: the folder missing does not exist. No code was issued"),
    (["--market", "2"], "market 2 has no cooperative yet: add them first"),
    (["--market", "9"], "no market with id 9"),
    (["--market", "1", "--days", "0,01"], "valid for at least one hour"),
])
def test_a_sheet_of_codes_refused_issues_none(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys)
    monkeypatch.chdir(tmp_path)
    before = counts(db)
    code, out, err = run(database_url, "enrol-code", *args, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err
    assert counts(db) == before
    assert not (tmp_path / "codes.html").exists()


def test_a_page_that_cannot_be_written_issues_no_code(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys)
    (tmp_path / "codes.html").mkdir()  # a folder where the page should go
    code, out, err = run(database_url, "enrol-code", "--market", "1", "--url", URL, "--html",
                         str(tmp_path / "codes.html"), capsys=capsys, lang="fr")
    assert (code, out) == (2, "")
    assert err == (f"souk-server\u00a0: erreur\u00a0: impossible d'écrire "
                   f"{tmp_path / 'codes.html'}\u00a0: c'est un dossier, pas un fichier. "
                   "Aucun code n'a été émis\n")
    assert issued(db) == 0


def test_a_code_valid_half_a_day_typed_with_a_decimal_comma(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """The French help writes a fraction of a day with a comma (0,042): so may the
    organiser (and in Arabic, ٠٫٥)."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "add", "--market", "1", "--name-ar", "تعاونية",
        "--name-fr", "Coopérative", "--sector", "food", "--province", "Fès", "--stand", "2",
        "--members", "5", capsys=capsys)
    for typed in ("0,5", "٠٫٥"):
        assert run(database_url, "enrol-code", "1", "--days", typed, "--no-qr", capsys=capsys,
                   lang="fr")[0] == 0
    with db.read() as s:
        lives = [r.expires_at - r.created_at for r in s.scalars(select(EnrolCode))]
    assert lives == [dt.timedelta(hours=12)] * 2


def market_dates(db: Database) -> tuple[dt.date, dt.date]:
    with db.read() as s:
        m = s.get_one(Market, 1)
        return m.starts_on, m.ends_on


def test_a_market_held_a_day_longer(database_url: str, db: Database,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    code, out, _ = run(database_url, "market", "edit", "1", "--ends", "2026-05-17",
                       capsys=capsys, lang="fr")
    zone = Translator("fr").zone
    assert (code, out.splitlines()[0]) == (
        0, "marché 1\u00a0: Marché itinérant de Fès / السوق المتنقل لفاس, Fès / فاس, "
           f"Fès-Meknès, du 12/05/2026 au 17/05/2026, ouvre à 09:00 ({zone})")
    assert market_dates(db) == (STARTS, dt.date(2026, 5, 17))


@pytest.mark.parametrize(("lang", "starts", "ends"), [
    ("fr", "11/05/2026", "18/5/2026"), ("ar", "١١/٠٥/٢٠٢٦", "٢٠٢٦-٠٥-١٨")])
def test_dates_typed_as_the_commands_write_them(database_url: str, db: Database,
                                                capsys: pytest.CaptureFixture[str], lang: str,
                                                starts: str, ends: str) -> None:
    """The commands write a day 12/05/2026 in French and Arabic: an organiser may type it
    so (day first), or with an Arabic keyboard's digits, as well as 2026-05-12."""
    run(database_url, *MARKET, capsys=capsys)
    code, _, err = run(database_url, "market", "edit", "1", "--starts", starts, "--ends", ends,
                       capsys=capsys, lang=lang)
    assert (code, err) == (0, "")
    assert market_dates(db) == (dt.date(2026, 5, 11), dt.date(2026, 5, 18))


@pytest.mark.parametrize(("args", "lang", "message"), [
    (["--starts", "14/05/2026"], "fr",
     "des stands du marché 1 ont envoyé les chiffres de jours en dehors des nouvelles dates "
     "(du 14/05/2026 au 16/05/2026)\u00a0: 12/05/2026, 13/05/2026. Rien n'a été changé"),
    (["--ends", "2026-05-12"], "ar",
     "وصلت من أروقة السوق 1 أرقام أيام خارج التواريخ الجديدة (من \u200e12/05/2026\u200e إلى "
     "\u200e12/05/2026\u200e): \u200e13/05/2026\u200e. لم يتغير أي شيء"),
    (["--ends", "2026-05-10"], "en", "the market ends (2026-05-10) before it starts "
                                     "(2026-05-12)"),
    (["--starts", "2026-05-20", "--ends", "2026-05-18"], "en",
     "the market ends (2026-05-18) before it starts (2026-05-20)"),
    (["--starts", "20/05/2026", "--ends", "18/05/2026"], "fr",
     "le marché finit (18/05/2026) avant de commencer (20/05/2026)"),
    (["--starts", "31/04/2026"], "fr", "«\u00a031/04/2026\u00a0» n'est pas une date\u00a0: "
                                      "écrivez-la JJ/MM/AAAA ou AAAA-MM-JJ, par ex. 12/05/2026"),
])
def test_a_market_edit_that_would_leave_days_received_outside_is_refused(
        database_url: str, db: Database, client: TestClient,
        capsys: pytest.CaptureFixture[str], args: list[str], lang: str, message: str) -> None:
    """Stalls sent the market's first two days: dates that would leave either out (their
    figures would belong to a market not held then) change nothing."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, "cooperative", "add", "--market", "1", "--name-ar", "تعاونية",
        "--name-fr", "Coopérative", "--sector", "food", "--province", "Fès", "--stand", "2",
        "--members", "5", capsys=capsys)
    stall_ = enrol(client, db, 1)
    days = [summary(stall_.device_id, STARTS + dt.timedelta(days=n), 3 + n) for n in (0, 1)]
    reply = client.post("/api/v1/push", json=push_body(*days), headers=stall_.headers)
    assert reply.status_code == 200, reply.text
    code, out, err = run(database_url, "market", "edit", "1", *args, capsys=capsys, lang=lang)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err
    assert market_dates(db) == (STARTS, dt.date(2026, 5, 16))


@pytest.mark.parametrize(("args", "lang", "message"), [
    (["market", "add", *MARKET[2:-4], "--starts", "01/05/2026", "--ends", "01/05/2027"], "fr",
     "le marché durerait 366\u00a0jours (du 01/05/2026 au 01/05/2027), et un marché dure "
     "62\u00a0jours au plus\u00a0: vérifiez ses dates (une année mal tapée\u00a0?)"),
    (["market", "edit", "1", "--ends", "16/05/2027"], "ar",
     "سيمتد السوق من \u200e12/05/2026\u200e إلى \u200e16/05/2027\u200e، وعدد أيامه 370، ولا "
     "يتجاوز السوق 62 يومًا: تحقق من تواريخه (سنة مكتوبة خطأً؟)"),
    (["market", "edit", "1", "--starts", "2025-05-12", "--ends", "2026-05-12"], "en",
     "the market would last 366 days (2025-05-12 to 2026-05-12), and a market lasts 62 days "
     "at most: check its dates (a year typed wrong?)"),
    (["market", "edit", "1", "--starts", "12/05/2025"], "fr",
     "le marché durerait 370\u00a0jours (du 12/05/2025 au 16/05/2026)"),
])
def test_a_market_a_year_long_is_a_date_typed_wrong(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str], args: list[str],
        lang: str, message: str) -> None:
    """A travelling market lasts days to a few weeks: dates making one longer than 62 days
    (a year typed wrong) are refused in one line naming its length, writing nothing."""
    run(database_url, *MARKET, capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, *args, capsys=capsys, lang=lang)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err
    assert counts(db) == before
    assert market_dates(db) == (STARTS, dt.date(2026, 5, 16))


def test_a_market_of_62_days(database_url: str, db: Database,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """The longest market there may be: two months, from 12/05 to 12/07 included."""
    run(database_url, *MARKET, capsys=capsys)
    code, _, err = run(database_url, "market", "edit", "1", "--ends", "12/07/2026",
                       capsys=capsys, lang="fr")
    assert (code, err) == (0, "")
    assert market_dates(db) == (STARTS, dt.date(2026, 7, 12))


@pytest.mark.parametrize(("lang", "dates"), [
    ("fr", "12/05/2026..16/05/2026"), ("ar", "12/05/2026..16/05/2026"),
    ("en", "2026-05-12..2026-05-16")])
def test_the_list_of_markets_writes_their_dates_as_the_commands_do(
        database_url: str, capsys: pytest.CaptureFixture[str], lang: str, dates: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    code, out, _ = run(database_url, "market", "list", capsys=capsys, lang=lang)
    assert (code, out.split("\t")[:2]) == (0, ["1", dates])


# --- the whole morning, with the real server and real stalls -----------------------------


def stall(folder: Path) -> Store:
    """A stall's database as ``souk-pos init --demo`` leaves it: a manager, a cashier and
    the demo catalogue."""
    store = Store.open(folder / DB_FILENAME)
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        users.add_user(s, "Youssef", users.CASHIER, "5678")
        demo.load_catalogue(s)
    return store


def test_a_new_edition_from_nothing_to_its_first_day(
        database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The organisers set the market up with the commands, print the codes, serve; two
    stalls enrol with the codes read off the page and send their first day, which the
    server holds as each stall counted it; a stolen laptop is revoked and sends no more."""
    run(database_url, *MARKET, capsys=capsys, lang="fr")
    run(database_url, "cooperative", "import", str(csv_file(tmp_path, EXCEL_FR)),
        "--market", "1", capsys=capsys, lang="fr")
    page = tmp_path / "codes.html"
    server = LiveServer(tmp_path / "server", database_url=database_url)
    assert run(database_url, "enrol-code", "--market", "1", "--url", server.url, "--html",
               str(page), capsys=capsys, lang="fr")[0] == 0
    codes = codes_on_the_page(page.read_text(encoding="utf-8"))
    assert f'<bdi dir="ltr">{server.url}</bdi>' in page.read_text(encoding="utf-8")
    server.start()
    try:
        stores = {stand: stall(tmp_path / f"stall-{stand}") for stand in ("2", "A1")}
        try:
            nets = {}
            for stand, store in stores.items():
                enrol_store(store, server.url, codes[stand], name=f"T-{stand}")
                till, rng = Till(store, STARTS), random.Random(stand)
                nets[stand] = sum(till.sell(rng) for _ in range(5))
                till.close_day()
                sync_store(store)
            with server.database.read() as s:
                held = {stand: net for stand, net in s.execute(
                    select(Cooperative.stand, DaySummaryRow.net)
                    .join(Cooperative, Cooperative.id == DaySummaryRow.cooperative_id)
                    .where(DaySummaryRow.business_day == STARTS))}
            assert held == nets
            stores["other"] = stall(tmp_path / "other")
            with pytest.raises(EnrolFailed):  # a code works once
                enrol_store(stores["other"], server.url, codes["2"])

            out = run(database_url, "device", "list", capsys=capsys, lang="fr")[1]
            stolen = next(line.split("\t")[0] for line in out.splitlines()
                          if "Coopérative Tapis" in line)
            assert run(database_url, "device", "revoke", stolen, capsys=capsys)[0] == 0
            Till(stores["2"], STARTS + dt.timedelta(days=1)).sell(random.Random(1))
            assert isinstance(sync_store(stores["2"]).error, Revoked)
        finally:
            for store in stores.values():
                store.close()
    finally:
        server.stop()
    db = Database.connect(database_url)
    with db.read() as s:
        assert [d.revoked_at is not None for d in s.scalars(
            select(Device).order_by(Device.name))] == [True, False]  # T-2, T-A1
    db.dispose()


@pytest.mark.parametrize(("host", "lang", "said"), [
    ("127.0.0.1", "fr", [
        "souk-server sur http://127.0.0.1:8700/dashboard/",
        "Seul cet ordinateur le joint\u00a0: pour que les caisses des stands le joignent, "
        "lancez souk-server serve --host 0.0.0.0 --port 8700"]),
    ("0.0.0.0", "ar", [
        "souk-server على \u200ehttp://127.0.0.1:8700/dashboard/\u200e",
        "تسجل الأروقة صناديقها بهذا العنوان: \u200ehttp://192.168.1.10:8700\u200e (صفحة رموزها: "
        "\u200esouk-server enrol-code --market ID --url http://192.168.1.10:8700 --html "
        "codes.html\u200e)"]),
    ("10.0.0.5", "en", [
        "souk-server on http://10.0.0.5:8700/dashboard/",
        "The stalls enrol their tills with this address: http://10.0.0.5:8700 (their codes' "
        "page: souk-server enrol-code --market ID --url http://10.0.0.5:8700 --html "
        "codes.html)"]),
    ("41.250.3.7", "en", ["souk-server on http://41.250.3.7:8700/dashboard/"]),
])
def test_serve_says_the_address_the_stalls_enrol_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        host: str, lang: str, said: list[str]) -> None:
    """Served on this computer alone, the tills of the market cannot reach it: ``serve``
    says so and how to serve them; served on the market's network, the address to give
    them (a public one only through https, which a till then asks for: none is said)."""
    served: list[tuple[str, int]] = []
    monkeypatch.setattr("sync.server.app.run",
                        lambda app, host, port, **_: served.append((host, port)))
    monkeypatch.setattr("sync.server.cli._lan_address", lambda: "192.168.1.10")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--lang", lang, "--data-dir", str(tmp_path), "user", "add", "nadia",
                 "--password-stdin"]) == 0
    capsys.readouterr()
    assert main(["--lang", lang, "--data-dir", str(tmp_path), "serve", "--host", host]) == 0
    assert capsys.readouterr().out.splitlines() == said
    assert served == [(host, 8700)]
