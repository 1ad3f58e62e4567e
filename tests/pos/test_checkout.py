from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pos import checkout, journal, settings, users
from pos.cart import Cart, Discount, PaymentSpec, cash, check_quantity, parse_line_quantity
from pos.db import Store
from pos.errors import InputError, RuleError, SoukError
from pos.models import JournalEntry, Product, Sale
from pos.printing import queue
from tests.helpers import ring


def stock(store: Store, sku: str) -> int:
    with store.read() as s:
        product = s.scalar(select(Product).where(Product.sku == sku))
        assert product is not None
        return product.stock


def test_cash_sale_gives_change_and_takes_stock(store: Store, open_day: int) -> None:
    before = stock(store, "ARG-250")
    sale = ring(store, [("ARG-250", 2000), ("SAF-1G", 1000)], tendered=30000)
    assert sale.total == 2 * 12000 + 3500
    assert [(p.method, p.amount, p.tendered, p.change) for p in sale.payments] == [
        ("cash", 27500, 30000, 2500)
    ]
    assert stock(store, "ARG-250") == before - 2000
    with store.read() as s:
        stored = s.get(Sale, sale.id)
        assert stored is not None and stored.number == 1 and len(stored.lines) == 2
        entry = s.get(JournalEntry, stored.journal_seq)
        assert entry is not None and entry.kind == "sale" and entry.amount == 27500


def test_weighed_goods_and_discounts(store: Store, open_day: int) -> None:
    # honey at 200 DH/kg, 750 g = 150 DH; 10 % line discount = 135 DH
    with store.write() as s:
        honey = s.scalar(select(Product).where(Product.sku == "HNY-KG"))
        soap = s.scalar(select(Product).where(Product.sku == "SAV-BLD"))
        assert honey and soap
        cart = Cart()
        cart.add(honey, 750).discount = Discount("percent", 1000)
        cart.add(soap, 3000)  # 3 x 30 DH
        cart.discount = Discount("amount", 2500)  # bargaining: 25 DH off the cart
        totals = cart.totals()
        assert (totals.subtotal, totals.line_discounts, totals.cart_discount) == (24000, 1500, 2500)
        assert totals.total == 20000
        sale = checkout.complete(s, cart, [cash(20000, 20000)], cashier=None)
    assert sum(line.total for line in sale.lines) == sale.total == 20000
    assert sum(line.cart_discount for line in sale.lines) == 2500


def test_pieces_are_sold_whole_and_weights_keep_their_decimals(
        store: Store, open_day: int) -> None:
    with store.read() as s:
        bottle = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        almonds = s.scalar(select(Product).where(Product.sku == "ALM-KG"))
        assert bottle and almonds
    cart = Cart()
    with pytest.raises(InputError) as added:
        cart.add(bottle, 1500)
    assert cart.is_empty
    cart.add(bottle)
    with pytest.raises(InputError) as typed:
        cart.set_quantity(0, 1500)  # F7 with 1,5 on a bottle
    assert cart.lines[0].quantity == 1000  # nothing changed half-way
    for caught in (added, typed):
        assert caught.value.key == "quantity.whole_pieces"
        assert caught.value.message("fr") == ("Vendu à la pièce : saisissez un nombre entier "
                                              "(ex. 2).")
        assert "2" in caught.value.message("ar") and "1,5" not in caught.value.message("ar")
    cart.set_quantity(0, 3000)
    cart.add(almonds, 1500)
    cart.set_quantity(1, 111)  # 111 g of almonds
    assert [ln.quantity for ln in cart.lines] == [3000, 111]


