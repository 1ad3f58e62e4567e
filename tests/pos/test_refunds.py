from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from pos import checkout, day, journal, receipts, refunds, users
from pos.cart import Cart, CartLine, Discount, PaymentSpec, cash
from pos.db import Store
from pos.errors import AuthError, InputError, Name, RuleError
from pos.models import Product, Sale
from pos.money import format_money
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


def split_sale(store: Store) -> Sale:
    """Two tajines, 300 DH: 100 DH by card, 200 DH in cash."""
    return ring(store, [("TAJ-M", 2000)],
                payments=[PaymentSpec("card", 10000, None, "CB-4411"), cash(20000)])


def test_a_card_takes_back_no_more_than_it_paid(store: Store, open_day: int) -> None:
    sale = split_sale(store)
    with store.read() as s:
        original = checkout.get_sale(s, sale.id)
        room = refunds.method_room(s, original)
        assert room == {"card": 10000, "mobile": 0, "cash": 30000}
        assert refunds.amount_of(s, original, None) == 30000
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                       method="card", reference="CB-9")
    assert caught.value.key == "refund.too_much_card"
    assert caught.value.message("fr") == ("On ne peut plus rendre que 100,00\u00a0DH de cette "
                                          "vente sur la carte\u00a0: rendez le reste en espèces.")
    assert caught.value.message("en") == ("Only MAD\u00a0100.00 of this sale can still go back "
                                          "to the card: give the rest in cash.")
    assert caught.value.message("ar") == (f"لا يمكن إرجاع أكثر من {format_money(10000, 'ar')} "
                                          "من هذا البيع إلى البطاقة: أرجِع الباقي نقدًا.")
    with store.read() as s:
        assert s.scalars(select(Sale).where(Sale.kind == "refund")).first() is None
    # the whole sale back: the card what it paid, the rest in cash
    parts = refunds.parts_for(room, 30000, "card", " CB-9 ")
    assert parts == [refunds.RefundPart("card", 10000, "CB-9"), refunds.RefundPart("cash", 20000)]
    with store.write() as s:
        back = refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                              parts=parts)
    with store.read() as s:
        stored = s.get(Sale, back.id)
        assert stored is not None and stored.total == -30000
        assert [(p.method, p.amount, p.change, p.reference) for p in stored.payments] == [
            ("card", -10000, None, "CB-9"), ("cash", -20000, 20000, "")]
        current = day.current_day(s)
        assert current is not None
        report = day_report(s, current)
        assert [(p.method, p.amount, p.sales, p.refunds) for p in report.payments] == [
            ("card", 0, 1, 1), ("cash", 0, 1, 1)]
        assert report.net == 0 and report.refunds == 30000
        assert refunds.method_room(s, checkout.get_sale(s, sale.id)) == {
            "card": 0, "mobile": 0, "cash": 0}
        text = receipts.load_sale_receipt(s, back.id, lang="fr").plain_text()
    assert "CB-9" in text


def test_earlier_refunds_to_the_card_count(store: Store, open_day: int) -> None:
    """A first tajine back: 100 DH to the card, 50 DH in cash; the card can take nothing
    of the second, which goes back in cash."""
    sale = split_sale(store)
    line = sale.lines[0].id
    with store.write() as s:
        original = checkout.get_sale(s, sale.id)
        room = refunds.method_room(s, original)
        first = refunds.parts_for(room, refunds.amount_of(s, original, {line: 1000}), "card",
                                  "CB-1")
        assert first == [refunds.RefundPart("card", 10000, "CB-1"),
                         refunds.RefundPart("cash", 5000)]
        refunds.refund(s, sale.id, quantities={line: 1000}, reason="x", manager=manager(s),
                       parts=first)
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities={line: 1000}, reason="x", manager=manager(s),
                       parts=[refunds.RefundPart("card", 100, "CB-2"),
                              refunds.RefundPart("cash", 14900)])
    assert caught.value.key == "refund.too_much_card"
    assert "0,00\u00a0DH" in caught.value.message("fr")
    with store.write() as s:
        room = refunds.method_room(s, checkout.get_sale(s, sale.id))
        assert room == {"card": 0, "mobile": 0, "cash": 15000}
        second = refunds.parts_for(room, 15000, "card", "CB-2")
        assert second == [refunds.RefundPart("cash", 15000)]
        refunds.refund(s, sale.id, quantities={line: 1000}, reason="x", manager=manager(s),
                       parts=second)
        current = day.current_day(s)
        assert current is not None
        assert {p.method: p.amount for p in day_report(s, current).payments} == {
            "card": 0, "cash": 0}


