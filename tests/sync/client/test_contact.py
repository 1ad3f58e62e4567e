"""A till's last contact with the organisers' server, against the real server on loopback
(SQLite and PostgreSQL) and a real stall polling it: a till with nothing to push still asks
the server which days it holds at every sync, which the server takes as contact (at most
once a minute); a bundle brought on a USB stick is not contact. The dashboard's stand
row, ``souk-server device list`` and the cooperatives' export say it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from pos.db import Store
from pos.models import Product, User
from sync.client.bundle import export_bundle
from sync.client.engine import enrol_store, sync_store
from sync.client.errors import Revoked
from sync.client.service import SyncEvent, SyncService
from sync.server import queries
from sync.server.cli import main as souk_server
from sync.server.db import utcnow
from sync.server.i18n import Translator, market_time
from sync.server.models import Device, Market
from tests.sync.client.conftest import FAST, options
from tests.sync.client.support import LiveServer, Till, device_of, live_server, local_figures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server, over SQLite or over a PostgreSQL schema of its own."""
    with live_server(request.param, tmp_path / "server", "souk_seen") as live:
        yield live


@pytest.fixture
def enrolled(store: Store, staff: tuple[User, User], products: dict[str, Product],
             server: LiveServer) -> Store:
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    return store


def times(server: LiveServer, device: uuid.UUID) -> tuple[dt.datetime | None, ...]:
    """(last contact, last push) as the server holds them."""
    with server.database.read() as s:
        row = s.get_one(Device, device)
        return row.last_seen_at, row.last_push_at


def set_times(server: LiveServer, device: uuid.UUID, **values: dt.datetime | None) -> None:
    with server.database.write() as s:
        s.execute(update(Device).where(Device.id == device).values(**values))


def stand_row(server: LiveServer, now: dt.datetime, day: dt.date | None = None
              ) -> queries.CoopRow:
    """The stand's row on the dashboard at ``now`` (naive UTC), for ``day`` (today)."""
    with server.database.read() as s:
        market = s.get_one(Market, server.market_id)
        shown = day or market_time(now).date()
        (row,) = queries.cooperative_rows(s, market, shown, now)
    return row


def device_list(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> str:
    """``souk-server device list`` in English: the device's last words (its contact)."""
    capsys.readouterr()
    assert souk_server(["--lang", "en", "--database-url", server.database_url,
                        "device", "list"]) == 0
    return capsys.readouterr().out.rstrip("\n").split("\t")[-1]


def contact_words(when: dt.datetime) -> str:
    t = Translator("en")
    return f"last contact {t.moment(when)} ({t.zone})"


def test_a_quiet_till_polling_is_in_contact(
        enrolled: Store, server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A till that has opened no day has nothing to push: its sync service still asks the
    server every few minutes, and the stand is in contact, which the dashboard's row and
    ``device list`` say; its polls within a minute of the last one leave the time written.
    Before the first poll, the device has never been in contact (enrolling is not)."""
    device = device_of(enrolled)
    assert times(server, device) == (None, None)
    assert device_list(server, capsys) == "last contact never"
    finished: list[SyncEvent] = []
    polled = threading.Condition()

    def heard(event: SyncEvent) -> None:
        if event.kind == "finished":
            with polled:
                finished.append(event)
                polled.notify_all()

    service = SyncService(enrolled, dataclasses.replace(options(), interval=0.2))
    service.add_listener(heard)
    seen = []
    try:
        service.start()
        service.request("startup")  # as the app does
        for count in (1, 2):  # the startup run, then one on its own timer
            with polled:
                assert polled.wait_for(lambda count=count: len(finished) >= count, 30)
            seen.append(times(server, device))
    finally:
        service.stop()
    assert all(e.outcome is not None and e.outcome.ok for e in finished)
    (first, pushed), again = seen
    assert first is not None and pushed is None  # in contact, nothing pushed
    assert again == (first, None)  # the second poll came within the minute

    row = stand_row(server, first + dt.timedelta(seconds=30))
    assert (row.last_sync, row.stale_seconds) == (
        first.isoformat(timespec="microseconds") + "Z", 30)
    assert (row.received, row.reported) == (None, 0)
    assert device_list(server, capsys) == contact_words(first)


def test_a_till_that_pushed_yesterday_and_polls_now_is_in_contact_now(
        till: Till, server: LiveServer) -> None:
    """A till whose last figures came yesterday, online today with nothing to push: its
    contact is now, its figures stay yesterday's."""
    till.sell(random.Random(3))
    till.close_day()
    assert sync_store(till.store, **FAST).ok
    device = device_of(till.store)
    seen, pushed = times(server, device)
    assert seen == pushed is not None  # a push is contact, written by the same statement
    yesterday = utcnow() - dt.timedelta(days=1)
    set_times(server, device, last_seen_at=yesterday, last_push_at=yesterday)

    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []  # nothing pushed: only asked
    seen, pushed = times(server, device)
    assert pushed == yesterday and seen is not None and seen > yesterday
    row = stand_row(server, seen + dt.timedelta(minutes=2), day=till.next_date)
    assert (row.last_sync, row.stale_seconds, row.received) == (
        seen.isoformat(timespec="microseconds") + "Z", 120, None)


def test_a_bundle_is_not_contact(till: Till, server: LiveServer, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A day-close bundle imported with ``souk-server import`` brings the till's figures,
    not the till: the stand has them, and no contact yet, until the till syncs."""
    rng = random.Random(5)
    till.sell(rng)
    till.close_day()
    path = tmp_path / "usb" / "bundle.json"
    path.parent.mkdir()
    export_bundle(till.store, path)
    assert souk_server(["--lang", "en", "--database-url", server.database_url,
                        "import", str(path)]) == 0
    device = device_of(till.store)
    assert server.held(device) == local_figures(till.store)
    seen, pushed = times(server, device)
    assert seen is None and pushed is not None
    day = next(iter(local_figures(till.store)))
    row = stand_row(server, utcnow(), day=day)
    assert row.reported == 1 and row.received is not None
    assert (row.last_sync, row.stale_seconds) == (None, None)
    assert device_list(server, capsys) == "last contact never"

    assert sync_store(till.store, **FAST).ok  # online again: only asks, holds every day
    seen, _ = times(server, device)
    assert seen is not None
    assert device_list(server, capsys) == contact_words(seen)


def test_contact_is_written_once_a_minute_at_most(till: Till, server: LiveServer) -> None:
    """A poll within a minute of the contact written leaves it; a poll past the minute
    writes its own time; a push writes its time whatever the last contact (with its last
    push); a revoked till's requests are refused and are no contact."""
    device = device_of(till.store)
    half = utcnow().replace(microsecond=0) - dt.timedelta(seconds=30)
    set_times(server, device, last_seen_at=half)
    assert sync_store(till.store, **FAST).ok
    assert times(server, device) == (half, None)

    past = utcnow().replace(microsecond=0) - dt.timedelta(seconds=61)
    set_times(server, device, last_seen_at=past)
    before = utcnow()
    assert sync_store(till.store, **FAST).ok
    seen, _ = times(server, device)
    assert seen is not None and seen >= before

    set_times(server, device, last_seen_at=half)
    till.sell(random.Random(8))
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and len(outcome.acked) == 1
    seen, pushed = times(server, device)
    assert pushed is not None and seen == pushed and pushed > half

    set_times(server, device, last_seen_at=past)
    server.revoke(device)
    assert isinstance(sync_store(till.store, **FAST).error, Revoked)
    assert times(server, device)[0] == past
