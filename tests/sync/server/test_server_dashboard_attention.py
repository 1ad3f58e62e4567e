"""The stands the dashboard flags for what did not come: a till in contact whose day is not
opened yet is not "late", and a day gone by that a stand sent nothing for is flagged; the
cooperatives' export says it in a column of its own, and the files of the whole edition
are named after its dates. (On SQLite and on PostgreSQL, whose database makes the rows.)"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from sync.server import admin, dashboard, queries
from sync.server.db import Database
from sync.server.models import Cooperative, Device, Market

from .server_support import DAY, World, push_body, summary
from .test_server_dashboard import PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SECOND, THIRD = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
# 13:00 in Morocco (UTC+1 in May) on the market's third day, which opened at 09:00
NOW = dt.datetime(2026, 5, 14, 12, 0)


@pytest.fixture
def market(client: TestClient, db: Database, world: World) -> dict[str, int]:
    """The market of 12 to 16 May 2026: the argan stand (12) sent its first two days, the
    pottery (3) its first only; both were set up on 1 May. Stand 20 was set up on 13 May
    at 20:00 in Morocco, stand 21 on 14 May at 00:30 (13 May 23:30 UTC): neither has a
    till yet."""
    a, p = world.argan, world.pottery
    for stall, days in ((a, (DAY, SECOND)), (p, (DAY,))):
        reply = client.post("/api/v1/push", headers=stall.headers,
                            json=push_body(*(summary(stall.device_id, d, 5) for d in days)))
        assert reply.status_code == 200, reply.text
    with db.write() as s:
        late_ones = [admin.add_cooperative(s, admin.CooperativeInput(
            market_id=world.market_id, name_ar=f"تعاونية {stand}",
            name_fr=f"Coopérative {stand}", sector="food", province="Fès", stand=stand,
            members=4)).id for stand in ("20", "21")]
        for cid, created in ((a.cooperative_id, dt.datetime(2026, 5, 1, 8, 0)),
                             (p.cooperative_id, dt.datetime(2026, 5, 1, 8, 0)),
                             (late_ones[0], dt.datetime(2026, 5, 13, 19, 0)),
                             (late_ones[1], dt.datetime(2026, 5, 13, 23, 30))):
            s.execute(update(Cooperative).where(Cooperative.id == cid)
                      .values(created_at=created))
        # the argan's till asked the server a minute ago; the pottery's, two hours ago
        for stall, seen in ((a, NOW - dt.timedelta(minutes=1)),
                            (p, NOW - dt.timedelta(hours=2))):
            s.execute(update(Device).where(Device.id == stall.device_id)
                      .values(last_seen_at=seen, last_push_at=NOW - dt.timedelta(hours=3)))
    return {"id": world.market_id}


def flags(db: Database, market_id: int, day: dt.date, now: dt.datetime = NOW
          ) -> dict[str, tuple[bool, Any]]:
    """Per stand: (late, what did not come), the same read by the database and stall by
    stall."""
    with db.read() as s:
        m = s.get_one(Market, market_id)
        rows = queries.cooperative_values(s, m, day, now)
        assert rows == queries._coop_values_portable(s, m, day, now)
    return {r.stand: (r.stale, r.missing) for r in map(queries.CoopRow._make, rows)}


def open_days(db: Database, market_id: int, day: dt.date, now: dt.datetime = NOW
              ) -> dict[str, str | None]:
    """Per stand, the earlier day still open on its till that the row names."""
    with db.read() as s:
        m = s.get_one(Market, market_id)
        rows = queries.cooperative_values(s, m, day, now)
        assert rows == queries._coop_values_portable(s, m, day, now)
    return {r.stand: r.open_day for r in map(queries.CoopRow._make, rows)}


def test_a_till_in_contact_without_todays_figures_has_not_opened_its_day(
        client: TestClient, db: Database, world: World, market: dict[str, int]) -> None:
    """Today, figures due: the argan's till asked the server a minute ago and sent nothing
    of today (a till sends its day as soon as it is opened), which is not "late": its
    13 May is still open on it (it sells into it; so is the 12th, earlier); once it closed
    both, today is not opened on it yet. The pottery's till, silent for two hours, is
    late, as are the stands never heard of."""
    assert flags(db, market["id"], THIRD) == {
        "3": (True, None), "12": (False, "earlier_open"), "20": (True, None),
        "21": (True, None)}
    assert open_days(db, market["id"], THIRD) == {
        "3": None, "12": "2026-05-13", "20": None, "21": None}
    a = world.argan
    reply = client.post("/api/v1/push", headers=a.headers, json=push_body(
        summary(a.device_id, DAY, 6, status="closed"),
        summary(a.device_id, SECOND, 6, status="closed")))
    assert reply.status_code == 200, reply.text
    assert flags(db, market["id"], THIRD)["12"] == (False, "not_opened")
    assert open_days(db, market["id"], THIRD)["12"] is None
    # before the market's hours (09:00 in Morocco, and half an hour) nothing is due yet:
    # a stand never heard of is not late yet either
    early = dt.datetime(2026, 5, 14, 8, 0)
    assert [flags(db, market["id"], THIRD, early)[stand] for stand in ("12", "20", "21")
            ] == [(False, None)] * 3


def test_a_day_gone_by_flags_the_stands_that_sent_nothing_for_it(
        db: Database, market: dict[str, int]) -> None:
    """On 13 May, seen on the 14th: the pottery sent nothing for it, nor did stand 20, set
    up on the evening of the 13th (in Morocco); stand 21, set up after midnight in
    Morocco, was not in the market yet; the argan sent it. None of them is "late" for
    it, the stands never heard of neither: that day is over."""
    assert flags(db, market["id"], SECOND) == {
        "3": (False, "nothing_sent"), "12": (False, None), "20": (False, "nothing_sent"),
        "21": (False, "not_joined")}
    # once the market is over, the same
    after = dt.datetime(2026, 5, 20, 12, 0)
    assert flags(db, market["id"], SECOND, after) == flags(db, market["id"], SECOND)
    # the first day, which both sent: the pottery's day still open on its till, silent for
    # two hours, is not late for a day gone by (today, it is, above); stands 20 and 21
    # were not in the market yet
    assert flags(db, market["id"], DAY) == {
        "3": (False, None), "12": (False, None), "20": (False, "not_joined"),
        "21": (False, "not_joined")}


@pytest.fixture
def at_noon(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's clock at :data:`NOW`."""
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    monkeypatch.setattr(dashboard, "market_today", lambda: NOW.date())


