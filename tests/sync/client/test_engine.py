"""One sync run against the real server: acknowledgements, set-aside days, revocation,
a server restored from an old backup, enrolment and the day-close bundle."""

from __future__ import annotations

import datetime as dt
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pos import day, receipts, settings
from pos.db import DB_FILENAME, Store
from pos.errors import InputError
from sync.client import config, outbox
from sync.client.bundle import export_bundle
from sync.client.engine import enrol_store, sync_once, sync_store
from sync.client.errors import EnrolFailed, NotTheServer, Offline, Revoked, describe
from sync.client.status import snapshot, status_text
from sync.client.transport import Transport
from sync.protocol import Bundle
from sync.server import admin, ingest
from tests.sync.client.conftest import FAST
from tests.sync.client.support import (
    MARKET_DAY,
    LiveServer,
    Till,
    device_of,
    free_port,
    local_figures,
)


def test_days_reach_the_server_and_equal_the_stall(till: Till, server: LiveServer) -> None:
    rng = random.Random(1)
    for _ in range(5):
        till.sell(rng)
    till.close_day()
    for _ in range(3):
        till.sell(rng)
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok, outcome
    assert len(outcome.acked) == 2
    assert server.held(device_of(till.store)) == local_figures(till.store)
    again = sync_store(till.store, **FAST)
    assert again.ok and again.acked == []


def test_a_day_reopened_on_the_same_date_reaches_the_server_whole(
    till: Till, server: LiveServer
) -> None:
    rng = random.Random(5)
    first = sum(till.sell(rng) for _ in range(4))
    till.close_day()
    with till.store.write() as s:  # the manager closed too early and opens again
        reopened = dt.datetime.combine(MARKET_DAY, dt.time(19, 0))
        day.open_day(s, 10_000, user=s.merge(till.manager), at=reopened)
    second = sum(till.sell(rng) for _ in range(3))
    till.close_day()
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.set_aside == []
    held = server.held(device_of(till.store))
    assert list(held) == [MARKET_DAY]
    assert held[MARKET_DAY]["net"] == first + second
    assert held == local_figures(till.store)
    with till.store.read() as s:
        todo, _ = outbox.plan(s)
    assert todo == []  # both business days of the date are acknowledged


def test_a_refused_day_is_set_aside_and_never_blocks_the_others(
    till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(2)
    for _ in range(3):
        till.sell(rng)
        till.close_day()
    bad_date = MARKET_DAY + dt.timedelta(days=1)
    real = outbox.summary

    def corrupt(session, report):  # the server checks net = gross - refunds - voids
        data = real(session, report)
        if report.date == bad_date:
            data["net"] += 1
        return data

    monkeypatch.setattr(outbox, "summary", corrupt)
    outcome = sync_store(till.store, **FAST)
    assert [d for d, _ in outcome.set_aside] == [bad_date]
    assert "422" in outcome.set_aside[0][1]
    assert sorted(outcome.acked) == [MARKET_DAY, MARKET_DAY + dt.timedelta(days=2)]
    assert not outcome.ok
    snap = snapshot(till.store)
    assert snap.set_aside == 1 and snap.waiting == 0
    assert "1 day set aside" in status_text(snap, "en")
    # the set-aside version is not pushed again, and blocks nothing
    again = sync_store(till.store, **FAST)
    assert again.acked == [] and again.set_aside == [] and again.error is None
    held = server.held(device_of(till.store))
    assert bad_date not in held and len(held) == 2


def test_a_revoked_device_stops_and_says_so(till: Till, server: LiveServer) -> None:
    till.sell(random.Random(3))
    server.revoke(device_of(till.store))
    outcome = sync_store(till.store, **FAST)
    assert isinstance(outcome.error, Revoked)
    snap = snapshot(till.store)
    assert snap.revoked and status_text(snap, "en") == "device revoked"
    assert "revoked" in outcome.error.message("en")


def test_a_server_restored_from_an_old_backup_gets_the_lost_days_again(
    till: Till, server: LiveServer, tmp_path: Path
) -> None:
    rng = random.Random(4)
    till.sell(rng)
    till.close_day()
    assert sync_store(till.store, **FAST).ok
    server.backup(tmp_path / "old.sqlite3")
    till.sell(rng)
    till.close_day()
    till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    server.stop()
    server.restore(tmp_path / "old.sqlite3")
    server.start()
    device = device_of(till.store)
    assert len(server.held(device)) == 1
    outcome = sync_store(till.store, **FAST)  # no new sale: the stall notices by itself
    assert outcome.ok, outcome
    assert sorted(outcome.lost) == [MARKET_DAY + dt.timedelta(days=n) for n in (1, 2)]
    assert server.held(device) == local_figures(till.store)


def test_a_captive_portal_is_not_taken_for_the_server(till: Till) -> None:
    till.sell(random.Random(5))

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>Welcome to the market Wi-Fi</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    portal = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=portal.serve_forever, daemon=True)
    thread.start()
    try:
        with till.store.read() as s:
            token = config.load(s).token
        transport = Transport(f"http://127.0.0.1:{portal.server_port}", token=token, **FAST)
        outcome = sync_once(till.store, transport)
    finally:
        portal.shutdown()
        portal.server_close()
    assert isinstance(outcome.error, NotTheServer)
    assert outcome.acked == [] and outcome.waiting == 1
    snap = snapshot(till.store)
    assert status_text(snap, "en") == "offline - 1 day waiting"
    assert "Wi-Fi" in describe(snap.days[0].last_error, "en")


