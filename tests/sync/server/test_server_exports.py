"""The dashboard's CSV and XLSX exports never hand a spreadsheet a formula: names that look
like one come out as text, amounts and counts stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from sync.server import admin, exports
from sync.server.db import Database

from .server_support import DAY, World, enrol, push_body, summary
from .test_server_dashboard import PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

HOSTILE = {
    "name_ar": "=1+2",
    "name_fr": '=HYPERLINK("http://evil.example","x")',
    "province": "@SUM(1)",
    "stand": "+41",
    "region": "-2+3",
}


@pytest.fixture
def hostile(client: TestClient, db: Database, world: World) -> World:
    """A cooperative whose every text looks like a formula, and another; both with a
    negative edition (more refunded than sold)."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        coop = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=world.market_id, name_ar=HOSTILE["name_ar"], name_fr=HOSTILE["name_fr"],
            sector="other", province=HOSTILE["province"], stand=HOSTILE["stand"], members=3,
            region=HOSTILE["region"]))
        other = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=world.market_id, name_ar="تعاونية", name_fr="-", sector="food",
            province="Fès", stand="99", members=1))
    for cooperative_id in (coop.id, other.id):
        stall = enrol(client, db, cooperative_id)
        reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(
            summary(stall.device_id, DAY, 2, net=-12_345, tickets=1, refunds=20_000)))
        assert reply.status_code == 200, reply.text
    log_in(client, "nadia")
    return world


@pytest.mark.parametrize(("lang", "delimiter", "amount", "total"), [
    ("fr", ";", "-123,45", "-246,90"), ("en", ",", "-123.45", "-246.90")])
def test_csv_quotes_formula_like_texts_and_keeps_amounts(
        client: TestClient, hostile: World, lang: str, delimiter: str, amount: str,
        total: str) -> None:
    reply = client.get(f"/dashboard/export/cooperatives.csv?lang={lang}")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")),
                           delimiter=delimiter))
    row = next(r for r in rows if r[0] == "'+41")
    for text in HOSTILE.values():
        if text not in ("+41", "-2+3"):  # the stand is matched above; the region not shown
            assert f"'{text}" in row
    assert amount in row  # a negative amount is a number, not quoted
    other = next(r for r in rows if r[0] == "99")
    assert other[1:3] == ["تعاونية", "'-"]
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or cell[1:].replace(",", "").replace(".", "").isdigit()
    days = list(csv.reader(io.StringIO(client.get(
        f"/dashboard/export/days.csv?lang={lang}").content.decode("utf-8-sig")),
        delimiter=delimiter))
    assert days[1][:2] == [DAY.isoformat(), total]


def test_xlsx_holds_formula_like_texts_as_text_and_amounts_as_numbers(
        client: TestClient, hostile: World) -> None:
    book = load_workbook(io.BytesIO(
        client.get("/dashboard/export/cooperatives.xlsx?lang=fr").content))
    sheet = book.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "+41")
    values = [c.value for c in row]
    for text in ("=1+2", HOSTILE["name_fr"], "@SUM(1)"):
        cell = row[values.index(text)]
        assert cell.data_type == "s" and cell.quotePrefix
    assert -123.45 in values  # edition sales: a real number
    other = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "99")
    assert [(c.value, c.data_type) for c in other[1:3]] == [("تعاونية", "s"), ("-", "s")]
    days = load_workbook(io.BytesIO(
        client.get("/dashboard/export/days.xlsx?lang=en").content)).active
    assert days is not None
    assert [c.value for c in days[2]][:2] == [
        dt.datetime.combine(DAY, dt.time()), -246.9]  # the day: a real date
    assert days["A2"].is_date and days["A2"].number_format == "yyyy-mm-dd"


