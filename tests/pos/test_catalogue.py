from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pos import catalogue
from pos.catalogue import ProductData, SearchIndex, fold
from pos.db import Store
from pos.errors import InputError
from pos.i18n import ltr
from pos.models import Product
from pos.stock_alert import low_on_stock
from tests.helpers import ring

HEADER = (
    "sku,name_ar,name_fr,category,price,unit,tax_rate,barcodes,stock,low_stock,member,photo,"
    "active\n"
)


def count(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(Product.id))) or 0)


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_csv_round_trips_arabic_names_and_all_fields(store: Store, lang: str) -> None:
    text = HEADER + (
        "ARG-1,زيت أركان,Huile d'argan,oils,120.50,piece,0,6111000000014|6111000000021,40,5,"
        "Fatima,argan.png,1\n"
        "SAF-KG,زعفران,\"Safran, pistils\",spices,\"45,00\",kg,20,,1.5,0.25,Zahra,,0\n"
    )
    with store.write() as s:
        assert catalogue.import_csv(s, text) == 2
    with store.read() as s:
        exported = catalogue.export_csv(catalogue.all_products(s, include_inactive=True), lang)
    other = Store.open(store.path.parent.parent / "other" / "souk.sqlite3")
    with other.write() as s:
        catalogue.import_csv(s, exported)
    with other.read() as s:
        again = catalogue.export_csv(catalogue.all_products(s, include_inactive=True), lang)
        saffron = s.scalar(select(Product).where(Product.sku == "SAF-KG"))
        assert saffron is not None
        names = (saffron.name_ar, saffron.name_fr, saffron.price)
        assert names == ("زعفران", "Safran, pistils", 4500)
        fields = (saffron.unit, saffron.tax_rate, saffron.stock, saffron.low_stock)
        assert fields == ("kg", 20, 1500, 250)
        assert saffron.active is False
        argan = catalogue.by_barcode(s, "6111000000021")
        assert argan is not None and argan.sku == "ARG-1" and argan.price == 12050
    other.close()
    assert again == exported


def test_a_bad_row_names_its_line_and_nothing_is_imported(store: Store) -> None:
    text = HEADER + (
        "A-1,أ,A,x,10,piece,0,,1,0,,,1\n"
        "A-2,ب,B,x,dix,piece,0,,1,0,,,1\n"
        "A-3,ج,C,x,10,piece,0,,1,0,,,1\n"
    )
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, text)
    assert caught.value.message("fr").startswith("Ligne 3 :")
    assert "« dix »" in caught.value.message("fr")
    assert "السطر 3" in caught.value.message("ar")
    assert count(store) == 0


@pytest.mark.parametrize(
    ("row", "line_text"),
    [
        ("B-1,ب,B,x,10,box,0,,1,0,,,1", "box"),
        ("B-1,ب,B,x,10,piece,19,,1,0,,,1", "19"),
        ("B-1,ب,B,x,-3,piece,0,,1,0,,,1", "-3"),
        ("B-1,,,x,10,piece,0,,1,0,,,1", "a name, in name_ar or in name_fr"),
        ("B-1,ب,B,x,10,piece,0,,1,0,,,peut-être", "peut-être"),
        ("B-1,ب,B,x,10,piece,0,12,1,0,,,1", "12"),
    ],
)
def test_each_kind_of_bad_row_is_explained(store: Store, row: str, line_text: str) -> None:
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, HEADER + "A-1,أ,A,x,10,piece,0,,1,0,,,1\n" + row + "\n")
    message = caught.value.message("en")
    assert message.startswith("Line 3:") and line_text in message
    assert count(store) == 0


def test_a_row_with_a_name_in_one_language_is_imported(store: Store) -> None:
    """As in the product dialog, a name in Arabic or in French is enough."""
    with store.write() as s:
        catalogue.import_csv(s, HEADER + "A-1,,Savon noir,x,10,piece,0,,1,0,,,1\n"
                                          "A-2,صابون,,x,10,piece,0,,1,0,,,1\n")
    with store.read() as s:
        names = {p.sku: (p.name_ar, p.name_fr) for p in s.scalars(select(Product))}
    assert names == {"A-1": ("", "Savon noir"), "A-2": ("صابون", "")}


def test_duplicate_sku_and_missing_columns_are_refused(store: Store) -> None:
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv(HEADER + "A,أ,A,x,1,piece,0,,1,0,,,1\nA,ب,B,x,1,piece,0,,1,0,,,1\n")
    assert caught.value.key == "csv.bad_row" and caught.value.params["line"] == 3
    reason = caught.value.params["reason"]
    assert isinstance(reason, InputError)
    assert reason.key == "csv.duplicate" and reason.params["first"] == 2
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv("sku;nom\nA;B\n")
    assert caught.value.key == "csv.header"


def test_semicolon_csv_with_bom_from_a_spreadsheet(store: Store) -> None:
    text = "\ufeff" + HEADER.replace(",", ";") + "A-1;أ;A;x;12,5;piece;0;;1;0;;;1\n"
    rows = catalogue.parse_csv(text)
    assert rows[0].price == 1250


def test_barcode_belongs_to_one_product(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "A", 100, barcodes=["123456"]))
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.add_or_update(s, ProductData("B", "ب", "B", 100, barcodes=["123456"]))
    assert caught.value.key == "product.barcode_taken"
    assert count(store) == 1


def test_search_ignores_case_accents_and_arabic_diacritics(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("H", "عَسَل الزَّعْتَر", "Miel de thym", 100))
        catalogue.add_or_update(s, ProductData("E", "إكليل", "Épices du Souss", 100))
        catalogue.add_or_update(s, ProductData("G", "غاسول", "Ghassoul", 100, barcodes=["6111"]))
    with store.read() as s:
        index = SearchIndex(catalogue.all_products(s))
    assert [p.sku for p in index.search("عسل")] == ["H"]
    assert [p.sku for p in index.search("MIEL thym")] == ["H"]
    assert [p.sku for p in index.search("epices")] == ["E"]
    assert [p.sku for p in index.search("اكليل")] == ["E"]
    assert [p.sku for p in index.search("6111")] == ["G"]
    assert index.search("zzz") == []
    assert fold("Épicé") == "epice"


def test_search_reads_arabic_indic_digits_as_the_keyboards_digits(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "زيت أركان ٢٥٠ مل", "", 100))
        catalogue.add_or_update(s, ProductData("B", "زيت أركان 500 مل", "", 100))
        catalogue.add_or_update(s, ProductData("C", "زعفران ۵ غ", "", 100))  # Persian digits
    with store.read() as s:
        index = SearchIndex(catalogue.all_products(s))
    assert [p.sku for p in index.search("اركان 250")] == ["A"]
    assert [p.sku for p in index.search("زيت ٥٠٠")] == ["B"]
    assert [p.sku for p in index.search("زعفران 5")] == ["C"]


