"""A stand whose till's figures the server refuses, in a real Chromium on the real server
(on SQLite and on PostgreSQL): its row says since when and why, in red, with the late."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

import httpx
import pytest

from sync.server import admin
from sync.server.db import Database
from sync.server.i18n import market_time, market_today
from sync.server.models import Device

from .server_support import summary
from .test_server_browser import (
    CHROMIUM,
    LAYOUT_PROBLEMS,
    PASSWORD,
    chromium,
    keep_screenshots,
    log_in,
)
from .test_server_received_browser import live

__all__ = ["live"]  # the fixture, shared with the received column's browser test

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]


def test_a_stand_whose_figures_are_refused_says_since_when_and_why(
        live: tuple[str, Database], tmp_path: Path) -> None:
    """Stand 1 sends today's figures; stand 2's till sends a day after the market's end,
    which the server refuses. Stand 2's row says, in French and Arabic, on a laptop and a
    phone, that its figures are refused since the time of the refusal and why, and is
    marked with the late stands; the "received" column puts it first."""
    from playwright.sync_api import expect

    base, db = live
    today = market_today()
    outside = today + dt.timedelta(days=5)
    with db.write() as s:
        market = admin.add_market(s, name_ar="السوق المتنقل لفاس", name_fr="Marché de Fès",
                                  city="Fès", region="Fès-Meknès", starts_on=today,
                                  ends_on=today + dt.timedelta(days=1), opens=dt.time(0, 0))
        admin.add_user(s, "nadia", PASSWORD)
        coops = [admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market.id, name_ar=ar, name_fr=fr, sector="food", province="Fès",
            stand=stand, members=10)).id for stand, fr, ar in (
                ("1", "Coopérative Argan Nissae", "تعاونية أركان النساء"),
                ("2", "Coopérative du miel de Tounfite", "تعاونية عسل تونفيت"))]
        codes = [admin.issue_enrol_code(s, c)[0] for c in coops]
        market_id = market.id
    tills = []
    for code in codes:
        enrolled = httpx.post(f"{base}/api/v1/enrol",
                              json={"code": code, "device_name": "stall"}).json()
        tills.append((uuid.UUID(enrolled["device_id"]), enrolled["token"]))
    for (device_id, token), day, status in zip(tills, (today, outside), (200, 422),
                                               strict=True):
        body = {"summaries": [summary(device_id, day, 9, net=100_000, tickets=3)
                              .model_dump(mode="json")]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == status, reply.text
    with db.read() as s:
        refused_at = s.get_one(Device, tills[1][0]).refused_at
    assert refused_at is not None
    since = market_time(refused_at)
    time = f"{since:%H:%M}" if since.date() == today else (
        f"\u2066{since:%d/%m %H:%M}\u2069")
    said = {
        "fr": f"· Chiffres refusés depuis {time}\u00a0: le jour \u2066{outside:%d/%m/%Y}"
              "\u2069 est hors des dates du marché",
        "ar": f"· الأرقام مرفوضة منذ {time}: اليوم \u2066{outside:%d/%m/%Y}\u2069 خارج تواريخ "
              "السوق",
    }
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}/dashboard/?lang={lang}&market={market_id}")
                page.wait_for_selector("body[data-loaded]")
                rows = page.locator("#cooperatives tbody tr")
                expect(rows).to_have_count(2)
                refused = page.locator("#cooperatives tbody td.sync span.refused")
                expect(refused).to_have_count(1)  # stand 1's figures are taken
                expect(refused).to_have_text(said[lang])
                expect(page.locator("#cooperatives tbody tr.stale td.stand")).to_have_text(
                    ["2"])
                red = page.evaluate("""() => [
                  getComputedStyle(document.querySelector("td.sync span.refused")).color,
                  getComputedStyle(document.querySelector("td.conflict, body")).color]""")
                assert red[0] != red[1] and red[0] != "rgb(0, 0, 0)", red
                assert page.evaluate(LAYOUT_PROBLEMS, width > 600) == [], (lang, width)
                page.screenshot(path=str(tmp_path / f"refused-{lang}-{width}.png"),
                                full_page=width > 600)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/dashboard/?lang=fr&market={market_id}")
        page.wait_for_selector("body[data-loaded]")
        page.locator("#cooperatives thead th").nth(8).get_by_role("button").click()
        expect(page.locator("#cooperatives tbody td.stand")).to_have_text(["2", "1"])
    keep_screenshots(tmp_path)
