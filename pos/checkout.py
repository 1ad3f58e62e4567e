"""Ringing a sale: the cart and its payments become one durable, journaled record.

::

    with store.write() as s:
        sale = checkout.complete(s, cart, [cash(cart.totals().total, 20000)], cashier=user)
    # the commit has returned: now, and only now, tell the seller it is done
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pos import journal
from pos.cart import Cart, PaymentSpec, check_payments
from pos.day import require_open_day
from pos.errors import RuleError
from pos.models import BusinessDay, Payment, Product, Sale, SaleLine, User, utcnow


def local_offset_minutes(at_utc: dt.datetime | None = None) -> int:
    """The machine's UTC offset in minutes at ``at_utc`` (Morocco moves it in Ramadan)."""
    moment = (at_utc or utcnow()).replace(tzinfo=dt.UTC).astimezone()
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def next_number(session: Session) -> int:
    return (session.scalar(select(func.max(Sale.number))) or 0) + 1


def sale_record(sale: Sale) -> dict[str, Any]:
    """What the journal keeps of a sale, refund or void: everything a receipt shows."""
    return {
        "id": sale.id,
        "kind": sale.kind,
        "number": sale.number,
        "offset": sale.utc_offset_minutes,
        "cashier": sale.cashier_name,
        "cashier_id": sale.cashier_id,
        "authorised_by": sale.authorised_by,
        "subtotal": sale.subtotal,
        "discount": sale.discount,
        "cart_discount": sale.cart_discount,
        "total": sale.total,
        "reverses": sale.reverses,
        "reason": sale.reason,
        "lines": [
            [ln.sku, ln.name_ar, ln.name_fr, ln.unit, ln.list_price, ln.unit_price, ln.quantity,
             ln.discount, ln.cart_discount, ln.total, ln.tax_rate, ln.member, ln.category]
            for ln in sale.lines
        ],
        "payments": [
            [p.method, p.amount, p.tendered, p.change, p.reference] for p in sale.payments
        ],
    }


def record_sale(session: Session, sale: Sale, day: BusinessDay) -> Sale:
    """Number, journal and store a fully built Sale (lines and payments attached)."""
    sale.number = next_number(session)
    sale.day_id = day.id
    entry = journal.append(
        session, kind=sale.kind, ref=sale.id, day_id=day.id, amount=sale.total,
        data=sale_record(sale), at=sale.created_at,
    )
    sale.journal_seq = entry.seq
    session.add(sale)
    session.flush()
    return sale


def move_stock(session: Session, lines: Sequence[SaleLine]) -> None:
    """Take sold quantities out of stock (refunds and voids put them back)."""
    for line in lines:
        if line.product_id is not None:
            session.execute(
                update(Product)
                .where(Product.id == line.product_id)
                .values(stock=Product.stock - line.quantity)
                .execution_options(synchronize_session=False)
            )


def complete(
    session: Session,
    cart: Cart,
    payments: Sequence[PaymentSpec],
    *,
    cashier: User | None,
    at: dt.datetime | None = None,
    sale_id: str | None = None,
) -> Sale:
    """Record the sale of ``cart`` paid by ``payments`` in the open business day."""
    if cart.is_empty:
        raise RuleError("sale.empty")
    day = require_open_day(session)
    totals = cart.totals()
    if totals.total <= 0:
        raise RuleError("sale.zero_total")
    check_payments(totals.total, list(payments))
    if any(ln.unit_price != ln.list_price and ln.override_by is None for ln in cart.lines):
        raise RuleError("sale.override_needs_manager")
    at = at or utcnow()
    offset = local_offset_minutes(at)
    overrides = {ln.override_by for ln in cart.lines if ln.override_by is not None}
    sale = Sale(
        id=sale_id or str(uuid.uuid4()), kind="sale", created_at=at, utc_offset_minutes=offset,
        local_hour=(at + dt.timedelta(minutes=offset)).hour,
        cashier_id=cashier.id if cashier else None, cashier_name=cashier.name if cashier else "",
        authorised_by=min(overrides) if overrides else None,
        subtotal=totals.subtotal, discount=totals.discount, cart_discount=totals.cart_discount,
        total=totals.total, reverses=None, reason="",
    )
    sale.lines = [
        SaleLine(
            position=i, product_id=ln.product_id, sku=ln.sku, name_ar=ln.name_ar,
            name_fr=ln.name_fr, category=ln.category, member=ln.member, unit=ln.unit,
            unit_price=ln.unit_price, list_price=ln.list_price, quantity=ln.quantity,
            discount=ln.discount_amount, cart_discount=share, total=ln.net - share,
            tax_rate=ln.tax_rate,
        )
        for i, (ln, share) in enumerate(zip(cart.lines, totals.shares, strict=True))
    ]
    sale.payments = [
        Payment(position=i, method=p.method, amount=p.amount, tendered=p.tendered,
                change=p.change, reference=p.reference.strip())
        for i, p in enumerate(payments)
    ]
    record_sale(session, sale, day)
    move_stock(session, sale.lines)
    return sale


def get_sale(session: Session, sale_id: str) -> Sale:
    sale = session.get(Sale, sale_id)
    if sale is None:
        raise RuleError("sale.not_found", ref=sale_id)
    return sale


def sales_of_day(session: Session, day_id: int) -> list[Sale]:
    query = select(Sale).where(Sale.day_id == day_id).order_by(Sale.number.desc())
    return list(session.scalars(query))
