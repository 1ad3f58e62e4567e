"""The organisers' dashboard over HTTP: login, figures, exports and the edition report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from sync.server import admin, queries
from sync.server.db import Database
from sync.server.models import Device

from .server_support import DAY, World, enrol, push_body, summary

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORD = "souk-organiser-2026"


@pytest.fixture
def organiser(db: Database) -> str:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    return "nadia"


def log_in(client: TestClient, username: str, password: str = PASSWORD, lang: str = "fr"):  # type: ignore[no-untyped-def]
    return client.post("/dashboard/login", data={"username": username, "password": password,
                                                 "lang": lang}, follow_redirects=False)


@pytest.fixture
def pushed(client: TestClient, world: World) -> World:
    a, p = world.argan, world.pottery
    client.post("/api/v1/push", headers=a.headers, json=push_body(
        summary(a.device_id, DAY, 12, net=125_050, tickets=7, status="closed"),
        summary(a.device_id, DAY + dt.timedelta(days=1), 4, net=30_000, tickets=2),
    ))
    client.post("/api/v1/push", headers=p.headers, json=push_body(
        summary(p.device_id, DAY, 5, net=2_500_000, tickets=3, refunds=10_000)))
    return world


def test_pages_need_a_login(client: TestClient) -> None:
    page = client.get("/dashboard/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/dashboard/login")
    for url in ("/dashboard/data.json", "/dashboard/export/cooperatives.csv"):
        assert client.get(url).status_code == 401


def test_login_sets_a_strict_httponly_session_cookie(client: TestClient, organiser: str) -> None:
    reply = log_in(client, organiser)
    assert reply.status_code == 303
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith("souk_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert PASSWORD not in cookie
    assert client.get("/dashboard/").status_code == 200
    client.post("/dashboard/logout")
    assert client.get("/dashboard/data.json").status_code == 401


def test_wrong_password_or_forged_cookie_is_refused(client: TestClient, organiser: str) -> None:
    reply = log_in(client, organiser, "not-the-password", lang="ar")
    assert reply.status_code == 401
    assert "اسم المستخدم أو كلمة المرور غير صحيحة." in reply.text
    assert "souk_session" not in reply.headers.get("set-cookie", "")
    assert log_in(client, "nobody").status_code == 401
    log_in(client, organiser)
    good = client.cookies["souk_session"]
    user_id, expires, binding, signature = good.split(".")
    client.cookies.clear()
    client.cookies.set("souk_session", f"{user_id}.{int(expires) + 9999}.{binding}.{signature}",
                       path="/dashboard")
    assert client.get("/dashboard/data.json").status_code == 401


def test_page_in_arabic_is_right_to_left_and_in_french_left_to_right(
        client: TestClient, organiser: str) -> None:
    log_in(client, organiser)
    ar = client.get("/dashboard/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in ar.text
    assert "صافي المبيعات" in ar.text
    assert "Content-Security-Policy" in ar.headers
    fr = client.get("/dashboard/?lang=fr")
    assert '<html lang="fr" dir="ltr">' in fr.text
    assert "Ventes nettes" in fr.text
    # no asset from anywhere but this server
    assert not re.search(r"""(src|href)=["']https?://""", ar.text + fr.text)
    js = client.get("/dashboard/static/dashboard.js")
    assert js.status_code == 200 and "fetch(" in js.text
    assert client.get("/dashboard/static/../cli.py").status_code == 404


