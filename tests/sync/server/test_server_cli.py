"""``souk-server`` admin commands: what they print, and bad input refused with status 2."""

from __future__ import annotations

import datetime as dt
import io
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sync.protocol import Bundle, bundle_signature, token_hash
from sync.server import admin, ingest
from sync.server.cli import main
from sync.server.db import Database
from sync.server.i18n import Translator, market_time
from sync.server.models import (
    Cooperative,
    DaySummaryRow,
    Device,
    EnrolCode,
    Market,
    User,
)

from .server_support import DAY, summary
from .test_server_report import needs_zone

MARKET = ["market", "add", "--name-ar", "السوق المتنقل لمكناس", "--name-fr", "Marché de Meknès",
          "--city", "Meknès", "--region", "Fès-Meknès", "--starts", "2026-05-12",
          "--ends", "2026-05-16"]
COOP = ["cooperative", "add", "--market", "1", "--name-ar", "تعاونية العسل",
        "--name-fr", "Coopérative du miel", "--sector", "food", "--province", "Ifrane",
        "--stand", "7", "--members", "12", "--women-led"]
HUGE = "99999999999999999999"  # more than any database's integer
ZONE = Translator("en").zone  # "Morocco time" (UTC on a machine without time zone data)


def run(url: str, *args: str, capsys: pytest.CaptureFixture[str],
        lang: str = "en") -> tuple[int, str, str]:
    code = main(["--lang", lang, "--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0
                     for t in (Market, Cooperative, EnrolCode, Device, User, DaySummaryRow))


def test_setting_up_a_market(database_url: str, db: Database,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(database_url, *MARKET, capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "market 1: Marché de Meknès / السوق المتنقل لمكناس, Meknès, Fès-Meknès, "
           f"2026-05-12 to 2026-05-16, opens at 09:00 ({ZONE})")
    code, out, _ = run(database_url, *COOP, capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "cooperative 1: Coopérative du miel / تعاونية العسل, stand 7, Ifrane, region "
           "Fès-Meknès")
    with db.read() as s:
        coop = s.get_one(Cooperative, 1)
        assert (coop.region, coop.women_led, coop.youth_led) == ("Fès-Meknès", True, False)

    code, out, _ = run(database_url, "enrol-code", "1", capsys=capsys)
    assert code == 0
    printed = out.split("\n\n")[1].strip()
    assert len(printed) == 15 and printed.count("-") == 2
    assert "█" in out  # the QR code
    with db.write() as s:
        reply = ingest.enrol(s, printed, "caisse")
    with db.read() as s:
        assert s.scalar(select(EnrolCode.code_hash)) != printed  # stored hashed

    code, out, _ = run(database_url, "device", "list", capsys=capsys)
    assert str(reply.device_id) in out and "active" in out
    code, out, _ = run(database_url, "device", "revoke", str(reply.device_id)[:8].upper(),
                       capsys=capsys)  # its start, as device list prints it, is enough
    assert code == 0 and str(reply.device_id) in out
    assert "revoked" in run(database_url, "device", "list", capsys=capsys)[1]
    with db.read() as s:
        revoked_at = s.get_one(Device, reply.device_id).revoked_at
    code, out, _ = run(database_url, "device", "revoke", str(reply.device_id)[:6],
                       capsys=capsys, lang="fr")  # typed again: its revocation stands as it was
    day = Translator("fr").date(market_time(revoked_at).date())
    assert (code, out) == (0, f"l'appareil {reply.device_id} (caisse) était déjà révoqué, "
                              f"depuis le {day}\u00a0: rien n'a changé\n")
    with db.read() as s:
        assert s.get_one(Device, reply.device_id).revoked_at == revoked_at

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, out, _ = run(database_url, "user", "add", "nadia", "--password-stdin", capsys=capsys)
    assert (code, out) == (0, "user nadia added\n")
    with db.read() as s:
        user = s.scalar(select(User))
        assert user is not None and "a long enough password" not in user.password_hash
        assert user.password_hash.startswith("scrypt$")


@needs_zone
@pytest.mark.parametrize(("lang", "code_line", "user_line", "revoked"), [
    ("fr", "Code d'inscription de la coopérative 1 (Coopérative du miel), à usage unique, "
           "valable jusqu'au {until} (heure du Maroc) :", "utilisateur nadia ajouté",
     "appareil {id} (caisse) révoqué\nle serveur n'en accepte plus rien, et les jours qu'il a "
     "envoyés restent comptés\u00a0; la nouvelle caisse de la coopérative s'inscrit avec un "
     "nouveau code\u00a0: souk-server enrol-code 1"),
    ("ar", "رمز تسجيل التعاونية 1 (تعاونية العسل)، يُستعمل مرة واحدة، صالح حتى "
           "\u200e{until}\u200e (بتوقيت المغرب):", "أُضيف المستخدم nadia",
     "أُلغي الجهاز \u200e{id}\u200e (caisse)\nلم يعد الخادم يقبل منه شيئًا، وتبقى أيامه "
     "المستلَمة محسوبة؛ يُسجَّل الصندوق الجديد للتعاونية برمز جديد: "
     "\u200esouk-server enrol-code 1\u200e"),
])
def test_what_the_commands_say_is_in_the_organisers_language(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, lang: str, code_line: str, user_line: str,
        revoked: str) -> None:
    """An organiser who works in French or Arabic reads the enrolment code's line (which
    they read out to the cooperative: its name in their language, the code's end in
    Morocco's time), the user and device lines in that language; a revoked device's, what
    its cooperative's new till needs."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code, out, _ = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys, lang=lang)
    with db.read() as s:
        expires = s.get_one(EnrolCode, 1).expires_at
    until = Translator(lang).moment(expires)  # 25/11/2026 14:05, in Morocco's time
    assert (code, out.split("\n")[0]) == (0, code_line.format(until=until))
    with db.write() as s:
        device = ingest.enrol(s, out.split("\n\n")[1].strip(), "caisse").device_id
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert run(database_url, "user", "add", "nadia", "--password-stdin", capsys=capsys,
               lang=lang)[:2] == (0, user_line + "\n")
    assert run(database_url, "device", "revoke", str(device), capsys=capsys, lang=lang)[:2] == (
        0, revoked.format(id=device) + "\n")


@pytest.mark.parametrize(("args", "message"), [
    (["market", "add", *MARKET[2:-1], "2026-05-01"], "ends (2026-05-01) before it starts"),
    ([*COOP[:3], "9", *COOP[4:]], "no market with id 9"),
    ([*COOP[:-4], "99", "--members", "-3"], "members must be between 0 and 100000"),
    (["enrol-code", "42"], "no cooperative with id 42"),
    (["enrol-code", "1", "--days", "400"], "expire within 90 days"),
    (["enrol-code", "1", "--days", "0.0000001"], "valid for at least one hour"),
    (["enrol-code", "1", "--days", "0.04"], "valid for at least one hour"),
    (["enrol-code", "1", "--days", "0"], "valid for at least one hour"),
    (["device", "revoke", "not-a-uuid"], "is not a device id"),
    (["device", "revoke", str(uuid.uuid4())], "no device with id"),
    (["import", "/nonexistent/bundle.json"], "cannot read"),
    (["enrol-code", HUGE], f"{HUGE} is not between 1 and 2147483647"),
    ([*COOP[:3], HUGE, *COOP[4:]], f"{HUGE} is not between 1 and 2147483647"),
    (["serve", "--port", "70000"], "70000 is not between 1 and 65535"),
    (["market"], "missing arguments: {add,edit,list}"),  # its choices, not "action"
    (["cooperative"], "missing arguments: {add,edit,list,move,import}"),
    ([*MARKET, "--city-ar", "ف" * 201], "the city in Arabic is longer than 200 characters"),
    ([*MARKET, "--city-ar", "مك\x00ناس"], "the city in Arabic must not contain a NUL character"),
    ([*MARKET, "--region-ar", "ج" * 201], "the region in Arabic is longer than 200 characters"),
    ([*COOP, "--province-ar", " "], "the province in Arabic must not be empty"),
    ([*MARKET[:5], "Marché\x00de Meknès", *MARKET[6:]],
     "the French name must not contain a NUL character"),
    ([*COOP[:11], "Ifrane\x00", *COOP[12:]], "the province must not contain a NUL character"),
])
def test_bad_input_is_one_line_status_2_nothing_written(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str],
        args: list[str], message: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, *args, capsys=capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("souk-server: error: ") and message in err
    assert counts(db) == before


def test_a_market_with_its_citys_arabic_name(database_url: str, db: Database,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """``--city-ar`` gives the city's Arabic name; a market set up without it is given one
    by ``market edit``; the list shows the city as each language's pages write it."""
    code, out, _ = run(database_url, *MARKET, "--city-ar", " مكناس ", capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "market 1: Marché de Meknès / السوق المتنقل لمكناس, Meknès / مكناس, Fès-Meknès, "
           f"2026-05-12 to 2026-05-16, opens at 09:00 ({ZONE})")
    run(database_url, *MARKET[:7], "Fès", *MARKET[8:], capsys=capsys)
    with db.read() as s:
        assert [(m.city, m.city_ar) for m in s.scalars(select(Market).order_by(Market.id))] == [
            ("Meknès", "مكناس"), ("Fès", None)]
    code, out, _ = run(database_url, "market", "list", capsys=capsys)
    assert [line.split("\t")[2:6:3] for line in out.splitlines()] == [
        ["Meknès", "مكناس"], ["Fès", "Fès"]]
    code, out, _ = run(database_url, "market", "edit", "2", "--city-ar", "فاس", capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "market 2: Marché de Meknès / السوق المتنقل لمكناس, Fès / فاس, Fès-Meknès, "
           f"2026-05-12 to 2026-05-16, opens at 09:00 ({ZONE})")
    with db.read() as s:
        assert s.get_one(Market, 2).city_ar == "فاس"


def test_a_market_with_its_regions_arabic_name(database_url: str, db: Database,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``--region-ar`` gives the region's Arabic name, at ``market add`` or later by
    ``market edit`` (alone, or with ``--city-ar``; what is not given is kept); the list
    shows the region as each language's pages write it."""
    code, out, _ = run(database_url, *MARKET, "--region-ar", " جهة فاس مكناس ", capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "market 1: Marché de Meknès / السوق المتنقل لمكناس, Meknès, Fès-Meknès / جهة فاس "
           f"مكناس, 2026-05-12 to 2026-05-16, opens at 09:00 ({ZONE})")
    run(database_url, *MARKET, "--city-ar", "مكناس", capsys=capsys)
    code, out, _ = run(database_url, "market", "list", capsys=capsys)
    assert [line.split("\t")[5:8] for line in out.splitlines()] == [
        ["Meknès", "Fès-Meknès", "جهة فاس مكناس"], ["مكناس", "Fès-Meknès", "Fès-Meknès"]]
    code, out, _ = run(database_url, "market", "edit", "2", "--region-ar", "جهة فاس-مكناس",
                       capsys=capsys)
    assert (code, out) == (0, "market 2: Marché de Meknès / السوق المتنقل لمكناس, "
                              "Meknès / مكناس, Fès-Meknès / جهة فاس-مكناس, 2026-05-12 to "
                              f"2026-05-16, opens at 09:00 ({ZONE})\n")
    code, out, _ = run(database_url, "market", "edit", "1", "--city-ar", "مكناس",
                       "--region-ar", "جهة فاس مكناس", capsys=capsys)
    assert code == 0
    with db.read() as s:
        assert [(m.city_ar, m.region_ar) for m in s.scalars(select(Market).order_by(Market.id))
                ] == [("مكناس", "جهة فاس مكناس"), ("مكناس", "جهة فاس-مكناس")]


@pytest.mark.parametrize(("lang", "city", "region", "city_later"), [
    ("fr", "La ville n'a pas de nom en arabe\u00a0: les pages, fichiers et tickets en arabe "
     "l'écriront en lettres latines (Meknès). Pour le lui donner\u00a0: souk-server market "
     "edit 1 --city-ar NOM",
     "La région n'a pas de nom en arabe\u00a0: les pages et fichiers en arabe l'écriront en "
     "lettres latines (Fès-Meknès). Pour le lui donner\u00a0: souk-server market edit 1 "
     "--region-ar NOM", "Meknès / مكناس"),
    ("ar", "ليس للمدينة اسم بالعربية: ستكتبها الصفحات والملفات العربية ووصولات الأروقة "
     "بالحروف اللاتينية (\u2068Meknès\u2069). لإعطائها اسمها العربي: \u200esouk-server "
     "market edit 1 --city-ar NAME\u200e",
     "ليس للجهة اسم بالعربية: ستكتبها الصفحات والملفات العربية بالحروف اللاتينية "
     "(\u2068Fès-Meknès\u2069). لإعطائها اسمها العربي: \u200esouk-server market edit 1 "
     "--region-ar NAME\u200e", "مكناس / Meknès"),
])
def test_a_market_without_arabic_place_names_says_how_to_give_them(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str], lang: str,
        city: str, region: str, city_later: str) -> None:
    """A market set up without ``--city-ar`` or ``--region-ar`` is set up (its Arabic pages
    write the Latin names), and the organiser is told so after it, with the command that
    gives each its Arabic name; ``market edit`` says it again of what is still missing."""
    code, out, err = run(database_url, *MARKET, capsys=capsys, lang=lang)
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [city, region]
    code, out, err = run(database_url, "market", "edit", "1", "--city-ar", "مكناس",
                         capsys=capsys, lang=lang)
    assert (code, err) == (0, "")
    assert city_later in out.splitlines()[0]
    assert out.splitlines()[1:] == [region]
    code, out, _ = run(database_url, "market", "edit", "1", "--region-ar", "جهة فاس مكناس",
                       capsys=capsys, lang=lang)
    assert (code, len(out.splitlines())) == (0, 1)
    with db.read() as s:
        assert (s.get_one(Market, 1).city_ar, s.get_one(Market, 1).region_ar) == (
            "مكناس", "جهة فاس مكناس")


def test_a_cooperative_without_an_arabic_province_says_how_to_give_it(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """A cooperative added without ``--province-ar`` is added, and the organiser is told
    that the Arabic pages will write its province in Latin letters, and how to give it its
    Arabic name; once given, ``cooperative edit`` says nothing more of it."""
    run(database_url, *MARKET, "--city-ar", "مكناس", "--region-ar", "جهة فاس مكناس",
        capsys=capsys)
    code, out, err = run(database_url, *COOP, capsys=capsys, lang="fr")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        "La province n'a pas de nom en arabe\u00a0: les pages et fichiers en arabe "
        "l'écriront en lettres latines (Ifrane). Pour le lui donner\u00a0: souk-server "
        "cooperative edit 1 --province-ar NOM"]
    code, out, _ = run(database_url, "cooperative", "edit", "1", "--region", "Fès-Meknès",
                       capsys=capsys, lang="ar")
    assert out.splitlines()[1:] == [
        "ليس للإقليم اسم بالعربية: ستكتبه الصفحات والملفات العربية بالحروف اللاتينية "
        "(\u2068Ifrane\u2069). لإعطائه اسمه العربي: \u200esouk-server cooperative edit 1 "
        "--province-ar NAME\u200e"]
    code, out, _ = run(database_url, "cooperative", "edit", "1", "--province-ar", "إفران",
                       capsys=capsys, lang="ar")
    assert (code, len(out.splitlines())) == (0, 1)
    assert run(database_url, *COOP[:-4], "8", "--members", "5", "--province-ar", "إفران",
               capsys=capsys)[1].count("\n") == 1


def test_a_cooperative_with_its_provinces_arabic_name(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """``--province-ar`` gives the province's Arabic name, at ``cooperative add`` or later
    by ``cooperative edit``; the list shows the province as each language writes it."""
    run(database_url, *MARKET, capsys=capsys)
    assert run(database_url, *COOP, "--province-ar", " إفران ", capsys=capsys)[0] == 0
    run(database_url, *COOP[:-4], "8", "--members", "5", capsys=capsys)
    code, out, _ = run(database_url, "cooperative", "list", capsys=capsys)
    assert [line.split("\t")[-2:] for line in out.splitlines()] == [
        ["Ifrane", "إفران"], ["Ifrane", "Ifrane"]]
    code, out, _ = run(database_url, "cooperative", "edit", "2", "--province-ar", "إفران",
                       capsys=capsys)
    assert (code, out) == (0, "cooperative 2: Coopérative du miel / تعاونية العسل, stand 8, "
                              "Ifrane / إفران, region Fès-Meknès\n")
    with db.read() as s:
        assert [c.province_ar for c in s.scalars(select(Cooperative).order_by(Cooperative.id))
                ] == ["إفران", "إفران"]


@pytest.mark.parametrize(("lang", "args", "message"), [
    ("en", ["market", "edit", "1", "--city-ar", "ف" * 201],
     "the city in Arabic is longer than 200 characters"),
    ("fr", ["market", "edit", "1", "--city-ar", "فا\x00س"],
     "la ville en arabe ne doit pas contenir de caractère NUL"),
    ("ar", ["market", "edit", "1", "--city-ar", "فا\x00س"],
     "المدينة بالعربية لا يجب أن يحتوي على المحرف NUL"),
    ("ar", ["market", "edit", "1", "--city-ar", "  "], "المدينة بالعربية لا يجب أن يكون فارغًا"),
    ("en", ["market", "edit", "9", "--city-ar", "فاس"], "no market with id 9"),
    ("en", ["market", "edit", "1"],
     "say what to change: --city-ar, --region-ar, --opens, --starts, --ends"),
    ("fr", ["market", "edit", "1"],
     "indiquez ce qu'il faut changer : --city-ar, --region-ar, --opens, --starts, --ends"),
    ("ar", ["market", "edit", "1"],
     "حدّد ما تريد تغييره: \u200e--city-ar, --region-ar, --opens, --starts, --ends\u200e"),
    ("en", ["market", "edit", "1", "--region-ar", "ج" * 201],
     "the region in Arabic is longer than 200 characters"),
    ("ar", ["market", "edit", "1", "--city-ar", "فاس", "--region-ar", " "],
     "الجهة بالعربية لا يجب أن يكون فارغًا"),
    ("fr", ["market", "edit", "1", "--region-ar", "جهة\x00"],
     "la région en arabe ne doit pas contenir de caractère NUL"),
    ("en", ["cooperative", "edit", "1", "--province-ar", "إفران\x00"],
     "the province in Arabic must not contain a NUL character"),
    ("ar", ["cooperative", "edit", "1", "--province-ar", ""],
     "الإقليم بالعربية لا يجب أن يكون فارغًا"),
    ("en", ["cooperative", "edit", "1"], "say what to change: --province-ar"),
    ("en", ["cooperative", "edit", "9", "--province-ar", "إفران"], "no cooperative with id 9"),
])
def test_a_bad_arabic_name_changes_nothing(database_url: str, db: Database,
                                           capsys: pytest.CaptureFixture[str], lang: str,
                                           args: list[str], message: str) -> None:
    run(database_url, *MARKET, "--city-ar", "مكناس", "--region-ar", "جهة فاس مكناس",
        capsys=capsys)
    run(database_url, *COOP, "--province-ar", "إفران", capsys=capsys)
    code, out, err = run(database_url, *args, capsys=capsys, lang=lang)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err
    with db.read() as s:
        market = s.get_one(Market, 1)
        assert (market.city_ar, market.region_ar) == ("مكناس", "جهة فاس مكناس")
        assert s.get_one(Cooperative, 1).province_ar == "إفران"


def test_a_number_out_of_range_in_arabic(database_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(database_url, "enrol-code", HUGE, capsys=capsys, lang="ar")
    assert code == 2 and "ليس بين 1 و2147483647" in err


def test_stand_taken_and_short_password(database_url: str, db: Database,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    before = counts(db)
    code, _, err = run(database_url, *COOP, capsys=capsys)
    assert code == 2 and "stand 7 of market 1 is taken" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(database_url, "user", "add", "x", "--password-stdin", capsys=capsys)
    assert code == 2 and "at least 10 characters" in err
    assert counts(db) == before


def test_argument_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "en", "market", "add", "--name-ar", "x", "--name-fr", "y",
                 "--city", "c", "--region", "r", "--starts", "12.05.2026", "--ends", "2026-05-16"])
    assert code == 2
    assert capsys.readouterr().err == ("souk-server: error: '12.05.2026' is not a date: write "
                                       "it YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-05-12\n")
    assert main(["--lang", "en", "market", "frobnicate"]) == 2
    assert capsys.readouterr().err == (
        "souk-server: error: 'frobnicate' is not one of: add, edit, list\n")


@pytest.mark.parametrize(("lang", "args", "error"), [
    ("fr", [*COOP[:9], "foo", *COOP[10:]],
     "souk-server : erreur : secteur inconnu « foo » (au choix : handicrafts, food, herbs, "
     "cosmetics, other)"),
    ("ar", [*COOP[:9], "foo", *COOP[10:]],
     "souk-server: خطأ: قطاع غير معروف «foo» (من بين: handicrafts, food, herbs, cosmetics, "
     "other)"),
    ("fr", [*COOP[:-2], "x", "--women-led"],
     "souk-server : erreur : « x » n'est pas un nombre entier"),
    ("ar", [*COOP[:-2], "x", "--women-led"], "souk-server: خطأ: «x» ليس عددًا صحيحًا"),
    ("fr", ["enrol-code", "abc"], "souk-server : erreur : « abc » n'est pas un nombre entier"),
    ("ar", ["enrol-code", "abc"], "souk-server: خطأ: «abc» ليس عددًا صحيحًا"),
    ("fr", ["enrol-code", "1", "--days", "bientôt"],
     "souk-server : erreur : « bientôt » n'est pas un nombre"),
    ("fr", ["market", "add", "--name-ar", "x"],
     "souk-server : erreur : arguments manquants : --name-fr, --city, --region, --starts, "
     "--ends"),
    ("ar", ["market", "list", "--verbose"], "souk-server: خطأ: وسائط غير معروفة: --verbose"),
    ("fr", ["market", "frobnicate"],
     "souk-server : erreur : « frobnicate » ne fait pas partie de : add, edit, list"),
    ("fr", ["enrol-code", "1", "--days"], "souk-server : erreur : --days attend une valeur"),
    ("fr", ["--data", "x", "market", "list"],
     "souk-server : erreur : --data peut désigner --data-dir, --database-url : écrivez-le en "
     "entier"),
    ("ar", ["enrol-code", "1", "--no-qr=1"], "souk-server: خطأ: --no-qr لا يأخذ أي قيمة"),
])
def test_argument_errors_in_the_organisers_language_before_any_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, args: list[str],
        error: str) -> None:
    fresh = tmp_path / "fresh"
    assert main(["--lang", lang, "--data-dir", str(fresh), *args]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", error + "\n")
    assert not fresh.exists()


def test_help_is_in_the_organisers_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``--help`` speaks ``--lang``, else ``LANG``; options and metavars stay Latin, and
    asking for help touches no database."""
    monkeypatch.setenv("COLUMNS", "80")
    fresh = tmp_path / "fresh"
    with pytest.raises(SystemExit) as done:
        main(["--lang", "ar", "--data-dir", str(fresh), "--help"])
    assert done.value.code == 0 and not fresh.exists()
    out = capsys.readouterr().out
    assert out.startswith("الاستعمال: souk-server [-h] [--data-dir DATA_DIR] [--lang {ar,fr,en}]")
    assert "\nالخيارات:\n" in out and "  -h, --help            يعرض هذه المساعدة ثم يخرج\n" in out
    assert "    enrol-code          يصدر رمز تسجيل صالحًا لمرة واحدة لتعاونية، أو لكل\n" in out
    monkeypatch.setenv("LANG", "fr_MA.UTF-8")
    with pytest.raises(SystemExit):
        main(["enrol-code", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("utilisation : souk-server enrol-code [-h]")
    assert "\narguments:\n  cooperative " in out and "--days DAYS" in out
    assert "émet un code d'inscription à usage unique" in out
    assert "n'affiche pas le code QR" in out


def test_every_help_text_is_in_the_servers_catalogue() -> None:
    import json
    from importlib import resources

    from pos.usage import help_keys
    from sync.server.cli import HELP, _parser

    known = json.loads((resources.files("resources") / "i18n" / "server.json").read_text(
        encoding="utf-8"))
    keys = help_keys(_parser(), HELP)
    assert "server.help.cooperative.add.women_led" in keys
    assert [key for key in keys if key not in known] == []


@pytest.mark.parametrize("args", [
    COOP,  # no market 1
    ["enrol-code", "3"],
    ["enrol-code", "3", "--days", "400"],
    ["device", "revoke", str(uuid.uuid4())],
    ["device", "revoke", "abc"],
    ["market", "add", *MARKET[2:-1], "2026-05-01"],
    ["user", "add", "nadia", "--password-stdin"],  # too short
    ["import", "/nonexistent/bundle.json"],
    [*MARKET, "--city-ar", "مك\x00ناس"],
    ["market", "edit", "1", "--city-ar", "مكناس"],  # no market 1
    ["market", "edit", "1", "--city-ar", "ف" * 201],
    ["market", "edit", "1", "--region-ar", "جهة فاس مكناس"],  # no market 1
    ["cooperative", "edit", "1", "--province-ar", "إفران"],  # no cooperative 1
    ["cooperative", "edit", "1"],
])
def test_a_failed_command_on_a_fresh_data_dir_creates_no_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        args: list[str]) -> None:
    monkeypatch.delenv("SOUK_SERVER_DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    fresh, empty = tmp_path / "fresh", tmp_path / "empty"
    empty.mkdir()
    for folder in (fresh, empty):
        assert main(["--lang", "fr", "--data-dir", str(folder), *args]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("souk-server : erreur : ") and err.count("\n") == 1
    assert not fresh.exists()
    assert list(empty.iterdir()) == []
    file_url = f"sqlite:///{tmp_path / 'named.sqlite3'}"
    assert main(["--database-url", file_url, *args]) == 2
    assert list(tmp_path.iterdir()) == [empty]
    assert main(["--data-dir", str(fresh), *MARKET]) == 0  # a command that works creates it
    assert (fresh / "souk-server.sqlite3").exists()


def test_the_organiser_reads_errors_in_french_or_arabic(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    before = counts(db)
    code, _, err = run(database_url, *COOP, capsys=capsys, lang="fr")
    assert code == 2
    assert err == ("souk-server : erreur : le stand 7 du marché 1 est déjà pris par la "
                   "coopérative 1\n")
    code, _, err = run(database_url, "market", "add", "--name-ar", " ", "--name-fr", "x",
                       "--city", "c", "--region", "r", "--starts", "2026-05-12",
                       "--ends", "2026-05-16", capsys=capsys, lang="ar")
    assert code == 2 and "الاسم بالعربية لا يجب أن يكون فارغًا" in err
    code, _, err = run(database_url, "device", "revoke", "abc", capsys=capsys, lang="fr")
    assert code == 2 and "« abc » n'est pas un identifiant d'appareil" in err
    assert counts(db) == before


def test_import_a_signed_bundle(database_url: str, db: Database, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code_out = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys)[1]
    with db.write() as s:
        device = ingest.enrol(s, code_out.split("\n\n")[1].strip(), "caisse")
    days = [summary(device.device_id, DAY, 30, net=70_000),
            summary(device.device_id, DAY + dt.timedelta(days=1), 12, net=9_000)]
    good = Bundle(device_id=device.device_id, created_at=dt.datetime.now(dt.UTC), summaries=days,
                  signature=bundle_signature(token_hash(device.token), device.device_id, days))
    path = tmp_path / "bundle.json"
    path.write_text(good.model_dump_json())
    code, out, _ = run(database_url, "import", str(path), capsys=capsys)
    assert code == 0
    assert out.splitlines() == ["2026-05-12\tstored\tversion 30", "2026-05-13\tstored\tversion 12"]
    assert run(database_url, "import", str(path), capsys=capsys)[1].count("unchanged") == 2

    before = counts(db)
    tampered = good.model_copy(update={"summaries": [days[0].model_copy(update={"version": 31})]})
    path.write_text(tampered.model_dump_json())
    code, _, err = run(database_url, "import", str(path), capsys=capsys)
    assert code == 2 and "signature does not match" in err
    path.write_text('{"format": "souk-bundle"}')
    code, _, err = run(database_url, "import", str(path), capsys=capsys)
    assert code == 2 and "is not a day bundle" in err and err.count("\n") == 1
    path.write_text(good.model_dump_json().replace(good.signature, "not-a-signature"))
    code, _, err = run(database_url, "import", str(path), capsys=capsys)
    assert code == 2 and "(problems: 1, the first at signature)" in err
    assert counts(db) == before
    with db.read() as s:
        assert s.scalar(select(func.sum(DaySummaryRow.net))) == 79_000


def test_a_bundle_with_a_day_outside_the_market_imports_nothing(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code_out = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys)[1]
    with db.write() as s:
        device = ingest.enrol(s, code_out.split("\n\n")[1].strip(), "caisse")
    before = counts(db)
    days = [summary(device.device_id, DAY, 30, net=70_000),
            summary(device.device_id, dt.date(2020, 1, 1), 12, net=9_000)]
    bundle = Bundle(device_id=device.device_id, created_at=dt.datetime.now(dt.UTC),
                    summaries=days,
                    signature=bundle_signature(token_hash(device.token), device.device_id, days))
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang="fr")
    assert (code, out) == (2, "")
    assert err == ("souk-server : erreur : le jour 01/01/2020 est en dehors des dates du marché "
                   "(du 12/05/2026 au 16/05/2026) : rien n'a été importé\n")
    assert counts(db) == before


def test_database_url_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("SOUK_SERVER_DATABASE_URL", url)
    assert main(MARKET) == 0
    assert main(["market", "list"]) == 0
    assert "Marché de Meknès" in capsys.readouterr().out
    assert (tmp_path / "env.sqlite3").exists()


def test_data_dir_holds_the_sqlite_file(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOUK_SERVER_DATABASE_URL", raising=False)
    assert main(["--data-dir", str(tmp_path / "data"), *MARKET]) == 0
    assert (tmp_path / "data" / "souk-server.sqlite3").exists()


def test_a_code_valid_for_an_hour(database_url: str, db: Database,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    code, _, _ = run(database_url, "enrol-code", "1", "--days", "0.05", "--no-qr",
                     capsys=capsys)
    assert code == 0
    with db.read() as s:
        (expires,) = s.scalars(select(EnrolCode.expires_at))
    assert expires >= before + dt.timedelta(hours=1)


@pytest.mark.parametrize(("url", "error"), [
    ("mysql://root:secret@localhost/souk",
     "souk-server fonctionne avec SQLite ou avec PostgreSQL par psycopg, pas "
     "mysql://root:***@localhost/souk : utilisez sqlite:///FICHIER ou "
     "postgresql+psycopg://UTILISATEUR@HÔTE/BASE"),
    ("postgresql+psycopg2://nadia:secret@db/souk",
     "souk-server fonctionne avec SQLite ou avec PostgreSQL par psycopg, pas "
     "postgresql+psycopg2://nadia:***@db/souk : utilisez sqlite:///FICHIER ou "
     "postgresql+psycopg://UTILISATEUR@HÔTE/BASE"),
    ("souk.sqlite3", "« souk.sqlite3 » n'est pas une adresse de base de données "
     "(sqlite:///FICHIER ou postgresql+psycopg://UTILISATEUR@HÔTE/BASE)"),
    ("postgresql+psycopg://nadia:secret@db:port/souk",
     "« postgresql+psycopg://nadia:***@db:port/souk » n'est pas une adresse de base de "
     "données (sqlite:///FICHIER ou postgresql+psycopg://UTILISATEUR@HÔTE/BASE)"),
])
def test_a_bad_database_url_is_one_line_status_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        url: str, error: str) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in (["--database-url", url], []):
        if not argv:  # the same URL from the environment
            monkeypatch.setenv("SOUK_SERVER_DATABASE_URL", url)
        assert main(["--lang", "fr", *argv, *MARKET]) == 2
        out, err = capsys.readouterr()
        assert (out, err) == ("", f"souk-server : erreur : {error}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_database_driver_not_installed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as when it is not installed
    code = main(["--lang", "ar", "--database-url", "postgresql+psycopg://nadia@db/souk",
                 "market", "list"])
    assert (code, *capsys.readouterr()) == (
        2, "", "souk-server: خطأ: برنامج تشغيل قاعدة البيانات psycopg غير مثبت: "
               "ثبّت souk-pos[server]\n")


def test_a_database_that_cannot_be_reached(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/test"
    assert main(["--lang", "fr", "--database-url", url, "market", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "secret" not in err
    assert err.startswith("souk-server : erreur : impossible de joindre la base de données "
                          f"postgresql+psycopg://postgres:***@127.0.0.1:{port}/test : ")
    missing = tmp_path / "no" / "such" / "souk.sqlite3"
    assert main(["--lang", "en", "--database-url", f"sqlite:///{missing}", *MARKET]) == 1
    assert capsys.readouterr() == (
        "", f"souk-server: error: cannot reach the database sqlite:///{missing}: "
            "unable to open database file\n")
    assert list(tmp_path.iterdir()) == []


def test_a_list_read_in_part_ends_without_a_traceback(database_url: str, db: Database,
                                                      tmp_path: Path) -> None:
    """``souk-server cooperative list | head`` on a large market: the list stops where the
    reader stopped, with no Python traceback on the organiser's screen."""
    with db.write() as s:
        market = admin.add_market(s, name_ar="سوق", name_fr="Marché", city="Fès",
                                  region="Fès-Meknès", starts_on=DAY, ends_on=DAY).id
        for stand in range(1, 1201):  # far more than a pipe holds
            admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market, name_ar="تعاونية الزرابي التقليدية لجبال الأطلس",
                name_fr="Coopérative des tapis traditionnels du Haut Atlas",
                sector="handicrafts", province="Ifrane", stand=str(stand), members=3))
    command = [sys.executable, "-m", "sync.server.cli", "--database-url", database_url,
               "cooperative", "list"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=Path(__file__).parents[3]) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"1\tmarket ")
        process.stdout.close()  # as head does once it has its lines
        errors = process.stderr.read().decode()
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


