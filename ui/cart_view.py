"""The cart as a table model: product, quantity, amount; line discounts and price
overrides shown under the name. And the list of the carts parked (:class:`ParkedDialog`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pos.errors import RuleError
from pos.i18n import comma
from pos.money import format_amount, format_measure, format_money, unit_name
from ui import theme
from ui.context import AppContext
from ui.tiles import keep_units
from ui.widgets import Dialog, button, confirm, label, named

if TYPE_CHECKING:
    from pos.cart import Cart
    from pos.held import HeldCart

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
                "ui.cart.line_discount", amount=format_amount(-line.discount_amount, lang))
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
                return format_measure(line.quantity, line.unit, self.ctx.lang)
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


PARKED_COLUMNS = ("ui.held.col_time", "ui.held.col_items", "ui.held.col_total",
                  "ui.held.col_products")
NAMES_SHOWN = 3  # the first products of a parked cart named in the list


def parked_time(ctx: AppContext, moment: dt.datetime) -> str:
    """When a cart was parked, in local time: ``14:05``, or ``29/11 14:05`` another day."""
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def products_text(ctx: AppContext, kept: HeldCart) -> str:
    """The first products of a parked cart, then "…" when there are more; the parts of
    its payment already taken on a line of their own."""
    from ui.payment import parts_text

    names = [keep_units(ctx.name_of(ln.name_ar, ln.name_fr)) for ln in kept.cart.lines]
    text = comma(ctx.lang).join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        text += "…"
    if kept.payments:
        text += "\n" + ctx.t("ui.held.taken_line", parts=parts_text(ctx, kept.payments))
    return text


class ParkedDialog(Dialog):
    """The parked carts, the one parked first on top: when, how many items, the total,
    the first products and the parts of the payment already taken. OK brings the chosen
    one back (``chosen``, its id); Remove drops one the customer will not come back for,
    once confirmed (and, with parts taken, once they were given back). ``remaining``: how
    many are parked when the dialog closes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, carts: list[HeldCart], *,
                 cart_empty: bool = True) -> None:
        super().__init__(ctx, parent, "parkedDialog", "ui.held.title")
        self.carts = list(carts)
        self.chosen: int | None = None
        self.setMinimumWidth(min(720, max(560, parent.width() - 80 if parent else 720)))
        self.table = named(QTableWidget(0, len(PARKED_COLUMNS)), "parkedTable",
                           ctx.t("ui.held.title"))
        self.table.setHorizontalHeaderLabels([ctx.t(key) for key in PARKED_COLUMNS])
        products = self.table.horizontalHeaderItem(3)
        assert products is not None  # its caption over the products, not across the table
        products.setTextAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMinimumSectionSize(48)
        self.table.doubleClicked.connect(lambda _i: self._try_accept())
        self.table.setMinimumHeight(200)
        self.body.addWidget(self.table, 1)
        self.hint = label("parkedHint", style="muted", wrap=True)
        if not cart_empty:
            self.hint.setText(ctx.t("ui.held.current_parked_first"))
        self.hint.setVisible(not cart_empty)
        self.body.addWidget(self.hint)
        self.remove_btn = button("parkedRemove", role="danger")
        self.texts.button(self.remove_btn, "ui.held.remove")
        self.remove_btn.clicked.connect(self._remove)
        self.remove_btn.setAutoDefault(False)
        buttons = self.layout().itemAt(self.layout().count() - 1).layout()
        assert buttons is not None
        buttons.insertWidget(0, self.remove_btn)
        self.texts.button(self.ok, "ui.held.recall")
        self.texts.button(self.cancel, "ui.held.close")
        self._fill()

    @property
    def remaining(self) -> int:
        return len(self.carts)

    def _fill(self) -> None:
        lang = self.ctx.lang
        self.table.setRowCount(0)
        for row, kept in enumerate(self.carts):
            self.table.insertRow(row)
            cells = (parked_time(self.ctx, kept.saved_at), str(kept.items),
                     format_money(kept.total, lang), products_text(self.ctx, kept))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                align = Qt.AlignmentFlag.AlignVCenter | (
                    Qt.AlignmentFlag.AlignLeading if column == 3 else Qt.AlignmentFlag.AlignCenter)
                item.setTextAlignment(align)
                if column == 2:
                    item.setFont(self._bold())
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if self.carts:  # (selectRow selects nothing in a right-to-left table)
            self.table.setCurrentCell(0, 0)
        self.ok.setEnabled(bool(self.carts))
        self.remove_btn.setEnabled(bool(self.carts))

    @staticmethod
    def _bold() -> QFont:
        font = QFont()
        font.setBold(True)
        return font

    def _selected(self) -> HeldCart | None:
        rows = self.table.selectionModel().selectedRows()
        return self.carts[rows[0].row()] if rows else None

    def validate(self) -> None:
        kept = self._selected()
        if kept is None:
            raise RuleError("held.choose")
        self.chosen = kept.id

    def _remove(self) -> None:
        """Drop the parked cart chosen, once the seller confirms (naming the parts of its
        payment taken, to be given back)."""
        from pos import held
        from ui.payment import parts_text

        kept = self._selected()
        if kept is None:
            return
        lang = self.ctx.lang
        if kept.payments:
            question = self.ctx.t("ui.held.remove_taken_question",
                                  total=format_money(kept.total, lang),
                                  parts=parts_text(self.ctx, kept.payments))
        else:
            question = self.ctx.t("ui.held.remove_question",
                                  total=format_money(kept.total, lang),
                                  products=products_text(self.ctx, kept))
        if not confirm(self.ctx, self, "parkedRemoveConfirm", "ui.held.remove_title", question,
                       "ui.held.remove_yes", "ui.held.remove_no", risky=True):
            return
        try:
            with self.ctx.store.ledger() as db:
                held.remove(db, kept.id)
        except RuleError:
            pass  # already gone (brought back elsewhere): the list is what is left
        except Exception as exc:
            self.banner.error(self.ctx.t("ui.error.save_failed", detail=str(exc)[:120]))
            return
        self.carts.remove(kept)
        self._fill()
        self.banner.notice(self.ctx.t("ui.held.removed"))
