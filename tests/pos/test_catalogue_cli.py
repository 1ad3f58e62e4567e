"""``souk-pos products import``: a bad row is named by its line and nothing is written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
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


@pytest.mark.parametrize(("header", "lang", "said"), [
    ("sku;nom;prix;price", "fr",
     "Il manque au fichier CSV une colonne de noms, name_ar ou name_fr."),
    ("code;nom", "en", "The CSV file lacks a column of names, name_ar or name_fr, and the "
                       "columns: sku, price."),
    ("sku;nom", "ar", "ينقص ملف CSV عمود للأسماء، name_ar أو name_fr، والأعمدة: price."),
    ("name_fr;prix", "fr", "Il manque au fichier CSV les colonnes\u00a0: sku, price."),
], ids=["names-fr", "names-and-others-en", "names-and-price-ar", "a-name-is-there"])
def test_a_file_without_names_asks_for_one_column_of_names_not_both(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, lang: str,
    said: str,
) -> None:
    """Either name column is enough: a file with neither is told it lacks one column of
    names, name_ar or name_fr, not that it lacks both; with the other columns it lacks."""
    source = tmp_path / "produits.csv"
    source.write_text(f"{header}\nA;B;C;1\n", encoding="utf-8")
    before = products(data)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "products", "import",
                         str(source))
    assert (code, out, err) == (2, "", f"souk-pos: {said}\n")
    assert products(data) == before


ROOT = Path(__file__).resolve().parents[2]


def test_the_photo_check_is_counted_on_the_terminal_only(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hundreds of photos take a while to check: on a terminal, the import says how far it
    is, on one line written again in place, then takes the line away; in a script's log
    (standard error no terminal) it says nothing of it."""
    import pty

    from tests.pos.test_catalogue import picture

    for n in (1, 2, 3):
        picture(tmp_path / "photos" / f"p{n}.png", 60, 60)
    source = tmp_path / "catalogue.csv"
    source.write_text("sku,name_fr,price,photo\n" + "".join(
        f"N-{n},Produit {n},10,photos/p{n}.png\n" for n in (1, 2, 3)), encoding="utf-8")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pos.cli", "--data-dir", str(data), "--lang", "fr",
             "products", "import", str(source)],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower,
            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT),
                              "QT_QPA_PLATFORM": "offscreen"})
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end closed: all is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert done.stdout.decode().startswith("3 produits importés.")
    check = "Vérification des photos\u00a0: {}/3"
    assert shown.decode() == "".join(f"\r{check.format(n)}" for n in range(4)) + (
        "\r" + " " * len(check.format(3)) + "\r")
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", "fr", "products", "import",
                         str(source))  # standard error captured: no terminal
    assert (code, err) == (0, "") and out.startswith("3 produits importés.")


def test_an_import_stopped_with_ctrl_c_says_so_and_writes_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C while the products are saved: one line saying it was stopped and nothing was
    written (true: the import is one transaction), exit 130; no Python trace."""
    from pos import catalogue

    saving = catalogue._save_row
    saved: list[str] = []

    def ctrl_c_at_the_third(session: object, data: catalogue.ProductData,
                            export: object) -> object:
        if len(saved) == 2:
            raise KeyboardInterrupt
        saved.append(data.sku)
        return saving(session, data, export)  # type: ignore[arg-type]

    monkeypatch.setattr(catalogue, "_save_row", ctrl_c_at_the_third)
    source = tmp_path / "new.csv"
    source.write_text(HEADER + "".join(f"N-{n},جديد,Nouveau,10,,1\n" for n in range(5)),
                      encoding="utf-8")
    before = products(data)
    code, out, err = run(capsys, "--data-dir", str(data), "products", "import", str(source))
    assert saved == ["N-0", "N-1"]  # two products were saved in the transaction
    assert (code, out, err) == (130, "", "souk-pos: Interrompu\u00a0: rien n'a été écrit.\n")
    assert products(data) == before


@pytest.mark.parametrize(("step", "lang", "said"), [
    ("fsync", "fr", "souk-pos: Interrompu\u00a0: rien n'a été écrit.\n"),
    ("remember_export", "fr",
     "souk-pos: Interrompu après l'écriture complète de {path}, avant que la caisse ait noté "
     "les stocks qu'il donne\u00a0: exportez à nouveau avant de modifier le fichier, sinon son "
     "import prendra ses stocks pour de nouveaux comptages, sans les ventes faites depuis.\n"),
    ("remember_export", "ar",
     "souk-pos: توقف الأمر بعد كتابة {path} كاملًا، وقبل أن يسجّل الصندوق المخزون الذي فيه: "
     "صدِّر من جديد قبل تعديل الملف، وإلا فإن استيراده سيأخذ أرقام مخزونه على أنها جرد جديد "
     "دون المبيعات التي تمت بعده.\n"),
])
def test_an_export_stopped_with_ctrl_c_says_what_it_wrote(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, step: str, lang: str, said: str,
) -> None:
    """Ctrl+C while the file is written (its bytes on their way to the disk): nothing is
    written, the file there as it was and no part of the new one left. Once it is
    written, before the till noted the stock it gives: the file is whole, and the line
    says to export again before editing it, lest its import lose the sales made since."""
    from pos import catalogue
    from pos.i18n import ltr

    target = tmp_path / "produits.csv"
    target.write_text("ancien", encoding="utf-8")

    def ctrl_c(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os if step == "fsync" else catalogue, step, ctrl_c)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "products",
                         "export", str(target))
    assert (code, out) == (130, "")
    assert err == said.format(path=ltr(str(target), lang))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "produits.csv"]
    written = target.read_text(encoding="utf-8-sig")
    assert written == "ancien" if step == "fsync" else written.startswith("sku;")
    conn = sqlite3.connect(data / "souk.sqlite3")
    try:
        noted = conn.execute("SELECT COUNT(*) FROM setting WHERE key = 'exported_stock'")
        assert noted.fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "le nom est trop long pour le système de fichiers"),
    ("ar", "الاسم طويل جدًا بالنسبة لنظام الملفات")])
def test_an_export_to_a_name_too_long_is_one_line(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str,
        words: str) -> None:
    """A file name longer than the file system takes (255 bytes on most) is said in one
    line in the user's language, never a Python trace, and nothing is written."""
    target = tmp_path / ("catalogue-" + "x" * 300 + ".csv")
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "products",
                         "export", str(target))
    assert (code, out) == (2, "")
    assert words in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [data]
