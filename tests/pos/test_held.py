"""Carts kept in the stall's database (pos.held): the cart in progress and the parked carts
survive closing and opening the file again, are never sales, and a sale recorded drops the
cart in progress in its own transaction."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from pos import checkout, held, journal
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.errors import RuleError
from pos.models import Product, User

CARD = PaymentSpec("card", 12000, None, "CB-4471")
MOBILE = PaymentSpec("mobile", 3000, None, "TX 88")


def product(store: Store, sku: str) -> Product:
    with store.read() as s:
        found = s.scalar(select(Product).where(Product.sku == sku))
        assert found is not None
        s.expunge(found)
        return found


def bargained_cart(store: Store) -> Cart:
    """Two bottles of argan oil at a bargained 10 %, a weighed honey and 5 DH off the cart."""
    cart = Cart()
    oil = cart.add(product(store, "ARG-250"), 2000)
    oil.discount = Discount("percent", 1000)
    cart.add(product(store, "HNY-KG"), 750)
    cart.discount = Discount("amount", 500)
    return cart


def reopened(store: Store) -> Store:
    path = store.path
    store.close()
    return Store.open(path)


def counts(path: object) -> tuple[int, int, int]:
    """(sales, journal records, kept carts) in the file, read with plain sqlite3."""
    conn = sqlite3.connect(str(path))
    try:
        return tuple(conn.execute(  # type: ignore[return-value]
            "SELECT (SELECT COUNT(*) FROM sale), (SELECT COUNT(*) FROM journal), "
            "(SELECT COUNT(*) FROM held_cart)").fetchone())
    finally:
        conn.close()


def test_a_cart_and_its_parts_come_back_whole(store: Store, products: dict[str, Product]) -> None:
    cart = bargained_cart(store)
    cart.override_price(1, 15000, manager_id=1)
    text = held.dumps(cart, [CARD, cash(2000, 5000)])
    again, parts = held.loads(text)
    assert again == cart
    assert again.totals() == cart.totals()
    assert parts == [CARD, cash(2000, 5000)]


def test_the_cart_in_progress_survives_closing_the_file(
        store: Store, staff: tuple[User, User], products: dict[str, Product]) -> None:
    cart = bargained_cart(store)
    with store.ledger() as db:
        held.keep_current(db, cart, [CARD], cashier_name="Youssef")
    before = counts(store.path)
    store = reopened(store)
    try:
        with store.read() as s:
            kept = held.current(s)
            assert held.parked(s) == []
        assert kept is not None
        assert kept.cart == cart and kept.payments == [CARD]
        assert kept.cashier_name == "Youssef"
        assert kept.total == cart.totals().total and kept.taken == 12000
        assert kept.items == 3  # two bottles and one weighed line
        assert before[:2] == (0, 0)  # no sale, nothing journaled
    finally:
        store.close()


def test_keeping_again_replaces_and_an_empty_cart_is_none(
        store: Store, products: dict[str, Product]) -> None:
    cart = bargained_cart(store)
    with store.ledger() as db:
        held.keep_current(db, cart)
        cart.add(product(store, "SAF-1G"))
        held.keep_current(db, cart, [MOBILE])
    with store.read() as s:
        kept = held.current(s)
        assert kept is not None and len(kept.cart.lines) == 3 and kept.payments == [MOBILE]
    with store.ledger() as db:
        held.keep_current(db, Cart())
    with store.read() as s:
        assert held.current(s) is None
    assert counts(store.path)[2] == 0


def test_a_sale_drops_the_cart_in_progress_in_its_own_transaction(
        store: Store, open_day: int, staff: tuple[User, User]) -> None:
    cart = bargained_cart(store)
    total = cart.totals().total
    with store.ledger() as db:
        held.keep_current(db, cart, [CARD])
    with pytest.raises(RuleError), store.ledger() as db:  # a sale that fails keeps it
        held.drop_current(db)
        checkout.complete(db, cart, [CARD], cashier=staff[1])  # does not cover the total
    with store.read() as s:
        assert held.current(s) is not None
    with store.ledger() as db:
        checkout.complete(db, cart, [CARD, cash(total - CARD.amount)], cashier=staff[1])
        held.drop_current(db)
    assert counts(store.path) == (1, 2, 0)
    conn = sqlite3.connect(store.path)
    try:
        assert journal.verify(conn).ok
    finally:
        conn.close()


def test_parked_carts_are_listed_oldest_first_and_count_in_no_figure(
        store: Store, open_day: int, products: dict[str, Product]) -> None:
    first = bargained_cart(store)
    second = Cart()
    second.add(product(store, "RUG-S"))
    with store.ledger() as db:
        held.keep_current(db, first)
        one = held.park(db, first, [CARD], cashier_name="Aicha")
        two = held.park(db, second)
    store = reopened(store)
    try:
        with store.read() as s:
            carts = held.parked(s)
            assert held.count_parked(s) == 2
            assert held.current(s) is None  # parking took it out of progress
        assert [c.id for c in carts] == [one, two]
        assert carts[0].cart == first and carts[0].payments == [CARD]
        assert carts[0].saved_at <= carts[1].saved_at
        assert counts(store.path)[:2] == (0, 1)
        from pos.reports import day_report

        with store.read() as s:
            from pos import day

            current = day.current_day(s)
            assert current is not None
            report = day_report(s, current)
        assert report.sales_count == 0 and report.gross == 0
    finally:
        store.close()


def test_an_empty_cart_cannot_be_parked(store: Store) -> None:
    with pytest.raises(RuleError) as caught, store.ledger() as db:
        held.park(db, Cart())
    assert caught.value.key == "held.empty"
    assert "rien à mettre de côté" in caught.value.message("fr")


def test_recall_parks_the_cart_on_the_screen_in_its_place(
        store: Store, products: dict[str, Product]) -> None:
    waiting = bargained_cart(store)
    on_screen = Cart()
    on_screen.add(product(store, "SAF-1G"), 3000)
    with store.ledger() as db:
        parked_id = held.park(db, waiting, [CARD])
        held.keep_current(db, on_screen, [MOBILE])
        recalled = held.recall(db, parked_id, current_cart=on_screen,
                               current_payments=[MOBILE])
    assert recalled.cart.cart == waiting and recalled.cart.payments == [CARD]
    assert recalled.parked_instead is not None
    with store.read() as s:
        kept = held.current(s)
        carts = held.parked(s)
    assert kept is not None and kept.cart == waiting and kept.payments == [CARD]
    assert [(c.id, c.cart, c.payments) for c in carts] == [
        (recalled.parked_instead, on_screen, [MOBILE])]
    with pytest.raises(RuleError) as caught, store.ledger() as db:  # brought back twice
        held.recall(db, parked_id)
    assert caught.value.key == "held.gone"


def test_recall_with_an_empty_screen_parks_nothing(
        store: Store, products: dict[str, Product]) -> None:
    with store.ledger() as db:
        parked_id = held.park(db, bargained_cart(store))
        recalled = held.recall(db, parked_id, current_cart=Cart())
    assert recalled.parked_instead is None
    with store.read() as s:
        assert held.count_parked(s) == 0 and held.current(s) is not None


def test_a_parked_cart_removed_is_gone(store: Store, products: dict[str, Product]) -> None:
    with store.ledger() as db:
        parked_id = held.park(db, bargained_cart(store))
        held.remove(db, parked_id)
    with pytest.raises(RuleError), store.ledger() as db:
        held.remove(db, parked_id)
    assert counts(store.path)[2] == 0


def test_one_cart_in_progress_at_most(store: Store, products: dict[str, Product]) -> None:
    with store.ledger() as db:
        held.keep_current(db, bargained_cart(store))
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO held_cart (state, saved_at, data) "
                         "VALUES ('current', '2026-11-30 10:00:00.000000', '{}')")
    finally:
        conn.close()


def test_prices_changed_since_parking_are_found(
        store: Store, products: dict[str, Product]) -> None:
    cart = bargained_cart(store)
    oil = product(store, "ARG-250")
    honey = product(store, "HNY-KG")
    changes = held.price_changes(cart, [(oil.id, oil.price + 1000), (honey.id, honey.price)])
    assert [(c.name_fr, c.kept, c.now) for c in changes] == [
        (oil.name_fr, oil.price, oil.price + 1000)]
    assert cart.lines[0].unit_price == oil.price  # the cart keeps the price it had


def rows(path: object) -> list[tuple[int, str, str]]:
    """(id, state, text) of every kept cart in the file, read with plain sqlite3."""
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT id, state, data FROM held_cart ORDER BY id").fetchall()
    finally:
        conn.close()


#: a cart kept by a newer version (a format this one does not know), and damaged texts
NEWER = '{"format":2,"lines":[],"basket":{"kind":"gift"}}'
DAMAGED = ('{"format":1,"lines":[{"sku":',
           '{"format":1,"lines":[{"product_id":1,"sku":"X","name_ar":"x","name_fr":"x",'
           '"category":"","member":"","unit":"piece","tax_rate":0,"list_price":"12,00",'
           '"quantity":1000,"unit_price":1200,"override_by":null}],"discount":null}',
           '{"format":1,"lines":[],"discount":null,"payments":[{"method":"voucher",'
           '"amount":500}]}')


@pytest.mark.parametrize("text", (NEWER, *DAMAGED))
def test_a_cart_this_version_cannot_read_is_set_aside_never_lost(
        store: Store, products: dict[str, Product], text: str) -> None:
    with pytest.raises(held.Unreadable):
        held.loads(text)
    good = bargained_cart(store)
    with store.ledger() as db:
        held.keep_text(db, text)
        parked_id = held.park(db, good)  # the cart in progress unread: set aside, not lost
        held.keep_text(db, text)
    with store.read() as s:
        assert held.current(s) is None  # passed over, never an error
        assert [kept.id for kept in held.parked(s)] == [parked_id]
        unread = held.unreadable(s)
    first, kept_good, last = rows(store.path)
    assert first[1:] == (held.ASIDE, text)
    assert kept_good[1:] == (held.PARKED, held.dumps(good))
    assert last[1:] == (held.CURRENT, text)
    assert unread == [(last[0], held.CURRENT)]
    with store.ledger() as db:
        held.set_aside(db, [row for row, _state in unread])
        held.keep_current(db, good)  # the next cart: nothing set aside is replaced
    assert [(state, data) for _, state, data in rows(store.path)] == [
        (held.ASIDE, text), (held.PARKED, held.dumps(good)), (held.ASIDE, text),
        (held.CURRENT, held.dumps(good))]
    with store.read() as s:
        assert held.unreadable(s) == [] and held.count_parked(s) == 1
        current = held.current(s)
    assert current is not None and current.cart == good
