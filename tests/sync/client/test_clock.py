"""The server's replies carry its time (HTTP ``Date``): the stall compares it with its own
clock at each reply and says, past five minutes, by how much and which way its clock is
off, in the sync panel and ``souk-pos sync status``. The laptop's clock is given to the
sync client (the system clock is never changed)."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable

import pytest
import requests
from pytestqt.qtbot import QtBot

from pos.db import Store
from sync.client.engine import sync_store
from sync.client.service import SyncService
from sync.client.status import clock_text, snapshot
from sync.client.transport import utc_now
from sync.protocol import API_PREFIX
from tests.sync.client.conftest import FAST, options
from tests.sync.client.support import LiveServer, Till
from tests.sync.client.test_cli import run
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel

BEHIND = dt.timedelta(hours=2, minutes=10)
#: how far behind the real time a reply's ``Date`` can be: it counts whole seconds, and
#: uvicorn writes it anew once a second
DATE_LAG = dt.timedelta(seconds=2)
AHEAD = dt.timedelta(days=1, hours=3)


def off_by(delta: dt.timedelta) -> Callable[[], dt.datetime]:
    """This laptop's clock, ``delta`` ahead of the real time (behind when negative)."""
    return lambda: utc_now() + delta


def test_the_server_s_replies_carry_its_time(server: LiveServer) -> None:
    before = utc_now() - DATE_LAG
    reply = requests.get(server.url + API_PREFIX + "/health", timeout=5)
    after = utc_now()
    told = email.utils.parsedate_to_datetime(reply.headers["Date"])
    assert before <= told <= after


def test_a_laptop_behind_the_server_is_told_by_how_much_and_a_right_one_is_not(
    enrolled: Store, server: LiveServer
) -> None:
    assert clock_text("en", snapshot(enrolled).clock_offset) == ""  # enrolled with a right clock
    Till(enrolled).sell(random.Random(41))
    outcome = sync_store(enrolled, now=off_by(-BEHIND), **FAST)
    assert outcome.ok  # a wrong clock never stops the figures
    snap = snapshot(enrolled)
    assert snap.clock_offset is not None
    assert (-BEHIND.total_seconds() - 5 < snap.clock_offset
            <= (-BEHIND + DATE_LAG).total_seconds())
    assert clock_text("en", snap.clock_offset) == (
        "This laptop's clock is 2 h 10 min behind the organisers' server: set its date and "
        "time (and its time zone), or sales will carry a wrong time.")
    assert clock_text("fr", snap.clock_offset).startswith(
        "L'horloge de cet ordinateur retarde de 2 h 10 min sur le serveur des organisateurs")
    assert clock_text("ar", snap.clock_offset).startswith(
        "توقيت هذا الحاسوب متأخر عن خادم المنظمين، والفرق ساعتان و10 دقائق")
    sync_store(enrolled, now=off_by(dt.timedelta(minutes=4)), **FAST)  # within five minutes
    assert clock_text("en", snapshot(enrolled).clock_offset) == ""


def test_sync_status_says_how_far_the_clock_was_at_the_last_reply(
    enrolled: Store, server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sync_store(enrolled, now=off_by(AHEAD), **FAST)
    server.stop()  # offline: "sync status" says what the last reply found
    assert run(enrolled, "status", lang="fr") == 0
    out = capsys.readouterr().out
    assert ("L'horloge de cet ordinateur avance de 1 jour 3 h sur le serveur des "
            "organisateurs") in out
    assert run(enrolled, "status", lang="ar") == 0
    assert "توقيت هذا الحاسوب متقدم على خادم المنظمين، والفرق يوم واحد و3 ساعات" in (
        capsys.readouterr().out)
    server.start()  # asked again with the right clock: nothing to say
    assert run(enrolled, "status") == 0
    assert "This laptop's clock" not in capsys.readouterr().out


def test_the_sync_panel_says_it_from_the_worker_s_reply(
    qtbot: QtBot, enrolled: Store, server: LiveServer
) -> None:
    service = SyncService(enrolled, options(), now=off_by(-BEHIND))
    bridge = SyncBridge(enrolled, "en", service=service)
    panel = SyncPanel(bridge, "en")
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()
        qtbot.waitUntil(lambda: "2 h 10 min behind" in panel.warning.text(), timeout=5000)
        assert not panel.warning.isHidden()
        assert panel.warning.text().startswith("This laptop's clock is 2 h 10 min behind the "
                                               "organisers' server")
        panel.retranslate("ar")
        assert panel.warning.text().startswith(
            "توقيت هذا الحاسوب متأخر عن خادم المنظمين، والفرق ساعتان و10 دقائق")
    finally:
        bridge.stop()
