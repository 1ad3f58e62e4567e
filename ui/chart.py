"""A bar chart drawn with QPainter (sales by hour), mirrored for right-to-left."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme

BAR = "#5fa597"
BELOW_ZERO = "#e8a29b"  # an hour that gave back more than it took


class BarChart(QWidget):
    """Bars with a label under each and the value above the tallest ones."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.bars: list[tuple[str, int, str]] = []  # label, value, value text
        self.empty_text = ""
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_bars(self, bars: list[tuple[str, int, str]], empty_text: str = "") -> None:
        self.bars = bars
        self.empty_text = empty_text
        self.setAccessibleDescription("; ".join(f"{a}: {c}" for a, _b, c in bars))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def _geometry(self) -> tuple[QRectF, float, float]:
        """The plot area, the room of one bar (its slot) and a bar's width."""
        rect = QRectF(self.rect()).adjusted(8, 22, -8, -26)
        slot = rect.width() / max(1, len(self.bars))
        return rect, slot, max(4.0, min(38.0, slot * 0.7))

    def label_step(self) -> int:
        """Every how many bars a name is written under them: each one when the names fit
        side by side, else one in two (three…), so that none runs into the next."""
        if not self.bars:
            return 1
        _rect, slot, _width = self._geometry()
        metrics = QFontMetricsF(theme.ui_font(12))
        widest = max(metrics.horizontalAdvance(name) for name, _v, _t in self.bars) + 6
        return max(1, math.ceil(widest / slot))

    def span(self) -> tuple[int, int]:
        """The highest and lowest values the chart shows, zero included: an hour that
        gave back more than it took (refunds only) goes below zero."""
        values = [v for _l, v, _t in self.bars]
        return max(0, *values), min(0, *values)

    def zero_line(self) -> float:
        """Where zero is drawn: the bottom of the plot, or above the room the hours below
        zero take."""
        rect, _slot, _width = self._geometry()
        top, low = self.span() if self.bars else (0, 0)
        if top == low:
            return rect.bottom()
        return rect.bottom() - rect.height() * -low / (top - low)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect, slot, width = self._geometry()
        top, low = self.span() if self.bars else (0, 0)
        if top == low:  # no bar, or every hour at zero
            # at the size of the screen's body text (the widget's own font)
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(QRectF(self.rect()).adjusted(8, 0, -8, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.empty_text)
            return
        painter.setFont(theme.ui_font(12))
        metrics = QFontMetricsF(painter.font())
        scale = rect.height() / (top - low)
        zero = self.zero_line()
        n = len(self.bars)
        step = self.label_step()
        painter.setPen(QColor(theme.LINE))
        painter.drawLine(rect.left(), zero, rect.right(), zero)
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for i, (name, value, text) in enumerate(self.bars):
            pos = n - 1 - i if rtl else i
            x = rect.left() + pos * slot + (slot - width) / 2
            h = 0.0 if value == 0 else max(2.0, abs(value) * scale)
            # an hour below zero hangs under the line, in the colour of money given back
            bar = QRectF(x, zero - h, width, h) if value >= 0 else QRectF(x, zero, width, h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.PRIMARY if value == top else
                                    BAR if value > 0 else BELOW_ZERO))
            painter.drawRoundedRect(bar, 4, 4)
            if i % step == 0:
                painter.setPen(QColor(theme.MUTED))
                painter.drawText(QRectF(x - slot / 2, rect.bottom() + 4, width + slot, 20),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, name)
            # the value over the tallest bar, and over the others when it fits in their
            # slot; the lowest below zero written over the line, where its hour took nothing
            room = metrics.horizontalAdvance(text) + 4
            if value < 0 and (value == low or (n <= 8 and room <= slot)):
                painter.setPen(QColor(theme.DANGER))
                painter.drawText(self.value_rect(QRectF(x, zero, width, 0), room),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                                 text)
            elif value > 0 and (value == top or (n <= 8 and room <= slot)):
                painter.setPen(QColor(theme.INK))
                painter.drawText(self.value_rect(bar, room),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                                 text)

    def value_rect(self, bar: QRectF, room: float) -> QRectF:
        """Where a value ``room`` pixels wide is written over ``bar``: centred on it, moved
        in to stay whole at the chart's sides."""
        left = bar.center().x() - room / 2
        left = max(0.0, min(left, self.width() - room))
        return QRectF(left, bar.top() - 20, room, 18)
