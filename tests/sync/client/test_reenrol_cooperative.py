"""A stall enrolled into the wrong cooperative of its market, then into the right one: its
days move with it and the market counts them once."""

from __future__ import annotations

import random

from sync.client.engine import enrol_store, sync_store
from sync.server import admin
from tests.sync.client.conftest import FAST
from tests.sync.client.support import MARKET_DAY, LiveServer, Till, local_figures
from tests.sync.client.test_reenrol import (
    dashboard,
    devices,
    edition_net,
    identity,
    sell_two_days,
    stall_net,
)


def add_pottery(server: LiveServer) -> tuple[int, str]:
    """Another cooperative of the seeded market: (its id, an enrolment code)."""
    with server.database.write() as s:
        right = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=server.market_id, name_ar="تعاونية الفخار", name_fr="Coopérative Fakhar",
            sector="handicrafts", province="Safi", stand="21", members=9))
        code, _ = admin.issue_enrol_code(s, right.id)
        return right.id, code


def test_enrolling_into_another_cooperative_of_the_same_market_counts_once(
    till: Till, server: LiveServer
) -> None:
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    first_device, _ = identity(till.store)
    right, code = add_pottery(server)
    enrol_store(till.store, server.url, code, name="T01 test", **FAST)
    assert identity(till.store)[0] == first_device
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and outcome.acked == []  # the server holds every day already
    net = stall_net(till.store)
    assert net > 0 and edition_net(server, server.market_id) == net
    assert devices(server) == [first_device]
    assert server.held(first_device) == local_figures(till.store)

    data = dashboard(server, server.market_id)
    rows = {r[0]: dict(zip(data["cooperative_fields"], r, strict=True))
            for r in data["cooperatives"]}
    first_day = local_figures(till.store)[MARKET_DAY]["net"]
    pottery, argan = rows[right], rows[server.cooperative_id]
    assert (pottery["edition_net"], pottery["day_net"], pottery["devices"]) == (
        net, first_day, 1)
    assert (argan["edition_net"], argan["day_net"], argan["devices"], argan["reported"]) == (
        0, 0, 0, 0)
    sectors = {g["key"]: g["edition_net"] for g in data["sectors"]}
    assert sectors["handicrafts"] == net and sectors["food"] == 0
    assert {p["cooperative_id"] for p in data["top_products"]} == {right}
    assert [d["devices"] for d in data["days"]] == [1, 1]


def test_sales_after_the_move_go_to_the_new_cooperative(till: Till, server: LiveServer
                                                         ) -> None:
    sell_two_days(till)
    assert sync_store(till.store, **FAST).ok
    right, code = add_pottery(server)
    enrol_store(till.store, server.url, code, name="T01 test", **FAST)
    till.sell(random.Random(48))  # on the day still open
    outcome = sync_store(till.store, **FAST)
    assert outcome.ok and len(outcome.acked) == 1
    net = stall_net(till.store)
    data = dashboard(server, server.market_id)
    rows = {r[0]: dict(zip(data["cooperative_fields"], r, strict=True))
            for r in data["cooperatives"]}
    assert data["totals"]["edition"]["net"] == net
    assert rows[right]["edition_net"] == net and rows[server.cooperative_id]["edition_net"] == 0