def test_a_leading_tab_or_carriage_return_is_quoted_too() -> None:
    table = exports.Table("T", [exports.Column("name", exports.TEXT, lambda r: r[0]),
                                exports.Column("amount", exports.MONEY, lambda r: r[1])],
                          [("\tcmd", -5), ("\r=1", 7), ("ok", 0)])
    rows = list(csv.reader(io.StringIO(exports.to_csv(table, "en").decode("utf-8-sig"))))
    assert rows[1:] == [["'\tcmd", "-0.05"], ["'\r=1", "0.07"], ["ok", "0.00"]]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(table, "en"))).active
    assert sheet is not None
    # (XML reads a carriage return back as a line feed)
    assert [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [("\tcmd", "s"), (-0.05, "n")], [("\n=1", "s"), (0.07, "n")], [("ok", "s"), (0, "n")]]
    assert [row[0].quotePrefix for row in sheet.iter_rows(min_row=2)] == [True, True, False]


def test_xlsx_columns_are_as_wide_as_their_longest_name(client: TestClient, db: Database,
                                                        world: World) -> None:
    """A cooperative's whole name shows in its column when the workbook opens (a column
    sized on its header alone cut "Coopérative Poterie de Fès" to "Coopérative Pote"), and
    a very long name does not make its column wider than a screen."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")

    def widths(lang: str) -> dict[str, float]:
        sheet = load_workbook(io.BytesIO(client.get(
            f"/dashboard/export/cooperatives.xlsx?lang={lang}").content)).active
        assert sheet is not None
        return {str(column[0].value): sheet.column_dimensions[column[0].column_letter].width
                for column in sheet.iter_cols()}

    fr, ar = widths("fr"), widths("ar")
    assert fr["Coopérative (fr)"] >= len("Coopérative Poterie de Fès")
    assert fr["Coopérative (ar)"] >= len("تعاونية أركان النساء")
    assert ar["التعاونية (fr)"] >= len("Coopérative Poterie de Fès")
    contact = "Dernier contact de la caisse (heure du Maroc)"
    assert fr[contact] >= len(contact)
    with db.write() as s:
        admin.add_cooperative(s, admin.CooperativeInput(
            market_id=world.market_id, name_ar="تعاونية", sector="herbs", province="Sefrou",
            name_fr="Coopérative " + "des plantes aromatiques " * 5, stand="40", members=4))
    assert widths("fr")["Coopérative (fr)"] == exports.WIDTHS[1]


def test_a_cooperatives_columns_speak_of_one_cooperative(client: TestClient, db: Database,
                                                         world: World) -> None:
    """Each row of the cooperatives' export is one cooperative: its yes/no columns read
    "Dirigée par des femmes", not the programmes' group name "Dirigées par des femmes"."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    header = next(csv.reader(io.StringIO(client.get(
        "/dashboard/export/cooperatives.csv?lang=fr").content.decode("utf-8-sig")),
        delimiter=";"))
    assert header[6:8] == ["Dirigée par des femmes", "Dirigée par des jeunes"]


def test_the_cooperatives_export_walks_the_stands_as_the_dashboard_does(
        client: TestClient, db: Database, world: World) -> None:
    """The cooperatives' export (CSV and XLSX) lists them in the stands' order, as the
    dashboard's table and the sheet of enrolment codes do: ``7 bis`` after ``7``, ``A 2``
    before ``A 10``, ``B 2`` before ``B 12``, the numbered ones first."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        for stand in ("B 12", "A 10", "7 bis", "100", "A 2", "B 2", "7", "12A"):
            admin.add_cooperative(s, admin.CooperativeInput(
                market_id=world.market_id, name_ar=f"تعاونية {stand}",
                name_fr=f"Coopérative {stand}", sector="food", province="Fès", stand=stand,
                members=5))
    log_in(client, "nadia")
    walked = ["3", "7", "7 bis", "12", "12A", "100", "A 2", "A 10", "B 2", "B 12"]
    rows = list(csv.reader(io.StringIO(client.get(
        "/dashboard/export/cooperatives.csv?lang=fr").content.decode("utf-8-sig")),
        delimiter=";"))
    assert [r[0] for r in rows[1:]] == walked
    sheet = load_workbook(io.BytesIO(client.get(
        "/dashboard/export/cooperatives.xlsx?lang=en").content)).active
    assert sheet is not None
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == walked
