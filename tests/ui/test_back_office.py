"""Products (edit, CSV import and export with progress), the figures, settings (the
cooperative, users and their new PINs typed twice, backups) and the screenshots command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QFileDialog, QLabel
from sqlalchemy import select

from pos import backup, catalogue, settings, users
from pos.cart import cash
from pos.catalogue import ProductData
from pos.i18n import ltr, tr
from pos.models import Product
from tests.helpers import small_disk, usb_stick
from tests.ui.conftest import (
    MANAGER_PIN,
    choose_logo,
    click_tile,
    on_modal,
    tile_row,
    type_pin,
    type_text,
)
from tests.ui.test_catalogue_pin import pick, sign_in_manager
from tests.ui.test_language_and_layout import problems
from tests.ui.test_rtl_tables_and_small_screens import SMALL, settle
from tests.ui.test_sale_guards import on_modal as on_active_modal
from ui.widgets import unbroken

LEFT = Qt.MouseButton.LeftButton
HONEY = {"HNY-THY", "HNY-EUP", "HNY-ORG", "HNY-KG"}


def shown(screen: Any, column: int = 0) -> list[str]:
    """The texts of a column of the products table, top to bottom."""
    table = screen.table.model()
    return [table.index(row, column).data() for row in range(table.rowCount())]


def search(qtbot: Any, screen: Any, text: str) -> set[str]:
    """The SKUs listed once ``text`` is typed in the cleared search box."""
    screen.search.clear()
    type_text(qtbot, screen.search, text)
    return set(shown(screen))


def sort_by(qtbot: Any, screen: Any, column: int) -> bool:
    """Click the header of ``column``; whether the table is then sorted in ascending order."""
    header = screen.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))
    assert header.sortIndicatorSection() == column
    return bool(header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder)


def test_csv_import_and_export(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    source = tmp_path / "new.csv"
    rows = ["sku,name_ar,name_fr,category,price,unit,stock,low_stock"]
    rows += [f"IMP-{i},منتج {i},Produit {i},food,{10 + i},piece,5,10" for i in range(120)]
    source.write_text("\n".join(rows), encoding="utf-8")
    on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
    screen.import_file(source)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished(), timeout=10000)
    qtbot.waitUntil(lambda: screen.import_btn.isEnabled())
    assert screen.banner.isVisible() and "120" in screen.banner.text()
    with window.ctx.read() as s:
        assert len(catalogue.all_products(s)) == 33 + 120
    assert "IMP-7" in {p.sku for p in window.sale.products}
    assert "produit" in screen.low_btn.text().lower()

    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name_ar,name_fr,price\nX-1,س,X,douze\n", encoding="utf-8")
    on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
    screen.import_file(bad)
    qtbot.waitUntil(lambda: screen.task.isFinished() and screen.import_btn.isEnabled())
    assert "douze" in screen.banner.text()
    with window.ctx.read() as s:
        assert len(catalogue.all_products(s)) == 153

    out = tmp_path / "out.csv"
    screen.export_file(out)
    qtbot.waitUntil(lambda: screen.task.isFinished() and screen.export_btn.isEnabled())
    text = out.read_bytes().decode("utf-8")
    with window.ctx.read() as s:  # the command line's export, in the app's language
        assert text == "\ufeff" + catalogue.export_csv(
            catalogue.all_products(s, include_inactive=True), "fr")
    assert text.startswith("\ufeffsku;name_ar;") and '\n"=""IMP-119""";' in text
    assert ";129,00;" in text
    assert "153" in screen.banner.text()


