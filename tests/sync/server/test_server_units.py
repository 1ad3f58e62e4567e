"""The products' units: stored from the stalls' summaries (protocol 2), while an older
stall's summary without them is still taken; quantities read with their unit on the
dashboard, the edition report and the exports, in the three languages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from pos.cldr import plural_form
from sync.protocol import DaySummary, summary_json
from sync.server import admin, ingest, queries
from sync.server.db import Database
from sync.server.i18n import Translator
from sync.server.models import Conflict, Market, SummaryBody, SummaryProduct

from .server_support import DAY, World, alembic, push_body, seed_market, summary
from .test_server_dashboard import PASSWORD, log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

SAFFRON, HONEY, OIL = "SAF-1G", "HNY-KG", "OLV-1L"


def day_of(device_id: Any, day: dt.date, version: int,
           lines: list[tuple[str, int, int, str | None]], *,
           default_unit: str | None = None) -> DaySummary:
    """A summary of ``day`` whose products are ``lines`` (key, quantity, amount, unit: as
    a stall of protocol 2 writes them, with ``default_unit``; an older one names none)."""
    base = summary(device_id, day, version, net=sum(amount for _, _, amount, _ in lines))
    data = base.model_dump(mode="json")
    data["products"] = [
        {"product_id": sku, "name_ar": f"منتج {sku}", "name_fr": f"Produit {sku}",
         "category": "miel", "quantity": qty, "amount": amount,
         **({"unit": unit} if unit is not None else {})}
        for sku, qty, amount, unit in lines]
    data["items"] = data["members"][0]["quantity"] = sum(qty for _, qty, _, _ in lines)
    if default_unit is not None:
        data["default_unit"] = default_unit
    return DaySummary.model_validate(data)


def push(client: TestClient, stall: Any, *days: DaySummary) -> dict[str, Any]:
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(*days))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def logged_in(client: TestClient, db: Database) -> None:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")


def stored_units(db: Database, day: dt.date) -> dict[str, str | None]:
    with db.read() as s:
        return dict(s.execute(select(SummaryProduct.product_id, SummaryProduct.unit)
                              .where(SummaryProduct.business_day == day)).all())


def test_units_are_stored_the_default_one_for_products_naming_none(
        client: TestClient, db: Database, world: World) -> None:
    stall = world.argan
    push(client, stall, day_of(stall.device_id, DAY, 4, [
        (SAFFRON, 12_000, 42_000, None), (HONEY, 3_500, 70_000, "kg"),
        (OIL, 2_000, 17_000, "l")], default_unit="piece"))
    assert stored_units(db, DAY) == {SAFFRON: "piece", HONEY: "kg", OIL: "l"}
    # a new version that changes a unit (and drops the default) writes it
    push(client, stall, day_of(stall.device_id, DAY, 5, [
        (SAFFRON, 12_000, 42_000, "g"), (HONEY, 3_500, 70_000, "kg")]))
    assert stored_units(db, DAY) == {SAFFRON: "g", HONEY: "kg"}


def test_an_older_stalls_summary_is_taken_as_it_was(
        client: TestClient, db: Database, world: World) -> None:
    """A summary without units (a stall not updated) is stored with no unit, its body and
    digest the same bytes as before units existed; pushed again, it is unchanged."""
    stall = world.argan
    old = summary(stall.device_id, DAY, 7, products=2)
    raw = old.model_dump(mode="json")
    assert "default_unit" not in raw and all("unit" not in p for p in raw["products"])
    assert push(client, stall, old)["results"][0]["status"] == "stored"
    assert stored_units(db, DAY) == {"SKU-0": None, "SKU-1": None}
    with db.read() as s:
        body = s.scalar(select(SummaryBody.body))
    assert body == summary_json(old)[0] and '"unit"' not in body
    assert push(client, stall, old)["results"][0]["status"] == "unchanged"


def test_the_same_version_pushed_again_with_units_is_no_conflict(
        client: TestClient, db: Database, world: World) -> None:
    """A day an older stall pushed, pushed again at the same version once the stall is
    updated (its reply was lost), now names its units: it is the same day, not a
    conflict. Any other difference still is one."""
    stall = world.argan
    lines: list[tuple[str, int, int, str | None]] = [(HONEY, 3_500, 70_000, None)]
    push(client, stall, day_of(stall.device_id, DAY, 7, lines))
    named = day_of(stall.device_id, DAY, 7, [(HONEY, 3_500, 70_000, "kg")])
    assert push(client, stall, named)["results"][0]["status"] == "unchanged"
    other = day_of(stall.device_id, DAY, 7, [(HONEY, 4_000, 70_000, "kg")])
    reply = client.post("/api/v1/push", headers=stall.headers, json=push_body(other))
    assert reply.status_code == 409
    with db.read() as s:
        assert len(s.scalars(select(Conflict)).all()) == 1


def test_a_unit_the_stalls_do_not_have_is_refused(client: TestClient, world: World) -> None:
    body = push_body(summary(world.argan.device_id, DAY, 3))
    body["summaries"][0]["products"][0]["unit"] = "box"
    reply = client.post("/api/v1/push", headers=world.argan.headers, json=body)
    assert reply.status_code == 422
    body["summaries"][0]["products"][0]["unit"] = "kg"
    body["summaries"][0]["default_unit"] = "dozen"
    reply = client.post("/api/v1/push", headers=world.argan.headers, json=body)
    assert reply.status_code == 422


def test_old_and_new_days_of_a_product_add_up_in_its_unit(
        client: TestClient, db: Database, world: World) -> None:
    """The honey sold on a day an older stall pushed (no unit) and on a later day with its
    unit make one line of 3,5 kg; a product whose unit was changed during the edition is
    read in each of its units, never added across them (nor its unit-less day to one)."""
    stall = world.argan
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    push(client, stall, day_of(stall.device_id, days[0], 3, [
        (HONEY, 2_000, 40_000, None), (SAFFRON, 5_000, 17_500, None)]))
    push(client, stall, day_of(stall.device_id, days[1], 4, [
        (HONEY, 1_500, 30_000, "kg"), (SAFFRON, 3_000, 10_500, None)], default_unit="piece"))
    push(client, stall, day_of(stall.device_id, days[2], 5, [
        (SAFFRON, 250_000, 9_000, "g")], default_unit="piece"))
    with db.read() as s:
        market = s.get_one(Market, world.market_id)
        top = {p["product_id"]: p for p in queries.top_products(s, market, None)}
        rows = queries.product_rows(s, market)
    assert top[HONEY]["quantities"] == [{"quantity": 3_500, "unit": "kg"}]
    assert top[HONEY]["quantity"] == 3_500 and top[HONEY]["amount"] == 70_000
    assert top[SAFFRON]["quantities"] == [{"quantity": 3_000, "unit": "piece"},
                                          {"quantity": 250_000, "unit": "g"},
                                          {"quantity": 5_000, "unit": None}]
    assert [(r.product_id, r.quantity, r.unit, r.amount) for r in rows] == [
        (HONEY, 3_500, "kg", 70_000), (SAFFRON, 5_000, None, 17_500),
        (SAFFRON, 3_000, "piece", 10_500), (SAFFRON, 250_000, "g", 9_000)]
    assert sum(r.amount for r in rows) == 70_000 + 17_500 + 10_500 + 9_000


def test_the_dashboard_sends_each_quantity_with_its_unit(
        client: TestClient, db: Database, world: World) -> None:
    stall = world.argan
    push(client, stall, day_of(stall.device_id, DAY, 3, [
        (HONEY, 3_500, 70_000, "kg"), (SAFFRON, 12_000, 42_000, None)], default_unit="piece"))
    logged_in(client, db)
    data = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}").json()
    assert [(p["product_id"], p["quantities"]) for p in data["top_products"]] == [
        (HONEY, [{"quantity": 3_500, "unit": "kg"}]),
        (SAFFRON, [{"quantity": 12_000, "unit": "piece"}])]


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", ["3,5 kg", "12 pièces", "1 pièce", "2 pièces", "0,5 pièce", "250 g", "1,5 l"]),
    ("en", ["3.5 kg", "12 pieces", "1 piece", "2 pieces", "0.5 pieces", "250 g", "1.5 l"]),
    ("ar", ["3,5 كلغ", "12 قطعة", "قطعة واحدة", "قطعتان", "0,5 قطعة", "250 غ", "1,5 لتر"]),
])
def test_quantities_read_with_their_unit_in_each_language(lang: str, said: list[str]) -> None:
    """As the stalls name their units; a piece's number agrees with it (in Arabic, one and
    two are said in words)."""
    t = Translator(lang)
    quantities = [(3_500, "kg"), (12_000, "piece"), (1_000, "piece"), (2_000, "piece"),
                  (500, "piece"), (250_000, "g"), (1_500, "l")]
    assert [t.measure(milli, unit) for milli, unit in quantities] == said
    assert t.measure(3_500, None) == t.quantity(3_500)  # an older stall's: no unit


def test_arabic_litres_and_pieces_take_the_form_of_their_number() -> None:
    t = Translator("ar")
    assert [t.measure(milli, "l") for milli in (1_000, 2_000, 3_000, 11_000, 100_000)] == [
        "لتر واحد", "لتران", "3 لترات", "11 لترًا", "100 لتر"]
    assert [plural_form("ar", n * 1000) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103)] == [
        "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few"]
    assert [plural_form("fr", n) for n in (0, 1_000, 1_500, 2_000, 1_000_000_000)] == [
        "one", "one", "one", "other", "many"]


def test_the_report_and_exports_give_quantities_with_their_unit(
        client: TestClient, db: Database, world: World) -> None:
    stall = world.argan
    push(client, stall, day_of(stall.device_id, DAY, 3, [
        (HONEY, 3_500, 70_000, "kg"), (SAFFRON, 2_000, 42_000, None), (OIL, 1_000, 8_500, "l")],
        default_unit="piece"))
    logged_in(client, db)
    report_fr = client.get(f"/dashboard/report?market={world.market_id}&lang=fr").text
    assert ">3,5 kg<" in report_fr and ">2 pièces<" in report_fr
    report_ar = client.get(f"/dashboard/report?market={world.market_id}&lang=ar").text
    assert ">قطعتان<" in report_ar and ">3,5 كلغ<" in report_ar and ">لتر واحد<" in report_ar

    reply = client.get(f"/dashboard/export/products.csv?market={world.market_id}&lang=fr")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-3:] == ["Quantité", "Unité", "Montant (DH)"]
    assert [r[3:] for r in rows[1:]] == [
        [HONEY, f"منتج {HONEY}", f"Produit {HONEY}", "3,5", "kg", "700,00"],
        [SAFFRON, f"منتج {SAFFRON}", f"Produit {SAFFRON}", "2", "pièce", "420,00"],
        [OIL, f"منتج {OIL}", f"Produit {OIL}", "1", "l", "85,00"]]
    ar = client.get(f"/dashboard/export/products.csv?market={world.market_id}&lang=ar")
    assert [r[7] for r in list(csv.reader(
        io.StringIO(ar.content.decode("utf-8-sig")), delimiter=";"))[1:]] == ["كلغ", "قطعة", "لتر"]
    book = client.get(f"/dashboard/export/products.xlsx?market={world.market_id}&lang=en")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.title == "Products"
    assert [c.value for c in sheet[2]][6:] == [3.5, "kg", 700]


def test_migration_0007_adds_the_unit_and_goes_back(empty_database: Database) -> None:
    """Going back drops the units and keeps the lines; lines stored before the migration
    come back without a unit."""
    db = empty_database
    db.migrate()
    market_id, argan, _ = seed_market(db)
    with db.write() as s:
        code, _ = admin.issue_enrol_code(s, argan)
        device = ingest.enrol(s, code, "stall").device_id
    with db.write() as s:
        ingest.push(db, s, ingest.DeviceAuth(device, argan, market_id), [day_of(
            device, DAY, 3, [(HONEY, 3_500, 70_000, "kg")], default_unit="piece")])
    assert stored_units(db, DAY) == {HONEY: "kg"}
    alembic(db, "downgrade", "0006")
    with db.read() as s:
        row = s.execute(text("SELECT * FROM summary_products")).mappings().one()
    assert "unit" not in row and (row["product_id"], row["quantity"]) == (HONEY, 3_500)
    alembic(db, "upgrade", "0007")
    assert stored_units(db, DAY) == {HONEY: None}


def test_the_summary_schema_documents_the_units(client: TestClient) -> None:
    schema = json.dumps(client.get("/openapi.json").json())
    assert "default_unit" in schema and '"kg"' in schema
