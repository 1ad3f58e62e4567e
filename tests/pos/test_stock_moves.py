"""Why the stock is what it is: every change of a product's stock is kept as a move (a sale,
a refund, a void, goods received, a count, a catalogue import), the moves of a product add
up to its stock, and none is ever changed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import catalogue, day, refunds, stock, users
from pos.catalogue import ProductData
from pos.db import Store
from pos.models import Product, Sale, User
from tests.helpers import MANAGER_PIN, ring
from tests.pos.conftest import run

OLD_DATABASE = Path(__file__).with_name("data") / "schema-0002.sqlite3"


def product_of(store: Store, sku: str) -> Product:
    with store.read() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        return product


def unaccounted(path: Path) -> list[tuple[str, int, int]]:
    """The products of the database at ``path`` whose moves do not add up to their stock:
    (SKU, stock, sum of the moves)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT p.sku, p.stock, COALESCE(SUM(m.change), 0) FROM product p "
            "LEFT JOIN stock_move m ON m.product_id = p.id GROUP BY p.id "
            "HAVING p.stock != COALESCE(SUM(m.change), 0)").fetchall()
    finally:
        conn.close()


def history(store: Store, sku: str) -> list[tuple[str, str, int, int, str, str]]:
    """The product's moves, newest first: (kind, ticket, change, stock after, file, who)."""
    with store.read() as s:
        return [(m.kind, m.ticket, m.change, m.stock_after, m.source, m.user)
                for m in stock.history(s, product_of(store, sku).id)]


def manager(store: Store) -> User:
    with store.read() as s:
        return users.require_manager(s, MANAGER_PIN)


def test_a_market_day_of_moves_adds_up_to_the_stock(store: Store, open_day: int,
                                                    tmp_path: Path) -> None:
    """40 jars of argan oil (the catalogue's import), 3 sold on T01-000001 and 2 with a
    pot of amlou on T01-000002, 1 refunded, the second ticket voided, 20 received, a count
    of 55 typed in the product dialog, then the evening's file saying 50: each step is a
    move, and the moves of every product add up to its stock."""
    boss = manager(store)
    ring(store, [("ARG-250", 3000)])
    second = ring(store, [("ARG-250", 2000), ("AML-250", 1000), ("ARG-250", 1000)])
    first_id = product_of(store, "ARG-250").id
    with store.write() as s:
        first = s.scalar(select(Sale).where(Sale.number == 1))
        assert first is not None
        line = first.lines[0].id
        refunds.refund(s, first.id, quantities={line: 1000}, reason="cassé", manager=boss)
        refunds.void(s, second.id, reason="erreur", manager=boss)
        catalogue.receive_stock(s, first_id, 20000, boss)
    argan = product_of(store, "ARG-250")
    with store.write() as s:  # the dialog showed 58, the manager counted 55
        data = ProductData(sku="ARG-250", name_ar=argan.name_ar, name_fr=argan.name_fr,
                           price=argan.price, unit=argan.unit, stock=55000,
                           low_stock=argan.low_stock, category=argan.category)
        catalogue.save_product(s, data, argan.id, stock_shown=58000, user=boss)
    evening = tmp_path / "soir.csv"
    evening.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;120,00;50\n",
                       encoding="utf-8")
    file = catalogue.read_csv(evening, tmp_path)
    with store.write() as s:
        catalogue.save_file(s, file, user=boss)

    assert product_of(store, "ARG-250").stock == 50000
    assert history(store, "ARG-250") == [
        ("imported", "", -5000, 50000, "soir.csv", "Fatima"),
        ("counted", "", -3000, 55000, "", "Fatima"),
        ("received", "", 20000, 58000, "", "Fatima"),
        ("void", "T01-000004", 3000, 38000, "", "Fatima"),
        ("refund", "T01-000003", 1000, 35000, "", "Fatima"),
        ("sale", "T01-000002", -3000, 34000, "", "Youssef"),  # two lines, one move
        ("sale", "T01-000001", -3000, 37000, "", "Youssef"),
        ("imported", "", 40000, 40000, "catalogue.csv", ""),  # the demo catalogue
    ]
    assert [m[:4] for m in history(store, "AML-250")[:2]] == [
        ("void", "T01-000004", 1000, 45000), ("sale", "T01-000002", -1000, 44000)]
    assert unaccounted(store.path) == []


def test_moves_are_never_changed_nor_deleted(store: Store, open_day: int) -> None:
    ring(store, [("ARG-250", 3000)])
    conn = sqlite3.connect(store.path)
    try:
        for statement in ("UPDATE stock_move SET change = 0",
                          "DELETE FROM stock_move WHERE kind = 'sale'"):
            with pytest.raises(sqlite3.IntegrityError, match="never changed"):
                conn.execute(statement)
    finally:
        conn.close()
    assert history(store, "ARG-250")[0][:4] == ("sale", "T01-000001", -3000, 37000)


