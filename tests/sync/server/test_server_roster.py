"""``souk-server cooperative import`` of a sheet titled in Arabic or in French as an
organiser types it: each cell lands where its letters say (a province written in Arabic
is its Arabic name, a region written in Arabic is the one of the market that has that
Arabic name), and a sheet that cannot be read so imports nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sync.server.db import Database
from sync.server.models import Cooperative

from .test_server_cli import run
from .test_server_setup import MARKET, csv_file, import_refused

#: the market of :data:`MARKET` with its region's Arabic name (Fès-Meknès)
MARKET_AR = [*MARKET, "--region-ar", "جهة فاس مكناس"]


def imported(db: Database) -> list[tuple[str, str, str, str | None, str]]:
    """Each cooperative's stand, French name, province (Latin, Arabic) and region."""
    with db.read() as s:
        return [(c.stand, c.name_fr, c.province, c.province_ar, c.region)
                for c in s.scalars(select(Cooperative).order_by(Cooperative.id))]


def test_an_arabic_sheet_gives_the_province_its_arabic_name(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An Arabic sheet writes the province in Arabic under الإقليم (with or without its
    hamza) and its Latin name under الإقليم بالفرنسية, the region under الجهة as the
    market's Arabic name is written, or without جهة: the Arabic names are the Arabic
    pages', the Latin ones the French pages', and every cooperative is of its market's
    region."""
    run(database_url, *MARKET_AR, capsys=capsys)
    text = ("رقم الرواق;الاسم;الاسم بالفرنسية;القطاع;الاقليم;الإقليم بالفرنسية;عدد الأعضاء;"
            "الجهة;تعاونية نسائية\r\n"
            "A1;تعاونية الزعفران;Coopérative Safran;المنتجات الغذائية;إفران;Ifrane;25;"
            "جهة فاس مكناس;نعم\r\n"
            "A2;تعاونية الأعشاب;Coopérative des herbes;herbs;صفرو;Sefrou;8;فاس-مكناس;لا\r\n")
    code, out, err = run(database_url, "cooperative", "import", str(csv_file(tmp_path, text)),
                         "--market", "1", capsys=capsys, lang="ar")
    assert (code, err) == (0, ""), err
    assert imported(db) == [
        ("A1", "Coopérative Safran", "Ifrane", "إفران", "Fès-Meknès"),
        ("A2", "Coopérative des herbes", "Sefrou", "صفرو", "Fès-Meknès")]
    assert "ليس لإقليم" not in out  # no province left without its Arabic name


@pytest.mark.parametrize(("header", "row"), [
    # the Arabic and Latin names under the wrong titles, each put where its letters say
    ("stand;name_ar;name_fr;sector;province;province_ar;members",
     "B 12 bis;تعاونية;Coopérative;food;إفران;Ifrane;5"),
    # one column titled in Arabic holding the Latin name
    ("الرواق;الاسم;الاسم بالفرنسية;القطاع;الإقليم;عدد الأعضاء",
     "B 12 bis;تعاونية;Coopérative;food;Ifrane;5"),
    # the titles a French organiser types
    ("N° stand;Nom AR;Nom;Secteur d'activité;Province;Province AR;Nombre d’adhérents",
     "B 12 bis;تعاونية;Coopérative;Produits alimentaires;Ifrane;إفران;5"),
    ("Allée;Nom (AR);Coopérative;Filière;Province FR;Province en arabe;Adhérents",
     "B 12 bis;تعاونية;Coopérative;food;Ifrane;إفران;5"),
])
def test_each_province_cell_lands_where_its_letters_say(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], header: str, row: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    code, _, err = run(database_url, "cooperative", "import",
                       str(csv_file(tmp_path, f"{header}\n{row}\n")), "--market", "1",
                       capsys=capsys, lang="fr")
    assert (code, err) == (0, ""), err
    arabic = None if "إفران" not in row else "إفران"
    assert imported(db) == [("B 12 bis", "Coopérative", "Ifrane", arabic, "Fès-Meknès")]


@pytest.mark.parametrize(("header", "good", "bad", "lang", "message"), [
    # the province in Arabic only: the French pages would have no name to write
    ("الرواق;الاسم;الاسم بالفرنسية;القطاع;الإقليم;عدد الأعضاء",
     "A0;تعاونية أخرى;Autre;food;Azilal;3", "A1;تعاونية;Coopérative;food;إفران;5", "fr",
     "cooperatives.csv, ligne 3\u00a0: la province «\u00a0إفران\u00a0» n'est écrite qu'en "
     "arabe\u00a0: donnez aussi son nom en lettres latines, dans une colonne province"),
    ("stand;name_ar;name_fr;sector;province;province_ar;members",
     "A0;تعاونية أخرى;Autre;food;Azilal;أزيلال;3", "A1;تعاونية;Coopérative;food;إفران;إفران;5",
     "ar", "\u200ecooperatives.csv\u200e، السطر 3: الإقليم «إفران» مكتوب بالعربية وحدها"),
    # a region written in Arabic that no market's region is called
    ("stand;name_ar;name_fr;sector;province;members;الجهة",
     "A0;تعاونية أخرى;Autre;food;Azilal;3;فاس مكناس",
     "A1;تعاونية;Coopérative;food;Ifrane;5;جهة سوس ماسة", "en",
     "cooperatives.csv, line 3: the region \"جهة سوس ماسة\" is written in Arabic, and no "
     "market has a region of that Arabic name: write it in Latin letters, as market 1's "
     "region is written (\"Fès-Meknès\")"),
])
def test_a_province_or_region_that_cannot_be_read_imports_nothing(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, header: str,
        good: str, bad: str, lang: str, message: str) -> None:
    """One line in the organiser's language naming the row, and not even the good row
    before it added."""
    run(database_url, *MARKET_AR, capsys=capsys)
    monkeypatch.chdir(tmp_path)
    import_refused(database_url, db, csv_file(tmp_path, f"{header}\n{good}\n{bad}\n"), capsys,
                   lang, message)


def test_a_region_typed_in_arabic_at_the_command(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """``cooperative add --region`` and ``cooperative edit --region`` read an Arabic
    region as the sheet does: the cooperative is of its market's region."""
    run(database_url, *MARKET_AR, capsys=capsys)
    code, _, err = run(database_url, "cooperative", "add", "--market", "1", "--name-ar",
                       "تعاونية", "--name-fr", "Coopérative", "--sector", "food", "--province",
                       "Ifrane", "--stand", "3", "--members", "5", "--region", "فاس - مكناس",
                       capsys=capsys)
    assert (code, err) == (0, "")
    run(database_url, "cooperative", "add", "--market", "1", "--name-ar", "تعاونية ثانية",
        "--name-fr", "Autre", "--sector", "food", "--province", "Agadir", "--stand", "4",
        "--members", "5", "--region", "Souss-Massa", capsys=capsys)
    code, _, err = run(database_url, "cooperative", "edit", "2", "--region", "جهة فاس مكناس",
                       capsys=capsys)
    assert (code, err) == (0, "")
    assert [row[4] for row in imported(db)] == ["Fès-Meknès", "Fès-Meknès"]
