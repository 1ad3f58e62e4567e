"""The edition report and the exports as an organiser reads them: figures in the language's
formats, times in Morocco's time, long names readable in the charts, "no sales yet" on an
empty market, real dates in Excel; and which stalls the dashboard flags as late."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from sync.server import admin, charts, queries, report
from sync.server.db import Database
from sync.server.i18n import NBSP, Translator, market_time, market_zone
from sync.server.models import DaySummaryRow, Device, Market

from .server_support import DAY, World, enrol, push_body, set_up_before, summary
from .test_server_dashboard import PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SVG = "{http://www.w3.org/2000/svg}"
LONG_FR = "Coopérative des plantes médicinales et aromatiques du Moyen Atlas"
LONG_AR = "تعاونية النباتات الطبية والعطرية للأطلس المتوسط"
# as long as a cooperative's name may be (200 letters), in capitals (the widest)
LONGEST = ("COOPÉRATIVE AGRICOLE FÉMININE DES PRODUCTRICES D'HUILE D'ARGAN BIOLOGIQUE, "
           "D'AMLOU TRADITIONNEL ET DE MIEL DE THYM DES MONTAGNES DU HAUT ATLAS OCCIDENTAL "
           "ET DE LA PLAINE DU SOUSS, TAROUDANT, SOUSS-MASSA")[:200]
MAY_EVENING = dt.datetime(2026, 5, 12, 21, 5)  # UTC; 22:05 in Morocco

needs_zone = pytest.mark.skipif(market_zone() is None,
                                reason="no time zone data for Africa/Casablanca")


def set_last_push(db: Database, stall: Any, when: dt.datetime) -> None:
    """As if the stall's till had last pushed, and last been in contact, at ``when``."""
    with db.write() as s:
        s.execute(update(Device).where(Device.id == stall.device_id)
                  .values(last_push_at=when, last_seen_at=when))


def set_received(db: Database, stall: Any, day: dt.date, when: dt.datetime) -> None:
    """As if the stall's figures of ``day`` had come at ``when`` (naive UTC)."""
    with db.write() as s:
        s.execute(update(DaySummaryRow).where(DaySummaryRow.device_id == stall.device_id,
                                              DaySummaryRow.business_day == day)
                  .values(received_at=when))


def push(client: TestClient, stall: Any, *summaries: Any) -> None:
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(*summaries))
    assert reply.status_code == 200, reply.text


def add_coop(db: Database, market_id: int, stand: str, name_fr: str, name_ar: str) -> int:
    with db.write() as s:
        return admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market_id, name_ar=name_ar, name_fr=name_fr, sector="herbs",
            province="Sefrou", stand=stand, members=1_250)).id


def build(db: Database, market_id: int, lang: str, now: dt.datetime = MAY_EVENING) -> str:
    with db.read() as s:
        return report.build(s, s.get_one(Market, market_id), Translator(lang), now)


def kpis(page: str) -> dict[str, str]:
    return dict(re.findall(r'<div class="label">([^<]*)</div><div class="value">([^<]*)</div>',
                           page))


def section(page: str, title: str) -> str:
    """The markup of the report's section under the heading ``title``."""
    match = re.search(rf"<section[^>]*><h2>{re.escape(title)}</h2>(.*?)</section>", page,
                      re.S)
    assert match, title
    return match.group(1)


def cells(markup: str) -> list[list[tuple[set[str], str]]]:
    """The rows of a table's body: each cell's classes and text (without its markup)."""
    return [[(set(kind.split()), re.sub(r"<[^>]*>", "", text)) for kind, text in
             re.findall(r'<td(?: class="([^"]*)")?[^>]*>(.*?)</td>', row)]
            for row in re.findall(r"<tr>(.*?)</tr>", markup) if "<td" in row]


def chart(page: str, title: str) -> ET.Element:
    markup = section(page, title)
    svg = markup[markup.index("<svg"):markup.index("</svg>") + 6]
    return ET.fromstring(svg)


