"""What a link to the dashboard gets when it names what is not there (a market, a day of
its market, an export), and when a stand is late: the organiser is told, in their
language, never shown other figures in silence."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from sync.server import admin, queries
from sync.server.db import Database
from sync.server.models import Device, Market

from .server_support import DAY, World, push_body, summary
from .test_server_dashboard import PASSWORD, log_in
from .test_server_report import needs_zone

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture
def organiser(db: Database) -> str:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    return "nadia"


def test_a_link_to_a_market_not_there_says_what_is_shown_instead(
        client: TestClient, world: World, organiser: str) -> None:
    """The page's data names what the link asked for that is not there (a market, a day
    outside its market's dates) and shows the default market and day in its place."""
    log_in(client, organiser)
    data = client.get("/dashboard/data.json?market=99&day=2026-05-13").json()
    assert (data["market"]["id"], data["replaced"]) == (world.market_id, {"market": 99})
    assert data["day"] == "2026-05-13"  # a day of the market shown: kept
    data = client.get(f"/dashboard/data.json?market={world.market_id}&day=2027-01-15").json()
    assert data["replaced"] == {"day": "2027-01-15"}
    assert data["day"] == "2026-05-16"  # the market's last day (it is over)
    data = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}").json()
    assert data["replaced"] == {}


