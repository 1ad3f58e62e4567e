"""The dashboard in a real headless Chromium: log in, read the figures, download a CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from sqlalchemy import select, update

from pos.cldr import plural_form
from sync.server import admin, dashboard
from sync.server import db as server_db
from sync.server.app import create_app
from sync.server.dashboard import REFRESH_SECONDS
from sync.server.db import Database, utcnow
from sync.server.i18n import format_money, market_time
from sync.server.models import Cooperative, DaySummaryRow, Device

from .server_support import DAY, push_body, seed_market, set_up_before, summary
from .test_server_units import day_of

CHROMIUM = os.environ.get("SOUK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "souk-organiser-2026"

pytestmark = [
    pytest.mark.usefixtures("one_chromium"),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]


def keep_screenshots(tmp_path: Path) -> None:
    """Copy a test's screenshots to ``$SOUK_SCREENSHOTS``, when set, to look at them."""
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)


#: the Chromium a module's tests share (:func:`sharing_chromium`): (browser, playwright)
#: once launched, None until then; no key outside such a module
_SHARED: dict[str, Any] = {}


@contextmanager
def sharing_chromium() -> Iterator[None]:
    """While open, :func:`chromium` gives one Chromium, launched at its first use, to all
    (each test's pages and contexts closed after it): launching one takes about 2 s. Only
    for tests that run no asyncio loop of their own, as Playwright's synchronous API keeps
    its loop as the thread's running loop while its browser is open."""
    _SHARED["held"] = None
    try:
        yield
    finally:
        held = _SHARED.pop("held")
        if held is not None:
            browser, pw = held
            browser.close()
            pw.stop()


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (playwright's ``Browser``): the shared one, with what the test
    opened in it closed after, or a new one, closed after."""
    from playwright.sync_api import sync_playwright

    if "held" in _SHARED:
        if _SHARED["held"] is None:
            pw = sync_playwright().start()
            _SHARED["held"] = (pw.chromium.launch(executable_path=CHROMIUM,
                                                  args=CHROMIUM_ARGS), pw)
        browser = _SHARED["held"][0]
        try:
            yield browser
        finally:
            for context in browser.contexts:
                context.close()
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    db = Database.connect(f"sqlite:///{tmp_path / 'souk.sqlite3'}")
    with serving(db) as base:
        yield base, db
    db.dispose()


@contextmanager
def serving(db: Database) -> Iterator[str]:
    """The server on ``db`` on a port of the loopback, its address; stopped after."""
    app = create_app(db)
    sock = socket.socket()  # bound now: a port looked up and bound later may be taken
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def seed(base: str, db: Database) -> None:
    _, argan, pottery = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        codes = [admin.issue_enrol_code(s, c)[0] for c in (argan, pottery)]
    for code, net, tickets, refunds in zip(codes, (125_050, 2_500_000), (7, 3), (4_500, 0),
                                           strict=True):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        body = {"summaries": [summary(device["device_id"], DAY, 9, net=net, tickets=tickets,
                                      refunds=refunds).model_dump(mode="json")]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200


LONG_COOPERATIVES = [  # (name_ar, name_fr, sector, stand)
    ("تعاونية النباتات العطرية والطبية للأطلس المتوسط ووادي أوريكا",
     "Coopérative des plantes aromatiques et médicinales du Moyen Atlas et de l'Ourika",
     "herbs", "A-104"),
    ("تعاونية النساء القرويات لتثمين منتجات الصبار والعسل الحر",
     "Coopérative des femmes rurales pour la valorisation du cactus et du miel",
     "cosmetics", "B-27"),
    ("تعاونية الزرابي الأمازيغية التقليدية لجبال الأطلس الكبير",
     "Coopérative des tapis amazighs traditionnels du Haut Atlas", "handicrafts", "C-3"),
]


#: the evening of the second day of :func:`seed_busy`'s market (21:00 in Morocco), after its
#: figures came: that day is today for a server whose clock is there (:func:`serve_at`)
SECOND_EVENING = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(20, 0))


def serve_at(monkeypatch: pytest.MonkeyPatch, now: dt.datetime, *modules: Any) -> None:
    """The dashboard's clock at ``now`` (naive UTC), its today that day in Morocco; and the
    clock the seeding reads (``utcnow`` of this module and of ``modules``): a day of the
    market of :data:`DAY` is shown as today, as an organiser lives it. (Stalls keep the
    server's real clock: their contact is in this clock's future, "just now".)"""
    started = server_db.utcnow()

    def clock() -> dt.datetime:  # going on from ``now`` (each refresh its own time)
        return now + (server_db.utcnow() - started)

    monkeypatch.setattr(dashboard, "utcnow", clock)
    monkeypatch.setattr(dashboard, "market_today", lambda: market_time(clock()).date())
    for module in (sys.modules[__name__], *modules):
        monkeypatch.setattr(module, "utcnow", clock)


def seed_busy(base: str, db: Database) -> tuple[int, int]:
    """A market of five cooperatives (three with long names) with large sales on two days
    and long product names, each day's figures received at 19:30 (in Morocco) that day,
    whose stalls were last in contact 2 and 11 days ago (the others just now), and a
    market without any cooperative; gives both markets' ids."""
    market, argan, pottery = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        coops = [argan, pottery] + [
            admin.add_cooperative(s, admin.CooperativeInput(
                market_id=market, name_ar=ar, name_fr=fr, sector=sector, province="Ifrane",
                region="Béni Mellal-Khénifra", stand=stand, members=120 + i)).id
            for i, (ar, fr, sector, stand) in enumerate(LONG_COOPERATIVES)]
        codes = [admin.issue_enrol_code(s, c)[0] for c in coops]
        empty = admin.add_market(s, name_ar="سوق بلا تعاونيات", name_fr="Marché sans stands",
                                 city="Ifrane", region="Fès-Meknès", starts_on=DAY,
                                 ends_on=DAY + dt.timedelta(days=2)).id
    devices = []
    for n, code in enumerate(codes):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        devices.append(device["device_id"])
        for day, status in ((DAY, "closed"), (DAY + dt.timedelta(days=1), "open")):
            body = summary(device["device_id"], day, 9, net=11_166_245 - 1_234_567 * n,
                           tickets=220 + n, status=status).model_dump(mode="json")
            for i, line in enumerate(body["products"]):
                line["name_fr"] = f"Huile d'argan alimentaire pressée à froid {250 * (i + 1)} ml"
                line["name_ar"] = f"زيت أركان غذائي معصور على البارد {250 * (i + 1)} مل"
            reply = httpx.post(f"{base}/api/v1/push", json={"summaries": [body]},
                               headers={"Authorization": f"Bearer {device['token']}"})
            assert reply.status_code == 200, reply.text
    with db.write() as s:
        for device_id, age in zip(devices, (dt.timedelta(days=2, hours=12),
                                            dt.timedelta(days=11, hours=12)), strict=False):
            last = utcnow() - age
            s.execute(update(Device).where(Device.id == uuid.UUID(device_id))
                      .values(last_push_at=last, last_seen_at=last))
        for day in (DAY, DAY + dt.timedelta(days=1)):  # (its figures came at 19:30 that day)
            s.execute(update(DaySummaryRow).where(DaySummaryRow.business_day == day)
                      .values(received_at=dt.datetime.combine(day, dt.time(18, 30))))
    return market, empty


def test_dashboard_in_chromium(live_server: tuple[str, Database], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, db = live_server
    seed(base, db)
    with chromium() as browser:
        page = browser.new_page(accept_downloads=True, locale="fr-FR",
                                viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/dashboard/?lang=fr")
        assert "/dashboard/login" in page.url
        page.fill("input[name=username]", "nadia")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-loaded]")
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#kpi-day-net")).to_have_text("26\u00a0250,50\u00a0DH")
        expect(page.locator("#kpi-day-tickets")).to_have_text("10")
        expect(page.locator("#kpi-day-refunds")).to_have_text("45,00\u00a0DH")
        argan = page.locator("#cooperatives tbody tr", has_text="Coopérative Argan Nissae")
        expect(argan).to_contain_text("1\u00a0250,50\u00a0DH")
        expect(argan).to_contain_text("Produits alimentaires")
        expect(page.locator("#sectors")).to_contain_text("Artisanat")
        assert page.locator("#hours-chart svg rect.bar").count() == 24
        page.screenshot(path=str(tmp_path / "dashboard-fr.png"), full_page=True)

        with page.expect_download() as download:
            page.click("#export-coops-csv")
        saved = tmp_path / "cooperatives.csv"
        download.value.save_as(saved)
        # the file of the day shown, with that day's figures as the table shows them
        assert download.value.suggested_filename.endswith(
            f"-cooperatives-{DAY.isoformat()}.csv")
        text = saved.read_bytes()
        assert text.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
        shown = dict(zip(rows[0], next(r for r in rows if "Coopérative Argan Nissae" in r),
                         strict=True))
        assert (shown["Ventes du jour (DH)"], shown["Tickets du jour"]) == ("1250,50", "7")

        page.click("nav.languages a[lang=ar]")
        page.wait_for_selector("html[dir=rtl]")
        page.wait_for_selector("body[data-loaded]")
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#kpi-day-net")).to_have_text("26\u00a0250,50\u00a0د.م.")
        expect(page.locator("h1")).to_have_text("سوق — لوحة قيادة السوق")
        argan = page.locator("#cooperatives tbody tr", has_text="تعاونية أركان النساء")
        expect(argan).to_contain_text("1\u00a0250,50\u00a0د.م.")
        expect(argan).to_contain_text("المنتجات الغذائية")
        page.screenshot(path=str(tmp_path / "dashboard-ar.png"), full_page=True)

        page.click("nav.languages a[lang=en]")  # as the stalls write English amounts
        page.wait_for_selector("html[dir=ltr][lang=en]")
        page.wait_for_selector("body[data-loaded]")
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#kpi-day-net")).to_have_text("MAD\u00a026,250.50")
        expect(page.locator("#kpi-day-refunds")).to_have_text("MAD\u00a045.00")
        argan = page.locator("#cooperatives tbody tr", has_text="Argan Nissae")
        expect(argan).to_contain_text("MAD\u00a01,250.50")
        assert all(url.startswith(base) for url in requests), "a request left the server"
    keep_screenshots(tmp_path)


def test_day_after_is_empty(live_server: tuple[str, Database]) -> None:
    """The JSON the page polls answers for a day without sales (no crash, zeros)."""
    base, db = live_server
    seed(base, db)
    with httpx.Client(base_url=base) as client:
        client.post("/dashboard/login", data={"username": "nadia", "password": PASSWORD})
        later = (DAY + dt.timedelta(days=3)).isoformat()
        data = client.get(f"/dashboard/data.json?day={later}").json()
        assert data["totals"]["day"]["net"] == 0
        assert data["totals"]["edition"]["net"] == 2_625_050


def test_updated_at_is_the_servers_morocco_time(live_server: tuple[str, Database]) -> None:
    """"Updated at" says the time of the figures in Morocco, on a 24-hour clock, as every
    time on the dashboard: not the browser's clock, zone or 12-hour English."""
    base, db = live_server
    seed(base, db)
    with chromium() as browser:
        page = browser.new_page(locale="en-US", timezone_id="America/Los_Angeles")
        log_in(page, base, "en")
        shown = page.evaluate("""() => ({ status: document.getElementById("status")
          .textContent, generated: document.body.dataset.loaded })""")
    generated = dt.datetime.fromisoformat(shown["generated"].removesuffix("Z"))
    assert shown["status"] == f"Updated at {market_time(generated):%H:%M:%S}", shown


def test_a_login_form_on_another_site_is_refused(live_server: tuple[str, Database]) -> None:
    """A page elsewhere that posts a login to this server (to log the organiser in as
    someone else) gets a refusal, and the browser no session."""
    from playwright.sync_api import expect

    base, db = live_server
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    forged = (f'<form method="post" action="{base}/dashboard/login">'
              f'<input name="username" value="nadia"><input name="password" value="{PASSWORD}">'
              '<input name="lang" value="fr"><button type="submit">go</button></form>')
    with chromium() as browser:
        page = browser.new_page()
        page.route("http://elsewhere.example/", lambda route: route.fulfill(
            body=forged, content_type="text/html"))
        page.goto("http://elsewhere.example/")
        with page.expect_navigation():
            page.click("button[type=submit]")
        expect(page.locator("p.error")).to_have_text(
            "Ce formulaire de connexion ne vient pas de ce serveur\u00a0: ouvrez la page de "
            "connexion du tableau de bord.")
        assert not [c for c in page.context.cookies() if c["name"] == "souk_session"]


# The problems of the page's layout, from inside the page: wider than the window, a panel
# out of the window, or a table (or chart, or figure) painted outside its panel. What is
# painted of a table is what the boxes around it that clip (a scroll box) let through.
# ``fits`` also lists the tables that need to be scrolled to be read whole.
LAYOUT_PROBLEMS = """(fits) => {
  const problems = [];
  const width = window.innerWidth;
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`the page is ${root.scrollWidth} px wide`);
  const header = document.querySelector("header.top").getBoundingClientRect();
  if (header.left > 0.5 || header.right < width - 0.5) problems.push("the header is short");
  function painted(node, panel) {
    let r = node.getBoundingClientRect();
    let box = { left: r.left, right: r.right };
    for (let up = node.parentElement; up && up !== panel; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === "visible") continue;
      r = up.getBoundingClientRect();
      box = { left: Math.max(box.left, r.left), right: Math.min(box.right, r.right) };
    }
    return box;
  }
  for (const panel of document.querySelectorAll("main .panel, main .kpi-group")) {
    const p = panel.getBoundingClientRect();
    const title = panel.querySelector("h2").textContent;
    if (p.left < 0 || p.right > width) problems.push(`${title}: out of the window`);
    for (const node of panel.querySelectorAll("table, .chart svg, .kpi")) {
      const box = painted(node, panel);
      const name = node.id || node.className.baseVal || node.className || node.tagName;
      if (box.left < p.left - 0.5 || box.right > p.right + 0.5) {
        problems.push(`${title}: ${name} overflows its panel`);
      }
      if (fits && node.tagName === "TABLE" && box.right - box.left < node.offsetWidth - 0.5) {
        problems.push(`${title}: ${name} must be scrolled`);
      }
    }
  }
  return problems;
}"""

NETS = [11_166_245 - 1_234_567 * n for n in range(5)]  # as seed_busy pushes them


def log_in(page: Any, base: str, lang: str) -> None:
    """Log the organiser in through the login form, then wait for the dashboard's data."""
    page.goto(f"{base}/dashboard/login?lang={lang}")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-loaded]")


def test_dashboard_fits_desktop_and_phone(live_server: tuple[str, Database],
                                          tmp_path: Path) -> None:
    """With five cooperatives with long names, in French and in Arabic, on a 1366, 1280 or
    1024 px screen every table is read whole in its panel (the cooperatives' conflicts
    too) and the two groups of figures have their titles on one line; on a phone the page
    does not scroll sideways (a wide table scrolls in its own box); the charts' text is
    drawn at a readable size with round amounts; dates read dd/mm/yyyy; an empty market
    says so."""
    from playwright.sync_api import expect

    base, db = live_server
    _, empty = seed_busy(base, db)
    peak = sum(net // 2 for net in NETS)  # the day's busiest hour (centimes)
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            for width, height in ((1366, 768), (1280, 800), (1024, 700), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{base}/dashboard/?lang={lang}")
                page.wait_for_selector("body[data-loaded]")
                page.select_option("#day", DAY.isoformat())
                expect(page.locator("#day-title")).to_contain_text(
                    {"fr": "mardi 12 mai 2026", "ar": "الثلاثاء 12 ماي 2026"}[lang])
                expect(page.locator("#products tbody tr")).to_have_count(10)
                page.screenshot(path=str(tmp_path / f"busy-{lang}-{width}.png"),
                                full_page=True)
                problems = page.evaluate(LAYOUT_PROBLEMS, width > 1000)
                assert problems == [], (lang, width, problems)
                if width > 1000:  # the groups side by side, their titles at their top
                    tops = page.evaluate("""() => Array.from(document.querySelectorAll(
                        ".kpi-group h2"), (h) => Math.round(h.getBoundingClientRect().top))""")
                    assert len(tops) == 2 and len(set(tops)) == 1, (lang, width, tops)

                ticks = page.locator("#hours-chart text.tick-y").all_text_contents()
                values = [int(t.replace("\u00a0", "")) for t in ticks]
                step = values[1] - values[0]
                assert values == [step * i for i in range(len(values))], ticks
                assert str(step).rstrip("0") in ("1", "2", "5"), ticks
                assert values[-1] * 100 >= peak > values[-2] * 100, ticks
                label = page.locator("#hours-chart text.tick-y").last.bounding_box()
                assert label is not None and label["height"] >= 11, label
                dated = page.locator(f"#days tbody tr[data-day='{DAY.isoformat()}'] td")
                expect(dated.first).to_have_text("12/05/2026")

        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{base}/dashboard/?lang=fr")
        page.wait_for_selector("body[data-loaded]")
        products = page.locator("section", has=page.locator("#products"))
        expect(products.locator("h2")).to_have_text("Meilleurs produits du jour")
        page.select_option("#market", str(empty))
        for table in ("cooperatives", "days", "products"):
            expect(page.locator(f"#{table} tbody td.empty")).to_have_text(
                "Aucune donnée pour l'instant.")
        for chart in ("hours-chart", "days-chart"):
            expect(page.locator(f"#{chart}")).to_have_text("Aucune vente pour l'instant.")
            assert page.locator(f"#{chart} svg").count() == 0
        page.screenshot(path=str(tmp_path / "empty-fr-1366.png"), full_page=True)
    keep_screenshots(tmp_path)


def test_arabic_time_ago_has_its_dual_and_plural(live_server: tuple[str, Database]) -> None:
    """In Arabic, 2 minutes ago is said with a dual, 3 to 10 with a plural, 11 and more
    with a singular: the page writes the forms people read, for minutes, hours and days."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "ar")
        minute, hour, day = 60, 3600, 86400
        said = page.evaluate(
            "(ages) => ages.map((s) => window.soukDashboard.ago(s))",
            [minute + 30, 2 * minute, 3 * minute + 59, 10 * minute, 11 * minute,
             59 * minute, hour, 2 * hour, 3 * hour, 11 * hour, day, 2 * day, 3 * day,
             10 * day, 11 * day, 100 * day])
        assert said == [
            "منذ دقيقة", "منذ دقيقتين", "منذ 3 دقائق", "منذ 10 دقائق", "منذ 11 دقيقة",
            "منذ 59 دقيقة", "منذ ساعة", "منذ ساعتين", "منذ 3 ساعات", "منذ 11 ساعة",
            "منذ يوم", "منذ يومين", "منذ 3 أيام", "منذ 10 أيام", "منذ 11 يومًا",
            "منذ 100 يوم"]
        # the cooperatives' last contact, 2 days and a half and 11 days and a half ago
        argan = page.locator("#cooperatives tbody tr", has_text="تعاونية أركان النساء")
        expect(argan.locator("td.sync")).to_have_text(re.compile("آخر اتصال منذ يومين$"))
        pottery = page.locator("#cooperatives tbody tr", has_text="تعاونية فخار فاس")
        expect(pottery.locator("td.sync")).to_have_text(
            re.compile("آخر اتصال منذ 11 يومًا$"))

        page.goto(f"{base}/dashboard/?lang=fr")
        page.wait_for_selector("body[data-loaded]")
        said = page.evaluate("(ages) => ages.map((s) => window.soukDashboard.ago(s))",
                             [minute, 2 * minute, 11 * minute, 2 * day])
        assert said == ["il y a 1 min", "il y a 2 min", "il y a 11 min", "il y a 2 j"]


def test_a_wrong_password_keeps_the_name_typed(live_server: tuple[str, Database]) -> None:
    """After a wrong password the form says so and keeps the organiser's name, with the
    cursor in the password field: typing the right one and Enter logs in."""
    from playwright.sync_api import expect

    base, db = live_server
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/dashboard/login?lang=ar")
        expect(page.locator("input[name=username]")).to_be_focused()
        page.keyboard.type("nadia")
        page.keyboard.press("Tab")
        page.keyboard.type("souk-organiser-2025")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("p.error")).to_have_text(
            "اسم المستخدم أو كلمة المرور غير صحيحة.")
        expect(page.locator("input[name=username]")).to_have_value("nadia")
        expect(page.locator("input[name=password]")).to_be_focused()
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("body[data-loaded]")
        expect(page.locator("h1")).to_have_text("سوق — لوحة قيادة السوق")


def test_the_count_of_cooperatives_agrees_with_its_number(
        live_server: tuple[str, Database]) -> None:
    """Under the stalls that reported, the market's cooperatives are counted in each
    language's grammar: "sur 1 coopérative", "of 1 cooperative", in Arabic a plural from
    3 to 10 ("5 تعاونيات") and one said in words ("تعاونية واحدة", not "1 تعاونية")."""
    from playwright.sync_api import expect

    base, db = live_server
    market, small = seed_busy(base, db)
    with db.write() as s:
        admin.add_cooperative(s, admin.CooperativeInput(
            market_id=small, name_ar="تعاونية الأرز", name_fr="Coopérative du Cèdre",
            sector="handicrafts", province="Ifrane", stand="1", members=6))
    set_up_before(db, small)  # (in the market on the days the page shows)
    said = {("ar", market): "من أصل 5 تعاونيات", ("fr", market): "sur 5 coopératives",
            ("fr", small): "sur 1 coopérative", ("en", small): "of 1 cooperative",
            ("ar", small): "من أصل تعاونية واحدة"}
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "fr")
        for (lang, shown), text in said.items():
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            page.select_option("#market", str(shown))
            expect(page.locator("#kpi-coops")).to_have_text(text)


def test_tables_and_charts_are_named_for_screen_readers(
        live_server: tuple[str, Database]) -> None:
    """A screen reader names each table and chart by its panel's title, in the page's
    language, instead of reading a chart as its axis' figures."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "fr")
        for lang, tables, charts in (
            ("fr", ["Par coopérative", "Par jour", "Par secteur", "Par origine",
                    "Programmes", "Meilleurs produits du jour"],
             ["Ventes par heure", "Par jour"]),
            ("ar", ["حسب التعاونية", "حسب اليوم", "حسب القطاع", "حسب الأصل", "البرامج",
                    "أكثر المنتجات مبيعا خلال اليوم"],
             ["المبيعات حسب الساعة", "حسب اليوم"]),
        ):
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            page.select_option("#day", DAY.isoformat())
            for name in tables:
                expect(page.get_by_role("table", name=name, exact=True)).to_have_count(1)
            for name in charts:
                expect(page.get_by_role("img", name=name, exact=True)).to_have_count(1)


# Each card of the cooperatives' table on a phone: where it is, and its last sync's and
# day's sales' column names (shown before them), texts, colours and places.
PHONE_CARDS = """() => {
  const box = document.querySelector("#cooperatives").closest(".table-box");
  function cell(td) {
    const r = td.getBoundingClientRect();
    const label = getComputedStyle(td, "::before").content.replace(/^"|"$/g, "");
    return { label, text: td.textContent, color: getComputedStyle(td).color,
             left: r.left, right: r.right, width: r.width };
  }
  return {
    width: window.innerWidth, page: document.documentElement.scrollWidth,
    box: { scroll: box.scrollWidth, client: box.clientWidth },
    cards: Array.from(document.querySelectorAll("#cooperatives tbody tr"), (tr) => {
      const r = tr.getBoundingClientRect();
      return { stand: tr.querySelector("td.stand").textContent,
               name: tr.querySelector("td.key").textContent,
               left: r.left, right: r.right,
               sync: cell(tr.querySelector("td.sync")), day: cell(tr.querySelector("td.day-net")) };
    }),
  };
}"""
WARN_RED = "rgb(179, 38, 30)"


def test_phone_shows_each_cooperative_as_a_card(live_server: tuple[str, Database]) -> None:
    """On a phone, in French and in Arabic, each cooperative is a card headed by its stand
    and name, no wider than the screen: its last sync and its day's sales are read under
    their columns' names without scrolling sideways. On a day gone by (13 May 2026, the
    market over), a stand whose day was left open on its till, silent for days, says so
    and is not "late": that day is over."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    day = DAY + dt.timedelta(days=1)  # open on every till, two of them silent for days
    stands = ["12", "3"] + [stand for *_, stand in LONG_COOPERATIVES]  # as seed_busy adds them
    silent = {"fr": {"12": "19:30 · non clôturée · dernier contact il y a 2 j",
                     "3": "19:30 · non clôturée · dernier contact il y a 11 j"},
              "ar": {"12": "19:30 · غير مغلق · آخر اتصال منذ يومين",
                     "3": "19:30 · غير مغلق · آخر اتصال منذ 11 يومًا"}}
    on_time = {"fr": "19:30 · non clôturée · dernier contact à l'instant",
               "ar": "19:30 · غير مغلق · آخر اتصال الآن"}
    labels = {"fr": ("Chiffres du jour reçus", "Ventes du jour"),
              "ar": ("وصول أرقام اليوم", "مبيعات اليوم")}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        log_in(page, base, "fr")
        for lang in ("fr", "ar"):
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            page.select_option("#day", day.isoformat())
            expect(page.locator("#day-title")).to_contain_text(
                {"fr": "mercredi 13 mai 2026", "ar": "الأربعاء 13 ماي 2026"}[lang])
            expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(0)
            seen = page.evaluate(PHONE_CARDS)
            assert seen["page"] <= seen["width"], seen
            assert seen["box"]["scroll"] <= seen["box"]["client"], seen["box"]
            assert sorted(c["stand"] for c in seen["cards"]) == sorted(stands)
            for card in seen["cards"]:
                where = (lang, card["stand"], card)
                assert card["left"] >= 0 and card["right"] <= seen["width"], where
                for figure in (card["sync"], card["day"]):
                    assert figure["width"] > 0, where
                    assert card["left"] <= figure["left"], where
                    assert figure["right"] <= card["right"], where
                assert (card["sync"]["label"], card["day"]["label"]) == labels[lang], where
                net = NETS[stands.index(card["stand"])]
                assert card["day"]["text"] == format_money(net, lang), where
                if card["stand"] in silent[lang]:
                    assert card["sync"]["text"] == silent[lang][card["stand"]], where
                else:
                    assert card["sync"]["text"] == on_time[lang], where
                assert card["sync"]["color"] != WARN_RED, where  # none is late


def test_the_chosen_market_and_day_stay_in_the_address(
        live_server: tuple[str, Database]) -> None:
    """The market and day an organiser picks are in the page's address: a reload, the link
    opened in another tab and another language show them again, not today's market."""
    from playwright.sync_api import expect

    base, db = live_server
    _, other = seed_busy(base, db)  # the first market is shown by default
    day = (DAY + dt.timedelta(days=1)).isoformat()
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        log_in(page, base, "fr")
        page.goto(f"{base}/dashboard/?lang=fr")
        page.wait_for_selector("body[data-loaded]")
        expect(page.locator("#market")).not_to_have_value(str(other))
        page.select_option("#market", str(other))
        expect(page.locator("#day option")).to_have_count(3)  # its three days
        page.select_option("#day", day)
        expect(page.locator("#day-title")).to_have_text("Journée du mercredi 13 mai 2026")
        expect(page).to_have_url(re.compile(rf"\?lang=fr&market={other}&day={day}$"))

        def shows_the_choice(title: str) -> None:
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#market")).to_have_value(str(other))
            expect(page.locator("#market option:checked")).to_have_text(
                re.compile("^(Marché sans stands|سوق بلا تعاونيات) — Ifrane$"))
            expect(page.locator("#day")).to_have_value(day)
            expect(page.locator("#day-title")).to_have_text(title)

        page.reload()
        shows_the_choice("Journée du mercredi 13 mai 2026")
        shared = context.new_page()  # the link, opened in another tab
        shared.goto(page.url)
        page, first = shared, page
        shows_the_choice("Journée du mercredi 13 mai 2026")
        first.close()
        page.click("nav.languages a[lang=ar]")
        page.wait_for_selector("html[dir=rtl]")
        shows_the_choice("يوم الأربعاء 13 ماي 2026")
        page.click("nav.languages a[lang=en]")
        page.wait_for_selector("html[lang=en]")
        expect(page).to_have_url(re.compile(rf"\?lang=en&market={other}&day={day}$"))
        shows_the_choice("Wednesday 13 May 2026")


def test_a_shared_link_opens_its_market_and_day_after_the_login(
        live_server: tuple[str, Database]) -> None:
    """A link to a market and day, opened by someone not logged in, goes through the login
    page (whose language can still be changed) and then shows that market and day. A
    login page made to lead elsewhere (another site, ``//host``, a backslash) leads to the
    dashboard of this server instead."""
    from playwright.sync_api import expect

    base, db = live_server
    _, other = seed_busy(base, db)  # not the market shown by default
    day = (DAY + dt.timedelta(days=1)).isoformat()
    with chromium() as browser:
        page = browser.new_page(locale="fr-FR")
        page.goto(f"{base}/?market={other}&day={day}")
        expect(page).to_have_url(re.compile(r"/dashboard/login\?"))
        page.click("nav.languages a[lang=ar]")
        page.wait_for_selector("html[dir=rtl]")
        page.fill("input[name=username]", "nadia")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-loaded]")
        expect(page).to_have_url(re.compile(rf"/dashboard/\?lang=ar&market={other}&day={day}$"))
        expect(page.locator("#market")).to_have_value(str(other))
        expect(page.locator("#day")).to_have_value(day)
        expect(page.locator("#day-title")).to_have_text("يوم الأربعاء 13 ماي 2026")

        for elsewhere in ("//elsewhere.example/", "/\\elsewhere.example/",
                          "http://elsewhere.example/"):
            visitor = browser.new_page()
            visitor.route("http://elsewhere.example/**", lambda route: route.fulfill(
                body="elsewhere", content_type="text/plain"))
            visitor.goto(f"{base}/dashboard/login?lang=fr&next={quote(elsewhere)}")
            visitor.fill("input[name=username]", "nadia")
            visitor.fill("input[name=password]", PASSWORD)
            visitor.click("button[type=submit]")
            visitor.wait_for_selector("body[data-loaded]")
            assert visitor.url.startswith(f"{base}/dashboard/"), (elsewhere, visitor.url)
            visitor.close()


def test_screen_readers_hear_what_changed_not_every_refresh(
        live_server: tuple[str, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    """The "updated at" line is shown but not read out; a polite live region of its own
    says, once each, that a cooperative turned late, that the server is lost and that it
    answers again. A refresh that changes nothing leaves its text as it was."""
    from playwright.sync_api import expect

    base, db = live_server
    serve_at(monkeypatch, SECOND_EVENING)  # the day shown is today
    market, _ = seed_busy(base, db)
    day = (DAY + dt.timedelta(days=1)).isoformat()  # open on every till: two stalls late
    with db.read() as s:
        herbs = s.scalars(select(Device.id).join(Cooperative).where(
            Cooperative.stand == "A-104")).one()
    with chromium() as browser:
        page = browser.new_page()
        page.clock.install()  # the refreshes come when the test moves the page's clock
        log_in(page, base, "fr")
        page.goto(f"{base}/dashboard/?lang=fr&market={market}&day={day}")
        page.wait_for_selector("body[data-loaded]")
        status, said = page.locator("#status"), page.locator("#announce")
        expect(status).to_have_text(re.compile("^Mis à jour à "))
        for attribute in ("role", "aria-live"):
            assert status.get_attribute(attribute) is None, attribute
        expect(said).to_have_attribute("role", "status")
        expect(said).to_have_attribute("aria-live", "polite")
        expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(2)
        expect(said).to_have_text("")  # what the page shows first is not news

        def refresh() -> None:
            loaded = page.locator("body").get_attribute("data-loaded")
            page.clock.fast_forward(REFRESH_SECONDS * 1000)
            expect(page.locator("body")).not_to_have_attribute("data-loaded", loaded or "")

        refresh()
        expect(said).to_have_text("")
        with db.write() as s:  # the herbs' stall silent for 31 minutes on an open day
            last = utcnow() - dt.timedelta(minutes=31)
            s.execute(update(Device).where(Device.id == herbs)
                      .values(last_push_at=last, last_seen_at=last))
        refresh()
        late = ("Désormais en retard\u00a0: Coopérative des plantes aromatiques et médicinales "
                "du Moyen Atlas et de l'Ourika.")
        expect(said).to_have_text(late)
        expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(3)
        refresh()
        expect(said).to_have_text(late)

        page.route("**/dashboard/data.json*", lambda route: route.abort())
        page.clock.fast_forward(REFRESH_SECONDS * 1000)
        expect(status).to_have_class(re.compile(r"\berror\b"))
        lost = "Serveur injoignable, nouvel essai dans quelques secondes…"
        expect(said).to_have_text(lost)
        page.unroute("**/dashboard/data.json*")
        refresh()
        expect(said).to_have_text("Le serveur répond de nouveau.")
        expect(status).to_have_text(re.compile("^Mis à jour à "))
        refresh()
        expect(said).to_have_text("Le serveur répond de nouveau.")


def test_top_products_show_their_unit(live_server: tuple[str, Database],
                                      tmp_path: Path) -> None:
    """The day's top products give their quantity with its unit, as the stalls name units,
    in each language (the Arabic dual for two pieces); a product of a stall that did not
    say its unit shows its number alone. The page's plural forms are the server's (the
    report's and exports')."""
    from playwright.sync_api import expect

    base, db = live_server
    device = stall_enrolled(base, db)
    day = day_of(device["device_id"], DAY, 9, [  # the mint's unit is not said
        ("HNY-KG", 3_500, 70_000, "kg"), ("ARG-250", 2_000, 24_000, "piece"),
        ("OLV-1L", 1_000, 8_500, "l"), ("MNT-BND", 4_000, 2_000, None)])
    reply = httpx.post(f"{base}/api/v1/push", json=push_body(day),
                       headers={"Authorization": f"Bearer {device['token']}"})
    assert reply.status_code == 200, reply.text
    said = {"fr": ["3,5 kg", "2 pièces", "1 l", "4"],
            "ar": ["3,5 كلغ", "قطعتان", "لتر واحد", "4"],
            "en": ["3.5 kg", "2 pieces", "1 l", "4"]}
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "fr")
        for lang, quantities in said.items():
            page.set_viewport_size({"width": 1366, "height": 768})
            page.goto(f"{base}/dashboard/?lang={lang}&day={DAY.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            cells = page.locator("#products tbody tr td:nth-child(3)")
            expect(cells).to_have_text(quantities)
            milli = [0, 500, 1_000, 1_500, 2_000, 3_000, 11_000, 100_000, 103_000,
                     1_000_000_000]
            forms = page.evaluate(
                "(values) => values.map((m) => new Intl.PluralRules(document.documentElement"
                ".lang).select(m / 1000))", milli)
            assert forms == [plural_form(lang, m) for m in milli], lang
            for width, height in ((1366, 768), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                assert page.evaluate(LAYOUT_PROBLEMS, width > 1000) == [], (lang, width)
                page.screenshot(path=str(tmp_path / f"units-{lang}-{width}.png"),
                                full_page=True)
    keep_screenshots(tmp_path)


def test_the_market_picker_shows_the_whole_name(live_server: tuple[str, Database]) -> None:
    """On a 1366 px screen the market picker is as wide as its longest market's name and
    city ("Marché itinérant de Fès — Fès"), in each language, not cut."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        log_in(page, base, "fr")
        for lang in ("fr", "en", "ar"):
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#market option")).to_have_count(2)
            widths = page.evaluate("""() => {
              const select = document.getElementById("market");
              const shown = select.getBoundingClientRect().width;
              select.style.maxWidth = "none";
              const whole = select.getBoundingClientRect().width;
              select.style.maxWidth = "";
              return { shown, whole };
            }""")
            assert widths["shown"] >= widths["whole"] - 0.5, (lang, widths)
            problems = page.evaluate(LAYOUT_PROBLEMS, True)
            assert problems == [], (lang, problems)


def test_a_long_market_name_does_not_widen_the_phone_page(
        live_server: tuple[str, Database], tmp_path: Path) -> None:
    """On a 390 px phone, in each language, a market with a long name and city does not
    make the page scroll sideways: the picker shrinks to the screen's width."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with db.write() as s:
        admin.add_market(s, name_ar="المعرض الجهوي للتعاونيات والاقتصاد الاجتماعي والتضامني بفاس",
                         name_fr="Salon régional des coopératives et de l'économie sociale "
                                 "et solidaire de Fès", city="Fès", region="Fès-Meknès",
                         starts_on=DAY, ends_on=DAY + dt.timedelta(days=2))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        log_in(page, base, "fr")
        for lang in ("ar", "fr", "en"):
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#market option")).to_have_count(3)
            page.screenshot(path=str(tmp_path / f"long-market-{lang}-390.png"))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (lang, width)
            picker = page.locator("#market").bounding_box()
            assert picker is not None and picker["x"] >= 0, (lang, picker)
            assert picker["x"] + picker["width"] <= 390, (lang, picker)
            problems = page.evaluate(LAYOUT_PROBLEMS, False)
            assert problems == [], (lang, problems)
    keep_screenshots(tmp_path)


def _figures(page: Any, column: int) -> list[int]:
    """The cooperatives' figures of ``column`` (money in centimes), top to bottom."""
    cells = page.locator(f"#cooperatives tbody tr td:nth-child({column})").all_text_contents()
    return [int(re.sub(r"\D", "", text)) for text in cells]


def test_the_cooperatives_sort_by_the_header_pressed(live_server: tuple[str, Database]) -> None:
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        log_in(page, base, "fr")
        page.select_option("#day", DAY.isoformat())
        # its figures came
        expect(page.locator("#day-title")).to_contain_text("mardi 12 mai 2026")
        expect(page.locator("#cooperatives tbody tr")).to_have_count(5)
        stands = page.locator("#cooperatives tbody td.stand")
        expect(stands).to_have_text(["3", "12", "A-104", "B-27", "C-3"])  # by stand
        header = page.locator("#cooperatives thead th").nth(4)
        header.get_by_role("button", name="Ventes du jour").click()  # the largest first
        sales = _figures(page, 5)
        assert sales == sorted(sales, reverse=True) and len(set(sales)) == 5, sales
        expect(header).to_have_attribute("aria-sort", "descending")
        header.get_by_role("button").press("Enter")  # again, from the keyboard
        assert _figures(page, 5) == sorted(sales)
        expect(header).to_have_attribute("aria-sort", "ascending")
        # another day and back: the figures are fetched again, still in that order
        page.select_option("#day", (DAY + dt.timedelta(days=1)).isoformat())
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#day-title")).to_contain_text("mardi 12 mai 2026")
        assert _figures(page, 5) == sorted(sales)
        name = page.locator("#cooperatives thead th").nth(1).get_by_role("button")
        name.click()  # names from A, as French sorts them
        names = page.locator("#cooperatives tbody td.key").all_text_contents()
        assert names == sorted(names, key=lambda n: n.casefold()), names


def test_the_city_reads_in_the_pages_language(live_server: tuple[str, Database]) -> None:
    """The market picker names a market's city in Arabic on the Arabic page ("… — فاس"),
    as given on the French one; a market without an Arabic name for its city is written
    with its city as given."""
    from playwright.sync_api import expect

    base, db = live_server
    market, empty = seed_busy(base, db)
    with db.write() as s:
        admin.edit_market(s, market, city_ar="فاس")
    shown = {"ar": {market: "السوق المتنقل لفاس — فاس", empty: "سوق بلا تعاونيات — Ifrane"},
             "fr": {market: "Marché itinérant de Fès — Fès", empty: "Marché sans stands — Ifrane"}}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        log_in(page, base, "fr")
        for lang, options in shown.items():
            page.goto(f"{base}/dashboard/?lang={lang}")
            page.wait_for_selector("body[data-loaded]")
            for value, text in options.items():
                expect(page.locator(f"#market option[value='{value}']")).to_have_text(text)


def stall_enrolled(base: str, db: Database) -> dict[str, Any]:
    """The market of ``seed_market``, its organiser ``nadia``, and a till of its argan
    cooperative enrolled through the API: the enrolment's reply (device id, token)."""
    _, argan, _ = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        code = admin.issue_enrol_code(s, argan)[0]
    reply: dict[str, Any] = httpx.post(f"{base}/api/v1/enrol",
                                       json={"code": code, "device_name": "stall"}).json()
    return reply


def enrol_and_push(base: str, code: str, day: dt.date, net: int) -> None:
    """A till enrolled with ``code`` that sends its figures of ``day``."""
    device = httpx.post(f"{base}/api/v1/enrol", json={"code": code, "device_name": "stall"}
                        ).json()
    reply = httpx.post(f"{base}/api/v1/push", json=push_body(summary(
        device["device_id"], day, 4, net=net, tickets=2)),
        headers={"Authorization": f"Bearer {device['token']}"})
    assert reply.status_code == 200, reply.text


def test_the_two_reporting_counts_say_what_they_count(live_server: tuple[str, Database]
                                                      ) -> None:
    """The day's panel counts the stands that sent the day's figures (a cooperative with
    two tills once), the days table the tills that sent theirs (that cooperative's twice):
    each label says which, in each language, and its title says how it counts."""
    from playwright.sync_api import expect

    base, db = live_server
    seed(base, db)
    with db.write() as s:
        argan = s.scalars(select(Cooperative.id).where(Cooperative.stand == "12")).one()
        code, _ = admin.issue_enrol_code(s, argan)
    enrol_and_push(base, code, DAY, 40_000)  # the argan cooperative's second till
    said = {
        "fr": ("Stands ayant envoyé les chiffres du jour", "Un stand à deux caisses compte "
               "une fois.", "Caisses ayant envoyé leurs chiffres", "Un stand à deux caisses "
               "compte deux fois."),
        "ar": ("الأروقة التي أرسلت أرقام هذا اليوم", "الرواق الذي له صندوقان يُحسب مرة واحدة.",
               "الصناديق التي أرسلت أرقامها", "الرواق الذي له صندوقان يُحسب مرتين."),
        "en": ("Stands that sent this day's figures", "A stand with two tills counts once.",
               "Tills that sent figures", "A stand with two tills counts twice."),
    }
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        log_in(page, base, "fr")
        for lang, (stands, once, tills, twice) in said.items():
            page.goto(f"{base}/dashboard/?lang={lang}&day={DAY.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            kpi = page.locator(".kpi", has=page.locator("#kpi-day-stalls"))
            expect(kpi.locator(".label")).to_have_text(stands)
            assert (kpi.locator(".label").get_attribute("title") or "").endswith(once)
            expect(page.locator("#kpi-day-stalls")).to_have_text("2")
            header = page.locator("#days thead th").nth(3)
            expect(header).to_have_text(tills)
            assert (header.get_attribute("title") or "").endswith(twice)
            row = page.locator(f"#days tbody tr[data-day='{DAY.isoformat()}'] td")
            expect(row.nth(3)).to_have_text("3")
            expect(row.nth(3)).to_have_attribute("data-label", tills)


def _cents(text: str) -> int:
    """An amount as the page or a French CSV writes it, in centimes."""
    return int(re.sub(r"\D", "", text))


def test_the_days_products_export_sits_by_its_panel(live_server: tuple[str, Database],
                                                    tmp_path: Path) -> None:
    """The day's top products panel offers the chosen day's products as CSV and Excel:
    the file is named after the day and its products' amounts are the panel's, and add up
    to the day's sales; choosing another day gives that day's file. The edition's file
    stays in the exports. On a 1280 px screen and a 390 px phone, in Arabic and French,
    the links stay inside their panel."""
    from playwright.sync_api import expect

    base, db = live_server
    market, _ = seed_busy(base, db)
    with db.write() as s:
        admin.edit_market(s, market, city_ar="فاس")
    with chromium() as browser:
        page = browser.new_page(accept_downloads=True,
                                viewport={"width": 1280, "height": 800})
        log_in(page, base, "fr")
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#day-title")).to_contain_text("mardi 12 mai 2026")
        section = page.locator("section", has=page.locator("#products"))
        link = section.locator("#export-day-products-csv")
        expect(link).to_have_text("Produits de ce jour (CSV)")
        expect(section.locator("#export-day-products-xlsx")).to_have_text(
            "Produits de ce jour (Excel)")
        expect(page.locator(".exports-panel #export-products-csv")).to_have_text(
            "Produits de l'édition (CSV)")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == (
            f"souk-market{market}-day-products-{DAY.isoformat()}.csv")
        saved = tmp_path / "day-products.csv"
        download.value.save_as(saved)
        rows = list(csv.reader(io.StringIO(saved.read_text("utf-8-sig")), delimiter=";"))
        amounts = {(r[2], r[5]): _cents(r[8]) for r in rows[1:]}
        assert len(amounts) == 15  # five cooperatives, three products each
        assert sum(amounts.values()) == _cents(page.locator("#kpi-day-net").inner_text())
        shown = page.locator("#products tbody tr")
        expect(shown).to_have_count(10)
        for i in range(10):
            cells = shown.nth(i).locator("td").all_text_contents()
            assert amounts[cells[1], cells[0]] == _cents(cells[3]), cells

        page.select_option("#day", (DAY + dt.timedelta(days=1)).isoformat())
        expect(page.locator("#day-title")).to_contain_text("mercredi 13 mai 2026")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith("-day-products-2026-05-13.csv")
        with page.expect_download() as download:
            page.click("#export-products-csv")
        assert "-day-" not in download.value.suggested_filename

        for lang in ("ar", "fr"):
            for width, height in ((1280, 800), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{base}/dashboard/?lang={lang}&day={DAY.isoformat()}")
                page.wait_for_selector("body[data-loaded]")
                expect(page.locator("#products tbody tr")).to_have_count(10)
                page.screenshot(path=str(tmp_path / f"day-products-{lang}-{width}.png"),
                                full_page=True)
                problems = page.evaluate(LAYOUT_PROBLEMS, width > 1000)
                assert problems == [], (lang, width, problems)
                panel = section.bounding_box()
                assert panel is not None
                for name in ("csv", "xlsx"):
                    box = section.locator(f"#export-day-products-{name}").bounding_box()
                    assert box is not None and box["x"] >= panel["x"], (lang, width, box)
                    assert box["x"] + box["width"] <= panel["x"] + panel["width"], (
                        lang, width, box)
    keep_screenshots(tmp_path)


#: the characters of an element's text in the order they are drawn, left to right (the
#: marks that only direct the text and the spaces left out)
DRAWN_ORDER = """(selector) => {
  const node = document.querySelector(selector).firstChild;
  const drawn = [];
  for (let i = 0; i < node.textContent.length; i++) {
    const ch = node.textContent[i];
    if (/[\\s\\u200e\\u200f\\u2066-\\u2069]/.test(ch)) continue;
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    drawn.push([range.getBoundingClientRect().left, ch]);
  }
  return drawn.sort((a, b) => a[0] - b[0]).map((d) => d[1]).join("");
}"""


def test_a_negative_net_keeps_its_minus_before_the_digits(live_server: tuple[str, Database],
                                                          tmp_path: Path) -> None:
    """A cooperative whose day holds only a refund (of an earlier day's sale) has a net
    below zero: the page writes it as the server's pages do, and in Arabic, as in French,
    its minus is drawn at the left of the digits (a right-to-left line would put a bare
    one at their right: "521,00- د.م.")."""
    from playwright.sync_api import expect

    base, db = live_server
    device = stall_enrolled(base, db)
    day = summary(device["device_id"], DAY, 9, net=-52_100, tickets=0, refunds=52_100,
                  products=1)
    reply = httpx.post(f"{base}/api/v1/push", json=push_body(day),
                       headers={"Authorization": f"Bearer {device['token']}"})
    assert reply.status_code == 200, reply.text
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        for lang, currency in (("ar", ".م.د"), ("fr", "DH")):
            log_in(page, base, lang)
            page.select_option("#day", DAY.isoformat())
            expect(page.locator("#kpi-day-net")).to_have_text(format_money(-52_100, lang))
            drawn = page.evaluate(DRAWN_ORDER, "#kpi-day-net")
            assert drawn == (f"{currency}-521,00" if lang == "ar" else f"-521,00{currency}")
            page.screenshot(path=str(tmp_path / f"negative-{lang}.png"), full_page=True)
    keep_screenshots(tmp_path)


def test_a_day_without_sales_has_its_row_and_says_so(live_server: tuple[str, Database],
                                                     tmp_path: Path) -> None:
    """A market day between two days of sales on which no till sent figures (rain) is a
    row of zeros in the days' table and a slot of its own on their chart, in its order,
    not a gap that joins the days around it; the days' sums still add up to the
    edition's. Shown, that day's hours and products say that no sales came for it (not
    "yet": it is over), in each language."""
    from playwright.sync_api import expect

    base, db = live_server
    _, argan, pottery = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        codes = [admin.issue_enrol_code(s, c)[0] for c in (argan, pottery)]
    sold = {DAY: (125_050, 240_000), DAY + dt.timedelta(days=2): (98_000, -12_000)}
    for n, code in enumerate(codes):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        reply = httpx.post(f"{base}/api/v1/push", json=push_body(*(
            summary(device["device_id"], day, 5, net=nets[n], tickets=max(0, nets[n] // 10_000),
                    refunds=12_000 if nets[n] < 0 else 0, status="closed")
            for day, nets in sold.items())),
            headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200, reply.text
    rain = DAY + dt.timedelta(days=1)
    every = [DAY + dt.timedelta(days=i) for i in range(5)]  # the market is over: all its days
    said = {"fr": "Aucune vente reçue pour ce jour.", "ar": "لم تصل أي مبيعات عن هذا اليوم.",
            "en": "No sales received for this day."}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        log_in(page, base, "fr")
        for lang, text in said.items():
            page.goto(f"{base}/dashboard/?lang={lang}&day={rain.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            rows = page.locator("#days tbody tr")
            expect(rows).to_have_count(5)
            assert [rows.nth(i).get_attribute("data-day") for i in range(5)] == [
                d.isoformat() for d in every]
            quiet = page.locator(f"#days tbody tr[data-day='{rain.isoformat()}'] td")
            expect(quiet.nth(1)).to_have_text(format_money(0, lang))
            expect(quiet.nth(2)).to_have_text("0")
            nets = [_cents(c) * (-1 if "-" in c else 1) for c in page.locator(
                "#days tbody tr td:nth-child(2)").all_text_contents()]
            assert sum(nets) == _cents(page.locator("#kpi-edition-net").inner_text())
            assert page.locator("#days-chart rect.bar").count() == 5
            labels = page.locator("#days-chart text.tick-x").all_text_contents()
            assert len(labels) == 5, labels
            assert labels[1] == ("05-13" if lang == "en" else "13/05"), labels
            # each bar says its day and amount when pointed at, as the language writes it
            title = page.locator("#days-chart rect.bar title").nth(1).text_content()
            assert title == {"fr": f"13/05\u00a0: {format_money(0, 'fr')}",
                             "en": f"05-13: {format_money(0, 'en')}",
                             "ar": f"13/05: {format_money(0, 'ar')}"}[lang], title
            expect(page.locator("#hours-chart")).to_have_text(text)
            expect(page.locator("#products tbody td.empty")).to_have_text(text)
            page.screenshot(path=str(tmp_path / f"rain-{lang}.png"), full_page=True)
    keep_screenshots(tmp_path)


def test_a_refresh_leaves_the_pickers_as_they_are(live_server: tuple[str, Database]) -> None:
    """A refresh that brings the same markets and days leaves the pickers' options as they
    were (an organiser may have one open, or be moving through it with the keyboard): the
    picker keeps the focus and the day chosen."""
    from playwright.sync_api import expect

    base, db = live_server
    seed(base, db)
    with chromium() as browser:
        page = browser.new_page()
        page.clock.install()  # the refreshes come when the test moves the page's clock
        log_in(page, base, "fr")
        page.select_option("#day", DAY.isoformat())
        expect(page.locator("#day-title")).to_contain_text("mardi 12 mai 2026")
        page.focus("#day")
        page.evaluate("""() => { window.kept = [...document.querySelectorAll(
            "#market option, #day option")]; }""")
        loaded = page.locator("body").get_attribute("data-loaded")
        page.clock.fast_forward(REFRESH_SECONDS * 1000)
        expect(page.locator("body")).not_to_have_attribute("data-loaded", loaded or "")
        assert page.evaluate("""() => { const now = [...document.querySelectorAll(
            "#market option, #day option")];
            return now.length === window.kept.length
                   && now.every((option, i) => option === window.kept[i]); }""")
        expect(page.locator("#day")).to_be_focused()
        expect(page.locator("#day")).to_have_value(DAY.isoformat())


def test_a_phone_sorts_the_cooperatives_too(live_server: tuple[str, Database],
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """On a phone, where the cooperatives are cards without the table's header row, their
    columns stay as buttons above the cards, after "Sort by", inside the screen: a press
    on the last sync puts the late stands first, from a finger or the keyboard, in French
    and in Arabic."""
    from playwright.sync_api import expect

    base, db = live_server
    serve_at(monkeypatch, SECOND_EVENING)  # the day shown is today
    seed_busy(base, db)
    day = DAY + dt.timedelta(days=1)  # open on every till: stands 12 and 3 are late
    said = {"fr": ("Trier par\u00a0:", "Chiffres du jour reçus"),
            "ar": ("الترتيب حسب:", "وصول أرقام اليوم")}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
        log_in(page, base, "fr")
        for lang, (caption, column) in said.items():
            page.goto(f"{base}/dashboard/?lang={lang}&day={day.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(2)
            head = page.locator("#cooperatives thead tr")
            expect(head).to_be_visible()
            assert page.evaluate("""() => getComputedStyle(document.querySelector(
                "#cooperatives thead tr"), "::before").content""") == f'"{caption}"'
            buttons = page.locator("#cooperatives thead button.sort")
            expect(buttons).to_have_count(10)
            for i in range(10):
                box = buttons.nth(i).bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
            press = page.locator("#cooperatives thead th").nth(8).get_by_role("button")
            expect(press).to_have_text(column)
            press.tap()
            stands = page.locator("#cooperatives tbody td.stand")
            expect(stands.nth(0)).to_have_text("3")  # late, silent for 11 days
            expect(stands.nth(1)).to_have_text("12")  # late, silent for 2 days
            press.press("Enter")  # again, the other way
            expect(stands.last).to_have_text("3")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(tmp_path / f"phone-sort-{lang}.png"))
    keep_screenshots(tmp_path)


def test_a_session_ended_elsewhere_says_so_and_comes_back(
        live_server: tuple[str, Database]) -> None:
    """The organiser logged out in another browser while the dashboard stayed open on a
    market and day: at its next refresh the page goes to the login page, in its language,
    which says that the session ended; logging in again shows that market and day."""
    from playwright.sync_api import expect

    base, db = live_server
    _, other = seed_busy(base, db)
    day = (DAY + dt.timedelta(days=1)).isoformat()
    said = {"fr": "Session expirée\u00a0: reconnectez-vous.",
            "ar": "انتهت الجلسة: المرجو تسجيل الدخول من جديد."}
    with chromium() as browser:
        page = browser.new_page()
        page.clock.install()  # the refreshes come when the test moves the page's clock
        for lang in ("fr", "ar"):
            log_in(page, base, lang)
            page.goto(f"{base}/dashboard/?lang={lang}&market={other}&day={day}")
            page.wait_for_selector("body[data-loaded]")
            with httpx.Client(base_url=base) as elsewhere:  # the same organiser, elsewhere
                elsewhere.post("/dashboard/login", data={"username": "nadia",
                                                         "password": PASSWORD})
                elsewhere.post("/dashboard/logout")
            page.clock.fast_forward(REFRESH_SECONDS * 1000)
            page.wait_for_url(re.compile(r"/dashboard/login\?"))
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.get_by_role("alert")).to_have_text(said[lang])
            page.fill("input[name=username]", "nadia")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#market")).to_have_value(str(other))
            expect(page.locator("#day")).to_have_value(day)
            page.goto(f"{base}/dashboard/login?lang={lang}")  # asked for: nothing to say
            expect(page.locator("p[role=alert]")).to_have_text("")


def test_a_cooperative_is_one_line_where_its_name_fits(
        live_server: tuple[str, Database]) -> None:
    """On a 1366 px laptop, in each language, a cooperative whose name fits on a line is a
    row one line high: its origin ("Hors région", "From outside the region") does not
    wrap onto a second line while the name's column has room. On a 1024 px one every
    column is still read whole."""
    from playwright.sync_api import expect

    base, db = live_server
    seed_busy(base, db)
    with chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "fr")
        for lang in ("fr", "en", "ar"):
            for width in (1366, 1024):
                page.set_viewport_size({"width": width, "height": 768})
                page.goto(f"{base}/dashboard/?lang={lang}&day={DAY.isoformat()}")
                page.wait_for_selector("body[data-loaded]")
                expect(page.locator("#cooperatives tbody tr")).to_have_count(5)
                lines = page.evaluate("""() => Array.from(document.querySelectorAll(
                  "#cooperatives tbody tr"), (tr) => [tr.cells[0].textContent,
                  ...Array.from(tr.cells, (td) => {
                    const range = document.createRange();
                    range.selectNodeContents(td);
                    return new Set(Array.from(range.getClientRects(),
                                              (r) => Math.round(r.top))).size;
                  })])""")
                for stand, *cells in lines:
                    if width == 1024:
                        continue
                    assert cells[3] == 1, (lang, width, stand, cells)  # its origin
                    if stand in ("12", "3"):  # a short name: the row on one line
                        assert cells == [1] * len(cells), (lang, width, stand, cells)
                assert page.evaluate(LAYOUT_PROBLEMS, True) == [], (lang, width)


def test_a_stand_late_with_nothing_of_today_says_so(live_server: tuple[str, Database],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand is late either with its day open and silent, or with nothing of today sent
    (its till may have sent yesterday's figures a minute ago): the second says that
    nothing came, and when the till was last in contact, in each language, rather than
    "just now · late"; a 1024 px laptop still reads every column whole. (The server's
    answer is the one it gives, on the day shown as today, past the market's opening
    hour for a stand that sent nothing of the day, whatever the hour of the test.)"""
    from playwright.sync_api import expect

    base, db = live_server
    serve_at(monkeypatch, SECOND_EVENING)  # the day shown is today
    market, _ = seed_busy(base, db)
    day = (DAY + dt.timedelta(days=1)).isoformat()  # open on every till: 12 and 3 late

    def nothing_of_today(route: Any) -> None:
        reply = route.fetch()
        data = reply.json()
        fields = data["cooperative_fields"]
        data["today"] = day
        for row in data["cooperatives"]:
            if row[fields.index("stand")] == "A-104":
                for field, value in (("reported", 0), ("stale", True), ("day_net", 0),
                                     ("day_tickets", 0), ("stale_seconds", 20),
                                     ("received", None), ("received_seconds", None)):
                    row[fields.index(field)] = value
        route.fulfill(response=reply, json=data)

    # (argan's day open since its figures came at 19:30, its till silent since)
    said = {"fr": ("rien reçu · dernier contact à l'instant · en retard", "19:30 · en retard"),
            "en": ("nothing received · last contact just now · late", None),
            "ar": ("لم يصل شيء · آخر اتصال الآن · متأخر", "19:30 · متأخر")}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 700})
        page.route("**/dashboard/data.json*", nothing_of_today)
        log_in(page, base, "fr")
        for lang, (nothing, silent) in said.items():
            page.goto(f"{base}/dashboard/?lang={lang}&market={market}&day={day}")
            page.wait_for_selector("body[data-loaded]")
            expect(page.locator("#cooperatives tbody tr.stale")).to_have_count(3)
            herbs = page.locator("#cooperatives tbody tr", has_text="A-104")
            expect(herbs.locator("td.sync")).to_have_text(nothing)
            if silent:
                argan = page.locator("#cooperatives tbody tr", has=page.locator(
                    "td.stand", has_text=re.compile("^12$")))
                expect(argan.locator("td.sync")).to_have_text(silent)
            assert page.evaluate(LAYOUT_PROBLEMS, True) == [], lang


# Where the first character of ``text`` is painted in each element of ``selector`` that
# holds it, and where its last one is: left to right, the first is at the left.
PAINTED_ENDS = """([selector, text]) => Array.from(document.querySelectorAll(selector))
  .filter((cell) => cell.textContent.includes(text)).map((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && !node.data.includes(text)) node = walker.nextNode();
    const at = (i) => {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      return range.getBoundingClientRect().left;
    };
    const start = node.data.indexOf(text);
    return [at(start), at(start + text.length - 1)];
  })"""


def test_a_stand_reads_as_it_is_painted_on_an_arabic_page(
        live_server: tuple[str, Database]) -> None:
    """On an Arabic page, stand "7 bis" reads "7 bis" as on its sign at the market, not
    "bis 7": in the cooperatives' table on a laptop and on a phone's cards, in the
    edition report's table of the best cooperatives, and in the line that says its till
    was restored from a backup."""
    base, db = live_server
    seed(base, db)
    with db.write() as s:
        market = s.scalars(select(Cooperative.market_id)).first()
        assert market is not None
        admin.add_cooperative(s, admin.CooperativeInput(
            market_id=market, name_ar="تعاونية أملو تافراوت", name_fr="Coopérative Amlou",
            sector="food", province="Tiznit", stand="7 bis", members=8))
    set_up_before(db, market)  # (in the market on the days the page and report show)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        log_in(page, base, "ar")
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}/dashboard/?lang=ar&day={DAY.isoformat()}")
            page.wait_for_selector("body[data-loaded]")
            ends = page.evaluate(PAINTED_ENDS, ["#cooperatives td.stand", "7 bis"])
            assert len(ends) == 1 and ends[0][0] < ends[0][1], (width, ends)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{base}/dashboard/report?lang=ar")
        ends = page.evaluate(PAINTED_ENDS, ["table td", "7 bis"])
        assert len(ends) == 1 and ends[0][0] < ends[0][1], ends

        def restored_at_7_bis(route: Any) -> None:  # its till restored from a backup
            reply = route.fetch()
            data = reply.json()
            data["restored"] = [{"stand": "7 bis", "name_ar": "تعاونية أملو تافراوت",
                                 "name_fr": "Coopérative Amlou", "held_net": 305_600,
                                 "held_tickets": 5, "net": 125_800, "tickets": 3}]
            route.fulfill(response=reply, json=data)

        page.route("**/dashboard/data.json*", restored_at_7_bis)
        page.goto(f"{base}/dashboard/?lang=ar&day={DAY.isoformat()}")
        page.wait_for_selector("body[data-loaded]")
        ends = page.evaluate(PAINTED_ENDS, ["#restored li", "7 bis"])
        assert len(ends) == 1 and ends[0][0] < ends[0][1], ends
