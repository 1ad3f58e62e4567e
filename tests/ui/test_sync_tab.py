"""The Settings "Synchronisation" tab of an enrolled till on a 1024x600 screen, against
the real server on loopback: the window keeps its size, days and market dates are written
as elsewhere in the app, a reason too long for its column can be read whole, and a revoked
till is told what to do in its own language."""

from __future__ import annotations

import random
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from pos import users
from pos.i18n import tr
from sync.client import config
from sync.client.engine import enrol_store
from tests.sync.client.conftest import FAST, options
from tests.sync.client.conftest import server as server  # the organisers' live server
from tests.sync.client.support import LiveServer, Till
from ui.sync_bridge import SyncBridge

SMALL = (1024, 600)


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_revoked_tills_sync_tab_on_a_small_screen(qtbot: Any, make_window: Any,
                                                     server: LiveServer, lang: str) -> None:
    window = make_window(lang=lang, day_open=False, size=SMALL)
    store = window.ctx.store
    with window.ctx.read() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        s.expunge(manager)
    window.ctx.user = manager
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    till = Till(store)
    rng = random.Random(7)
    till.sell(rng)
    till.close_day()
    bridge = SyncBridge(store, lang, parent=window, options=options())
    window.sync = bridge
    bridge.status_changed.connect(lambda _text: window.update_status())
    try:
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.last_success_at is not None
                        and bridge.snapshot.waiting == 0, timeout=5000)
        assert window.sync_status.property("role") == "ok"  # green: all delivered
        with store.read() as s:
            device = config.load(s).device_id
        assert device is not None
        server.revoke(device)
        till.sell(rng)
        bridge.request_sync("manual")
        qtbot.waitUntil(lambda: bool(bridge.snapshot.revoked), timeout=5000)

        window.show_screen("settings")
        settings = window.screen("settings")
        panel = settings.findChild(QWidget, "syncPanel")
        settings.tabs.setCurrentIndex(4)
        QApplication.processEvents()
        assert (window.width(), window.height()) == SMALL
        assert window.minimumSizeHint().height() <= SMALL[1]

        assert "12/05/2026" in panel.details.text() and "09/08/2026" in panel.details.text()
        table = panel.table
        assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
            "13/05/2026", "12/05/2026"]
        problem = table.item(0, 5)
        assert problem.text() == tr(lang, "sync.err.revoked")
        assert problem.toolTip() == problem.text()
        assert window.sync_status.text() == tr(lang, "ui.status.sync",
                                               state=tr(lang, "sync.status.revoked"))
        assert window.sync_status.property("role") == "bad"  # red: ask for a new code
    finally:
        bridge.stop()
