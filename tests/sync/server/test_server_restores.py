"""A stall restored from a backup (protocol 3): its figures, sent with its restore count,
replace what the server held even at a lower version, never counted twice; the server
keeps what they replaced and tells the stall and the organisers; a stall of before
protocol 3 never sees the new fields."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select, text

from sync.protocol import DaySummary, summary_json
from sync.server import admin, ingest, queries, report
from sync.server.db import Database
from sync.server.i18n import NBSP, Translator
from sync.server.models import DaySummaryRow, Device, Market, RestoredDay
from sync.server.writer import PushWriter, Reply

from .server_support import DAY, Stall, World, alembic, push_body, seed_market, summary
from .test_server_browser import CHROMIUM, PASSWORD, chromium, live_server, log_in
from .test_server_report import MAY_EVENING, cells, section
from .test_server_units import logged_in
from .test_server_writer import push_all, request, running_totals_match

__all__ = ["live_server"]  # the fixture, shared with the dashboard's browser tests

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def restored(day: DaySummary, restores: int) -> DaySummary:
    """``day`` as a stall restored ``restores`` times sends it."""
    return DaySummary.model_validate({**day.model_dump(mode="json"), "restores": restores})


def push(client: TestClient, stall: Stall, *days: DaySummary) -> dict[str, Any]:
    reply = client.post("/api/v1/push", json=push_body(*days), headers=stall.headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def figures(db: Database, market_id: int, stall: Stall) -> dict[str, Any]:
    """What the organisers see of the day: the stall's stored day, the market's day and
    the device's running totals."""
    with db.read() as s:
        row = s.scalars(
            select(DaySummaryRow).where(
                DaySummaryRow.device_id == stall.device_id, DaySummaryRow.business_day == DAY
            )
        ).one()
        device = s.get_one(Device, stall.device_id)
        (market_day,) = queries.day_rows(s, s.get_one(Market, market_id))
        return {
            "day": (row.version, row.restores, row.net, row.sales_count),
            "market": (market_day["net"], market_day["tickets"], market_day["devices"]),
            "device": (device.total_net, device.total_tickets),
        }