def test_offline_days_wait_without_limit(till: Till) -> None:
    with till.store.write() as s:
        config.update(s, url=f"http://127.0.0.1:{free_port()}")
    rng = random.Random(6)
    for _ in range(4):
        till.sell(rng)
        till.close_day()
    outcome = sync_store(till.store, **FAST)
    assert isinstance(outcome.error, Offline)
    assert outcome.waiting == 4
    assert status_text(snapshot(till.store), "fr") == "hors ligne - 4 journées en attente"


def test_enrolment_keeps_the_market_for_receipts_and_hides_the_token(
    enrolled: Store, server: LiveServer
) -> None:
    with enrolled.read() as s:
        cfg = config.load(s)
        market = settings.get(s, settings.MARKET)
        coop = settings.get(s, settings.COOPERATIVE)
    assert market["stand"] == "12" and market["city"] == "Fès"
    assert market["starts_on"] == MARKET_DAY.isoformat()
    assert coop["name_fr"] == "Coopérative Argan Nissae"
    assert cfg.token and cfg.token not in repr(cfg)


def stand_line(store: Store, lang: str) -> str:
    """The line of a receipt's letterhead that names the stand and the market's city."""
    with store.read() as s:
        shop = receipts.Shop.from_settings(s)
    texts = [b.text for b in receipts.test_page(shop, lang).blocks
             if isinstance(b, receipts.Text)]
    return next(text for text in texts if "12" in text and " · " in text)


def test_the_market_city_reaches_the_stall_in_arabic(
    store: Store, staff: object, server: LiveServer
) -> None:
    """A stall enrolled before the organisers wrote the city in Arabic writes it in Latin
    letters; its next sync brings the Arabic name (kept with the market, and in the sync
    settings the panel shows), which its Arabic receipts print, its receipts in two
    languages beside the Latin one."""
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    with store.read() as s:
        assert settings.get(s, settings.MARKET)["city_ar"] == ""
    assert stand_line(store, "ar") == "الرواق 12 · Fès"
    with server.database.write() as s:
        admin.edit_market(s, server.market_id, city_ar="فاس")
    assert sync_store(store, **FAST).error is None
    with store.read() as s:
        market = settings.get(s, settings.MARKET)
        shown = config.load(s).cooperative["market"]
    assert (market["city"], market["city_ar"], market["stand"]) == ("Fès", "فاس", "12")
    assert (shown["city"], shown["city_ar"]) == ("Fès", "فاس")
    assert settings.market_city(market, "ar") == "فاس"
    assert settings.market_city(market, "fr") == "Fès"
    assert stand_line(store, "ar") == "الرواق 12 · فاس"
    assert stand_line(store, "fr") == "Stand 12 · Fès"
    assert stand_line(store, "both").endswith(" · Fès / \u2067فاس\u2069")


def test_a_used_code_is_refused_in_words(store: Store, staff: object, server: LiveServer) -> None:
    code = server.code()
    enrol_store(store, server.url, code, **FAST)
    with pytest.raises(EnrolFailed) as caught:
        enrol_store(store, server.url, code, **FAST)
    assert "used already" in caught.value.message("en")
    with pytest.raises(InputError):
        enrol_store(store, "http://souk.example.ma", code, **FAST)  # no https, not local


def test_the_bundle_imports_on_the_server_like_a_push(
    till: Till, server: LiveServer, tmp_path: Path
) -> None:
    rng = random.Random(7)
    for _ in range(2):
        till.sell(rng)
        till.close_day()
    path = tmp_path / "usb" / "bundle.json"
    path.parent.mkdir()
    export_bundle(till.store, path)
    bundle = Bundle.model_validate_json(path.read_text(encoding="utf-8"))
    db = server.database
    for _ in range(2):  # importing twice changes nothing
        with db.write() as s:
            results = ingest.import_bundle(db, s, bundle)
    assert {r.status for r in results} == {"unchanged"}
    assert server.held(device_of(till.store)) == local_figures(till.store)
    # online again: the server already holds every day
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and len(outcome.acked) == 2


def test_a_stall_holding_demo_sales_is_not_enrolled_and_its_code_stays_good(
        store: Store, server: LiveServer, tmp_path: Path) -> None:
    from pos import demo

    demo.demo_sales(store, days=1, per_day=5)
    code = server.code()
    with pytest.raises(EnrolFailed) as caught:
        enrol_store(store, server.url, code, **FAST)
    assert "demo sales" in caught.value.message("en")
    assert "ventes de démonstration" in caught.value.message("fr")
    with store.read() as s:
        assert not config.load(s).enrolled
    # the code was not spent: a till without demo sales enrols with it
    clean = Store.open(tmp_path / "clean" / DB_FILENAME)
    try:
        assert enrol_store(clean, server.url, code, **FAST).enrolled
    finally:
        clean.close()