def test_a_database_of_before_the_moves_opens_with_its_stock_as_opening_moves(
        tmp_path: Path) -> None:
    path = tmp_path / "souk.sqlite3"
    shutil.copy(OLD_DATABASE, path)
    store = Store.open(path)
    try:
        assert history(store, "ARG-250") == [("opening", "", 37000, 37000, "", "")]
        with store.read() as s:  # in the unit its product had then
            assert [m.unit for m in stock.history(s, product_of(store, "ARG-250").id)] == [
                "piece"]
        with store.write() as s:
            if day.current_day(s) is None:
                day.open_day(s, 0, user=None)
        ring(store, [("ARG-250", 2000)])
        assert [m[:4] for m in history(store, "ARG-250")] == [
            ("sale", history(store, "ARG-250")[0][1], -2000, 35000),
            ("opening", "", 37000, 37000)]
    finally:
        store.close()
    assert unaccounted(path) == []


def test_the_same_file_imported_twice_keeps_the_sales_between(
        store: Store, open_day: int, tmp_path: Path) -> None:
    """Morning: a file counts 30 jars of argan oil; 4 are sold; the same file imported
    again at noon (its prices fixed) keeps the 26, and says why; a new figure is a count."""
    path = tmp_path / "comptage.csv"
    path.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;120,00;30\n",
                    encoding="utf-8")
    file = catalogue.read_csv(path, tmp_path)
    with store.write() as s:
        catalogue.save_file(s, file)
    ring(store, [("ARG-250", 4000)])
    path.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;125,00;30\n",
                    encoding="utf-8")
    with store.write() as s:
        imported = catalogue.save_file(s, catalogue.read_csv(path, tmp_path))
    assert (product_of(store, "ARG-250").stock, product_of(store, "ARG-250").price) == (
        26000, 12500)
    assert imported.text("fr").endswith(
        "1 produit garde le stock de la caisse\u00a0: son stock dans le fichier était celui "
        "qu'a écrit le dernier import.")
    assert imported.text("ar").endswith(
        "احتفظ منتج واحد بمخزون الصندوق، لأن مخزونه في الملف هو ما كتبه آخر استيراد.")
    path.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;125,00;24\n",
                    encoding="utf-8")
    with store.write() as s:
        imported = catalogue.save_file(s, catalogue.read_csv(path, tmp_path))
    assert product_of(store, "ARG-250").stock == 24000 and imported.stock_kept_imported == 0
    assert [m[:4] for m in history(store, "ARG-250")[:3]] == [
        ("imported", "", -2000, 24000), ("sale", "T01-000001", -4000, 26000),
        ("imported", "", -10000, 30000)]
    assert unaccounted(store.path) == []


def test_a_product_created_in_the_dialog_starts_with_its_first_stock(
        store: Store, open_day: int) -> None:
    boss = manager(store)
    with store.write() as s:
        catalogue.save_product(s, ProductData(sku="SAV-1", name_ar="صابون", name_fr="Savon",
                                              price=2000, stock=12000), user=boss)
    assert history(store, "SAV-1") == [("created", "", 12000, 12000, "", "Fatima")]


def test_a_change_of_unit_is_a_move_and_the_moves_before_keep_their_unit(
        store: Store, open_day: int) -> None:
    """Soap sold by the piece, then by the kilo: the piece sold stays a piece, the change
    of unit says so, the count after it is in kilos, and the moves still add up."""
    boss = manager(store)
    soap = ProductData(sku="SAV-1", name_ar="صابون", name_fr="Savon", price=2000,
                       stock=3000)
    with store.write() as s:
        catalogue.save_product(s, soap, user=boss)
    ring(store, [("SAV-1", 1000)])
    soap_id = product_of(store, "SAV-1").id
    with store.write() as s:  # the dialog showed 2; the manager weighs 1,25 kg
        by_kilo = ProductData(sku="SAV-1", name_ar="صابون", name_fr="Savon", price=8000,
                              unit="kg", stock=1250)
        catalogue.save_product(s, by_kilo, soap_id, stock_shown=2000, user=boss)
    with store.read() as s:
        moves = [(m.kind, m.change, m.stock_after, m.unit) for m in stock.history(s, soap_id)]
    assert moves == [("counted", -750, 1250, "kg"), ("unit", 0, 2000, "kg"),
                     ("sale", -1000, 2000, "piece"), ("created", 3000, 3000, "piece")]
    assert stock.change_text(-1000, "piece", "fr") == "-1"  # a piece, never "-1 kg"
    assert unaccounted(store.path) == []


def test_an_import_from_the_command_line_says_so(data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "comptage.csv"
    path.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;120,00;31\n",
                    encoding="utf-8")
    code, _, _ = run(capsys, "--data-dir", str(data), "products", "import", str(path))
    assert code == 0
    store = Store.open(data / "souk.sqlite3")
    try:
        with store.read() as s:
            last = stock.history(s, product_of(store, "ARG-250").id)[0]
    finally:
        store.close()
    assert (last.kind, last.change, last.source, last.user, last.done_from) == (
        "imported", 31000 - 40000, "comptage.csv", "", users.FROM_COMMAND_LINE)


@pytest.mark.parametrize(("change", "unit", "lang", "said"), [
    (20000, "piece", "fr", "+20"),
    (-1500, "kg", "fr", "-1,5 kg"),
    (2500, "kg", "ar", "\u200e+2,5 كلغ"),
    (-3000, "piece", "ar", "\u200e-3"),
    (0, "piece", "en", "0"),
])
def test_a_change_is_written_with_its_sign_and_unit(change: int, unit: str, lang: str,
                                                    said: str) -> None:
    assert stock.change_text(change, unit, lang) == said