def traces(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        return [
            {
                "restores": r.restores,
                "version": r.version,
                "held_restores": r.held_restores,
                "status": r.status,
                "net": r.net,
                "tickets": r.sales_count,
                "new": (r.new_version, r.new_net, r.new_sales_count),
                "body": r.body,
                "digest": r.digest,
            }
            for r in s.scalars(select(RestoredDay).order_by(RestoredDay.restores))
        ]


def test_a_day_sent_after_a_restore_replaces_a_newer_one_and_the_server_keeps_it(
    client: TestClient, db: Database, world: World
) -> None:
    stall = world.argan
    before = summary(stall.device_id, DAY, 9, net=125_050, tickets=7)
    push(client, stall, before)
    # the stall's database is restored from a backup of version 4: it sends version 5 (the
    # restore's own record) with three tickets, and its restore count
    after = restored(summary(stall.device_id, DAY, 5, net=50_000, tickets=3), 1)
    reply = push(client, stall, after)
    assert reply["results"] == [
        {
            "business_day": DAY.isoformat(),
            "status": "stored",
            "version": 5,
            "detail": None,
            "replaced": {"restores": 1, "version": 9, "net": 125_050, "tickets": 7},
        }
    ]
    assert reply["known_days"] == [{"business_day": DAY.isoformat(), "version": 5, "restores": 1}]
    # the organisers' figures are the till's own, counted once
    assert figures(db, world.market_id, stall) == {
        "day": (5, 1, 50_000, 3),
        "market": (50_000, 3, 1),
        "device": (50_000, 3),
    }
    assert running_totals_match(db)
    # what it replaced is kept, body and all
    (kept,) = traces(db)
    body, digest = summary_json(before)
    assert kept == {
        "restores": 1,
        "version": 9,
        "held_restores": 0,
        "status": "open",
        "net": 125_050,
        "tickets": 7,
        "new": (5, 50_000, 3),
        "body": body,
        "digest": digest,
    }
    days = client.get("/api/v1/days", headers=stall.headers).json()["days"]
    assert days == [
        {
            "business_day": DAY.isoformat(),
            "version": 5,
            "restores": 1,
            "restored": {"restores": 1, "version": 9, "net": 125_050, "tickets": 7},
        }
    ]

    # the same summary again changes nothing; the next sale replaces it as usual
    again = push(client, stall, after)["results"][0]
    assert (again["status"], "replaced" in again) == ("unchanged", False)
    later = push(
        client, stall, restored(summary(stall.device_id, DAY, 7, net=60_000, tickets=4), 1)
    )["results"][0]
    assert (later["status"], "replaced" in later) == ("stored", False)
    # a push from before the restore, late on the network, is older whatever its version
    late = push(client, stall, summary(stall.device_id, DAY, 12, net=170_000, tickets=9))
    assert late["results"][0]["status"] == "stale" and late["results"][0]["version"] == 7
    assert figures(db, world.market_id, stall) == {
        "day": (7, 1, 60_000, 4),
        "market": (60_000, 4, 1),
        "device": (60_000, 4),
    }
    assert len(traces(db)) == 1

    # restored again, from an older backup: its count is higher, so is its day
    push(client, stall, restored(summary(stall.device_id, DAY, 3, net=20_000, tickets=1), 2))
    assert [(t["restores"], t["version"], t["held_restores"], t["net"]) for t in traces(db)] == [
        (1, 9, 0, 125_050),
        (2, 7, 1, 60_000),
    ]
    assert figures(db, world.market_id, stall)["market"] == (20_000, 1, 1)
    assert running_totals_match(db)
    days = client.get("/api/v1/days", headers=stall.headers).json()["days"]
    assert days[0]["restored"] == {"restores": 2, "version": 7, "net": 60_000, "tickets": 4}


def test_a_stall_of_before_protocol_3_gets_the_answers_it_always_got(
    client: TestClient, world: World
) -> None:
    """A stall whose models refuse unknown fields reads every answer: without a restore
    the server sends none of protocol 3's fields."""
    stall = world.pottery
    reply = push(
        client,
        stall,
        summary(stall.device_id, DAY, 4),
        summary(stall.device_id, DAY + dt.timedelta(days=1), 6),
    )
    assert [set(r) for r in reply["results"]] == [
        {"business_day", "status", "version", "detail"}
    ] * 2
    assert [set(d) for d in reply["known_days"]] == [{"business_day", "version"}] * 2
    stale = push(client, stall, summary(stall.device_id, DAY, 3))["results"][0]
    assert set(stale) == {"business_day", "status", "version", "detail"}
    days = client.get("/api/v1/days", headers=stall.headers).json()["days"]
    assert [set(d) for d in days] == [{"business_day", "version"}] * 2


def test_a_batch_keeps_what_a_restored_stall_replaced(db: Database, world: World) -> None:
    """Pushes applied together (one transaction; on PostgreSQL, pipelined statements)."""
    argan, pottery = world.argan, world.pottery
    push_all(
        PushWriter(db),
        [
            (argan.token, request(summary(argan.device_id, DAY, 9, net=90_000)), None),
            (pottery.token, request(summary(pottery.device_id, DAY, 4, net=10_000)), None),
        ],
    )
    replies = push_all(
        PushWriter(db),
        [
            (argan.token, request(restored(summary(argan.device_id, DAY, 2, net=30_000), 1)), None),
            (pottery.token, request(summary(pottery.device_id, DAY, 5, net=12_000)), None),
            (argan.token, request(restored(summary(argan.device_id, DAY, 3, net=35_000), 1)), None),
        ],
    )
    assert all(isinstance(r, Reply) and r.status == 200 for r in replies)
    first = json.loads(replies[0].body)["results"][0]  # type: ignore[union-attr]
    assert first["replaced"] == {"restores": 1, "version": 9, "net": 90_000, "tickets": 7}
    assert [(t["version"], t["net"], t["new"][:2]) for t in traces(db)] == [
        (9, 90_000, (2, 30_000))
    ]
    with db.read() as s:
        assert s.scalar(select(func.sum(DaySummaryRow.net))) == 35_000 + 12_000
    assert running_totals_match(db)


def test_the_dashboard_says_which_stands_day_was_restored(
    client: TestClient, db: Database, world: World
) -> None:
    stall = world.argan
    push(client, stall, summary(stall.device_id, DAY, 9, net=125_050, tickets=7))
    push(client, stall, restored(summary(stall.device_id, DAY, 5, net=50_000, tickets=3), 1))
    logged_in(client, db)
    data = client.get(f"/dashboard/data.json?day={DAY.isoformat()}").json()
    assert data["restored"] == [
        {
            "day": DAY.isoformat(),
            "stand": "12",
            "name_ar": "تعاونية أركان النساء",
            "name_fr": "Coopérative Argan Nissae",
            "held_net": 125_050,
            "held_tickets": 7,
            "net": 50_000,
            "tickets": 3,
        }
    ]
    later = (DAY + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/dashboard/data.json?day={later}").json()["restored"] == []


def restore_two_stands(client: TestClient, world: World) -> None:
    """Argan's first day restored twice (1 250,50 DH and 7 tickets, then 500,00 DH and 3,
    now 200,00 DH and 1), pottery's second day once (100,00 DH and 2, now 80,00 DH and 1)."""
    argan, pottery = world.argan, world.pottery
    second = DAY + dt.timedelta(days=1)
    push(client, argan, summary(argan.device_id, DAY, 9, net=125_050, tickets=7))
    push(client, argan, restored(summary(argan.device_id, DAY, 5, net=50_000, tickets=3), 1))
    push(client, argan, restored(summary(argan.device_id, DAY, 3, net=20_000, tickets=1), 2))
    push(client, pottery, summary(pottery.device_id, second, 4, net=10_000, tickets=2))
    push(client, pottery, restored(summary(pottery.device_id, second, 2, net=8_000, tickets=1), 1))


def edition_report(db: Database, market_id: int, lang: str) -> str:
    with db.read() as s:
        return report.build(s, s.get_one(Market, market_id), Translator(lang), MAY_EVENING)


@pytest.mark.parametrize(("lang", "rows"), [
    ("fr", [["12/05/2026", "12", "Coopérative Argan Nissae", f"1{NBSP}250,50{NBSP}DH", "7",
             f"200,00{NBSP}DH", "1"],
            ["12/05/2026", "12", "Coopérative Argan Nissae", f"500,00{NBSP}DH", "3",
             f"200,00{NBSP}DH", "1"],
            ["13/05/2026", "3", "Coopérative Poterie de Fès", f"100,00{NBSP}DH", "2",
             f"80,00{NBSP}DH", "1"]]),
    ("ar", [["12/05/2026", "12", "تعاونية أركان النساء", f"1{NBSP}250,50{NBSP}د.م.", "7",
             f"200,00{NBSP}د.م.", "1"],
            ["12/05/2026", "12", "تعاونية أركان النساء", f"500,00{NBSP}د.م.", "3",
             f"200,00{NBSP}د.م.", "1"],
            ["13/05/2026", "3", "تعاونية فخار فاس", f"100,00{NBSP}د.م.", "2",
             f"80,00{NBSP}د.م.", "1"]]),
])
def test_the_edition_report_lists_each_restore_with_what_it_replaced(
    client: TestClient, db: Database, world: World, lang: str, rows: list[list[str]]
) -> None:
    """One row per restore, every day of the edition: what the server held before, what
    the till says now; the report's figures are the tills'. Without a restore the report
    has no such section."""
    t = Translator(lang)
    assert t("restored_title") not in edition_report(db, world.market_id, lang)
    restore_two_stands(client, world)
    page = edition_report(db, world.market_id, lang)
    markup = section(page, t("restored_title"))
    assert html.escape(t("restored_note")) in markup
    assert [[text for _, text in row] for row in cells(markup)] == rows
    net = dict(re.findall(r'<div class="label">([^<]*)</div><div class="value">([^<]*)</div>',
                          page))[t("net_sales")]
    assert net == rows[0][5].replace("200,00", "280,00")  # 200,00 + 80,00: the tills'


def test_the_days_export_says_which_stands_were_restored_and_what_was_replaced(
    client: TestClient, db: Database, world: World
) -> None:
    """Each day says how many stands had it restored (CSV and XLSX); the workbook details
    each restore on a sheet of its own, in real numbers and dates, right to left in
    Arabic; without a restore it has the days' sheet only."""
    logged_in(client, db)
    push(client, world.argan, summary(world.argan.device_id, DAY, 3, net=1_000, tickets=1))
    book = load_workbook(io.BytesIO(client.get("/dashboard/export/days.xlsx?lang=fr").content))
    assert book.sheetnames == ["Jours"]
    restore_two_stands(client, world)
    text = client.get("/dashboard/export/days.csv?lang=fr").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][6] == "Stands restaurés depuis une sauvegarde"
    assert [(r[0], r[1], r[6]) for r in rows[1:]] == [
        ("2026-05-12", "200,00", "1"), ("2026-05-13", "80,00", "1"),
        *((f"2026-05-{d}", "0,00", "0") for d in (14, 15, 16))]  # the market's other days
    book = load_workbook(io.BytesIO(client.get("/dashboard/export/days.xlsx?lang=fr").content))
    assert book.sheetnames == ["Jours", "Restaurés"]
    days = [[c.value for c in row] for row in book["Jours"].iter_rows()]
    assert [(d[0], d[6]) for d in days[1:]] == [
        (dt.datetime(2026, 5, 12), 1), (dt.datetime(2026, 5, 13), 1),
        *((dt.datetime(2026, 5, d), 0) for d in (14, 15, 16))]
    sheet = book["Restaurés"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Jour", "Stand", "Coopérative (ar)", "Coopérative (fr)", "Ventes nettes avant (DH)",
         "Tickets avant", "Ventes nettes selon la caisse (DH)", "Tickets selon la caisse"],
        [dt.datetime(2026, 5, 12), "12", "تعاونية أركان النساء", "Coopérative Argan Nissae",
         1250.5, 7, 200, 1],
        [dt.datetime(2026, 5, 12), "12", "تعاونية أركان النساء", "Coopérative Argan Nissae",
         500, 3, 200, 1],
        [dt.datetime(2026, 5, 13), "3", "تعاونية فخار فاس", "Coopérative Poterie de Fès",
         100, 2, 80, 1],
    ]
    assert sheet["E2"].number_format == "#,##0.00" and sheet["A2"].is_date
    arabic = load_workbook(io.BytesIO(client.get("/dashboard/export/days.xlsx?lang=ar").content))
    assert arabic.sheetnames == ["الأيام", "مسترجعة"]
    assert arabic["مسترجعة"].sheet_view.rightToLeft
    assert arabic["مسترجعة"]["E1"].value == "صافي المبيعات من قبل (د.م.)"


