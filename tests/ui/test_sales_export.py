"""Figures (F5) → "Export sales…": the tickets of the period shown, a row per line, saved
where the manager chooses, off the UI thread; the file adds up to the figures on screen."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from pos import catalogue, checkout, day, users
from pos.cart import Cart, cash
from pos.i18n import tr
from pos.money import format_money
from tests.ui.test_language_and_layout import problems
from tests.ui.test_rtl_tables_and_small_screens import SOLD, sell, settle

SMALL = (1024, 600)


def _rows(path: Path, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")),
                           delimiter=delimiter))


def _yesterday_with_a_rug(window: Any) -> None:
    """Yesterday, closed, with a small rug sold; today opened."""
    yesterday = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(9))
    with window.ctx.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        rug = next(p for p in catalogue.all_products(s) if p.sku == "RUG-S")
        day.open_day(s, 50000, user=manager, at=yesterday)
        cart = Cart()
        cart.add(rug, 1000)
        checkout.complete(s, cart, [cash(cart.totals().total)], cashier=manager,
                          at=yesterday.replace(hour=11))
        day.close_day(s, day.count_for(day.day_report_expected(s)), manager=manager,
                      at=yesterday.replace(hour=19))
        day.open_day(s, 50000, user=manager)
    window.ctx.day_changed.emit()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_days_sales_are_saved_as_a_spreadsheet_adding_up_to_its_net(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        lang: str) -> None:
    """Today's tickets only, a day before being there; then the whole edition's."""
    window = make_window(lang=lang, day_open=False, size=SMALL)
    _yesterday_with_a_rug(window)
    for sku, method in SOLD:
        sell(qtbot, window, sku, method)
    window.show_screen("figures")
    settle()
    screen = window.figures
    assert screen.export_btn.isVisible() and screen.export_btn.isEnabled()
    assert screen.date_choice.isVisible()
    # the line holds the choices and the export: nothing cut, no scrolling, no wider window
    assert problems(window) == []
    assert screen.scroller.verticalScrollBar().maximum() == 0
    assert (window.width(), window.height()) == SMALL
    offered: list[str] = []
    target = tmp_path / "stick" / "ventes.csv"
    target.parent.mkdir()

    def save_as(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        offered.append(name)
        return str(target), "CSV (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(screen.export_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.banner.isVisible() and screen.export_btn.isEnabled())
    assert Path(offered[0]).name == (
        f"{tr(lang, 'sales_csv.file_name')}-{screen.shown_dates[0].isoformat()}.csv")
    rows = _rows(target)
    header, lines = rows[0], rows[1:]
    assert header[0] == tr(lang, "sales_csv.col_date")
    total = header.index(tr(lang, "sales_csv.col_total"))
    net = sum(Decimal(r[total].replace(",", ".")) for r in lines) * 100
    assert len(lines) == len(SOLD)
    assert format_money(int(net), lang) == screen.kpis["net"][1].text()
    assert format_money(int(net), lang) in screen.banner.text()
    qtbot.mouseClick(screen.edition_btn, Qt.MouseButton.LeftButton)
    settle()
    qtbot.mouseClick(screen.export_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(offered) == 2 and screen.export_btn.isEnabled())
    first, last = dt.date.today() - dt.timedelta(days=1), dt.date.today()
    assert Path(offered[1]).name == (f"{tr(lang, 'sales_csv.file_name')}-{first.isoformat()}"
                                     f"_{last.isoformat()}.csv")
    assert len(_rows(target)) == 1 + len(SOLD) + 1


def test_a_file_that_cannot_be_written_is_said_and_the_button_comes_back(
        qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(lang="fr", size=SMALL)
    sell(qtbot, window, "TAJ-M", "cash")
    window.show_screen("figures")
    settle()
    screen = window.figures
    missing = tmp_path / "unplugged" / "ventes.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a: (str(missing), "CSV (*.csv)"))
    qtbot.mouseClick(screen.export_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.banner.isVisible() and screen.export_btn.isEnabled())
    assert str(missing.parent) in screen.banner.text()
    assert not missing.parent.exists()
