"""A stand that joined the market mid-edition, in a real Chromium on the real server (on
SQLite and on PostgreSQL): on a day before it joined, its row is greyed and says it was not
in the market yet, and the page does not count it."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from sync.server import admin
from sync.server.db import Database, utcnow
from sync.server.i18n import market_today
from sync.server.models import Cooperative

from .server_support import summary
from .test_server_browser import (
    CHROMIUM,
    LAYOUT_PROBLEMS,
    PASSWORD,
    chromium,
    keep_screenshots,
    log_in,
    serving,
)

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

STANDS = [  # stand, French name, Arabic name, sector, set up (days ago), days it sold
    ("1", "Coopérative Argan Nissae", "تعاونية أركان النساء", "food", 3, (2, 1)),
    ("2", "Coopérative Poterie de Fès", "تعاونية فخار فاس", "handicrafts", 3, (2, 1)),
    # set up yesterday, its till never in contact
    ("3", "Coopérative du safran de Taliouine", "تعاونية زعفران تالوين", "food", 1, ()),
    # set up yesterday, its till then pushed its sales of the first day
    ("4", "Coopérative des herbes d'Ifrane", "تعاونية أعشاب إفران", "herbs", 1, (2,)),
]


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[str, Database]]:
    db = Database.connect(database_url)
    with serving(db) as base:
        yield base, db
    db.dispose()


def seed(base: str, db: Database) -> dict[str, Any]:
    """A market from the day before yesterday to tomorrow (in Morocco): stands 1 and 2 set
    up three days ago sold on its first two days; 3 and 4 were set up yesterday (at this
    time of day), and 4's till then pushed its sales of the first day."""
    today = market_today()
    first = today - dt.timedelta(days=2)
    now = utcnow()
    with db.write() as s:
        market = admin.add_market(s, name_ar="السوق المتنقل لفاس", name_fr="Marché de Fès",
                                  city="Fès", region="Fès-Meknès", starts_on=first,
                                  ends_on=today + dt.timedelta(days=1))
        admin.add_user(s, "nadia", PASSWORD)
        codes = {}
        for stand, fr, ar, sector, ago, _ in STANDS:
            cid = admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market.id, name_ar=ar, name_fr=fr, sector=sector, province="Fès",
                stand=stand, members=10)).id
            s.execute(update(Cooperative).where(Cooperative.id == cid)
                      .values(created_at=now - dt.timedelta(days=ago)))
            codes[stand] = admin.issue_enrol_code(s, cid)[0]
        market_id = market.id
    for stand, *_, days in STANDS:
        if not days:
            continue
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": codes[stand], "device_name": "stall"}).json()
        body = {"summaries": [
            summary(uuid.UUID(device["device_id"]), today - dt.timedelta(days=n), 9,
                    net=100_000 * int(stand), tickets=int(stand), status="closed"
                    ).model_dump(mode="json") for n in days]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200, reply.text
    return {"market": market_id, "first": first, "second": first + dt.timedelta(days=1)}


SAID = {  # its cell, the day's sales, the count of the first and the second day
    "fr": ("pas encore dans le marché", "—", "sur 3 coopératives", "sur 4 coopératives",
           "aucun contact · rien reçu pour ce jour"),
    "ar": ("لم يلتحق بالسوق بعد", "—", "من أصل 3 تعاونيات", "من أصل 4 تعاونيات",
           "لم يتصل الصندوق بعد · لم يصل شيء لهذا اليوم"),
}

TABLE = """() => Array.from(document.querySelectorAll("#cooperatives tbody tr"), (tr) => ({
  stand: tr.querySelector("td.stand").textContent,
  sync: tr.querySelector("td.sync").textContent,
  day: tr.querySelector("td.day-net").textContent,
  greyed: tr.classList.contains("not-joined"),
  flagged: tr.classList.contains("stale"),
  color: getComputedStyle(tr.querySelector("td.key")).color,
}))"""
GROUPS = """(id) => Object.fromEntries(Array.from(
  document.querySelectorAll(`#${id} tbody tr`),
  (tr) => [tr.cells[0].textContent, tr.cells[1].textContent]))"""


def test_a_stand_set_up_later_is_greyed_and_not_counted_before_it_joined(
        live: tuple[str, Database], tmp_path: Path) -> None:
    """On the market's first day, stand 3 (set up yesterday) was not in the market yet: its
    row is greyed and says so, with no sales of that day, and not flagged; the page counts
    3 cooperatives, not 4, and the sector and programme tables do not count it. Stand 4,
    set up yesterday too, sold that day: it is counted with its figures. Yesterday all four
    were in the market (3 sent nothing for it). In French and Arabic, on a 1366 px laptop
    and a 390 px phone, nothing overflows."""
    from playwright.sync_api import expect

    base, db = live
    world = seed(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            out, dash, first_count, second_count, nothing = SAID[lang]
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                where = (lang, width)
                page.goto(f"{base}/dashboard/?lang={lang}&market={world['market']}"
                          f"&day={world['first'].isoformat()}")
                page.wait_for_selector("body[data-loaded]")
                expect(page.locator("#kpi-day-stalls")).to_have_text("3")
                expect(page.locator("#kpi-coops")).to_have_text(first_count)
                rows = {r["stand"]: r for r in page.evaluate(TABLE)}
                assert (rows["3"]["sync"], rows["3"]["day"], rows["3"]["greyed"],
                        rows["3"]["flagged"]) == (out, dash, True, False), where
                assert [rows[s]["greyed"] for s in ("1", "2", "4")] == [False] * 3, where
                assert rows["3"]["color"] != rows["1"]["color"], where  # greyed
                assert rows["4"]["day"].startswith("4\u00a0000,00"), where  # its sales that day
                sectors = page.evaluate(GROUPS, "sectors")
                assert list(sectors.values()) == ["1", "1", "1", "0", "0"], where
                programmes = page.evaluate(GROUPS, "programmes")
                assert list(programmes.values()) == ["3", "0", "0"], where
                assert page.evaluate(LAYOUT_PROBLEMS, width > 600) == [], where
                greyed = page.locator("#cooperatives tr.not-joined")
                greyed.scroll_into_view_if_needed()
                greyed.screenshot(path=str(tmp_path / f"joined-{lang}-{width}-row.png"))
                page.screenshot(path=str(tmp_path / f"joined-{lang}-{width}-first.png"),
                                full_page=width > 600)

                page.goto(f"{base}/dashboard/?lang={lang}&market={world['market']}"
                          f"&day={world['second'].isoformat()}")
                page.wait_for_selector("body[data-loaded]")
                expect(page.locator("#kpi-coops")).to_have_text(second_count)
                rows = {r["stand"]: r for r in page.evaluate(TABLE)}
                assert (rows["3"]["sync"], rows["3"]["greyed"], rows["3"]["flagged"]) == (
                    nothing, False, True), where
                assert list(page.evaluate(GROUPS, "programmes").values()) == [
                    "4", "0", "0"], where
    keep_screenshots(tmp_path)