@pytest.mark.parametrize(("lang", "delimiter", "header", "rows"), [
    ("fr", ";", ["Stands restaurés depuis une sauvegarde",
                 f"Stands restaurés{NBSP}: ventes nettes avant leur dernière restauration (DH)",
                 f"Stands restaurés{NBSP}: tickets avant leur dernière restauration",
                 f"Stands restaurés{NBSP}: ventes nettes selon leur caisse (DH)",
                 f"Stands restaurés{NBSP}: tickets selon leur caisse"],
     [["2026-05-12", "260,00", "2", "600,00", "5", "260,00", "2"],
      ["2026-05-13", "30,00", "0", "", "", "", ""],
      *([f"2026-05-{d}", "0,00", "0", "", "", "", ""] for d in (14, 15, 16))]),
    ("en", ",", ["Stands restored from a backup",
                 "Restored stands: net sales before their last restore (MAD)",
                 "Restored stands: tickets before their last restore",
                 "Restored stands: net sales on their tills now (MAD)",
                 "Restored stands: tickets on their tills now"],
     [["2026-05-12", "260.00", "2", "600.00", "5", "260.00", "2"],
      ["2026-05-13", "30.00", "0", "", "", "", ""],
      *([f"2026-05-{d}", "0.00", "0", "", "", "", ""] for d in (14, 15, 16))]),
])
def test_the_days_csv_says_what_the_last_restores_replaced(
    client: TestClient, db: Database, world: World, lang: str, delimiter: str,
    header: list[str], rows: list[list[str]]
) -> None:
    """A CSV file holds one table: after the day's figures (their columns as before), how
    many stands had the day restored and, summed over them, what the last restore of each
    replaced and what their tills say now (a till restored twice counts once, with what
    its last restore replaced); a day without a restore leaves them empty. Every day of the
    market (over) is a row, one without figures with zeros. Numbers as the language's
    spreadsheets read them."""
    argan, pottery = world.argan, world.pottery
    push(client, argan, summary(argan.device_id, DAY, 9, net=125_050, tickets=7))
    push(client, argan, restored(summary(argan.device_id, DAY, 5, net=50_000, tickets=3), 1))
    push(client, argan, restored(summary(argan.device_id, DAY, 3, net=20_000, tickets=1), 2))
    push(client, pottery, summary(pottery.device_id, DAY, 4, net=10_000, tickets=2))
    push(client, pottery, restored(summary(pottery.device_id, DAY, 2, net=6_000, tickets=1), 1))
    push(client, pottery, summary(pottery.device_id, DAY + dt.timedelta(days=1), 6, net=3_000,
                                  tickets=2))
    logged_in(client, db)
    text = client.get(f"/dashboard/export/days.csv?lang={lang}").content.decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert len(got[0]) == 11 and got[0][6:] == header
    assert [[r[0], r[1], *r[6:]] for r in got[1:]] == rows