@pytest.mark.parametrize(("lang", "active", "revoked", "coop_line"), [
    ("fr", "{id}\tactif\tcoopérative 1 (Coopérative du miel)\tcaisse\t"
           "dernier contact\u00a0: jamais",
     "{id}\trévoqué le {day}\tcoopérative 1 (Coopérative du miel)\tcaisse\t"
     "dernier contact\u00a0: jamais",
     "1\tmarché 1\tstand 7\tProduits alimentaires\tCoopérative du miel\tتعاونية العسل\t"
     "Ifrane\tIfrane"),
    ("ar", "{id}\tنشط\tالتعاونية 1 (تعاونية العسل)\tcaisse\tآخر اتصال: \u200eأبدًا\u200e",
     "{id}\tأُلغي في \u200e{day}\u200e\tالتعاونية 1 (تعاونية العسل)\tcaisse\t"
     "آخر اتصال: \u200eأبدًا\u200e",
     "1\tالسوق 1\tالرواق 7\tالمنتجات الغذائية\tCoopérative du miel\tتعاونية العسل\t"
     "Ifrane\tIfrane"),
], ids=["fr", "ar"])
def test_lists_speak_the_organisers_language(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str], lang: str,
        active: str, revoked: str, coop_line: str) -> None:
    """``device list`` and ``cooperative list`` say a device's state, its last contact (or
    that there was none), the market, the stand and the sector in the organiser's
    language; the names stay as they were given."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code_out = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys)[1]
    with db.write() as s:
        device = ingest.enrol(s, code_out.split("\n\n")[1].strip(), "caisse").device_id
    assert run(database_url, "device", "list", capsys=capsys, lang=lang)[:2] == (
        0, active.format(id=device) + "\n")
    run(database_url, "device", "revoke", str(device), capsys=capsys)
    with db.read() as s:
        when = s.get_one(Device, device).revoked_at
    assert when is not None
    day = Translator(lang).date(market_time(when).date())
    assert run(database_url, "device", "list", capsys=capsys, lang=lang)[:2] == (
        0, revoked.format(id=device, day=day) + "\n")
    assert run(database_url, "cooperative", "list", capsys=capsys, lang=lang)[:2] == (
        0, coop_line + "\n")


@needs_zone
@pytest.mark.parametrize(("lang", "line"), [
    ("fr", "{id}\trévoqué le 13/05/2026\tcoopérative 1 (Coopérative du miel)\tcaisse\t"
           "dernier contact\u00a0: 13/05/2026 00:30 (heure du Maroc)"),
    ("ar", "{id}\tأُلغي في \u200e13/05/2026\u200e\tالتعاونية 1 (تعاونية العسل)\tcaisse\t"
           "آخر اتصال: \u200e13/05/2026 00:30\u200e (بتوقيت المغرب)"),
    ("en", "{id}\trevoked 2026-05-13\tcooperative 1 (Coopérative du miel)\tcaisse\t"
           "last contact 2026-05-13 00:30 (Morocco time)"),
], ids=["fr", "ar", "en"])
def test_device_list_gives_times_in_moroccos_time_in_the_organisers_format(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str], lang: str,
        line: str) -> None:
    """A till's last contact and the day it was revoked are read as the market reads its
    clocks: at 23:30 UTC on 12 May it is already 00:30 on the 13th in Morocco (UTC+1),
    written as the organiser's language writes a date."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code_out = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys)[1]
    with db.write() as s:
        device = ingest.enrol(s, code_out.split("\n\n")[1].strip(), "caisse").device_id
        row = s.get_one(Device, device)
        row.last_seen_at = row.revoked_at = dt.datetime(2026, 5, 12, 23, 30)
    assert run(database_url, "device", "list", capsys=capsys, lang=lang)[:2] == (
        0, line.format(id=device) + "\n")


