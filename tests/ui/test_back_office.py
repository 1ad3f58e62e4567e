"""Products (edit, CSV import and export with progress), the figures, settings (the
cooperative, users, backups) and the screenshots command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from pos import catalogue, settings, users
from pos.cart import cash
from tests.ui.conftest import MANAGER_PIN, click_tile, on_modal, tile_row, type_pin

LEFT = Qt.MouseButton.LeftButton


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
    assert "produit" in screen.low_label.text().lower()

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
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffsku,") and "IMP-119" in text


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


def test_figures_today_and_edition(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "RUG-S"))
    assert window.sale.complete([cash(85000, 100000)])
    window.show_screen("figures")
    screen = window.figures
    assert screen.kpis["net"][1].text() == "850,00 DH"
    assert [b[1] for b in screen.chart.bars if b[1]] == [85000]
    assert "Tapis amazigh petit" in screen.top.text()
    qtbot.mouseClick(screen.edition_btn, LEFT)
    assert screen.period.text() == "1 jour(s)"


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
        qtbot.mouseClick(dialog.ok, LEFT)

    def pin(dialog: Any) -> None:
        on_modal("userDialog", add_user)
        type_pin(qtbot, dialog, MANAGER_PIN)

    on_modal("pinDialog", pin)
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "usersAdd"), LEFT)
    with window.ctx.read() as s:
        assert "Zahra" in [u.name for u in users.active_users(s)]
    qtbot.mouseClick(screen.findChild(type(window.sale.pay), "backupNow"), LEFT)
    qtbot.waitUntil(lambda: screen.backup_list.count() == 1, timeout=10000)


def test_screenshots_command(tmp_path: Path) -> None:
    from ui.main import main

    assert main(["--data-dir", str(tmp_path / "data"), "screenshots", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(names) == 16 and "sale-ar.png" in names and "day-close-fr.png" in names
