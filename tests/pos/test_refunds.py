from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from pos import checkout, day, journal, receipts, refunds, users
from pos.cart import Cart, CartLine, Discount, cash
from pos.db import Store
from pos.errors import AuthError, InputError, Name, RuleError
from pos.models import Product, Sale
from pos.reports import day_report
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


def test_pieces_are_refunded_whole_and_weights_to_the_gram(store: Store, open_day: int) -> None:
    sale = ring(store, [("ARG-250", 2000), ("ALM-KG", 1500)])
    bottle, almonds = sale.lines
    with store.write() as s, pytest.raises(InputError) as caught:
        refunds.refund(s, sale.id, quantities={bottle.id: 500}, reason="x", manager=manager(s))
    assert caught.value.key == "refund.whole_pieces"
    assert caught.value.message("fr") == ("« Huile d'argan alimentaire 250 ml » se rembourse "
                                          "à la pièce : saisissez un nombre entier.")
    with store.read() as s:
        assert s.scalars(select(Sale).where(Sale.kind == "refund")).first() is None
    with store.write() as s:
        r = refunds.refund(s, sale.id, quantities={bottle.id: 1000, almonds.id: 111},
                           reason="x", manager=manager(s))
    assert [ln.quantity for ln in r.lines] == [-1000, -111]


def test_a_refund_names_the_product_in_the_messages_language(store: Store,
                                                             open_day: int) -> None:
    sale = ring(store, [("ARG-250", 1000)])
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities={sale.lines[0].id: 2000}, reason="x",
                       manager=manager(s))
    assert caught.value.message("ar") == "كمية «زيت أركان غذائي 250 مل» أكثر مما تبقى للإرجاع."
    assert caught.value.message("fr") == ("Plus de « Huile d'argan alimentaire 250 ml » qu'il "
                                          "n'en reste à rembourser.")
    assert "Huile d'argan alimentaire 250 ml" in caught.value.message("en")
    # a name in one script only is shown in every language
    assert Name("", "Savon").in_language("ar") == "Savon"
    assert Name("صابون", "").in_language("en") == "صابون"


def test_a_journal_with_fractions_of_pieces_still_loads_verifies_and_reports(
        store: Store, open_day: int) -> None:
    """Tills that sold 1,5 bottles before pieces were whole keep their journal."""
    with store.write() as s:
        bottle = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        assert bottle is not None
        cart = Cart(lines=[CartLine.of(bottle, 1500)])  # as the cart once allowed
        sale_id = checkout.complete(s, cart, [cash(18000)], cashier=None).id
    with store.read() as s:
        sale = s.get(Sale, sale_id)
        assert sale is not None
        line_id = sale.lines[0].id
        assert "1,5 × 120,00" in receipts.load_sale_receipt(s, sale_id, lang="fr").plain_text()
        current = day.current_day(s)
        assert current is not None and day_report(s, current).net == 18000
    with store.write() as s:  # a whole bottle back, then the half that is left
        refunds.refund(s, sale_id, quantities={line_id: 1000}, reason="x", manager=manager(s))
    with store.write() as s, pytest.raises(InputError):
        refunds.refund(s, sale_id, quantities={line_id: 200}, reason="x", manager=manager(s))
    with store.write() as s:
        last = refunds.refund(s, sale_id, quantities={line_id: 500}, reason="x",
                              manager=manager(s))
        assert last.total == -6000
    conn = sqlite3.connect(store.path)
    try:
        assert journal.verify(conn).ok
    finally:
        conn.close()
    with store.read() as s:
        current = day.current_day(s)
        assert current is not None and day_report(s, current).net == 0
