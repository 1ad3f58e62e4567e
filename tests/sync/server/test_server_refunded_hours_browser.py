"""An hour (or a day) of more refunded than sold, on the dashboard's charts and in the
edition report, in a real headless Chromium, in Arabic and French, on a laptop and a
phone: its bar is drawn below the axis in a colour of its own, said under the chart, its
tooltip saying so, and the bars still add up to the day's net."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.server.db import Database
from sync.server.i18n import Translator, format_money

from .server_support import DAY, push_body, summary
from .test_server_browser import (
    CHROMIUM,
    chromium,
    keep_screenshots,
    live_server,
    log_in,
    stall_enrolled,
)

__all__ = ["live_server"]  # the fixture, shared with the dashboard's browser tests

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]

#: the first day: sales at 10:00 and 16:00, at 14:00 only the refund of an earlier sale
HOURS = [(10, 60_000, 4), (14, -52_100, 0), (16, 22_100, 2)]
NET = sum(amount for _, amount, _ in HOURS)  # 300,00 DH
#: the second day: a refund alone (of a sale of the first), at 11:00
NEXT_DAY_NET = -10_000

#: each bar of a chart's drawing as the organiser reads it against the value axis: its
#: amount in whole dirhams (below the axis, negative), its class and its tooltip
BARS = """(selector) => {
  const svg = document.querySelector(selector + ' svg');
  const ticks = [...svg.querySelectorAll('text.tick-y')].map(t => ({
    y: parseFloat(t.getAttribute('y')) - 4,
    v: parseInt(t.textContent.replace(/[^0-9]/g, ''), 10)
       * (/[-\\u2212]/.test(t.textContent) ? -1 : 1)}));
  const perPx = (ticks[0].v - ticks[1].v) / (ticks[1].y - ticks[0].y);
  const zero = ticks.find(t => t.v === 0).y;
  return [...svg.querySelectorAll('rect.bar')].map(r => {
    const y = parseFloat(r.getAttribute('y')), h = parseFloat(r.getAttribute('height'));
    const below = Math.abs(y - zero) < 0.01 && h > 0 && r.classList.contains('refunded');
    return {amount: (below ? -h : h) * perPx, cls: r.getAttribute('class'),
            title: r.querySelector('title').textContent};
  }).filter(b => Math.abs(b.amount) > 0.001);
}"""

WIDE = """() => document.documentElement.scrollWidth > window.innerWidth + 1"""


def seed_refunds(base: str, db: Database) -> None:
    """A market whose cooperative sent :data:`HOURS`' day, then a day of a refund alone."""
    device = stall_enrolled(base, db)
    first = summary(device["device_id"], DAY, 9, net=NET, tickets=6, refunds=52_100)
    first = first.model_copy(update={"hours": [
        first.hours[0].model_copy(update={"hour": h, "amount": a, "tickets": n})
        for h, a, n in HOURS]})
    second = summary(device["device_id"], DAY + dt.timedelta(days=1), 12, net=NEXT_DAY_NET,
                     tickets=0, refunds=-NEXT_DAY_NET, products=1)
    for day in (first, second):
        reply = httpx.post(f"{base}/api/v1/push", json=push_body(day),
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200, reply.text


def check_refunded_bar(page: Any, selector: str, t: Translator, label: str,
                       centimes: int) -> list[dict[str, Any]]:
    """The chart's bar of ``label`` is below its axis, of its own colour, its tooltip
    saying more was refunded than sold, and the line under the chart says what it is."""
    from playwright.sync_api import expect

    bars = page.evaluate(BARS, selector)
    [bar] = [b for b in bars if b["title"].startswith(label + t.colon)]
    assert bar["cls"] == "bar refunded"
    assert bar["amount"] == pytest.approx(centimes / 100, abs=1)
    assert bar["title"] == (
        label + t.colon + t("more_refunded", amount=format_money(centimes, t.lang)))
    expect(page.locator(f"{selector} .legend")).to_have_text(t("below_axis_refunds"))
    expect(page.locator(f"{selector} .legend")).to_be_visible()
    return bars


@pytest.mark.parametrize("width", [1366, 390])
def test_an_hour_of_refunds_is_drawn_below_the_axis(live_server: tuple[str, Database],
                                                    tmp_path: Path, width: int) -> None:
    """On the dashboard, the day's hours add up to its net, the refunds' hour below zero;
    the days' chart shows the day of a refund alone below zero too."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_refunds(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for lang in ("fr", "ar"):
            t = Translator(lang)
            log_in(page, base, lang)
            page.select_option("#day", DAY.isoformat())
            expect(page.locator("#kpi-day-net")).to_have_text(format_money(NET, lang))
            bars = check_refunded_bar(page, "#hours-chart", t, "14", -52_100)
            assert sum(b["amount"] for b in bars) == pytest.approx(NET / 100, abs=2)
            assert [b["cls"] for b in bars] == ["bar", "bar refunded", "bar"]
            check_refunded_bar(page, "#days-chart", t, t.short_date(DAY + dt.timedelta(days=1)),
                               NEXT_DAY_NET)
            assert not page.evaluate(WIDE)
            page.locator("#hours-chart").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / f"refunded-hours-{lang}-{width}.png"),
                            full_page=True)
    keep_screenshots(tmp_path)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_report_draws_refunds_below_the_axis(live_server: tuple[str, Database],
                                                 tmp_path: Path, width: int) -> None:
    """In the edition report, the hour and the day of more refunded than sold are drawn
    below the axis and said so, on paper as on a phone (whose lists say it under the bar);
    the edition's hours add up to its net."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_refunds(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            t = Translator(lang)
            page.goto(f"{base}/dashboard/report?lang={lang}")
            hours = page.locator("section", has=page.get_by_role(
                "heading", name=t("sales_by_hour")))
            days = page.locator("section", has=page.get_by_role("heading", name=t("per_day")))
            hours.evaluate("(s) => s.id = 'hours'")
            days.evaluate("(s) => s.id = 'days'")
            if width > 700:
                bars = check_refunded_bar(page, "#hours", t, "14", -52_100)
                assert sum(b["amount"] for b in bars) == pytest.approx(
                    (NET + NEXT_DAY_NET) / 100, abs=2)
                check_refunded_bar(page, "#days", t, t.short_date(DAY + dt.timedelta(days=1)),
                                   NEXT_DAY_NET)
            else:
                row = page.locator("#hours li.refunded")
                expect(row.locator(".name")).to_have_text("14:00")
                expect(row.locator(".value")).to_have_text(format_money(-52_100, lang))
                expect(row.locator(".note")).to_have_text(t("more_refunded_than_sold"))
                expect(page.locator("#days li.refunded .value")).to_have_text(
                    format_money(NEXT_DAY_NET, lang))
                expect(page.locator("#hours .legend")).to_be_hidden()
            assert not page.evaluate(WIDE)
            page.screenshot(path=str(tmp_path / f"refunded-report-{lang}-{width}.png"),
                            full_page=True)
    keep_screenshots(tmp_path)
