"""A till restored from a backup with ``souk-pos restore``, then selling again, against the
real server on loopback (SQLite and PostgreSQL): the organisers' figures become the till's
own at once, counted once, and nothing it lost disappears without a word (the server keeps
what it held; the stall's sync panel, its CLI and the dashboard say it in ar/fr/en). A
server older than protocol 3 is sent no restore count and holds its newer figures."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from pos import backup, journal
from pos.cli import main as souk_pos
from pos.db import Store
from pos.models import JournalEntry, Product, User
from pos.money import format_money
from sync.client.engine import enrol_store, sync_store
from sync.client.status import Restored, snapshot, status_text
from sync.client.transport import Transport
from sync.protocol import Health
from sync.server import queries
from sync.server.models import Device, Market, RestoredDay, SummaryBody
from tests.sync.client.conftest import FAST
from tests.sync.client.support import (
    MARKET_DAY,
    LiveServer,
    Till,
    device_of,
    live_server,
    local_figures,
)
from tests.sync.client.test_cli import FAST as CLI_FAST
from tests.sync.client.test_cli import run
from ui.sync_bridge import SyncBridge
from ui.sync_panel import SyncPanel


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server, over SQLite or over a PostgreSQL schema of its own."""
    with live_server(request.param, tmp_path / "server", "souk_restore") as live:
        yield live


@pytest.fixture
def enrolled(
    store: Store, staff: tuple[User, User], products: dict[str, Product], server: LiveServer
) -> Store:
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    return store


def cli(store_path: Path, *args: str) -> int:
    """``souk-pos --data-dir FOLDER --lang en ARGS``."""
    return souk_pos(["--data-dir", str(store_path.parent), "--lang", "en", *args])


def back_up(till: Till) -> Path:
    """``souk-pos backup``, as the manager runs it; the backup written."""
    assert cli(till.store.path, "backup") == 0
    return backup.list_backups(till.store.path)[0]


def restore(till: Till, saved: Path) -> Store:
    """The till closed, ``souk-pos restore BACKUP``, the till opened again."""
    till.store.close()
    assert cli(till.store.path, "restore", str(saved)) == 0
    return Store.open(till.store.path)


def market_totals(server: LiveServer, device: uuid.UUID) -> dict[str, Any]:
    """What the organisers' dashboard counts: the market's days and the device's totals."""
    with server.database.read() as s:
        days = queries.day_rows(s, s.get_one(Market, server.market_id))
        stall = s.get_one(Device, device)
        return {
            "days": {
                dt.date.fromisoformat(d["day"]): (d["net"], d["tickets"], d["devices"])
                for d in days
            },
            "device": (stall.total_net, stall.total_tickets),
        }


def organisers_see_the_till(server: LiveServer, store: Store) -> None:
    """The server holds the till's own figures, and counts each day once."""
    device = device_of(store)
    local = local_figures(store)
    assert server.held(device) == local
    assert market_totals(server, device) == {
        "days": {d: (f["net"], f["sales"], 1) for d, f in local.items()},
        "device": (sum(f["net"] for f in local.values()), sum(f["sales"] for f in local.values())),
    }


def kept_on_server(server: LiveServer) -> list[tuple[dt.date, int, int, int]]:
    """What the server kept of the days restored tills replaced: (day, restore count,
    net, tickets)."""
    with server.database.read() as s:
        return [
            (r.business_day, r.restores, r.net, r.sales_count)
            for r in s.scalars(
                select(RestoredDay).order_by(RestoredDay.business_day, RestoredDay.restores)
            )
        ]


