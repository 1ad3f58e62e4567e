"""On a 1024x600 screen, in Arabic and French: while the organisers' server is out of
reach with days waiting, the status bar's sync words are set apart in a calm amber (not
red: nothing is lost), and their tooltip says what the sync panel says, in the till's
language: the sales are kept on the till and will be sent by themselves once the
connection is back. Once the days are sent, the amber goes. A gateway's error is told
once in the sync panel."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from pos.i18n import tr
from sync.client import config
from sync.client.engine import enrol_store
from tests.sync.client.conftest import FAST, options
from tests.sync.client.conftest import server as server  # the organisers' live server
from tests.sync.client.faultproxy import FaultProxy
from tests.sync.client.support import LiveServer, Till
from tests.ui.test_sync_tab import manager_window, sync_tab
from ui.sync_bridge import SyncBridge
from ui.theme import DANGER, WARNING_LIGHT

SMALL = (1024, 600)


def settle() -> None:
    for _ in range(12):
        QApplication.processEvents()


def share_of(label: Any, colour: str) -> float:
    """How much of the label, as drawn, is ``colour``."""
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    wanted = QColor(colour).rgb()
    pixels = [image.pixel(x, y) for x in range(image.width()) for y in range(image.height())]
    return sum(1 for p in pixels if p == wanted) / max(len(pixels), 1)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_offline_with_days_waiting_is_set_apart_calmly_and_says_the_sales_are_safe(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Path, lang: str) -> None:
    window = make_window(lang=lang, size=SMALL, day_open=False)  # the till opens one in
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    patient = dataclasses.replace(options(), retry_min=60, retry_max=60)  # offline a while
    bridge = SyncBridge(store, lang, parent=window, options=patient)
    window.attach_sync(bridge)
    sync = window.sync_status
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()
        server.stop()
        Till(store).sell(random.Random(61))  # a day of the market's
        window.update_status()
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.request_sync("manual")
        qtbot.waitUntil(lambda: bridge.snapshot.failing and bridge.snapshot.waiting == 1
                        and not bridge.snapshot.syncing, timeout=5000)
        settle()
        safe = f"{tr(lang, 'sync.safe.kept')} {tr(lang, 'sync.safe.later')}"
        tip = sync.toolTip().splitlines()
        assert tip[0].startswith(tr(lang, "ui.status.sync", state=""))  # the state first
        assert tip[-1] == safe  # then what the sync panel says, in the till's language
        assert sync.accessibleDescription() == safe
        # set apart: a soft amber behind the words, their ink dark amber, never red
        assert share_of(sync, WARNING_LIGHT) > 0.5
        ink = sync.palette().color(sync.foregroundRole())
        assert ink != QColor(DANGER) and ink.red() > ink.blue()
        assert sync.isVisible() and (window.width(), window.height()) == SMALL
        window.grab().save(str(tmp_path / f"offline-{lang}.png"))

        server.start()  # back: the days go, and the amber with them
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000,
                              check_params_cb=lambda ok, _text: ok):
            bridge.request_sync("manual")
        qtbot.waitUntil(lambda: not bridge.snapshot.failing
                        and not bridge.snapshot.syncing, timeout=5000)
        settle()
        assert share_of(sync, WARNING_LIGHT) == 0
        assert safe not in sync.toolTip() and sync.accessibleDescription() == ""
    finally:
        bridge.stop()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_gateway_error_is_told_once_in_the_sync_panel(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Path, lang: str) -> None:
    """A café's proxy answering 502: the panel says the server, or the link to it, is out
    of reach for now, then once that the sales are safe and will be sent by themselves."""
    window = manager_window(make_window, lang)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    Till(store).sell(random.Random(62))
    proxy = FaultProxy(server.port, seed=4, hold=0.1, weights={"502": 1.0})
    with store.write() as s:
        config.update(s, url=proxy.url)
    patient = dataclasses.replace(options(), retry_min=60, retry_max=60)
    bridge = SyncBridge(store, lang, parent=window, options=patient)
    window.attach_sync(bridge)
    try:
        panel = sync_tab(window)
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.failing and not bridge.snapshot.syncing,
                        timeout=5000)
        settle()
        safe = f"{tr(lang, 'sync.safe.kept')} {tr(lang, 'sync.safe.later')}"
        link = tr(lang, "sync.err.gateway_brief", status=502)
        assert panel.safe.isVisible() and panel.safe.text() == f"{link}\n{safe}"
        assert panel.table.item(0, 5).text() == tr(lang, "sync.err.gateway", status=502)
        assert share_of(window.sync_status, WARNING_LIGHT) > 0.5
        assert (window.width(), window.height()) == SMALL
        window.grab().save(str(tmp_path / f"gateway-{lang}.png"))
    finally:
        bridge.stop()
        proxy.close()
