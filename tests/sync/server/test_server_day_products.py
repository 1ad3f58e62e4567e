"""The chosen day's products as a file: the same columns and units as the edition's, the
figures of the dashboard's panel for that day, which are the sum of the stalls' Z reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from pos import demo, refunds, users
from pos.db import DB_FILENAME, Store
from pos.models import Sale
from pos.reports import date_report
from sync.client.engine import enrol_store, sync_store
from sync.server import admin
from sync.server.db import Database

from .server_support import DAY, World, enrol
from .test_server_dashboard import PASSWORD, log_in
from .test_server_units import day_of, push

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

NEXT = DAY + dt.timedelta(days=1)
EN_HEADERS = ["Stand", "Cooperative (ar)", "Cooperative (fr)", "Code", "Product (ar)",
              "Product (fr)", "Quantity", "Unit", "Amount (MAD)"]


def read_csv(reply: httpx.Response, delimiter: str = ",") -> list[list[str]]:
    assert reply.status_code == 200, reply.text
    return list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")),
                           delimiter=delimiter))


def figures(rows: list[list[str]]) -> dict[tuple[str, str, str], tuple[int, int]]:
    """An English CSV's products: (stand, code, unit) -> (thousandths, centimes)."""
    assert rows[0] == EN_HEADERS
    return {(r[0], r[3], r[7]): (int(Decimal(r[6]) * 1000), int(Decimal(r[8]) * 100))
            for r in rows[1:]}


def panel(data: dict[str, Any], stand_of: dict[int, str]
          ) -> dict[tuple[str, str, str], tuple[int, int]]:
    """The day's top products as the page shows them, by (stand, code, unit); a product
    sold in one unit, so its amount is its line's."""
    shown = {}
    for p in data["top_products"]:
        (part,) = p["quantities"]
        shown[stand_of[p["cooperative_id"]], p["product_id"], part["unit"] or ""] = (
            part["quantity"], p["amount"])
    return shown


@pytest.fixture
def sold(client: TestClient, db: Database, world: World) -> World:
    """Two tills of the argan cooperative and the pottery's, on two days: a product sold
    on both argan tills (one of them not saying its unit), weighed and counted goods."""
    second = enrol(client, db, world.argan.cooperative_id, "argan-2")
    push(client, world.argan,
         day_of(world.argan.device_id, DAY, 6, [
             ("HNY-KG", 1_500, 30_000, "kg"), ("ARG-250", 2_000, 24_000, "piece")]),
         day_of(world.argan.device_id, NEXT, 2, [("HNY-KG", 4_000, 80_000, "kg")]))
    push(client, second, day_of(second.device_id, DAY, 3, [
        ("HNY-KG", 750, 15_000, None), ("SAF-1G", 3_000, 12_600, "g")]))
    push(client, world.pottery, day_of(world.pottery.device_id, DAY, 9, [
        ("JAR", 1_000, 50_000, "piece")]))
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    return world


