"""A stand that joined the market mid-edition is not one of the stands of the days before
it joined: not counted ("N of M cooperatives", the sector, origin and programme tables),
its row saying it was not in the market yet, in the dashboard's figures, the cooperatives'
export and the edition report; one set up late whose till sold before (and pushed later)
is counted on those days with its figures, and was in the market from the first day it
sold. (On SQLite and on PostgreSQL, whose database makes the rows.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from sync.server import admin, dashboard, queries, report
from sync.server.db import Database
from sync.server.i18n import Translator
from sync.server.models import Cooperative, Market

from .server_support import DAY, World, enrol, push_body, summary
from .test_server_dashboard import PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SECOND, THIRD, FOURTH, LAST = (DAY + dt.timedelta(days=n) for n in range(1, 5))
# 13:00 in Morocco (UTC+1 in May) on the market's fourth day (12 to 16 May 2026)
NOW = dt.datetime(2026, 5, 15, 12, 0)
# 10:00 in Morocco on the third day: when stands 30 and 31 were set up
JOINED = dt.datetime(2026, 5, 14, 9, 0)


def push(client: TestClient, stall: Any, *summaries: Any) -> None:
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(*summaries))
    assert reply.status_code == 200, reply.text


def add(db: Database, market_id: int, stand: str, sector: str, members: int,
        created: dt.datetime, **more: Any) -> int:
    with db.write() as s:
        cid = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market_id, name_ar=f"تعاونية {stand}", name_fr=f"Coopérative {stand}",
            sector=sector, province="Fès", stand=stand, members=members, **more)).id
        s.execute(update(Cooperative).where(Cooperative.id == cid).values(created_at=created))
    return cid


@pytest.fixture
def joined(client: TestClient, db: Database, world: World) -> dict[str, Any]:
    """The market of 12 to 16 May 2026 (Fès-Meknès), its first two stands set up on 1 May:
    the argan (12: food, outside the region, women-led, 24 members) and the pottery (3:
    handicrafts, inside, youth-led, 9 members) sent 12 and 13 May. Stands 30 (food,
    inside, women-led, 7 members) and 31 (herbs, outside, youth-led, 5 members) were set
    up on 14 May at 10:00; 31's till then pushed its sales of 12 May (made before the
    organisers set it up: 40 000,00 DH)."""
    for stall in (world.argan, world.pottery):
        push(client, stall, summary(stall.device_id, DAY, 5, status="closed"),
             summary(stall.device_id, SECOND, 5, status="closed"))
    with db.write() as s:
        for cid in (world.argan.cooperative_id, world.pottery.cooperative_id):
            s.execute(update(Cooperative).where(Cooperative.id == cid)
                      .values(created_at=dt.datetime(2026, 5, 1, 8, 0)))
    thirty = enrol(client, db, add(db, world.market_id, "30", "food", 7, JOINED,
                                   women_led=True), "thirty-1")
    late = add(db, world.market_id, "31", "herbs", 5, JOINED, region="Souss-Massa",
               youth_led=True)
    till = enrol(client, db, late, "late-1")
    push(client, till, summary(till.device_id, DAY, 3, net=4_000_000, tickets=11,
                               status="closed"))
    return {"market": world.market_id, "late": till, "thirty": thirty}


def rows(db: Database, market_id: int, day: dt.date, now: dt.datetime = NOW
         ) -> dict[str, queries.CoopRow]:
    """The cooperatives' rows of ``day`` by stand, the same read by the database and stall
    by stall."""
    with db.read() as s:
        m = s.get_one(Market, market_id)
        values = queries.cooperative_values(s, m, day, now)
        assert values == queries._coop_values_portable(s, m, day, now)
    return {r.stand: r for r in map(queries.CoopRow._make, values)}


def test_a_stand_is_not_in_the_market_before_the_day_it_was_set_up(
        db: Database, joined: dict[str, Any]) -> None:
    """On the 12th and 13th, stand 30 was not in the market yet (set up on the 14th) and
    is flagged so, not as having sent nothing, never late; 31 was in the market from the
    12th, which its till sold on (it sent nothing for the 13th). From the 14th, both are
    in it (on the 14th, a day gone by, they sent nothing for it)."""
    def missing(day: dt.date) -> dict[str, Any]:
        return {stand: (r.missing, r.stale, r.reported) for stand, r in
                rows(db, joined["market"], day).items()}

    assert missing(DAY) == {"3": (None, False, 1), "12": (None, False, 1),
                            "30": ("not_joined", False, 0), "31": (None, False, 1)}
    assert missing(SECOND) == {"3": (None, False, 1), "12": (None, False, 1),
                               "30": ("not_joined", False, 0),
                               "31": ("nothing_sent", False, 0)}
    assert missing(THIRD) == {"3": ("nothing_sent", False, 0),
                              "12": ("nothing_sent", False, 0),
                              "30": ("nothing_sent", False, 0),
                              "31": ("nothing_sent", False, 0)}
    # today: all four are in the market (none was set up after today)
    assert {stand: r.missing == "not_joined" for stand, r in
            rows(db, joined["market"], FOURTH).items()} == dict.fromkeys(
        ("3", "12", "30", "31"), False)
    # 31 counted on the 12th with its figures; its edition's figures on any day
    day_one = rows(db, joined["market"], DAY)
    assert (day_one["31"].day_net, day_one["31"].day_tickets) == (4_000_000, 11)
    assert rows(db, joined["market"], SECOND)["31"].edition_net == 4_000_000


def counts(data: dict[str, Any]) -> dict[str, Any]:
    """What the page counts: its "N of M cooperatives", and each group's stands and
    members (the tables' non-empty groups)."""
    groups = data["sectors"] + data["origins"] + data["programmes"]
    return {"stalls": data["totals"]["day"]["stalls"],
            "cooperatives": data["totals"]["cooperatives"],
            "groups": {g["key"]: (g["cooperatives"], g["members"]) for g in groups
                       if g["cooperatives"] or g["members"]}}


@pytest.fixture
def at_noon(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's clock at :data:`NOW`."""
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    monkeypatch.setattr(dashboard, "market_today", lambda: NOW.date())


def test_the_dashboard_counts_the_stands_of_the_day_shown(
        client: TestClient, db: Database, joined: dict[str, Any], at_noon: None) -> None:
    """"N of M cooperatives" and the sector, origin and programme tables count the stands
    in the market on the day shown: on the 12th the argan, the pottery and 31 (which sold
    that day), not 30, nor on the 13th; from the 14th all four. A group's sales of the
    edition are the same whatever the day shown (30's are counted in its group's on the
    12th, though 30 is not)."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")

    def data(day: dt.date) -> dict[str, Any]:
        reply = client.get(f"/dashboard/data.json?market={joined['market']}"
                           f"&day={day.isoformat()}")
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    assert counts(data(DAY)) == {"stalls": 3, "cooperatives": 3, "groups": {
        "food": (1, 24), "handicrafts": (1, 9), "herbs": (1, 5),
        "inside_region": (1, 9), "outside_region": (2, 29),
        "all_cooperatives": (3, 38), "women_led": (1, 24), "youth_led": (2, 14)}}
    assert counts(data(SECOND)) == {"stalls": 2, "cooperatives": 3, "groups": {
        "food": (1, 24), "handicrafts": (1, 9), "herbs": (1, 5),
        "inside_region": (1, 9), "outside_region": (2, 29),
        "all_cooperatives": (3, 38), "women_led": (1, 24), "youth_led": (2, 14)}}
    # 30 sells on the 15th: the food stands' sales of the edition hold them whatever the
    # day shown, 30 counted or not
    push(client, joined["thirty"], summary(joined["thirty"].device_id, FOURTH, 3,
                                           net=700_000, tickets=2))
    for day, stands in ((DAY, 1), (FOURTH, 2)):
        food = next(g for g in data(day)["sectors"] if g["key"] == "food")
        assert (food["cooperatives"], food["edition_net"]) == (stands, 2 * 125_050 + 700_000)
    for day in (THIRD, FOURTH):
        assert counts(data(day))["cooperatives"] == 4, day
        assert counts(data(day))["groups"]["all_cooperatives"] == (4, 45), day


SAID = {  # the attention column's header, what it says of a stand not in the market yet,
    # the CSV's separator, what it says of a stand that sent nothing for a day gone by
    "fr": ("À suivre", "pas encore dans le marché", ";", "rien reçu pour ce jour"),
    "en": ("Needs attention", "not yet in the market", ",",
           "nothing received for this day"),
    "ar": ("يحتاج إلى متابعة", "لم يلتحق بالسوق بعد", ";", "لم يصل شيء لهذا اليوم"),
}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_cooperatives_export_says_a_stand_was_not_in_the_market_yet(
        client: TestClient, db: Database, joined: dict[str, Any], at_noon: None,
        lang: str) -> None:
    """The export of the 13th says, in the organiser's language, that 30 was not in the
    market yet, its sales of that day empty (not zero: it had no stand); 31, which sold
    on the 12th, sent nothing for it. The export of the 12th has 31's sales of that day;
    in CSV as in XLSX."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    t = Translator(lang)
    header, said, sep, nothing = SAID[lang]
    zero = ("0.00", "0") if lang == "en" else ("0,00", "0")
    day_sales = f"{t('day_sales')} ({t.currency})"
    edition = f"{t('edition_sales')} ({t.currency})"

    def export(day: dt.date, fmt: str) -> dict[str, dict[str, Any]]:
        reply = client.get(f"/dashboard/export/cooperatives.{fmt}?market={joined['market']}"
                           f"&day={day.isoformat()}&lang={lang}")
        assert reply.status_code == 200, reply.text
        if fmt == "csv":
            table = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")),
                                    delimiter=sep))
        else:
            sheet = load_workbook(io.BytesIO(reply.content)).active
            assert sheet is not None
            table = [["" if v is None else v for v in r]
                     for r in sheet.iter_rows(values_only=True)]
        names = table[0]
        return {r[0]: dict(zip(names, r, strict=True)) for r in table[1:]}

    for fmt in ("csv", "xlsx"):
        second = export(SECOND, fmt)
        assert {stand: (r[header], r[day_sales], r[t("day_tickets")])
                for stand, r in second.items() if stand in ("30", "31")} == {
            "30": (said, "", ""), "31": (nothing, *(zero if fmt == "csv" else (0, 0)))}, fmt
        assert second["31"][edition] in ("40000,00", "40000.00", 40_000), fmt
        first = export(DAY, fmt)
        assert [first[stand][header] for stand in ("3", "12", "30", "31")] == [
            "", "", said, ""], fmt
        assert first["31"][day_sales] in ("40000,00", "40000.00", 40_000), fmt


