"""In a real headless Chromium: a link to what is not there (a market, a day of its
market, an export) says so in the page's language, and a stand's last sync reads on one
line at 1024 px in Arabic."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sync.server.db import Database, utcnow
from sync.server.models import Cooperative, Device

from .server_support import DAY
from .test_server_browser import (
    CHROMIUM,
    LAYOUT_PROBLEMS,
    chromium,
    keep_screenshots,
    live_server,
    log_in,
    seed_busy,
    serve_at,
)

__all__ = ["live_server"]  # the fixture, shared with the dashboard's browser tests

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

NOTICES = {
    "fr": {"market": "Il n'y a pas de marché n°\u00a099. Le tableau de bord montre à la "
                     "place\u00a0: Marché itinérant de Fès.",
           "day": "Le \u206615/01/2027\u2069 n'est pas un jour de Marché itinérant de Fès (du "
                  "\u206612/05/2026\u2069 au \u206616/05/2026\u2069). Le tableau de bord montre "
                  "le \u206616/05/2026\u2069 à la place."},
    "ar": {"market": "لا يوجد سوق رقم 99. تعرض اللوحة بدلًا منه: السوق المتنقل لفاس.",
           "day": "يوم \u206615/01/2027\u2069 ليس من أيام السوق المتنقل لفاس (من "
                  "\u206612/05/2026\u2069 إلى \u206616/05/2026\u2069). تعرض اللوحة بدلًا منه "
                  "يوم \u206616/05/2026\u2069."},
}


def test_a_link_to_what_is_not_there_says_what_is_shown(live_server: tuple[str, Database],
                                                         tmp_path: Path) -> None:
    """A shared link to a market that is not there, or to a day outside its market's
    dates, shows the dashboard's default market and day with a notice, in the page's
    language, of what was asked and what is shown instead; the address then names what is
    shown, and picking a day ends the notice."""
    from playwright.sync_api import expect

    base, db = live_server
    market, _ = seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for lang in ("fr", "ar"):
            log_in(page, base, lang)
            notice = page.locator("#replaced")
            expect(notice).to_be_hidden()
            page.goto(f"{base}/dashboard/?lang={lang}&market=99")
            page.wait_for_selector("body[data-loaded]")
            expect(notice).to_be_visible()
            expect(notice).to_have_text(NOTICES[lang]["market"])
            expect(page.locator("#market")).to_have_value(str(market))
            expect(page).to_have_url(re.compile(rf"\?lang={lang}$"))
            page.screenshot(path=str(tmp_path / f"link-market-{lang}.png"))

            page.goto(f"{base}/dashboard/?lang={lang}&market={market}&day=2027-01-15")
            page.wait_for_selector("body[data-loaded]")
            expect(notice).to_have_text(NOTICES[lang]["day"])
            expect(page.locator("#day")).to_have_value("2026-05-16")
            expect(page.locator("#day option[value='2027-01-15']")).to_have_count(0)
            page.screenshot(path=str(tmp_path / f"link-day-{lang}.png"))
            page.select_option("#day", DAY.isoformat())
            expect(notice).to_be_hidden()
            expect(page.locator("#day-title")).to_contain_text(
                {"fr": "mardi 12 mai 2026", "ar": "الثلاثاء 12 ماي 2026"}[lang])
    keep_screenshots(tmp_path)


def test_a_bad_export_link_is_a_page_in_the_organisers_language(
        live_server: tuple[str, Database], tmp_path: Path) -> None:
    """Opened in the browser, a wrong export link is a page in the organiser's language
    (not English JSON) that leads back to the dashboard."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 700})
        log_in(page, base, "ar")
        reply = page.goto(f"{base}/dashboard/export/frobs.csv?lang=ar")
        assert reply is not None and reply.status == 404
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#problem")).to_have_text(
            "لا يوجد في لوحة القيادة تصدير باسم «frobs.csv».")
        assert "detail" not in page.content()
        page.screenshot(path=str(tmp_path / "bad-export-ar.png"))
        page.goto(f"{base}/dashboard/export/days.csv?lang=fr&day=2026-13-45")
        expect(page.locator("#problem")).to_have_text(
            "Ce lien donne une valeur invalide à «\u00a0Jour\u00a0»\u00a0: "
            "\u20682026-13-45\u2069")
        page.screenshot(path=str(tmp_path / "bad-export-fr.png"))
        page.click("text=Revenir au tableau de bord")
        page.wait_for_selector("body[data-loaded]")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    keep_screenshots(tmp_path)


# per cooperative: each piece of when its figures came ("19:30", "· not closed", "· last
# contact", "3 hours ago", "· late"), and how many lines it is drawn on
SYNC_LINES = """() => Array.from(document.querySelectorAll(
  "#cooperatives td.sync .when > span > span"), (piece) => {
    const range = document.createRange();
    range.selectNodeContents(piece);
    return [piece.textContent,
            new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size];
  })"""


def test_a_last_sync_reads_on_one_line_at_1024_px(live_server: tuple[str, Database],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """On a 1024 px laptop, in Arabic and in French, each piece of when a stand's figures
    came is drawn on one line: the time, the till's last contact ("آخر اتصال" and "منذ 3
    ساعات": a narrow column may put them on two lines), and its "late" beside or under
    them; every column is still read whole in its panel. (Today, at 23:50 in Morocco:
    the figures came at 19:30, the tills' contacts since.)"""
    from playwright.sync_api import expect

    base, db = live_server
    now = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(22, 50))
    serve_at(monkeypatch, now, sys.modules[__name__])
    market, _ = seed_busy(base, db)
    ages = [dt.timedelta(hours=3), dt.timedelta(hours=2), dt.timedelta(minutes=45),
            dt.timedelta(hours=4), dt.timedelta(hours=1)]
    with db.write() as s:
        devices = s.scalars(select(Device.id).join(Cooperative)
                            .where(Cooperative.market_id == market).order_by(Device.id)).all()
        for device, age in zip(devices, ages, strict=True):
            last = utcnow() - age
            s.execute(update(Device).where(Device.id == device)
                      .values(last_push_at=last, last_seen_at=last))
    day = (DAY + dt.timedelta(days=1)).isoformat()  # open on every till, silent: all late
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 700})
        log_in(page, base, "ar")
        for lang in ("ar", "fr"):
            page.goto(f"{base}/dashboard/?lang={lang}&market={market}&day={day}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(5)
            if lang == "ar":
                expect(page.locator("#cooperatives")).to_contain_text("آخر اتصال منذ 3 ساعات")
            page.locator("#cooperatives").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / f"sync-one-line-{lang}-1024.png"),
                            full_page=True)
            drawn = page.evaluate(SYNC_LINES)
            assert len(drawn) == 5 * 4, drawn  # (their contact came after their figures)
            assert [part for part, lines in drawn if lines != 1] == [], drawn
            assert page.evaluate(LAYOUT_PROBLEMS, True) == [], lang
    keep_screenshots(tmp_path)