def test_migration_0009_goes_back_and_forth_keeping_the_days(empty_database: Database) -> None:
    """Going back drops the kept days and the restore counts, and keeps the days with
    their lines; going forth again, the days stored meanwhile count 0 restores."""
    db = empty_database
    db.migrate()
    market_id, argan, _ = seed_market(db)
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, argan)
        device = ingest.enrol(s, code, "stall").device_id
    auth = ingest.DeviceAuth(device, argan, market_id)
    for day in (
        summary(device, DAY, 9, net=90_000),
        restored(summary(device, DAY, 2, net=30_000), 1),
    ):
        with db.write() as s:
            ingest.push(db, s, auth, [day])
    assert [t["net"] for t in traces(db)] == [90_000]
    alembic(db, "downgrade", "0008")
    with db.read() as s:
        row = s.execute(text("SELECT * FROM day_summaries")).mappings().one()
        lines = s.execute(text("SELECT count(*) FROM summary_products")).scalar()
        tables = inspect(s.connection()).get_table_names()
    assert "restores" not in row and (row["version"], row["net"]) == (2, 30_000)
    assert lines == 3 and "restored_days" not in tables
    alembic(db, "upgrade", "head")
    with db.read() as s:
        assert s.execute(text("SELECT restores FROM day_summaries")).scalar() == 0


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_the_dashboard_page_says_it_in_french_and_arabic(
    live_server: tuple[str, Database], tmp_path: Path
) -> None:
    """In Chromium: the restored stand is named above the cooperatives' table, with what
    the server held before and what its till says now; a day without a restore shows no
    such panel."""
    from playwright.sync_api import expect

    base, db = live_server
    _, argan, _ = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        code, _ = admin.issue_enrol_code(s, argan)
    device = httpx.post(f"{base}/api/v1/enrol", json={"code": code, "device_name": "T03"}).json()
    headers = {"Authorization": f"Bearer {device['token']}"}
    for day in (
        summary(device["device_id"], DAY, 9, net=305_600, tickets=5),
        restored(summary(device["device_id"], DAY, 5, net=125_800, tickets=3), 1),
    ):
        assert (
            httpx.post(f"{base}/api/v1/push", json=push_body(day), headers=headers).status_code
            == 200
        )
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, base, "fr")
        page.select_option("#day", DAY.isoformat())
        panel = page.locator("#restored-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("h2")).to_have_text("Stands restaurés depuis une sauvegarde")
        expect(panel.locator("li")).to_have_text(
            "Stand \u206812\u2069, Coopérative Argan Nissae\u00a0: la journée de ce stand a été "
            "restaurée depuis une sauvegarde sur sa caisse. Le serveur avait 3\u00a0056,00\u00a0DH "
            "(tickets\u00a0: 5) avant\u00a0; la caisse indique maintenant "
            "1\u00a0258,00\u00a0DH (tickets\u00a0: 3)."
        )
        expect(page.locator("#kpi-day-net")).to_have_text("1\u00a0258,00\u00a0DH")
        page.screenshot(path=str(tmp_path / "dashboard-restored-fr.png"))
        page.click("nav.languages a[lang=ar]")
        page.wait_for_selector("html[dir=rtl]")
        page.wait_for_selector("body[data-loaded]")
        page.select_option("#day", DAY.isoformat())
        expect(panel.locator("li")).to_contain_text(
            "الرواق \u206812\u2069، تعاونية أركان النساء: استُرجع يوم هذا الرواق من نسخة "
            "احتياطية على صندوقه"  # a stand and a till named as the tables name them
        )
        expect(panel.locator("li")).to_contain_text("(التذاكر: 5)")
        page.screenshot(path=str(tmp_path / "dashboard-restored-ar.png"))
        page.select_option("#day", (DAY + dt.timedelta(days=1)).isoformat())
        page.wait_for_function(
            f"() => document.getElementById('day').value !== '{DAY.isoformat()}'"
        )
        expect(panel).to_be_hidden()