def bar_rows(svg: ET.Element) -> list[tuple[list[tuple[str, float]], dict[str, str]]]:
    """Each bar's label (its lines and their baselines) and the bar's attributes."""
    labels = [[(t.text or "", float(t.get("y", 0))) for t in text.iter(f"{SVG}tspan")]
              for text in svg.iter(f"{SVG}text") if text.get("class") == "label"]
    rects = [dict(r.attrib) | {"title": r.findtext(f"{SVG}title") or ""}
             for r in svg.iter(f"{SVG}rect")]
    assert len(labels) == len(rects)
    return list(zip(labels, rects, strict=True))


# --- late stalls -------------------------------------------------------------------------


@pytest.fixture
def late_world(client: TestClient, db: Database, world: World) -> dict[str, Any]:
    """Argan has a day open; pottery closed its only day; "never" has a till that never
    pushed, "none" no till at all; "revoked" closed its day on its till and left a day
    open on a till since revoked."""
    push(client, world.argan, summary(world.argan.device_id, DAY, 3, status="closed"),
         summary(world.argan.device_id, DAY + dt.timedelta(days=1), 3))
    push(client, world.pottery, summary(world.pottery.device_id, DAY, 3, status="closed"))
    never = add_coop(db, world.market_id, "20", "Coopérative Jamais", "تعاونية أبدا")
    enrol(client, db, never)
    add_coop(db, world.market_id, "21", "Coopérative Sans caisse", "تعاونية بلا صندوق")
    revoked = add_coop(db, world.market_id, "22", "Coopérative Révoquée", "تعاونية ملغاة")
    kept, gone = enrol(client, db, revoked, "kept"), enrol(client, db, revoked, "gone")
    push(client, kept, summary(kept.device_id, DAY, 3, status="closed"))
    push(client, gone, summary(gone.device_id, DAY + dt.timedelta(days=1), 3))
    with db.write() as s:
        admin.revoke_device(s, gone.device_id)
    set_up_before(db, world.market_id)  # (all in the market from its first day)
    return {"world": world, "kept": kept, "gone": gone}


def late(db: Database, market_id: int, now: dt.datetime, day: dt.date = DAY
         ) -> dict[str, tuple[Any, ...]]:
    """Per stand: (stale_seconds, stale) with ``day`` shown, on this database and stall by
    stall."""
    with db.read() as s:
        market = s.get_one(Market, market_id)
        rows = queries.cooperative_values(s, market, day, now)
        assert rows == queries._coop_values_portable(s, market, day, now)
    fields = queries.COOP_FIELDS
    return {r[fields.index("stand")]: (r[fields.index("stale_seconds")],
                                       r[fields.index("stale")]) for r in rows}


def test_late_means_a_day_open_and_no_push_for_half_an_hour(
        db: Database, late_world: dict[str, Any]) -> None:
    """Late is said of today: a stand whose day is open and silent for half an hour, or
    that sent nothing of today (or never was heard of) and is silent, the market open for
    half an hour. Seen from a later day, none of them is late for that day: it is over."""
    world = late_world["world"]
    now = dt.datetime(2026, 5, 13, 10, 0)  # 11:00 in Morocco, the market open since 09:00
    set_last_push(db, world.argan, now - dt.timedelta(minutes=40))
    set_last_push(db, world.pottery, now - dt.timedelta(days=1))
    set_last_push(db, late_world["kept"], now - dt.timedelta(hours=20))
    set_last_push(db, late_world["gone"], now - dt.timedelta(hours=20))
    opened = DAY + dt.timedelta(days=1)  # the day shown, today: argan's open day
    assert late(db, world.market_id, now, opened) == {
        "12": (40 * 60, True),  # its day open, 40 minutes without a push
        "3": (86_400, True),  # nothing of today, its till silent since yesterday
        "20": (None, True),  # never heard of
        "21": (None, True),
        "22": (20 * 3600, False),  # the open day is on a revoked till
    }
    set_last_push(db, world.argan, now - dt.timedelta(minutes=20))
    assert late(db, world.market_id, now, opened)["12"] == (20 * 60, False)
    assert late(db, world.market_id, now, DAY)["12"] == (20 * 60, False)  # a closed day
    # two days on, the 13th is a day gone by: argan's day still open on its till, silent
    # for two days, is not late for it, nor are the stands never heard of
    later = now + dt.timedelta(days=2)
    assert {stand: stale for stand, (_, stale) in
            late(db, world.market_id, later, opened).items()} == dict.fromkeys(
        ("12", "3", "20", "21", "22"), False)