def test_a_transfer_takes_back_no_more_than_it_paid(store: Store, open_day: int) -> None:
    sale = ring(store, [("SAV-BLD", 2000)],
                payments=[PaymentSpec("mobile", 1000, None, "M-7"), cash(5000)])
    with store.write() as s, pytest.raises(RuleError) as caught:
        refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                       method="mobile", reference="M-8")
    assert caught.value.key == "refund.too_much_mobile"
    assert caught.value.message("en") == ("Only MAD\u00a010.00 of this sale can still go back "
                                          "by mobile transfer: give the rest in cash.")
    assert caught.value.message("fr") == ("On ne peut plus rendre que 10,00\u00a0DH de cette "
                                          "vente par virement mobile\u00a0: rendez le reste en "
                                          "espèces.")
    assert "10,00" in caught.value.message("ar")
    with store.write() as s:  # nor to a card that paid nothing
        with pytest.raises(RuleError) as card:
            refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                           method="card", reference="CB-1")
        assert card.value.key == "refund.too_much_card"


def test_a_refunds_parts_are_checked(store: Store, open_day: int) -> None:
    sale = ring(store, [("SAV-BLD", 2000)], payments=[PaymentSpec("card", 6000, None, "CB-1")])
    cases = [
        ([refunds.RefundPart("card", 6000)], InputError, "payment.reference_needed"),
        ([refunds.RefundPart("card", 5000, "R")], RuleError, "payment.mismatch"),
        ([refunds.RefundPart("cheque", 6000)], InputError, "payment.method"),
        ([refunds.RefundPart("card", 7000, "R"), refunds.RefundPart("cash", -1000)],
         InputError, "payment.amount"),
        ([], RuleError, "payment.mismatch"),
    ]
    for parts, error, key in cases:
        with store.write() as s, pytest.raises(error) as caught:
            refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                           parts=parts)
        assert caught.value.key == key, parts
    with store.write() as s:  # all of it to the card that paid it all
        back = refunds.refund(s, sale.id, quantities=None, reason="x", manager=manager(s),
                              method="card", reference="R-1")
    assert [(p.method, p.amount, p.reference) for p in back.payments] == [("card", -6000, "R-1")]


def test_a_line_given_back_in_parts_gives_back_its_discount_exactly(
        store: Store, open_day: int) -> None:
    """3 soaps at 30 DH with 10 DH off the line (not a whole centime a soap), given back
    one by one: the refunds' discounts 3,33, 3,33 and 3,34 on their receipts, each
    receipt's subtotal less its discount its total, and the day's discounts back to 0."""
    with store.write() as s:
        soap = s.scalar(select(Product).where(Product.sku == "SAV-BLD"))
        assert soap is not None
        cart = Cart()
        cart.add(soap, 3000).discount = Discount("amount", 1000)
        sale = checkout.complete(s, cart, [cash(8000)], cashier=None)
    line = sale.lines[0].id
    shown = []
    for _ in range(3):
        with store.write() as s:
            back = refunds.refund(s, sale.id, quantities={line: 1000}, reason="x",
                                  manager=manager(s))
        with store.read() as s:
            stored = s.get(Sale, back.id)
            assert stored is not None
            assert stored.subtotal - stored.discount == stored.total
            text = receipts.load_sale_receipt(s, back.id, lang="fr").plain_text()
        shown.append((stored.total, stored.discount, stored.lines[0].discount,
                       [row for row in text.splitlines() if row.startswith("Remise")]))
    assert [(total, discount, line_discount) for total, discount, line_discount, _ in shown] == [
        (-2667, -333, -333), (-2667, -333, -333), (-2666, -334, -334)]
    assert [rows for *_, rows in shown] == [
        [f"Remise\t{amount}", f"Remises articles\t{amount}"]
        for amount in ("3,33", "3,33", "3,34")]
    with store.write() as s:
        current = day.current_day(s)
        assert current is not None
        report = day_report(s, current)
        assert (report.discounts, report.net, report.refunds) == (0, 0, 8000)
        closed = day.close_day(s, day.count_for(day.day_report_expected(s)),
                               manager=manager(s))
        z = receipts.load_day_report(s, closed.id, "z", "fr").plain_text()
    assert [row.split()[-1] for row in z.splitlines() if row.startswith("Remises")] == ["0,00"]