def problem(page: str) -> str:
    """What the error page says is wrong."""
    found = re.search(r'<p class="error" id="problem" role="alert">(.*?)</p>', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def test_a_bad_export_link_is_a_page_in_the_organisers_language(
        client: TestClient, world: World, organiser: str) -> None:
    """A browser opening a wrong export link (an export the dashboard has not, a market not
    there, a day not of its market, a value that is not a date) reads what is wrong in
    its language, with the way back; a program asking JSON still gets JSON."""
    log_in(client, organiser)
    cases = [
        ("/dashboard/export/frobs.csv?lang=fr", 404,
         "Le tableau de bord n'a pas d'export «\u00a0frobs.csv\u00a0»."),
        ("/dashboard/export/cooperatives.pdf?lang=ar", 404,
         "لا يوجد في لوحة القيادة تصدير باسم «cooperatives.pdf»."),
        ("/dashboard/export/days.csv?lang=ar&market=99", 404, "لا يوجد سوق رقم 99."),
        ("/dashboard/report?lang=fr&market=99", 404, "Il n'y a pas de marché n°\u00a099."),
        (f"/dashboard/export/cooperatives.csv?lang=fr&market={world.market_id}&day=2027-01-15",
         404, "Le \u206815/01/2027\u2069 n'est pas un jour de Marché itinérant de Fès (du "
              "\u206812/05/2026\u2069 au \u206816/05/2026\u2069)."),
        ("/dashboard/export/days.csv?lang=fr&day=2026-13-45", 422,
         "Ce lien donne une valeur invalide à «\u00a0Jour\u00a0»\u00a0: \u20682026-13-45\u2069"),
        ("/dashboard/export/days.csv?lang=ar&market=abc", 422,
         "في هذا الرابط قيمة غير صالحة لـ«السوق»: \u2068abc\u2069"),
        ("/dashboard/nowhere?lang=en", 404,
         "The dashboard has no page at this address: \u2068/dashboard/nowhere\u2069"),
    ]
    for url, status, message in cases:
        reply = client.get(url, headers=PAGE)
        assert reply.status_code == status, url
        assert reply.headers["content-type"].startswith("text/html"), url
        assert problem(reply.text) == message, url
        assert "Content-Security-Policy" in reply.headers
        json_reply = client.get(url, headers={"Accept": "application/json"})
        assert json_reply.status_code == status
        assert json_reply.headers["content-type"] == "application/json", url
    arabic = client.get("/dashboard/export/frobs.csv?lang=ar", headers=PAGE).text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<a href="/dashboard/?lang=ar">العودة إلى لوحة القيادة</a>' in arabic
    assert client.get("/dashboard/export/frobs.csv", headers={"Accept": "*/*"}).json() == {
        "detail": "The dashboard has no export “frobs.csv”."}
    # a day of the market still gives its file
    good = client.get(f"/dashboard/export/cooperatives.csv?lang=fr&day={DAY}", headers=PAGE)
    assert good.status_code == 200 and good.headers["content-type"].startswith("text/csv")


def test_an_export_link_opened_logged_out_goes_through_the_login(
        client: TestClient, world: World) -> None:
    """As the dashboard's pages do: the login page, leading back to the export."""
    reply = client.get("/dashboard/export/days.csv?lang=fr", headers=PAGE,
                       follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == (
        "/dashboard/login?lang=fr&next=%2Fdashboard%2Fexport%2Fdays.csv%3Flang%3Dfr")
    assert client.get("/dashboard/export/days.csv").status_code == 401  # a program


def late_stands(db: Database, market_id: int, day: dt.date, now: dt.datetime
                ) -> dict[str, bool]:
    """Whether each stand is late on the dashboard of ``day`` at ``now`` (naive UTC), as
    made stall by stall and, on PostgreSQL, by the database."""
    with db.read() as s:
        market = s.get_one(Market, market_id)
        rows = queries.cooperative_values(s, market, day, now)
        assert rows == queries._coop_values_portable(s, market, day, now)
    return {r.stand: r.stale for r in map(queries.CoopRow._make, rows)}


def test_a_stand_that_sent_nothing_today_is_late_once_the_market_opened(
        client: TestClient, db: Database, world: World) -> None:
    """A stand that closed yesterday and has sent nothing today is late on today's
    dashboard from half an hour after the market opens (not before it opens, nor on
    yesterday's, whose day it closed); a stand that sent today's figures a minute ago is
    not. On PostgreSQL the database says the same."""
    a, p = world.argan, world.pottery
    client.post("/api/v1/push", headers=a.headers, json=push_body(
        summary(a.device_id, DAY, 12, status="closed")))
    client.post("/api/v1/push", headers=p.headers, json=push_body(
        summary(p.device_id, DAY, 5, status="closed"), summary(p.device_id, NEXT, 3)))
    morning = dt.datetime.combine(NEXT, dt.time(7, 0))  # 08:00 in Morocco: not open yet
    noon = dt.datetime.combine(NEXT, dt.time(11, 0))  # 12:00 in Morocco
    with db.write() as s:
        for device, last in ((a.device_id, dt.datetime.combine(DAY, dt.time(20, 0))),
                             (p.device_id, noon - dt.timedelta(minutes=1))):
            s.execute(update(Device).where(Device.id == device).values(
                last_push_at=last, last_seen_at=last))

    def late(day: dt.date, now: dt.datetime) -> dict[str, bool]:
        return late_stands(db, world.market_id, day, now)

    assert late(NEXT, noon) == {"3": False, "12": True}
    assert late(NEXT, morning) == {"3": False, "12": False}
    assert late(DAY, noon) == {"3": False, "12": False}  # yesterday: closed by both
    after = dt.datetime.combine(DAY + dt.timedelta(days=5), dt.time(11, 0))
    assert late(DAY + dt.timedelta(days=5), after)["12"] is False  # the market is over


@needs_zone
def test_a_stand_is_late_from_half_an_hour_past_its_markets_own_opening_hour(
        client: TestClient, db: Database, world: World) -> None:
    """A market that opens at 10:30 (Morocco's time, ``market edit --opens``) waits for
    today's figures until 11:00: a stand that closed yesterday and has sent nothing today
    is not late at 10:59 and is at 11:01. Moved to open at 08:00, the market finds it late
    from 08:30."""
    a = world.argan
    client.post("/api/v1/push", headers=a.headers, json=push_body(
        summary(a.device_id, DAY, 12, status="closed")))
    with db.write() as s:
        last = dt.datetime.combine(DAY, dt.time(20, 0))
        s.execute(update(Device).where(Device.id == a.device_id).values(
            last_push_at=last, last_seen_at=last))
        admin.edit_market(s, world.market_id, opens=dt.time(10, 30))

    def late_at(hour: int, minute: int) -> bool:
        """Whether argan's stand is late at this time in Morocco (UTC+1 in May)."""
        now = dt.datetime.combine(NEXT, dt.time(hour - 1, minute))
        return late_stands(db, world.market_id, NEXT, now)["12"]

    assert (late_at(9, 45), late_at(10, 59), late_at(11, 1)) == (False, False, True)
    with db.write() as s:
        admin.edit_market(s, world.market_id, opens=dt.time(8, 0))
    assert (late_at(8, 29), late_at(8, 31)) == (False, True)