@needs_zone
@pytest.mark.parametrize(("lang", "market_line", "coop_line"), [
    ("fr", "marché 1\u00a0: Marché de Meknès / السوق المتنقل لمكناس, Meknès / مكناس, "
           "Fès-Meknès / جهة فاس مكناس, du 12/05/2026 au 16/05/2026, ouvre à 10:30 (heure du "
           "Maroc)",
     "coopérative 1\u00a0: Coopérative du miel / تعاونية العسل, stand 7, Ifrane / إفران, "
     "région Fès-Meknès"),
    ("ar", "السوق 1: السوق المتنقل لمكناس / Marché de Meknès، مكناس / Meknès، جهة فاس مكناس / "
           "Fès-Meknès، "
           "من \u200e12/05/2026\u200e إلى \u200e16/05/2026\u200e، يفتح على الساعة "
           "\u200e10:30\u200e (بتوقيت المغرب)",
     "التعاونية 1: تعاونية العسل / Coopérative du miel، الرواق 7، إفران / Ifrane، "
     "الجهة Fès-Meknès"),
], ids=["fr", "ar"])
def test_setting_up_speaks_the_organisers_language(
        database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, lang: str, market_line: str, coop_line: str) -> None:
    """``market add`` and ``cooperative add`` confirm what they set up in the organiser's
    language, the dates as it writes them (``market edit`` and ``cooperative edit`` the
    same way); the password is asked in it too."""
    assert run(database_url, *MARKET, "--city-ar", "مكناس", "--region-ar", "جهة فاس مكناس",
               "--opens", "10:30", capsys=capsys, lang=lang)[:2] == (0, market_line + "\n")
    assert run(database_url, *COOP, "--province-ar", "إفران", capsys=capsys,
               lang=lang)[:2] == (0, coop_line + "\n")
    assert run(database_url, "market", "edit", "1", "--opens", "10:30", capsys=capsys,
               lang=lang)[:2] == (0, market_line + "\n")
    assert run(database_url, "cooperative", "edit", "1", "--province-ar", "إفران",
               capsys=capsys, lang=lang)[:2] == (0, coop_line + "\n")
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "x" * 12)
    assert run(database_url, "user", "add", "nadia", capsys=capsys, lang=lang)[0] == 0
    assert prompts == {"fr": ["Mot de passe\u00a0: ", "Mot de passe, encore une fois\u00a0: "],
                       "ar": ["كلمة المرور: ", "كلمة المرور مرة أخرى: "]}[lang]


