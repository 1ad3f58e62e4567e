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

A kept cart whose text this version cannot read (written by a newer version, or damaged)
never stops the till: :func:`current` and :func:`parked` pass it over, :func:`unreadable`
finds it and :func:`set_aside` moves it to a state of its own (:data:`ASIDE`), kept as it
was and never offered again. Nothing here deletes one: a cart in progress that cannot be
read is set aside, not replaced.

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

from pos.cart import METHODS, Cart, CartLine, Discount, PaymentMethod, PaymentSpec
from pos.errors import RuleError, SoukError
from pos.journal import Writer, driver_connection, sql_time
from pos.models import utcnow

FORMAT = 1  # the version of the JSON a cart is kept as
CURRENT = "current"
PARKED = "parked"
ASIDE = "aside"  # a cart this version could not read, kept as it was


class Unreadable(ValueError):
    """A kept cart's text that this version cannot read: a newer :data:`FORMAT`, or
    damaged."""

_LINE_FIELDS = ("product_id", "sku", "name_ar", "name_fr", "category", "member", "unit",
                "tax_rate", "list_price", "quantity", "unit_price", "override_by")


def _discount(value: Any) -> Discount | None:
    if value is None:
        return None
    if value[0] not in ("amount", "percent"):
        raise Unreadable(f"discount {value[0]!r}")
    return Discount(value[0], int(value[1]))


def _payment(p: dict[str, Any]) -> PaymentSpec:
    if p["method"] not in METHODS:  # a way of paying added by a newer version
        raise Unreadable(f"method {p['method']!r}")
    return PaymentSpec(cast(PaymentMethod, p["method"]), int(p["amount"]), p.get("tendered"),
                       p.get("reference", ""))


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


_TEXT_FIELDS = ("sku", "name_ar", "name_fr", "category", "member", "unit")
_NUMBER_FIELDS = ("tax_rate", "list_price", "quantity", "unit_price")


def _checked_line(ln: dict[str, Any]) -> CartLine:
    """One line as :func:`dumps` wrote it, each field of the type it has (a damaged
    text parses to a line whose sums fail later, in the middle of a sale)."""
    if (not all(isinstance(ln[name], str) for name in _TEXT_FIELDS)
            or not all(type(ln[name]) is int for name in _NUMBER_FIELDS)
            or not all(ln[name] is None or type(ln[name]) is int
                       for name in ("product_id", "override_by"))):
        raise Unreadable("a line's fields")
    return CartLine(**{name: ln[name] for name in _LINE_FIELDS},
                    discount=_discount(ln.get("discount")))


def loads(text: str) -> tuple[Cart, list[PaymentSpec]]:
    """The cart and payment parts that :func:`dumps` wrote; :class:`Unreadable` for a text
    of a newer format, or damaged."""
    try:
        data = json.loads(text)
        if data["format"] != FORMAT:
            raise Unreadable(f"format {data['format']!r}")
        lines = [_checked_line(ln) for ln in data["lines"]]
        payments = [_payment(p) for p in data.get("payments", ())]
        cart = Cart(lines=lines, discount=_discount(data.get("discount")))
        cart.totals()  # the sums a sale will need
    except Unreadable:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, SoukError) as exc:
        raise Unreadable(str(exc)[:80]) from exc
    return cart, payments


def readable(text: str) -> bool:
    """Whether this version can read ``text`` as a kept cart."""
    try:
        loads(text)
    except Unreadable:
        return False
    return True


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


def _clear_current(conn: sqlite3.Connection) -> None:
    """There is no current cart any more; one this version cannot read is set aside, not
    deleted."""
    row = conn.execute("SELECT id, data FROM held_cart WHERE state = 'current'").fetchone()
    if row is not None and not readable(row[1]):
        set_aside(conn, [int(row[0])])
    conn.execute("DELETE FROM held_cart WHERE state = 'current'")


def keep_text(db: Writer, text: str | None, *, cashier_name: str = "",
              at: dt.datetime | None = None) -> None:
    """Make ``text`` (:func:`dumps`) the current cart; None: there is none."""
    conn = driver_connection(db)
    _clear_current(conn)
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
    _clear_current(driver_connection(db))


def _read(row: tuple[Any, ...] | None) -> HeldCart | None:
    """The kept cart of ``row``; None when there is none or it cannot be read."""
    if row is None:
        return None
    try:
        return _kept(row)
    except Unreadable:
        return None


def current(db: Writer) -> HeldCart | None:
    """The cart in progress when the till last saved it, if any (and readable: see
    :func:`unreadable`)."""
    return _read(driver_connection(db).execute(
        f"SELECT {_COLUMNS} FROM held_cart WHERE state = 'current'").fetchone())


def unreadable(db: Writer) -> list[tuple[int, str]]:
    """The kept carts, in progress or parked, whose text this version cannot read: (row
    id, state) pairs, to be :func:`set_aside`."""
    rows = driver_connection(db).execute(
        "SELECT id, state, data FROM held_cart WHERE state IN ('current', 'parked') ORDER BY id")
    return [(int(row[0]), str(row[1])) for row in rows if not readable(row[2])]


def set_aside(db: Writer, ids: Iterable[int]) -> None:
    """Put the kept carts ``ids`` in :data:`ASIDE`: kept as they are, offered no more."""
    driver_connection(db).executemany(
        "UPDATE held_cart SET state = 'aside' WHERE id = ? AND state IN ('current', 'parked')",
        [(i,) for i in ids])


def park(db: Writer, cart: Cart, payments: Sequence[PaymentSpec] = (), *,
         cashier_name: str = "", at: dt.datetime | None = None) -> int:
    """Put ``cart`` aside (it is no longer the current cart); its row id."""
    if cart.is_empty:
        raise RuleError("held.empty")
    conn = driver_connection(db)
    drop_current(conn)
    return _insert(conn, PARKED, dumps(cart, payments), cashier_name, at)


def parked(db: Writer) -> list[HeldCart]:
    """The carts parked, the one parked first first (those that can be read: see
    :func:`unreadable`)."""
    rows = driver_connection(db).execute(
        f"SELECT {_COLUMNS} FROM held_cart WHERE state = 'parked' ORDER BY saved_at, id")
    return [kept for row in rows if (kept := _read(row)) is not None]


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
    back (or removed), or cannot be read."""
    conn = driver_connection(db)
    back = _read(conn.execute(f"SELECT {_COLUMNS} FROM held_cart WHERE id = ? AND state = 'parked'",
                              (parked_id,)).fetchone())
    if back is None:
        raise RuleError("held.gone")
    instead = None
    if current_cart is not None and not current_cart.is_empty:
        instead = park(conn, current_cart, current_payments, cashier_name=cashier_name, at=at)
    _clear_current(conn)
    conn.execute("UPDATE held_cart SET state = 'current' WHERE id = ?", (parked_id,))
    return Recalled(back, instead)


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
