"""A product's stock moves: each change of its stock, kept as a row of its own.

A sale takes its quantities out, a refund or a void puts them back, goods received add to
the stock, a count typed in the product dialog or a catalogue file replaces it: each writes
a :class:`pos.models.StockMove` in the transaction that changes the stock, with the stock
after it, what made it and who. Moves are never updated nor deleted, so the moves of a
product add up to its stock and the manager can read why the stock is what it is.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import journal, settings
from pos.cldr import LRM, MINUS
from pos.models import Product, Sale, StockMove, User, utcnow
from pos.money import format_measure

OPENING: Final = "opening"
CREATED: Final = "created"
RECEIVED: Final = "received"
COUNTED: Final = "counted"
IMPORTED: Final = "imported"
#: the moves a sale, a refund and a void write, by the sale's kind
SOLD: Final = ("sale", "refund", "void")

_MOVE = "UPDATE product SET stock = stock + ? WHERE id = ?"
_INSERT_SOLD = (
    "INSERT INTO stock_move (at, product_id, change, stock_after, kind, sale_id, source, "
    "user_id) SELECT ?, id, ?, stock, ?, ?, '', ? FROM product WHERE id = ?"
)


@dataclass(frozen=True)
class Cause:
    """What writes a product's stock, as its move keeps it: a ``kind`` of move, the
    ``source`` file of an import, and the user who did it when there is one."""

    kind: str
    source: str = ""
    user_id: int | None = None


def record(session: Session, product: Product, change: int, cause: Cause) -> StockMove:
    """Keep the move of ``change`` (signed thousandths) that brought ``product`` to the
    stock it holds now (flushed), in the caller's transaction."""
    move = StockMove(at=utcnow(), product_id=product.id, change=change,
                     stock_after=product.stock, kind=cause.kind, source=cause.source,
                     user_id=cause.user_id)
    session.add(move)
    return move


def move_sold(db: sqlite3.Connection, *, at: str, kind: str, sale_id: str,
              user_id: int | None, changes: Sequence[tuple[int, int]]) -> None:
    """Move the stock of the products of sale ``sale_id`` (a sale, a refund or a void,
    ``kind``) written at ``at`` (:func:`pos.journal.sql_time`) by ``changes`` (product id,
    signed change; one per product), and keep their moves: the till's hot path, two plain
    statements (a product deleted since the sale moves nothing)."""
    db.executemany(_MOVE, [(change, product_id) for product_id, change in changes])
    db.executemany(_INSERT_SOLD, [(at, change, kind, sale_id, user_id, product_id)
                                  for product_id, change in changes])


@dataclass(frozen=True)
class Move:
    """A move as the stock history shows it: with the ticket label of its sale, refund or
    void (``ticket``, ``T03-000123``; else ''), and the name of the user who made it."""

    at: dt.datetime
    change: int
    stock_after: int
    kind: str
    ticket: str
    source: str
    user: str


def history(session: Session, product_id: int) -> list[Move]:
    """The moves of product ``product_id``, newest first, with the ticket label of each
    sale, refund or void and the name of whoever made the move."""
    query = (select(StockMove.at, StockMove.change, StockMove.stock_after, StockMove.kind,
                    Sale.number, StockMove.source, User.name)
             .outerjoin(Sale, Sale.id == StockMove.sale_id)
             .outerjoin(User, User.id == StockMove.user_id)
             .where(StockMove.product_id == product_id)
             .order_by(StockMove.id.desc()))
    prefix = settings.device_prefix(session)
    marks = journal.ticket_marks(journal.driver_connection(session))
    return [Move(at, change, after, kind,
                 "" if number is None else settings.ticket_label(
                     prefix, number, journal.mark_at(marks, number)),
                 source, name or "")
            for at, change, after, kind, number, source, name in session.execute(query)]


def change_text(change: int, unit: str, lang: str) -> str:
    """A move's change with its sign and unit, as the history shows it: ``+20``,
    ``-1,5 kg`` (:func:`pos.money.format_measure`); the plus of a right-to-left language
    kept before its figure as its minus is (:data:`pos.cldr.MINUS`)."""
    text = format_measure(change, unit, lang)
    plus = (LRM if lang in MINUS else "") + "+"
    return plus + text if change > 0 else text


def last_imported(session: Session) -> dict[int, tuple[dt.datetime, int]]:
    """By product id, when the latest catalogue import that wrote the product's stock did,
    and the stock it wrote (the figure its file carried)."""
    latest = (select(func.max(StockMove.id)).where(StockMove.kind == IMPORTED)
              .group_by(StockMove.product_id))
    query = (select(StockMove.product_id, StockMove.at, StockMove.stock_after)
             .where(StockMove.id.in_(latest)))
    return {product_id: (at, after) for product_id, at, after in session.execute(query)}

