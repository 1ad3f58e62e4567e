"""Refunds and voids: new records that reverse earlier sales. Nothing is edited.

A refund gives back some or all of a sale's lines (a reason and the manager's PIN are
required); a void cancels a whole sale of the open business day, e.g. rung by mistake.
When the sale has an invoice, the same transaction appends the credit note of the refund
or void (:func:`pos.invoices.credit`).

A refund is given back in cash, to the card or by mobile transfer, or split between them
(:class:`RefundPart`): a card or a transfer takes back no more of a sale, over all its
refunds, than it paid of it (:func:`method_room`); cash takes any rest, the seller can
always give cash (:func:`parts_for` proposes such a split).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import invoices
from pos.cart import METHODS, whole_pieces
from pos.checkout import get_sale, local_offset_minutes, record_sale
from pos.day import require_open_day
from pos.errors import Amount, InputError, Name, RuleError, SoukError
from pos.models import Payment, Sale, SaleLine, User, utcnow
from pos.money import line_amount, round_div
from pos.records import LineRecord, PaymentRecord, SaleRecord
from pos.users import MANAGER

#: the methods a refund may give back by no more than they paid of the sale
BOUNDED: Final = ("card", "mobile")


@dataclass(frozen=True)
class RefundPart:
    """What a refund gives back by one method: ``amount`` centimes (more than zero, but
    for the one part of a refund of nothing), with the reference of the card's or the
    transfer's operation."""

    method: str
    amount: int
    reference: str = ""


class Given(NamedTuple):
    """What earlier refunds and voids gave back of one line, all positive."""

    quantity: int
    amount: int
    discount: int


NOTHING: Final = Given(0, 0, 0)


def refunded(session: Session, sale_id: str) -> dict[int, Given]:
    """Per original line id: the quantity, amount and discount already given back."""
    rows = session.execute(
        select(SaleLine.reverses_line, func.sum(SaleLine.quantity), func.sum(SaleLine.total),
               func.sum(SaleLine.discount + SaleLine.cart_discount))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.reverses == sale_id)
        .group_by(SaleLine.reverses_line)
    )
    return {line_id: Given(-qty, -amount, -discount)
            for line_id, qty, amount, discount in rows if line_id is not None}


def refundable(session: Session, sale: Sale) -> dict[int, int]:
    """Per line id of ``sale``: the quantity that can still be given back."""
    done = refunded(session, sale.id)
    return {ln.id: ln.quantity - done.get(ln.id, NOTHING).quantity for ln in sale.lines}


def method_room(session: Session, sale: Sale) -> dict[str, int]:
    """Per method, the most a refund of ``sale`` may still give back by it: a card or a
    transfer what it paid of the sale less what its refunds gave back that way; cash
    all that is left of the sale to give back, whatever it paid."""
    paid = {method: 0 for method in METHODS}
    for payment in sale.payments:
        paid[payment.method] += payment.amount
    given = session.execute(
        select(Payment.method, func.sum(Payment.amount))
        .join(Sale, Sale.id == Payment.sale_id)
        .where(Sale.reverses == sale.id)
        .group_by(Payment.method)
    )
    for method, amount in given:  # below zero: what went back
        paid[method] += int(amount)
    left = sale.total + int(session.scalar(
        select(func.coalesce(func.sum(Sale.total), 0)).where(Sale.reverses == sale.id)) or 0)
    room = {method: max(0, paid[method]) for method in BOUNDED}
    room["cash"] = max(0, left)
    return room


def parts_for(room: Mapping[str, int], amount: int, method: str,
              reference: str = "") -> list[RefundPart]:
    """How ``amount`` centimes are given back when ``method`` is chosen, ``room`` being
    what each method may still take (:func:`method_room`): by ``method`` up to its room,
    the rest in cash. Nothing to give back is one part of nothing by ``method``."""
    if method == "cash" or amount <= 0:
        return [RefundPart(method, max(amount, 0), reference.strip())]
    taken = min(amount, room.get(method, 0))
    parts = [RefundPart(method, taken, reference.strip())] if taken > 0 else []
    if amount > taken:
        parts.append(RefundPart("cash", amount - taken))
    return parts


def check_parts(parts: Sequence[RefundPart], amount: int, room: Mapping[str, int]) -> None:
    """Refuse ``parts`` that do not give back exactly ``amount``, or that give more back
    to a card or by a transfer than it may still take (``room``)."""
    by_method: dict[str, int] = {}
    for part in parts:
        if part.method not in METHODS:
            raise InputError("payment.method", method=part.method)
        if part.amount < 0 or (part.amount == 0 and len(parts) > 1):
            raise InputError("payment.amount")
        if part.method != "cash" and part.amount and not part.reference.strip():
            raise InputError("payment.reference_needed")
        by_method[part.method] = by_method.get(part.method, 0) + part.amount
    given = sum(by_method.values())
    if given != amount or not parts:
        raise RuleError("payment.mismatch", paid=Amount(given), total=Amount(amount))
    for method in BOUNDED:
        if by_method.get(method, 0) > room.get(method, 0):
            raise RuleError(f"refund.too_much_{method}", left=Amount(room.get(method, 0)))


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


