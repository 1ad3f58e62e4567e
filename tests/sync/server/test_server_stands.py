"""Stands typed from a paper plan, with or without leading zeros, spaces, in either case or
in Arabic-Indic digits, are one stand: ``souk-server`` writes each in one form, and refuses a
stand of a market taken under another spelling (``cooperative add``, ``import``, ``move``),
naming the cooperative that holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from sync.server import admin
from sync.server.db import Database
from sync.server.models import Cooperative

from .test_server_cli import MARKET, counts, run

OTHER_MARKET = ["market", "add", "--name-ar", "السوق المتنقل لفاس", "--name-fr",
                "Marché de Fès", "--city", "Fès", "--region", "Fès-Meknès",
                "--starts", "2026-05-12", "--ends", "2026-05-16"]


def coop(stand: str, market: int = 1) -> list[str]:
    return ["cooperative", "add", "--market", str(market), "--name-ar", "تعاونية العسل",
            "--name-fr", "Coopérative du miel", "--sector", "food", "--province", "Ifrane",
            "--stand", stand, "--members", "12"]


def stands(db: Database) -> dict[int, str]:
    with db.read() as s:
        return {cid: stand for cid, stand in s.execute(select(Cooperative.id, Cooperative.stand))}


@pytest.mark.parametrize(("typed", "written"), [
    ("07", "7"), ("7", "7"), ("A007", "A7"), ("0", "0"), ("000", "0"), (" a 012 ", "a 12"),
    ("a  12", "a 12"), ("A12", "A12"), ("b 07 c", "b 7 c"), ("٠٧", "7"), ("a۱۲", "a12"),
    ("Allée  3", "Allée 3"),
])
def test_a_stands_one_form(typed: str, written: str) -> None:
    assert admin.canonical_stand(typed) == written


@pytest.mark.parametrize(("one", "other"), [
    ("07", "7"), ("a 12", "A012"), ("A12", "a١٢"), ("Allée 3", "ALLÉE 03"), ("b 7 c", "B7C"),
])
def test_spellings_of_one_stand_are_one_stand(one: str, other: str) -> None:
    assert admin.stand_key(one) == admin.stand_key(other)


@pytest.mark.parametrize(("one", "other"), [("7", "17"), ("A12", "B12"), ("70", "7")])
def test_other_stands_are_other_stands(one: str, other: str) -> None:
    assert admin.stand_key(one) != admin.stand_key(other)


def test_stands_are_walked_by_their_numbers() -> None:
    typed = ["10", "A 2", "07", "a10", "2"]
    assert sorted(typed, key=admin.stand_order) == ["2", "07", "10", "A 2", "a10"]


def test_a_stand_with_a_digit_that_is_not_a_number_is_walked_too() -> None:
    """A superscript "²" typed from a plan is a sign, not a number: the stand is walked
    after the numbered ones, as the dashboard's rows and the codes' sheet list it."""
    typed = ["A²", "²", "10", "7 bis", "7"]
    assert sorted(typed, key=admin.stand_order) == ["7", "7 bis", "10", "A²", "²"]


def test_a_stand_is_written_in_one_form_and_shown_so(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    code, out, _ = run(database_url, *coop(" A 012"), capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "cooperative 1: Coopérative du miel / تعاونية العسل, stand A 12, Ifrane, region "
           "Fès-Meknès")
    assert run(database_url, *coop("٠٧"), capsys=capsys)[0] == 0
    assert stands(db) == {1: "A 12", 2: "7"}
    out = run(database_url, "cooperative", "list", capsys=capsys)[1]
    assert "\tstand A 12\t" in out and "\tstand 7\t" in out


@pytest.mark.parametrize("typed", ["07", "007", " 7 ", "٧"])
def test_a_stand_taken_under_another_spelling_is_refused(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str],
        typed: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *coop("7"), capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, *coop(typed), capsys=capsys, lang="fr")
    assert (code, out) == (2, "")
    assert err == ("souk-server\u00a0: erreur\u00a0: le stand 7 du marché 1 est déjà pris "
                   "par la coopérative 1\n")
    assert counts(db) == before
    run(database_url, *OTHER_MARKET, capsys=capsys)  # another market's stand 7 is free
    assert run(database_url, *coop(typed, market=2), capsys=capsys)[0] == 0


def test_a_stand_written_before_in_another_form_is_found_taken(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """A stand stored as it was typed, before stands were written in one form."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *coop("x"), capsys=capsys)
    run(database_url, *coop("y"), capsys=capsys)
    with db.write() as s:
        s.execute(update(Cooperative).where(Cooperative.id == 1).values(stand="07"))
        s.execute(update(Cooperative).where(Cooperative.id == 2).values(stand="b 012"))
    before = counts(db)
    for typed, taken, stand in (("7", 1, "7"), ("B12", 2, "B12"), ("b 12", 2, "b 12")):
        code, _, err = run(database_url, *coop(typed), capsys=capsys)
        assert (code, err) == (2, f"souk-server: error: stand {stand} of market 1 is taken "
                                  f"by cooperative {taken}\n")
    assert counts(db) == before


