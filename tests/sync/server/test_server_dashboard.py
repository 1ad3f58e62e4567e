"""The organisers' dashboard over HTTP: login, figures, exports and the edition report."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from sync.protocol import DaySummary
from sync.server import admin, queries
from sync.server.db import Database
from sync.server.i18n import Translator, market_time
from sync.server.models import Device

from .server_support import DAY, World, enrol, push_body, set_up_before, summary

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
    user_id, epoch, expires, binding, signature = good.split(".")
    client.cookies.clear()
    client.cookies.set("souk_session",
                       f"{user_id}.{epoch}.{int(expires) + 9999}.{binding}.{signature}",
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


def with_products(device_id: uuid.UUID, day: dt.date, *lines: tuple[str, int, int]
                  ) -> DaySummary:
    """A summary of ``day`` that sold these product lines (key, quantity, amount)."""
    products = [{"product_id": sku, "name_ar": f"منتج {sku}", "name_fr": f"Produit {sku}",
                 "category": "huile", "quantity": qty, "amount": amount}
                for sku, qty, amount in lines]
    data = summary(device_id, day, 3, net=sum(p["amount"] for p in products)).model_dump()
    data["items"] = data["members"][0]["quantity"] = sum(p["quantity"] for p in products)
    return DaySummary.model_validate({**data, "products": products})


def test_a_days_top_products_sum_a_cooperatives_tills(client: TestClient, db: Database,
                                                      organiser: str, world: World) -> None:
    """A product sold on two tills of one cooperative ranks on their sum; the others on
    their single line. The list equals the one made by summing every line of the day."""
    second = enrol(client, db, world.argan.cooperative_id, "argan-2")
    sold = [
        (world.argan, [("SKU-A", 3_000, 30_000), ("SKU-B", 1_000, 2_000),
                       ("SKU-C", 2_000, 40_000)]),
        (second, [("SKU-A", 2_000, 25_000), ("SKU-D", 1_000, 500)]),
        (world.pottery, [("JAR", 1_000, 50_000), ("BOWL", 2_000, 1_000),
                         ("CUP", 1_000, 2_000)]),
    ]
    for stall, lines in sold:
        day = with_products(stall.device_id, DAY, *lines)
        reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(day))
        assert reply.status_code == 200, reply.text
        other = with_products(stall.device_id, DAY + dt.timedelta(days=1),
                              ("SKU-Z", 1_000, 90_000))  # another day: not counted
        assert client.post("/api/v1/push", headers=stall.headers,
                           json=push_body(other)).status_code == 200
    expected: dict[tuple[int, str], list[int]] = {}
    for stall, lines in sold:
        for sku, qty, amount in lines:
            sums = expected.setdefault((stall.cooperative_id, sku), [0, 0])
            sums[0] += qty
            sums[1] += amount
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1][1], kv[0]))
    assert [key for key, _ in ranked[:3]] == [(world.argan.cooperative_id, "SKU-A"),
                                              (world.pottery.cooperative_id, "JAR"),
                                              (world.argan.cooperative_id, "SKU-C")]
    log_in(client, organiser)
    data = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}").json()
    top = [((t["cooperative_id"], t["product_id"]), [t["quantity"], t["amount"]])
           for t in data["top_products"]]
    assert top == ranked
    assert data["top_products"][0]["name_fr"] == "Produit SKU-A"
    with db.read() as s:
        from sync.server.models import Market

        market = s.get_one(Market, world.market_id)
        three = queries.top_products(s, market, DAY, limit=3)
        edition = queries.top_products(s, market, None, limit=1)
    assert [(t["product_id"], t["amount"]) for t in three] == [
        ("SKU-A", 55_000), ("JAR", 50_000), ("SKU-C", 40_000)]
    assert [(t["product_id"], t["amount"]) for t in edition] == [("SKU-Z", 180_000)]


def test_cooperative_rows_in_stand_order_with_their_sync_state(
        client: TestClient, db: Database, pushed: World) -> None:
    """Numbered stands by number (in any script's digits), then the others by name; the
    last sync to the microsecond, how long ago, and late past half an hour with the day
    shown open (test_server_report) or never synced while the market runs; inside the
    region whatever the letter case. On PostgreSQL the database makes these rows (at once
    in two halves for the dashboard): they equal the ones made stall by stall in Python."""
    from sqlalchemy import update

    from sync.server.models import Market

    with db.write() as s:
        for stand, region in (("١٠", "FÈS-MEKNÈS"), ("B-2", "Souss-Massa"), ("²", None),
                              ("A-1", None), ("100", None)):
            admin.add_cooperative(s, admin.CooperativeInput(
                market_id=pushed.market_id, name_ar=f"تعاونية {stand}",
                name_fr=f"Coopérative {stand}", sector="herbs", province="Sefrou",
                stand=stand, members=5, region=region))
    set_up_before(db, pushed.market_id)  # (in the market on the day shown)
    now = dt.datetime(2026, 5, 12, 18, 0, 0)
    with db.write() as s:
        for device, last in ((pushed.argan.device_id, dt.datetime(2026, 5, 12, 17, 0, 0)),
                             (pushed.pottery.device_id,
                              dt.datetime(2026, 5, 12, 17, 45, 30, 250))):
            s.execute(update(Device).where(Device.id == device)
                      .values(last_push_at=last, last_seen_at=last))
    stall = enrol(client, db, pushed.pottery.cooperative_id, "pottery-2")
    with db.write() as s:
        admin.revoke_device(s, stall.device_id)
    with db.read() as s:
        market = s.get_one(Market, pushed.market_id)
        rows = [dict(zip(queries.COOP_FIELDS, r, strict=True))
                for r in queries.cooperative_values(s, market, DAY, now)]
        portable = queries._coop_values_portable(s, market, DAY, now)
        assert queries.cooperative_values(s, market, DAY, now) == portable
    with db.read_together(beside=1) as (main, beside):  # two halves read at once
        halves = queries.cooperative_values(main, main.get_one(Market, pushed.market_id), DAY,
                                            now, beside=beside[0] if beside else None)
        assert halves == portable
    assert [r["stand"] for r in rows] == ["3", "10", "12", "100", "A-1", "B-2", "²"]
    by_stand = {r["stand"]: r for r in rows}
    argan, pottery = by_stand["12"], by_stand["3"]
    assert (argan["last_sync"], argan["stale_seconds"], argan["stale"]) == (
        "2026-05-12T17:00:00.000000Z", 3600, False)  # the day shown is closed at argan
    assert (pottery["last_sync"], pottery["stale_seconds"], pottery["stale"]) == (
        "2026-05-12T17:45:30.000250Z", 869, False)
    assert pottery["devices"] == 1  # the revoked till is not counted
    # never synced while the market runs: late
    assert (by_stand["A-1"]["last_sync"], by_stand["A-1"]["stale_seconds"],
            by_stand["A-1"]["stale"], by_stand["A-1"]["devices"]) == (None, None, True, 0)
    assert [by_stand[k]["inside"] for k in ("3", "10", "B-2", "12")] == [
        True, True, False, False]
    assert (argan["day_net"], argan["edition_net"], argan["reported"]) == (125_050, 155_050, 1)
    assert by_stand["100"]["reported"] == 0


def test_breakdowns_sum_each_group_exactly_its_cooperatives() -> None:
    """Every mix of sector, origin and programmes: each group holds exactly the
    cooperatives that belong to it, and their figures to the centime."""
    rows = [
        queries.CoopRow(i, f"ت {i}", f"C {i}", sector, str(i), "P", "P", "R", inside, 3 + i,
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
        latest = s.get_one(Device, second.device_id).last_seen_at
    assert argan["last_sync"] == latest.isoformat(timespec="microseconds") + "Z"


def test_a_conflict_shows_on_its_cooperative(client: TestClient, organiser: str,
                                             pushed: World) -> None:
    a = pushed.argan
    client.post("/api/v1/push", headers=a.headers,
                json=push_body(summary(a.device_id, DAY, 12, net=1, status="closed")))
    log_in(client, organiser)
    data = client.get("/dashboard/data.json").json()
    assert {c["stand"]: c["conflicts"] for c in cooperatives(data)} == {"3": 0, "12": 1}


@pytest.mark.parametrize(("lang", "says"), [
    ("fr", "le serveur a gardé les premiers. À vérifier avec le stand."),
    ("ar", "احتفظ الخادم بالأرقام الأولى. ينبغي التحقق من ذلك مع الرواق."),
    ("en", "the server kept the first ones. Check with the stand."),
])
def test_the_conflicts_column_says_what_a_conflict_is(client: TestClient, organiser: str,
                                                      lang: str, says: str) -> None:
    """An organiser who sees a conflict counted on a stand learns from its column's title
    what it is (a day sent again with other figures under the same number), what the
    server did with it and what to do, in the page's language."""
    log_in(client, organiser)
    page = client.get(f"/dashboard/?lang={lang}").text
    t = Translator(lang)
    header = re.search(r'<th class="num" title="([^"]*)">([^<]*)</th>\s*</tr></thead>', page)
    assert header is not None
    assert header.group(2) == t("conflicts")
    assert html.unescape(header.group(1)).endswith(says)


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
    # no stand restored: what restores replaced is left empty
    assert days.splitlines()[1] == "2026-05-12,26250.50,100.00,10,2,1,0,,,,"


@pytest.mark.parametrize(("lang", "day_sales", "day_tickets", "edition_sales",
                          "edition_tickets", "delimiter"), [
    ("fr", "Ventes du jour (DH)", "Tickets du jour", "Ventes de l'édition (DH)",
     "Tickets de l'édition", ";"),
    ("en", "Day's sales (MAD)", "Day's tickets", "Edition sales (MAD)", "Edition tickets",
     ","),
])
def test_cooperatives_export_follows_the_chosen_day(
        client: TestClient, organiser: str, pushed: World, lang: str, day_sales: str,
        day_tickets: str, edition_sales: str, edition_tickets: str, delimiter: str) -> None:
    """The cooperatives' file holds the figures of the day the dashboard shows, under the
    screen's headers, beside the edition's (named as such), and is named after that day."""
    log_in(client, organiser)
    second = DAY + dt.timedelta(days=1)
    for day, sales, tickets in ((DAY, "1250.50", "7"), (second, "300.00", "2")):
        reply = client.get(f"/dashboard/export/cooperatives.csv?market={pushed.market_id}"
                           f"&day={day.isoformat()}&lang={lang}")
        assert reply.status_code == 200
        assert reply.headers["content-disposition"] == (
            f'attachment; filename="souk-market{pushed.market_id}-cooperatives-'
            f'{day.isoformat()}.csv"')
        rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")),
                               delimiter=delimiter))
        argan = dict(zip(rows[0], next(r for r in rows if r[0] == "12"), strict=True))
        if lang == "fr":
            sales = sales.replace(".", ",")
        assert (argan[day_sales], argan[day_tickets]) == (sales, tickets)
        assert (argan[edition_sales], argan[edition_tickets]) == (
            "1550,50" if lang == "fr" else "1550.50", "9")
        assert "Tickets" not in rows[0]  # every count says whose tickets it counts
    book = client.get(f"/dashboard/export/cooperatives.xlsx?market={pushed.market_id}"
                      f"&day={second.isoformat()}&lang={lang}")
    assert book.headers["content-disposition"].endswith(f'-{second.isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    argan = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "12")
    assert (argan[headers.index(day_sales)], argan[headers.index(day_tickets)]) == (300, 2)


def test_xlsx_export_holds_numbers(client: TestClient, organiser: str, pushed: World) -> None:
    log_in(client, organiser)
    reply = client.get("/dashboard/export/days.xlsx?lang=fr")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    assert sheet.title == "Jours"
    assert [c.value for c in sheet[2]][:2] == [dt.datetime(2026, 5, 12), 26250.5]
    assert sheet["A2"].is_date
    coops = load_workbook(io.BytesIO(
        client.get("/dashboard/export/cooperatives.xlsx?lang=ar").content)).active
    assert coops is not None and coops.sheet_view.rightToLeft


def test_edition_report_is_printable_with_charts(client: TestClient, organiser: str,
                                                 pushed: World) -> None:
    log_in(client, organiser)
    fr = client.get("/dashboard/report?lang=fr")
    assert fr.status_code == 200
    assert "Rapport de l&#x27;édition\u00a0: Marché itinérant de Fès" in fr.text
    assert "@media print" in fr.text and "@page" in fr.text
    assert fr.text.count("<svg") >= 5
    assert "26\u00a0550,50\u00a0DH" in fr.text  # the edition's net sales
    ar = client.get("/dashboard/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in ar.text
    assert "26\u00a0550,50\u00a0د.م." in ar.text
    assert "تعاونية فخار فاس" in ar.text


def test_places_read_in_the_pages_language(client: TestClient, db: Database,
                                          organiser: str, world: World) -> None:
    """A market's city and region, and a cooperative's province, are written in Arabic on
    the Arabic report, picker and exports (their Arabic names), as given on the French
    ones; a market or cooperative without Arabic names writes them as given in every
    language."""
    with db.write() as s:
        admin.edit_market(s, world.market_id, city_ar="فاس", region_ar="جهة فاس مكناس")
        admin.edit_cooperative(s, world.pottery.cooperative_id, province_ar="فاس")
        other = admin.add_market(s, name_ar="سوق إفران", name_fr="Marché d'Ifrane",
                                 city="Ifrane", region="Fès-Meknès", starts_on=DAY,
                                 ends_on=DAY).id
    log_in(client, organiser)
    data = client.get(f"/dashboard/data.json?market={world.market_id}").json()
    market = data["market"]
    assert [market[k] for k in ("city", "city_ar", "region", "region_ar")] == [
        "Fès", "فاس", "Fès-Meknès", "جهة فاس مكناس"]
    assert {m["id"]: (m["city"], m["city_ar"], m["region_ar"]) for m in data["markets"]} == {
        world.market_id: ("Fès", "فاس", "جهة فاس مكناس"),
        other: ("Ifrane", "Ifrane", "Fès-Meknès")}
    start, end = "\u206612/05/2026\u2069", "\u206616/05/2026\u2069"
    ar = client.get(f"/dashboard/report?market={world.market_id}&lang=ar").text
    assert (f'<p class="subtitle">\u2068فاس\u2069 (\u2068جهة فاس مكناس\u2069)، '
            f'من {start} إلى {end}</p>') in ar
    fr = client.get(f"/dashboard/report?market={world.market_id}&lang=fr").text
    assert (f'<p class="subtitle">\u2068Fès\u2069 (\u2068Fès-Meknès\u2069), '
            f'du {start} au {end}</p>') in fr
    assert "فاس" not in fr
    plain = client.get(f"/dashboard/report?market={other}&lang=ar").text
    assert '<p class="subtitle">\u2068Ifrane\u2069 (\u2068Fès-Meknès\u2069)، من' in plain

    def provinces(lang: str) -> dict[str, str]:
        """Per stand, the province as the cooperatives' CSV and XLSX write it (the same)."""
        url = f"/dashboard/export/cooperatives.%s?market={world.market_id}&lang={lang}"
        rows = list(csv.reader(io.StringIO(client.get(url % "csv").content.decode(
            "utf-8-sig")), delimiter=";"))
        sheet = [[c.value for c in r] for r in load_workbook(io.BytesIO(
            client.get(url % "xlsx").content)).worksheets[0].iter_rows()]
        header = Translator(lang)("province")
        in_csv = {r[0]: r[rows[0].index(header)] for r in rows[1:]}
        assert in_csv == {r[0]: r[sheet[0].index(header)] for r in sheet[1:]}
        return in_csv

    assert provinces("ar") == {"3": "فاس", "12": "Essaouira"}
    assert provinces("fr") == {"3": "Fès", "12": "Essaouira"}


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
    """On PostgreSQL the hours and top products are read beside the cooperatives, by two
    more sessions that see exactly what the first sees, even if a push commits between."""
    from sqlalchemy import func, select

    from sync.server.models import DaySummaryRow

    with db.read_together(beside=2) as (main, beside):
        if not beside:
            assert not db.is_postgresql
            return
        count = select(func.count()).select_from(DaySummaryRow)
        before = main.scalar(count)
        with db.write() as s:
            s.execute(DaySummaryRow.__table__.delete())
        assert [side.scalar(count) for side in beside] == [before, before]
        assert before == main.scalar(count) == 3
    with db.read() as s:
        assert s.scalar(count) == 0


def test_of_two_markets_running_at_once_the_one_stalls_send_to_is_shown_first(
        client: TestClient, db: Database, world: World) -> None:
    """A market that opens today and has nothing yet does not hide the one in full swing;
    the organiser can still pick either."""
    today = DAY + dt.timedelta(days=1)
    with db.write() as s:
        newer = admin.add_market(s, name_ar="سوق مكناس", name_fr="Marché de Meknès",
                                 city="Meknès", region="Fès-Meknès", starts_on=today,
                                 ends_on=today + dt.timedelta(days=3)).id
    with db.read() as s:
        shown = queries.pick_market(s, None, today)
        assert shown is not None and shown.id == newer  # nothing received anywhere yet
    a = world.argan
    reply = client.post("/api/v1/push", headers=a.headers,
                        json=push_body(summary(a.device_id, today, 3, net=40_000)))
    assert reply.status_code == 200, reply.text
    with db.read() as s:
        shown = queries.pick_market(s, None, today)
        assert shown is not None and shown.id == world.market_id
        asked = queries.pick_market(s, newer, today)
        assert asked is not None and asked.id == newer


def test_a_till_whose_figures_are_refused_says_so_and_why(
        client: TestClient, organiser: str, world: World, db: Database) -> None:
    a = world.argan
    set_up_before(db, world.market_id)  # (in the market on the day shown)
    outside = DAY + dt.timedelta(days=10)  # the market runs 5 days
    reply = client.post("/api/v1/push", headers=a.headers,
                        json=push_body(summary(a.device_id, outside, 3, net=9_000)))
    assert reply.status_code == 422, reply.text
    with db.read() as s:
        refused_at = s.get_one(Device, a.device_id).refused_at
    assert refused_at is not None
    since = market_time(refused_at)
    log_in(client, organiser)

    def argan_row() -> dict[str, Any]:
        data = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}").json()
        rows = [dict(zip(data["cooperative_fields"], r, strict=True))
                for r in data["cooperatives"]]
        return next(r for r in rows if r["id"] == a.cooperative_id)

    def export_says(lang: str, header: str = "refused_column") -> str:
        reply = client.get(f"/dashboard/export/cooperatives.csv?market={world.market_id}"
                           f"&day={DAY}&lang={lang}")
        rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")), delimiter=";"))
        column = rows[0].index(Translator(lang)(header))
        return next(r for r in rows[1:] if r[0] == "12")[column]

    row = argan_row()
    assert row["refused"] == since.isoformat(timespec="minutes")
    assert row["refused_key"] == "server.err.day_outside_market"
    assert row["refused_params"]["day"] == "2026-05-22"
    at = f"{since:%d/%m %H:%M}"
    assert export_says("fr") == (f"Chiffres refusés depuis {at}\u00a0: le jour 22/05/2026 "
                                 "est hors des dates du marché")
    assert export_says("ar") == f"الأرقام مرفوضة منذ {at}: اليوم 22/05/2026 خارج تواريخ السوق"
    # the stand needs attention for it (and for its day, gone by, that nothing came of),
    # the file says beside
    assert export_says("fr", "attention_column") == (
        "rien reçu pour ce jour · chiffres refusés")
    # the till's next push is taken: its figures are no longer refused
    reply = client.post("/api/v1/push", headers=a.headers,
                        json=push_body(summary(a.device_id, DAY, 3, net=9_000)))
    assert reply.status_code == 200, reply.text
    row = argan_row()
    assert (row["refused"], row["refused_key"], row["refused_params"]) == (None, None, None)
    assert export_says("fr") == export_says("fr", "attention_column") == ""
