"""The product grid: a list model over the catalogue and a delegate that paints each tile
(picture, name in the UI language, price, and the stock left once it is at or below the
product's alert level: orange, red at zero or below; never a reason to refuse the sale).
The stock is read again after each sale, refund or void (the products themselves are
loaded once, with the catalogue). Virtualised: 5,000 products are 5,000 rows of
a model, never 5,000 widgets. A name never wraps between a number and its unit
("100 g", "250 مل"), and a name too long for its tile keeps the size that ends it, the
words before it cut instead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPixmap,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from pos import photos
from pos.money import NBSP, format_measure, format_money, unit_name
from pos.stock_alert import counted, low_on_stock
from ui import theme
from ui.context import AppContext

if TYPE_CHECKING:
    from pos.models import Product
    from pos.snapshot import Product as ProductRow

TILE_SIZE = QSize(150, 188)
PICTURE = 92
ProductRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
# what every tile is painted with, made once
_SURFACE = QColor(theme.SURFACE)
_LINE = QColor(theme.LINE)
_INK = QColor(theme.INK)
_ACCENT = QColor(theme.ACCENT)
_DANGER = QColor(theme.DANGER)
_WHITE = QColor("white")
_PRIMARY = QColor(theme.PRIMARY)
_PRIMARY_DARK = QColor(theme.PRIMARY_DARK)
_PRIMARY_LIGHT = QColor(theme.PRIMARY_LIGHT)
_NO_PEN = Qt.PenStyle.NoPen
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_HIGHLIGHTED = QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_HasFocus
_CENTERED = Qt.AlignmentFlag.AlignCenter
_NAME_FLAGS = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                  | Qt.TextFlag.TextWordWrap)
_UNITS = (
    "kg", "mg", "g", "gr", "ml", "cl", "dl", "l", "L", "mm", "cm", "m",
    "كغ", "كلغ", "غ", "غرام", "مل", "لتر", "ل", "سم", "م",
)
_NUMBER_UNIT = re.compile(
    r"(\d+(?:[.,٫]\d+)?)[ \t]+(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?![\w'’])")


def keep_units(name: str) -> str:
    """``name`` with a no-break space between a number and its unit ("100 g")."""
    return _NUMBER_UNIT.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", name)


class Photos:
    """Product pictures, scaled once and kept (the demo shares a few dozen files)."""

    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self._cache: dict[tuple[str, int], QPixmap | None] = {}

    def path(self, name: str) -> Path | None:
        return photos.find(name, self.data_dir)

    def get(self, name: str, size: int) -> QPixmap | None:
        key = (name, size)
        if key not in self._cache:
            path = self.path(name)
            image = photos.read_picture(path, size) if path else QImage()
            self._cache[key] = None if image.isNull() else QPixmap.fromImage(image.scaled(
                size, size, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        return self._cache[key]


class ProductModel(QStringListModel):
    """The products shown as tiles (one category, or the search results).

    A string list of one empty string per product gives the rows: the view asks for the
    row count twice per row each time it lays the tiles out (600 times for the 300 tiles of
    a search, at each keystroke), and a QStringListModel answers in C++, where a Python
    ``rowCount`` costs a call into Python each time."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.products: list[Product | ProductRow] = []
        #: product id -> (stock, alert level) as read since the products were loaded
        self.stocks: dict[int, tuple[int, int]] = {}
        # read once the event that moved it is done (the sale shown first), however many
        # came together
        self._restock = QTimer(self, singleShot=True, interval=0)
        self._restock.timeout.connect(self.restock)
        ctx.sales_changed.connect(self._restock.start)
        ctx.catalogue_changed.connect(self._restock.start)

    def restock(self) -> None:
        """Read every product's stock again (a sale, a refund or a void moved it) and
        repaint the tiles whose stock moved: one plain query, never the whole catalogue."""
        with self.ctx.read() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT id, stock, low_stock FROM product").fetchall()
        before, self.stocks = self.stocks, {id_: (stock, low) for id_, stock, low in rows}
        # only the tiles whose stock moved are painted again (those of the sale's lines)
        for row, product in enumerate(self.products):
            now = self.stocks.get(product.id)
            if now is not None and now != before.get(product.id,
                                                     (product.stock, product.low_stock)):
                self.dataChanged.emit(self.index(row), self.index(row))

    def stock_of(self, product: Product | ProductRow) -> tuple[int, int]:
        """(stock, alert level) of ``product`` as the database holds them now."""
        return self.stocks.get(product.id, (product.stock, product.low_stock))

    def stock_text(self, product: Product | ProductRow) -> str:
        """"Stock: 3", "Stock : 1,5 kg": for a product whose stock is counted (an alert
        level set, or a stock other than zero), else ''."""
        stock, low = self.stock_of(product)
        if not counted(stock, low):
            return ""
        return self.ctx.t("ui.sale.tile_stock",
                          stock=format_measure(stock, product.unit, self.ctx.lang, NBSP))

    def set_products(self, products: Sequence[Product | ProductRow]) -> None:
        self.products = list(products)
        self.setStringList([""] * len(self.products))  # resets the model

    def flags(self, index: Index) -> Qt.ItemFlag:
        return QAbstractListModel.flags(self, index)  # a tile, not a string to edit or drag

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        product = self.products[index.row()]
        if role == ProductRole:
            return product
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            name = self.ctx.name_of(product.name_ar, product.name_fr)
            stock = self.stock_text(product)
            return ", ".join(t for t in (name, format_money(product.price, self.ctx.lang),
                                         stock) if t)
        if role == Qt.ItemDataRole.ToolTipRole:
            stock = self.stock_text(product)
            return "\n".join(t for t in (product.name_fr, product.name_ar, product.sku, stock)
                             if t)
        return None