_WORDS = st.sampled_from(["miel", "huile", "أركان", "عسل", "thym", "a", "m", "250", "g", "é"])


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.lists(_WORDS, max_size=4).map(" ".join), max_size=30),
    query=st.lists(_WORDS, max_size=3).map(" ".join),
    limit=st.one_of(st.none(), st.integers(0, 5)),
)
def test_search_finds_the_products_holding_every_word_in_catalogue_order(
    names: list[str], query: str, limit: int | None
) -> None:
    products = [SimpleNamespace(name_ar="", name_fr=name, sku=f"P{i}", barcodes=[])
                for i, name in enumerate(names)]
    words = fold(query).split()
    expected = [p for p in products if all(w in fold(f"{p.name_fr} {p.sku}") for w in words)]
    found = SearchIndex(products).search(query, limit)  # type: ignore[arg-type]
    assert found == (expected if limit is None else expected[:limit])


def test_low_stock_is_listed(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "A", 100, stock=2000, low_stock=3000))
        catalogue.add_or_update(s, ProductData("B", "ب", "B", 100, stock=9000, low_stock=3000))
    with store.read() as s:
        assert [p.sku for p in catalogue.low_stock(s)] == ["A"]


def test_the_products_low_on_stock_are_those_whose_tiles_say_so(store: Store) -> None:
    """At the alert level or below (sold past zero too) is low; no alert level never is,
    whatever the stock: the catalogue's list and the tiles' badge follow one rule."""
    cases = {"AT": (3000, 3000), "UNDER": (-1000, 3000), "ABOVE": (3001, 3000),
             "NO-ALERT": (-2000, 0), "ZERO": (0, 0)}
    with store.write() as s:
        for sku, (level, low) in cases.items():
            catalogue.add_or_update(s, ProductData(sku, "أ", sku, 100, stock=level,
                                                   low_stock=low))
        listed = {p.sku for p in catalogue.low_stock(s)} & set(cases)
    assert listed == {"AT", "UNDER"}
    assert listed == {sku for sku, (level, low) in cases.items() if low_on_stock(level, low)}


def product(store: Store, sku: str) -> Product:
    with store.read() as s:
        found = s.scalar(select(Product).where(Product.sku == sku))
        assert found is not None, sku
        _ = list(found.barcodes)
        return found


def test_csv_decimals_are_never_read_as_thousands(store: Store) -> None:
    text = HEADER + (
        "HNY,عسل,Miel,x,0.500,kg,0,,1.500,0.250,,,1\n"
        "SAF,زعفران,Safran,x,\"1.250,50\",g,0,,\"0,750\",0,,,1\n"
        "TAP,زربية,Tapis,x,1.250.000,piece,0,,1,0,,,1\n"
    )
    with store.write() as s:
        assert catalogue.import_csv(s, text) == 3
    honey, saffron, carpet = product(store, "HNY"), product(store, "SAF"), product(store, "TAP")
    assert (honey.price, honey.stock, honey.low_stock) == (50, 1500, 250)
    assert (saffron.price, saffron.stock) == (125050, 750)
    assert carpet.price == 125000000


def test_csv_stock_may_be_zero_or_below_zero(store: Store) -> None:
    text = HEADER + (
        "A,أ,A,x,10,piece,0,,0,0,,,1\n"
        "B,ب,B,x,10,piece,0,,0.0,0.0,,,1\n"
        "C,ج,C,x,10,piece,0,,-6,2,,,1\n"
        "D,د,D,x,10,kg,0,,\"-0,250\",,,,1\n"
    )
    with store.write() as s:
        assert catalogue.import_csv(s, text) == 4
    assert [product(store, sku).stock for sku in "ABCD"] == [0, 0, -6000, -250]
    assert product(store, "C").low_stock == 2000


@pytest.mark.parametrize(
    ("stock", "low", "shown"),
    [("--6", "0", "--6"), ("six", "0", "six"), ("1.2345", "0", "1.2345"), ("4", "-1", "-1"),
     ("-2000000", "0", "-2000000")],
)
def test_nonsense_stock_is_still_refused(store: Store, stock: str, low: str, shown: str) -> None:
    text = HEADER + "A,أ,A,x,10,piece,0,,1,0,,,1\n" + f"B,ب,B,x,10,piece,0,,{stock},{low},,,1\n"
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, text)
    message = caught.value.message("en")
    assert message.startswith("Line 3:") and shown in message
    assert count(store) == 0


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_exported_catalogue_with_stock_sold_past_imports_again(
    store: Store, open_day: int, tmp_path: Path, lang: str
) -> None:
    """Also from an Arabic stall: a file is for spreadsheets, its numbers carry none of the
    direction marks of an Arabic screen's minus."""
    sold = product(store, "SAF-1G").stock + 6000
    ring(store, [("SAF-1G", sold)])
    with store.read() as s:
        exported = catalogue.export_csv(catalogue.all_products(s, include_inactive=True), lang)
    row = next(line for line in exported.splitlines() if "SAF-1G" in line)
    assert ";-6;" in row and not re.search("[\u200e\u200f\u061c\u2066-\u2069]", exported)
    with store.read() as s:
        before = {p.sku: (p.stock, p.low_stock, p.price, sorted(b.code for b in p.barcodes))
                  for p in catalogue.all_products(s, include_inactive=True)}
    assert before["SAF-1G"][0] == -6000
    fresh = Store.open(tmp_path / "fresh" / "souk.sqlite3")
    try:
        with fresh.write() as s:
            assert catalogue.import_csv(s, exported) == len(before)
        with fresh.read() as s:
            after = {p.sku: (p.stock, p.low_stock, p.price, sorted(b.code for b in p.barcodes))
                     for p in catalogue.all_products(s, include_inactive=True)}
            again = catalogue.export_csv(catalogue.all_products(s, include_inactive=True), lang)
    finally:
        fresh.close()
    assert after == before
    assert again == exported


def test_a_barcode_on_two_rows_names_both_lines(store: Store) -> None:
    text = HEADER + (
        "A1,أ,A,x,10,piece,0,1234567,1,0,,,1\n"
        "A2,ب,B,x,10,piece,0,,1,0,,,1\n"
        "A3,ج,C,x,10,piece,0,7654321|1234567,1,0,,,1\n"
    )
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, text)
    assert caught.value.message("en") == (
        "Line 4: barcode 1234567 is already on line 2 (product A1). Nothing was imported."
    )
    assert caught.value.message("fr").startswith("Ligne 4 :")
    assert "السطر 4" in caught.value.message("ar")
    assert count(store) == 0


def test_a_barcode_of_a_product_outside_the_file_is_refused_with_its_line(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("OLD", "قديم", "Ancien", 100, barcodes=["1234567"]))
    rows = catalogue.parse_csv(HEADER + (
        "A1,أ,A,x,10,piece,0,1111111,1,0,,,1\n"
        "A2,ب,B,x,10,piece,0,1234567,1,0,,,1\n"
    ))
    with pytest.raises(InputError) as caught, store.write() as s:
        for data in rows:  # as the CLI and the products screen do, in one transaction
            catalogue.add_or_update(s, data)
    assert caught.value.message("en") == (
        "Line 3: Barcode 1234567 already belongs to product OLD ('Ancien'). Nothing was "
        "imported."
    )
    assert "«قديم»" in caught.value.message("ar")
    assert count(store) == 1
    assert [b.code for b in product(store, "OLD").barcodes] == ["1234567"]