def test_a_market_opens_at_its_own_hour(database_url: str, db: Database,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """``--opens`` sets a market's opening hour (09:00 when it is not given), in 0-9 or
    Arabic-Indic digits; ``market edit --opens`` changes it alone; the list shows it."""
    run(database_url, *MARKET, capsys=capsys)
    assert run(database_url, *MARKET, "--opens", "١٠:٣٠", capsys=capsys)[0] == 0
    code, out, _ = run(database_url, "market", "edit", "1", "--opens", " 8:05 ", capsys=capsys)
    assert code == 0 and "opens at 08:05" in out
    with db.read() as s:
        assert [(m.opens, m.city) for m in s.scalars(select(Market).order_by(Market.id))] == [
            (dt.time(8, 5), "Meknès"), (dt.time(10, 30), "Meknès")]
    out = run(database_url, "market", "list", capsys=capsys)[1]
    assert [line.split("\t")[-1] for line in out.splitlines()] == ["08:05", "10:30"]


@pytest.mark.parametrize(("lang", "args", "message"), [
    ("en", [*MARKET, "--opens", "25:00"],
     "'25:00' is not an opening hour: write it HH:MM on a 24-hour clock, e.g. 09:30"),
    ("fr", [*MARKET, "--opens", "9h30"],
     "«\u00a09h30\u00a0» n'est pas une heure d'ouverture\u00a0: écrivez-la HH:MM sur "
     "24\u00a0heures, par ex. 09:30"),
    ("ar", ["market", "edit", "1", "--opens", "09:60"],
     "«09:60» ليست ساعة افتتاح: اكتبها على شكل \u200eHH:MM\u200e بنظام 24 ساعة"),
    ("en", ["market", "edit", "1", "--opens", ""], "'' is not an opening hour"),
    ("en", ["market", "edit", "1", "--city-ar", "فاس", "--opens", "9"],
     "'9' is not an opening hour"),
])
def test_a_bad_opening_hour_changes_nothing(database_url: str, db: Database,
                                            capsys: pytest.CaptureFixture[str], lang: str,
                                            args: list[str], message: str) -> None:
    run(database_url, *MARKET, "--opens", "10:00", capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, *args, capsys=capsys, lang=lang)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err
    assert counts(db) == before
    with db.read() as s:
        market = s.get_one(Market, 1)
        assert (market.opens, market.city_ar) == (dt.time(10, 0), None)


def test_a_cooperatives_region_is_edited_after_it_moved_to_another_region(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """A cooperative added without ``--region`` took its market's; moved to a market of
    another region, the organisers give it its own."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code, out, _ = run(database_url, "cooperative", "edit", "1", "--region", " Drâa-Tafilalet ",
                       capsys=capsys)
    assert (code, out.splitlines()[0]) == (
        0, "cooperative 1: Coopérative du miel / تعاونية العسل, stand 7, Ifrane, region "
           "Drâa-Tafilalet")
    with db.read() as s:
        assert s.get_one(Cooperative, 1).region == "Drâa-Tafilalet"
    code, _, err = run(database_url, "cooperative", "edit", "1", "--region", "  ",
                       capsys=capsys)
    assert code == 2 and "region" in err
    with db.read() as s:
        assert s.get_one(Cooperative, 1).region == "Drâa-Tafilalet"  # nothing half-way


def test_a_device_is_revoked_by_the_start_of_its_id_when_only_it_starts_so(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    ids = [uuid.UUID("abcdef12-0000-4000-8000-000000000001"),
           uuid.UUID("abcdef34-0000-4000-8000-000000000002")]
    with db.write() as s:
        for n, device_id in enumerate(ids):
            s.add(Device(id=device_id, cooperative_id=1, name=f"T0{n}", token_hash=f"{n:064d}",
                         enrolled_at=dt.datetime(2026, 5, 12, 8, 0)))

    def revoked() -> list[bool]:
        with db.read() as s:
            return [s.get_one(Device, d).revoked_at is not None for d in ids]

    code, _, err = run(database_url, "device", "revoke", "abcdef", capsys=capsys, lang="fr")
    assert (code, err) == (2, "souk-server\u00a0: erreur\u00a0: plusieurs identifiants d'appareil "
                              f"commencent par abcdef\u00a0: {ids[0]}, {ids[1]}. Tapez-en "
                              "davantage, ou l'identifiant entier\u00a0; aucun appareil n'a été "
                              "révoqué\n")
    code, _, err = run(database_url, "device", "revoke", "abcd", capsys=capsys)
    assert code == 2 and "'abcd' is not a device id" in err  # too short to be taken for one
    code, _, err = run(database_url, "device", "revoke", "abcdef99", capsys=capsys)
    assert code == 2 and "no device with id abcdef99" in err
    assert revoked() == [False, False]  # nothing written
    code, out, _ = run(database_url, "device", "revoke", "ABCDEF34", capsys=capsys)
    assert code == 0 and str(ids[1]) in out
    assert revoked() == [False, True]


def test_device_list_says_a_till_s_figures_are_refused_and_why(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(database_url, *MARKET, capsys=capsys)[0] == 0
    assert run(database_url, *COOP, capsys=capsys)[0] == 0
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, 1)
    with db.write() as s:
        till = ingest.enrol(s, code, "caisse").device_id
    refused_at = dt.datetime(2026, 5, 13, 9, 42)
    with db.write() as s:
        device = s.get_one(Device, till)
        device.last_push_at = refused_at - dt.timedelta(hours=1)
        device.refused_at = refused_at
        device.refused_key = "server.err.day_outside_market"
        device.refused_params = '{"day": "2026-05-22", "starts": "2026-05-12"}'
    t = Translator("fr")
    out = run(database_url, "device", "list", capsys=capsys, lang="fr")[1]
    assert out.rstrip("\n").endswith(
        f"\tchiffres refusés depuis {t.moment(refused_at)} ({t.zone})\u00a0: le jour "
        "22/05/2026 est hors des dates du marché")
    with db.write() as s:  # a push stored since
        s.get_one(Device, till).last_push_at = refused_at + dt.timedelta(minutes=5)
    assert "refusés" not in run(database_url, "device", "list", capsys=capsys, lang="fr")[1]
