"""Refunds and voids: new records that reverse earlier sales. Nothing is edited.

A refund gives back some or all of a sale's lines (a reason and the manager's PIN are
required); a void cancels a whole sale of the open business day, e.g. rung by mistake.
When the sale has an invoice, the same transaction appends the credit note of the refund
or void (:func:`pos.invoices.credit`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import invoices
from pos.cart import METHODS, whole_pieces
from pos.checkout import get_sale, local_offset_minutes, record_sale
from pos.day import require_open_day
from pos.errors import InputError, Name, RuleError, SoukError
from pos.models import Sale, SaleLine, User, utcnow
from pos.money import round_div
from pos.records import LineRecord, PaymentRecord, SaleRecord
from pos.users import MANAGER


def refunded(session: Session, sale_id: str) -> dict[int, tuple[int, int]]:
    """Per original line id: (quantity, amount) already given back, both positive."""
    rows = session.execute(
        select(SaleLine.reverses_line, func.sum(SaleLine.quantity), func.sum(SaleLine.total))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.reverses == sale_id)
        .group_by(SaleLine.reverses_line)
    )
    return {line_id: (-qty, -amount) for line_id, qty, amount in rows if line_id is not None}


def refundable(session: Session, sale: Sale) -> dict[int, int]:
    """Per line id of ``sale``: the quantity that can still be given back."""
    done = refunded(session, sale.id)
    return {ln.id: ln.quantity - done.get(ln.id, (0, 0))[0] for ln in sale.lines}


def quantity_problem(line: SaleLine, quantity: int, left: int) -> SoukError | None:
    """Why ``quantity`` (thousandths) of ``line`` cannot be given back when ``left`` is
    what remains of it, or None. Pieces come back whole, except the last of a line sold
    in a fraction of a piece (journals kept from before pieces were whole)."""
    name = Name(line.name_ar, line.name_fr)
    if quantity < 0 or quantity > left:
        return RuleError("refund.too_much", name=name)
    if quantity != left and not whole_pieces(quantity, line.unit):
        return InputError("refund.whole_pieces", name=name)
    return None


def _check_manager(manager: User) -> None:
    if manager.role != MANAGER:
        raise RuleError("pin.not_manager", name=manager.name)


def _reversal(
    sale: Sale, kind: str, reason: str, manager: User, cashier: User | None,
    at: dt.datetime | None,
) -> SaleRecord:
    at = at or utcnow()
    offset = local_offset_minutes(at)
    return SaleRecord(
        id=str(uuid.uuid4()), kind=kind, created_at=at, utc_offset_minutes=offset,
        local_hour=(at + dt.timedelta(minutes=offset)).hour,
        cashier_id=cashier.id if cashier else manager.id,
        cashier_name=cashier.name if cashier else manager.name,
        authorised_by=manager.id, reverses=sale.id, reason=reason.strip(),
        subtotal=0, discount=0, cart_discount=0, total=0,
    )


def _negated_line(position: int, ln: SaleLine, quantity: int, amount: int) -> LineRecord:
    """The reversal of ``quantity`` of line ``ln``, worth ``amount`` (positive)."""
    full = ln.discount + ln.cart_discount
    discount = -round_div(full * quantity, ln.quantity) if ln.quantity else 0
    return LineRecord(
        position=position, product_id=ln.product_id, sku=ln.sku, name_ar=ln.name_ar,
        name_fr=ln.name_fr, category=ln.category, member=ln.member, unit=ln.unit,
        unit_price=ln.unit_price, list_price=ln.list_price, quantity=-quantity,
        discount=discount, cart_discount=0, total=-amount, tax_rate=ln.tax_rate,
        reverses_line=ln.id,
    )


def refund(
    session: Session,
    sale_id: str,
    *,
    quantities: Mapping[int, int] | None,
    reason: str,
    manager: User,
    cashier: User | None = None,
    method: str = "cash",
    reference: str = "",
    at: dt.datetime | None = None,
) -> SaleRecord:
    """Give back ``quantities`` (line id -> thousandths; None = everything left)."""
    _check_manager(manager)
    if not reason.strip():
        raise InputError("refund.reason_needed")
    if method not in METHODS:
        raise InputError("payment.method", method=method)
    original = get_sale(session, sale_id)
    if original.kind != "sale":
        raise RuleError("refund.not_a_sale")
    day = require_open_day(session)
    left = refundable(session, original)
    wanted = dict(left) if quantities is None else dict(quantities)
    done = refunded(session, original.id)
    refund_sale = _reversal(original, "refund", reason, manager, cashier, at)
    lines: list[LineRecord] = []
    for ln in original.lines:
        qty = wanted.pop(ln.id, 0)
        if qty == 0:
            continue
        problem = quantity_problem(ln, qty, left[ln.id])
        if problem is not None:
            raise problem
        if qty == left[ln.id]:  # the last of this line: give back exactly what is left
            amount = ln.total - done.get(ln.id, (0, 0))[1]
        else:
            amount = round_div(ln.total * qty, ln.quantity)
        lines.append(_negated_line(len(lines), ln, qty, amount))
    if wanted:
        raise RuleError("refund.unknown_line")
    if not lines:
        raise RuleError("refund.nothing")
    total = sum(ln.total for ln in lines)
    refund_sale.lines = lines
    refund_sale.subtotal = -sum(round_div(-ln.quantity * ln.unit_price, 1000) for ln in lines)
    refund_sale.discount = sum(ln.discount for ln in lines)
    refund_sale.cart_discount = 0
    refund_sale.total = total
    refund_sale.payments = [
        PaymentRecord(position=0, method=method, amount=total, tendered=None,
                change=-total if method == "cash" else None, reference=reference.strip())
    ]
    return _recorded(session, refund_sale, day.id)


def void(
    session: Session, sale_id: str, *, reason: str, manager: User, cashier: User | None = None,
    at: dt.datetime | None = None,
) -> SaleRecord:
    """Cancel a whole sale of the open business day (nothing of it refunded yet)."""
    _check_manager(manager)
    if not reason.strip():
        raise InputError("refund.reason_needed")
    original = get_sale(session, sale_id)
    day = require_open_day(session)
    if original.kind != "sale":
        raise RuleError("refund.not_a_sale")
    if original.day_id != day.id:
        raise RuleError("void.other_day")
    if session.scalar(select(Sale.id).where(Sale.reverses == original.id)) is not None:
        raise RuleError("void.already_reversed")
    voided = _reversal(original, "void", reason, manager, cashier, at)
    voided.lines = [
        _negated_line(i, ln, ln.quantity, ln.total) for i, ln in enumerate(original.lines)
    ]
    voided.subtotal = -original.subtotal
    voided.discount = -original.discount
    voided.cart_discount = -original.cart_discount
    voided.total = -original.total
    voided.payments = [
        PaymentRecord(position=p.position, method=p.method, amount=-p.amount, tendered=None,
                change=p.amount if p.method == "cash" else None, reference=p.reference)
        for p in original.payments
    ]
    return _recorded(session, voided, day.id)


def _recorded(session: Session, reversal: SaleRecord, day_id: int) -> SaleRecord:
    """Record a refund or void, with the credit note of an invoiced sale."""
    done = record_sale(session, reversal, day_id)
    invoices.credit(session, done.id, at=done.created_at,
                    offset_minutes=done.utc_offset_minutes)
    return done