def test_a_barcode_may_move_between_products_of_the_file(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "A", 100, barcodes=["1234567"]))
        catalogue.add_or_update(s, ProductData("B", "ب", "B", 100))
    text = HEADER + (
        "B,ب,B,x,1,piece,0,1234567,1,0,,,1\n"  # B takes A's barcode before A's row gives it up
        "A,أ,A,x,1,piece,0,7654321,1,0,,,1\n"
    )
    with store.write() as s:
        assert catalogue.import_csv(s, text) == 2
    assert [b.code for b in product(store, "B").barcodes] == ["1234567"]
    assert [b.code for b in product(store, "A").barcodes] == ["7654321"]
    with store.read() as s:
        found = catalogue.by_barcode(s, "1234567")
        assert found is not None and found.sku == "B"


def test_a_product_edited_by_hand_keeps_stock_sold_past(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "A", 100, stock=-2000))
    assert product(store, "A").stock == -2000
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "A", 100, stock=0, low_stock=-1))
    assert caught.value.key == "product.low_stock"
    assert product(store, "A").stock == -2000


def fields(store: Store, sku: str) -> tuple[object, ...]:
    p = product(store, sku)
    return (p.sku, p.name_fr, p.price, p.stock, p.category, p.member,
            [b.code for b in p.barcodes])


@pytest.mark.parametrize(("sku", "key"), [("ARG-1", "product.sku_taken"),
                                          (" arg-1 ", "product.sku_taken_case")])
def test_a_new_product_with_another_products_sku_is_refused_capitals_aside(
    store: Store, sku: str, key: str
) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData(
            "ARG-1", "زيت أركان", "Huile d'argan", 12000, category="oils", stock=400000,
            member="Fatima", barcodes=["6111000000014"]))
    before = fields(store, "ARG-1")
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.save_product(s, ProductData(sku, "صابون", "Savon test", 1000))
    assert caught.value.key == key
    assert "« Huile d'argan »" in caught.value.message("fr")
    assert "«زيت أركان»" in caught.value.message("ar")
    assert "Nothing was saved" in caught.value.message("en")
    assert count(store) == 1 and fields(store, "ARG-1") == before


def test_a_barcode_of_another_product_is_refused_and_nothing_is_written(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "Ambre", 100, barcodes=["1234567"]))
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.save_product(s, ProductData("B", "ب", "B", 100, barcodes=["1234567"]))
    assert caught.value.message("fr") == (
        "Le code-barres 1234567 appartient déjà au produit A « Ambre ».")
    assert count(store) == 1


def test_a_checked_product_never_takes_a_barcode_another_was_given_since(store: Store) -> None:
    """The product dialog checks before the PIN and writes after it without checking
    again: a barcode given to another product in between (a CSV import) is refused as it
    is written, and nothing is."""
    data = ProductData("B", "ب", "B", 100, barcodes=["1234567"])
    with store.read() as s:
        catalogue.check_product(s, data)
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "أ", "Ambre", 100, barcodes=["1234567"]))
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.save_product(s, data, checked=True)
    assert caught.value.key == "product.barcode_taken" and caught.value.params["sku"] == "A"
    assert count(store) == 1 and fields(store, "A")[-1] == ["1234567"]


def test_an_edit_may_change_the_sku_but_not_to_another_products(store: Store) -> None:
    with store.write() as s:
        first = catalogue.add_or_update(s, ProductData("A-1", "أ", "A", 100, barcodes=["111111"]))
        catalogue.add_or_update(s, ProductData("B-1", "ب", "B", 200))
        first_id = first.id
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.save_product(s, ProductData("b-1", "أ", "A", 150), first_id)
    assert caught.value.key == "product.sku_taken_case" and caught.value.params["other"] == "B-1"
    assert fields(store, "A-1")[:3] == ("A-1", "A", 100)
    with store.write() as s:  # a new code renames the product; its barcode stays its own
        catalogue.save_product(s, ProductData("A-2", "أ", "A", 150, barcodes=["111111"]),
                               first_id)
    assert count(store) == 2
    assert fields(store, "A-2") == ("A-2", "A", 150, 0, "", "", ["111111"])


def test_a_product_keeping_a_code_another_shares_capitals_aside_may_still_be_edited(
    store: Store
) -> None:
    with store.write() as s:  # two codes alike but for capitals, from before they were refused
        catalogue.add_or_update(s, ProductData("ARG-1", "أ", "A", 100))
        twin = Product(sku="arg-1", name_ar="ب", name_fr="B", price=100)
        s.add(twin)
        s.flush()
        twin_id = twin.id
    with store.write() as s:
        catalogue.save_product(s, ProductData("arg-1", "ب", "B", 100, active=False), twin_id)
    assert product(store, "arg-1").active is False


def test_csv_updates_the_product_the_till_finds_capitals_aside(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("ARG-1", "أ", "Argan", 100, stock=5000))
    with store.write() as s:
        assert catalogue.import_csv(s, HEADER + "arg-1,أ,Argan bio,x,12,piece,0,,7,0,,,1\n") == 1
    assert count(store) == 1
    assert fields(store, "ARG-1")[:4] == ("ARG-1", "Argan bio", 1200, 7000)  # its own spelling


def test_csv_rows_whose_codes_differ_by_capitals_only_are_refused_with_both_lines(
    store: Store
) -> None:
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, HEADER + (
            "ARG-1,أ,A,x,1,piece,0,,1,0,,,1\n"
            "MNT,ب,B,x,1,piece,0,,1,0,,,1\n"
            "Arg-1,ج,C,x,1,piece,0,,1,0,,,1\n"))
    assert caught.value.message("en") == (
        "Line 4: product code Arg-1 is the same as ARG-1 on line 2: the till does not tell "
        "capitals from small letters. Nothing was imported.")
    assert "السطر 4" in caught.value.message("ar")
    assert count(store) == 0


def test_csv_code_matching_two_products_capitals_aside_is_refused(store: Store) -> None:
    with store.write() as s:
        s.add_all([Product(sku="ARG-1", name_ar="أ", name_fr="A", price=100),
                   Product(sku="arg-1", name_ar="ب", name_fr="B", price=100)])
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, HEADER + "Arg-1,ج,C,x,1,piece,0,,1,0,,,1\n")
    message = caught.value.message("fr")
    assert message.startswith("Ligne 2 :") and "ARG-1, arg-1" in message
    with store.write() as s:  # written exactly as one of them, it updates that one
        catalogue.import_csv(s, HEADER + "arg-1,ج,C,x,1,piece,0,,1,0,,,1\n")
    assert fields(store, "arg-1")[1] == "C" and fields(store, "ARG-1")[1] == "A"


