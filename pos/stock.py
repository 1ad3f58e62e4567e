"""A product's stock moves: each change of its stock, kept as a row of its own.

A sale takes its quantities out, a refund or a void puts them back, goods received add to
the stock, a count typed in the product dialog or a catalogue file replaces it: each writes
a :class:`pos.models.StockMove` in the transaction that changes the stock, with the stock
after it, what made it, who and where (the app, or the command line), and the unit of the product
then: a change of the product's unit is a move of its own (:data:`UNIT`), the moves
before it staying in the unit they were made in. Moves are never updated nor deleted, so
the moves of a product add up to its stock and the manager can read why the stock is what
it is.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import journal, settings, users
from pos.cldr import LRM, MINUS
from pos.models import Product, Sale, StockMove, User, utcnow
from pos.money import format_measure

OPENING: Final = "opening"
CREATED: Final = "created"
RECEIVED: Final = "received"
COUNTED: Final = "counted"
IMPORTED: Final = "imported"
#: the product's unit changed (pieces to kilos): no change of its figure, which is read
#: in the new unit from then on
UNIT: Final = "unit"
#: the moves that start a product's stock afresh: all but those of its sales
#: (:func:`last_imported`)
STARTS: Final = (OPENING, CREATED, RECEIVED, COUNTED, IMPORTED, UNIT)
#: the moves a sale, a refund and a void write, by the sale's kind
SOLD: Final = ("sale", "refund", "void")

_MOVE = "UPDATE product SET stock = stock + ? WHERE id = ?"
_INSERT_SOLD = (
    "INSERT INTO stock_move (at, product_id, change, stock_after, kind, sale_id, source, "
    "user_id, unit) SELECT ?, id, ?, stock, ?, ?, '', ?, unit FROM product WHERE id = ?"
)


@dataclass(frozen=True)
class Cause:
    """What writes a product's stock, as its move keeps it: a ``kind`` of move, the
    ``source`` file of an import, the user who did it when there is one, and where it was
    done (``done_from``: :data:`pos.users.FROM_APP`, or :data:`pos.users.FROM_COMMAND_LINE`
    for a command run on the till's computer, which no user signs)."""

    kind: str
    source: str = ""
    user_id: int | None = None
    done_from: str = users.FROM_APP


def record(session: Session, product: Product, change: int, cause: Cause) -> StockMove:
    """Keep the move of ``change`` (signed thousandths) that brought ``product`` to the
    stock it holds now (flushed), in the caller's transaction."""
    move = StockMove(at=utcnow(), product_id=product.id, change=change,
                     stock_after=product.stock, kind=cause.kind, source=cause.source,
                     user_id=cause.user_id, unit=product.unit, done_from=cause.done_from)
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
    void (``ticket``, ``T03-000123``; else ''), the name of the user who made it, the unit
    its figures are in and where it was made (``done_from``, :class:`Cause`)."""

    at: dt.datetime
    change: int
    stock_after: int
    kind: str
    ticket: str
    source: str
    user: str
    unit: str
    done_from: str


def history(session: Session, product_id: int) -> list[Move]:
    """The moves of product ``product_id``, newest first, with the ticket label of each
    sale, refund or void and the name of whoever made the move, each in its own unit."""
    query = (select(StockMove.at, StockMove.change, StockMove.stock_after, StockMove.kind,
                    Sale.number, StockMove.source, User.name, StockMove.unit,
                    StockMove.done_from)
             .outerjoin(Sale, Sale.id == StockMove.sale_id)
             .outerjoin(User, User.id == StockMove.user_id)
             .where(StockMove.product_id == product_id)
             .order_by(StockMove.id.desc()))
    prefix = settings.device_prefix(session)
    marks = journal.ticket_marks(journal.driver_connection(session))
    return [Move(at, change, after, kind,
                 "" if number is None else settings.ticket_label(
                     prefix, number, journal.mark_at(marks, number)),
                 source, name or "", unit, done_from)
            for at, change, after, kind, number, source, name, unit, done_from
            in session.execute(query)]


def has_moved(session: Session, product_id: int) -> bool:
    """Whether product ``product_id`` has a stock history to read: a move that changed its
    stock, or any move past the one that began it (a count, even at zero); a product
    created at zero and never counted, sold nor received has none."""
    query = (select(StockMove.id)
             .where(StockMove.product_id == product_id,
                    (StockMove.change != 0) | StockMove.kind.not_in((OPENING, CREATED)))
             .limit(1))
    return session.scalar(query) is not None


def change_text(change: int, unit: str, lang: str) -> str:
    """A move's change with its sign and unit, as the history shows it: ``+20``,
    ``-1,5 kg`` (:func:`pos.money.format_measure`); the plus of a right-to-left language
    kept before its figure as its minus is (:data:`pos.cldr.MINUS`)."""
    text = format_measure(change, unit, lang)
    plus = (LRM if lang in MINUS else "") + "+"
    return plus + text if change > 0 else text


def last_imported(session: Session) -> dict[int, int]:
    """By product id, the figure the import that last started its stock afresh wrote
    (:data:`STARTS`), for the products whose latest such move is an import: since then,
    only its sales, refunds and voids moved it."""
    latest = (select(func.max(StockMove.id)).where(StockMove.kind.in_(STARTS))
              .group_by(StockMove.product_id))
    query = (select(StockMove.product_id, StockMove.stock_after)
             .where(StockMove.id.in_(latest), StockMove.kind == IMPORTED))
    return {product_id: after for product_id, after in session.execute(query)}