def test_the_days_products_file_holds_the_panels_figures(client: TestClient,
                                                         sold: World) -> None:
    """The file of the day shown is named after it and holds that day's products, one row
    per cooperative, product and unit, with the panel's quantities and amounts (a
    product's lines from two tills summed); the edition's file still covers every day."""
    query = f"market={sold.market_id}&day={DAY.isoformat()}&lang=en"
    reply = client.get(f"/dashboard/export/day-products.csv?{query}")
    assert reply.headers["content-disposition"] == (
        f'attachment; filename="souk-market{sold.market_id}-day-products-{DAY.isoformat()}'
        f'.csv"')
    day = figures(read_csv(reply))
    assert day == {("12", "HNY-KG", "kg"): (2_250, 45_000),
                   ("12", "ARG-250", "piece"): (2_000, 24_000),
                   ("12", "SAF-1G", "g"): (3_000, 12_600),
                   ("3", "JAR", "piece"): (1_000, 50_000)}
    stand_of = {sold.argan.cooperative_id: "12", sold.pottery.cooperative_id: "3"}
    data = client.get(f"/dashboard/data.json?{query}").json()
    assert panel(data, stand_of) == day
    assert sum(amount for _, amount in day.values()) == data["totals"]["day"]["net"]

    edition = figures(read_csv(client.get(f"/dashboard/export/products.csv?{query}")))
    assert edition[("12", "HNY-KG", "kg")] == (6_250, 125_000)
    assert {k: v for k, v in edition.items() if k[1] != "HNY-KG"} == {
        k: v for k, v in day.items() if k[1] != "HNY-KG"}

    later = f"market={sold.market_id}&day={NEXT.isoformat()}&lang=en"
    assert figures(read_csv(client.get(f"/dashboard/export/day-products.csv?{later}"))) == {
        ("12", "HNY-KG", "kg"): (4_000, 80_000)}
    empty = f"market={sold.market_id}&day={(NEXT + dt.timedelta(days=1)).isoformat()}"
    assert read_csv(client.get(f"/dashboard/export/day-products.csv?{empty}&lang=en")) == [
        EN_HEADERS]


