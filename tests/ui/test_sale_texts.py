"""Texts of the sale screen: a category name with "&" shows the "&" on its tab, an empty
catalogue says how to add products, a name never wraps between a number and its unit, and
a unit has one word, the same on every screen and on the receipt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from pos import catalogue, receipts, settings, users
from pos.cart import PaymentSpec
from pos.catalogue import ProductData
from pos.db import DB_FILENAME, Store
from pos.money import NBSP
from tests.ui.conftest import CASHIER_PIN, MANAGER_PIN, click_tile, on_modal, tile_row, type_text
from ui.products import ProductDialog
from ui.tiles import TILE_SIZE, keep_units


def tab_texts(window: Any) -> dict[str, str]:
    tabs = window.sale.tabs
    return {tabs.tabData(i): tabs.tabText(i) for i in range(tabs.count())}


def test_an_ampersand_in_a_category_is_shown_not_taken_as_a_shortcut(
        qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr")
    assert tab_texts(window)["textiles"] == "Tapis et textiles"
    window.ctx.set_language("en", save=False)
    text = tab_texts(window)["textiles"]
    assert text == "Carpets && textiles"  # a tab shows "&&" as one "&"
    assert QKeySequence.mnemonic(text).isEmpty()
    assert all(QKeySequence.mnemonic(t).isEmpty() for t in tab_texts(window).values())


@pytest.fixture
def empty_catalogue(data_dir: Path) -> Path:
    """The stall's database replaced by one set up with its users and no product at all."""
    (data_dir / DB_FILENAME).unlink()
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        settings.device_id(s)
        settings.put(s, settings.COOPERATIVE, {"name_ar": "تعاونية", "name_fr": "Coopérative",
                                               "ice": "001234567000089", "city": "Fès"})
        users.add_user(s, "Fatima", users.MANAGER, MANAGER_PIN)
        users.add_user(s, "Aicha", users.CASHIER, CASHIER_PIN)
        settings.put(s, settings.SETUP_DONE, True)
    store.close()
    return data_dir


@pytest.mark.parametrize(("lang", "message", "searched"), [
    ("en", "No products yet: add them in Products (F4) or import a CSV file.",
     "No product matches."),
    ("fr", "Aucun produit pour l'instant : ajoutez-les dans Produits (F4) ou importez un "
     "fichier CSV.", "Aucun produit ne correspond."),
    ("ar", "لا توجد منتجات بعد: أضِفها في المنتجات (F4) أو استورد ملف CSV.",
     "لا يوجد منتج بهذا الاسم."),
])
def test_an_empty_catalogue_says_how_to_add_products(
        qtbot: Any, make_window: Any, empty_catalogue: Path, lang: str, message: str,
        searched: str) -> None:
    window = make_window(lang=lang)
    sale = window.sale
    assert sale.model.rowCount() == 0
    assert sale.no_result.isVisible() and sale.no_result.text() == message
    type_text(qtbot, sale.search, "miel")
    assert sale.no_result.isVisible() and sale.no_result.text() == searched
    sale.search.clear()
    assert sale.no_result.text() == message


def test_a_search_without_result_in_a_full_catalogue(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="en")
    sale = window.sale
    assert not sale.no_result.isVisible()
    type_text(qtbot, sale.search, "zzzz")
    assert sale.no_result.isVisible() and sale.no_result.text() == "No product matches."


@pytest.mark.parametrize(("lang", "sku", "lines"), [
    ("fr", "HNA-100", ["Henné naturel", f"100{NBSP}g"]),
    ("fr", "ARG-250", ["Huile d'argan", f"alimentaire 250{NBSP}ml"]),
    ("ar", "ROS-200", ["ماء الورد قلعة مكونة", f"200{NBSP}مل"]),
])
def test_a_tile_name_wraps_with_a_number_and_its_unit_together(
        qtbot: Any, make_window: Any, lang: str, sku: str, lines: list[str]) -> None:
    window = make_window(lang=lang)
    sale = window.sale
    row = tile_row(window, sku)
    width = TILE_SIZE.width() - 22  # the card's margins and the text's, as painted
    name, _price = sale.delegate._text(sale.model.products[row], width)
    assert name.split("\n") == lines
    click_tile(qtbot, window, row)
    assert lines[-1] in sale.cart_model.index(0, 0).data()


def test_a_long_name_cut_on_its_tile_keeps_its_size(qtbot: Any, make_window: Any) -> None:
    window = make_window(lang="fr")
    sale = window.sale
    width = TILE_SIZE.width() - 22
    rose = sale.model.products[tile_row(window, "ROS-200")]  # Eau de rose de Kelaat M'Gouna
    first, second = sale.delegate._text(rose, width)[0].split("\n")
    assert first == "Eau de rose de"
    assert second.startswith("Kelaat") and second.endswith(f"… 200{NBSP}ml")