@needs_zone
def test_a_days_receipt_is_that_days_not_the_tills_last_contact(
        client: TestClient, db: Database, late_world: dict[str, Any]) -> None:
    """Each day shown says when its figures came from a stand (Morocco's time, to the
    minute, and how long ago) and whether its tills closed it, whatever the till sent
    since: argan's closed day came at 20:05, its next day at 11:30 the day after, and it
    was last in contact at 12:10. A stand with two tills, one of them revoked since, has
    its day closed once its live till closed it (the revoked one will never close it);
    its figures came when the latest did."""
    world, kept, gone = late_world["world"], late_world["kept"], late_world["gone"]
    now = dt.datetime(2026, 5, 13, 11, 40)  # 12:40 in Morocco
    nxt = DAY + dt.timedelta(days=1)
    set_received(db, world.argan, DAY, dt.datetime(2026, 5, 12, 19, 5))
    set_received(db, world.argan, nxt, dt.datetime(2026, 5, 13, 10, 30))
    set_last_push(db, world.argan, dt.datetime(2026, 5, 13, 11, 10))
    set_received(db, kept, DAY, dt.datetime(2026, 5, 12, 18, 0))
    fields = queries.COOP_FIELDS

    def shown(day: dt.date) -> dict[str, tuple[Any, ...]]:
        with db.read() as s:
            market = s.get_one(Market, world.market_id)
            rows = queries.cooperative_values(s, market, day, now)
            assert rows == queries._coop_values_portable(s, market, day, now)
        return {r[fields.index("stand")]: tuple(r[fields.index(f)] for f in (
            "received", "received_seconds", "day_closed", "last_sync", "reported"))
            for r in rows}

    on_day = shown(DAY)
    assert on_day["12"] == ("2026-05-12T20:05", 16 * 3600 + 35 * 60, True,
                            "2026-05-13T11:10:00.000000Z", 1)
    assert on_day["22"][:3] == ("2026-05-12T19:00", 17 * 3600 + 40 * 60, True)
    assert on_day["20"] == on_day["21"] == (None, None, False, None, 0)
    assert shown(nxt)["12"][:3] == ("2026-05-13T11:30", 70 * 60, False)
    set_received(db, gone, nxt, dt.datetime(2026, 5, 13, 11, 0))
    assert shown(nxt)["22"][:3] == ("2026-05-13T12:00", 40 * 60, False)  # open on "gone"
    push(client, kept, summary(kept.device_id, nxt, 3, status="closed"))
    set_received(db, kept, nxt, dt.datetime(2026, 5, 13, 9, 0))
    # closed on its live till, open only on the revoked one: closed; the latest receipt
    assert shown(nxt)["22"][:3] == ("2026-05-13T12:00", 40 * 60, True)


def test_a_resend_is_contact_not_new_figures(client: TestClient, db: Database,
                                             world: World) -> None:
    """The day's receipt is the push that brought its figures: the same version sent again
    (a till that did not hear the answer) is contact, which leaves it as it was; a newer
    version moves it."""
    a = world.argan

    def times() -> tuple[dt.datetime, dt.datetime | None]:
        with db.read() as s:
            return (s.scalars(select(DaySummaryRow.received_at)
                              .where(DaySummaryRow.device_id == a.device_id)).one(),
                    s.get_one(Device, a.device_id).last_push_at)

    push(client, a, summary(a.device_id, DAY, 3))
    received, contact = times()
    assert contact == received
    push(client, a, summary(a.device_id, DAY, 3))  # unchanged
    again, later = times()
    assert again == received and later is not None and later > received
    push(client, a, summary(a.device_id, DAY, 4, net=130_000))
    newer, latest = times()
    assert newer == latest and newer > later


