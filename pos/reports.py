"""X and Z reports and the day summary pushed to the organisers.

All figures come from SQL aggregates over the day's sales, lines, payments and cash
movements, so a report of a busy day in a large journal stays fast. The same
:class:`DayReport` feeds the printed X/Z reports, the app's day screen and the sync summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import journal, settings
from pos.cart import TaxLine, taxes_of
from pos.models import BusinessDay, CashMovement, JournalEntry, Payment, Sale, SaleLine


@dataclass(frozen=True)
class MethodTotal:
    """What the day's tickets took (or gave back) by one method. ``amount`` is net of
    refunds and voids; ``count`` is every ticket of the method, whatever its kind (as the
    day summary sends it), of which ``sales`` were sales, ``refunds`` refunds and ``voids``
    voids."""

    method: str
    amount: int
    count: int
    sales: int = 0
    refunds: int = 0
    voids: int = 0


@dataclass(frozen=True)
class ProductTotal:
    sku: str
    name_ar: str
    name_fr: str
    category: str
    quantity: int
    amount: int
    unit: str | None = None  # its lines' unit; None when they were sold in several


@dataclass(frozen=True)
class HourTotal:
    hour: int
    amount: int
    tickets: int


@dataclass(frozen=True)
class MemberTotal:
    member: str
    amount: int
    quantity: int


@dataclass(frozen=True)
class CashSummary:
    opening_float: int
    cash_sales: int  # net cash taken by sales, refunds and voids
    cash_in: int
    cash_out: int
    expected: int
    counted: int | None
    difference: int | None
    count_detail: dict[str, int] | None


@dataclass(frozen=True)
class DayReport:
    day_id: int
    date: dt.date
    status: str  # "open" | "closed"
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    utc_offset_minutes: int
    z_number: int | None
    sales_count: int
    refunds_count: int
    voids_count: int
    gross: int
    refunds: int
    voids: int
    net: int
    discounts: int
    items: int
    first_number: int | None
    last_number: int | None
    taxes: tuple[TaxLine, ...]
    payments: tuple[MethodTotal, ...]
    products: tuple[ProductTotal, ...]
    hours: tuple[HourTotal, ...]
    members: tuple[MemberTotal, ...]
    cash: CashSummary
    journal_seq: int
    journal_hash: str
    grand_total: int
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    #: the Z number as printed, ``R2-8`` after a restore (:func:`pos.journal.z_label_of`);
    #: "" while the day is open
    z_label: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("date", "opened_at", "closed_at", "generated_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


@dataclass
class _Sales:
    """The day's sales, refunds and voids, from one scan grouped by hour and kind."""

    counts: dict[str, int] = field(default_factory=lambda: {"sale": 0, "refund": 0, "void": 0})
    amounts: dict[str, int] = field(default_factory=lambda: {"sale": 0, "refund": 0, "void": 0})
    discounts: int = 0
    first: int | None = None
    last: int | None = None
    hours: dict[int, list[int]] = field(default_factory=dict)  # hour -> [amount, tickets]


def _sales(session: Session, ids: list[int]) -> _Sales:
    out = _Sales()
    rows = session.execute(
        select(Sale.local_hour, Sale.kind, func.count(), func.sum(Sale.total),
               func.sum(Sale.discount), func.min(Sale.number), func.max(Sale.number))
        .where(Sale.day_id.in_(ids))
        .group_by(Sale.local_hour, Sale.kind)
    )
    for hour, kind, count, amount, discount, first, last in rows:
        out.counts[kind] += count
        out.amounts[kind] += amount
        out.discounts += discount
        out.first = first if out.first is None else min(out.first, first)
        out.last = last if out.last is None else max(out.last, last)
        slot = out.hours.setdefault(hour, [0, 0])
        slot[0] += amount
        slot[1] += count if kind == "sale" else 0
    return out


