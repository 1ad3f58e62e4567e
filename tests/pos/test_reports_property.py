"""For any sequence of sales, refunds, voids and cash movements, the Z report's totals
equal the sums over the journal's own records."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos import checkout, day, demo, refunds, users
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.errors import SoukError
from pos.models import JournalEntry, Product, User
from pos.reports import day_report

SKUS = ["ARG-250", "HNY-KG", "SAF-1G", "CUM-KG", "RUG-S", "THY-50", "TAJ-M"]

sale_op = st.tuples(
    st.just("sale"),
    st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3500)), min_size=1, max_size=4),
    st.sampled_from(["cash", "card", "mobile", "split"]),
    st.one_of(st.none(), st.integers(0, 5000), st.integers(1, 2000)),
)
refund_op = st.tuples(st.just("refund"), st.integers(0, 50), st.booleans(),
                      st.sampled_from(["cash", "card", "mobile"]))
void_op = st.tuples(st.just("void"), st.integers(0, 50))
cash_op = st.tuples(st.just("cash"), st.sampled_from(["in", "out"]), st.integers(1, 50000))
ops = st.lists(st.one_of(sale_op, sale_op, sale_op, refund_op, void_op, cash_op), max_size=25)


def _apply(store: Store, op: tuple, rung: list[str]) -> None:  # type: ignore[type-arg]
    with store.write() as s:
        # the manager, as signed in (checking a PIN takes about 60 ms, on purpose)
        manager = s.scalars(select(User).where(User.role == users.MANAGER)).one()
        if op[0] == "sale":
            _, items, method, discount = op
            cart = Cart()
            for sku, qty in items:
                p = s.scalar(select(Product).where(Product.sku == sku))
                assert p is not None
                cart.add(p, qty if p.unit != "piece" else 1000 * (1 + qty % 3))
            if discount is not None:
                kind = "percent" if discount > 2000 else "amount"
                cart.discount = Discount(kind, discount % 10000)
            total = cart.totals().total
            if total <= 0:
                return
            pays = {
                "cash": [cash(total, total + 700)],
                "card": [PaymentSpec("card", total, None, "C")],
                "mobile": [PaymentSpec("mobile", total, None, "M")],
                "split": [PaymentSpec("card", total // 2, None, "C"), cash(total - total // 2)]
                if total > 1 else [cash(total)],
            }[method]
            rung.append(checkout.complete(s, cart, pays, cashier=manager).id)
        elif op[0] == "refund" and rung:
            sale = checkout.get_sale(s, rung[op[1] % len(rung)])
            left = {k: v for k, v in refunds.refundable(s, sale).items() if v > 0}
            if left:
                line_id = min(left)
                unit = next(ln.unit for ln in sale.lines if ln.id == line_id)
                step = 1000 if unit == "piece" else 1  # pieces come back whole
                half = left[line_id] // 2 // step * step
                qty = left[line_id] if op[2] else max(step, half)
                # by the method drawn as far as it paid the sale, the rest in cash
                parts = refunds.parts_for(refunds.method_room(s, sale),
                                          refunds.amount_of(s, sale, {line_id: qty}), op[3], "R")
                refunds.refund(s, sale.id, quantities={line_id: qty}, reason="r",
                               manager=manager, parts=parts)
        elif op[0] == "void" and rung:
            try:
                refunds.void(s, rung[op[1] % len(rung)], reason="v", manager=manager)
            except SoukError:
                return
        elif op[0] == "cash":
            day.cash_movement(s, op[1], op[2], "raison", user=manager)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_z_report_equals_the_sum_over_the_journal(operations: list[tuple]) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "souk.sqlite3")
        with store.write() as s:
            demo.load_catalogue(s)
            users.add_user(s, "M", "manager", "1234")
            day.open_day(s, 30000, user=None)
        rung: list[str] = []
        for op in operations:
            with contextlib.suppress(SoukError):
                _apply(store, op, rung)
        with store.write() as s:
            closed = day.close_day(s, {10000: 3}, manager=users.authenticate(s, "1234"))
            z = day_report(s, closed)
            records = [json.loads(r) for r in s.scalars(
                select(JournalEntry.record).where(JournalEntry.day_id == closed.id))]
        store.close()

    sales = [r for r in records if r["kind"] in ("sale", "refund", "void")]
    kinds = Counter(r["kind"] for r in sales)
    assert (z.sales_count, z.refunds_count, z.voids_count) == (
        kinds["sale"], kinds["refund"], kinds["void"])
    assert z.net == sum(r["amount"] for r in records)
    assert z.gross == sum(r["amount"] for r in sales if r["kind"] == "sale")
    assert z.refunds == -sum(r["amount"] for r in sales if r["kind"] == "refund")
    assert z.voids == -sum(r["amount"] for r in sales if r["kind"] == "void")
    by_method: Counter[str] = Counter()
    for r in sales:
        for method, amount, *_ in r["data"]["payments"]:
            by_method[method] += amount
    assert {p.method: p.amount for p in z.payments} == {m: a for m, a in by_method.items()}
    # per sale, with its refunds and void: no card or transfer gave back more than it paid,
    # and a sale given back whole, in one go or in parts, gave back its discounts exactly
    kept: Counter[tuple[str, str]] = Counter()
    quantities: Counter[tuple[str, str]] = Counter()
    discounts: Counter[str] = Counter()
    for r in sales:
        sale = r["data"]["reverses"] or r["data"]["id"]
        for method, amount, *_ in r["data"]["payments"]:
            kept[sale, method] += amount
        for line in r["data"]["lines"]:
            quantities[sale, line[0]] += line[6]
        discounts[sale] += r["data"]["discount"]
    assert [key for key, amount in kept.items() if key[1] != "cash" and amount < 0] == []
    whole = {sale for sale in discounts
             if all(qty == 0 for (of, _), qty in quantities.items() if of == sale)}
    assert [sale for sale in whole if discounts[sale]] == []
    assert z.discounts == sum(discounts.values())
    lines: Counter[str] = Counter()
    for r in sales:
        for line in r["data"]["lines"]:
            lines[line[0]] += line[9]
    assert {p.sku: p.amount for p in z.products} == dict(lines)
    moves = Counter()  # type: Counter[str]
    for r in records:
        if r["kind"] in ("cash_in", "cash_out"):
            moves[r["kind"]] += r["data"]["amount"]
    assert z.cash.expected == 30000 + by_method["cash"] + moves["cash_in"] - moves["cash_out"]
    assert z.grand_total == records[-1]["grand_total"]