@pytest.mark.parametrize(("typed", "unit", "message"), [
    ("1,5", "piece", "Vendu à la pièce : saisissez un nombre entier (ex. 2)."),
    ("1,2345", "piece", "Vendu à la pièce : saisissez un nombre entier (ex. 2)."),
    ("deux", "piece", "« deux » n'est pas un nombre de pièces (ex. 2)."),
    ("deux", "kg", "« deux » n'est pas une quantité (par exemple 1,5)."),
])
def test_what_is_typed_for_a_line_is_answered_for_its_unit(typed: str, unit: str,
                                                           message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_quantity(parse_line_quantity(typed, unit), unit)
    assert caught.value.message("fr") == message
    assert check_quantity(parse_line_quantity("1,5", "kg"), "kg") is None
    assert parse_line_quantity("٢", "piece") == 2000


def test_tax_part_is_computed_per_rate(store: Store, open_day: int) -> None:
    with store.write() as s:
        a = s.scalar(select(Product).where(Product.sku == "ARG-250"))
        b = s.scalar(select(Product).where(Product.sku == "TAJ-M"))
        assert a and b
        a.tax_rate, b.tax_rate = 20, 10
    with store.read() as s:
        cart = Cart()
        cart.add(s.scalar(select(Product).where(Product.sku == "ARG-250")))  # type: ignore[arg-type]
        cart.add(s.scalar(select(Product).where(Product.sku == "TAJ-M")))  # type: ignore[arg-type]
        cart.add(s.scalar(select(Product).where(Product.sku == "THY-50")))  # type: ignore[arg-type]
        taxes = {t.rate: (t.base, t.tax) for t in cart.totals().taxes}
    assert taxes == {20: (10000, 2000), 10: (13636, 1364)}


def test_split_payment_card_and_cash(store: Store, open_day: int) -> None:
    sale = ring(
        store, [("RUG-S", 1000)],
        payments=[PaymentSpec("card", 50000, None, "TPE-778812"), cash(35000, 40000)],
    )
    assert [(p.method, p.amount, p.change) for p in sale.payments] == [
        ("card", 50000, None),
        ("cash", 35000, 5000),
    ]


@pytest.mark.parametrize(
    ("payments", "key"),
    [
        ([], "payment.missing"),
        ([cash(12000, 10000)], "payment.tendered_short"),
        ([PaymentSpec("card", 12000, None, "")], "payment.reference_needed"),
        ([cash(10000, 10000)], "payment.mismatch"),
        ([PaymentSpec("card", 6000, None, "X1"), PaymentSpec("card", 7000, None, "X2")],
         "payment.mismatch"),
    ],
)
def test_bad_payments_write_nothing(
    store: Store, open_day: int, payments: list[PaymentSpec], key: str
) -> None:
    before = stock(store, "ARG-250")
    with pytest.raises(SoukError) as caught:
        ring(store, [("ARG-250", 1000)], payments=payments)
    assert caught.value.key == key
    assert stock(store, "ARG-250") == before
    with store.read() as s:
        assert s.scalars(select(Sale)).first() is None
        assert journal.head(s).seq == 1  # only the day opening


def test_a_gift_is_a_sale_of_zero_without_payment(store: Store, open_day: int) -> None:
    before = stock(store, "THY-50")
    gift = Discount("percent", 100_00)
    sale = ring(store, [("THY-50", 1000)], payments=[], discount=gift)
    assert (sale.total, sale.cart_discount, sale.payments) == (0, 1500, [])
    assert stock(store, "THY-50") == before - 1000
    with pytest.raises(SoukError) as caught:  # nothing can be paid on it
        ring(store, [("THY-50", 1000)], payments=[cash(100)], discount=gift)
    assert caught.value.key == "payment.mismatch"
    with store.read() as s:
        assert list(s.scalars(select(Sale.total))) == [0]
        entry = s.get(JournalEntry, s.scalars(select(Sale.journal_seq)).one())
        assert entry is not None and entry.kind == "sale" and entry.amount == 0


def test_ticket_numbers_are_gapless_even_after_a_refused_sale(store: Store, open_day: int) -> None:
    ring(store, [("THY-50", 1000)])
    with pytest.raises(RuleError):
        ring(store, [("THY-50", 1000)], payments=[cash(1, 1)])
    ring(store, [("THY-50", 1000)])
    with store.read() as s:
        assert list(s.scalars(select(Sale.number).order_by(Sale.number))) == [1, 2]


def test_no_sale_when_the_day_is_closed(store: Store, products: dict[str, Product]) -> None:
    with store.write() as s:
        users.add_user(s, "M", "manager", "1234")
    with pytest.raises(RuleError) as caught:
        ring(store, [("THY-50", 1000)])
    assert caught.value.key == "day.not_open"


def test_price_override_needs_a_manager(store: Store, open_day: int) -> None:
    with store.write() as s:
        product = s.scalar(select(Product).where(Product.sku == "RUG-L"))
        assert product
        cart = Cart()
        cart.add(product)
        cart.lines[0].unit_price = 200000  # changed without the manager
        with pytest.raises(RuleError) as caught:
            checkout.complete(s, cart, [cash(200000)], cashier=None)
        assert caught.value.key == "sale.override_needs_manager"
        manager = users.require_manager(s, "1234")
        cart.override_price(0, 200000, manager.id)
        sale = checkout.complete(s, cart, [cash(200000)], cashier=None)
        assert sale.authorised_by == manager.id
        assert (sale.lines[0].list_price, sale.lines[0].unit_price) == (240000, 200000)


def _cart(store: Store, skus: list[str]) -> Cart:
    with store.read() as s:
        cart = Cart()
        for sku in skus:
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None
            cart.add(product)
        return cart


def test_the_till_rings_on_the_ledger_what_a_session_would_write(
    store: Store, open_day: int
) -> None:
    before = stock(store, "ARG-250")
    in_session = ring(store, [("ARG-250", 1000), ("SAF-1G", 2000)])
    cart = _cart(store, ["ARG-250", "SAF-1G", "SAF-1G"])
    with store.ledger() as db:
        on_ledger = checkout.complete(db, cart, [cash(cart.totals().total, 20000)], cashier=None)
        job = queue.enqueue(db, on_ledger.kind, on_ledger.id)
    assert on_ledger.number == in_session.number + 1
    assert stock(store, "ARG-250") == before - 2000
    with store.read() as s:
        stored = s.get(Sale, on_ledger.id)
        assert stored is not None and stored.total == in_session.total
        assert [ln.id for ln in stored.lines] == [ln.id for ln in on_ledger.lines]
        assert [ln.id for ln in stored.lines] == [in_session.lines[-1].id + 1,
                                                 in_session.lines[-1].id + 2]
        pending = queue.pending(s)
        assert [(j.id, j.kind, j.ref, j.duplicate) for j in pending] == [
            (job, "sale", on_ledger.id, False)]
        assert settings.device_id(s) == journal.records(s)[-1]["device"]
        conn = journal.driver_connection(s)
        assert journal.verify(conn).ok


def test_a_failed_block_on_the_ledger_leaves_nothing(store: Store, open_day: int) -> None:
    cart = _cart(store, ["ARG-250"])
    with store.read() as s:
        head = journal.head(s)
    before = stock(store, "ARG-250")
    with pytest.raises(OSError), store.ledger() as db:
        checkout.complete(db, cart, [cash(cart.totals().total, 20000)], cashier=None)
        queue.enqueue(db, "sale", "x")
        raise OSError("disk full")  # what the till cannot write stays unsold
    with pytest.raises(RuleError), store.ledger() as db:
        checkout.complete(db, cart, [cash(1, 1)], cashier=None)
    with store.read() as s:
        assert journal.head(s) == head
        assert s.scalar(select(func.count()).select_from(Sale)) == 0
        assert queue.pending(s) == []
    assert stock(store, "ARG-250") == before
    # and the connection it gave back to the pool is not left inside a transaction
    sale = ring(store, [("ARG-250", 1000)])
    assert sale.number == 1
