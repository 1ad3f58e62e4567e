"""The stock across a market's days: a catalogue exported in the morning, its prices edited
in a spreadsheet and imported in the evening keeps the day's sales; goods received are
added to the stock as it is, sales meanwhile kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import catalogue, settings
from pos.catalogue import ProductData
from pos.clock import local
from pos.db import Store
from pos.errors import InputError
from pos.models import Product
from pos.spreadsheet import from_cell
from tests.helpers import ring
from tests.pos.conftest import run


def stock(store: Store, sku: str) -> tuple[int, int]:
    """(stock, price) of ``sku``."""
    with store.read() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        return product.stock, product.price


def edit(path: Path, lang: str, **cells: dict[str, str]) -> None:
    """Change cells of the exported file as a spreadsheet saves it again: ``SKU={column:
    text}`` (``-`` for ``_`` in the SKU)."""
    delimiter = "," if lang == "en" else ";"
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    for row in rows:
        sku = from_cell(row["sku"])
        row.update(cells.get(sku.replace("-", "_"), {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def import_file(store: Store, path: Path) -> catalogue.Imported:
    file = catalogue.read_csv(path, path.parent)
    with store.write() as s:
        return catalogue.save_file(s, file)


def export_time(store: Store) -> str:
    with store.read() as s:
        export = catalogue.last_export(s)
    assert export is not None
    return local(export.at).strftime("%H:%M")


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "{n} produits gardent le stock de la caisse\u00a0: leur stock dans le fichier "
           "était celui de l'export de {time}."),
    ("ar", "احتفظ {n} منتجًا بمخزون الصندوق، لأن مخزونها في الملف هو ما كتبه تصدير {time}."),
])
def test_a_morning_export_edited_and_imported_at_night_keeps_the_days_sales(
        store: Store, open_day: int, tmp_path: Path, lang: str, said: str) -> None:
    path = tmp_path / "catalogue.csv"
    total = catalogue.export_file(store, path, lang)
    # the day's sales: 3 jars of argan oil, 1,5 kg of honey
    ring(store, [("ARG-250", 3000), ("HNY-KG", 1500)])
    # in the spreadsheet: a new price, and the amlou counted again on the shelf (50)
    edit(path, lang, ARG_250={"price": "130,00" if lang != "en" else "130.00"},
         AML_250={"stock": "50"})
    imported = import_file(store, path)
    assert stock(store, "ARG-250") == (37000, 13000)  # the price, and the sales kept
    assert stock(store, "HNY-KG") == (10500, 20000)
    assert stock(store, "AML-250")[0] == 50000  # a figure typed is a count
    assert (imported.updated, imported.stock_kept) == (total, total - 1)
    message = imported.text(lang)
    assert message.endswith(said.format(n=total - 1, time=export_time(store)))


def test_any_export_remembered_keeps_the_sales_and_the_goods_received(
        store: Store, open_day: int, tmp_path: Path) -> None:
    """The morning's export imported after a noon export: its 40 jars are the figure the
    till wrote that morning, not a count, and the 5 sold since stay sold; so do the goods
    received after both exports, and a count typed in the product dialog."""
    morning, noon = tmp_path / "morning.csv", tmp_path / "noon.csv"
    catalogue.export_file(store, morning, "fr")  # 40 jars
    with store.read() as s:
        morning_export = catalogue.last_export(s)
    assert morning_export is not None
    ring(store, [("ARG-250", 3000)])
    catalogue.export_file(store, noon, "fr")  # 37 jars
    with store.read() as s:
        noon_export = catalogue.last_export(s)
    assert noon_export is not None
    ring(store, [("ARG-250", 2000)])
    edit(morning, "fr", ARG_250={"price": "130,00"})
    imported = import_file(store, morning)
    assert stock(store, "ARG-250") == (35000, 13000)
    # every product said kept by the morning's export, the file it is
    assert imported.kept_by_export == {morning_export.at: imported.updated}
    assert imported.text("fr").endswith(
        "leur stock dans le fichier était celui de l'export de "
        f"{local(morning_export.at).strftime('%H:%M')}.")
    imported = import_file(store, noon)
    assert stock(store, "ARG-250")[0] == 35000
    assert imported.kept_by_export == {noon_export.at: imported.updated}
    with store.write() as s:
        argan = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        assert argan is not None
        catalogue.receive_stock(s, argan.id, 10000)  # 45
    imported = import_file(store, morning)
    assert stock(store, "ARG-250")[0] == 45000  # the van's 10 jars stay
    assert imported.kept_by_export == {morning_export.at: imported.updated}
    counted = tmp_path / "counted.csv"  # counted on the shelf: 44
    counted.write_bytes(morning.read_bytes())
    edit(counted, "fr", ARG_250={"stock": "44"})
    import_file(store, counted)
    assert stock(store, "ARG-250")[0] == 44000
    ring(store, [("ARG-250", 1000)])
    import_file(store, noon)
    assert stock(store, "ARG-250")[0] == 43000


def test_a_till_that_kept_its_last_export_only_still_reads_it(
        store: Store, open_day: int, tmp_path: Path) -> None:
    """The setting as a till of the version before kept it (the last export alone, to the
    second): its file imported keeps the sales made since."""
    path = tmp_path / "catalogue.csv"
    catalogue.export_file(store, path, "fr")
    with store.write() as s:
        export = catalogue.last_export(s)
        assert export is not None
        settings.put(s, catalogue.EXPORTED_STOCK, {
            "at": export.at.isoformat(timespec="seconds"),
            "stock": {str(k): v for k, v in export.stock.items()}})
    ring(store, [("ARG-250", 3000)])
    imported = import_file(store, path)
    assert stock(store, "ARG-250")[0] == 37000
    assert imported.stock_kept == imported.updated


def test_the_latest_exports_are_remembered(
        store: Store, open_day: int, tmp_path: Path) -> None:
    """The till remembers the latest :data:`pos.catalogue.EXPORTS_KEPT` exports."""
    for n in range(catalogue.EXPORTS_KEPT + 2):
        catalogue.export_file(store, tmp_path / f"export-{n}.csv", "fr")
    with store.read() as s:
        kept = catalogue.exports(s)
        assert len(kept) == catalogue.EXPORTS_KEPT and kept[-1] == catalogue.last_export(s)


def test_a_product_added_since_the_export_takes_the_files_stock(
        store: Store, open_day: int, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    catalogue.export_file(store, path, "fr")
    with store.write() as s:  # added at the till after the export, 5 of them
        catalogue.save_product(s, ProductData(sku="NEW-1", name_ar="صابون", name_fr="Savon",
                                              price=2000, stock=5000))
    ring(store, [("ARG-250", 1000)])
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text + "NEW-1;صابون;Savon;;20,00;piece;0;;8;0;;;1\r\n"
                    "NEW-2;سابون;Savon noir;;25,00;piece;0;;12;0;;;1\r\n",
                    encoding="utf-8-sig")
    imported = import_file(store, path)
    assert stock(store, "NEW-1")[0] == 8000  # the export knew none: a count
    assert stock(store, "NEW-2")[0] == 12000
    assert stock(store, "ARG-250")[0] == 39000
    assert (imported.added, imported.stock_kept) == (1, imported.updated - 1)


def test_a_file_of_a_till_that_never_exported_writes_every_stock(
        store: Store, open_day: int, tmp_path: Path) -> None:
    """A file written elsewhere (another laptop, by hand) after goods were received: its
    stock figures are counts, as before, and the message says nothing of an export."""
    path = tmp_path / "other.csv"
    with store.write() as s:
        argan = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        assert argan is not None
        catalogue.receive_stock(s, argan.id, 5000)
        path.write_text("\ufeff" + catalogue.export_csv(catalogue.all_products(s), "fr"),
                        encoding="utf-8")
    ring(store, [("ARG-250", 3000)])
    imported = import_file(store, path)
    assert stock(store, "ARG-250")[0] == 45000
    # the other products' figures are the ones the catalogue's import wrote: kept
    assert (imported.stock_kept, imported.stock_kept_imported) == (0, imported.updated - 1)
    assert "export" not in imported.text("fr")


def test_a_file_without_a_stock_column_keeps_the_stock_and_says_nothing_of_it(
        store: Store, open_day: int, tmp_path: Path) -> None:
    catalogue.export_file(store, tmp_path / "catalogue.csv", "fr")
    ring(store, [("ARG-250", 3000)])
    path = tmp_path / "prices.csv"
    path.write_text("sku;name_fr;price\nARG-250;Huile d'argan;125\n", encoding="utf-8")
    imported = import_file(store, path)
    assert stock(store, "ARG-250") == (37000, 12500)
    assert imported.stock_kept == 0


def test_the_command_line_says_the_stock_kept_in_the_users_language(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "catalogue.csv"
    code, out, _ = run(capsys, "--data-dir", str(data), "--lang", "ar", "products", "export",
                       str(path))
    assert code == 0
    store = Store.open(data / "souk.sqlite3")
    try:
        with store.write() as s:  # a count typed in the dialog since: 12 jars
            product = s.scalar(select(Product).where(Product.sku == "HNY-EUP"))
            assert product is not None
            product.stock = 12000
        time = export_time(store)
    finally:
        store.close()
    for lang, said in (
            ("ar", f"لأن مخزونها في الملف هو ما كتبه تصدير {time}."),
            ("fr", f"leur stock dans le fichier était celui de l'export de {time}.")):
        code, out, _ = run(capsys, "--data-dir", str(data), "--lang", lang, "products",
                           "import", str(path))
        assert code == 0 and out.strip().endswith(said)
    store = Store.open(data / "souk.sqlite3")
    try:
        assert stock(store, "HNY-EUP")[0] == 12000
    finally:
        store.close()


def test_goods_received_are_added_to_the_stock_as_it_is(store: Store, open_day: int) -> None:
    with store.read() as s:
        seen = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        assert seen is not None and seen.stock == 40000
    ring(store, [("ARG-250", 3000)])  # sold while the manager typed
    with store.write() as s:
        received = catalogue.parse_received("٢٠", "piece")
        assert catalogue.receive_stock(s, seen.id, received).stock == 57000
    assert stock(store, "ARG-250")[0] == 57000
    with store.write() as s:
        honey = s.scalar(select(Product).where(Product.sku == "HNY-KG"))
        assert honey is not None
        catalogue.receive_stock(s, honey.id, catalogue.parse_received("2,5", "kg"))
    assert stock(store, "HNY-KG")[0] == 14500


@pytest.mark.parametrize(("text", "unit", "said"), [
    ("0", "piece", "La quantité doit être supérieure à zéro."),
    ("", "piece", "Saisissez une quantité."),
    ("-3", "piece", "la quantité ne peut pas être négative."),
    ("trois", "piece", "n'est pas un nombre de pièces"),
    ("1,5", "piece", "Vendu à la pièce\u00a0: saisissez un nombre entier (ex. 2)."),
    ("beaucoup", "kg", "n'est pas une quantité"),
    ("0,000", "kg", "La quantité doit être supérieure à zéro."),
])
def test_a_quantity_received_that_is_not_one_is_refused(text: str, unit: str,
                                                        said: str) -> None:
    with pytest.raises(InputError) as caught:
        catalogue.parse_received(text, unit)
    assert said in caught.value.message("fr")


def test_goods_received_past_what_the_till_counts_write_nothing(store: Store,
                                                                open_day: int) -> None:
    with store.read() as s:
        product = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        assert product is not None
    big = catalogue.parse_received("999999", "piece")
    with pytest.raises(InputError), store.write() as s:
        catalogue.receive_stock(s, product.id, big)
    assert stock(store, "ARG-250")[0] == 40000
