"""Carts kept in the stall's database: the cart in progress, and the carts parked.

They are not sales: no journal record, no figure counts them, and they are deleted once
brought back or sold. They survive a restart and a crash:

- the **current** cart (at most one) is written as it changes (the sale screen saves it
  a moment after the seller's taps, and at once when a part of the payment is taken), and
  comes back on the next start; the sale's own transaction drops it
  (:func:`drop_current` inside :meth:`pos.db.Store.ledger`), so that a sale can never be
  both recorded and brought back;
- a **parked** cart was put aside for a customer who is bargaining or fetching cash, with
  its lines, discounts and the parts of the payment already taken; bringing it back
  (:func:`recall`) makes it the current cart, and parks the one that was current, in one
  transaction.

A cart keeps the prices it had: a parked cart brought back after the catalogue changed
is sold at the price the customer was told (:func:`price_changes` says which differ).

Everything here is plain statements on the connection of the caller's transaction::

    with store.ledger() as db:
        held.park(db, cart, taken, cashier_name=user.name)
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pos.cart import Cart, CartLine, Discount, PaymentMethod, PaymentSpec
from pos.errors import RuleError
from pos.journal import Writer, driver_connection, sql_time
from pos.models import utcnow

FORMAT = 1  # the version of the JSON a cart is kept as
CURRENT = "current"
PARKED = "parked"

_LINE_FIELDS = ("product_id", "sku", "name_ar", "name_fr", "category", "member", "unit",
                "tax_rate", "list_price", "quantity", "unit_price", "override_by")


def _discount(value: Any) -> Discount | None:
    return None if value is None else Discount(value[0], int(value[1]))


def dumps(cart: Cart, payments: Sequence[PaymentSpec] = ()) -> str:
    """``cart`` and the parts of its payment already taken, as kept in the database."""
    return json.dumps({
        "format": FORMAT,
        "lines": [
            {**{name: getattr(ln, name) for name in _LINE_FIELDS},
             "discount": None if ln.discount is None else [ln.discount.kind, ln.discount.value]}
            for ln in cart.lines
        ],
        "discount": (None if cart.discount is None
                     else [cart.discount.kind, cart.discount.value]),
        "payments": [{"method": p.method, "amount": p.amount, "tendered": p.tendered,
                      "reference": p.reference} for p in payments],
    }, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> tuple[Cart, list[PaymentSpec]]:
    """The cart and payment parts that :func:`dumps` wrote."""
    data = json.loads(text)
    lines = [CartLine(**{name: ln[name] for name in _LINE_FIELDS},
                      discount=_discount(ln.get("discount"))) for ln in data["lines"]]
    payments = [PaymentSpec(cast(PaymentMethod, p["method"]), int(p["amount"]),
                            p.get("tendered"), p.get("reference", ""))
                for p in data.get("payments", ())]
    return Cart(lines=lines, discount=_discount(data.get("discount"))), payments


@dataclass
class HeldCart:
    """A cart kept in the database (``id`` is its row; ``saved_at`` naive UTC: for a
    parked cart, when it was parked)."""

    id: int
    state: str
    saved_at: dt.datetime
    cashier_name: str
    cart: Cart
    payments: list[PaymentSpec]

    @property
    def total(self) -> int:
        return self.cart.totals().total

    @property
    def items(self) -> int:
        """How many things: pieces counted one by one, a weighed line as one."""
        return sum(ln.quantity // 1000 if ln.unit == "piece" else 1 for ln in self.cart.lines)

    @property
    def taken(self) -> int:
        return sum(p.amount for p in self.payments)


_COLUMNS = "id, state, saved_at, cashier_name, data"


def _kept(row: tuple[Any, ...]) -> HeldCart:
    cart, payments = loads(row[4])
    saved = row[2] if isinstance(row[2], dt.datetime) else dt.datetime.fromisoformat(row[2])
    return HeldCart(id=int(row[0]), state=row[1], saved_at=saved, cashier_name=row[3] or "",
                cart=cart, payments=payments)


def _insert(db: sqlite3.Connection, state: str, text: str, cashier_name: str,
            at: dt.datetime | None) -> int:
    cur = db.execute(
        "INSERT INTO held_cart (state, saved_at, cashier_name, data) VALUES (?, ?, ?, ?)",
        (state, sql_time(at or utcnow()), cashier_name, text))
    return int(cur.lastrowid or 0)


def keep_text(db: Writer, text: str | None, *, cashier_name: str = "",
              at: dt.datetime | None = None) -> None:
    """Make ``text`` (:func:`dumps`) the current cart; None: there is none."""
    conn = driver_connection(db)
    conn.execute("DELETE FROM held_cart WHERE state = 'current'")
    if text is not None:
        _insert(conn, CURRENT, text, cashier_name, at)


def keep_current(db: Writer, cart: Cart, payments: Sequence[PaymentSpec] = (), *,
                 cashier_name: str = "", at: dt.datetime | None = None) -> None:
    """Keep ``cart`` and its payment parts as the current cart (an empty cart with no
    part taken is none)."""
    empty = cart.is_empty and not payments
    keep_text(db, None if empty else dumps(cart, payments), cashier_name=cashier_name, at=at)


def drop_current(db: Writer) -> None:
    """There is no cart in progress any more (its sale is recorded in this transaction)."""
    driver_connection(db).execute("DELETE FROM held_cart WHERE state = 'current'")


def current(db: Writer) -> HeldCart | None:
    """The cart in progress when the till last saved it, if any."""
    row = driver_connection(db).execute(
        f"SELECT {_COLUMNS} FROM held_cart WHERE state = 'current'").fetchone()
    return None if row is None else _kept(row)


def park(db: Writer, cart: Cart, payments: Sequence[PaymentSpec] = (), *,
         cashier_name: str = "", at: dt.datetime | None = None) -> int:
    """Put ``cart`` aside (it is no longer the current cart); its row id."""
    if cart.is_empty:
        raise RuleError("held.empty")
    conn = driver_connection(db)
    drop_current(conn)
    return _insert(conn, PARKED, dumps(cart, payments), cashier_name, at)


def parked(db: Writer) -> list[HeldCart]:
    """The carts parked, the one parked first first."""
    rows = driver_connection(db).execute(
        f"SELECT {_COLUMNS} FROM held_cart WHERE state = 'parked' ORDER BY saved_at, id")
    return [_kept(row) for row in rows]


def count_parked(db: Writer) -> int:
    row = driver_connection(db).execute(
        "SELECT COUNT(*) FROM held_cart WHERE state = 'parked'").fetchone()
    return int(row[0])


@dataclass(frozen=True)
class Recalled:
    """A parked cart brought back (``cart``), and the id of the cart that was current and
    was parked in its place (None if the current cart was empty)."""

    cart: HeldCart
    parked_instead: int | None


def recall(db: Writer, parked_id: int, *, current_cart: Cart | None = None,
           current_payments: Sequence[PaymentSpec] = (), cashier_name: str = "",
           at: dt.datetime | None = None) -> Recalled:
    """Bring the parked cart ``parked_id`` back as the current cart; a ``current_cart``
    that is not empty is parked first. RuleError ``held.gone`` if it was already brought
    back (or removed)."""
    conn = driver_connection(db)
    row = conn.execute(f"SELECT {_COLUMNS} FROM held_cart WHERE id = ? AND state = 'parked'",
                       (parked_id,)).fetchone()
    if row is None:
        raise RuleError("held.gone")
    instead = None
    if current_cart is not None and not current_cart.is_empty:
        instead = park(conn, current_cart, current_payments, cashier_name=cashier_name, at=at)
    conn.execute("DELETE FROM held_cart WHERE state = 'current'")
    conn.execute("UPDATE held_cart SET state = 'current' WHERE id = ?", (parked_id,))
    return Recalled(_kept(row), instead)


def remove(db: Writer, parked_id: int) -> None:
    """Drop a parked cart (the customer never came back)."""
    cur = driver_connection(db).execute(
        "DELETE FROM held_cart WHERE id = ? AND state = 'parked'", (parked_id,))
    if cur.rowcount == 0:
        raise RuleError("held.gone")


@dataclass(frozen=True)
class PriceChange:
    """A line kept at ``kept`` while the catalogue now asks ``now`` for its product."""

    name_ar: str
    name_fr: str
    kept: int
    now: int


def price_changes(cart: Cart, prices: Iterable[tuple[int, int]]) -> list[PriceChange]:
    """The lines of ``cart`` whose list price differs from the catalogue's ``prices``
    ((product id, price) pairs) today."""
    now = dict(prices)
    return [PriceChange(ln.name_ar, ln.name_fr, ln.list_price, now[ln.product_id])
            for ln in cart.lines
            if ln.product_id in now and now[ln.product_id] != ln.list_price]
