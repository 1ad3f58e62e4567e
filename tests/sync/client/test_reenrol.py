"""A stall enrolled again, against the real server: its days are counted once, in the
market they belong to."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from pos import demo, settings, users
from pos.db import DB_FILENAME, Store
from sync.client import config, outbox, status
from sync.client.engine import enrol_store, sync_store
from sync.client.errors import Revoked
from sync.server import admin
from sync.server.models import Market, User
from tests.sync.client.conftest import FAST
from tests.sync.client.support import MARKET_DAY, MARKET_END, LiveServer, Till, local_figures

PASSWORD = "souk-organiser-2026"


def identity(store: Store) -> tuple[uuid.UUID, str]:
    with store.read() as s:
        cfg = config.load(s)
    assert cfg.device_id is not None and cfg.token is not None
    return cfg.device_id, cfg.token


def dashboard(server: LiveServer, market_id: int) -> dict[str, Any]:
    """The organisers' dashboard data for a market, as the page loads it."""
    with server.database.write() as s:
        if s.scalar(select(User).where(User.username == "nadia")) is None:
            admin.add_user(s, "nadia", PASSWORD)
    with requests.Session() as web:
        login = web.post(f"{server.url}/dashboard/login", allow_redirects=False,
                         data={"username": "nadia", "password": PASSWORD, "lang": "fr"})
        assert login.status_code == 303
        reply = web.get(f"{server.url}/dashboard/data.json",
                        params={"market": str(market_id), "day": MARKET_DAY.isoformat()})
        assert reply.status_code == 200
        data: dict[str, Any] = reply.json()
        return data


def edition_net(server: LiveServer, market_id: int) -> int:
    return int(dashboard(server, market_id)["totals"]["edition"]["net"])


def stall_net(store: Store) -> int:
    return sum(day["net"] for day in local_figures(store).values())


def devices(server: LiveServer) -> list[uuid.UUID]:
    with server.database.read() as s:
        return [d.id for d, _ in admin.list_devices(s)]


def outside(store: Store) -> list[dt.date]:
    """The dates the stall does not push: outside its market's dates (the sync panel's)."""
    return sorted(d.date for d in status.snapshot(store).days if d.outside)


def sell_two_days(till: Till) -> None:
    rng = random.Random(41)
    for _ in range(3):
        till.sell(rng)
    till.close_day()
    for _ in range(2):
        till.sell(rng)


def test_enrolling_again_counts_every_day_once(till: Till, server: LiveServer) -> None:
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    device, old_token = identity(till.store)
    enrol_store(till.store, server.url, server.code(), name="T01 test", **FAST)
    assert identity(till.store)[0] == device
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []  # the server holds every day already
    net = stall_net(till.store)
    assert net > 0 and edition_net(server, server.market_id) == net
    assert devices(server) == [device]
    assert server.held(device) == local_figures(till.store)
    refused = requests.get(f"{server.url}/api/v1/days", timeout=5,
                           headers={"Authorization": f"Bearer {old_token}"})
    assert refused.status_code == 401


def test_a_revoked_stall_enrolled_again_syncs_without_doubling(
    till: Till, server: LiveServer
) -> None:
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    device, _ = identity(till.store)
    server.revoke(device)
    till.sell(random.Random(42))
    assert isinstance(sync_store(till.store, **FAST).error, Revoked)
    enrol_store(till.store, server.url, server.code(), name="T01 test", **FAST)
    with till.store.read() as s:
        cfg = config.load(s)
    assert cfg.device_id == device and not cfg.revoked
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == [MARKET_DAY + dt.timedelta(days=1)]
    assert server.held(device) == local_figures(till.store)
    assert edition_net(server, server.market_id) == stall_net(till.store)
    assert devices(server) == [device]


def test_a_second_stall_of_the_cooperative_gets_its_own_device(
    till: Till, server: LiveServer, tmp_path: Path
) -> None:
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    other = Store.open(tmp_path / "stall-2" / DB_FILENAME)
    try:
        with other.write() as s:
            users.add_user(s, "Fatima", users.MANAGER, "1234")
            users.add_user(s, "Youssef", users.CASHIER, "5678")
            demo.load_catalogue(s)
        enrol_store(other, server.url, server.code(), name="T02 test", **FAST)
        second = Till(other)
        second.sell(random.Random(43))
        assert sync_store(other, **FAST).ok
        first_device, second_device = identity(till.store)[0], identity(other)[0]
        assert first_device != second_device
        assert sorted(devices(server)) == sorted([first_device, second_device])
        assert edition_net(server, server.market_id) == stall_net(till.store) + stall_net(other)
    finally:
        other.close()