def test_edit_a_product_price(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    qtbot.keyClicks(screen.search, "MNT-BND")
    screen.table.selectRow(0)

    def edit(dialog: Any) -> None:
        dialog.price.setText("6,50")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    product = next(p for p in window.sale.products if p.sku == "MNT-BND")
    assert product.price == 650


def test_search_lists_the_matching_products(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    everything = set(shown(screen))
    assert len(everything) == 33
    assert search(qtbot, screen, "MIEL") == HONEY
    assert search(qtbot, screen, "seche") == {"THY-50", "VRB-50"}  # Thym séché, Verveine séchée
    assert search(qtbot, screen, "عَسَل") == HONEY  # harakat typed, none in the names
    assert search(qtbot, screen, "زيت اركان") == {"ARG-250", "ARG-100C", "ARG-500"}  # أركان
    assert search(qtbot, screen, "rug-") == {"RUG-S", "RUG-L"}
    assert search(qtbot, screen, "6111245780078") == {"HNY-THY"}  # its barcode
    assert search(qtbot, screen, "ouchen") == HONEY  # the member who makes them
    # every word, in any order and anywhere in the product (Huile d'argan …)
    assert search(qtbot, screen, "argan huile") == {"ARG-250", "ARG-100C", "ARG-500"}
    assert search(qtbot, screen, "huile  250 ") == {"ARG-250"}
    assert search(qtbot, screen, "miel argan") == set()
    screen.search.clear()
    assert set(shown(screen)) == everything


def test_search_keeps_the_sorted_order_and_the_selection(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    type_text(qtbot, screen.search, "miel")
    screen.table.selectRow(2)
    chosen = screen.selected()
    ascending = sort_by(qtbot, screen, 1)
    assert shown(screen, 1) == sorted(shown(screen, 1), reverse=not ascending)
    assert set(shown(screen)) == HONEY
    assert screen.selected() is chosen
    assert sort_by(qtbot, screen, 1) is not ascending
    assert shown(screen, 1) == sorted(shown(screen, 1), reverse=ascending)
    screen.search.clear()
    names = shown(screen, 1)
    assert len(names) == 33 and names == sorted(names, reverse=ascending)
    assert screen.selected() is chosen


def test_search_finds_a_product_added_or_renamed(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, "NEW-1")
        type_text(qtbot, dialog.name_fr, "Savon au miel d'Imouzzer")
        qtbot.keyClicks(dialog.price, "25")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    type_text(qtbot, screen.search, "imouzzer")
    assert shown(screen) == []
    on_modal("productDialog", add)
    qtbot.mouseClick(screen.add_btn, LEFT)
    assert shown(screen) == ["NEW-1"]
    assert search(qtbot, screen, "miel") == HONEY | {"NEW-1"}

    def rename(dialog: Any) -> None:
        dialog.name_fr.setText("Menthe nanah du jardin")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    assert search(qtbot, screen, "MNT-BND") == {"MNT-BND"}
    screen.table.selectRow(0)
    on_modal("productDialog", rename)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert search(qtbot, screen, "nanah jardin") == {"MNT-BND"}
    assert search(qtbot, screen, "fraiche") == set()


def stored(window: Any, sku: str) -> tuple[object, ...] | None:
    """What the database holds of the product ``sku`` (exactly so spelt)."""
    with window.ctx.read() as s:
        p = s.scalar(select(Product).where(Product.sku == sku))
        if p is None:
            return None
        return (p.name_fr, p.price, p.stock, p.category, p.member, p.active,
                [b.code for b in p.barcodes])


def product_count(window: Any) -> int:
    with window.ctx.read() as s:
        return len(catalogue.all_products(s, include_inactive=True))


def test_a_new_product_with_a_code_taken_is_refused_naming_that_product(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    sign_in_manager(window)  # no PIN asked: the refusal is the code's alone
    window.show_screen("products")
    screen = window.products
    argan = stored(window, "ARG-250")
    seen: list[tuple[bool, str]] = []

    def add(dialog: Any) -> None:
        for sku in ("ARG-250", "arg-250"):
            dialog.sku.clear()
            qtbot.keyClicks(dialog.sku, sku)
            if not dialog.name_fr.text():
                type_text(qtbot, dialog.name_fr, "Savon test")
                type_text(qtbot, dialog.name_ar, "صابون")
                qtbot.keyClicks(dialog.price, "10")
            qtbot.mouseClick(dialog.ok, LEFT)
            seen.append((dialog.isVisible(), dialog.banner.text()))
            if not dialog.isVisible():
                return
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", add)
    qtbot.mouseClick(screen.add_btn, LEFT)
    assert [still_open for still_open, _text in seen] == [True, True]
    exact, case = (text for _open, text in seen)
    assert exact.startswith("Le code ARG-250 est déjà celui du produit "
                            "« Huile d'argan alimentaire 250 ml ».")
    assert case.startswith("Le code arg-250 est le même que celui du produit "
                           "« Huile d'argan alimentaire 250 ml » (ARG-250)")
    assert "Rien n'a été enregistré" in case
    assert stored(window, "ARG-250") == argan and stored(window, "arg-250") is None
    assert product_count(window) == 33
    window.show_screen("sale")
    qtbot.keyClicks(window.sale.search, "arg-250")
    qtbot.keyClick(window.sale.search, Qt.Key.Key_Return)
    assert [(ln.sku, ln.unit_price) for ln in window.sale.cart.lines] == [("ARG-250", 12000)]


def test_a_new_barcode_of_another_product_is_refused_before_the_pin(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    seen: list[str] = []
    asked: list[str] = []

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, "SAV-NEW")
        type_text(qtbot, dialog.name_fr, "Savon test")
        qtbot.keyClicks(dialog.price, "10")
        qtbot.keyClicks(dialog.barcodes, "6111245780016")
        on_modal("pinDialog", lambda pin: (asked.append("pin"), qtbot.mouseClick(pin.cancel,
                                                                                   LEFT)))
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text())
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", add)
    qtbot.mouseClick(screen.add_btn, LEFT)
    assert asked == []
    assert seen == ["Le code-barres 6111245780016 appartient déjà au produit ARG-250 "
                    "« Huile d'argan alimentaire 250 ml »."]
    assert stored(window, "SAV-NEW") is None
    assert stored(window, "ARG-250")[-1] == ["6111245780016"]  # type: ignore[index]


def test_a_product_is_checked_once_when_saved(qtbot: Any, make_window: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Its fields, its code and its barcodes are checked once, before the PIN is asked
    (not again in the write): a code taken is refused with its message, no PIN asked; a
    product with a free code and barcode is saved whole once the PIN is typed."""
    checks: list[str] = []
    validate, same_sku = ProductData.validate, catalogue.same_sku

    def counted_validate(data: ProductData) -> None:
        checks.append("fields")
        validate(data)

    def counted_same_sku(session: Any, sku: str) -> list[Product]:
        checks.append("sku")
        return same_sku(session, sku)

    monkeypatch.setattr(ProductData, "validate", counted_validate)
    monkeypatch.setattr(catalogue, "same_sku", counted_same_sku)
    window = make_window()
    window.show_screen("products")
    screen = window.products
    seen: list[tuple[list[str], list[str], str]] = []
    asked: list[str] = []

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, "ARG-250")  # another product's
        type_text(qtbot, dialog.name_fr, "Savon au miel")
        qtbot.keyClicks(dialog.price, "25")
        qtbot.keyClicks(dialog.barcodes, "6111999000019")
        def pin_typed(pin: Any) -> None:
            asked.append("pin")
            type_pin(qtbot, pin, MANAGER_PIN)

        on_modal("pinDialog", pin_typed)
        for sku in ("ARG-250", "SAV-MIEL"):
            dialog.sku.setText(sku)
            checks.clear()
            qtbot.mouseClick(dialog.ok, LEFT)
            seen.append((list(checks), list(asked), dialog.banner.text()))
            if not dialog.isVisible():
                return
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", add)
    qtbot.mouseClick(screen.add_btn, LEFT)
    refused, saved = seen
    assert refused[:2] == (["fields", "sku"], [])
    assert refused[2].startswith("Le code ARG-250 est déjà celui du produit")
    assert saved[:2] == (["fields", "sku"], ["pin"])
    assert stored(window, "SAV-MIEL") == ("Savon au miel", 2500, 0, "", "", True,
                                          ["6111999000019"])


def test_an_edit_renames_the_code_unless_another_product_has_it(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    mint = stored(window, "MNT-BND")
    pick(qtbot, screen, "MNT-BND")
    seen: list[str] = []
    asked: list[str] = []

    def edit(dialog: Any) -> None:
        on_modal("pinDialog", lambda pin: (asked.append(dialog.sku.text()),
                                           type_pin(qtbot, pin, MANAGER_PIN)))
        dialog.sku.setText("thy-50")  # Thym séché's code, in small letters
        qtbot.mouseClick(dialog.ok, LEFT)
        seen.append(dialog.banner.text())
        if not dialog.isVisible():
            return
        dialog.sku.setText("MNT-BTE")
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert asked == ["MNT-BTE"]  # the code taken was refused before the PIN was asked
    assert "« Thym séché 50 g » (THY-50)" in seen[0]
    assert stored(window, "MNT-BTE") == mint and stored(window, "MNT-BND") is None
    assert product_count(window) == 33


def test_products_open_sorted_by_name_and_sort_prices_as_amounts(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    names = shown(screen, 1)
    assert names[:2] == ["Amandes beldi au kilo", "Amlou aux amandes 250 g"]
    assert names == sorted(names, key=catalogue.fold)
    header = screen.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1, Qt.SortOrder.AscendingOrder)
    assert sort_by(qtbot, screen, 3)
    prices = shown(screen, 3)
    assert prices[0] == "5,00" and prices[-1] == "2\u00a0400,00"


def test_the_product_dialog_shows_english_amounts_in_english(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="en")
    with window.ctx.write() as s:
        honey = s.scalar(select(Product).where(Product.sku == "HNY-KG"))
        assert honey is not None
        honey.stock, honey.low_stock = 2500, 1250
    window.show_screen("products")
    screen = window.products
    assert "2,400.00" in shown(screen, 3)
    seen: list[tuple[str, str, str]] = []
    closed: list[bool] = []

    def look(dialog: Any) -> None:
        seen.append((dialog.price.text(), dialog.stock.text(), dialog.low.text()))
        qtbot.mouseClick(dialog.ok, LEFT)  # unchanged: closes, asking nothing
        closed.append(not dialog.isVisible())

    for sku in ("RUG-L", "HNY-KG"):
        pick(qtbot, screen, sku)
        on_modal("productDialog", look)
        qtbot.mouseClick(screen.edit_btn, LEFT)
    assert seen == [("2,400.00", "2", "1"), ("200.00", "2.5", "1.25")]
    assert closed == [True, True]
    assert stored(window, "HNY-KG")[1:3] == (20000, 2500)  # type: ignore[index]


def test_figures_today_and_edition(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    assert window.sale.complete([cash(85000, 100000)])
    window.show_screen("figures")
    screen = window.figures
    assert screen.kpis["net"][1].text() == "850,00\u00a0DH"
    assert [b[1] for b in screen.chart.bars if b[1]] == [85000]
    assert "Tapis amazigh petit" in screen.top.text()
    qtbot.mouseClick(screen.edition_btn, LEFT)
    assert screen.period.text() == f"{dt.date.today():%d/%m/%Y} · 1 jour"


def test_settings_cooperative_user_and_backup(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("settings")
    screen = window.settings
    screen.coop["city"].setText("Meknès")
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "coopSave"), LEFT)
    with window.ctx.read() as s:
        assert settings.get(s, settings.COOPERATIVE)["city"] == "Meknès"

    def add_user(dialog: Any) -> None:
        qtbot.keyClicks(dialog.name, "Zahra")
        qtbot.keyClicks(dialog.pin, "7777")
        qtbot.keyClicks(dialog.pin_again, "7777")
        qtbot.mouseClick(dialog.ok, LEFT)

    def pin(dialog: Any) -> None:
        on_modal("userDialog", add_user)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "usersAdd"), LEFT)
    with window.ctx.read() as s:
        assert "Zahra" in [u.name for u in users.active_users(s)]
    screen.tabs.setCurrentWidget(screen.backup_list.parentWidget())
    assert screen.no_backup.isVisible() and screen.no_backup.text().startswith(
        "Aucune sauvegarde pour l'instant")
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "backupNow"), LEFT)
    qtbot.waitUntil(lambda: screen.backup_list.count() == 1, timeout=10000)
    assert screen.no_backup.isHidden()


def test_the_cooperatives_city_in_arabic_is_set_in_the_settings_and_printed(
    qtbot: Any, make_window: Any
) -> None:
    """The manager types the cooperative's city in Arabic under its Latin name ("Ville en
    arabe", a right-to-left field); saved, the Arabic receipts write it, those in two
    languages after the Latin name. A cooperative saved before (no Arabic city) shows the
    field empty and prints its Latin city."""
    from PySide6.QtWidgets import QPushButton

    from pos.printing.samples import SAMPLE_HASH, sample_sale
    from pos.receipts import PDI, RLI, Shop, sale_receipt

    window = make_window()
    with window.ctx.write() as s:
        settings.put(s, settings.COOPERATIVE, {"name_fr": "Coop", "city": "Meknès"})
    window.show_screen("settings")
    screen = window.settings
    screen.refresh()
    screen.tabs.setCurrentIndex(1)  # the cooperative
    field = screen.coop["city_ar"]
    assert field.text() == "" and field.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert field.accessibleName() == field.placeholderText() == "Ville en arabe"
    assert field.isVisible() and screen.coop["city"].isVisible()

    def receipt(lang: str) -> str:
        with window.ctx.read() as s:
            shop = Shop.from_settings(s)
        return sale_receipt(sample_sale(1), shop, lang, journal_hash=SAMPLE_HASH).plain_text()

    assert "Meknès" in receipt("ar").splitlines()
    type_text(qtbot, field, "مكناس")
    qtbot.mouseClick(screen.findChild(QPushButton, "coopSave"), LEFT)
    with window.ctx.read() as s:
        coop = settings.get(s, settings.COOPERATIVE)
    assert (coop["city"], coop["city_ar"], coop["name_fr"]) == ("Meknès", "مكناس", "Coop")
    assert "مكناس" in receipt("ar").splitlines() and "Meknès" not in receipt("ar")
    assert f"Meknès / {RLI}مكناس{PDI}" in receipt("both").splitlines()
    assert "Meknès" in receipt("fr").splitlines() and "مكناس" not in receipt("fr")


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize(
    ("button", "name"), [("usersAdd", "userDialog"), ("usersPin", "pinChangeDialog")]
)
def test_the_new_pin_dialogs_fit_a_small_screen(
    qtbot: Any, make_window: Any, tmp_path: Path, lang: str, button: str, name: str
) -> None:
    """Adding a user and changing a PIN, with their message that the two PINs differ, fit
    a 1024x600 screen in Arabic and French: every caption, field and button whole."""
    window = make_window(lang=lang, size=SMALL)
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(2)
    screen.user_list.setCurrentRow(next(i for i, p in enumerate(screen.people) if p[1] == "Aicha"))
    seen: list[Any] = []

    def new_pin(dialog: Any) -> None:
        if name == "userDialog":
            type_text(qtbot, dialog.name, "زهرة" if lang == "ar" else "Zahra")
        qtbot.keyClicks(dialog.pin, "2580")
        qtbot.keyClicks(dialog.pin_again, "2508")
        qtbot.mouseClick(dialog.ok, LEFT)
        settle()
        dialog.grab().save(str(tmp_path / f"{name}-{lang}.png"))
        whole = [
            w.objectName()
            for w in (dialog.pin, dialog.pin_again, dialog.ok, dialog.cancel)
            if not dialog.rect().contains(QRect(w.mapTo(dialog, QPoint(0, 0)), w.size()))
        ]
        seen.append(
            (
                dialog.banner.isVisible(),
                dialog.width() <= SMALL[0],
                dialog.height() <= SMALL[1] - 60,
                whole,
                problems(dialog),
            )
        )

    def pin(dialog: Any) -> None:
        on_active_modal(qtbot, name, new_pin)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), button), LEFT)
    assert seen == [(True, True, True, [], [])]


def test_settings_refuse_an_ice_or_a_logo_that_receipts_cannot_print(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ICE is 15 digits (Arabic-Indic ones and spaces taken, saved as printed), the
    logo an image that is there, chosen with "Choose…": anything else is refused in the
    manager's language, its field marked, and nothing of the page is saved."""
    from PySide6.QtWidgets import QPushButton

    window = make_window(lang="ar", size=(1024, 600))
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(1)
    fields = screen.coop
    save = screen.findChild(QPushButton, "coopSave")
    fields["city"].setText("Meknès")
    fields["ice"].setText("12AB")
    qtbot.mouseClick(save, LEFT)
    assert screen.banner.text() == "التعريف الموحد للمقاولة (ICE) من 15 رقمًا، ولا تُحتسب الفراغات."
    assert fields["ice"].property("wrong") is True
    fields["ice"].clear()
    type_text(qtbot, fields["ice"], "٠٠٩ ٨٧٦ ٥٤٣ ٠٠٠ ٠٢١")
    assert not fields["ice"].property("wrong")
    fields["logo"].setText(str(tmp_path / "logo.png"))
    qtbot.mouseClick(save, LEFT)
    assert screen.banner.text() == "لا توجد صورة يمكن قراءتها هنا: اختر الشعار من جديد."
    assert fields["logo"].property("wrong") is True
    with window.ctx.read() as s:
        coop = settings.get(s, settings.COOPERATIVE)
    assert (coop["ice"], coop["city"], coop.get("logo")) == ("001234567000089", "Fès", None)

    logo = tmp_path / "argan.jpg"
    asked = choose_logo(qtbot, monkeypatch, screen.findChild(QPushButton, "coop_logoChoose"),
                        logo)
    assert asked == ["الصور (*.png *.jpg *.jpeg *.bmp)"]  # images only
    assert fields["logo"].text() == str(logo) and not fields["logo"].property("wrong")
    qtbot.mouseClick(save, LEFT)
    assert screen.banner.text() == "تم الحفظ."
    assert fields["ice"].text() == "009876543000021"
    with window.ctx.read() as s:
        coop = settings.get(s, settings.COOPERATIVE)
    assert (coop["ice"], coop["city"], coop["logo"]) == ("009876543000021", "Meknès", str(logo))


def test_the_paper_width_in_the_settings_reads_as_arabic_writes_it(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="ar")
    window.show_screen("settings")
    paper = window.settings.paper
    assert [paper.itemText(i) for i in range(paper.count())] == [
        "58 مم (384 نقطةً)", "80 مم (576 نقطةً)", "80 مم (512 نقطةً)"]
    paper.setCurrentIndex(1)
    window.ctx.set_language("fr")
    assert [paper.itemText(i) for i in range(paper.count())] == [
        "58 mm (384 points)", "80 mm (576 points)", "80 mm (512 points)"]
    assert paper.currentData() == 576


def test_switching_the_language_keeps_what_is_typed_in_the_settings(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window()
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(1)
    screen.coop["city"].clear()
    type_text(qtbot, screen.coop["city"], "Meknès")  # typed, not saved yet
    screen.tabs.setCurrentIndex(3)
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData("network"))
    qtbot.keyClicks(screen.printer_address, "192.168.1.50")
    screen.tabs.setCurrentIndex(0)
    english = screen.language.findData("en")
    screen.language.setCurrentIndex(english)
    screen.language.activated.emit(english)  # as the manager picks "English"
    assert window.ctx.lang == "en"
    assert screen.coop["city"].text() == "Meknès"
    assert (screen.printer_kind.currentText(), screen.printer_address.text()) == (
        "Network", "192.168.1.50")
    assert screen.tabs.tabText(1) == "Cooperative"
    assert screen.receipt_language.itemText(0) == "Arabic and French"
    users_shown = [screen.user_list.item(i).text() for i in range(screen.user_list.count())]
    assert sorted(users_shown) == ["Aicha — Cashier", "Fatima — Manager"]
    with window.ctx.read() as s:
        assert settings.get(s, settings.COOPERATIVE)["city"] == "Fès"
    screen.tabs.setCurrentIndex(1)
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "coopSave"), LEFT)
    with window.ctx.read() as s:
        assert settings.get(s, settings.COOPERATIVE)["city"] == "Meknès"


def test_screenshots_command(tmp_path: Path) -> None:
    from ui.main import main

    assert main(["--data-dir", str(tmp_path / "data"), "screenshots", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(names) == 16 and "sale-ar.png" in names and "day-close-fr.png" in names


def backup_tab(window: Any) -> Any:
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(5)
    return screen


def backed_up(qtbot: Any, screen: Any) -> str:
    """Click "Back up now"; the banner once the backup is over."""
    qtbot.mouseClick(screen.findChild(type(screen.own_folder_btn), "backupNow"), LEFT)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished(), timeout=10000)
    qtbot.waitUntil(lambda: screen.backup_progress.isHidden(), timeout=10000)
    return str(screen.banner.text())


def test_the_backup_folder_is_chosen_checked_and_used(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    screen = backup_tab(window)
    own = backup.backup_dir(window.ctx.db_path)
    assert screen.backup_folder.text() == str(own)
    assert not screen.own_folder_btn.isEnabled()
    answer: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: answer[-1]))
    with small_disk(tmp_path / "locked", read_only=True) as locked:
        answer.append(str(locked))
        qtbot.mouseClick(screen.findChild(type(screen.own_folder_btn), "backupChooseFolder"),
                         LEFT)
    assert screen.banner.text().startswith(f"Les sauvegardes ne peuvent pas aller dans "
                                           f"{unbroken(str(locked))} : "
                                           "le disque ou la clé USB est en lecture seule")
    with window.ctx.read() as s:
        assert settings.get(s, settings.BACKUP_FOLDER) is None  # not kept
    with usb_stick(tmp_path) as stick:
        answer.append(str(stick))
        qtbot.mouseClick(screen.findChild(type(screen.own_folder_btn), "backupChooseFolder"),
                         LEFT)
        with window.ctx.read() as s:
            assert settings.get(s, settings.BACKUP_FOLDER) == str(stick)
        assert screen.banner.text() == "Enregistré."
        assert screen.backup_folder.text() == str(stick) and screen.own_folder_btn.isEnabled()
        assert screen.backup_where.text().startswith("Les sauvegardes vont dans ce dossier.")
        said = backed_up(qtbot, screen)
        (written,) = stick.glob(backup.PATTERN)
        assert said == f"Sauvegarde écrite : {unbroken(str(written))}"
        assert screen.banner.property("role") == "notice"
        assert screen.backup_list.item(0).toolTip() == str(written)
    assert not own.exists()


def test_a_folder_on_the_laptops_disk_is_kept_but_never_called_a_copy_off_it(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    screen = backup_tab(window)
    folder = tmp_path / "Documents"  # beside the database, on the same disk
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: str(folder)))
    qtbot.mouseClick(screen.findChild(type(screen.own_folder_btn), "backupChooseFolder"), LEFT)
    with window.ctx.read() as s:
        assert settings.get(s, settings.BACKUP_FOLDER) == str(folder)  # allowed
    assert screen.banner.text() == (
        f"Enregistré. Le dossier {unbroken(str(folder))} est sur le disque de l'ordinateur, "
        "pas sur une clé "
        "USB : les sauvegardes qui y sont écrites ne sont pas des copies hors de "
        "l'ordinateur. Pour les garder hors de l'ordinateur, branchez une clé USB et "
        "choisissez un dossier dessus.")
    assert screen.banner.property("role") == "alert"
    assert screen.backup_where.text().startswith(
        f"Le dossier {unbroken(str(folder))} est sur le disque de l'ordinateur, pas sur une "
        "clé USB : les "
        "sauvegardes y vont, mais ce ne sont pas des copies hors de l'ordinateur.")
    assert screen.backup_where.property("role") == "alert"
    window.ctx.set_language("ar")
    assert screen.banner.text().startswith(
        f"تم الحفظ. المجلد {ltr(unbroken(str(folder)), 'ar')} على قرص الحاسوب نفسه، "
        "لا على ذاكرة USB")
    assert screen.backup_where.text() == (
        f"المجلد {ltr(unbroken(str(folder)), 'ar')} على قرص الحاسوب نفسه، لا على ذاكرة "
        "USB: تُحفظ النسخ "
        "الاحتياطية فيه، لكنها ليست نسخًا خارج الحاسوب. إن كان مجلد ذاكرة USB فهي غير موصولة: "
        "صِلها بالحاسوب، ثم اضغط «نسخة احتياطية الآن».")
    said = backed_up(qtbot, screen)
    (written,) = folder.glob(backup.PATTERN)
    assert said == (
        f"تم حفظ النسخة الاحتياطية: {ltr(unbroken(str(written)), 'ar')}. هذا المجلد على "
        "قرص الحاسوب "
        "نفسه، لا على ذاكرة USB: ليست نسخة خارج الحاسوب. صِل ذاكرة USB، ثم اضغط «نسخة "
        "احتياطية الآن» في الإعدادات ← النسخ الاحتياطية: وحدها النسخة الموجودة خارج الحاسوب "
        "تنجو إذا تعطّل.")
    assert screen.banner.property("role") == "alert"
    assert screen.backup_list.item(0).toolTip() == str(written)


def test_the_folder_line_tells_when_the_stick_leaves_its_mount_point(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    stick = tmp_path / "media" / "usb0"  # made by usbmount, there with or without the stick
    window = make_window()
    with window.ctx.write() as s:
        settings.put(s, settings.BACKUP_FOLDER, str(stick))
    screen = backup_tab(window)
    with small_disk(stick, size="64m"):
        screen.refresh()
        assert screen.backup_where.text().startswith("Les sauvegardes vont dans ce dossier.")
        assert backed_up(qtbot, screen).startswith("Sauvegarde écrite : ")
    screen.refresh()  # the stick pulled
    assert screen.backup_where.text().startswith(
        f"Le dossier {unbroken(str(stick))} est sur le disque de l'ordinateur, pas sur une "
        "clé USB")
    said = backed_up(qtbot, screen)
    (written,) = stick.glob(backup.PATTERN)
    assert said.startswith(f"Sauvegarde écrite : {unbroken(str(written))}. Ce dossier est "
                           "sur le disque de "
                           "l'ordinateur")
    assert "puis appuyez sur « Sauvegarder maintenant » dans Réglages → Sauvegardes" in said


def test_a_pulled_stick_sends_the_backups_to_the_laptop_and_the_screen_says_so(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    stick = tmp_path / "media" / "USB"
    window = make_window(lang="ar")
    with window.ctx.write() as s:
        settings.put(s, settings.BACKUP_FOLDER, str(stick))
    screen = backup_tab(window)
    screen.refresh()
    own = backup.backup_dir(window.ctx.db_path)
    assert screen.backup_where.text() == (  # paths isolated, left to right
        f"المجلد {ltr(unbroken(str(stick)), 'ar')} غير موجود (هل نُزعت ذاكرة USB؟): تُحفظ النسخ "
        f"الاحتياطية في مجلد الحاسوب نفسه {ltr(unbroken(str(own)), 'ar')} إلى أن يعود.")
    said = backed_up(qtbot, screen)
    (written,) = own.glob(backup.PATTERN)
    assert said.startswith("تعذّر استعمال مجلد النسخ الاحتياطية "
                           f"{ltr(unbroken(str(stick)), 'ar')}: "
                           "المجلد غير موجود")
    assert said.endswith(f"كُتبت النسخة الاحتياطية في مجلد الحاسوب نفسه: "
                         f"{ltr(unbroken(str(written)), 'ar')}")
    assert not stick.exists()
    window.ctx.set_language("fr")
    assert screen.backup_where.text().startswith(
        f"Le dossier {unbroken(str(stick))} est introuvable")


def test_a_full_disk_is_told_in_arabic_and_leaves_no_file(
    qtbot: Any, make_window: Any
) -> None:
    window = make_window(lang="ar")
    screen = backup_tab(window)
    own = backup.backup_dir(window.ctx.db_path)
    with small_disk(own):
        said = backed_up(qtbot, screen)
        assert list(own.iterdir()) == []
    assert said.startswith(f"تعذّرت كتابة النسخة الاحتياطية في {ltr(str(own), 'ar')}: القرص "
                           "أو ذاكرة USB ممتلئة")
    assert "حدث خطأ" not in said


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_long_backup_folder_reads_on_one_line_in_the_backups_tab(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A backup folder deep in the laptop, at 1024x600: the line saying where backups go,
    the message on choosing it and the one after "Back up now" each show its path on one
    line, its folders shortened in the middle and its last name whole; the whole text is
    in their tooltips."""
    from tests.ui.test_day_and_refunds import lines_holding

    folder = tmp_path.joinpath("Documents de la coopérative", "Sauvegardes de la caisse",
                               "Marché régional de Fès-Meknès 2026", "Journées de mai")
    folder.mkdir(parents=True)
    window = make_window(lang=lang, size=SMALL)
    screen = backup_tab(window)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: str(folder)))
    qtbot.mouseClick(screen.findChild(type(screen.own_folder_btn), "backupChooseFolder"), LEFT)
    settle()

    def one_line(message: Any, path: Path) -> None:
        shown = QLabel.text(message)
        name = unbroken(path.name)
        end = shown.index(name) + len(name)
        start = shown.rindex(unbroken(str(tmp_path))[:6], 0, end)
        assert "…" in shown[start:end], shown
        assert len(lines_holding(message, start, end)) == 1, shown
        assert str(path) in message.toolTip() and str(path) not in shown

    one_line(screen.banner, folder)
    other = "fr" if lang == "ar" else "ar"
    window.ctx.set_language(other)  # the message and its tooltip, in the new language
    assert screen.banner.toolTip() == tr(other, "ui.backup.chosen_on_laptop",
                                         folder=ltr(str(folder), other))
    window.ctx.set_language(lang)
    one_line(screen.banner, folder)
    one_line(screen.backup_where, folder)
    where = screen.backup_where  # whole on the screen, none of its lines cut off
    assert where.height() >= where.heightForWidth(where.width())
    screen.grab().save(str(tmp_path / f"backups-{lang}.png"))
    said = backed_up(qtbot, screen)
    (written,) = folder.glob(backup.PATTERN)
    assert unbroken(written.name) in said
    one_line(screen.banner, written)