class TileDelegate(QStyledItemDelegate):
    """Paints a product tile: rounded card, picture, two lines of name, the price.

    A keystroke in the search repaints every tile in view: the colours, flags and texts
    are made once, not per tile."""

    def __init__(self, ctx: AppContext, photos: Photos) -> None:
        super().__init__()
        self.ctx = ctx
        self.photos = photos
        self.name_font = theme.ui_font(14)
        self.price_font = theme.ui_font(16, bold=True)
        self.stock_font = theme.ui_font(12, bold=True)
        self.initial_font = theme.ui_font(34, bold=True)
        self._texts: dict[tuple[int | None, str, int], tuple[str, str]] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return TILE_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        product: Product | ProductRow = index.data(ProductRole)
        rect = option.rect.adjusted(5, 5, -5, -5)
        left, top, width = rect.left(), rect.top(), rect.width()
        painter.save()
        painter.setRenderHint(_ANTIALIASING)
        path = QPainterPath()
        path.addRoundedRect(rect, 12, 12)
        painter.setBrush(_SURFACE)
        painter.setPen(_PRIMARY if option.state & _HIGHLIGHTED else _LINE)
        painter.drawPath(path)
        pic_rect = QRect(left + (width - PICTURE) // 2, top + 8, PICTURE, PICTURE)
        pix = self.photos.get(product.photo, PICTURE)
        if pix is not None:
            painter.drawPixmap(pic_rect.left() + (PICTURE - pix.width()) // 2,
                               pic_rect.top() + (PICTURE - pix.height()) // 2, pix)
        else:
            self._initial(painter, pic_rect, product)
        stock, low = self._stock_of(index, product)
        if low_on_stock(stock, low):
            self._stock_badge(painter, rect, stock, product.unit)
        painter.setPen(_INK)
        painter.setFont(self.name_font)
        name, price = self._text(product, width - 12)
        painter.drawText(QRect(left + 6, pic_rect.bottom() + 4, width - 12, 46), _NAME_FLAGS, name)
        painter.setFont(self.price_font)
        painter.setPen(_PRIMARY_DARK)
        painter.drawText(QRect(left + 6, rect.bottom() - 25, width - 12, 22), _CENTERED, price)
        painter.restore()

    def _text(self, product: Product | ProductRow, width: int) -> tuple[str, str]:
        """The tile's name (cut to two lines) and price, computed once per language."""
        key = (product.id, self.ctx.lang, product.price)
        cached = self._texts.get(key)
        if cached is None:
            name = keep_units(self.ctx.name_of(product.name_ar, product.name_fr))
            price = format_money(product.price, self.ctx.lang)
            if product.unit != "piece":
                price += f" / {unit_name(product.unit, self.ctx.lang)}"
            cached = (_two_lines(name, self.name_font, width), price)
            self._texts[key] = cached
        return cached

    @staticmethod
    def _stock_of(index: Index, product: Product | ProductRow) -> tuple[int, int]:
        model = index.model()
        if isinstance(model, ProductModel):
            return model.stock_of(product)
        return product.stock, product.low_stock

    def _stock_badge(self, painter: QPainter, rect: QRect, stock: int, unit: str) -> None:
        """The stock left, in the tile's upper corner on the side the text starts from:
        orange when low, red at zero or below (sold past what was counted)."""
        text = format_measure(stock, unit, self.ctx.lang, NBSP)
        metrics = QFontMetrics(self.stock_font)
        width = min(metrics.horizontalAdvance(text) + 12, rect.width() - 12)
        height = metrics.height() + 4
        rtl = self.ctx.rtl
        left = rect.right() - 5 - width if rtl else rect.left() + 5
        badge = QRect(left, rect.top() + 5, width, height)
        painter.setPen(_NO_PEN)
        painter.setBrush(_DANGER if stock <= 0 else _ACCENT)
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(_WHITE)
        painter.setFont(self.stock_font)
        painter.drawText(badge, _CENTERED,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 8))

    def forget(self) -> None:
        self._texts.clear()

    def _initial(self, painter: QPainter, rect: QRect, product: Product | ProductRow) -> None:
        painter.setBrush(_PRIMARY_LIGHT)
        painter.setPen(_NO_PEN)
        painter.drawRoundedRect(rect, 14, 14)
        painter.setPen(_PRIMARY_DARK)
        painter.setFont(self.initial_font)
        name = self.ctx.name_of(product.name_ar, product.name_fr) or product.sku
        painter.drawText(rect, _CENTERED, name[:1].upper())


def _two_lines(text: str, font: QFont, width: int) -> str:
    """``text`` cut so that it wraps into at most two lines of ``width`` pixels (never at a
    no-break space)."""
    metrics = QFontMetrics(font)
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = re.split(r"[ \t\n]+", text.strip())
    first = ""
    for i, word in enumerate(words):
        trial = f"{first} {word}".strip()
        if metrics.horizontalAdvance(trial) > width and first:
            return f"{first}\n{elide_keeping_size(' '.join(words[i:]), metrics, width)}"
        first = trial
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width * 2)


def elide_keeping_size(line: str, metrics: QFontMetrics, width: int) -> str:
    """``line`` cut to ``width`` pixels; a size that ends it ("200 ml") stays whole, the
    words before it cut instead."""
    if metrics.horizontalAdvance(line) <= width:
        return line
    head, _, size = line.rpartition(" ")
    if head and _NUMBER_UNIT.fullmatch(size.replace(NBSP, " ")):
        room = width - metrics.horizontalAdvance(f" {size}")
        if room >= 3 * metrics.horizontalAdvance("…"):
            return f"{metrics.elidedText(head, Qt.TextElideMode.ElideRight, room)} {size}"
    return metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
