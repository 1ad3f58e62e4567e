"""Days held back from sync, against the real server on loopback: what a proxy or a
captive portal answers never sets a day aside, the server's own refusal does and
``sync retry`` pushes it again; a stall whose database file was put back from a backup by
hand (no restore recorded: see ``test_restore`` for ``souk-pos restore``) is not shown as
synced; a clock put back does not make an offline stall look synced."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos import backup
from pos.db import Store
from sync.client import config, outbox
from sync.client.engine import sync_once, sync_store
from sync.client.errors import NotTheServer, Offline
from sync.client.status import sent_text, snapshot, status_text
from sync.client.transport import Transport
from tests.sync.client.conftest import FAST
from tests.sync.client.support import (
    MARKET_DAY,
    LiveServer,
    Till,
    device_of,
    free_port,
    local_figures,
)
from tests.sync.client.test_cli import FAST as CLI_FAST
from tests.sync.client.test_cli import run
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel


def token_of(store: Store) -> str:
    with store.read() as s:
        token = config.load(s).token
    assert token
    return token


class Between:
    """Something between the stall and the server on 127.0.0.1: the stall's GETs reach
    the server, its pushes get ``reply`` (status, content type, body), with ``headers``,
    instead."""

    def __init__(self, upstream: str, reply: tuple[int, str, bytes],
                 headers: dict[str, str] | None = None) -> None:
        self.pushes = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = urllib.request.Request(upstream + self.path, headers={
                    k: v for k, v in self.headers.items() if k.lower() == "authorization"})
                try:
                    with urllib.request.urlopen(request, timeout=5) as resp:
                        self._answer(resp.status, resp.headers["Content-Type"], resp.read())
                except urllib.error.HTTPError as exc:
                    self._answer(exc.code, exc.headers["Content-Type"], exc.read())

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.pushes += 1
                self._answer(*reply, headers=headers)

            def _answer(self, status: int, content_type: str, body: bytes,
                        headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


HTML = "text/html; charset=utf-8"
JSON = "application/json"


@pytest.mark.parametrize("reply", [
    (408, HTML, b"<html><body>Request Timeout</body></html>"),
    (429, JSON, b'{"detail": "too many requests, slow down"}'),
    (403, HTML, b"<html><body>Access denied: log in to the market Wi-Fi</body></html>"),
    (404, HTML, b"<html><body>Not Found</body></html>"),
    (403, JSON, b'{"error": "blocked by the operator", "code": 1234}'),
    (407, HTML, b"<html><body>Proxy Authentication Required</body></html>"),
    (413, HTML, b"<html><body>413 Request Entity Too Large (nginx)</body></html>"),
], ids=["html-408", "json-429", "html-403", "html-404", "foreign-json-403", "html-407",
        "html-413"])
def test_a_reply_from_something_between_keeps_the_day_waiting(
    till: Till, server: LiveServer, reply: tuple[int, str, bytes]
) -> None:
    till.sell(random.Random(40))
    till.close_day()
    between = Between(server.url, reply)
    try:
        transport = Transport(between.url, token=token_of(till.store), **FAST)
        outcome = sync_once(till.store, transport)
    finally:
        between.close()
    assert between.pushes >= 1  # the push did reach it
    assert isinstance(outcome.error, NotTheServer | Offline) and outcome.error.transient
    assert outcome.set_aside == [] and outcome.acked == [] and outcome.waiting == 1
    snap = snapshot(till.store)
    assert snap.set_aside == 0 and snap.waiting == 1
    assert status_text(snap, "en") == "offline - 1 day waiting"
    # the next run that reaches the server delivers the day
    again = sync_store(till.store, **FAST)
    assert again.ok and again.acked == [MARKET_DAY]
    assert server.held(device_of(till.store)) == local_figures(till.store)


def corrupt_day(monkeypatch: pytest.MonkeyPatch, bad_date: dt.date) -> None:
    """Make the stall send ``bad_date`` with a net the server refuses (422)."""
    real = outbox.summary

    def corrupt(session, report):  # type: ignore[no-untyped-def]
        data = real(session, report)
        if report.date == bad_date:
            data["net"] += 1
        return data

    monkeypatch.setattr(outbox, "summary", corrupt)


def test_the_servers_own_refusal_sets_the_day_aside_and_sync_retry_pushes_it(
    till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rng = random.Random(41)
    till.sell(rng)
    till.close_day()
    corrupt_day(monkeypatch, MARKET_DAY)
    assert run(till.store, *CLI_FAST) == 1
    out = capsys.readouterr().out
    assert (f"Set aside {MARKET_DAY.isoformat()}: The server refuses the figures of "
            "12/05/2026: they do not add up") in out
    assert snapshot(till.store).set_aside == 1
    monkeypatch.undo()  # whatever made the server refuse it is put right
    # a closed day's version never changes: a plain sync leaves it aside
    assert run(till.store, *CLI_FAST) == 1
    assert snapshot(till.store).set_aside == 1
    assert MARKET_DAY not in server.held(device_of(till.store))

    assert run(till.store, *CLI_FAST, "retry") == 0
    out = capsys.readouterr().out
    assert "1 day set aside, sent again now." in out
    assert "Everything is on the server." in out
    assert snapshot(till.store).set_aside == 0
    assert server.held(device_of(till.store)) == local_figures(till.store)


def test_the_version_set_aside_is_the_one_sent(
    till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(42)
    till.sell(rng)  # the day stays open
    with till.store.read() as s:
        (planned,), _ = outbox.plan(s)
    corrupt_day(monkeypatch, MARKET_DAY)
    real_build = outbox.build
    sent: list[int] = []

    def build_after_a_sale(session, state, **options):  # type: ignore[no-untyped-def]
        if not sent:
            till.sell(rng)  # a sale lands between the plan and the summary
        built = real_build(session, state, **options)
        sent.append(built.version)
        return built

    monkeypatch.setattr(outbox, "build", build_after_a_sale)
    outcome = sync_store(till.store, **FAST)
    assert [d for d, _ in outcome.set_aside] == [MARKET_DAY]
    assert sent[0] > planned.version  # the refused summary holds the later sale
    day = snapshot(till.store).days[0]
    assert day.set_aside and day.rejected_version == sent[0]
    # the refused summary is not pushed again on the next run
    again = sync_store(till.store, **FAST)
    assert again.set_aside == [] and again.error is None and len(sent) == 1


def _restore_an_older_backup(till: Till, server: LiveServer, rng: random.Random) -> int:
    """Two sales synced and backed up, three more synced, then the backup's file copied
    over the database by hand (the till closed), which records no restore: the version
    the server holds of the day, newer than the till's."""
    for _ in range(2):
        till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    saved = backup.make_backup(till.store.path)
    for _ in range(3):
        till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    held: int = server.held(device_of(till.store))[MARKET_DAY]["version"]
    till.store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{till.store.path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(saved, till.store.path)
    return held


def test_a_stall_restored_from_a_backup_is_not_shown_as_synced(
    till: Till, server: LiveServer, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(43)
    held = _restore_an_older_backup(till, server, rng)
    store = Store.open(till.store.path)
    try:
        restored = Till(store)
        restored.sell(rng)  # the seller goes on selling on the restored database
        outcome = sync_store(store, **FAST)
        assert outcome.server_newer == [MARKET_DAY] and outcome.acked == []
        assert not outcome.ok and outcome.error is None
        snap = snapshot(store)
        assert snap.server_newer == 1 and snap.waiting == 0
        text = status_text(snap, "en")
        assert "synced" not in text
        assert text == "the server has newer figures than this till for 1 day: tell the organisers"
        assert "serveur a des chiffres plus récents" in status_text(snap, "fr")

        # not pushed again while the stall's version stays the same, and still not synced
        again = sync_store(store, **FAST)
        assert again.server_newer == [MARKET_DAY] and not again.ok
        assert again.acked == [] and again.waiting == 0
        assert snapshot(store).server_newer == 1
        assert server.held(device_of(store))[MARKET_DAY]["version"] == held

        # the CLI says it, and exits 1
        assert run(store, *CLI_FAST) == 1
        assert "Everything is on the server." not in capsys.readouterr().out
        assert run(store, "status") == 0
        status = capsys.readouterr().out
        assert status.startswith("the server has newer figures")
        assert f"not synced: The server holds a newer version ({held})" in status

        # the panel shows the warning and the day's state
        bridge = SyncBridge(store, "en")
        panel = SyncPanel(bridge, "en")
        qtbot.addWidget(panel)
        assert not panel.warning.isHidden()
        assert "restored from a backup" in panel.warning.text()
        assert panel.table.item(0, 4).text().startswith("not synced:")
        assert panel.retry_button.isEnabled()
        assert bridge.status_text.startswith("the server has newer figures")

        # a new sale changes the stall's version: it is tried once more
        restored.sell(rng)
        later = sync_store(store, **FAST)
        assert later.server_newer == [MARKET_DAY]
    finally:
        store.close()


def test_a_restored_stall_that_sold_nothing_since_shows_the_server_newer(
    till: Till, server: LiveServer, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(46)
    held = _restore_an_older_backup(till, server, rng)
    store = Store.open(till.store.path)
    try:
        day = snapshot(store).days[0]
        local = day.local_version
        assert local == day.acked_version < held  # what the backup remembers: "synced"

        # "sync status" asks the server, and shows its version next to the stall's
        assert run(store, "status") == 0
        status = capsys.readouterr().out
        assert status.startswith("the server has newer figures than this till for 1 day")
        line = next(ln for ln in status.splitlines() if ln.startswith(MARKET_DAY.isoformat()))
        assert line.split()[2:4] == [str(local), str(held)]
        assert f"not synced: The server holds a newer version ({held})" in line

        # "sync" says it and what to do, and exits 1; the server keeps its figures
        assert run(store, *CLI_FAST) == 1
        out = capsys.readouterr().out
        assert (f"Not synced {MARKET_DAY}: the server holds version {held} of this day, "
                f"newer than this till's ({local}).") in out
        assert "souk-before-restore" in out and "Everything is on the server." not in out
        assert server.held(device_of(store))[MARKET_DAY]["version"] == held
        outcome = sync_store(store, **FAST)
        assert outcome.server_newer == [MARKET_DAY] and not outcome.ok

        # the app's status bar and sync panel say it too
        bridge = SyncBridge(store, "en")
        panel = SyncPanel(bridge, "en")
        qtbot.addWidget(panel)
        assert bridge.status_text.startswith("the server has newer figures")
        assert not panel.warning.isHidden()
        assert panel.table.item(0, 4).text().startswith("not synced:")
    finally:
        store.close()


def test_a_clock_put_back_does_not_make_an_offline_stall_look_synced(
    till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(44)
    till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    synced_at = snapshot(till.store).last_success_at
    assert synced_at is not None
    back = synced_at - dt.timedelta(hours=3)  # the clock is put back three hours
    monkeypatch.setattr(config, "now_text", lambda: back.isoformat(timespec="seconds"))
    # what the status says before the next attempt: the success is "in the future"
    text = status_text(snapshot(till.store), "en", now=back)
    assert "just now" not in text
    assert text.startswith("synced at ") and "is this till's clock right?" in text

    till.sell(rng)
    with till.store.write() as s:  # and the network is gone
        config.update(s, url=f"http://127.0.0.1:{free_port()}")
    outcome = sync_store(till.store, **FAST)
    assert isinstance(outcome.error, Offline)
    snap = snapshot(till.store)
    assert snap.last_attempt_at is not None and snap.last_attempt_at < synced_at
    assert snap.failing
    assert status_text(snap, "en", now=back) == (
        "offline - 1 day waiting · " + sent_text("en", synced_at, back))

    with till.store.write() as s:  # the network is back, the clock still behind
        config.update(s, url=server.url)
    assert sync_store(till.store, **FAST).ok
    assert status_text(snapshot(till.store), "en", now=back) == "synced just now"


def test_the_panels_retry_button_pushes_the_days_set_aside(
    qtbot: QtBot, till: Till, server: LiveServer, bridge: SyncBridge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = SyncPanel(bridge, "en")
    qtbot.addWidget(panel)
    till.sell(random.Random(45))
    till.close_day()
    assert not panel.retry_button.isEnabled()
    corrupt_day(monkeypatch, MARKET_DAY)
    bridge.start()
    qtbot.waitUntil(lambda: bridge.status_text == "synced just now · 1 day set aside",
                    timeout=5000)
    assert panel.table.item(0, 4).text().startswith(
        "set aside: The server refuses the figures of 12/05/2026")
    assert panel.retry_button.isEnabled()
    monkeypatch.undo()
    with qtbot.waitSignal(bridge.sync_finished, timeout=5000,
                          check_params_cb=lambda ok, _text: ok):
        panel.retry_button.click()
    qtbot.waitUntil(lambda: bridge.status_text == "synced just now", timeout=5000)
    assert panel.table.item(0, 4).text() == "on the server"
    assert not panel.retry_button.isEnabled()
    assert server.held(device_of(till.store)) == local_figures(till.store)
