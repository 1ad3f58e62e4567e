"""Ringing a sale: the cart and its payments become one durable, journaled record.

::

    with store.ledger() as db:  # or a write session: ``with store.write() as s``
        sale = checkout.complete(db, cart, [cash(cart.totals().total, 20000)], cashier=user)
    # the commit has returned: now, and only now, tell the seller it is done
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from pos import journal, stock
from pos.cart import Cart, PaymentSpec, check_payments
from pos.errors import RuleError
from pos.models import Product, Sale, User, utcnow
from pos.records import LineRecord, PaymentRecord, SaleRecord


def local_offset_minutes(at_utc: dt.datetime | None = None) -> int:
    """The machine's UTC offset in minutes at ``at_utc`` (Morocco moves it in Ramadan)."""
    moment = (at_utc or utcnow()).replace(tzinfo=dt.UTC).astimezone()
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


_INSERT_SALE = (
    "INSERT INTO sale (id, kind, number, day_id, created_at, utc_offset_minutes, local_hour, "
    "cashier_id, cashier_name, authorised_by, subtotal, discount, cart_discount, total, "
    "reverses, reason, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_LINE = (
    "INSERT INTO sale_line (id, sale_id, position, product_id, sku, name_ar, name_fr, "
    "category, member, unit, unit_price, list_price, quantity, discount, cart_discount, total, "
    "tax_rate, reverses_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_PAYMENT = (
    "INSERT INTO payment (sale_id, position, method, amount, tendered, change, reference) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def record_sale(writer: journal.Writer, sale: SaleRecord, day_id: int) -> SaleRecord:
    """Number, journal and store a fully built sale (lines and payments attached), and
    move the stock, in the writer's transaction.

    The rows are written with plain statements on the writer's connection: this is the
    hot path of the till. ``sale`` is returned with its number, journal link and line ids.
    """
    db = journal.driver_connection(writer)
    sale.number, last_line = db.execute(  # numbering resumes after a restore's tickets
        f"SELECT ({journal.NEXT_TICKET_SQL}), (SELECT COALESCE(MAX(id), 0) FROM sale_line)"
    ).fetchone()
    sale.day_id = day_id
    link = journal.append(
        db, kind=sale.kind, ref=sale.id, day_id=day_id, amount=sale.total,
        data=sale.journal_data(), at=sale.created_at,
    )
    sale.journal_seq = link.seq
    db.execute(_INSERT_SALE, (
        sale.id, sale.kind, sale.number, day_id, journal.sql_time(sale.created_at),
        sale.utc_offset_minutes, sale.local_hour, sale.cashier_id, sale.cashier_name,
        sale.authorised_by, sale.subtotal, sale.discount, sale.cart_discount, sale.total,
        sale.reverses, sale.reason, sale.journal_seq,
    ))
    # the transaction is the only writer: the line ids after the last one are free
    for i, ln in enumerate(sale.lines, start=last_line + 1):
        ln.sale_id, ln.id = sale.id, i
    db.executemany(_INSERT_LINE, [
        (ln.id, sale.id, ln.position, ln.product_id, ln.sku, ln.name_ar, ln.name_fr,
         ln.category, ln.member, ln.unit, ln.unit_price, ln.list_price, ln.quantity,
         ln.discount, ln.cart_discount, ln.total, ln.tax_rate, ln.reverses_line)
        for ln in sale.lines
    ])
    db.executemany(_INSERT_PAYMENT, [
        (sale.id, p.position, p.method, p.amount, p.tendered, p.change, p.reference)
        for p in sale.payments
    ])
    move_stock(writer, sale)
    return sale


def move_stock(writer: journal.Writer, sale: SaleRecord) -> None:
    """Take the quantities of ``sale`` out of stock (a refund or a void puts them back),
    keeping one move per product with the sale's ticket and cashier (:mod:`pos.stock`)."""
    changes: dict[int, int] = {}
    for ln in sale.lines:
        if ln.product_id is not None:
            changes[ln.product_id] = changes.get(ln.product_id, 0) - ln.quantity
    moved = [(product_id, change) for product_id, change in changes.items() if change]
    stock.move_sold(journal.driver_connection(writer), at=journal.sql_time(sale.created_at),
                    kind=sale.kind, sale_id=sale.id, user_id=sale.cashier_id, changes=moved)
    if isinstance(writer, Session):  # products loaded in the session show the new stock
        for product_id, _ in moved:
            loaded = writer.identity_map.get(identity_key(Product, product_id))
            if loaded is not None:
                writer.expire(loaded, ["stock"])


def open_day_id(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT id FROM business_day WHERE closed_at IS NULL").fetchone()
    if row is None:
        raise RuleError("day.not_open")
    return int(row[0])


def complete(
    writer: journal.Writer,
    cart: Cart,
    payments: Sequence[PaymentSpec],
    *,
    cashier: User | None,
    at: dt.datetime | None = None,
    sale_id: str | None = None,
) -> SaleRecord:
    """Record the sale of ``cart`` paid by ``payments`` in the open business day."""
    if cart.is_empty:
        raise RuleError("sale.empty")
    day_id = open_day_id(journal.driver_connection(writer))
    totals = cart.totals()
    if totals.total < 0:  # a gift (a 100 % discount, a price of 0) is a sale of 0, unpaid
        raise RuleError("sale.zero_total")
    check_payments(totals.total, list(payments))
    if any(ln.unit_price != ln.list_price and ln.override_by is None for ln in cart.lines):
        raise RuleError("sale.override_needs_manager")
    at = at or utcnow()
    offset = local_offset_minutes(at)
    overrides = {ln.override_by for ln in cart.lines if ln.override_by is not None}
    sale = SaleRecord(
        id=sale_id or str(uuid.uuid4()), kind="sale", created_at=at, utc_offset_minutes=offset,
        local_hour=(at + dt.timedelta(minutes=offset)).hour,
        cashier_id=cashier.id if cashier else None, cashier_name=cashier.name if cashier else "",
        authorised_by=min(overrides) if overrides else None,
        subtotal=totals.subtotal, discount=totals.discount, cart_discount=totals.cart_discount,
        total=totals.total, reverses=None, reason="",
    )
    sale.lines = [
        LineRecord(
            position=i, product_id=ln.product_id, sku=ln.sku, name_ar=ln.name_ar,
            name_fr=ln.name_fr, category=ln.category, member=ln.member, unit=ln.unit,
            unit_price=ln.unit_price, list_price=ln.list_price, quantity=ln.quantity,
            discount=discount, cart_discount=share, total=net - share, tax_rate=ln.tax_rate,
        )
        for i, (ln, discount, net, share) in enumerate(zip(
            cart.lines, totals.line_discount_amounts, totals.nets, totals.shares, strict=True))
    ]
    sale.payments = [
        PaymentRecord(position=i, method=p.method, amount=p.amount, tendered=p.tendered,
                change=p.change, reference=p.reference.strip())
        for i, p in enumerate(payments)
    ]
    return record_sale(writer, sale, day_id)


def get_sale(session: Session, sale_id: str) -> Sale:
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise RuleError("sale.not_found", ref=sale_id)
    return sale


def sales_of_day(session: Session, day_id: int) -> list[Sale]:
    query = select(Sale).where(Sale.day_id == day_id).order_by(Sale.number.desc())
    return list(session.scalars(query))
