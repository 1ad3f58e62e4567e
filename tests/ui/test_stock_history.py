"""The manager at a five-day market asks why the stock is what it is: "Stock history…" on
the Products screen lists the moves of the product chosen, newest first, in French and in
Arabic at 1024x600; the count of products low on stock lists them, and "Show all
products" brings the others back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos import catalogue, users
from pos.catalogue import ProductData
from pos.db import DB_FILENAME, Store
from pos.models import Product
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin
from tests.ui.test_product_stock import _sell
from tests.ui.test_receive_stock import _choose, _receive, _set_stock

LEFT = Qt.MouseButton.LeftButton


def _history(qtbot: Any, window: Any, sku: str, tmp_path: Path, lang: str) -> dict[str, Any]:
    """Open the stock history of ``sku`` from the Products screen, and note what the
    dialog shows (its picture kept as ``history-<lang>.png``); closed with Escape."""
    screen = window.products
    _choose(qtbot, screen, sku)
    seen: dict[str, Any] = {}

    def look(dialog: Any) -> None:
        try:
            table = dialog.table
            seen["title"] = dialog.windowTitle()
            seen["now"] = dialog.now.text()
            seen["columns"] = [table.horizontalHeaderItem(c).text()
                               for c in range(table.columnCount())]
            seen["rows"] = [[table.item(r, c).text() for c in range(table.columnCount())]
                            for r in range(table.rowCount())]
            seen["accessible"] = table.accessibleName()
            seen["direction"] = dialog.layoutDirection()
            seen["focus"] = dialog.focusWidget() is table
            frame = dialog.frameGeometry()
            seen["inside"] = (frame.width() <= window.width()
                              and frame.height() <= window.height())
            seen["wide"] = [table.columnWidth(c) for c in range(table.columnCount())]
            seen["viewport"] = table.viewport().width()
            dialog.grab().save(str(tmp_path / f"history-{lang}.png"))
            seen["ok"] = dialog.ok.isVisible()
        finally:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    on_modal("stockHistoryDialog", look)
    qtbot.mouseClick(screen.history_btn, LEFT)
    return seen


def test_the_history_of_the_argan_oil_says_why_its_stock_is_what_it_is(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    window = make_window(size=(1024, 600))
    window.show_screen("products")
    _sell(window, "ARG-250", 3000)
    _receive(qtbot, window, "ARG-250", ["20"])
    seen = _history(qtbot, window, "ARG-250", tmp_path, "fr")
    assert seen["title"] == "Historique du stock\u00a0: Huile d'argan alimentaire 250 ml"
    assert seen["now"] == ("En stock maintenant\u00a0: 57. Les mouvements les plus récents "
                           "en premier.")
    assert seen["columns"] == ["Date et heure", "Mouvement", "Variation", "Stock après",
                               "Par"]
    rows = seen["rows"]
    assert [row[1:] for row in rows] == [
        ["Réception", "+20", "57", "Fatima"],
        ["Vente T01-000001", "-3", "37", "Aicha"],
        ["Importé de catalogue.csv", "+40", "40", ""],
    ]
    assert all(len(row[0]) == len("01/12/2026 09:30") and row[0][2] == "/" for row in rows)
    assert seen["accessible"] == seen["title"] and seen["focus"] and not seen["ok"]
    assert seen["inside"]  # within the 1024x600 window
    assert sum(seen["wide"]) <= seen["viewport"] + 2  # every column in sight, none cut
    assert QApplication.activeModalWidget() is None


def test_the_history_in_arabic_reads_right_to_left(qtbot: Any, make_window: Any,
                                                   data_dir: Path, tmp_path: Path) -> None:
    window = make_window(lang="ar", size=(1024, 600))
    window.show_screen("products")
    _sell(window, "HNY-KG", 1500)
    seen = _history(qtbot, window, "HNY-KG", tmp_path, "ar")
    assert seen["direction"] == Qt.LayoutDirection.RightToLeft
    assert seen["columns"] == ["التاريخ والوقت", "الحركة", "التغيير", "المخزون بعدها",
                               "من قام بها"]
    assert [row[1:] for row in seen["rows"]] == [
        ["بيع T01-000001", "\u200e-1,5 كلغ", "10,5 كلغ", "Aicha"],
        ["استيراد من catalogue.csv", "\u200e+12 كلغ", "12 كلغ", ""],
    ]
    assert seen["now"] == "المخزون الآن: 10,5 كلغ. أحدث الحركات في الأعلى."
    assert seen["inside"]
    assert sum(seen["wide"]) <= seen["viewport"] + 2


def test_a_count_typed_in_the_product_dialog_is_a_move_of_its_own(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    _choose(qtbot, screen, "ARG-250")

    def count(dialog: Any) -> None:
        dialog.stock.setText("36")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            dialog.reject()

    on_modal("productDialog", count)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    seen = _history(qtbot, window, "ARG-250", tmp_path, "fr")
    assert seen["rows"][0][1:] == ["Comptage", "-4", "36", "Fatima"]


def _count(window: Any, sku: str, typed: int, *, unit: str | None = None) -> None:
    """The manager counts ``typed`` (thousandths) of ``sku`` in the product dialog, in
    ``unit`` when it is changed too."""
    with window.ctx.store.write() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        data = ProductData(sku=sku, name_ar=product.name_ar, name_fr=product.name_fr,
                           price=product.price, category=product.category,
                           unit=unit or product.unit, stock=typed,
                           low_stock=0, member=product.member, photo=product.photo)
        catalogue.save_product(s, data, product.id, stock_shown=product.stock,
                               user=users.require_manager(s, MANAGER_PIN))


def test_a_product_sold_down_to_nothing_still_shows_its_history(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    """Fresh mint, no alert level: 2 bunches counted, both sold. Its stock is 0 and it has
    no alert, yet the manager reads why."""
    window = make_window(day_open=True)
    window.show_screen("products")
    _count(window, "MNT-BND", 2000)
    _sell(window, "MNT-BND", 2000)
    seen = _history(qtbot, window, "MNT-BND", tmp_path, "fr")
    assert [row[1:4] for row in seen["rows"][:2]] == [
        ["Vente T01-000001", "-2", "0"], ["Comptage", seen["rows"][1][2], "2"]]
    assert seen["now"].startswith("En stock maintenant\u00a0: 0.")


def test_a_change_of_unit_leaves_the_moves_before_in_their_unit(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    """Mint sold by the bunch, then by the kilo: the 2 bunches sold stay 2 bunches, the
    change of unit is a row of its own, and the count after it is in kilos."""
    window = make_window(lang="fr", day_open=True)
    window.show_screen("products")
    _count(window, "MNT-BND", 4000)
    _sell(window, "MNT-BND", 2000)
    _count(window, "MNT-BND", 1500, unit="kg")
    seen = _history(qtbot, window, "MNT-BND", tmp_path, "fr")
    assert [row[1:5] for row in seen["rows"][:4]] == [
        ["Comptage", "-0,5 kg", "1,5 kg", "Fatima"],
        ["Unité changée de pièce en kg", "", "2 kg", "Fatima"],
        ["Vente T01-000001", "-2", "2", "Aicha"],
        ["Comptage", seen["rows"][3][2], "4", "Fatima"],
    ]
    assert seen["now"].startswith("En stock maintenant\u00a0: 1,5 kg.")


def test_an_import_from_the_command_line_is_said_so(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    """``souk-pos products import`` signs no user: the history says it was the command
    line, in French and in Arabic."""
    path = tmp_path / "comptage.csv"
    path.write_text("sku;name_fr;price;stock\nARG-250;Huile d'argan;120,00;31\n",
                    encoding="utf-8")
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        catalogue.save_file(s, catalogue.read_csv(path, data_dir),
                            done_from=users.FROM_COMMAND_LINE)
    store.close()
    for lang, said in (("fr", ["Importé de comptage.csv", "-9", "31", "Ligne de commande"]),
                       ("ar", ["استيراد من comptage.csv", "\u200e-9", "31", "سطر الأوامر"])):
        window = make_window(lang=lang, day_open=lang == "fr")
        window.show_screen("products")
        seen = _history(qtbot, window, "ARG-250", tmp_path, lang)
        assert seen["rows"][0][1:] == said
        window.close()


def test_the_history_of_a_product_whose_stock_is_not_counted_says_how_to_count_it(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:  # added at zero, never counted, sold nor received
        catalogue.save_product(s, ProductData(sku="SAV-1", name_ar="صابون", name_fr="Savon",
                                              price=2000))
    store.close()
    window = make_window()
    window.show_screen("products")
    screen = window.products
    _choose(qtbot, screen, "SAV-1")
    product = screen.selected()
    assert product is not None and product.low_stock == 0
    qtbot.mouseClick(screen.history_btn, LEFT)
    assert screen.banner.text() == (
        "Le stock de «\u00a0Savon\u00a0» n'est pas suivi. Saisissez son stock ou un seuil "
        "d'alerte dans «\u00a0Modifier\u00a0» pour suivre ses mouvements.")
    assert QApplication.activeModalWidget() is None
    screen.table.clearSelection()
    qtbot.mouseClick(screen.history_btn, LEFT)
    assert screen.banner.text() == ("Choisissez d'abord un produit dans le tableau, puis "
                                    "appuyez sur «\u00a0Historique du stock…\u00a0».")


def test_the_count_of_products_low_on_stock_lists_them(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path) -> None:
    """Two products low: the count, reached with Tab and pressed with the space bar, lists
    them; "Show all products" brings the catalogue back, at 1024x600 in Arabic too."""
    _set_stock(data_dir, "HNY-EUP", 2000)  # the alert is at 3
    _set_stock(data_dir, "ARG-250", 1000)
    for lang in ("fr", "ar"):
        window = make_window(lang=lang, size=(1024, 600), day_open=lang == "fr")
        window.show_screen("products")
        screen = window.products
        everything = screen.proxy.rowCount()
        assert screen.low_btn.isVisible() and not screen.all_btn.isVisible()
        assert screen.low_btn.text() == {"fr": "2 produits en stock bas",
                                         "ar": "منتجان بمخزون قليل"}[lang]
        assert screen.low_btn.accessibleName() == screen.low_btn.text()
        assert screen.low_btn.focusPolicy() & Qt.FocusPolicy.TabFocus
        screen.low_btn.setFocus()
        qtbot.keyClick(screen.low_btn, Qt.Key.Key_Space)
        shown = {screen.proxy.index(r, 0).data() for r in range(screen.proxy.rowCount())}
        assert shown == {"HNY-EUP", "ARG-250"}
        assert screen.all_btn.isVisible() and screen.all_btn.text() == {
            "fr": "Afficher tous les produits", "ar": "عرض كل المنتجات"}[lang]
        assert window.width() <= 1024
        window.grab().save(str(tmp_path / f"low-{lang}.png"))
        screen.search.setText("miel")  # a search among them
        assert [screen.proxy.index(r, 0).data() for r in range(screen.proxy.rowCount())] == (
            ["HNY-EUP"])
        screen.search.clear()
        screen.all_btn.setFocus()
        qtbot.keyClick(screen.all_btn, Qt.Key.Key_Space)
        assert screen.proxy.rowCount() == everything
        assert not screen.all_btn.isVisible() and not screen.low_btn.isChecked()
        window.close()