def _lines(
    session: Session, ids: list[int]
) -> tuple[list[ProductTotal], dict[int, int], list[MemberTotal]]:
    """Per product, per tax rate and per member, from one scan of the day's lines."""
    rows = session.execute(
        select(SaleLine.sku, SaleLine.tax_rate, SaleLine.member, SaleLine.unit,
               func.max(SaleLine.name_ar), func.max(SaleLine.name_fr),
               func.max(SaleLine.category), func.sum(SaleLine.quantity),
               func.sum(SaleLine.total))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.day_id.in_(ids))
        .group_by(SaleLine.sku, SaleLine.tax_rate, SaleLine.member, SaleLine.unit)
    ).all()
    products: dict[str, list[Any]] = {}
    rates: dict[int, int] = {}
    members: dict[str, list[int]] = {}
    for sku, rate, member, unit, name_ar, name_fr, category, quantity, amount in rows:
        product = products.setdefault(sku, [name_ar, name_fr, category, 0, 0, unit])
        product[0], product[1] = max(product[0], name_ar), max(product[1], name_fr)
        product[3] += quantity
        product[4] += amount
        if product[5] != unit:  # its unit changed during the day: its quantity has none
            product[5] = None
        rates[rate] = rates.get(rate, 0) + amount
        totals = members.setdefault(member, [0, 0])
        totals[0] += amount
        totals[1] += quantity
    by_product = sorted(
        (ProductTotal(sku, a, f, c, q, t, u) for sku, (a, f, c, q, t, u) in products.items()),
        key=lambda p: (-p.amount, p.sku),
    )
    by_member = sorted(
        (MemberTotal(m, a, q) for m, (a, q) in members.items()), key=lambda m: (-m.amount, m.member)
    )
    return by_product, rates, by_member


def _cash(session: Session, days: list[BusinessDay], cash_sales: int) -> CashSummary:
    ids = [d.id for d in days]
    moves = dict(
        session.execute(
            select(CashMovement.kind, func.sum(CashMovement.amount))
            .where(CashMovement.day_id.in_(ids))
            .group_by(CashMovement.kind)
        ).all()
    )
    cash_in, cash_out = int(moves.get("in", 0)), int(moves.get("out", 0))
    opening = sum(d.opening_float for d in days)
    expected = opening + int(cash_sales or 0) + cash_in - cash_out
    counted = None if any(d.counted is None for d in days) else sum(d.counted or 0 for d in days)
    detail: dict[str, int] | None = None
    if counted is not None:
        detail = {}
        for d in days:
            for denomination, number in (d.count_detail or {}).items():
                detail[denomination] = detail.get(denomination, 0) + int(number)
    return CashSummary(
        opening_float=opening, cash_sales=int(cash_sales or 0), cash_in=cash_in,
        cash_out=cash_out, expected=expected, counted=counted,
        difference=None if counted is None else counted - expected,
        count_detail=detail,
    )


def day_report(session: Session, day: BusinessDay) -> DayReport:
    """The X report of an open day, or the Z report of a closed one."""
    return _report(session, [day])


def date_report(session: Session, date: dt.date) -> DayReport | None:
    """All the business days opened on ``date`` as one report (a day closed early and
    reopened the same date is still one day for the organisers)."""
    query = select(BusinessDay).where(BusinessDay.date == date).order_by(BusinessDay.id)
    days = list(session.scalars(query))
    return _report(session, days) if days else None


def last_seq(session: Session, day: BusinessDay) -> int:
    """The journal number of a day's last record: its close, or for the open day (always
    the latest) the journal's head, invoices and credit notes left out: they are no figure
    of any day (:mod:`pos.invoices`), so making one changes no day's version and sends
    nothing."""
    if day.close_seq is not None:
        return day.close_seq
    head = session.scalar(select(JournalEntry.seq)
                          .where(JournalEntry.kind.not_in(journal.DOCUMENTS))
                          .order_by(JournalEntry.seq.desc()).limit(1))
    return int(head or day.open_seq)


def _payments(session: Session, ids: list[int]) -> list[MethodTotal]:
    """Per payment method, its amount and its tickets counted by kind (a ticket paid two
    ways counts in both)."""
    amounts: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    for method, kind, amount, count in session.execute(
        select(Payment.method, Sale.kind, func.sum(Payment.amount),
               func.count(func.distinct(Payment.sale_id)))
        .join(Sale, Sale.id == Payment.sale_id)
        .where(Sale.day_id.in_(ids))
        .group_by(Payment.method, Sale.kind)
    ):
        amounts[method] = amounts.get(method, 0) + int(amount)
        counts.setdefault(method, {})[kind] = int(count)
    return [
        MethodTotal(method, amounts[method], sum(counts[method].values()),
                    sales=counts[method].get("sale", 0),
                    refunds=counts[method].get("refund", 0),
                    voids=counts[method].get("void", 0))
        for method in sorted(amounts)
    ]