TRICKY = HEADER + (
    "0012,زيت,Huile,oils,120.50,piece,0,6111250000017,40,5,,,1\n"
    "MAR-12,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"Miel \"\"pur\"\", 1 kg\",honey,"
    "1250,kg,20,0012345|6111250000024,\"-1,5\",0.25,-Fatima,,0\n"
    "\"A\"\"1\",أ,+212,@home,0,g,7,,0.001,0,Zahra,ph.png,1\n"
)


def catalogue_of(store: Store) -> dict[str, tuple[object, ...]]:
    """Every product's fields, barcodes included, by SKU."""
    with store.read() as s:
        return {p.sku: (p.name_ar, p.name_fr, p.category, p.price, p.unit, p.tax_rate,
                        [b.code for b in p.barcodes], p.stock, p.low_stock, p.member,
                        p.photo, p.active)
                for p in catalogue.all_products(s, include_inactive=True)}


@pytest.mark.parametrize(("lang", "separator", "prices"),
                         [("fr", ";", ("120,50", "1250,00")), ("ar", ";", ("120,50", "1250,00")),
                          ("en", ",", ("120.50", "1250.00"))])
def test_the_export_reads_in_a_spreadsheet_of_the_language_and_imports_back_the_same(
    store: Store, tmp_path: Path, lang: str, separator: str, prices: tuple[str, str]
) -> None:
    with store.write() as s:
        catalogue.import_csv(s, TRICKY)
    before = catalogue_of(store)
    path = tmp_path / f"{lang}.csv"
    with store.read() as s:
        catalogue.write_csv(path, catalogue.all_products(s, include_inactive=True), lang)
    raw = path.read_bytes()
    assert raw.startswith("\ufeffsku".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                           delimiter=separator))
    assert rows[0] == list(catalogue.CSV_COLUMNS)
    cells = {row[0]: dict(zip(catalogue.CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    # what a spreadsheet gets: codes as text formulas, numbers in the language's way,
    # names it could take for formulas behind a quote
    assert cells['="0012"']["barcodes"] == '="6111250000017"'
    assert cells['="0012"']["price"] == prices[0]
    honey = cells['="MAR-12"']
    assert (honey["price"], honey["barcodes"]) == (prices[1], '="0012345|6111250000024"')
    assert honey["stock"] == ("-1.5" if lang == "en" else "-1,5")
    assert honey["name_ar"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert (honey["name_fr"], honey["member"]) == ('Miel "pur", 1 kg', "'-Fatima")
    odd = cells['="A""1"']
    assert (odd["name_fr"], odd["category"]) == ("'+212", "'@home")

    fresh = Store.open(tmp_path / "fresh" / "souk.sqlite3")
    try:
        with fresh.write() as s:
            assert catalogue.import_csv(s, raw.decode("utf-8-sig")) == 3
        assert catalogue_of(fresh) == before
        again = tmp_path / "again.csv"
        with fresh.read() as s:
            catalogue.write_csv(again, catalogue.all_products(s, include_inactive=True), lang)
        assert again.read_bytes() == raw
    finally:
        fresh.close()


def test_codes_a_spreadsheet_saved_again_import_as_they_were(store: Store) -> None:
    """Saved again by a spreadsheet, a code written as a text formula is bare text."""
    text = ("\ufeff" + HEADER.replace(",", ";") +
            "0012;زيت;Huile;oils;120,50;piece;0;6111250000017;40;5;;;1\r\n"
            "'=1;ع;'-Miel;x;1;piece;0;;1;0;;;1\r\n")
    with store.write() as s:
        catalogue.import_csv(s, text)
    assert catalogue_of(store)["0012"][6] == ["6111250000017"]
    assert catalogue_of(store)["=1"][1] == "-Miel"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("B-1,ب,B,x,10,piece,0,,1,0,,,peut-être", "« peut-être » n'est ni oui ni non."),
        ("B-1,ب,B,x,10,piece,0,,1,0,,,1,en trop", "Plus de champs que de colonnes."),
        ("B-1,,,x,,piece,0,,1,0,,,1",
         "Vides : un nom, en name_ar ou en name_fr, et les colonnes : price."),
        ("B-1,,,x,10,piece,0,,1,0,,,1", "Vide : un nom, en name_ar ou en name_fr."),
        ("B-1,,B,x,,piece,0,,1,0,,,1", "Colonnes vides : price."),
    ],
)
def test_a_bad_row_reads_as_sentences(store: Store, row: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv(HEADER + row + "\n")
    assert caught.value.message("fr") == f"Ligne 2 : {reason} Rien n'a été importé."


EXCEL_HEADER = ("sku;name_ar;name_fr;category;price;unit;tax_rate;barcodes;stock;low_stock;"
                "member;photo;active")


def test_every_bad_line_of_a_file_is_named_at_once(store: Store) -> None:
    codes = [f"{611100000000 + i}" for i in range(12)]
    rows = [f"P-{i};منتج {i};Produit {i};x;{10 + i},50;piece;20;"
            f"{code}{catalogue.check_digit(code)};1;0;;;1" for i, code in enumerate(codes)]
    rows[1] = rows[1].replace("11,50", "11,5O")  # line 3
    rows[3] = rows[3].replace("13,50", "-3")  # line 5
    rows[4] = rows[4].replace("P-4", "P-0")  # line 6: line 2's code
    rows[6] = rows[6].replace(";20;", ";19;")  # line 8
    text = "\r\n".join([EXCEL_HEADER, *rows])
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, text)
    assert caught.value.message("fr").replace("\xa0", " ").splitlines() == [
        "Rien n'a été importé : ces lignes du fichier sont erronées. Corrigez-les toutes, "
        "puis importez le fichier à nouveau.",
        "Ligne 3 : « 11,5O » n'est pas un montant (par exemple 12,50).",
        "Ligne 5 : « -3 » : le montant ne peut pas être négatif.",
        "Ligne 6 : le code produit P-0 figure déjà ligne 2.",
        "Ligne 8 : Le taux de TVA 19 % n'est pas 0, 7, 10, 14 ou 20 %.",
    ]
    assert caught.value.message("ar").splitlines()[1] == "السطر 3: «11,5O» ليس مبلغًا (مثال: 12,50)."
    assert count(store) == 0


def test_bad_lines_past_those_described_are_named_by_their_lines(store: Store) -> None:
    rows = [f"P-{i};;Produit {i};x;douze;piece;0;;1;0;;;1" for i in range(catalogue.LISTED + 3)]
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv("\n".join([EXCEL_HEADER, *rows]))
    lines = caught.value.message("en").splitlines()
    assert len(lines) == 1 + catalogue.LISTED + 1
    first = 2 + catalogue.LISTED  # the header is line 1
    assert lines[-1] == f"And lines {first}, {first + 1}, {first + 2}."
    assert caught.value.message("ar").splitlines()[-1] == (  # with the Arabic comma
        f"والأسطر {first}، {first + 1}، {first + 2} أيضًا.")


def test_the_barcodes_of_products_outside_the_file_are_all_named(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("OLD", "قديم", "Ancien", 100,
                                               barcodes=["1234567", "7654321"]))
    text = HEADER + ("A1,أ,A,x,10,piece,0,1234567,1,0,,,1\n"
                     "A2,ب,B,x,10,piece,0,2222222,1,0,,,1\n"
                     "A3,ج,C,x,10,piece,0,7654321,1,0,,,1\n")
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, text)
    said = caught.value.message("en")
    assert "Line 2: Barcode 1234567 already belongs to product OLD" in said
    assert "Line 4: Barcode 7654321 already belongs to product OLD" in said
    assert count(store) == 1


def test_a_sheet_as_excel_saves_it_imports(store: Store) -> None:
    """Excel writes the empty rows of its sheet as ``;;;;``, the cells of a column once used
    as trailing ``;``, a rate formatted as a percentage as ``20%``, and FALSE, in French,
    as ``FAUX``."""
    text = "\ufeff" + "\r\n".join([
        EXCEL_HEADER,
        "SAF-1G;زعفران تالوين;Safran de Taliouine;Épices;35,00;g;20%;;250;50;;;1;;",
        ";;;;;;;;;;;;;;",
        "HNY-KG;عسل;Miel;Alimentation;180,00;kg;10 %;;12,5;2;;;FAUX",
        ";;;;;;;;;;;;",
        "",
    ])
    with store.write() as s:
        assert catalogue.import_csv(s, text) == 2
    assert (product(store, "SAF-1G").tax_rate, product(store, "HNY-KG").tax_rate) == (20, 10)
    assert product(store, "HNY-KG").stock == 12500
    assert (product(store, "SAF-1G").active, product(store, "HNY-KG").active) == (True, False)


def test_a_barcode_a_spreadsheet_turned_into_a_number_is_named_so(store: Store) -> None:
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv("\n".join([
            EXCEL_HEADER, "ARG-250;زيت;Huile;x;120,00;piece;0;6,11125E+12;1;0;;;1"]))
    assert caught.value.message("fr").replace("\xa0", " ").startswith(
        "Ligne 2 : « 6,11125E+12 » est un code-barres que le tableur a changé en nombre")
    assert "Texte" in caught.value.message("fr") and "«نص»" in caught.value.message("ar")


def test_a_file_of_prices_changes_the_prices_only(store: Store) -> None:
    """Mid-week the manager imports a file of codes, names and new prices: the stock,
    barcodes, photos, VAT and the rest of the products stay as they were."""
    with store.write() as s:
        catalogue.add_or_update(s, ProductData(
            "ARG-250", "زيت أركان 250 مل", "Huile d'argan 250 ml", 12000, category="oils",
            tax_rate=20, barcodes=["6111245780016"], stock=40000, low_stock=5000,
            member="Fatima", photo="argan.png", active=False))
    with store.write() as s:
        assert catalogue.import_csv(s, "\ufeffsku;name_ar;name_fr;price\r\n"
                                       "ARG-250;زيت أركان 250 مل;Huile d'argan 250 ml;130,00\r\n"
                                       "NEW-1;;Savon noir;25,00\r\n") == 2
    argan = product(store, "ARG-250")
    assert (argan.price, argan.stock, argan.low_stock, argan.tax_rate, argan.category,
            argan.member, argan.photo, argan.active, [b.code for b in argan.barcodes]) == (
        13000, 40000, 5000, 20, "oils", "Fatima", "argan.png", False, ["6111245780016"])
    soap = product(store, "NEW-1")
    assert (soap.price, soap.stock, soap.unit, soap.tax_rate, soap.active) == (
        2500, 0, "piece", 0, True)


def test_a_file_of_french_names_only_updates_them_and_adds_products(store: Store) -> None:
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("SAV-1", "صابون", "Savon", 2000))
    with store.write() as s:
        assert catalogue.import_csv(s, "sku;name_fr;price\r\nSAV-1;Savon noir;22,00\r\n"
                                       "SAV-2;Savon à l'argan;30,00\r\n") == 2
    assert (product(store, "SAV-1").name_ar, product(store, "SAV-1").name_fr) == (
        "صابون", "Savon noir")
    assert (product(store, "SAV-2").name_ar, product(store, "SAV-2").price) == ("", 3000)