def cooperatives(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The cooperatives' rows as the page reads them (values with their field names)."""
    return [dict(zip(data["cooperative_fields"], row, strict=True))
            for row in data["cooperatives"]]


def test_data_has_the_pushed_figures(client: TestClient, organiser: str, pushed: World) -> None:
    log_in(client, organiser)
    data = client.get(f"/dashboard/data.json?market={pushed.market_id}&day={DAY}").json()
    assert data["day"] == DAY.isoformat()
    assert data["totals"]["day"] == {"net": 2_625_050, "tickets": 10, "refunds": 10_000,
                                     "stalls": 2}
    assert data["totals"]["edition"]["net"] == 2_655_050
    coops = {c["stand"]: c for c in cooperatives(data)}
    assert [c["stand"] for c in cooperatives(data)] == ["3", "12"]
    assert coops["12"]["devices"] == 1 and coops["12"]["reported"] == 1
    argan = coops["12"]
    assert (argan["day_net"], argan["day_tickets"], argan["edition_net"]) == (125_050, 7, 155_050)
    assert argan["days_closed"] == 1 and argan["last_sync"] is not None
    assert argan["inside"] is False and coops["3"]["inside"] is True
    sectors = {g["key"]: g["edition_net"] for g in data["sectors"]}
    assert sectors == {"handicrafts": 2_500_000, "food": 155_050, "herbs": 0, "cosmetics": 0,
                       "other": 0}
    programmes = {g["key"]: g["cooperatives"] for g in data["programmes"]}
    assert programmes == {"all_cooperatives": 2, "women_led": 1, "youth_led": 1}
    hours = {h["hour"]: h["amount"] for h in data["hours"] if h["amount"]}
    assert hours == {10: 62_525 + 1_250_000, 16: 62_525 + 1_250_000}
    assert data["top_products"][0]["cooperative_fr"] == "Coopérative Poterie de Fès"
    assert [d["day"] for d in data["days"]] == ["2026-05-12", "2026-05-13"]


def test_breakdowns_sum_each_group_exactly_its_cooperatives() -> None:
    """Every mix of sector, origin and programmes: each group holds exactly the
    cooperatives that belong to it, and their figures to the centime."""
    rows = [
        queries.CoopRow(i, f"ت {i}", f"C {i}", sector, str(i), "P", "R", inside, 3 + i,
                        women, youth, day_net=1_000 * i + 7, day_tickets=i,
                        edition_net=100_003 * i, edition_tickets=10 * i)
        for i, (sector, inside, women, youth) in enumerate(
            (sector, inside, women, youth) for sector in ("food", "herbs", "other")
            for inside in (True, False) for women in (True, False) for youth in (True, False))
    ]
    split = queries.breakdowns(rows)
    members: dict[str, Any] = {
        **{sector: lambda r, sector=sector: r.sector == sector for sector in
           ("handicrafts", "food", "herbs", "cosmetics", "other")},
        "inside_region": lambda r: r.inside, "outside_region": lambda r: not r.inside,
        "all_cooperatives": lambda r: True, "women_led": lambda r: r.women_led,
        "youth_led": lambda r: r.youth_led,
    }
    groups = split.sectors + split.origins + split.programmes
    assert [g.key for g in groups] == list(members)
    for g in groups:
        inside = [r for r in rows if members[g.key](r)]
        assert (g.cooperatives, g.members, g.day_net, g.day_tickets, g.edition_net,
                g.edition_tickets) == (
            len(inside), sum(r.members for r in inside), sum(r.day_net for r in inside),
            sum(r.day_tickets for r in inside), sum(r.edition_net for r in inside),
            sum(r.edition_tickets for r in inside)), g.key


def test_a_cooperative_with_two_tills_one_revoked(client: TestClient, db: Database,
                                                 organiser: str, pushed: World) -> None:
    """Both tills' sales count; the revoked one is no longer a device of the stall; days
    closed are those of its most complete till; the last sync is the latest push."""
    a = pushed.argan
    second = enrol(client, db, a.cooperative_id, "argan-2")
    client.post("/api/v1/push", headers=second.headers, json=push_body(
        summary(second.device_id, DAY, 3, net=10_000, tickets=1)))
    with db.write() as s:
        admin.revoke_device(s, second.device_id)
    log_in(client, organiser)
    data = client.get(f"/dashboard/data.json?market={pushed.market_id}&day={DAY}").json()
    argan = {c["stand"]: c for c in cooperatives(data)}["12"]
    assert (argan["day_net"], argan["day_tickets"]) == (125_050 + 10_000, 7 + 1)
    assert (argan["edition_net"], argan["edition_tickets"]) == (155_050 + 10_000, 9 + 1)
    assert (argan["devices"], argan["days_closed"], argan["reported"]) == (1, 1, 1)
    with db.read() as s:
        latest = s.get_one(Device, second.device_id).last_push_at
    assert argan["last_sync"] == latest.isoformat() + "Z"


def test_a_conflict_shows_on_its_cooperative(client: TestClient, organiser: str,
                                             pushed: World) -> None:
    a = pushed.argan
    client.post("/api/v1/push", headers=a.headers,
                json=push_body(summary(a.device_id, DAY, 12, net=1, status="closed")))
    log_in(client, organiser)
    data = client.get("/dashboard/data.json").json()
    assert {c["stand"]: c["conflicts"] for c in cooperatives(data)} == {"3": 0, "12": 1}


def test_csv_export_has_a_bom_and_arabic(client: TestClient, organiser: str,
                                         pushed: World) -> None:
    log_in(client, organiser)
    reply = client.get("/dashboard/export/cooperatives.csv?lang=ar")
    assert reply.status_code == 200
    assert reply.headers["content-disposition"].startswith("attachment;")
    assert reply.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "الرواق"
    argan = next(r for r in rows if r[0] == "12")
    assert "تعاونية أركان النساء" in argan
    assert "1550,50" in argan  # edition sales in dirhams, decimal comma
    days = client.get("/dashboard/export/days.csv?lang=en").content.decode("utf-8-sig")
    assert days.splitlines()[1] == "2026-05-12,26250.50,100.00,10,2,1"


def test_xlsx_export_holds_numbers(client: TestClient, organiser: str, pushed: World) -> None:
    log_in(client, organiser)
    reply = client.get("/dashboard/export/days.xlsx?lang=fr")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    assert sheet.title == "Jours"
    assert [c.value for c in sheet[2]][:2] == ["2026-05-12", 26250.5]
    coops = load_workbook(io.BytesIO(
        client.get("/dashboard/export/cooperatives.xlsx?lang=ar").content)).active
    assert coops is not None and coops.sheet_view.rightToLeft


def test_edition_report_is_printable_with_charts(client: TestClient, organiser: str,
                                                 pushed: World) -> None:
    log_in(client, organiser)
    fr = client.get("/dashboard/report?lang=fr")
    assert fr.status_code == 200
    assert "Rapport de l&#x27;édition : Marché itinérant de Fès" in fr.text
    assert "@media print" in fr.text and "@page" in fr.text
    assert fr.text.count("<svg") >= 5
    assert "26\u00a0550,50\u00a0DH" in fr.text  # the edition's net sales
    ar = client.get("/dashboard/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in ar.text
    assert "26\u00a0550,50\u00a0د.م." in ar.text
    assert "تعاونية فخار فاس" in ar.text


def test_product_names_from_stalls_are_escaped(client: TestClient, organiser: str,
                                               world: World) -> None:
    s = summary(world.argan.device_id, products=1).model_dump(mode="json")
    s["products"][0]["name_fr"] = "<script>alert(1)</script>"
    client.post("/api/v1/push", headers=world.argan.headers, json={"summaries": [s]})
    log_in(client, organiser)
    report = client.get("/dashboard/report?lang=fr").text
    assert "<script>alert(1)</script>" not in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report


def test_the_dashboards_two_readers_share_one_snapshot(db: Database, pushed: World) -> None:
    """On PostgreSQL the hours and top products are read beside the cooperatives, by a
    second session that sees exactly what the first sees, even if a push commits between."""
    from sqlalchemy import func, select

    from sync.server.models import DaySummaryRow

    with db.read_together() as (main, beside):
        if beside is None:
            assert not db.is_postgresql
            return
        count = select(func.count()).select_from(DaySummaryRow)
        before = main.scalar(count)
        with db.write() as s:
            s.execute(DaySummaryRow.__table__.delete())
        assert beside.scalar(count) == before == main.scalar(count) == 3
    with db.read() as s:
        assert s.scalar(count) == 0
