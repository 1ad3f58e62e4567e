"""The manager prepares the catalogue for a new market: a CSV file of 200 products as
Excel writes it on a French or Arabic Windows, the bad lines all named at once, photos from a
phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos import catalogue
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin, type_text
from tests.ui.test_catalogue_pin import sign_in_manager
from tests.ui.test_language_and_layout import problems
from tests.ui.test_rtl_tables_and_small_screens import SMALL, settle
from ui.products import PREVIEW

HEADER = ("sku;name_ar;name_fr;category;price;unit;tax_rate;barcodes;stock;low_stock;member;"
          "photo;active")


def barcode(i: int) -> str:
    """Product ``i``'s EAN-13, its last digit right."""
    digits = str(611125000000 + i)
    return digits + catalogue.check_digit(digits)


def excel_rows(count: int) -> list[str]:
    """``count`` products as Excel saves them on a French Windows ("CSV UTF-8 (délimité par
    des points-virgules)"): decimal commas, "20%" rates, empty cells, honey by the kilo."""
    rows = []
    for i in range(count):
        unit, stock = ("kg", "12,5") if i % 10 == 0 else ("piece", str(i % 40))
        rows.append(f"MKT-{i:03d};عسل {i};Miel {i};Alimentation;{80 + i},50;{unit};20%;"
                    f"{barcode(i)};{stock};2;Aicha;;1")
    return rows


def import_and_wait(qtbot: Any, screen: Any, path: Path) -> None:
    screen.import_file(path)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished(), timeout=20000)
    qtbot.waitUntil(screen.import_btn.isEnabled)


