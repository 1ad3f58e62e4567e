"""Small helpers shared by tests: ring a sale the way the till does."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pos import checkout, users
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.models import Product, Sale

MANAGER_PIN = "1234"


def ring(
    store: Store,
    items: Sequence[tuple[str, int]],
    *,
    payments: Sequence[PaymentSpec] | None = None,
    tendered: int | None = None,
    discount: Discount | None = None,
) -> Sale:
    """Sell ``items`` ((sku, quantity in thousandths)...) and pay cash unless told."""
    with store.write() as s:
        cart = Cart(discount=discount)
        for sku, qty in items:
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None, sku
            cart.add(product, qty)
        total = cart.totals().total
        pays = list(payments) if payments is not None else [cash(total, tendered or total)]
        cashier = users.active_users(s)[0]
        return checkout.complete(s, cart, pays, cashier=cashier)