def test_codes_read_left_to_right_in_arabic_messages(store: Store) -> None:
    """A code of digits and dashes keeps its order in an Arabic sentence (isolated), where
    the bidi algorithm would show 12-34 as 34-12."""
    with pytest.raises(InputError) as caught:
        ProductData("A-1", "صابون", "", 100, barcodes=["12-34/5"]).validate()
    assert "«\u206612-34/5\u2069»" in caught.value.message("ar")
    assert "« 12-34/5 »" in caught.value.message("fr").replace("\xa0", " ")
    with pytest.raises(InputError) as caught:
        catalogue.parse_csv(HEADER + "250-12,أ,A,x,1,piece,0,,1,0,,,1\n"
                                     "250-12,ب,B,x,1,piece,0,,1,0,,,1\n")
    assert "\u2066250-12\u2069" in caught.value.message("ar")


def test_unicode_text_from_excel_reads_and_a_windows_code_page_is_refused() -> None:
    rows = "sku\tname_ar\tname_fr\tprice\r\nSAV-1\tصابون\tSavon à l'huile\t25,00\r\n"
    read = catalogue.parse_csv(catalogue.decode_csv(rows.encode("utf-16")))  # with its mark
    assert [(d.sku, d.name_ar, d.name_fr, d.price) for d in read] == [
        ("SAV-1", "صابون", "Savon à l'huile", 2500)]
    assert catalogue.decode_csv("\ufeff".encode() + rows.encode()) == rows
    with pytest.raises(InputError) as caught:
        catalogue.decode_csv(rows.replace("صابون", "").encode("cp1252"))
    assert "CSV UTF-8" in caught.value.message("fr")


def test_a_few_digits_typed_find_names_not_the_middle_of_barcodes(store: Store) -> None:
    """"250" is a size the seller types ("huile 250"): it never finds every product whose
    barcode holds 250 somewhere. A barcode is found by its beginning, typed off a worn
    label, or whole, a short code of the stall's own."""
    with store.write() as s:
        catalogue.add_or_update(s, ProductData("A", "زيت أركان 250 مل", "Huile d'argan 250 ml",
                                               100, barcodes=["6111245780054"]))
        catalogue.add_or_update(s, ProductData("B", "عسل", "Miel de thym", 100,
                                               barcodes=["6111250000017"]))
        catalogue.add_or_update(s, ProductData("C", "زعفران", "Safran", 100, barcodes=["1001"]))
    with store.read() as s:
        index = SearchIndex(catalogue.all_products(s))
    assert [p.sku for p in index.search("250")] == ["A"]  # not B, whose code holds 250
    assert [p.sku for p in index.search("huile 250")] == ["A"]
    assert [p.sku for p in index.search("611125")] == ["B"]  # a barcode's beginning
    assert [p.sku for p in index.search("6111")] == []  # too short for one
    assert [p.sku for p in index.search("61112")] == []
    assert [p.sku for p in index.search("6111245780054")] == ["A"]
    assert [p.sku for p in index.search("٦١١١٢٤٥٧٨٠٠٥٤")] == ["A"]  # an Arabic keyboard's digits
    assert [p.sku for p in index.search("1001")] == ["C"]  # a short code, whole
    assert [p.sku for p in index.search("100")] == []
    assert [p.sku for p in index.search("780054")] == []  # the end of a code is not its start
    assert [p.sku for p in index.search("61112", limit=1)] == []
    assert [p.sku for p in index.search("611124 argan")] == ["A"]