LAST = DAY + dt.timedelta(days=4)


@pytest.mark.parametrize(("now", "day", "late_now"), [
    (dt.datetime(2026, 5, 11, 22, 59), DAY, False),  # 23:59 in Morocco, the day before
    pytest.param(dt.datetime(2026, 5, 11, 23, 30), DAY, False,
                 marks=needs_zone),  # 00:30 on day one: the market not open yet
    (dt.datetime(2026, 5, 12, 8, 29), DAY, False),  # 09:29, opened at 09:00
    (dt.datetime(2026, 5, 12, 8, 31), DAY, True),  # 09:31: half an hour open
    (dt.datetime(2026, 5, 16, 22, 30), LAST, True),  # 23:30 on the last day
    (dt.datetime(2026, 5, 16, 22, 30), DAY, False),  # day one, seen on the last: gone by
    pytest.param(dt.datetime(2026, 5, 16, 23, 30), LAST, False,
                 marks=needs_zone),  # the day after
    (dt.datetime(2026, 6, 1, 10, 0), LAST, False),
])
def test_never_synced_is_late_only_today_once_the_market_opened(
        db: Database, late_world: dict[str, Any], now: dt.datetime, day: dt.date,
        late_now: bool) -> None:
    """The market's days are Morocco's days; a stand never heard of is late on today's
    dashboard from half an hour after the market opened, never on a day gone by."""
    rows = late(db, late_world["world"].market_id, now, day)
    assert (rows["20"], rows["21"]) == ((None, late_now), (None, late_now))


# --- the report --------------------------------------------------------------------------


@pytest.fixture
def big(client: TestClient, db: Database, world: World) -> World:
    """Argan sold 10 933 tickets, 3.5 kg of its first product; a cooperative with a long
    name sold the most."""
    s = summary(world.argan.device_id, DAY, 3, net=44_960_985, tickets=10_933,
                refunds=580_400).model_dump(mode="json")
    s["products"][0]["quantity"] = 3_500
    s["items"] = s["members"][0]["quantity"] = sum(p["quantity"] for p in s["products"])
    reply = client.post("/api/v1/push", headers=world.argan.headers, json={"summaries": [s]})
    assert reply.status_code == 200, reply.text
    herbs = enrol(client, db, add_coop(db, world.market_id, "7", LONG_FR, LONG_AR))
    push(client, herbs, summary(herbs.device_id, DAY, 3, net=50_000_000, tickets=12))
    set_up_before(db, world.market_id)  # (all in the market from its first day)
    return world


@needs_zone
@pytest.mark.parametrize(("lang", "generated", "net", "tickets", "members"), [
    ("fr", "Établi le \u206612/05/2026 22:05\u2069 (heure du Maroc)",
     f"949{NBSP}609,85{NBSP}DH", f"10{NBSP}945", f"1{NBSP}283"),
    ("ar", "حرر بتاريخ \u206612/05/2026 22:05\u2069 (بتوقيت المغرب)",
     f"949{NBSP}609,85{NBSP}د.م.", f"10{NBSP}945", f"1{NBSP}283"),
])
def test_report_figures_in_the_languages_formats_and_morocco_time(
        db: Database, big: World, lang: str, generated: str, net: str, tickets: str,
        members: str) -> None:
    page = build(db, big.market_id, lang)
    t = Translator(lang)
    assert f'<p class="generated">{generated}</p>' in page
    figures = kpis(page)
    assert (figures[t("net_sales")], figures[t("tickets")], figures[t("members")]) == (
        net, tickets, members)
    argan, product = ("تعاونية أركان النساء", "منتج 0") if lang == "ar" else (
        "Coopérative Argan Nissae", "Produit 0")
    row = next(r for r in cells(section(page, t("top_products")))
               if [text for _, text in r[1:3]] == [product, argan])
    assert row[3] == ({"num"}, "3,5")  # 3.5 kg, with a decimal comma
    assert ({"num"}, f"10{NBSP}945") in cells(section(page, t("per_day")))[0]