def test_keep_units_leaves_other_words_alone() -> None:
    assert keep_units("Tapis 2 lits 3 kg") == f"Tapis 2 lits 3{NBSP}kg"
    assert keep_units("Lot de 2 l'unité") == "Lot de 2 l'unité"
    assert keep_units("Safran 0,5 g, 1 l") == f"Safran 0,5{NBSP}g, 1{NBSP}l"


def tooltips(root: QWidget) -> dict[str, str]:
    return {w.objectName(): w.toolTip() for w in root.findChildren(QWidget) if w.toolTip()}


def test_tooltips_and_the_last_sale_follow_the_language(qtbot: Any,
                                                        make_window: Any) -> None:
    window = make_window(lang="fr")
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    sale.complete([PaymentSpec("cash", 6500, 10000)])
    before = tooltips(sale)
    assert before == {"cartDiscount": "Remise sur le panier (marchandage)"}
    window.ctx.set_language("ar", save=False)
    assert tooltips(sale) == {"cartDiscount": "تخفيض على السلة (مساومة)"}
    window.ctx.set_language("en", save=False)
    assert tooltips(sale) == {"cartDiscount": "Cart discount (bargaining)"}
    assert sale.last_sale.text() == "Ticket T01-000001 recorded: MAD\u00a065.00"
    assert sale.last_change.text() == "Give change: MAD\u00a035.00"


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", {"piece": "pièce", "kg": "kg", "g": "g", "l": "l"}),
    ("ar", {"piece": "قطعة", "kg": "كلغ", "g": "غ", "l": "لتر"}),
])
def test_a_unit_reads_the_same_on_the_screen_and_on_the_receipt(
        qtbot: Any, make_window: Any, data_dir: Path, lang: str, words: dict[str, str]) -> None:
    """One word for each unit in each language (in Arabic the Moroccan كلغ): the tile's
    price, the weight asked, the cart, the products table, the product form and the receipt
    all write it alike."""
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        catalogue.save_product(s, ProductData("OLV-L", "زيت الزيتون باللتر",
                                              "Huile d'olive au litre", 9000, unit="l"))
    store.close()
    window = make_window(lang=lang)
    sale = window.sale
    t = window.ctx.t
    kg, litre = words["kg"], words["l"]
    width = TILE_SIZE.width() - 22
    for sku, word in (("HNY-KG", kg), ("OLV-L", litre)):
        _name, price = sale.delegate._text(sale.model.products[tile_row(window, sku)], width)
        assert price.endswith(f" / {word}")
    captions: list[str] = []

    def weigh(text: str) -> Callable[[Any], None]:
        def handle(dialog: Any) -> None:
            captions.append(dialog.findChild(QLabel, "weightDialogCaption").text())
            qtbot.keyClicks(dialog.field, text)
            qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
        return handle

    on_modal("weightDialog", weigh("0,5"))
    click_tile(qtbot, window, tile_row(window, "HNY-KG"))  # 200,00 the kilo
    on_modal("weightDialog", weigh("1,5"))
    click_tile(qtbot, window, tile_row(window, "OLV-L"))  # 90,00 the litre
    honey = window.ctx.name_of("عسل متعدد الأزهار بالكيلو", "Miel toutes fleurs au kilo")
    olive = window.ctx.name_of("زيت الزيتون باللتر", "Huile d'olive au litre")
    assert captions == [t("ui.cart.weight_caption", name=honey, unit=kg),
                        t("ui.cart.weight_caption", name=olive, unit=litre)]
    cart = sale.cart_model
    assert [cart.index(row, 1).data() for row in (0, 1)] == [f"0,5 {kg}", f"1,5 {litre}"]
    assert cart.index(0, 0).data().split("\n")[1].endswith(f" / {kg}")
    sale.complete([PaymentSpec("cash", 23500, tendered=23500)])
    assert sale.cart.is_empty
    with window.ctx.read() as s:
        receipt = receipts.load_sale_receipt(s, sale.last_sale_id, lang=lang)
    details = [b.label for b in receipt.blocks if isinstance(b, receipts.Columns) and b.near]
    assert details == [f"0,5 {kg} × 200,00", f"1,5 {litre} × 90,00"]
    window.show_screen("products")
    table = window.products.model
    unit_column = {p.sku: table.index(row, 4).data() for row, p in enumerate(table.products)}
    assert (unit_column["ARG-250"], unit_column["HNY-KG"], unit_column["OLV-L"]) == (
        words["piece"], kg, litre)
    form = ProductDialog(window.ctx, window.products, window.photos)
    assert [form.unit.itemText(i) for i in range(form.unit.count())] == list(words.values())
    form.deleteLater()