LOOK_AT_THE_LABEL = ("Vérifiez le code-barres sur l'étiquette : tel quel, un scan ne trouverait "
                     "jamais le produit.")


@pytest.mark.parametrize(("code", "kind", "digit"), [
    ("4006381333932", "EAN-13", "1"), ("96385071", "EAN-8", "4"),
    ("036000291450", "UPC-A", "2"), ("10012345678900", "GTIN-14", "2")])
def test_a_barcode_typed_with_a_wrong_last_digit_is_refused_saying_the_right_one(
        store: Store, code: str, kind: str, digit: str) -> None:
    """The last digit of a GS1 code checks the others: typed wrong, the code would never
    be scanned. The message names the code and the digit it would end in."""
    new = ProductData("A", "زيت", "Huile", 100, barcodes=["1001", code])
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.check_product(s, new)
    assert caught.value.key == "product.barcode_check"
    assert caught.value.message("fr").replace("\xa0", " ") == (
        f"Le dernier chiffre du code-barres {code} est faux : en {kind}, ce serait {digit}. "
        + LOOK_AT_THE_LABEL)
    said = caught.value.message("ar")
    assert ltr(code, "ar") in said and ltr(kind, "ar") in said and f" {digit}." in said
    assert f"as {kind}, it would be {digit}." in caught.value.message("en")
    with pytest.raises(InputError), store.write() as s:
        catalogue.save_product(s, new)
    assert count(store) == 0
    right = code[:-1] + digit
    with store.write() as s:
        catalogue.save_product(s, ProductData("A", "زيت", "Huile", 100, barcodes=[right]))
        added = s.scalar(select(Product).where(Product.sku == "A"))
        assert added is not None
        with pytest.raises(InputError) as caught:  # a second code, added to the product
            catalogue.check_product(s, ProductData("A", "زيت", "Huile", 100,
                                                   barcodes=[right, code]), added.id)
        assert caught.value.key == "product.barcode_check"
    with store.read() as s:
        found = catalogue.by_barcode(s, right)
        assert found is not None and found.sku == "A"


@pytest.mark.parametrize("code", ["1001", "0012345", "61112457800", "611124578001234",
                                  "ABC-123", "6111245780012A", "CODE128-6111245780019"])
def test_a_stalls_own_codes_are_taken_whatever_their_last_digit(store: Store,
                                                                 code: str) -> None:
    """Codes of other lengths than a GS1 code's, or with letters (Code 128), are the
    stall's to choose."""
    with store.write() as s:
        catalogue.save_product(s, ProductData("A", "زيت", "Huile", 100, barcodes=[code]))
    assert [b.code for b in product(store, "A").barcodes] == [code]


def test_barcodes_with_a_wrong_last_digit_in_a_file_are_named_by_their_lines_at_once(
        store: Store) -> None:
    codes = ["6111250000017", "6111250000018", "1001", "036000291450", "96385074"]
    rows = [f"P-{i};منتج {i};Produit {i};x;10,50;piece;20;{code};1;0;;;1"
            for i, code in enumerate(codes)]
    with pytest.raises(InputError) as caught, store.write() as s:
        catalogue.import_csv(s, "\r\n".join([EXCEL_HEADER, *rows]))
    lines = caught.value.message("fr").replace("\xa0", " ").splitlines()
    assert lines[0].startswith("Rien n'a été importé : ces lignes du fichier sont erronées.")
    assert lines[1:] == [
        "Ligne 3 : Le dernier chiffre du code-barres 6111250000018 est faux : en EAN-13, ce "
        "serait 7. " + LOOK_AT_THE_LABEL,
        "Ligne 5 : Le dernier chiffre du code-barres 036000291450 est faux : en UPC-A, ce "
        "serait 2. " + LOOK_AT_THE_LABEL,
    ]
    assert caught.value.message("ar").splitlines()[1].startswith(
        f"السطر 3: الرقم الأخير من الباركود {ltr('6111250000018', 'ar')} خاطئ")
    assert count(store) == 0


def test_a_product_of_an_older_database_is_edited_with_the_wrong_barcode_it_holds(
        tmp_path: Path) -> None:
    """A till of an earlier version took any last digit (the demo catalogue's were all
    wrong): its products' prices and stock are still changed, in the product dialog's way
    and by a file exported and imported again, and a scan of such a code still finds its
    product; a wrong code added to one is refused."""
    path = tmp_path / "souk.sqlite3"
    shutil.copy(Path(__file__).with_name("data") / "schema-0002.sqlite3", path)
    store = Store.open(path)
    try:
        old = product(store, "ARG-250")
        assert [b.code for b in old.barcodes] == ["6111245780012"]  # its last digit: 6
        edited = ProductData(old.sku, old.name_ar, old.name_fr, 12500, category=old.category,
                             unit=old.unit, tax_rate=old.tax_rate, barcodes=["6111245780012"],
                             stock=old.stock + 10_000, low_stock=old.low_stock,
                             member=old.member, photo=old.photo, active=old.active)
        with store.write() as s:
            catalogue.check_product(s, edited, old.id)
            catalogue.save_product(s, edited, old.id, checked=True)
        assert fields(store, "ARG-250")[2:4] == (12500, old.stock + 10_000)

        with store.read() as s:
            text = catalogue.export_csv(catalogue.all_products(s, include_inactive=True), "fr")
        lines = [ln.replace(";125,00;", ";130,00;") if ln.startswith('"=""ARG-250"""') else ln
                 for ln in text.splitlines()]
        with store.write() as s:
            assert catalogue.import_csv(s, "\r\n".join(lines)) == len(lines) - 1
        assert fields(store, "ARG-250")[2] == 13000
        assert fields(store, "ARG-250")[-1] == ["6111245780012"]
        with store.read() as s:
            found = catalogue.by_barcode(s, "6111245780012")
            assert found is not None and found.sku == "ARG-250"

        edited.barcodes = ["6111245780012", "6111245780019"]
        with pytest.raises(InputError) as caught, store.write() as s:
            catalogue.save_product(s, edited, old.id)
        assert caught.value.key == "product.barcode_check"
        assert fields(store, "ARG-250")[2:] == (13000, old.stock + 10_000, old.category,
                                                old.member, ["6111245780012"])
    finally:
        store.close()


