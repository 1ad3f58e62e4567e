"""The dashboard in a real headless Chromium: log in, read the figures, download a CSV."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from sync.server import admin
from sync.server.app import create_app
from sync.server.db import Database

from .server_support import DAY, seed_market, summary

CHROMIUM = os.environ.get("SOUK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "souk-organiser-2026"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                       "(apt-get install chromium, or set SOUK_CHROMIUM)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    db = Database.connect(f"sqlite:///{tmp_path / 'souk.sqlite3'}")
    app = create_app(db)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def seed(base: str, db: Database) -> None:
    _, argan, pottery = seed_market(db)
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
        codes = [admin.issue_enrol_code(s, c)[0] for c in (argan, pottery)]
    for code, net, tickets in zip(codes, (125_050, 2_500_000), (7, 3), strict=True):
        device = httpx.post(f"{base}/api/v1/enrol",
                            json={"code": code, "device_name": "stall"}).json()
        body = {"summaries": [summary(device["device_id"], DAY, 9, net=net, tickets=tickets)
                              .model_dump(mode="json")]}
        reply = httpx.post(f"{base}/api/v1/push", json=body,
                           headers={"Authorization": f"Bearer {device['token']}"})
        assert reply.status_code == 200


def test_dashboard_in_chromium(live_server: tuple[str, Database], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, db = live_server
    seed(base, db)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
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
            text = saved.read_bytes()
            assert text.startswith(b"\xef\xbb\xbf")
            assert "Coopérative Argan Nissae" in text.decode("utf-8-sig")
            assert "1250,50" in text.decode("utf-8-sig")

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
            assert all(url.startswith(base) for url in requests), "a request left the server"
        finally:
            browser.close()
    if os.environ.get("SOUK_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(os.environ["SOUK_SCREENSHOTS"]) / png.name)


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


def test_a_login_form_on_another_site_is_refused(live_server: tuple[str, Database]) -> None:
    """A page elsewhere that posts a login to this server (to log the organiser in as
    someone else) gets a refusal, and the browser no session."""
    from playwright.sync_api import expect, sync_playwright

    base, db = live_server
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    forged = (f'<form method="post" action="{base}/dashboard/login">'
              f'<input name="username" value="nadia"><input name="password" value="{PASSWORD}">'
              '<input name="lang" value="fr"><button type="submit">go</button></form>')
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("http://elsewhere.example/", lambda route: route.fulfill(
                body=forged, content_type="text/html"))
            page.goto("http://elsewhere.example/")
            with page.expect_navigation():
                page.click("button[type=submit]")
            expect(page.locator("p.error")).to_have_text(
                "Ce formulaire de connexion ne vient pas de ce serveur : ouvrez la page de "
                "connexion du tableau de bord.")
            assert not [c for c in page.context.cookies() if c["name"] == "souk_session"]
        finally:
            browser.close()
