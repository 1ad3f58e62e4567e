from __future__ import annotations

import pytest
from sqlalchemy import select

from pos import refunds, users
from pos.cart import Discount
from pos.db import Store
from pos.errors import AuthError, InputError, RuleError
from pos.models import Product, Sale
from tests.helpers import ring


def manager(s, pin: str = "1234"):  # type: ignore[no-untyped-def]
    return users.require_manager(s, pin)


def stock(store: Store, sku: str) -> int:
    with store.read() as s:
        p = s.scalar(select(Product).where(Product.sku == sku))
        assert p is not None
        return p.stock


def test_partial_refunds_add_up_exactly_to_the_line(store: Store, open_day: int) -> None:
    # 3 soaps at 30 DH with 10 % off the cart: 81 DH, not divisible by 3 at every step
    sale = ring(store, [("SAV-BLD", 3000), ("THY-50", 1000)], discount=Discount("percent", 1000))
    soap = sale.lines[0]
    given = []
    for _ in range(3):
        with store.write() as s:
            r = refunds.refund(s, sale.id, quantities={soap.id: 1000}, reason="cassé",
                               manager=manager(s))
            given.append(-r.total)
            assert r.reverses == sale.id and r.kind == "refund"
            assert r.payments[0].method == "cash" and r.payments[0].amount == r.total
    assert sum(given) == soap.total
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities={soap.id: 1000}, reason="x", manager=manager(s))
    assert caught.value.key == "refund.too_much"


def test_whole_refund_returns_stock_and_keeps_the_original(store: Store, open_day: int) -> None:
    before = stock(store, "AML-250")
    sale = ring(store, [("AML-250", 2000)])
    with store.write() as s:
        r = refunds.refund(s, sale.id, quantities=None, reason="client", manager=manager(s))
    assert r.total == -sale.total
    assert stock(store, "AML-250") == before
    with store.read() as s:
        original = s.get(Sale, sale.id)
        assert original is not None and original.total == sale.total  # never edited
        assert refunds.refundable(s, original) == {original.lines[0].id: 0}


def test_refund_needs_a_reason_and_a_manager(store: Store, open_day: int, staff) -> None:  # type: ignore[no-untyped-def]
    sale = ring(store, [("THY-50", 1000)])
    with store.write() as s, pytest.raises(InputError):
        refunds.refund(s, sale.id, quantities=None, reason=" ", manager=manager(s))
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities=None, reason="x", manager=staff[1])
    assert caught.value.key == "pin.not_manager"
    with store.write() as s, pytest.raises(AuthError) as wrong:
        manager(s, "0000")
    assert wrong.value.message("fr") == "Code PIN incorrect."
    with store.write() as s, pytest.raises(AuthError) as cashier:
        manager(s, "5678")
    assert "Youssef" in cashier.value.message("fr")
    with store.read() as s:
        assert s.scalars(select(Sale).where(Sale.kind == "refund")).first() is None


def test_void_cancels_the_whole_sale_once(store: Store, open_day: int) -> None:
    before = stock(store, "TAJ-M")
    sale = ring(store, [("TAJ-M", 1000), ("BWL-SAF", 2000)], discount=Discount("amount", 1000))
    with store.write() as s:
        v = refunds.void(s, sale.id, reason="erreur", manager=manager(s))
    assert v.kind == "void" and v.total == -sale.total
    assert sorted(p.amount for p in v.payments) == sorted(-p.amount for p in sale.payments)
    assert stock(store, "TAJ-M") == before
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.void(s, sale.id, reason="erreur", manager=manager(s))
    assert caught.value.key == "void.already_reversed"
    with store.write() as s, pytest.raises(RuleError):
        refunds.refund(s, v.id, quantities=None, reason="x", manager=manager(s))


def test_a_refunded_sale_cannot_be_voided(store: Store, open_day: int) -> None:
    sale = ring(store, [("THY-50", 2000)])
    with store.write() as s:
        refunds.refund(s, sale.id, quantities={sale.lines[0].id: 1000}, reason="x",
                       manager=manager(s))
    with store.write() as s, pytest.raises(RuleError):
        refunds.void(s, sale.id, reason="x", manager=manager(s))