def test_a_restored_till_replaces_its_figures_and_the_lost_ones_are_told(
    till: Till,
    server: LiveServer,
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    rng = random.Random(70)
    for _ in range(2):
        till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    saved = back_up(till)
    for _ in range(3):
        till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    device = device_of(till.store)
    before = server.held(device)[MARKET_DAY]
    assert before["sales"] == 5
    with server.database.read() as s:  # never restored: the summary says nothing of it
        assert '"restores"' not in s.scalars(select(SummaryBody.body)).one()
    capsys.readouterr()

    store = restore(till, saved)  # the database was damaged: the manager restores
    try:
        # the restore is the journal's newest record, which holds, and says how far the
        # journal set aside went
        with store.ledger() as conn:
            assert journal.verify(conn).ok
        with store.read() as s:
            last = s.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
        assert last is not None and last.kind == "restore"
        record = json.loads(last.record)["data"]
        assert (record["backup"], record["restores"], record["lost"]["seq"]) == (
            saved.name,
            1,
            before["version"],
        )
        assert record["set_aside"].startswith("souk-before-restore-")

        # the next sync gives the organisers the till's figures at once, counted once
        restored_till = Till(store)
        outcome = sync_store(store, **FAST)
        assert outcome.ok and outcome.acked == [MARKET_DAY] and outcome.server_newer == []
        now = local_figures(store)[MARKET_DAY]
        assert now["sales"] == 2 and now["version"] == last.seq
        organisers_see_the_till(server, store)
        # and the server kept what the till lost
        assert kept_on_server(server) == [(MARKET_DAY, 1, before["net"], 5)]
        snap = snapshot(store)
        assert [d.restored for d in snap.restored] == [Restored(before["net"], 5, now["net"], 2)]
        assert status_text(snap, "en") == "synced just now"

        # the seller sells again: the figures follow, the record of the restore stays
        restored_till.sell(rng)
        assert sync_store(store, **FAST).ok
        organisers_see_the_till(server, store)
        assert kept_on_server(server) == [(MARKET_DAY, 1, before["net"], 5)]
        later = local_figures(store)[MARKET_DAY]

        # "souk-pos sync status" says it, in the manager's words
        assert run(store, *CLI_FAST, "status") == 0
        out = capsys.readouterr().out
        assert (
            f"12/05/2026: this till's figures were restored from a backup. What the server "
            f"held before: {format_money(before['net'], 'en')} (tickets: 5). What this till "
            f"says now: {format_money(later['net'], 'en')} (tickets: 3). The organisers see "
            "both."
        ) in out.splitlines()
        assert "on the server · restored from a backup" in out

        # the app's sync panel says it too, in Arabic and in French
        bridge = SyncBridge(store, "fr")
        panel = SyncPanel(bridge, "fr")
        qtbot.addWidget(panel)
        panel.resize(1024, 600)
        panel.grab().save(str(tmp_path / "sync-panel-restored-fr.png"))
        assert not panel.warning.isHidden()
        text = panel.warning.text()
        assert text.startswith(
            "12/05/2026 : les chiffres de cette caisse ont été restaurés depuis une sauvegarde."
        )
        assert "(tickets : 5)" in text and f"(tickets : {later['sales']})" in text
        assert panel.table.item(0, 4).text() == ("sur le serveur · restaurée depuis une sauvegarde")
        panel.retranslate("ar")
        panel.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        panel.grab().save(str(tmp_path / "sync-panel-restored-ar.png"))
        assert panel.warning.text().startswith("12/05/2026: استُرجعت أرقام هذا الجهاز")
        assert "(التذاكر: 5)" in panel.warning.text()
    finally:
        store.close()


def test_the_days_after_the_backup_are_replaced_as_the_seller_rings_them(
    till: Till,
    server: LiveServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The backup holds the first day open; the damaged database had closed it and sold
    on the next day. Each day the restored till sends replaces the server's, which keeps
    what it held of both; the market's figures are the till's, day by day."""
    rng = random.Random(71)
    for _ in range(3):
        till.sell(rng)
    saved = back_up(till)
    till.sell(rng)
    till.close_day()
    for _ in range(4):
        till.sell(rng)  # the next day
    assert sync_store(till.store, **FAST).ok
    device = device_of(till.store)
    lost = server.held(device)
    second = MARKET_DAY + dt.timedelta(days=1)
    assert lost[MARKET_DAY]["status"] == "closed" and lost[second]["sales"] == 4

    store = restore(till, saved)
    try:
        restored_till = Till(store, start=second)
        assert sync_store(store, **FAST).ok  # the first day, open again on the till
        assert server.held(device)[MARKET_DAY]["sales"] == 3
        assert server.held(device)[second] == lost[second]  # not rung again yet
        restored_till.close_day()
        restored_till.sell(rng)  # the next day, opened again on the restored till
        capsys.readouterr()
        assert run(store, *CLI_FAST) == 0  # "souk-pos sync"
        out = capsys.readouterr().out.splitlines()
        assert "The server acknowledged 2 days." in out
        said = [line for line in out if "restored from a backup" in line]
        assert [line[:11] for line in said] == ["12/05/2026:", "13/05/2026:"]
        assert "Everything is on the server." in out
        organisers_see_the_till(server, store)
        assert kept_on_server(server) == [
            (MARKET_DAY, 1, lost[MARKET_DAY]["net"], 4),
            (second, 1, lost[second]["net"], 4),
        ]
        assert [d.date for d in snapshot(store).restored] == [MARKET_DAY, second]
    finally:
        store.close()


def test_a_second_restore_of_an_older_backup_counts_higher(
    till: Till,
    server: LiveServer,
) -> None:
    rng = random.Random(72)
    till.sell(rng)
    oldest = back_up(till)
    for _ in range(2):
        till.sell(rng)
    newer = back_up(till)
    till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    store = restore(till, newer)
    try:
        for _ in range(3):
            Till(store).sell(rng)
        assert sync_store(store, **FAST).ok
    finally:
        store.close()
    restored_till = Till(store)
    store = restore(restored_till, oldest)  # the older backup, whose journal knows no restore
    try:
        with store.read() as s:
            record = s.scalars(
                select(JournalEntry.record).where(JournalEntry.kind == "restore")
            ).one()
        assert json.loads(record)["data"]["restores"] == 2
        assert sync_store(store, **FAST).ok
        organisers_see_the_till(server, store)
        assert [(r, n) for _, r, _, n in kept_on_server(server)] == [(1, 4), (2, 6)]
    finally:
        store.close()


def test_a_server_older_than_protocol_3_is_sent_no_restore_count(
    till: Till,
    server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It would refuse a field it does not know: it is sent the summaries it always got,
    keeps its newer figures and the till says so, as before."""
    monkeypatch.setattr(
        Transport, "health", lambda self: Health(protocol=2, time=dt.datetime.now(dt.UTC))
    )
    rng = random.Random(73)
    till.sell(rng)
    saved = back_up(till)
    for _ in range(3):
        till.sell(rng)
    assert sync_store(till.store, **FAST).ok
    held = server.held(device_of(till.store))[MARKET_DAY]
    store = restore(till, saved)
    try:
        Till(store).sell(rng)
        outcome = sync_store(store, **FAST)
        assert outcome.server_newer == [MARKET_DAY] and outcome.acked == []
        assert server.held(device_of(store))[MARKET_DAY] == held
        with server.database.read() as s:
            bodies = list(s.scalars(select(SummaryBody.body)))
            assert s.scalar(select(func.count()).select_from(RestoredDay)) == 0
        assert bodies and all('"restores"' not in b for b in bodies)
        assert snapshot(store).server_newer == 1
    finally:
        store.close()