PLACES = "\u2068Fès\u2069 (\u2068Fès-Meknès\u2069)"


@needs_zone
@pytest.mark.parametrize(("lang", "subtitle", "day", "short"), [
    ("fr", f"{PLACES}, du \u206612/05/2026\u2069 au \u206616/05/2026\u2069", "12/05/2026",
     "12/05"),
    ("ar", f"{PLACES}، من \u206612/05/2026\u2069 إلى \u206616/05/2026\u2069", "12/05/2026",
     "12/05"),
    ("en", f"{PLACES}, \u20662026-05-12\u2069 to \u20662026-05-16\u2069", "2026-05-12", "05-12"),
])
def test_report_dates_read_as_on_the_dashboard(db: Database, big: World, lang: str,
                                               subtitle: str, day: str, short: str) -> None:
    """The report writes its days as the dashboard does: 12/05/2026 in French and Arabic
    (12/05 under a chart's column), the ISO date in English."""
    page = build(db, big.market_id, lang)
    t = Translator(lang)
    assert f'<p class="subtitle">{subtitle}</p>' in page
    days = cells(section(page, t("per_day")))
    assert days[0][0] == ({"key"}, day)
    svg = chart(page, t("per_day"))
    labels = [x.text for x in svg.iter(f"{SVG}text") if x.get("class") == "tick-x"]
    assert labels == [short]


@pytest.mark.parametrize(("lang", "unit", "ticks"), [
    ("fr", "DH", ["0", f"500{NBSP}000", f"1{NBSP}000{NBSP}000"]),
    ("ar", "\u2067د.م.\u2069", ["0", f"500{NBSP}000", f"1{NBSP}000{NBSP}000"]),
    ("en", "MAD", ["0", "500,000", "1,000,000"]),
])
def test_report_chart_axes_read_as_on_the_dashboard(db: Database, big: World, lang: str,
                                                    unit: str, ticks: list[str]) -> None:
    """A chart's value axis counts whole dirhams in steps of 1, 2 or 5 times a power of
    ten, its currency written once above it, as on the dashboard's charts (949 609,85 DH
    sold on the busiest day: an axis to 1 000 000 in steps of 500 000)."""
    page = build(db, big.market_id, lang)
    svg = chart(page, Translator(lang)("per_day"))
    texts = list(svg.iter(f"{SVG}text"))
    assert [x.text for x in texts if x.get("class") == "unit"] == [unit]
    assert [x.text for x in texts if x.get("class") == "tick-y"] == ticks
    for peak, step, top in ((0, 1, 1), (350, 1, 4), (94_960_985, 500_000, 1_000_000),
                            (2_500_000, 10_000, 30_000), (12_345_00, 5_000, 15_000)):
        assert charts.axis(peak) == (step, top), peak
    # an hour of more refunded than sold: the axis goes as far below zero, in its steps
    assert charts.axis(60_000, -52_100) == (500, 1_000)
    assert charts.depth(-52_100, 500) == 1_000 and charts.depth(60_000, 500) == 0


