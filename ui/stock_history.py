"""The stock history of one product: each move of its stock, newest first, so that a
manager sees why the stock is what it is ("40 jars, 20 received, 38 sold: 22")."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pos import stock, users
from pos.clock import when_text
from pos.models import Product
from pos.money import format_measure, unit_name
from ui.context import AppContext
from ui.widgets import Dialog, label, named

COLUMNS: Final = ("ui.stock.when", "ui.stock.what", "ui.stock.change", "ui.stock.after",
                  "ui.stock.user")
WHAT, CHANGE, AFTER = 1, 2, 3
#: the dialog's size at most: within a 1024x600 screen, its title bar and the task bar
WIDTH, HEIGHT = 860, 520


def what_text(ctx: AppContext, move: stock.Move, before: str = "") -> str:
    """What made a move, in words: "Vente T03-000123", "Réception", "Comptage",
    "Importé de catalogue.csv", "Unité changée de pièce en kg" (``before``: the unit of
    the move before it)."""
    if move.kind in stock.SOLD:
        return ctx.t(f"ui.stock.{move.kind}", ticket=move.ticket)
    if move.kind == stock.IMPORTED and move.source:
        return ctx.t("ui.stock.imported_from", file=move.source)
    if move.kind == stock.UNIT:
        return ctx.t("ui.stock.unit", before=unit_name(before or move.unit, ctx.lang),
                     unit=unit_name(move.unit, ctx.lang))
    return ctx.t(f"ui.stock.{move.kind}")


def who_text(ctx: AppContext, move: stock.Move) -> str:
    """Who made a move: the user's name, else "Ligne de commande" for a command run on the
    till's computer (which no user signs), else '' (the stock a database had)."""
    if move.user:
        return move.user
    return ctx.t("ui.stock.command_line") if move.done_from == users.FROM_COMMAND_LINE else ""


class StockHistoryDialog(Dialog):
    """The moves of one product's stock in a table (when, what, the change, the stock
    after, who), newest first, the stock now above them; read only, closed with Close."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, product: Product) -> None:
        name = ctx.name_of(product.name_ar, product.name_fr)
        super().__init__(ctx, parent, "stockHistoryDialog", "ui.stock.title", name=name)
        self.product = product
        with ctx.read() as s:
            self.moves = stock.history(s, product.id)
            now = s.get_one(Product, product.id)
            stock_now, unit = now.stock, now.unit
        self.now = label("stockHistoryNow", style="muted", wrap=True)
        self.now.setText(ctx.t("ui.stock.now", stock=format_measure(stock_now, unit, ctx.lang)))
        self.table = named(QTableWidget(0, len(COLUMNS)), "stockHistoryTable",
                           ctx.t("ui.stock.title", name=name))
        self.table.setHorizontalHeaderLabels([ctx.t(key) for key in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        self.empty = label("stockHistoryEmpty", style="muted", wrap=True)
        self.empty.setText(ctx.t("ui.stock.empty"))
        self.empty.setVisible(not self.moves)
        self.body.addWidget(self.now)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.empty)
        self.ok.hide()
        self.texts.button(self.cancel, "ui.close")
        self.cancel.setDefault(True)
        self._fill()
        self.table.setFocus()
        screen = parent.window().size() if parent is not None else None
        self.resize(min(WIDTH, screen.width() - 40) if screen else WIDTH,
                    min(HEIGHT, screen.height() - 40) if screen else HEIGHT)

    def row_texts(self, row: int) -> tuple[str, str, str, str, str]:
        """The cells of the move of ``row``: when, what, the change with its sign and the
        stock after it in the unit the product had then, who."""
        move = self.moves[row]
        before = self.moves[row + 1].unit if row + 1 < len(self.moves) else ""
        unit, lang = move.unit, self.ctx.lang
        return (when_text(move.at), what_text(self.ctx, move, before),
                "" if move.kind == stock.UNIT else stock.change_text(move.change, unit, lang),
                format_measure(move.stock_after, unit, lang), who_text(self.ctx, move))

    def _fill(self) -> None:
        self.table.setRowCount(len(self.moves))
        for row in range(len(self.moves)):
            for column, text in enumerate(self.row_texts(row)):
                item = QTableWidgetItem(text)
                if column in (CHANGE, AFTER):  # figures read whole, on the side they end
                    item.setTextAlignment(Qt.AlignmentFlag.AlignTrailing
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if self.moves:
            self.table.setCurrentCell(0, 0)