def next_edition(server: LiveServer, starts_on: dt.date) -> tuple[int, str]:
    """The next market, the cooperative added to it again: (its id, an enrolment code)."""
    with server.database.write() as s:
        m = admin.add_market(
            s, name_ar="السوق المتنقل لمكناس", name_fr="Marché itinérant de Meknès",
            city="Meknès", region="Fès-Meknès", starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=4))
        c = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=m.id, name_ar="تعاونية أركان النساء",
            name_fr="Coopérative Argan Nissae", sector="food", province="Essaouira",
            stand="7", members=24, women_led=True))
        code, _ = admin.issue_enrol_code(s, c.id)
        return m.id, code


def test_the_next_market_gets_only_its_own_days(till: Till, server: LiveServer) -> None:
    sell_two_days(till)
    till.close_day()
    assert sync_store(till.store, **FAST).ok
    first_market = edition_net(server, server.market_id)
    assert first_market == stall_net(till.store)
    old_device, _ = identity(till.store)
    # a day at the cooperative's shop between the markets, then the next market
    till.next_date = MARKET_END + dt.timedelta(days=10)
    till.sell(random.Random(44))
    till.close_day()
    starts_on = MARKET_END + dt.timedelta(days=30)
    market_id, code = next_edition(server, starts_on)
    enrol_store(till.store, server.url, code, name="T01 test", **FAST)
    device, _ = identity(till.store)
    assert device != old_device
    with till.store.read() as s:
        assert settings.get(s, settings.MARKET)["city"] == "Meknès"
        assert outside(till.store) == [
            MARKET_DAY, MARKET_DAY + dt.timedelta(days=1), MARKET_END + dt.timedelta(days=10)]
        assert outbox.plan(s) == ([], [])
    till.next_date = starts_on + dt.timedelta(days=1)
    sold = till.sell(random.Random(45))
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.waiting == 0
    assert outcome.acked == [starts_on + dt.timedelta(days=1)]
    assert list(server.held(device)) == [starts_on + dt.timedelta(days=1)]
    assert edition_net(server, market_id) == sold
    assert edition_net(server, server.market_id) == first_market
    assert outside(till.store) == [
        MARKET_DAY, MARKET_DAY + dt.timedelta(days=1), MARKET_END + dt.timedelta(days=10)]
    snap = status.snapshot(till.store)
    assert snap.waiting == 0
    assert "attente" not in status.status_text(snap, "fr")


@pytest.mark.parametrize("market", [{}, {"starts_on": "2026-05-12"}, {"starts_on": "x",
                                                                       "ends_on": 3}])
def test_without_the_markets_dates_every_day_is_pushed(till: Till,
                                                        market: dict[str, Any]) -> None:
    sell_two_days(till)
    with till.store.write() as s:
        settings.put(s, settings.MARKET, market)
    with till.store.read() as s:
        assert outbox.market_dates(s) is None
        assert len(outbox.plan(s)[0]) == 2 and outside(till.store) == []


def test_the_stall_follows_the_markets_dates_as_the_organisers_move_them(
    till: Till, server: LiveServer
) -> None:
    till.sell(random.Random(46))
    till.close_day()
    assert sync_store(till.store, **FAST).ok
    # the organisers end the market on its first day, then, a day later, extend it again
    with server.database.write() as s:
        market = s.get_one(Market, server.market_id)
        market.ends_on = MARKET_DAY
    till.sell(random.Random(47))  # a sale on the day after: outside the market now
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == [] and outcome.set_aside == []
    with till.store.read() as s:
        assert settings.get(s, settings.MARKET)["ends_on"] == MARKET_DAY.isoformat()
        assert outside(till.store) == [MARKET_DAY + dt.timedelta(days=1)]
    with server.database.write() as s:
        s.get_one(Market, server.market_id).ends_on = MARKET_END
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == [MARKET_DAY + dt.timedelta(days=1)]
    with till.store.read() as s:
        assert settings.get(s, settings.MARKET)["ends_on"] == MARKET_END.isoformat()
        assert settings.get(s, settings.MARKET)["stand"]  # the stand is kept
    assert edition_net(server, server.market_id) == stall_net(till.store)


def test_a_day_delivered_before_the_dates_moved_stays_synced(
    till: Till, server: LiveServer
) -> None:
    till.sell(random.Random(48))
    till.close_day()
    assert sync_store(till.store, **FAST).ok
    with server.database.write() as s:  # the organisers start the market a day later
        s.get_one(Market, server.market_id).starts_on = MARKET_DAY + dt.timedelta(days=1)
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []
    assert outside(till.store) == []  # it reached the organisers: not "outside, not sent"
    (day,) = status.snapshot(till.store).days
    assert not day.waiting and day.acked_version == day.local_version
