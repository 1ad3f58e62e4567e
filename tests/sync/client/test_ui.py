"""The app's view of sync (pytest-qt, offscreen): status from offline to synced when the
server comes up, and sales rung while the server hangs."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from pos.db import Store
from sync.client import config
from tests.sync.client.conftest import options
from tests.sync.client.support import LiveServer, Till, listening_socket, local_figures
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel


def test_status_goes_from_offline_to_synced_when_the_server_comes_up(
    qtbot: QtBot, till: Till, server: LiveServer, bridge: SyncBridge
) -> None:
    panel = SyncPanel(bridge, "en")
    qtbot.addWidget(panel)
    rng = random.Random(21)
    till.sell(rng)
    till.close_day()
    server.stop()
    bridge.start()
    qtbot.waitUntil(lambda: bridge.status_text == "offline - 1 day waiting", timeout=5000)
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 4).text() == "waiting"
    assert "Nothing answers at 127.0.0.1" in panel.table.item(0, 5).text()
    server.start()
    # A retry begun by the offline back-off may end (failed or not) around the click, and
    # the click's own run start after it; the seller sees "syncing…" briefly, then this.
    with qtbot.waitSignal(bridge.sync_finished, timeout=5000,
                          check_params_cb=lambda ok, _text: ok) as finished:
        panel.sync_button.click()
    assert finished.args == [True, ""]
    qtbot.waitUntil(lambda: bridge.status_text == "synced just now", timeout=5000)
    assert panel.table.item(0, 4).text() == "on the server"
    assert "Argan Nissae" in panel.details.text() and "12" in panel.details.text()
    panel.retranslate("ar")
    bridge.set_language("ar")
    assert "أركان" in panel.details.text()
    assert panel.table.horizontalHeaderItem(0).text() == "اليوم"
    assert bridge.status_text == "تمت المزامنة الآن"


@pytest.fixture
def hanging_server() -> Iterator[str]:
    """Accepts connections, reads, never answers."""
    sock = listening_socket()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    sock.close()
    for conn in held:
        conn.close()
    thread.join(2)


def test_sales_keep_ringing_while_the_server_hangs(
    qtbot: QtBot, till: Till, enrolled: Store, hanging_server: str
) -> None:
    with enrolled.write() as s:
        config.update(s, url=hanging_server)
    bridge = SyncBridge(enrolled, "en", options=options(read=3.0))
    try:
        with qtbot.waitSignal(bridge.sync_started, timeout=3000):
            bridge.start()
        finished: list[tuple[bool, str]] = []
        bridge.sync_finished.connect(lambda ok, _text: finished.append((ok, bridge.status_text)))
        rng = random.Random(22)
        rung = 0
        for _ in range(15):  # on the GUI thread, as the sale screen does
            till.sell(rng)
            bridge.request_sync("sale")
            rung += 1
            qtbot.wait(10)
        assert rung == 15 and finished == []  # all rung while the sync was still hanging
        assert bridge.snapshot.syncing
        with qtbot.waitSignal(bridge.sync_finished, timeout=10_000):
            pass
        ok, status = finished[0]  # as the seller saw it when that sync ended
        assert not ok and status.startswith("offline")
    finally:
        bridge.stop()
    assert len(local_figures(enrolled)) == 1


def test_the_panel_answers_each_code_typed_in_the_managers_language(
    qtbot: QtBot, store: Store, staff: object, products: object, server: LiveServer
) -> None:
    bridge = SyncBridge(store, "fr", options=options())
    panel = SyncPanel(bridge, "fr")
    qtbot.addWidget(panel)
    bridge.start()

    def enrol(code: str) -> str:
        panel.url_edit.setText(server.url)
        panel.code_edit.setText(code)
        panel.enrol_button.click()
        qtbot.waitUntil(panel.enrol_button.isEnabled, timeout=5000)
        return panel.message.text()

    type_it = ("Échec de l'inscription : Saisissez le code à usage unique donné par les "
               "organisateurs (comme 7KMX-3HR9W-PC4T).")
    refused = ("Échec de l'inscription : Ce code est inconnu, déjà utilisé ou expiré : "
               "vérifiez-le ou demandez-en un nouveau aux organisateurs.")
    try:
        assert enrol("") == type_it
        assert enrol(" AB ") == type_it
        assert enrol("WRON-GCOD-E234") == refused
        code = server.code()
        assert enrol(" " + code.replace("-", " ").lower() + " ") == "Inscrite."
        assert bridge.snapshot.enrolled
        assert enrol(code) == refused  # a code works once
    finally:
        bridge.stop()


def test_an_enrolment_that_fails_on_the_till_lets_the_manager_try_again(
    qtbot: QtBot, store: Store, staff: object, products: object, server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sync.client import engine

    def broken(*_args: object, **_kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(engine, "enrol_store", broken)
    bridge = SyncBridge(store, "fr", options=options())
    panel = SyncPanel(bridge, "fr")
    qtbot.addWidget(panel)
    bridge.start()
    try:
        panel.url_edit.setText(server.url)
        panel.code_edit.setText(server.code())
        panel.enrol_button.click()
        qtbot.waitUntil(panel.enrol_button.isEnabled, timeout=5000)
        assert panel.message.text() == ("Échec de l'inscription : L'inscription a échoué sur "
                                        "cette caisse (OSError) ; réessayez.")
        assert not bridge.snapshot.enrolled
    finally:
        bridge.stop()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_while_the_figures_cannot_leave_the_panel_says_the_sales_are_safe(
    qtbot: QtBot, till: Till, server: LiveServer, enrolled: Store, lang: str
) -> None:
    from pos.i18n import tr
    from sync.client.errors import describe

    bridge = SyncBridge(enrolled, lang, options=options())
    panel = SyncPanel(bridge, lang)
    qtbot.addWidget(panel)
    panel.show()
    rng = random.Random(23)
    kept, later = tr(lang, "sync.safe.kept"), tr(lang, "sync.safe.later")
    try:
        till.sell(rng)
        server.stop()  # the market's network is gone all morning
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.failing and bridge.snapshot.waiting == 1,
                        timeout=5000)
        problem = describe(bridge.snapshot.last_error, lang)
        assert panel.safe.isVisible()
        assert panel.safe.text() == f"{problem}\n{kept} {later}"  # the problem whole
        till.sell(rng)  # still selling

        server.start()
        with qtbot.waitSignal(bridge.sync_finished, timeout=5000,
                              check_params_cb=lambda ok, _text: ok):
            panel.sync_button.click()
        assert not panel.safe.isVisible()

        with enrolled.read() as s:
            device = config.load(s).device_id
        assert device is not None
        server.revoke(device)
        till.sell(rng)
        bridge.request_sync("manual")
        qtbot.waitUntil(lambda: bool(bridge.snapshot.revoked), timeout=5000)
        # a new code is what it takes: the problem says so; the sales are kept meanwhile
        assert panel.safe.text() == f"{tr(lang, 'sync.err.revoked')}\n{kept}"
        assert panel.safe.isVisible()
    finally:
        bridge.stop()
    assert len(local_figures(enrolled)) == 1
