"""``souk-server import``: a bundle the server refuses is told in the organisers' language,
and nothing of it is imported."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.protocol import Bundle, DaySummary, EnrolResponse, bundle_signature, token_hash
from sync.server import admin, ingest
from sync.server.db import Database

from .server_support import DAY, summary
from .test_server_cli import COOP, MARKET, counts, run


def enrolled(database_url: str, db: Database, capsys: pytest.CaptureFixture[str]
             ) -> EnrolResponse:
    """The market, its cooperative 1 and a device of it, set up with the CLI."""
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    code_out = run(database_url, "enrol-code", "1", "--no-qr", capsys=capsys)[1]
    with db.write() as s:
        return ingest.enrol(s, code_out.split("\n\n")[1].strip(), "caisse")


def signed(device: EnrolResponse, days: list[DaySummary]) -> Bundle:
    return Bundle(device_id=device.device_id, created_at=dt.datetime.now(dt.UTC),
                  summaries=days,
                  signature=bundle_signature(token_hash(device.token), device.device_id, days))


def test_a_refused_bundle_is_told_in_the_organisers_language(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    device = enrolled(database_url, db, capsys)
    before = counts(db)
    days = [summary(device.device_id, DAY, 30, net=70_000)]
    forged = Bundle(device_id=device.device_id, created_at=dt.datetime.now(dt.UTC),
                    summaries=days, signature="0" * 64)
    path = tmp_path / "bundle.json"
    path.write_text(forged.model_dump_json())
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang="fr")
    assert (code, out) == (2, "")
    assert err == (
        f"souk-server : erreur : la signature du lot ne correspond pas à son appareil "
        f"{device.device_id} (le fichier a été modifié, ou créé avant une nouvelle inscription "
        "de l'appareil) : rien n'a été importé\n")

    stranger = uuid.uuid4()
    path.write_text(forged.model_copy(update={"device_id": stranger}).model_dump_json())
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang="ar")
    assert (code, out) == (2, "")
    assert err == (f"souk-server: خطأ: الحزمة صادرة عن الجهاز {stranger} الذي لا يعرفه هذا "
                   "الخادم: لم يُستورد أي شيء\n")
    assert counts(db) == before


Days = Callable[[uuid.UUID], list[DaySummary]]
NEXT = DAY + dt.timedelta(days=1)


@pytest.mark.parametrize(("lang", "days", "error"), [
    ("fr", lambda d: [summary(d, DAY, 30, cooperative_id=2)],
     "souk-server : erreur : le jour 12/05/2026 désigne la coopérative 2, mais son appareil "
     "appartient à la coopérative 1 : rien n'a été importé"),
    ("ar", lambda d: [summary(d, DAY, 30, cooperative_id=2)],
     "souk-server: خطأ: اليوم 12/05/2026 يذكر التعاونية 2، لكن جهازه تابع للتعاونية 1: لم "
     "يُستورد أي شيء"),
    ("ar", lambda d: [summary(d, DAY, 30), summary(uuid.uuid4(), NEXT, 4)],
     "souk-server: خطأ: اليوم 13/05/2026 يذكر جهازًا غير جهاز الحزمة: لم يُستورد أي شيء"),
    ("fr", lambda d: [summary(d, NEXT, 30), summary(d, NEXT, 31)],
     "souk-server : erreur : le jour 13/05/2026 figure deux fois : rien n'a été importé"),
    ("fr", lambda d: [summary(d, DAY, 30).model_copy(update={"net": 1})],
     "souk-server : erreur : les chiffres du jour 12/05/2026 ne concordent pas (les ventes "
     "nettes doivent égaler les ventes brutes moins les remboursements et les annulations) : "
     "rien n'a été importé"),
    ("ar", lambda d: [summary(d, DAY, 30), summary(d, NEXT, 4).model_copy(
        update={"products": [summary(d).products[0]] * 2})],
     "souk-server: خطأ: اليوم 13/05/2026 يذكر المنتج نفسه مرتين: لم يُستورد أي شيء"),
    ("en", lambda d: [summary(d, DAY, 30), summary(d, dt.date(2020, 1, 1), 4)],
     "souk-server: error: the day 2020-01-01 is outside the market's dates (2026-05-12 to "
     "2026-05-16): nothing was imported"),
], ids=["other-cooperative-fr", "other-cooperative-ar", "other-device-ar", "day-twice-fr",
        "net-fr", "product-twice-ar", "outside-market-en"])
def test_a_day_the_server_refuses_imports_nothing(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        lang: str, days: Days, error: str) -> None:
    device = enrolled(database_url, db, capsys)
    before = counts(db)
    path = tmp_path / "bundle.json"
    path.write_text(signed(device, days(device.device_id)).model_dump_json())
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang=lang)
    assert (code, out, err) == (2, "", error + "\n")
    assert counts(db) == before


@pytest.mark.parametrize(("lang", "error"), [
    ("fr", "souk-server : erreur : l'appareil {device} a été révoqué : rien n'a été importé"),
    ("ar", "souk-server: خطأ: تم إلغاء الجهاز {device}: لم يُستورد أي شيء"),
], ids=["fr", "ar"])
def test_a_bundle_of_a_revoked_device_imports_nothing(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        lang: str, error: str) -> None:
    device = enrolled(database_url, db, capsys)
    with db.write() as s:
        admin.revoke_device(s, device.device_id)
    before = counts(db)
    path = tmp_path / "bundle.json"
    path.write_text(signed(device, [summary(device.device_id, DAY, 30)]).model_dump_json())
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang=lang)
    assert (code, out, err) == (2, "", error.format(device=device.device_id) + "\n")
    assert counts(db) == before


@pytest.mark.parametrize(("lang", "error"), [
    ("fr", "souk-server : erreur : {path} n'est pas un lot de journées que ce serveur sait "
           "lire (problèmes\u00a0: 2, le premier à summaries.0.version)\u00a0: rien n'a été "
           "importé"),
    ("ar", "souk-server: خطأ: {path} ليس حزمة يوم يقرؤها هذا الخادم (عدد المشكلات: 2، "
           "أولاها في summaries.0.version): لم يُستورد أي شيء"),
], ids=["fr", "ar"])
def test_a_bundle_that_is_not_one_names_the_field_in_the_organisers_language(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        lang: str, error: str) -> None:
    """As the push API's refusals say it: where the first problem is and how many there
    are, in the organiser's language, never pydantic's English."""
    device = enrolled(database_url, db, capsys)
    before = counts(db)
    text = signed(device, [summary(device.device_id, DAY, 30)]).model_dump_json()
    path = tmp_path / "bundle.json"
    path.write_text(text.replace('"net":125050', '"net":"beaucoup"').replace(
        '"version":30', '"version":-1'))
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang=lang)
    assert (code, out, err) == (2, "", error.format(path=path) + "\n")
    for english in ("Input should", "valid integer", "greater than"):
        assert english not in err
    assert counts(db) == before


def test_a_file_that_is_not_json_is_told_so(
        database_url: str, db: Database, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bundle.json"
    path.write_text("Z report 8, 2026-05-12\n")
    code, out, err = run(database_url, "import", str(path), capsys=capsys, lang="ar")
    assert (code, out) == (2, "")
    assert err == (f"souk-server: خطأ: {path} ليس ملف JSON (حزمة اليوم هي الملف الذي يكتبه "
                   "الأمر «souk-pos sync export» على الصندوق): لم يُستورد أي شيء\n")


@pytest.mark.parametrize(("lang", "lines"), [
    ("fr", ["12/05/2026\tenregistré\tversion 30", "13/05/2026\tenregistré\tversion 12"]),
    ("ar", ["12/05/2026\tحُفظ\tالنسخة 30", "13/05/2026\tحُفظ\tالنسخة 12"]),
    ("en", ["2026-05-12\tstored\tversion 30", "2026-05-13\tstored\tversion 12"]),
])
def test_an_import_says_what_it_did_in_the_organisers_language(
        database_url: str, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        lang: str, lines: list[str]) -> None:
    device = enrolled(database_url, db, capsys)
    path = tmp_path / "bundle.json"
    path.write_text(signed(device, [summary(device.device_id, DAY, 30),
                                    summary(device.device_id, NEXT, 12)]).model_dump_json())
    code, out, _ = run(database_url, "import", str(path), capsys=capsys, lang=lang)
    assert (code, out.splitlines()) == (0, lines)