def _report(session: Session, days: list[BusinessDay]) -> DayReport:
    ids = [d.id for d in days]
    last = days[-1]
    sales = _sales(session, ids)
    products, rates, members = _lines(session, ids)
    payments = _payments(session, ids)
    head = session.execute(
        select(JournalEntry.seq, JournalEntry.hash, JournalEntry.grand_total).where(
            JournalEntry.seq == max(last_seq(session, d) for d in days)
        )
    ).one()
    gross, refunds, voids = (sales.amounts["sale"], -sales.amounts["refund"],
                             -sales.amounts["void"])
    cash_sales = sum(p.amount for p in payments if p.method == "cash")
    return DayReport(
        day_id=last.id, date=last.date,
        status="open" if any(d.is_open for d in days) else "closed",
        opened_at=days[0].opened_at, closed_at=last.closed_at,
        utc_offset_minutes=last.utc_offset_minutes, z_number=last.z_number,
        sales_count=sales.counts["sale"], refunds_count=sales.counts["refund"],
        voids_count=sales.counts["void"], gross=gross, refunds=refunds,
        voids=voids, net=gross - refunds - voids, discounts=sales.discounts,
        items=sum(p.quantity for p in products if p.sku),
        first_number=sales.first, last_number=sales.last,
        taxes=taxes_of(rates),
        payments=tuple(payments),
        products=tuple(products),
        hours=tuple(HourTotal(h, a, t) for h, (a, t) in sorted(sales.hours.items())),
        members=tuple(members),
        cash=_cash(session, days, cash_sales), journal_seq=head.seq, journal_hash=head.hash,
        grand_total=head.grand_total,
        z_label=journal.z_label_of(journal.driver_connection(session), last.z_number)
        if last.z_number else "",
    )


def summary(session: Session, report: DayReport) -> dict[str, Any]:
    """The day summary pushed to the organisers (see ``sync.protocol.DaySummary``)."""
    opened = report.opened_at.replace(tzinfo=dt.UTC)
    closed = report.closed_at.replace(tzinfo=dt.UTC) if report.closed_at else None
    sync_settings = settings.get(session, settings.SYNC, {}) or {}
    cash = report.cash
    return {
        "device_id": sync_settings.get("device_id") or settings.device_id(session),
        "cooperative_id": sync_settings.get("cooperative_id"),
        "business_day": report.date.isoformat(),
        "version": report.journal_seq,
        "status": report.status,
        "opened_at": opened.isoformat(),
        "closed_at": closed.isoformat() if closed else None,
        "utc_offset_minutes": report.utc_offset_minutes,
        "z_number": report.z_number,
        "currency": "MAD",
        "sales_count": report.sales_count,
        "refunds_count": report.refunds_count,
        "voids_count": report.voids_count,
        "gross": report.gross,
        "refunds": report.refunds,
        "voids": report.voids,
        "net": report.net,
        "discounts": report.discounts,
        "items": report.items,
        "taxes": [{"rate": t.rate, "base": t.base, "tax": t.tax} for t in report.taxes],
        "payments": [
            {"method": p.method, "amount": p.amount, "count": p.count} for p in report.payments
        ],
        "products": [
            {"product_id": p.sku, "name_ar": p.name_ar, "name_fr": p.name_fr,
             "category": p.category, "quantity": p.quantity, "amount": p.amount,
             "unit": p.unit}
            for p in report.products
        ],
        "hours": [{"hour": h.hour, "amount": h.amount, "tickets": h.tickets} for h in report.hours],
        "members": [
            {"member": m.member, "amount": m.amount, "quantity": m.quantity}
            for m in report.members
        ],
        "cash": {
            "opening_float": cash.opening_float, "cash_in": cash.cash_in,
            "cash_out": cash.cash_out, "expected": cash.expected, "counted": cash.counted,
            "difference": cash.difference,
        },
        "journal_head": {"seq": report.journal_seq, "hash": report.journal_hash},
        "grand_total": report.grand_total,
    }