def test_the_edition_report_counts_the_stands_of_the_edition(
        client: TestClient, db: Database, joined: dict[str, Any]) -> None:
    """Once the market is over, its report counts the stands that were in it: the four
    (30 and 31 joined on its third day), 41 and 42, set up after the market, whose tills
    sold on its last day and on the day before; not 40, set up after the market with no
    figures (never one of its stands). Its cooperatives, their members and its groups say
    so."""
    market = joined["market"]
    after = dt.datetime(2026, 5, 18, 9, 0)
    add(db, market, "40", "cosmetics", 100, after)
    for stand, day in (("41", LAST), ("42", FOURTH)):
        till = enrol(client, db, add(db, market, stand, "other", 3, after), f"late-{stand}")
        push(client, till, summary(till.device_id, day, 3, net=50_000, tickets=2,
                                   status="closed"))
    now = dt.datetime(2026, 5, 20, 12, 0)
    # on the last day, 40 was not in the market; 41 sold that day, 42 the day before
    assert {stand: r.missing for stand, r in rows(db, market, LAST, now).items()
            if stand in ("40", "41", "42")} == {
        "40": "not_joined", "41": None, "42": "nothing_sent"}
    with db.read() as s:
        page = report.build(s, s.get_one(Market, market), Translator("fr"), now)
    t = Translator("fr")
    figures = dict(_kpis(page))
    assert (figures[t("cooperatives")], figures[t("members")]) == ("6", "51")
    sectors = _rows(page, t("per_sector"))
    assert {r[0]: r[1] for r in sectors} == {
        t.sector("handicrafts"): "1", t.sector("food"): "2", t.sector("herbs"): "1",
        t.sector("cosmetics"): "0", t.sector("other"): "2"}


def _kpis(page: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<div class="label">([^<]*)</div><div class="value">([^<]*)</div>',
                      page)


def _rows(page: str, title: str) -> list[list[str]]:
    """The cells' texts of the table of the report's section under ``title``."""
    import re

    match = re.search(rf"<section[^>]*><h2>{re.escape(title)}</h2>(.*?)</section>", page,
                      re.S)
    assert match, title
    return [[re.sub(r"<[^>]*>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", match.group(1)) if "<td" in row]
