"""The stall tells the organisers in which unit each product sold (protocol 2): the
products sold in the day's most common unit name none (the summary stays as small), the
others theirs; a server older than protocol 2 is sent no unit at all."""

from __future__ import annotations

import datetime as dt
import json
import typing

import pytest
from sqlalchemy import select

from pos.catalogue import UNITS
from pos.models import Product
from sync.client import outbox
from sync.client.engine import sync_store
from sync.client.transport import Transport
from sync.protocol import DaySummary, Health, Unit
from sync.server.models import SummaryBody, SummaryProduct
from tests.sync.client.conftest import FAST
from tests.sync.client.support import LiveServer, Till


def product(till: Till, sku: str) -> Product:
    return next(p for p in till.products if p.sku == sku)


def server_units(server: LiveServer) -> dict[str, str | None]:
    with server.database.read() as s:
        return dict(s.execute(select(SummaryProduct.product_id, SummaryProduct.unit)).all())


def server_body(server: LiveServer) -> dict[str, typing.Any]:
    with server.database.read() as s:
        body = s.scalar(select(SummaryBody.body))
    assert body is not None
    data: dict[str, typing.Any] = json.loads(body)
    return data


def test_the_protocol_knows_the_stalls_units() -> None:
    assert typing.get_args(Unit) == UNITS


def test_a_days_products_reach_the_server_with_their_units(till: Till,
                                                           server: LiveServer) -> None:
    till.ring([(product(till, "HNY-KG"), 1_500), (product(till, "ARG-250"), 2_000)])
    till.ring([(product(till, "SAF-1G"), 1_000)])
    assert sync_store(till.store, **FAST).ok
    assert server_units(server) == {"HNY-KG": "kg", "ARG-250": "piece", "SAF-1G": "piece"}
    body = server_body(server)
    assert body["default_unit"] == "piece"
    assert {p["product_id"]: p.get("unit") for p in body["products"]} == {
        "HNY-KG": "kg", "ARG-250": None, "SAF-1G": None}


def test_a_server_older_than_protocol_2_is_sent_no_unit(
        till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older server refuses fields it does not know: it gets the summary it always got
    (and so does this server, which takes it without units)."""
    monkeypatch.setattr(Transport, "health", lambda self: Health(
        protocol=1, time=dt.datetime.now(dt.UTC)))
    till.ring([(product(till, "HNY-KG"), 1_500), (product(till, "ARG-250"), 2_000)])
    assert sync_store(till.store, **FAST).ok
    assert server_units(server) == {"HNY-KG": None, "ARG-250": None}
    assert '"unit"' not in json.dumps(server_body(server))


def test_a_product_whose_unit_changed_during_the_day_names_none(till: Till) -> None:
    """Its quantity adds up two units: it is sent without one. The day then has no
    default unit (which would give it one): every other product names its own."""
    till.ring([(product(till, "HNY-KG"), 1_500), (product(till, "ARG-250"), 2_000),
               (product(till, "DAT-KG"), 500)])
    with till.store.write() as s:
        changed = s.scalars(select(Product).where(Product.sku == "HNY-KG")).one()
        changed.unit = "piece"  # the manager now sells it by the jar
    till.ring([(changed, 1_000)])
    with till.store.read() as s:
        (state,) = outbox.day_states(s)
        built = outbox.build(s, state)
    assert isinstance(built, DaySummary)
    assert built.default_unit is None
    assert {p.product_id: built.unit_of(p) for p in built.products} == {
        "HNY-KG": None, "ARG-250": "piece", "DAT-KG": "kg"}
    honey_line = next(p for p in built.products if p.product_id == "HNY-KG")
    assert honey_line.quantity == 2_500
