"""The figures (F5) and settings (F6) on a 1024x600 screen, in Arabic and French: the four
key figures line up, each on its language's reading side; a device path in an Arabic
example keeps its slash in front; every settings tab's title shows whole."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionTab, QToolButton

from pos.cart import cash
from tests.ui.conftest import click_tile, tile_row

SMALL = (1024, 600)


def settle() -> None:
    for _ in range(12):
        QApplication.processEvents()


def ink(label: QLabel) -> tuple[int, int]:
    """The first and last columns of ``label`` where its text is drawn."""
    image = label.grab().toImage()
    columns = [x for x in range(image.width())
               if any(image.pixelColor(x, y).lightness() < 128 for y in range(image.height()))]
    assert columns, label.text()
    return columns[0], columns[-1]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_key_figures_line_up_on_the_reading_side(qtbot: Any, make_window: Any,
                                                     lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    for sku in ("RUG-S", "ARG-250"):
        click_tile(qtbot, window, tile_row(window, sku))
        assert window.sale.complete([cash(window.sale.cart.totals().total)])
    window.show_screen("figures")
    settle()
    kpis = window.figures.kpis
    assert kpis["sales"][1].text() == "2"
    for caption, value in kpis.values():
        for text in (caption, value):
            left, right = ink(text)
            if lang == "ar":  # the count too, which has no direction of its own
                assert right > text.width() - 12 and left > 12, (text.text(), left, right)
            else:
                assert left < 12, (text.text(), left, right)
    tops = {(caption.mapTo(window, caption.rect().topLeft()).y(),
             value.mapTo(window, value.rect().topLeft()).y(), value.height())
            for caption, value in kpis.values()}
    assert len(tops) == 1, tops  # the captions at one height, the figures at another


@pytest.mark.parametrize("kind", ["none", "file", "serial"])
def test_an_arabic_example_path_keeps_its_slash_in_front(qtbot: Any, make_window: Any,
                                                         kind: str) -> None:
    window = make_window(lang="ar", size=SMALL)
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(3)
    screen.printer_kind.setCurrentIndex(screen.printer_kind.findData(kind))
    settle()
    field = screen.printer_address
    shown = field.placeholderText()
    path = "/dev/usb/lp0" if kind != "serial" else "/dev/ttyUSB0"
    assert path in shown
    layout = QTextLayout(shown, field.font())
    option = layout.textOption()
    option.setTextDirection(Qt.LayoutDirection.RightToLeft)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(2000)
    layout.endLayout()
    at = shown.index(path)
    slash, d = (line.glyphRuns(at + i, 1)[0].positions()[0].x() for i in (0, 1))
    assert slash < d  # "/dev/…", not "dev/…/"


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_settings_tab_title_is_whole_on_a_small_screen(qtbot: Any, make_window: Any,
                                                             lang: str) -> None:
    """At 1024x600, each tab open in turn (the open one's title in bold takes more room),
    no title is shortened ("النسخ الاحتياط…") nor cut off, and no scroll arrows show; nor
    in a window made as narrow as it goes (a dock beside it, a window not maximized)."""
    window = make_window(lang=lang, size=SMALL)
    window.show_screen("settings")
    tabs = window.settings.tabs
    bar = tabs.tabBar()
    for width in (SMALL[0], 1):
        window.resize(width, SMALL[1])
        for current in range(tabs.count()):
            tabs.setCurrentIndex(current)
            settle()
            assert window.height() == SMALL[1]
            assert [arrow for arrow in bar.findChildren(QToolButton) if arrow.isVisible()] == []
            seen = QRect(bar.mapTo(window, bar.rect().topLeft()), bar.size())
            assert window.rect().contains(seen) and tabs.rect().contains(bar.geometry())
            for i in range(bar.count()):
                option = QStyleOptionTab()
                bar.initStyleOption(option, i)
                assert option.text == bar.tabText(i), (width, current)  # not shortened
                assert bar.rect().contains(bar.tabRect(i)), (bar.tabText(i), width, current)
                assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width()