def market_products(window: Any) -> dict[str, int]:
    with window.ctx.read() as s:
        return {p.sku: p.price for p in catalogue.all_products(s, include_inactive=True)
                if p.sku.startswith("MKT-")}


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_file_with_bad_lines_names_them_all_and_imports_nothing(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    rows = excel_rows(200)
    rows[13] = rows[13].replace("93,50", "12,5O")  # line 15: a letter O typed for a zero
    rows[78] = rows[78].replace("158,50", "-3")  # line 80
    rows[148] = rows[148].replace(barcode(148), barcode(2))  # line 150: line 4's
    rows.append(";;;;;;;;;;;;")  # Excel's empty rows at the end of the sheet
    source = tmp_path / "marché.csv"
    source.write_bytes("\ufeff".encode() + "\r\n".join([HEADER, *rows, ";;;;;;;;;;;;", ""])
                       .encode("utf-8"))
    import_and_wait(qtbot, screen, source)
    said = screen.banner.text()
    line = "Ligne" if lang == "fr" else "السطر"
    for number in (15, 80, 150):
        assert f"{line} {number}" in said
    assert "12,5O" in said and "-3" in said and barcode(2) in said
    assert "201" not in said and "202" not in said  # the empty rows are no lines to correct
    assert market_products(window) == {}
    settle()
    assert screen.banner.isVisible() and not screen.banner._timer.isActive()
    assert not problems(window)
    window.grab().save(str(tmp_path / f"bad_lines_{lang}.png"))

    rows[13] = rows[13].replace("12,5O", "93,50")
    rows[78] = rows[78].replace(";-3;", ";158,50;")
    rows[148] = rows[148].replace(barcode(2), barcode(148))
    source.write_bytes("\ufeff".encode() + "\r\n".join([HEADER, *rows, ""]).encode("utf-8"))
    import_and_wait(qtbot, screen, source)
    imported = market_products(window)
    assert len(imported) == 200 and imported["MKT-013"] == 9350 and imported["MKT-078"] == 15850
    assert screen.banner.text() == {
        "fr": "200 produits importés. Nouveaux\u00a0: 200, mis à jour\u00a0: 0.",
        "ar": "تم استيراد 200 منتج. جديدة: 200، محدّثة: 0."}[lang]
    import_and_wait(qtbot, screen, source)  # the same file again: the same products
    assert screen.banner.text() == {  # and the stock the till has since, its counts kept
        "fr": "200 produits importés. Nouveaux\u00a0: 0, mis à jour\u00a0: 200. 200 produits "
              "gardent le stock de la caisse\u00a0: leur stock dans le fichier était celui "
              "qu'a écrit le dernier import.",
        "ar": "تم استيراد 200 منتج. جديدة: 0، محدّثة: 200. احتفظ 200 منتج بمخزون الصندوق، "
              "لأن مخزونها في الملف هو ما كتبه آخر استيراد."}[lang]
    with window.ctx.read() as s:
        honey = next(p for p in catalogue.all_products(s) if p.sku == "MKT-000")
        assert (honey.unit, honey.stock, honey.tax_rate) == ("kg", 12500, 20)
        assert [b.code for b in honey.barcodes] == [barcode(0)]


def test_more_bad_lines_than_the_banner_lists_are_named_by_their_lines(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    rows = excel_rows(40)
    for i in range(0, 40, 4):  # ten bad lines: 2, 6, ... 38
        rows[i] = rows[i].replace(";20%;", ";19%;")
    source = tmp_path / "taux.csv"
    source.write_text("\r\n".join([HEADER, *rows]), encoding="utf-8-sig")
    on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
    import_and_wait(qtbot, screen, source)
    said = screen.banner.text()
    assert said.count("Ligne ") == catalogue.LISTED
    rest = ", ".join(str(2 + i) for i in range(4 * catalogue.LISTED, 40, 4))
    assert said.splitlines()[-1] == f"Et les lignes {rest}."
    assert market_products(window) == {}


def test_an_ansi_file_is_refused_saying_how_to_save_it(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    """Excel's plain "CSV (séparateur : point-virgule)" is in the Windows code page."""
    window = make_window()
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    source = tmp_path / "ansi.csv"
    source.write_bytes("\r\n".join([HEADER, "MKT-1;;Savon à l'huile d'olive;Cosmétique;"
                                    "25,00;piece;20;;10;0;;;1"]).encode("cp1252"))
    import_and_wait(qtbot, screen, source)
    assert "CSV UTF-8" in screen.banner.text() and "Rien n'a été importé" in screen.banner.text()
    assert market_products(window) == {}


def phone_photo(path: Path) -> None:
    """A photo as a phone takes it: 4000 x 3000 pixels of detail (megabytes of JPEG), held
    upright (its EXIF data says to turn it a quarter): the upper half of the scene red."""
    from PySide6.QtGui import QColor, QImage, QImageIOHandler, QImageWriter, QPainter

    image = QImage(4000, 3000, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for x in range(0, 4000, 7):  # fine stripes, as a photo's detail, weigh in the JPEG
        painter.fillRect(x, 0, 3, 3000, QColor(200, 180, 150))
    painter.fillRect(0, 0, 2000, 3000, QColor("red"))  # the left half as stored...
    painter.end()
    writer = QImageWriter(str(path))
    writer.setQuality(92)
    writer.setTransformation(QImageIOHandler.Transformation.TransformationRotate90)  # ...on top
    assert writer.write(image)


def add_with_photo(qtbot: Any, screen: Any, monkeypatch: Any, sku: str, photo: Path) -> Any:
    """Add the product ``sku`` with ``photo`` chosen in the file dialog; the dialog."""
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a: (str(photo), "")))
    seen: dict[str, Any] = {}

    def add(dialog: Any) -> None:
        seen["dialog"] = dialog
        qtbot.keyClicks(dialog.sku, sku)
        qtbot.keyClicks(dialog.name_fr, "Tapis Beni Ouarain")
        qtbot.keyClicks(dialog.price, "2400")
        qtbot.mouseClick(dialog.findChild(type(dialog.ok), "productChoosePhoto"),
                         Qt.MouseButton.LeftButton)
        seen["shown"] = dialog.picture.pixmap().size()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        if dialog.isVisible():
            seen["said"] = dialog.banner.text()
            dialog.reject()

    on_modal("productDialog", add)
    screen.add()
    return seen


def test_a_phone_photo_is_kept_upright_and_small_and_overwrites_nothing(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from PySide6.QtGui import QImage

    window = make_window(size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    photo = tmp_path / "IMG_20261130_101500.jpg"
    phone_photo(photo)
    assert photo.stat().st_size > 1_000_000
    folder = window.ctx.data_dir / "photos"
    folder.mkdir(exist_ok=True)
    other = folder / "TAP-BO.jpg"  # a photo kept before, under the name a SKU would give
    other.write_bytes(b"kept")

    seen = add_with_photo(qtbot, screen, monkeypatch, "TAP/BO", photo)
    assert (seen["shown"].width(), seen["shown"].height()) == (PREVIEW * 3 // 4, PREVIEW)
    with window.ctx.read() as s:
        rug = next(p for p in catalogue.all_products(s) if p.sku == "TAP/BO")
    kept = folder / rug.photo
    assert kept.parent == folder and kept.suffix == ".jpg"
    assert kept.stat().st_size < 100_000
    image = QImage(str(kept))
    assert (image.width(), image.height()) == (360, 480)
    assert image.pixelColor(180, 100).red() > 200 and image.pixelColor(180, 100).green() < 60
    assert image.pixelColor(180, 400).green() > 100  # the upper half red, as the phone held it
    assert other.read_bytes() == b"kept"
    assert not list(folder.glob("*.partial"))

    window.show_screen("sale")
    settle()
    row = next(i for i, p in enumerate(window.sale.model.products) if p.sku == "TAP/BO")
    tile = window.photos.get(window.sale.model.products[row].photo, 92)
    assert tile is not None and (tile.width(), tile.height()) == (69, 92)


def test_a_file_that_is_no_picture_is_refused_and_nothing_is_saved(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: Any) -> None:
    window = make_window(lang="ar")  # the cashier: refused before the manager's PIN
    window.show_screen("products")
    screen = window.products
    notes = tmp_path / "prix.jpg"
    notes.write_text("pas une photo")
    asked: list[str] = []
    on_modal("pinDialog", lambda pin: (asked.append("PIN"), pin.reject()), timeout_ms=2000)
    seen = add_with_photo(qtbot, screen, monkeypatch, "TAP-1", notes)
    assert asked == []
    assert "«prix.jpg»" in seen["said"] or "prix.jpg" in seen["said"]
    assert "JPEG" in seen["said"]
    with window.ctx.read() as s:
        assert "TAP-1" not in {p.sku for p in catalogue.all_products(s, include_inactive=True)}
    assert not (window.ctx.data_dir / "photos").exists() or not any(
        (window.ctx.data_dir / "photos").iterdir())


@pytest.mark.parametrize(("lang", "words"), [("fr", "est abîmé"), ("ar", "تالف")])
def test_a_phone_photo_copied_in_part_is_refused_and_nothing_is_saved(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: Any, lang: str,
        words: str) -> None:
    """The photo chosen stops half-way (the phone unplugged while it was copied): its
    header is right, and Qt would show it, grey below the cut. The dialog says the file is
    damaged, in the seller's language, and nothing is saved nor kept."""
    whole = tmp_path / "phone" / "IMG_20261130_101500.jpg"
    whole.parent.mkdir()
    phone_photo(whole)
    photo = tmp_path / "IMG_20261130_101500.jpg"
    photo.write_bytes(whole.read_bytes()[:2048])
    window = make_window(lang=lang)
    sign_in_manager(window)
    window.show_screen("products")
    seen = add_with_photo(qtbot, window.products, monkeypatch, "TAP-1", photo)
    assert words in seen["said"] and "IMG_20261130_101500.jpg" in seen["said"]
    with window.ctx.read() as s:
        assert "TAP-1" not in {p.sku for p in catalogue.all_products(s, include_inactive=True)}
    assert not (window.ctx.data_dir / "photos").exists() or not any(
        (window.ctx.data_dir / "photos").iterdir())


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_honey_by_the_kilo_then_repriced_and_withdrawn_mid_day(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str) -> None:
    """The price is typed per kilo and the stock counted in kilos, as the captions say; a
    price changed and the product withdrawn after a sale leave that sale's receipt as it
    printed."""
    from pos import receipts
    from tests.helpers import ring
    from tests.ui.conftest import journal_kinds

    window = make_window(lang=lang, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    captions: dict[str, str] = {}

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, "MIEL-TH")
        type_text(qtbot, dialog.name_ar, "عسل الزعتر")
        dialog.unit.setCurrentIndex(dialog.unit.findData("kg"))
        qtbot.keyClicks(dialog.price, "180")
        dialog.stock.setText("12,5")
        settle()
        for key in ("price", "stock", "low_stock"):
            captions[key] = next(w.text() for w in dialog.findChildren(type(dialog.picture))
                                 if w.objectName() == f"productCaption_{key}")
        assert not problems(dialog)
        dialog.grab().save(str(tmp_path / f"honey_{lang}.png"))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    on_modal("productDialog", add)
    screen.add()
    kilo = "كلغ" if lang == "ar" else "kg"
    assert captions["price"] == ("الثمن (درهم / كلغ)" if lang == "ar" else "Prix (DH / kg)")
    assert kilo in captions["stock"] and kilo in captions["low_stock"]
    with window.ctx.read() as s:
        honey = next(p for p in catalogue.all_products(s) if p.sku == "MIEL-TH")
        assert (honey.name_ar, honey.name_fr, honey.unit, honey.price, honey.stock) == (
            "عسل الزعتر", "", "kg", 18000, 12500)

    sale = ring(window.ctx.store, [("MIEL-TH", 250)])  # 250 g at 180 DH the kilo
    window.ctx.sales_changed.emit()  # as the sale screen does once a sale is recorded
    assert sale.total == 4500
    with window.ctx.read() as s:
        printed = receipts.load_sale_receipt(s, sale.id).plain_text()
    assert "0,25 kg × 180,00" in printed or "0,25 كلغ × 180,00" in printed

    screen.search.setText("MIEL-TH")
    screen.table.selectionModel().select(
        screen.table.model().index(0, 0), screen.table.selectionModel().SelectionFlag.Rows
        | screen.table.selectionModel().SelectionFlag.ClearAndSelect)

    def reprice_and_withdraw(dialog: Any) -> None:
        dialog.price.setText("200")
        dialog.active.setChecked(False)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    on_modal("productDialog", reprice_and_withdraw)
    screen.edit()
    with window.ctx.read() as s:
        honey = next(p for p in catalogue.all_products(s, include_inactive=True)
                     if p.sku == "MIEL-TH")
        assert (honey.price, honey.active, honey.stock) == (20000, False, 12250)
        assert receipts.load_sale_receipt(s, sale.id).plain_text() == printed
    assert "MIEL-TH" not in {p.sku for p in window.sale.products}
    assert journal_kinds(window)[-1] == "sale"


def test_barcodes_cut_short_in_the_arabic_list_keep_their_first_digits_first(
        qtbot: Any, make_window: Any) -> None:
    """A barcode reads left to right in the Arabic table too: cut short, its "…" comes
    after its first digits (611124578…), never before them as if its end were shown."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from pos.catalogue import ProductData

    window = make_window(lang="ar", size=SMALL)
    with window.ctx.write() as s:
        catalogue.add_or_update(s, ProductData(
            "ARG-GIFT", "علبة هدايا", "", 45_000, barcodes=["6111245789996", "6111245789989"]))
    window.show_screen("products")
    type_text(qtbot, window.products.search, "علبة هدايا")
    settle()
    table = window.products.table
    index = table.model().index(0, 6)
    assert set(index.data().split()) == {"6111245789996", "6111245789989"}
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.direction = table.layoutDirection()
    table.itemDelegateForColumn(6).initStyleOption(option, index)
    assert option.direction == Qt.LayoutDirection.LeftToRight
    assert option.displayAlignment & Qt.AlignmentFlag.AlignRight
    assert option.displayAlignment & Qt.AlignmentFlag.AlignAbsolute


def test_a_cut_out_png_keeps_its_transparency(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from PySide6.QtGui import QColor, QImage

    window = make_window(size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    drawing = QImage(1200, 1200, QImage.Format.Format_ARGB32)
    drawing.fill(QColor(0, 0, 0, 0))
    for x in range(300, 900):
        for y in (300, 301, 302):
            drawing.setPixelColor(x, y, QColor("darkgreen"))
    photo = tmp_path / "savon.png"
    assert drawing.save(str(photo))
    add_with_photo(qtbot, window.products, monkeypatch, "SAV-PNG", photo)
    with window.ctx.read() as s:
        soap = next(p for p in catalogue.all_products(s) if p.sku == "SAV-PNG")
    kept = QImage(str(window.ctx.data_dir / "photos" / soap.photo))
    assert soap.photo.endswith(".png") and (kept.width(), kept.height()) == (480, 480)
    assert kept.hasAlphaChannel() and kept.pixelColor(10, 10).alpha() == 0


def test_an_export_to_a_full_stick_says_why_and_keeps_the_file_there(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    from tests.helpers import small_disk

    window = make_window(lang="ar")
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    with small_disk(tmp_path / "stick", size="8k") as stick:
        target = stick / "products.csv"
        target.write_text("sku;name_ar;name_fr;price\r\n", encoding="utf-8")
        screen.export_file(target)
        qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished())
        qtbot.waitUntil(screen.export_btn.isEnabled)
        said = screen.banner.text()
        assert said.startswith("تعذّرت كتابة") and "ممتلئة" in said and "Excel" in said
        assert target.read_bytes() == b"sku;name_ar;name_fr;price\r\n"
        assert [p.name for p in stick.iterdir()] == ["products.csv"]


@pytest.mark.parametrize(("sku", "code", "named"), [("arg-250", "", "ARG-250"),
                                                    ("OIL-1L", "6111245780019", "6111245780019")])
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_product_dialog_and_its_message_fit_a_small_screen(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str, sku: str, code: str,
        named: str) -> None:
    """A code taken by another product (capitals aside), or a barcode whose last digit is
    wrong, is refused with a message of two or three lines: the dialog still fits a
    1024x600 screen, its fields and buttons whole."""
    from PySide6.QtCore import QPoint, QRect

    window = make_window(lang=lang, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    seen: list[Any] = []

    def add(dialog: Any) -> None:
        qtbot.keyClicks(dialog.sku, sku)
        type_text(qtbot, dialog.name_ar, "زيت أركان")
        qtbot.keyClicks(dialog.price, "120")
        qtbot.keyClicks(dialog.barcodes, code)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        settle()
        dialog.grab().save(str(tmp_path / f"refused_{lang}_{sku}.png"))
        cut = [w.objectName() for w in (dialog.sku, dialog.member, dialog.picture,
                                         dialog.active, dialog.ok, dialog.cancel)
               if not dialog.rect().contains(QRect(w.mapTo(dialog, QPoint(0, 0)), w.size()))]
        seen.append((dialog.banner.isVisible(), named in dialog.banner.text(),
                     dialog.width() <= SMALL[0], dialog.height() <= SMALL[1] - 60, cut,
                     problems(dialog)))
        dialog.reject()

    on_modal("productDialog", add)
    window.products.add()
    assert seen == [(True, True, True, True, [], [])]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_name_cut_short_in_the_list_keeps_its_size(
        qtbot: Any, make_window: Any, lang: str) -> None:
    """Three sizes of one oil, their names too long for the column at 1024 px: each keeps
    its size ("… 250 ml"), as its tile does, so that the manager tells them apart."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from pos.catalogue import ProductData
    from pos.money import NBSP

    window = make_window(lang=lang, size=SMALL)
    with window.ctx.write() as s:
        for ml in (100, 250, 500):
            catalogue.add_or_update(s, ProductData(
                f"HUI-{ml}", f"زيت أركان تجميلي عضوي معصور على البارد {ml} مل",
                f"Huile d'argan cosmétique bio pressée à froid {ml} ml", 9000,
                category="Cosmétiques naturelles de l'Anti-Atlas",
                member="Coopérative Tighanimine des femmes d'Agadir"))
    window.show_screen("products")
    window.products.search.setText("HUI-")
    settle()
    table = window.products.table
    model = table.model()
    unit = "مل" if lang == "ar" else "ml"
    shown = []
    for row in range(model.rowCount()):
        index = model.index(row, 1)
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.rect = table.visualRect(index)
        option.widget = table
        table.itemDelegateForColumn(1).initStyleOption(option, index)
        assert option.fontMetrics.horizontalAdvance(index.data()) > option.rect.width()
        shown.append(option.text)
    assert [text.endswith(f"{ml}{NBSP}{unit}") and "…" in text
            for text, ml in zip(shown, (100, 250, 500), strict=True)] == [True] * 3


@pytest.mark.parametrize(("lang", "food", "typed_250"), [
    ("fr", "alimentation", "amlou ٢٥٠"), ("ar", "مواد غذائية", "املو ٢٥٠")])
def test_the_list_searches_categories_and_arabic_indic_digits(
        qtbot: Any, make_window: Any, lang: str, food: str, typed_250: str) -> None:
    from tests.ui.test_back_office import search

    window = make_window(lang=lang, size=SMALL)
    window.show_screen("products")
    screen = window.products
    with window.ctx.read() as s:
        foods = {p.sku for p in catalogue.all_products(s, include_inactive=True)
                 if p.category == "food"}
    assert len(foods) > 3
    assert search(qtbot, screen, food) == foods
    assert search(qtbot, screen, typed_250) == {"AML-250"}


def test_a_file_naming_photos_on_the_laptop_shows_them_on_the_tiles(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    """The manager's file names a phone's photo by its full path and another in the folder
    of photos beside the file: the tiles show both, from copies kept beside the database;
    a photo the file names wrong is named by its line, with a price typed wrong."""
    from PySide6.QtGui import QImage

    window = make_window(size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    phone = tmp_path / "Images" / "IMG_20261130_101500.jpg"
    phone.parent.mkdir()
    phone_photo(phone)
    beside = tmp_path / "marché" / "photos" / "miel.png"
    beside.parent.mkdir(parents=True)
    assert QImage(600, 900, QImage.Format.Format_RGB32).save(str(beside))
    source = tmp_path / "marché" / "catalogue.csv"
    rows = [f"MKT-001;زربية;Tapis;Artisanat;2400,00;piece;20%;;1;0;;{phone};1",
            "MKT-002;عسل;Miel;Alimentation;80,50;piece;20%;;10;2;;photos\\miel.png;1"]
    wrong = [rows[0].replace("2400,00", "24OO"), rows[1].replace("miel.png", "miel.jpg")]
    source.write_text("\r\n".join([HEADER, *wrong]), encoding="utf-8-sig")
    import_and_wait(qtbot, screen, source)
    said = screen.banner.text()
    assert "Ligne 2" in said and "24OO" in said
    assert "Ligne 3" in said and "photos\\miel.jpg" in said
    assert market_products(window) == {}
    assert not (window.ctx.data_dir / "photos").exists() or not any(
        (window.ctx.data_dir / "photos").iterdir())

    source.write_text("\r\n".join([HEADER, *rows]), encoding="utf-8-sig")
    bar: list[tuple[int, int]] = []  # the progress bar as it moves: (value, maximum)
    screen.progress.valueChanged.connect(
        lambda value: bar.append((value, screen.progress.maximum())))
    import_and_wait(qtbot, screen, source)
    assert screen.banner.text() == (
        "2 produits importés. Nouveaux\u00a0: 2, mis à jour\u00a0: 0. 2 photos copiées.")
    assert (2, 4) in bar and bar[-1] == (4, 4)  # not full until the photos are copied
    window.show_screen("sale")
    settle()
    shown = {p.sku: p for p in window.sale.model.products if p.sku.startswith("MKT-")}
    for sku, size in (("MKT-001", (69, 92)), ("MKT-002", (61, 92))):
        kept = window.ctx.data_dir / "photos" / shown[sku].photo
        assert kept.is_file() and max(QImage(str(kept)).width(),
                                      QImage(str(kept)).height()) == 480
        tile = window.photos.get(shown[sku].photo, 92)
        assert tile is not None and (tile.width(), tile.height()) == size


@pytest.mark.parametrize(("lang", "said"), [("fr", "Vérification des photos\u00a0: {} / 6"),
                                             ("ar", "التحقق من الصور: {} من 6")])
def test_the_photos_of_a_file_are_checked_photo_by_photo_in_sight(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str, said: str) -> None:
    """A file naming several photos: while they are checked, before anything is written,
    the bar says how many of them are checked ("Checking photos: 3 / 6"), filling as they
    are; then it fills again as the products and photos are saved."""
    from PySide6.QtGui import QImage

    window = make_window(lang=lang, size=SMALL)
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    folder = tmp_path / "marché"
    (folder / "photos").mkdir(parents=True)
    rows = []
    for i in range(6):
        picture = QImage(300 + i, 200, QImage.Format.Format_RGB32)
        picture.fill(0x204080 + i)
        assert picture.save(str(folder / "photos" / f"p{i}.png"))
        rows.append(f"MKT-{i:03d};عسل {i};Miel {i};Alimentation;{80 + i},50;piece;20%;;5;2;;"
                    f"photos/p{i}.png;1")
    rows.append("MKT-006;عسل;Miel sans photo;Alimentation;9,50;piece;20%;;5;2;;;1")
    source = folder / "catalogue.csv"
    source.write_text("\r\n".join([HEADER, *rows]), encoding="utf-8-sig")
    bar: list[tuple[int, int, str]] = []  # the bar as it moves: (value, maximum, its words)
    screen.progress.valueChanged.connect(lambda value: bar.append(
        (value, screen.progress.maximum(),
         screen.progress_text.text() if screen.progress_text.isVisible() else "")))
    import_and_wait(qtbot, screen, source)
    checks = [(i, 6, said.format(i)) for i in range(7)]
    assert bar[:7] == checks  # determinate from the first photo, photo by photo
    saving = bar[7:]
    assert saving and saving[-1] == (13, 13, "")  # then the rows and photos saved
    assert all(maximum == 13 and not text for _, maximum, text in saving)
    assert len(market_products(window)) == 7
    assert screen.banner.isVisible() and "6" in screen.banner.text()
