"""Plain records of a sale, refund or void as it is written to the journal and tables.

The till builds these (cheap, uninstrumented objects) and :func:`pos.checkout.record_sale`
stores them; reading back goes through the ORM models of :mod:`pos.models`, whose
attribute names these share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class LineRecord:
    position: int
    product_id: int | None
    sku: str
    name_ar: str
    name_fr: str
    category: str
    member: str
    unit: str
    unit_price: int
    list_price: int
    quantity: int  # signed thousandths
    discount: int
    cart_discount: int
    total: int  # signed, after discounts
    tax_rate: int
    reverses_line: int | None = None
    id: int | None = None  # set once stored
    sale_id: str = ""

    def journal_row(self) -> list[Any]:
        return [self.sku, self.name_ar, self.name_fr, self.unit, self.list_price,
                self.unit_price, self.quantity, self.discount, self.cart_discount, self.total,
                self.tax_rate, self.member, self.category]


@dataclass(slots=True)
class PaymentRecord:
    position: int
    method: str
    amount: int  # signed: what the till keeps
    tendered: int | None = None
    change: int | None = None
    reference: str = ""


@dataclass(slots=True)
class SaleRecord:
    id: str
    kind: str  # sale | refund | void
    created_at: dt.datetime  # naive UTC
    utc_offset_minutes: int
    local_hour: int
    cashier_id: int | None
    cashier_name: str
    authorised_by: int | None
    subtotal: int
    discount: int
    cart_discount: int
    total: int
    reverses: str | None = None
    reason: str = ""
    lines: list[LineRecord] = field(default_factory=list)
    payments: list[PaymentRecord] = field(default_factory=list)
    number: int = 0  # set once stored
    day_id: int = 0
    journal_seq: int = 0

    def journal_data(self) -> dict[str, Any]:
        """What the journal keeps: everything a receipt shows."""
        return {
            "id": self.id, "kind": self.kind, "number": self.number,
            "offset": self.utc_offset_minutes, "cashier": self.cashier_name,
            "cashier_id": self.cashier_id, "authorised_by": self.authorised_by,
            "subtotal": self.subtotal, "discount": self.discount,
            "cart_discount": self.cart_discount, "total": self.total,
            "reverses": self.reverses, "reason": self.reason,
            "lines": [ln.journal_row() for ln in self.lines],
            "payments": [[p.method, p.amount, p.tendered, p.change, p.reference]
                         for p in self.payments],
        }