@pytest.mark.parametrize(("lang", "day", "sector"), [
    ("fr", f"12/05{NBSP}: 949{NBSP}609,85{NBSP}DH",
     f"Plantes aromatiques et médicinales{NBSP}: 500{NBSP}000,00{NBSP}DH"),
    ("ar", f"12/05: 949{NBSP}609,85{NBSP}د.م.",
     f"{Translator('ar').sector('herbs')}: 500{NBSP}000,00{NBSP}د.م."),
    ("en", f"05-12: MAD{NBSP}949,609.85",
     f"{Translator('en').sector('herbs')}: MAD{NBSP}500,000.00"),
])
def test_a_bars_tooltip_reads_as_the_language_writes_it(
        db: Database, big: World, lang: str, day: str, sector: str) -> None:
    """A bar's tooltip (its ``<title>``) is its label and its amount as the dashboard's
    charts write them: in French a no-break space before the colon, and in every language
    no-break spaces in the amount (grouping its digits, before its currency), which never
    break a tooltip's line inside a figure."""
    page = build(db, big.market_id, lang)
    t = Translator(lang)
    days = [r.findtext(f"{SVG}title") for r in chart(page, t("per_day")).iter(f"{SVG}rect")]
    assert days == [day]
    sectors = [r.findtext(f"{SVG}title")
               for r in chart(page, t("per_sector")).iter(f"{SVG}rect")]
    assert sector in sectors, sectors  # the long-named cooperative's herbs
    for title in days + sectors:
        assert title is not None and " " not in title.rsplit(t.colon, 1)[1], title


