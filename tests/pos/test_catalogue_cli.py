"""``souk-pos products import``: a bad row is named by its line and nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.pos.conftest import run

HEADER = "sku,name_ar,name_fr,price,barcodes,stock\n"


def products(folder: Path) -> list[tuple[str, int, int, str | None]]:
    conn = sqlite3.connect(folder / "souk.sqlite3")
    try:
        return conn.execute(
            "SELECT sku, price, stock, group_concat(code) FROM product "
            "LEFT JOIN barcode ON barcode.product_id = product.id GROUP BY product.id "
            "ORDER BY sku"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ("N-1,جديد,Nouveau,10,6119999999999,1\nN-2,جديد,Nouveau,10,6119999999999,1\n",
         "Ligne 3 : le code-barres 6119999999999 figure déjà ligne 2 (produit N-1)."),
        ("N-1,جديد,Nouveau,10,,1\nN-2,جديد,Nouveau,10,6111245780016,1\n",
         "Ligne 3 : Le code-barres 6111245780016 appartient déjà au produit ARG-250 "
         "« Huile d'argan alimentaire 250 ml »."),
        ("N-1,جديد,Nouveau,10,6111245780012,1\n",
         "Ligne 2 : Le dernier chiffre du code-barres 6111245780012 est faux : en EAN-13, ce "
         "serait 6."),
    ],
)
def test_a_barcode_refused_is_named_by_its_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, needle: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + rows, encoding="utf-8")
    before = products(data)
    code, _, err = run(capsys, "--data-dir", str(data), "products", "import", str(bad))
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert products(data) == before


def test_weights_and_prices_with_three_decimals(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new.csv"
    source.write_text(HEADER + "N-1,جديد,Nouveau,0.500,,1.500\nN-2,جديد,Nouveau,12,,-2\n",
                      encoding="utf-8")
    code, _, _ = run(capsys, "--data-dir", str(data), "products", "import", str(source))
    assert code == 0
    assert [row for row in products(data) if row[0].startswith("N-")] == [
        ("N-1", 50, 1500, None), ("N-2", 1200, -2000, None)
    ]


def test_photos_by_path_and_beside_the_file_are_kept_and_the_output_counts_the_products(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtGui import QImage

    from tests.pos.test_catalogue import picture

    argan = picture(tmp_path / "Images" / "argan.jpg", 1600, 1200)
    picture(tmp_path / "marché" / "photos" / "miel.png", 500, 500)
    source = tmp_path / "marché" / "catalogue.csv"
    source.write_text("sku,name_fr,price,photo\n"
                      f"N-1,Huile d'argan,120,{argan}\n"
                      "ARG-250,Huile d'argan alimentaire 250 ml,130,photos/miel.png\n",
                      encoding="utf-8")
    code, out, _ = run(capsys, "--data-dir", str(data), "products", "import", str(source))
    assert code == 0
    assert out.strip() == (
        "2 produits importés. Nouveaux\u00a0: 1, mis à jour\u00a0: 1. 2 photos copiées.")
    conn = sqlite3.connect(data / "souk.sqlite3")
    try:
        names = dict(conn.execute("SELECT sku, photo FROM product WHERE sku IN ('N-1', "
                                  "'ARG-250')").fetchall())
    finally:
        conn.close()
    for sku, side in (("N-1", 480), ("ARG-250", 480)):
        image = QImage(str(data / "photos" / names[sku]))
        assert names[sku].startswith(sku) and max(image.width(), image.height()) == side


def test_a_bad_price_and_a_wrong_check_digit_are_named_in_one_run(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "N-1,جديد,Nouveau,dix,,1\nN-2,جديد,Nouveau,10,6111245780012,1\n",
                   encoding="utf-8")
    before = products(data)
    code, _, err = run(capsys, "--data-dir", str(data), "products", "import", str(bad))
    assert code == 2
    assert "Ligne 2 : « dix » n'est pas un montant" in err.replace("\xa0", " ")
    assert "Ligne 3 : Le dernier chiffre du code-barres 6111245780012 est faux" in err.replace(
        "\xa0", " ")
    assert products(data) == before


def test_columns_named_with_capitals_as_typed_in_excel_are_read(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A manager's own sheet, saved by a French Excel (mark, ';', decimal commas), names its
    columns "SKU", "Name_FR", "Price": they are the columns the import reads, not ones it
    says are missing."""
    source = tmp_path / "Catalogue.csv"
    source.write_bytes("\ufeffSKU;Name_AR;Name_FR;Price;Stock\r\nN-1;جديد;Nouveau;10,50;3\r\n"
                       .encode("utf-8"))
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "products", "import",
                         str(source))
    assert (code, err) == (0, "")
    assert out == "1 produit importé. Nouveaux\u00a0: 1, mis à jour\u00a0: 0.\n"
    assert [row for row in products(data) if row[0] == "N-1"] == [("N-1", 1050, 3000, None)]
