"""Switching the language live (Arabic mirrors the layout) and no clipped or overlapping
text on the main screens at 1366x768 and 1024x600, in Arabic and French."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QPushButton,
    QWidget,
)

from tests.ui.conftest import click_tile, tile_row

LEFT = Qt.MouseButton.LeftButton
SCREENS = ("sale", "sales", "day", "products", "figures", "settings")


def test_switch_to_arabic_and_back(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    click_tile(qtbot, window, tile_row(window, "SAF-1G"))
    app = QApplication.instance()
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.sale.pay.text().startswith("Encaisser")
    window.show_screen("settings")
    combo = window.settings.language
    combo.setCurrentIndex(combo.findData("ar"))
    combo.activated.emit(combo.currentIndex())
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.sale.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.sale.pay.text().startswith("الدفع")
    assert window.nav_buttons["sale"].text().startswith("البيع")
    assert "د.م." in window.sale.total.text()
    assert window.sale.cart_model.data(window.sale.cart_model.index(0, 0)).startswith("زعفران")
    assert len(window.sale.cart.lines) == 1  # nothing rung is lost
    assert window.sale.tabs.tabText(0) == "الكل"
    combo.setCurrentIndex(combo.findData("fr"))
    combo.activated.emit(combo.currentIndex())
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.sale.pay.text().startswith("Encaisser")
    with window.ctx.read() as s:
        from pos import settings

        assert settings.get(s, settings.LANGUAGE) == "fr"


def test_a_message_on_screen_follows_a_language_switch_or_goes(
    qtbot: Any, make_window: Any
) -> None:
    """After switching the language, no message stays in the old one: the settings' "Saved."
    is written again in the new language; a message that cannot be (the sale screen's, made
    of a text) is hidden."""
    from PySide6.QtWidgets import QPushButton

    window = make_window(lang="en")
    sale = window.sale
    sale.search.setFocus()
    qtbot.keyClicks(sale.search, "miel")  # products carry French and Arabic names
    qtbot.keyClick(sale.search, Qt.Key.Key_Return)
    assert sale.banner.isVisible() and sale.banner.text().startswith("4 products match")
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex(1)
    qtbot.mouseClick(screen.findChild(QPushButton, "coopSave"), LEFT)
    assert screen.banner.isVisible() and screen.banner.text() == "Saved."
    combo = screen.language
    combo.setCurrentIndex(combo.findData("ar"))
    combo.activated.emit(combo.currentIndex())
    assert screen.banner.isVisible() and screen.banner.text() == "تم الحفظ."
    assert screen.banner.accessibleDescription() == "تم الحفظ."
    assert sale.banner.isHidden()
    window.show_screen("sale")
    assert not sale.banner.isVisible()


def _visible(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.width() > 0


def _clipped(widget: QWidget) -> str:
    if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        if widget.textFormat() == Qt.TextFormat.RichText or "<" in widget.text():
            return ""
        rect = widget.contentsRect()
        if widget.wordWrap():
            need = widget.heightForWidth(rect.width())
            short = need > rect.height() + 2
            return f"wrapped label needs {need}px, has {rect.height()}" if short else ""
        metrics = widget.fontMetrics()
        width = max(metrics.horizontalAdvance(line) for line in widget.text().split("\n"))
        return f"label needs {width}px, has {rect.width()}" if width > rect.width() + 1 else ""
    if isinstance(widget, (QPushButton, QCheckBox)) and widget.text():
        hint = widget.sizeHint().width()
        return f"button needs {hint}px, has {widget.width()}" if hint > widget.width() + 2 else ""
    return ""


def _outside(widget: QWidget) -> bool:
    window = widget.window()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    rect = QRect(top_left, widget.size())
    return not window.rect().adjusted(-1, -1, 1, 1).contains(rect)


def problems(root: QWidget) -> list[str]:
    found = []
    texts = [w for w in root.findChildren(QWidget) if isinstance(w, (QLabel, QAbstractButton))]
    for widget in texts:
        if not _visible(widget) or widget.objectName().startswith("qt_"):
            continue
        why = _clipped(widget)
        if why:
            found.append(f"{widget.objectName() or type(widget).__name__} {widget.text()!r}: {why}")
        elif _outside(widget) and not _in_scroll(widget):
            found.append(f"{widget.objectName()} {widget.text()!r}: outside the window")
    by_parent: dict[int, list[QWidget]] = {}
    for widget in texts:
        if _visible(widget) and widget.parentWidget() is not None:
            by_parent.setdefault(id(widget.parentWidget()), []).append(widget)
    for siblings in by_parent.values():
        for i, a in enumerate(siblings):
            for b in siblings[i + 1:]:
                overlap = a.geometry().intersected(b.geometry())
                if overlap.width() > 2 and overlap.height() > 2:
                    found.append(f"{a.objectName()} overlaps {b.objectName()}")
    return found


def _in_scroll(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QAbstractScrollArea, QTabBar

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractScrollArea, QTabBar)):
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
def test_no_clipped_or_overlapping_text(qtbot: Any, make_window: Any, lang: str,
                                        size: tuple[int, int]) -> None:
    window = make_window(lang=lang, size=size)
    for sku in ("ARG-250", "HNY-THY", "RUG-L", "SAF-5G", "CSH-EMB"):
        click_tile(qtbot, window, tile_row(window, sku))
    report = []
    for name in SCREENS:
        window.show_screen(name)
        qtbot.wait(1)
        assert window.width() <= size[0] and window.height() <= size[1], (
            f"{name} needs {window.minimumSizeHint()}")
        report += [f"{name}: {p}" for p in problems(window)]
    assert report == []