@pytest.mark.parametrize(("lang", "title", "unit", "quantity"), [
    ("fr", "Produits 2026-05-12", "kg", "2,25"),
    ("ar", "المنتجات 2026-05-12", "كلغ", "2,25"),
])
def test_the_days_products_file_in_french_and_arabic(client: TestClient, sold: World,
                                                     lang: str, title: str, unit: str,
                                                     quantity: str) -> None:
    """The same columns as the edition's file, in the page's language; the Excel sheet is
    named after the day, and holds numbers, right to left in Arabic."""
    query = f"market={sold.market_id}&day={DAY.isoformat()}&lang={lang}"
    rows = read_csv(client.get(f"/dashboard/export/day-products.csv?{query}"), ";")
    edition = read_csv(client.get(f"/dashboard/export/products.csv?{query}"), ";")
    assert rows[0] == edition[0]
    honey = next(r for r in rows if r[3] == "HNY-KG")
    assert honey[6:] == [quantity, unit, "450,00"]
    reply = client.get(f"/dashboard/export/day-products.xlsx?{query}")
    assert reply.headers["content-disposition"].endswith(
        f'-day-products-{DAY.isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    assert (sheet.title, sheet.sheet_view.rightToLeft) == (title, lang == "ar")
    values = {r[3]: r[6:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["HNY-KG"] == (2.25, unit, 450)
    assert values["JAR"][0] == 1 and values["JAR"][2] == 500


def test_the_days_products_file_needs_a_login(client: TestClient, world: World) -> None:
    reply = client.get(f"/dashboard/export/day-products.csv?market={world.market_id}")
    assert reply.status_code == 401


# --- real stalls ------------------------------------------------------------------------


def new_till(folder: Path, server: Any, name: str) -> Any:
    """A stall database with the demo catalogue and its staff, enrolled with ``server``."""
    from tests.sync.client.conftest import FAST
    from tests.sync.client.support import Till

    store = Store.open(folder / DB_FILENAME)
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        users.add_user(s, "Youssef", users.CASHIER, "5678")
        demo.load_catalogue(s)
    options: dict[str, Any] = dict(FAST)
    enrol_store(store, server.url, server.code(), name=name, **options)
    return Till(store)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Any]:
    from tests.sync.client.support import LiveServer

    server = LiveServer(tmp_path / "server").start()
    server.seed()
    with server.database.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    yield server
    server.stop()


def refund_last_sale(till: Any) -> None:
    """The manager gives the whole of the till's last sale back."""
    with till.store.write() as s:
        sale_id = s.scalar(select(Sale.id).where(Sale.kind == "sale")
                           .order_by(Sale.number.desc()).limit(1))
        refunds.refund(s, sale_id, quantities=None, reason="returned",
                       manager=s.merge(till.manager), at=till._now(s))


def test_the_days_products_file_equals_the_stalls_z_reports(live: Any, tmp_path: Path) -> None:
    """Two real tills of one cooperative sell weighed and counted goods (one gives a sale
    back), close the day and sync: the day's file has, per product and unit, the sum of
    their Z reports' quantities and amounts, to the thousandth and the centime; the panel
    the same. The day counts one stand that sent its figures and two tills."""
    tills = [new_till(tmp_path / f"till-{n}", live, f"T0{n}") for n in (1, 2)]
    try:
        _sell_sync_and_compare(live, *tills)
    finally:
        for till in tills:
            till.store.close()


def _sell_sync_and_compare(live: Any, first: Any, second: Any) -> None:
    from tests.sync.client.conftest import FAST

    tills = (first, second)
    by_sku = {p.sku: p for p in first.products}
    first.ring([(by_sku["HNY-KG"], 1_500), (by_sku["ARG-250"], 2_000)])
    first.ring([(by_sku["SAF-1G"], 3_000)])
    refund_last_sale(first)
    first.ring([(by_sku["HNY-KG"], 250)])
    by_sku = {p.sku: p for p in second.products}
    second.ring([(by_sku["HNY-KG"], 750), (by_sku["SAF-1G"], 1_000)])
    second.ring([(by_sku["ARG-250"], 1_000)])
    for till in tills:
        till.close_day()
    first.ring([(by_sku["HNY-KG"], 4_000)])  # the next day: not in the day's file
    for till in tills:
        assert sync_store(till.store, **FAST).ok

    expected: dict[tuple[str, str, str], list[int]] = {}
    for till in tills:
        with till.store.read() as s:
            z = date_report(s, DAY)
        assert z is not None and z.status == "closed"
        for p in z.products:
            sums = expected.setdefault(("12", p.sku, p.unit or ""), [0, 0])
            sums[0] += p.quantity
            sums[1] += p.amount
    assert expected[("12", "SAF-1G", "piece")][0] == 1_000  # the refund is counted

    with httpx.Client(base_url=live.url) as web:
        assert web.post("/dashboard/login", data={"username": "nadia", "password": PASSWORD}
                        ).status_code == 303
        query = f"market={live.market_id}&day={DAY.isoformat()}&lang=en"
        day = figures(read_csv(web.get(f"/dashboard/export/day-products.csv?{query}")))
        data = web.get(f"/dashboard/data.json?{query}").json()
    assert day == {key: tuple(sums) for key, sums in expected.items()}
    assert panel(data, {live.cooperative_id: "12"}) == day
    assert data["totals"]["day"]["stalls"] == 1
    assert [d["devices"] for d in data["days"] if d["day"] == DAY.isoformat()] == [2]


def test_a_product_only_refunded_that_day_is_no_best_seller(
        client: TestClient, db: Database, world: World) -> None:
    """On a quiet day, a jar sold and a kilo of honey of an earlier day refunded: the day's
    best products are the jar alone, not the honey at -200 DH; the day's file holds both
    lines, which add up to the day's net."""
    push(client, world.pottery, day_of(world.pottery.device_id, NEXT, 4, [
        ("JAR", 1_000, 50_000, "piece"), ("HNY-KG", -1_000, -20_000, "kg")]))
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    query = f"market={world.market_id}&day={NEXT.isoformat()}&lang=en"
    data = client.get(f"/dashboard/data.json?{query}").json()
    assert [(p["product_id"], p["amount"]) for p in data["top_products"]] == [("JAR", 50_000)]
    day = figures(read_csv(client.get(f"/dashboard/export/day-products.csv?{query}")))
    assert day == {("3", "JAR", "piece"): (1_000, 50_000),
                   ("3", "HNY-KG", "kg"): (-1_000, -20_000)}
    assert sum(amount for _, amount in day.values()) == data["totals"]["day"]["net"]