def _negated_line(position: int, ln: SaleLine, quantity: int, amount: int,
                  discount: int) -> LineRecord:
    """The reversal of ``quantity`` of line ``ln``, worth ``amount`` after ``discount``
    (both positive: what is given back)."""
    return LineRecord(
        position=position, product_id=ln.product_id, sku=ln.sku, name_ar=ln.name_ar,
        name_fr=ln.name_fr, category=ln.category, member=ln.member, unit=ln.unit,
        unit_price=ln.unit_price, list_price=ln.list_price, quantity=-quantity,
        discount=-discount, cart_discount=0, total=-amount, tax_rate=ln.tax_rate,
        reverses_line=ln.id,
    )


def given_back(ln: SaleLine, quantity: int, left: int, done: Given) -> tuple[int, int]:
    """What giving back ``quantity`` of line ``ln`` returns, ``left`` being what remains of
    it and ``done`` what earlier refunds gave back: (amount, discount), both positive.

    The amount is the line's total shared by quantity; the discount what the quantity was
    worth at its unit price less that amount. The last of a line (``quantity == left``)
    takes exactly what remains of both, so that a line given back in parts gives back its
    total and its discounts to the centime."""
    if quantity == left:
        full = ln.discount + ln.cart_discount
        return ln.total - done.amount, full - done.discount
    amount = round_div(ln.total * quantity, ln.quantity)
    return amount, line_amount(ln.unit_price, quantity) - amount


def _refunded_lines(session: Session, original: Sale,
                    quantities: Mapping[int, int] | None) -> list[LineRecord]:
    """The lines of a refund of ``quantities`` of ``original`` (None = everything left),
    each checked: no more than is left, pieces whole, lines of this sale, something."""
    left = refundable(session, original)
    wanted = dict(left) if quantities is None else dict(quantities)
    done = refunded(session, original.id)
    lines: list[LineRecord] = []
    for ln in original.lines:
        qty = wanted.pop(ln.id, 0)
        if qty == 0:
            continue
        problem = quantity_problem(ln, qty, left[ln.id])
        if problem is not None:
            raise problem
        amount, discount = given_back(ln, qty, left[ln.id], done.get(ln.id, NOTHING))
        lines.append(_negated_line(len(lines), ln, qty, amount, discount))
    if wanted:
        raise RuleError("refund.unknown_line")
    if not lines:
        raise RuleError("refund.nothing")
    return lines


def amount_of(session: Session, sale: Sale, quantities: Mapping[int, int] | None) -> int:
    """What giving back ``quantities`` of ``sale`` returns to the customer (positive),
    checked as :func:`refund` checks them."""
    return -sum(ln.total for ln in _refunded_lines(session, sale, quantities))


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
    parts: Sequence[RefundPart] | None = None,
    at: dt.datetime | None = None,
) -> SaleRecord:
    """Give back ``quantities`` (line id -> thousandths; None = everything left), by
    ``parts`` (:func:`parts_for`), or wholly by ``method`` with its ``reference`` when
    no parts are given. A card or a transfer given more than it may still take back of
    the sale (:func:`method_room`) is refused (``refund.too_much_card``, ``_mobile``)."""
    _check_manager(manager)
    if not reason.strip():
        raise InputError("refund.reason_needed")
    if parts is None and method not in METHODS:
        raise InputError("payment.method", method=method)
    original = get_sale(session, sale_id)
    if original.kind != "sale":
        raise RuleError("refund.not_a_sale")
    day = require_open_day(session)
    lines = _refunded_lines(session, original, quantities)
    total = sum(ln.total for ln in lines)
    if parts is None:
        parts = [RefundPart(method, -total, reference)]
    check_parts(parts, -total, method_room(session, original))
    refund_sale = _reversal(original, "refund", reason, manager, cashier, at)
    refund_sale.lines = lines
    refund_sale.discount = sum(ln.discount for ln in lines)
    refund_sale.subtotal = total + refund_sale.discount  # less the discounts: the total
    refund_sale.cart_discount = 0
    refund_sale.total = total
    refund_sale.payments = [
        PaymentRecord(position=i, method=part.method, amount=-part.amount, tendered=None,
                      change=part.amount if part.method == "cash" else None,
                      reference=part.reference.strip())
        for i, part in enumerate(parts)
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
        _negated_line(i, ln, ln.quantity, ln.total, ln.discount + ln.cart_discount)
        for i, ln in enumerate(original.lines)
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