def picture(path: Path, width: int, height: int, *, detail: bool = False) -> Path:
    """A photo of ``width`` x ``height`` pixels at ``path`` (JPEG or PNG by its suffix): its
    upper half red, or with ``detail`` noise that no JPEG makes small."""
    import os

    from PySide6.QtGui import QColor, QImage, QPainter

    if detail:
        image = QImage(os.urandom(width * height * 3), width, height, width * 3,
                       QImage.Format.Format_RGB888).copy()
    else:
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.fillRect(0, 0, width, height // 2, QColor("red"))
        painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path))
    return path


def kept_photos(store: Store) -> list[str]:
    folder = store.path.parent / "photos"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def import_file(store: Store, path: Path) -> catalogue.Imported:
    """Import the CSV file at ``path`` as the app and ``souk-pos products import`` do."""
    file = catalogue.read_csv(path, store.path.parent)
    with store.write() as s:
        return catalogue.save_file(s, file)


def test_photos_named_by_their_path_or_beside_the_file_are_kept_beside_the_database(
        store: Store, tmp_path: Path) -> None:
    """A manager's file names a picture on the laptop by its full path, and others in the
    folder of photos beside the file (as Excel on Windows writes them too, with
    backslashes): each is kept beside the database, at most 480 pixels, under a name of its
    own that the product holds, where the tiles find it."""
    from PySide6.QtGui import QImage

    from pos import photos

    argan = picture(tmp_path / "home" / "fatima" / "Images" / "argan.jpg", 2000, 1500)
    market = tmp_path / "marché"
    picture(market / "photos" / "miel.png", 600, 800)
    picture(market / "photos" / "amlou.jpg", 300, 200)
    source = market / "catalogue.csv"
    source.write_text(HEADER + (
        f"ARG-1,زيت أركان,Huile d'argan,oils,120,piece,0,,4,0,,{argan},1\n"
        "HNY-1,عسل,Miel,honey,80,piece,0,,4,0,,photos/miel.png,1\n"
        "AML-1,أملو,Amlou,spreads,60,piece,0,,4,0,,photos\\amlou.jpg,1\n"
        "SAV-1,صابون,Savon,soap,20,piece,0,,4,0,,,1\n"
    ), encoding="utf-8")
    imported = import_file(store, source)
    assert (imported.added, imported.updated) == (4, 0)
    assert imported.text("fr") == (
        "4 produits importés. Nouveaux\u00a0: 4, mis à jour\u00a0: 0. 3 photos copiées.")
    assert imported.text("ar").endswith(" نُسخت 3 صور.")
    data_dir = store.path.parent
    sizes = {}
    for sku in ("ARG-1", "HNY-1", "AML-1"):
        name = product(store, sku).photo
        assert name.startswith(sku + "-") and "/" not in name
        kept = data_dir / "photos" / name
        assert photos.find(name, data_dir) == kept
        image = QImage(str(kept))
        sizes[sku] = (image.width(), image.height())
        assert image.pixelColor(0, 0).red() > 200 and image.pixelColor(0, 0).green() < 80
    assert sizes == {"ARG-1": (480, 360), "HNY-1": (360, 480), "AML-1": (300, 200)}
    assert product(store, "SAV-1").photo == ""
    assert len(kept_photos(store)) == 3 and not [n for n in kept_photos(store) if "partial" in n]


