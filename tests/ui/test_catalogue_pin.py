"""Changing the catalogue (add, edit, CSV import) asks for the manager's PIN unless a
manager is signed in; a wrong PIN or a cancel changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from pos import catalogue, users
from pos.models import Product
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin

LEFT = Qt.MouseButton.LeftButton


def price_of(window: Any, sku: str) -> int:
    with window.ctx.read() as s:
        return s.scalars(select(Product.price).where(Product.sku == sku)).one()


def pick(qtbot: Any, screen: Any, sku: str) -> None:
    screen.search.clear()
    qtbot.keyClicks(screen.search, sku)
    screen.table.selectRow(0)
    assert screen.selected() is not None and screen.selected().sku == sku


def sign_in_manager(window: Any) -> None:
    with window.ctx.read() as s:
        manager = users.authenticate(s, MANAGER_PIN)
        s.expunge(manager)
    window.ctx.set_user(manager)


def test_cashier_cannot_reprice_without_the_manager_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    before = price_of(window, "RUG-L")
    pick(qtbot, screen, "RUG-L")
    seen: dict[str, Any] = {}

    def edit(dialog: Any) -> None:
        dialog.price.setText("1")

        def wrong_then_cancel(pin: Any) -> None:
            type_pin(qtbot, pin, "0000")
            seen["error"] = pin.banner.text()
            seen["reason"] = pin.findChild(type(pin.title), "pinReason").text()
            qtbot.mouseClick(pin.cancel, LEFT)

        on_modal("pinDialog", wrong_then_cancel)
        qtbot.mouseClick(dialog.ok, LEFT)
        seen["still_open"] = dialog.isVisible()
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert seen["error"] and seen["still_open"]
    assert "gérant" in seen["reason"]
    assert price_of(window, "RUG-L") == before == 240000

    def edit_with_pin(dialog: Any) -> None:
        dialog.price.setText("1")
        on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
        qtbot.mouseClick(dialog.ok, LEFT)

    on_modal("productDialog", edit_with_pin)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert price_of(window, "RUG-L") == 100
    assert next(p for p in window.sale.products if p.sku == "RUG-L").price == 100


def test_cashier_adds_a_product_only_with_the_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products

    def fill(dialog: Any, then: Any) -> None:
        qtbot.keyClicks(dialog.sku, "NEW-1")
        qtbot.keyClicks(dialog.name_fr, "Savon au miel")
        qtbot.keyClicks(dialog.price, "25")
        on_modal("pinDialog", then)
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", lambda d: fill(d, lambda pin: qtbot.mouseClick(pin.cancel, LEFT)))
    assert screen.add() is None
    with window.ctx.read() as s:
        assert "NEW-1" not in {p.sku for p in catalogue.all_products(s, include_inactive=True)}

    on_modal("productDialog", lambda d: fill(d, lambda pin: type_pin(qtbot, pin, MANAGER_PIN)))
    added = screen.add()
    assert isinstance(added, Product) and added.price == 2500
    with window.ctx.read() as s:
        assert "NEW-1" in {p.sku for p in catalogue.all_products(s, include_inactive=True)}


def test_cashier_cannot_archive_without_the_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    pick(qtbot, screen, "HAT-DM")

    def archive(dialog: Any) -> None:
        dialog.active.setChecked(False)
        on_modal("pinDialog", lambda pin: qtbot.mouseClick(pin.cancel, LEFT))
        qtbot.mouseClick(dialog.ok, LEFT)
        qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", archive)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    with window.ctx.read() as s:
        assert s.scalars(select(Product.active).where(Product.sku == "HAT-DM")).one()


def test_cashier_csv_import_needs_the_pin(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    source = tmp_path / "prices.csv"
    source.write_text("sku,name_ar,name_fr,category,price,unit\n"
                      "RUG-L,زربية أمازيغية كبيرة,Tapis amazigh grand,textiles,1,piece\n",
                      encoding="utf-8")
    on_modal("pinDialog", lambda pin: qtbot.mouseClick(pin.cancel, LEFT))
    screen.import_file(source)
    assert screen.task is None and screen.import_btn.isEnabled()
    assert price_of(window, "RUG-L") == 240000

    on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
    screen.import_file(source)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.isFinished(), timeout=10000)
    qtbot.waitUntil(screen.import_btn.isEnabled)
    assert price_of(window, "RUG-L") == 100


def test_manager_signed_in_is_not_asked(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    sign_in_manager(window)
    window.show_screen("products")
    screen = window.products
    pick(qtbot, screen, "RUG-L")
    asked: list[str] = []

    def edit(dialog: Any) -> None:
        dialog.price.setText("2300")
        on_modal("pinDialog", lambda pin: (asked.append("pin"), qtbot.mouseClick(pin.cancel,
                                                                                   LEFT)))
        qtbot.mouseClick(dialog.ok, LEFT)
        if dialog.isVisible():
            qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", edit)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert asked == []
    assert price_of(window, "RUG-L") == 230000


def test_unchanged_product_needs_no_pin(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show_screen("products")
    screen = window.products
    pick(qtbot, screen, "RUG-L")
    asked: list[str] = []
    closed: list[bool] = []

    def look(dialog: Any) -> None:
        on_modal("pinDialog", lambda pin: (asked.append("pin"), qtbot.mouseClick(pin.cancel,
                                                                                   LEFT)))
        qtbot.mouseClick(dialog.ok, LEFT)
        closed.append(not dialog.isVisible())
        if dialog.isVisible():
            qtbot.mouseClick(dialog.cancel, LEFT)

    on_modal("productDialog", look)
    qtbot.mouseClick(screen.edit_btn, LEFT)
    assert asked == [] and closed == [True]
    assert price_of(window, "RUG-L") == 240000