ATTENTION = {  # the column's header, and what it says of each stand
    "fr": ("À suivre", {"3": "en retard",
                        "12": "caisse en ligne, journée du 13/05 encore ouverte",
                        "20": "en retard", "21": "en retard"},
           {"3": "rien reçu pour ce jour", "12": "", "20": "rien reçu pour ce jour",
            "21": "pas encore dans le marché"}),
    "en": ("Needs attention", {"3": "late", "12": "till online, day of 05-13 still open",
                               "20": "late", "21": "late"},
           {"3": "nothing received for this day", "12": "",
            "20": "nothing received for this day", "21": "not yet in the market"}),
    "ar": ("يحتاج إلى متابعة", {"3": "متأخر", "12": "الصندوق متصل، يوم 13/05 ما زال مفتوحًا",
                                "20": "متأخر", "21": "متأخر"},
           {"3": "لم يصل شيء لهذا اليوم", "12": "",
            "20": "لم يصل شيء لهذا اليوم", "21": "لم يلتحق بالسوق بعد"}),
}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_cooperatives_export_says_which_stands_need_attention(
        client: TestClient, db: Database, market: dict[str, int], at_noon: None,
        lang: str) -> None:
    """A column, in the organiser's language, says of each stand what the dashboard flags:
    late, its till in contact with its day not opened, nothing received for a day gone
    by, not in the market yet that day (stand 21, set up after it); empty for a stand
    whose figures came."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    header, today, second = ATTENTION[lang]
    for day, said in ((THIRD, today), (SECOND, second)):
        query = f"market={market['id']}&day={day.isoformat()}&lang={lang}"
        reply = client.get(f"/dashboard/export/cooperatives.csv?{query}")
        assert reply.status_code == 200, reply.text
        rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")),
                               delimiter="," if lang == "en" else ";"))
        column = rows[0].index(header)
        assert {r[0]: r[column] for r in rows[1:]} == said
    book = client.get(f"/dashboard/export/cooperatives.xlsx?market={market['id']}"
                      f"&day={THIRD.isoformat()}&lang={lang}")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    column = [c.value for c in sheet[1]].index(header)
    assert {r[0]: r[column] for r in sheet.iter_rows(min_row=2, values_only=True)} == today


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_exports_name_says_what_it_holds(
        client: TestClient, db: Database, market: dict[str, int], at_noon: None,
        fmt: str) -> None:
    """A file of one day is named after the market and that day; a file of the whole
    edition after the market and the edition's dates, whatever day the dashboard shows."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    m = market["id"]
    edition = "2026-05-12_2026-05-16"
    for table, held in (("cooperatives", "2026-05-13"), ("day-products", "2026-05-13"),
                        ("days", edition), ("products", edition)):
        reply = client.get(f"/dashboard/export/{table}.{fmt}?market={m}&day=2026-05-13")
        assert reply.status_code == 200, reply.text
        assert reply.headers["content-disposition"] == (
            f'attachment; filename="souk-market{m}-{table}-{held}.{fmt}"'), table


def test_a_day_to_come_is_refused_with_why(client: TestClient, db: Database,
                                           market: dict[str, int], at_noon: None) -> None:
    """A link to a day of the market after today (in Morocco) shows today's figures and
    says why; an export of it is refused, with a page saying why, not a file of zeros."""
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    m = market["id"]
    data = client.get(f"/dashboard/data.json?market={m}&day=2026-05-15").json()
    assert (data["day"], data["replaced"]) == ("2026-05-14", {"day_to_come": "2026-05-15"})
    assert client.get(f"/dashboard/data.json?market={m}&day=2026-05-14").json()[
        "replaced"] == {}
    page = client.get(f"/dashboard/export/cooperatives.csv?market={m}&day=2026-05-15&lang=fr",
                      headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert ("Le \u206815/05/2026\u2069 n'est pas encore passé (nous sommes le "
            "\u206814/05/2026\u2069)\u00a0: il n'a pas encore de chiffres.") in html.unescape(
                page.text)
