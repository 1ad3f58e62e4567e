"""The stand a cooperative's tills print, against the real server on loopback (SQLite and
PostgreSQL): the organisers change it after the tills enrolled, and from their next sync
the receipts, the sync panel and ``souk-pos sync status`` say the new one (protocol 5); a
till that names an older protocol is told no stand, syncs as before and keeps its own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pos import receipts, settings
from pos.db import Store
from pos.models import Sale
from sync.client import transport
from sync.client.engine import sync_store
from sync.server.models import Cooperative
from tests.sync.client.conftest import FAST
from tests.sync.client.support import LiveServer, Till, live_server
from ui.main import main
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server, over SQLite or over a PostgreSQL schema of its own."""
    with live_server(request.param, tmp_path / "server", "souk_stand") as live:
        yield live


def give_stand(server: LiveServer, stand: str) -> None:
    """The organisers put the cooperative at another stand of its market."""
    with server.database.write() as s:
        s.get_one(Cooperative, server.cooperative_id).stand = stand


def last_sale(store: Store) -> str:
    with store.read() as s:
        sale = s.scalars(select(Sale).order_by(Sale.number.desc())).first()
        assert sale is not None
        return sale.id


def receipt(store: Store, sale_id: str, lang: str = "fr", *, duplicate: bool = False
            ) -> list[str]:
    """The lines of a sale's receipt, as the printer's queue draws it."""
    with store.read() as s:
        document = receipts.load_sale_receipt(s, sale_id, lang=lang, duplicate=duplicate)
    return document.plain_text().split("\n")


def sync_status(store: Store, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["--data-dir", str(store.path.parent), "--lang", "en", "sync", "status"]) == 0
    return capsys.readouterr().out


def test_a_stand_the_organisers_change_is_printed_from_the_next_sync(
        qtbot: QtBot, till: Till, server: LiveServer, bridge: SyncBridge,
        capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(12)
    till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    before = last_sale(till.store)
    assert "Stand 12 · Fès" in receipt(till.store, before)
    give_stand(server, "31")

    panel = SyncPanel(bridge, "en")
    qtbot.addWidget(panel)
    bridge.start()
    with qtbot.waitSignal(bridge.sync_finished, timeout=5000,
                          check_params_cb=lambda ok, _text: ok):
        panel.sync_button.click()
    qtbot.waitUntil(lambda: "Stand: 31" in panel.details.text(), timeout=5000)
    assert "Stand: 12" not in panel.details.text()

    till.sell(rng)
    after = last_sale(till.store)
    lines = receipt(till.store, after)
    assert "Stand 31 · Fès" in lines and "Stand 12 · Fès" not in lines
    assert "الرواق 31 · Fès" in receipt(till.store, after, "ar")
    # the journal records no stand with a sale: a copy of an earlier sale, drawn now, says
    # the stand the till is at now
    copy = receipt(till.store, before, duplicate=True)
    assert "DUPLICATA / نسخة" in copy and "Stand 31 · Fès" in copy
    status = sync_status(till.store, capsys)
    assert "Coopérative Argan Nissae / تعاونية أركان النساء, stand 31" in status
    assert "stand 12" not in status
    with till.store.read() as s:
        assert settings.get(s, settings.MARKET)["stand"] == "31"


def test_a_till_of_an_older_protocol_syncs_and_keeps_its_stand(
        till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A till of protocol 4 is told no stand (its models would refuse the field), and the
    server answers it as a server of protocol 4 answers any till: the till keeps the stand
    it was enrolled at, as a till of today does with a server of before."""
    monkeypatch.setattr(transport, "PROTOCOL_VERSION", 4)
    rng = random.Random(4)
    till.sell(rng)
    give_stand(server, "31")
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and len(outcome.acked) == 1
    till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    assert "Stand 12 · Fès" in receipt(till.store, last_sale(till.store))
    assert "Coopérative Argan Nissae / تعاونية أركان النساء, stand 12" in sync_status(
        till.store, capsys)
    monkeypatch.undo()  # the till updated: its next sync brings its stand
    assert sync_store(till.store, **FAST).ok
    assert "Stand 31 · Fès" in receipt(till.store, last_sale(till.store))