@pytest.mark.parametrize("days", [1, 4, 30])
def test_a_short_edition_stands_its_bars_in_the_middle_of_the_chart(days: int) -> None:
    """Four days of a five-day market are not four thin bars at one side of an empty
    chart (the far side, read in Arabic): the bars stand in the middle of the plot, and
    thirty days fill it."""
    svg = ET.fromstring(charts.columns([f"{d}/11" for d in range(days)], [1_000] * days,
                                       str, str, unit="DH", width=900))
    bars = [(float(r.get("x", 0)), float(r.get("width", 0))) for r in svg.iter(f"{SVG}rect")]
    first, last = bars[0][0], bars[-1][0] + bars[-1][1]
    plot_left, plot_right = 70, 900 - 8
    assert abs((first - plot_left) - (plot_right - last)) < 1  # as much room at each side
    assert (last - first) / (plot_right - plot_left) > (0.8 if days == 30 else 0.05)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_each_cell_names_its_column(db: Database, big: World, lang: str) -> None:
    """On a phone a table's row is a card that shows each figure beside its column's name,
    which the cell carries."""
    tables = re.findall(r"<table>(.*?)</table>", build(db, big.market_id, lang))
    assert len(tables) == 6
    for table in tables:
        headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)
        for row in re.findall(r"<tr>(<td.*?)</tr>", table):
            assert re.findall(r'<td[^>]* data-label="([^"]*)"', row) == headers


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_long_cooperative_names_are_whole_above_their_bars(
        client: TestClient, db: Database, big: World, lang: str) -> None:
    longest = enrol(client, db, add_coop(db, big.market_id, "8", LONGEST, LONGEST))
    push(client, longest, summary(longest.device_id, DAY, 3, net=1_000, tickets=1))
    t = Translator(lang)
    rows = bar_rows(chart(build(db, big.market_id, lang), t("top_cooperatives")))
    labels = [" ".join(text for text, _ in lines) for lines, _ in rows]
    assert labels[0] == (LONG_AR if lang == "ar" else LONG_FR)  # whole, on one line
    for lines, rect in rows:  # every line of a label above its bar
        assert all(y <= float(rect["y"]) for _, y in lines)
    assert len(LONGEST) == 200
    assert LONGEST in labels  # whole, on a few lines


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_phone_reads_the_sales_of_every_hour(db: Database, big: World, lang: str) -> None:
    """A phone shows the chart of sales by hour as a list: each hour from the first with
    sales to the last, those without sales too, with its sales as money in the page's
    language."""
    t = Translator(lang)
    markup = section(build(db, big.market_id, lang), t("sales_by_hour"))
    rows = re.findall(r'<span class="name">([^<]*)</span>.*?<span class="value">([^<]*)</span>',
                      markup)
    sales = {10: 44_960_985 // 2 + 25_000_000, 16: 44_960_985 - 44_960_985 // 2 + 25_000_000}
    assert rows == [(f"{hour}:00", t.money(sales.get(hour, 0))) for hour in range(10, 17)]
    assert t.money(sales[16]) == f"474{NBSP}804,93{NBSP}" + ("د.م." if lang == "ar" else "DH")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_empty_market_says_no_sales_yet(db: Database, world: World, lang: str) -> None:
    page = build(db, world.market_id, lang)
    t = Translator(lang)
    none = t("no_sales_yet")
    for title in ("per_day", "per_sector", "per_origin", "sales_by_hour",
                  "top_cooperatives", "top_products"):
        markup = section(page, t(title))
        assert html.unescape(markup).count(none) == 1, title
        assert "<svg" not in markup, title
    assert "0,01" not in page
    assert f'<td class="empty" colspan="5">{html.escape(none)}</td>' in section(
        page, t("top_products"))


@pytest.mark.parametrize(("lang", "shares"), [
    ("fr", [f"53{NBSP}%", f"47{NBSP}%", f"0{NBSP}%"]), ("ar", ["53%", "47%", "0%"]),
    ("en", ["53%", "47%", "0%"])])
def test_shares_are_written_as_the_language_writes_a_percentage(
        db: Database, big: World, lang: str, shares: list[str]) -> None:
    """A cooperative's share of the edition: in French with a no-break space before the
    sign; in Arabic against its digits, so that a right-to-left cell shows the sign after
    them ("53%"), not before ("% 53"), as a space before it would."""
    t = Translator(lang)
    rows = cells(section(build(db, big.market_id, lang), t("top_cooperatives")))
    assert [row[-1] for row in rows] == [({"num"}, share) for share in shares]


def test_the_sectors_shares_add_up_to_the_whole(db: Database, client: TestClient,
                                               world: World) -> None:
    """Three sectors that sold a third of the edition each (food a few centimes more):
    their shares read 34 %, 33 % and 33 % (the whole edition, as their sales add up to
    it), not 33 % three times; the origins' shares add up to 100 % too, and the
    programmes, which overlap, keep each its own share."""
    herbs = add_coop(db, world.market_id, "7", "Coopérative des herbes", "تعاونية الأعشاب")
    stall = enrol(client, db, herbs)
    for each, net in ((world.argan, 100_010), (world.pottery, 100_000), (stall, 100_000)):
        push(client, each, summary(each.device_id, DAY, 3, net=net, tickets=2))
    t = Translator("fr")
    page = build(db, world.market_id, "fr")
    shares = {row[0][1]: row[-1][1] for row in cells(section(page, t("per_sector")))}
    assert {sector: shares[t.sector(sector)] for sector in ("food", "handicrafts", "herbs")
            } == {"food": f"34{NBSP}%", "handicrafts": f"33{NBSP}%", "herbs": f"33{NBSP}%"}
    origins = [row[-1][1] for row in cells(section(page, t("per_origin")))]
    assert sorted(origins) == [f"33{NBSP}%", f"67{NBSP}%"]
    programmes = [row[-1][1] for row in cells(section(page, t("programmes")))]
    assert programmes[0] == f"100{NBSP}%"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_day_without_sales_is_a_row_of_the_report(db: Database, client: TestClient,
                                                    world: World, lang: str) -> None:
    """A market day on which no till sent figures (rain), between two days of sales, is a
    row of zeros in the report's days table and a bar of its own on their chart, in its
    order; the days after today are not there yet."""
    for day in (DAY, DAY + dt.timedelta(days=2)):
        push(client, world.argan, summary(world.argan.device_id, day, 3, net=50_000,
                                          tickets=4))
    t = Translator(lang)
    page = build(db, world.market_id, lang, MAY_EVENING + dt.timedelta(days=3))
    rows = cells(section(page, t("per_day")))
    assert [(r[0][1], r[1][1], r[2][1]) for r in rows] == [
        (t.date(DAY + dt.timedelta(days=i)), t.money(50_000 if i in (0, 2) else 0),
         "4" if i in (0, 2) else "0") for i in range(4)]
    bars = [r.findtext(f"{SVG}title") or "" for r in chart(page, t("per_day")).iter(f"{SVG}rect")]
    assert [bar.split(t.colon)[0] for bar in bars] == [
        t.short_date(DAY + dt.timedelta(days=i)) for i in range(4)]


def test_the_days_export_has_a_row_for_a_day_without_sales(
        client: TestClient, db: Database, world: World) -> None:
    """The days' CSV file lists every day of the market (here over), one without figures
    with zeros, as the dashboard lists them: its sums are the edition's."""
    for day in (DAY, DAY + dt.timedelta(days=2)):
        push(client, world.argan, summary(world.argan.device_id, day, 3, net=50_000,
                                          tickets=4))
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export/days.csv?lang=fr")
                                       .content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ((DAY + dt.timedelta(days=i)).isoformat(), "500,00" if i in (0, 2) else "0,00",
         "4" if i in (0, 2) else "0") for i in range(5)]


