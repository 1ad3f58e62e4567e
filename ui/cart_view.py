"""The cart as a table model: product, quantity, amount; line discounts and price
overrides shown under the name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from pos.money import format_amount, format_money, format_quantity, unit_name
from ui import theme
from ui.context import AppContext
from ui.tiles import keep_units

if TYPE_CHECKING:
    from pos.cart import Cart

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("ui.cart.product", "ui.cart.quantity", "ui.cart.amount")


class CartModel(QAbstractTableModel):
    """The lines of ``cart`` (none while the store is still opening: ``cart`` is None)."""

    def __init__(self, ctx: AppContext, cart: Cart | None) -> None:
        super().__init__()
        self.ctx = ctx
        self.cart = cart
        self._bold = QFont()
        self._bold.setBold(True)

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def set_cart(self, cart: Cart) -> None:
        self.cart = cart
        self.refresh()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.cart is None else len(self.cart.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.ctx.t(COLUMNS[section])
        return None

    def _name(self, row: int) -> str:
        assert self.cart is not None
        line = self.cart.lines[row]
        lang = self.ctx.lang
        name = keep_units(self.ctx.name_of(line.name_ar, line.name_fr))
        detail = format_money(line.unit_price, lang)
        if line.unit != "piece":
            detail += f" / {unit_name(line.unit, lang)}"
        if line.unit_price != line.list_price:
            detail += "  " + self.ctx.t("ui.cart.overridden")
        if line.discount is not None:
            detail += "  " + self.ctx.t(
                "ui.cart.line_discount", amount=format_amount(line.discount_amount, lang))
        return f"{name}\n{detail}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.cart is None:
            return None
        line = self.cart.lines[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0:
                return self._name(index.row())
            if col == 1:
                qty = format_quantity(line.quantity, line.unit, self.ctx.lang)
                unit = unit_name(line.unit, self.ctx.lang)
                return qty if line.unit == "piece" else f"{qty} {unit}"
            return format_amount(line.net, self.ctx.lang)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 0:
                return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and col == 2:
            return self._bold
        overridden = line.unit_price != line.list_price
        if role == Qt.ItemDataRole.ForegroundRole and col == 0 and overridden:
            return QColor(theme.ACCENT)
        return None
