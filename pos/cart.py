"""The cart being rung up: lines, discounts, tax-inclusive totals. Pure, no storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from pos.errors import Amount, InputError, RuleError
from pos.models import Product
from pos.money import allocate, line_amount, parse_quantity, percent_of, tax_part

PaymentMethod = Literal["cash", "card", "mobile"]
METHODS: Final = ("cash", "card", "mobile")


def whole_pieces(quantity: int, unit: str) -> bool:
    """Whether ``quantity`` (thousandths) can be sold of a product sold by ``unit``: a
    product sold by the piece (a bottle, a rug) only in whole pieces; weights and volumes
    to the gram or millilitre."""
    return unit != "piece" or quantity % 1000 == 0


def check_quantity(quantity: int, unit: str) -> None:
    """Refuse a line quantity that is not more than zero, or a fraction of a piece."""
    if quantity <= 0:
        raise InputError("quantity.zero")
    if not whole_pieces(quantity, unit):
        raise InputError("quantity.whole_pieces")


def parse_line_quantity(text: str, unit: str, *, allow_zero: bool = False) -> int:
    """The quantity typed for a product sold by ``unit`` (thousandths). For pieces, a typo
    is answered with a whole number as the example, not "1,5"; whether a fraction of a
    piece may be taken is the caller's rule (see :func:`check_quantity`)."""
    try:
        return parse_quantity(text, allow_zero=allow_zero)
    except InputError as exc:
        if unit != "piece":
            raise
        if exc.key == "quantity.not_a_number":
            raise InputError("quantity.not_pieces", text=text.strip()) from None
        if exc.key == "quantity.too_precise":
            raise InputError("quantity.whole_pieces") from None
        raise


@dataclass(frozen=True)
class Discount:
    """A discount given while bargaining: an amount in centimes or a percentage in basis
    points (1250 = 12.5 %)."""

    kind: Literal["amount", "percent"]
    value: int

    def __post_init__(self) -> None:
        if self.value < 0 or (self.kind == "percent" and self.value > 100_00):
            raise InputError("discount.range")

    def on(self, base: int) -> int:
        """The discount on ``base`` centimes, never more than the base."""
        amount = self.value if self.kind == "amount" else percent_of(base, self.value)
        return max(0, min(base, amount))


@dataclass
class CartLine:
    product_id: int | None
    sku: str
    name_ar: str
    name_fr: str
    category: str
    member: str
    unit: str
    tax_rate: int
    list_price: int
    quantity: int  # thousandths of the unit
    unit_price: int
    discount: Discount | None = None
    override_by: int | None = None  # manager who allowed a price other than the list price

    @classmethod
    def of(cls, product: Product, quantity: int = 1000) -> CartLine:
        return cls(
            product_id=product.id, sku=product.sku, name_ar=product.name_ar,
            name_fr=product.name_fr, category=product.category, member=product.member,
            unit=product.unit, tax_rate=product.tax_rate, list_price=product.price,
            quantity=quantity, unit_price=product.price,
        )

    @property
    def gross(self) -> int:
        return line_amount(self.unit_price, self.quantity)

    @property
    def discount_amount(self) -> int:
        return self.discount.on(self.gross) if self.discount else 0

    @property
    def net(self) -> int:
        return self.gross - self.discount_amount


@dataclass(frozen=True)
class TaxLine:
    rate: int
    base: int  # tax-exclusive
    tax: int


@dataclass(frozen=True)
class Totals:
    subtotal: int  # sum of gross line amounts
    line_discounts: int
    cart_discount: int
    total: int
    shares: tuple[int, ...]  # cart discount share of each line
    taxes: tuple[TaxLine, ...]
    line_discount_amounts: tuple[int, ...]  # each line's own discount
    nets: tuple[int, ...]  # each line's amount after its own discount

    @property
    def discount(self) -> int:
        return self.line_discounts + self.cart_discount


def taxes_of(amounts_by_rate: dict[int, int]) -> tuple[TaxLine, ...]:
    """Tax contained in tax-inclusive amounts, per rate (rates with tax only)."""
    out = []
    for rate in sorted(amounts_by_rate):
        amount = amounts_by_rate[rate]
        if rate:
            tax = tax_part(amount, rate)
            out.append(TaxLine(rate=rate, base=amount - tax, tax=tax))
    return tuple(out)


@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)
    discount: Discount | None = None

    def add(self, product: Product, quantity: int = 1000) -> CartLine:
        """Add a product; a second tap on the same plain line adds to its quantity."""
        check_quantity(quantity, product.unit)
        for line in self.lines:
            if (line.product_id == product.id and line.unit_price == product.price
                    and line.discount is None and line.unit == "piece"):
                line.quantity += quantity
                return line
        line = CartLine.of(product, quantity)
        self.lines.append(line)
        return line

    def set_quantity(self, index: int, quantity: int) -> None:
        """A new quantity for line ``index``; zero or less removes the line."""
        if quantity <= 0:
            del self.lines[index]
            return
        line = self.lines[index]
        check_quantity(quantity, line.unit)
        line.quantity = quantity

    def override_price(self, index: int, unit_price: int, manager_id: int) -> None:
        if unit_price < 0:
            raise InputError("money.negative", text=str(unit_price))
        line = self.lines[index]
        line.unit_price = unit_price
        line.override_by = manager_id if unit_price != line.list_price else None

    def clear(self) -> None:
        self.lines.clear()
        self.discount = None

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def totals(self) -> Totals:
        grosses = [line.gross for line in self.lines]
        discounts = [line.discount.on(gross) if line.discount else 0
                     for line, gross in zip(self.lines, grosses, strict=True)]
        nets = [gross - discount for gross, discount in zip(grosses, discounts, strict=True)]
        after_lines = sum(nets)
        cart_discount = self.discount.on(after_lines) if self.discount else 0
        shares = allocate(cart_discount, nets)
        by_rate: dict[int, int] = {}
        for line, net, share in zip(self.lines, nets, shares, strict=True):
            by_rate[line.tax_rate] = by_rate.get(line.tax_rate, 0) + net - share
        return Totals(
            subtotal=sum(grosses),
            line_discounts=sum(discounts),
            cart_discount=cart_discount,
            total=after_lines - cart_discount,
            shares=tuple(shares),
            taxes=taxes_of(by_rate),
            line_discount_amounts=tuple(discounts),
            nets=tuple(nets),
        )


@dataclass(frozen=True)
class PaymentSpec:
    """One payment: for cash, ``amount`` is what the till keeps and ``tendered`` what the
    customer handed over (the change is the difference)."""

    method: PaymentMethod
    amount: int
    tendered: int | None = None
    reference: str = ""

    @property
    def change(self) -> int | None:
        return None if self.tendered is None else self.tendered - self.amount


def cash(amount: int, tendered: int | None = None) -> PaymentSpec:
    return PaymentSpec("cash", amount, amount if tendered is None else tendered)


def check_payments(total: int, payments: list[PaymentSpec]) -> None:
    """Payments must cover the total exactly; only cash gives change."""
    if total > 0 and not payments:
        raise RuleError("payment.missing")
    for p in payments:
        if p.method not in METHODS:
            raise InputError("payment.method", method=p.method)
        if p.amount <= 0:
            raise InputError("payment.amount")
        if p.method == "cash":
            if p.tendered is None or p.tendered < p.amount:
                raise RuleError("payment.tendered_short")
        elif not p.reference.strip():
            raise InputError("payment.reference_needed")
    paid = sum(p.amount for p in payments)
    if paid != total:
        raise RuleError("payment.mismatch", paid=Amount(paid), total=Amount(total))
