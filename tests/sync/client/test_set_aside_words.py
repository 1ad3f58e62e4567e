"""Why a day was set aside, told in the manager's language (pytest-qt, offscreen): the real
server's refusal and its conflicts in Arabic and French, again after the app restarts;
the server's own words when it sends no message id the stall knows (a server of before
them, or a newer one), and the words an older stall stored."""

from __future__ import annotations

import json
import random
from importlib import resources

import pytest
from pytestqt.qtbot import QtBot

from pos.db import Store
from pos.i18n import catalogue, placeholders
from pos.models import BusinessDay
from sync.client import config, outbox
from sync.client.errors import SERVER_KEYS, STALL_KEYS
from sync.client.transport import Transport
from sync.protocol import REFUSAL_HEADER
from tests.sync.client.conftest import FAST, options
from tests.sync.client.support import MARKET_DAY, LiveServer, Till
from tests.sync.client.test_held_back import Between, corrupt_day, token_of
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel

STATE = 4  # the day's state column

NET_AR = ("موقوف: يرفض الخادم أرقام يوم 12/05/2026: فهي غير متّسقة (يجب أن يساوي صافي "
          "المبيعات إجماليها ناقص المرتجعات والإلغاءات).")
NET_FR = ("mise de côté : Le serveur refuse les chiffres du 12/05/2026 : ils ne concordent pas "
          "(les ventes nettes doivent égaler les ventes brutes moins les remboursements et les "
          "annulations).")
SERVER_WORDS = "summaries.0 (2026-05-12): net must equal gross - refunds - voids"


def panel_of(qtbot: QtBot, store: Store, lang: str) -> tuple[SyncBridge, SyncPanel]:
    """The app's sync bridge and panel over ``store`` in ``lang``."""
    bridge = SyncBridge(store, lang, options=options())
    panel = SyncPanel(bridge, lang)
    qtbot.addWidget(panel)
    return bridge, panel


def sync_until_set_aside(qtbot: QtBot, bridge: SyncBridge) -> None:
    """Run the app's sync until it has set a day aside."""
    try:
        bridge.start()
        qtbot.waitUntil(lambda: bridge.snapshot.set_aside == 1, timeout=5000)
    finally:
        bridge.stop()


def state_shown(panel: SyncPanel) -> str:
    item = panel.table.item(0, STATE)
    assert item.toolTip() == item.text()  # the whole reason, whatever the column's width
    return item.text()


def test_a_day_the_server_sets_aside_is_told_in_arabic_then_in_french(
    qtbot: QtBot, till: Till, server: LiveServer, enrolled: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    till.sell(random.Random(60))
    till.close_day()
    corrupt_day(monkeypatch, MARKET_DAY)
    bridge, panel = panel_of(qtbot, enrolled, "ar")
    sync_until_set_aside(qtbot, bridge)
    assert state_shown(panel) == NET_AR
    panel.retranslate("fr")  # the manager switches the app to French
    assert state_shown(panel) == NET_FR
    # the reason is kept with the day: the app started again in French says it too
    _, again = panel_of(qtbot, enrolled, "fr")
    assert state_shown(again) == NET_FR


def test_a_day_that_conflicts_on_the_server_is_told_in_the_managers_language(
    qtbot: QtBot, till: Till, server: LiveServer, enrolled: Store,
) -> None:
    till.sell(random.Random(61))
    till.close_day()
    with enrolled.read() as s:  # another copy of this till sent other figures first
        (state,), _ = outbox.plan(s)
        built = outbox.build(s, state)
    assert not isinstance(built, str)
    transport = Transport(server.url, token=token_of(enrolled), **FAST)
    try:
        status, _ = transport.push([built.model_copy(update={"discounts": built.discounts + 1})])
    finally:
        transport.close()
    assert status == 200
    bridge, panel = panel_of(qtbot, enrolled, "fr")
    sync_until_set_aside(qtbot, bridge)
    assert state_shown(panel) == (
        f"mise de côté : Le serveur a déjà d'autres chiffres pour cette journée sous la même "
        f"version ({built.version}). Prévenez les organisateurs.")
    panel.retranslate("ar")
    assert state_shown(panel) == (f"موقوف: لدى الخادم أرقام أخرى لهذا اليوم بالنسخة نفسها "
                                  f"({built.version}). أخبر المنظمين.")


@pytest.mark.parametrize("headers", [
    None,
    {REFUSAL_HEADER: '{"key":"server.err.day_from_a_newer_server","params":{"day":"2026-05-12"}}'},
    {REFUSAL_HEADER: "not JSON"},
], ids=["older-server", "unknown-message", "garbled"])
def test_a_refusal_the_stall_has_no_words_for_shows_the_servers(
    qtbot: QtBot, till: Till, server: LiveServer, enrolled: Store,
    headers: dict[str, str] | None,
) -> None:
    till.sell(random.Random(62))
    till.close_day()
    body = json.dumps({"detail": SERVER_WORDS}).encode()
    between = Between(server.url, (422, "application/json", body), headers)
    with enrolled.write() as s:
        config.update(s, url=between.url)
    bridge, panel = panel_of(qtbot, enrolled, "fr")
    try:
        sync_until_set_aside(qtbot, bridge)
    finally:
        between.close()
    assert state_shown(panel) == f"mise de côté : Le serveur l'a refusé (HTTP 422) : {SERVER_WORDS}"
    panel.retranslate("ar")
    assert state_shown(panel) == f"موقوف: رفضه الخادم (HTTP 422): {SERVER_WORDS}"


def test_a_reason_an_older_stall_stored_is_shown_as_it_was(qtbot: QtBot, till: Till,
                                                           enrolled: Store) -> None:
    till.sell(random.Random(63))
    till.close_day()
    with enrolled.write() as s:  # what the stall stored before it kept message ids
        (state,), _ = outbox.plan(s)
        outbox.set_aside(s, state.day_id, state.version, f"422 {SERVER_WORDS}")
        assert s.get_one(BusinessDay, state.day_id).date == MARKET_DAY
    _, panel = panel_of(qtbot, enrolled, "fr")
    assert state_shown(panel) == f"mise de côté : 422 {SERVER_WORDS}"


def test_the_stall_has_words_for_every_refusal_of_a_days_figures() -> None:
    """Each message the server refuses a day with has the stall's own words (the server's
    say "nothing was imported", for the organisers), with no parameter it does not send."""
    text = (resources.files("resources") / "i18n" / "server.json").read_text(encoding="utf-8")
    server_words = {k: v for k, v in json.loads(text).items() if k.startswith("server.err.day_")}
    assert len(server_words) >= 12
    stall_words = catalogue()
    for key, texts in server_words.items():
        ours = STALL_KEYS + key.removeprefix(SERVER_KEYS)
        assert ours in stall_words, key
        assert placeholders(stall_words[ours]["en"]) <= placeholders(texts["en"]), key
