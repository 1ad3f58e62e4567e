"""The hours chart of the Figures screen: an hour that only gave money back (a refund of an
earlier day's sale, before the first sale) hangs below the line, in its own colour, rather
than showing as an empty hour; mirrored in Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui import theme
from ui.chart import BAR, BELOW_ZERO, BarChart


def _colours(chart: BarChart, slot: int, above: bool) -> set[str]:
    """The colours down the middle of hour ``slot`` (as drawn, left to right), above the
    zero line or below it."""
    image = chart.grab().toImage()
    left, width = 8, chart.width() - 16
    x = round(left + (slot + 0.5) * width / len(chart.bars))
    zero = round(chart.zero_line())
    rows = range(0, zero - 1) if above else range(zero + 2, chart.height() - 26)
    return {image.pixelColor(x, y).name() for y in rows}


@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
def test_an_hour_of_refunds_only_hangs_below_the_line(qtbot: Any, rtl: bool) -> None:
    chart = BarChart("hourChart")
    qtbot.addWidget(chart)
    if rtl:
        chart.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    chart.resize(420, 240)
    chart.set_bars([("9 h", 30000, "300 DH"), ("10 h", -12000, "-120 DH"), ("11 h", 0, "0 DH")])
    chart.show()
    qtbot.waitExposed(chart)
    nine, ten, eleven = (2, 1, 0) if rtl else (0, 1, 2)
    primary, below = QColor(theme.PRIMARY).name(), QColor(BELOW_ZERO).name()
    assert primary in _colours(chart, nine, above=True)
    assert primary not in _colours(chart, nine, above=False)
    assert below in _colours(chart, ten, above=False)
    assert below not in _colours(chart, ten, above=True)
    assert not {primary, below, QColor(BAR).name()} & (
        _colours(chart, eleven, above=True) | _colours(chart, eleven, above=False))
    # the line stands where the bars' heights say: 300 above it, 120 below
    assert chart.zero_line() < chart.height() - 26 - 30


def test_a_day_of_refunds_only_is_drawn_not_called_empty(qtbot: Any) -> None:
    chart = BarChart("hourChart")
    qtbot.addWidget(chart)
    chart.resize(420, 240)
    chart.set_bars([("10 h", -12000, "-120 DH"), ("11 h", 0, "0 DH")], "Aucune vente")
    chart.show()
    qtbot.waitExposed(chart)
    assert QColor(BELOW_ZERO).name() in _colours(chart, 0, above=False)
    chart.set_bars([("10 h", 0, "0 DH")], "Aucune vente")
    assert QColor(BELOW_ZERO).name() not in _colours(chart, 0, above=False)