def test_an_import_with_a_stand_taken_under_another_spelling_imports_nothing(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *coop("7"), capsys=capsys)
    before = counts(db)
    path = tmp_path / "cooperatives.csv"
    path.write_text("stand;name_ar;name_fr;sector;province;members\n"
                    "A 01;تعاونية الزعفران;Coopérative Safran;food;Taliouine;25\n"
                    "07;تعاونية الأعشاب;Coopérative des herbes;herbs;Ifrane;8\n",
                    encoding="utf-8")
    code, out, err = run(database_url, "cooperative", "import", str(path), "--market", "1",
                         capsys=capsys)
    assert (code, out) == (2, "")
    assert err.endswith(", line 3: stand 7 of market 1 is taken by cooperative 1. Nothing "
                        "was imported\n"), err
    assert counts(db) == before
    # the same stand twice in the file, spelt two ways
    path.write_text("stand;name_ar;name_fr;sector;province;members\n"
                    "A1;تعاونية الزعفران;Coopérative Safran;food;Taliouine;25\n"
                    "a 001;تعاونية الأعشاب;Coopérative des herbes;herbs;Ifrane;8\n",
                    encoding="utf-8")
    code, _, err = run(database_url, "cooperative", "import", str(path), "--market", "1",
                       capsys=capsys)
    assert code == 2 and "line 3: stand a 1 is on line 2 already" in err, err
    assert counts(db) == before
    path.write_text("stand;name_ar;name_fr;sector;province;members\n"
                    "a 01;تعاونية الزعفران;Coopérative Safran;food;Taliouine;25\n",
                    encoding="utf-8")
    assert run(database_url, "cooperative", "import", str(path), "--market", "1",
               capsys=capsys)[0] == 0
    assert sorted(stands(db).values()) == ["7", "a 1"]


def test_a_move_to_a_stand_taken_under_another_spelling_is_refused(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *OTHER_MARKET, capsys=capsys)
    run(database_url, *coop("12"), capsys=capsys)  # cooperative 1, market 1
    run(database_url, *coop("7", market=2), capsys=capsys)  # cooperative 2, market 2
    before = stands(db)
    for args in (["--stand", "007"], ["--stand", " ٧ "]):
        code, out, err = run(database_url, "cooperative", "move", "1", "--market", "2", *args,
                             capsys=capsys)
        assert (code, out) == (2, "")
        assert err == ("souk-server: error: stand 7 of market 2 is taken by cooperative 2: "
                       "give another with --stand; nothing was moved\n")
    with db.write() as s:  # cooperative 2's stand as typed before stands had one form
        s.execute(update(Cooperative).where(Cooperative.id == 2).values(stand="012"))
    code, _, err = run(database_url, "cooperative", "move", "1", "--market", "2",
                       capsys=capsys)
    assert (code, err) == (2, "souk-server: error: stand 12 of market 2 is taken by "
                              "cooperative 2: give another with --stand; nothing was moved\n")
    assert stands(db) == {**before, 2: "012"}
    code, out, _ = run(database_url, "cooperative", "move", "1", "--market", "2",
                       "--stand", "B 05", capsys=capsys)
    assert code == 0 and "at stand B 5 (was 12)" in out, out
    assert stands(db) == {1: "B 5", 2: "012"}
