"""The products table on a 1024x600 screen: the members and categories read whole, the
price, unit and stock columns stay narrow, the name takes what is left; a text too long
for its column is cut at its end (its own end, in Arabic as in French), and its tool tip
gives it whole."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from pos import catalogue
from pos.catalogue import ProductData
from ui.products import FREE, NAME, share_out

SMALL = (1024, 600)
CATEGORY, PRICE, UNIT, STOCK, BARCODE, MEMBER = 2, 3, 4, 5, 6, 7
LONG_MEMBER = "Fatima-Zahra Aït Ben Ouahmane Idrissi"
LONG_CATEGORY = "مستحضرات التجميل الطبيعية والعطور التقليدية"


def settle() -> None:
    for _ in range(12):
        QApplication.processEvents()


def cut(table: Any, column: int) -> list[str]:
    """The texts of ``column`` that the column is too narrow to show whole."""
    model = table.model()
    return sorted({str(index.data()) for row in range(model.rowCount())
                   if table.sizeHintForIndex(index := model.index(row, column)).width() + 1
                   > table.columnWidth(column)})


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_members_and_categories_read_whole_on_a_small_screen(qtbot: Any, make_window: Any,
                                                             lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    window.show_screen("products")
    settle()
    table = window.products.table
    widths = [table.columnWidth(c) for c in range(table.model().columnCount())]
    assert cut(table, MEMBER) == [] and cut(table, CATEGORY) == []
    assert widths[NAME] == max(widths)
    for narrow in (PRICE, UNIT, STOCK):  # a figure needs no more than its title
        assert cut(table, narrow) == []
        assert widths[narrow] < 0.1 * table.viewport().width(), (narrow, widths)
    assert sum(widths) <= table.viewport().width()
    # sorted by another column, its title makes room for the arrow and nothing is cut
    table.sortByColumn(STOCK, Qt.SortOrder.AscendingOrder)
    settle()
    header = table.horizontalHeader()
    assert table.columnWidth(STOCK) >= header.sectionSizeHint(STOCK)
    assert cut(table, MEMBER) == [] and cut(table, STOCK) == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_text_too_long_is_cut_at_its_end_with_the_whole_in_its_tool_tip(
        qtbot: Any, make_window: Any, lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    with window.ctx.write() as s:
        catalogue.add_or_update(s, ProductData(
            sku="BOX-XL", name_ar="علبة هدايا أركان وأملو وعسل الزعتر الجبلي الكبيرة",
            name_fr="Coffret cadeau argan, amlou et miel de thym de montagne, grand modèle",
            category=LONG_CATEGORY, price=45_000, member=LONG_MEMBER,
            barcodes=["6111245789996", "6111245789989"]))
    window.show_screen("products")
    qtbot.keyClicks(window.products.search, "BOX-XL")
    settle()
    table = window.products.table
    assert table.textElideMode() == Qt.TextElideMode.ElideRight  # the beginning is kept
    model = table.model()
    assert model.rowCount() == 1
    assert cut(table, MEMBER) == [LONG_MEMBER]
    for column in FREE:
        index = model.index(0, column)
        assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()
    assert model.index(0, PRICE).data(Qt.ItemDataRole.ToolTipRole) is None
    # a Latin name in the Arabic table (an Arabic category in the French one) is laid out
    # in its own direction, so that its "…" comes at its end, on the table's reading side
    for column, text in ((MEMBER, LONG_MEMBER), (CATEGORY, LONG_CATEGORY)):
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.direction = table.layoutDirection()
        table.itemDelegateForColumn(column).initStyleOption(option, model.index(0, column))
        own = (Qt.LayoutDirection.LeftToRight if text == LONG_MEMBER
               else Qt.LayoutDirection.RightToLeft)
        assert option.direction == own
        if own != table.layoutDirection():
            side = (Qt.AlignmentFlag.AlignRight if lang == "ar"
                    else Qt.AlignmentFlag.AlignLeft)
            assert option.displayAlignment & side
            assert option.displayAlignment & Qt.AlignmentFlag.AlignAbsolute


def test_the_widest_columns_give_way_first() -> None:
    columns = {1: (280, 200, 80), 2: (116, 100, 90), 7: (162, 128, 80)}
    assert share_out(columns, 600) == {1: 280, 2: 116, 7: 162}  # room for all
    narrower = share_out(columns, 500)
    assert narrower[2] == 116 and narrower[7] == 162 and sum(narrower.values()) <= 500
    assert narrower[1] >= 200
    tight = share_out(columns, 430)  # below what most texts need: all give way
    assert sum(tight.values()) <= 430 and all(w >= columns[c][2] for c, w in tight.items())
    assert share_out(columns, 100) == {1: 80, 2: 90, 7: 80}