def test_a_missing_photo_and_a_file_that_is_no_picture_are_named_by_their_lines(
        store: Store, tmp_path: Path) -> None:
    picture(tmp_path / "photos" / "miel.jpg", 100, 100)
    (tmp_path / "photos" / "prix.jpg").write_text("12 DH le pot", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not a picture")
    source = tmp_path / "catalogue.csv"
    source.write_text(HEADER + (
        "HNY-1,عسل,Miel,honey,80,piece,0,,4,0,,photos/miel.jpg,1\n"
        "AML-1,أملو,Amlou,spreads,60,piece,0,,4,0,,photos/amlou.jpg,1\n"
        "ARG-1,زيت,Huile,oils,120,piece,0,,4,0,,C:\\Users\\Fatima\\Pictures\\argan.jpg,1\n"
        "PRX-1,ثمن,Prix,x,1,piece,0,,4,0,,photos/prix.jpg,1\n"
        f"DOC-1,وثيقة,Notes,x,1,piece,0,,4,0,,{tmp_path / 'notes.docx'},1\n"
    ), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_file(store, source)
    lines = caught.value.message("fr").replace("\xa0", " ").splitlines()
    assert lines[1:] == [
        "Ligne 3 : Photo photos/amlou.jpg introuvable : aucun fichier de ce nom sur cet "
        "ordinateur, ni à côté du fichier CSV.",
        "Ligne 4 : Photo C:\\Users\\Fatima\\Pictures\\argan.jpg introuvable : aucun fichier "
        "de ce nom sur cet ordinateur, ni à côté du fichier CSV.",
        "Ligne 5 : Le fichier photos/prix.jpg n'est pas une image que la caisse sait lire : "
        "indiquez une photo JPEG ou PNG.",
        f"Ligne 6 : Le fichier {tmp_path / 'notes.docx'} n'est pas une image que la caisse "
        "sait lire : indiquez une photo JPEG ou PNG.",
    ]
    assert caught.value.message("ar").splitlines()[1].startswith("السطر 3: الصورة")
    assert count(store) == 0 and kept_photos(store) == []


def cut_short(photo: Path, path: Path) -> Path:
    """The first 2 KB of ``photo`` at ``path``: its header right, its image cut off, as a
    copy stopped half-way leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo.read_bytes()[:2048])
    return path


def test_a_photo_cut_short_is_named_by_its_line_with_the_other_bad_lines(
        store: Store, tmp_path: Path) -> None:
    """A JPEG copied in part from a phone is one more bad line of the file, in the
    manager's language, with a price typed wrong and a photo missing; nothing is written,
    no photo kept."""
    whole = picture(tmp_path / "phone" / "argan.jpg", 800, 600, detail=True)
    cut_short(whole, tmp_path / "photos" / "argan.jpg")
    cut_short(picture(tmp_path / "phone" / "miel.png", 300, 300, detail=True),
              tmp_path / "photos" / "miel.png")
    picture(tmp_path / "photos" / "amlou.jpg", 100, 100)
    source = tmp_path / "catalogue.csv"
    source.write_text(HEADER + (
        "SAV-1,صابون,Savon,soap,2O,piece,0,,4,0,,,1\n"
        "ARG-1,زيت,Huile,oils,120,piece,0,,4,0,,photos/argan.jpg,1\n"
        "AML-1,أملو,Amlou,spreads,60,piece,0,,4,0,,photos/amlou.jpg,1\n"
        "HNY-1,عسل,Miel,honey,80,piece,0,,4,0,,photos/miel.png,1\n"
        "THE-1,شاي,Thé,tea,30,piece,0,,4,0,,photos/the.jpg,1\n"
    ), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_file(store, source)
    lines = caught.value.message("fr").replace("\xa0", " ").splitlines()
    assert lines[1:] == [
        "Ligne 2 : « 2O » n'est pas un montant (par exemple 12,50).",
        "Ligne 3 : Le fichier photos/argan.jpg est abîmé : il s'arrête avant la fin de "
        "l'image (copié en partie ?). Copiez-le de nouveau depuis le téléphone ou "
        "l'appareil photo.",
        "Ligne 5 : Le fichier photos/miel.png est abîmé : il s'arrête avant la fin de "
        "l'image (copié en partie ?). Copiez-le de nouveau depuis le téléphone ou "
        "l'appareil photo.",
        "Ligne 6 : Photo photos/the.jpg introuvable : aucun fichier de ce nom sur cet "
        "ordinateur, ni à côté du fichier CSV.",
    ]
    assert caught.value.message("ar").splitlines()[2].startswith("السطر 3: الملف")
    assert "تالف" in caught.value.message("ar").splitlines()[2]
    assert count(store) == 0 and kept_photos(store) == []


def test_the_progress_of_an_import_counts_the_photos_copied(
        store: Store, tmp_path: Path) -> None:
    """Saving the rows is not the end of an import naming photos: the progress goes on
    while they are copied, and is whole once they are."""
    picture(tmp_path / "photos" / "miel.jpg", 800, 600)
    picture(tmp_path / "photos" / "amlou.png", 300, 200)
    source = tmp_path / "catalogue.csv"
    source.write_text(HEADER + "".join(
        f"P-{i},منتج,Produit {i},x,10,piece,0,,4,0,,,1\n" for i in range(60)) + (
        "HNY-1,عسل,Miel,honey,80,piece,0,,4,0,,photos/miel.jpg,1\n"
        "AML-1,أملو,Amlou,spreads,60,piece,0,,4,0,,photos/amlou.png,1\n"
    ), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    file = catalogue.read_csv(source, store.path.parent)
    with store.write() as s:
        imported = catalogue.save_file(s, file, lambda done, total: seen.append((done, total)))
    assert seen == [(50, 64), (62, 64), (63, 64), (64, 64)]
    assert imported.photos == 2 and len(kept_photos(store)) == 2


def test_a_bad_price_and_a_wrong_check_digit_are_named_in_one_import(
        store: Store, tmp_path: Path) -> None:
    """The check digit of a new barcode needs the database to tell new codes, yet the
    manager hears of it with the price typed wrong, and of a missing photo, at once."""
    source = tmp_path / "catalogue.csv"
    source.write_text("\r\n".join([
        EXCEL_HEADER,
        "P-1;منتج;Produit 1;x;10,50;piece;20;6111250000017;1;0;;;1",
        "P-2;منتج;Produit 2;x;12,5O;piece;20;;1;0;;;1",
        "P-3;منتج;Produit 3;x;10,50;piece;20;6111250000018;1;0;;;1",
        "P-4;منتج;Produit 4;x;10,50;piece;20;;1;0;;miel.jpg;1",
    ]), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_file(store, source)
    lines = caught.value.message("fr").replace("\xa0", " ").splitlines()
    assert lines[1:] == [
        "Ligne 3 : « 12,5O » n'est pas un montant (par exemple 12,50).",
        "Ligne 4 : Le dernier chiffre du code-barres 6111250000018 est faux : en EAN-13, ce "
        "serait 7. " + LOOK_AT_THE_LABEL,
        "Ligne 5 : Photo miel.jpg introuvable : aucun fichier de ce nom sur cet ordinateur, "
        "ni à côté du fichier CSV.",
    ]
    assert count(store) == 0
    with pytest.raises(InputError) as caught, store.write() as s:  # a text as the demo's
        catalogue.import_csv(s, source.read_text(encoding="utf-8"))
    assert [line.split(":")[0] for line in caught.value.message("en").splitlines()[1:]] == [
        "Line 3", "Line 4"]


def test_an_exported_catalogue_imports_again_with_its_photos(
        store: Store, tmp_path: Path) -> None:
    """The export writes the names of the photos kept: imported again (a price changed in
    Excel) the products keep them, and no photo is copied once more, nor by the same file
    with its paths imported again."""
    picture(tmp_path / "photos" / "miel.jpg", 800, 600)
    source = tmp_path / "catalogue.csv"
    source.write_text(HEADER + (
        "HNY-1,عسل,Miel,honey,80,piece,0,,4,0,,photos/miel.jpg,1\n"
        "AML-1,أملو,Amlou,spreads,60,piece,0,,4,0,,almonds.png,1\n"  # a demo photo's name
    ), encoding="utf-8")
    import_file(store, source)
    honey = product(store, "HNY-1").photo
    assert kept_photos(store) == [honey]
    assert product(store, "AML-1").photo == "almonds.png"

    exported = tmp_path / "export" / "produits.csv"
    exported.parent.mkdir()
    with store.read() as s:
        catalogue.write_csv(exported, catalogue.all_products(s, include_inactive=True), "fr")
    exported.write_text(exported.read_text(encoding="utf-8-sig").replace("80,00", "85,00"),
                        encoding="utf-8")
    imported = import_file(store, exported)
    assert (imported.added, imported.updated, imported.photos) == (0, 2, 0)
    assert imported.text("fr") == (
        "2 produits importés. Nouveaux\u00a0: 0, mis à jour\u00a0: 2. 2 produits gardent le "
        "stock de la caisse\u00a0: leur stock dans le fichier était celui qu'a écrit le "
        "dernier import.")
    assert (product(store, "HNY-1").photo, product(store, "HNY-1").price) == (honey, 8500)
    assert product(store, "AML-1").photo == "almonds.png"
    assert kept_photos(store) == [honey]

    import_file(store, source)
    assert product(store, "HNY-1").photo == honey and kept_photos(store) == [honey]


def test_a_photo_that_cannot_be_written_leaves_the_catalogue_as_it_was(
        store: Store, tmp_path: Path) -> None:
    """The disk fills up on the second photo: the first is removed too, and no product is
    added; the message says so."""
    from tests.helpers import small_disk

    with store.write() as s:
        catalogue.add_or_update(s, ProductData("OLD", "قديم", "Ancien", 100))
    picture(tmp_path / "photos" / "small.jpg", 64, 64)
    picture(tmp_path / "photos" / "large.jpg", 480, 480, detail=True)
    source = tmp_path / "catalogue.csv"
    source.write_text(HEADER + (
        "A-1,أ,A,x,10,piece,0,,1,0,,photos/small.jpg,1\n"
        "B-1,ب,B,x,10,piece,0,,1,0,,photos/large.jpg,1\n"
    ), encoding="utf-8")
    with small_disk(store.path.parent / "photos", size="64k"):
        with pytest.raises(InputError) as caught:
            import_file(store, source)
        assert kept_photos(store) == []
    assert caught.value.key == "product.photo_cannot_write"
    assert "Rien n'a été enregistré" in caught.value.message("fr")
    assert count(store) == 1 and product(store, "OLD").photo == ""