# --- exports -----------------------------------------------------------------------------


@needs_zone
def test_exports_give_receipt_and_contact_in_morocco_time_and_excel_real_dates(
        client: TestClient, db: Database, world: World) -> None:
    """The cooperatives' file of a day says, as the dashboard's table, when the day's
    figures came from each stand and whether its day is closed (Z), then its till's last
    contact: times in Morocco's time, real dates in Excel; empty cells for a stand that
    sent nothing of the day, but its last contact when its till, with nothing to push,
    asked the server which days it holds."""
    push(client, world.argan, summary(world.argan.device_id, DAY, 3, status="closed"))
    set_received(db, world.argan, DAY, dt.datetime(2026, 5, 12, 17, 2, 10))  # 18:02
    set_last_push(db, world.argan, dt.datetime(2026, 5, 12, 17, 40, 30))  # 18:40 in Morocco
    assert client.get("/api/v1/days", headers=world.pottery.headers).status_code == 200
    with db.read() as s:
        quiet = s.get_one(Device, world.pottery.device_id)
        assert quiet.last_push_at is None and quiet.last_seen_at is not None
        polled = market_time(quiet.last_seen_at).replace(second=0, microsecond=0)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    sheet = load_workbook(io.BytesIO(client.get(
        f"/dashboard/export/cooperatives.xlsx?lang=fr&day={DAY}").content)).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    received = headers.index("Chiffres du jour reçus (heure du Maroc)")
    assert headers[received:received + 3] == [
        "Chiffres du jour reçus (heure du Maroc)", "Journée clôturée (Z)",
        "Dernier contact de la caisse (heure du Maroc)"]
    by_stand = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    argan = by_stand["12"][received:received + 3]
    assert [c.value for c in argan] == [
        dt.datetime(2026, 5, 12, 18, 2), "oui", dt.datetime(2026, 5, 12, 18, 40)]
    for cell in (argan[0], argan[2]):
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    # nothing of the day, only asked: its contact alone
    assert [c.value for c in by_stand["3"][received:received + 3]] == [None, None, polled]
    rows = list(csv.reader(io.StringIO(client.get(
        f"/dashboard/export/cooperatives.csv?lang=ar&day={DAY}").content.decode("utf-8-sig")),
        delimiter=";"))
    column = rows[0].index("وصول أرقام اليوم (بتوقيت المغرب)")
    assert rows[0][column + 1:column + 3] == ["اليوم مغلق (Z)", "آخر اتصال للصندوق (بتوقيت المغرب)"]
    assert {r[0]: r[column:column + 3] for r in rows[1:]} == {
        "3": ["", "", f"{polled:%Y-%m-%d %H:%M}"],
        "12": ["2026-05-12 18:02", "نعم", "2026-05-12 18:40"]}
    days = load_workbook(io.BytesIO(
        client.get("/dashboard/export/days.xlsx?lang=ar").content)).active
    assert days is not None
    assert days["A2"].is_date and days["A2"].value == dt.datetime(2026, 5, 12)
