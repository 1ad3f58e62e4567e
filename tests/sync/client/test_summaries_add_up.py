"""Every summary the stall builds passes the server's checks: for any days rung with the real
till (line and cart discounts, price overrides, weighed goods, gifts of zero, cash with
change, split payments, refunds in part and in full by any method, a card or a transfer
taking back what it paid and cash the rest, voids, cash in and out,
days closed, reopened on the same date and on the next), the day's breakdowns add up as
the server requires (``sync.server.ingest.check_summaries``), from its first sale to its
close. A day whose breakdown the server refuses all the same is set aside, told in the
manager's language, and the stall's other days are stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pos import checkout, day, demo, refunds, users
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.errors import SoukError
from pos.models import Product, User
from sync.client import outbox
from sync.client.engine import sync_store
from sync.client.errors import describe
from sync.protocol import DaySummary
from sync.server.ingest import DeviceAuth, check_summaries
from tests.sync.client.conftest import FAST
from tests.sync.client.support import MARKET_DAY, LiveServer, Till, local_figures
from tests.sync.client.test_held_back import device_of

FIRST_DATE = dt.date(2026, 5, 12)
# weighed (kg) and by the piece, cheap and dear
SKUS = ["HNY-KG", "CUM-KG", "DAT-KG", "ARG-250", "SAF-1G", "MNT-BND", "RUG-L", "TAJ-M"]
PIN = "1234"

discount = st.one_of(
    st.none(),
    st.tuples(st.just("amount"), st.integers(0, 30_000)),
    st.tuples(st.just("percent"), st.sampled_from([0, 1, 333, 1250, 5000, 9999, 100_00])),
)
line = st.tuples(
    st.integers(0, len(SKUS) - 1),
    st.integers(1, 3500),  # thousandths of a kg; whole pieces are taken from it
    discount,
    st.one_of(st.none(), st.sampled_from([0, 1, 999, 12_345])),  # a price the manager allows
)
sale_op = st.tuples(
    st.just("sale"), st.lists(line, min_size=1, max_size=5), discount,
    st.sampled_from(["cash", "change", "card", "mobile", "split", "three"]),
    st.integers(0, 20_000),  # what the customer hands over beyond the cash due
)
refund_op = st.tuples(st.just("refund"), st.integers(0, 99),
                      st.sampled_from(["all", "half", "one", "rest"]),
                      st.sampled_from(["cash", "card", "mobile"]))
void_op = st.tuples(st.just("void"), st.integers(0, 99))
cash_op = st.tuples(st.just("cash"), st.sampled_from(["in", "out"]), st.integers(1, 50_000))
later_op = st.tuples(st.just("later"), st.integers(1, 400))  # minutes pass
close_op = st.tuples(st.just("close"), st.integers(-2_000, 2_000))  # counted vs expected
open_op = st.tuples(st.just("open"), st.booleans())  # on the next date, or again the same
ops = st.lists(st.one_of(sale_op, sale_op, sale_op, sale_op, refund_op, refund_op, void_op,
                         cash_op, later_op, close_op, open_op), min_size=3, max_size=30)


class Stall:
    """A real stall database and its clock, rung as the app does."""

    def __init__(self, folder: Path) -> None:
        self.store = Store.open(folder / "souk.sqlite3")
        with self.store.write() as s:
            demo.load_catalogue(s)
            self.manager_id = users.add_user(s, "M", "manager", PIN).id
        self.now = dt.datetime.combine(FIRST_DATE, dt.time(8, 30))
        self.rung: list[str] = []
        self.open(next_date=False)

    def open(self, next_date: bool) -> None:
        """Open a day (if none is open) now, or on the next date's morning."""
        with self.store.write() as s:
            if day.current_day(s) is not None:
                return
            if next_date:
                morning = dt.datetime.combine(self.now.date(), dt.time(8, 30))
                self.now = max(self.now, morning + dt.timedelta(days=1))
            day.open_day(s, 20_000, user=s.get(User, self.manager_id), at=self.now)

    def apply(self, op: tuple[Any, ...]) -> None:
        self.now += dt.timedelta(minutes=1)
        if op[0] == "later":
            self.now += dt.timedelta(minutes=op[1])
        elif op[0] == "open":
            self.open(op[1])
        else:
            if op[0] != "close":  # the manager opens the day again to go on selling
                self.open(next_date=False)
            with self.store.write() as s:  # the manager, as signed in: a PIN's check takes 60 ms
                manager = s.get(User, self.manager_id)
                if op[0] == "sale":
                    self.sale(s, manager, *op[1:])
                elif op[0] == "refund" and self.rung:
                    self.refund(s, manager, self.rung[op[1] % len(self.rung)], *op[2:])
                elif op[0] == "void" and self.rung:
                    refunds.void(s, self.rung[op[1] % len(self.rung)], reason="v",
                                 manager=manager, at=self.now)
                elif op[0] == "cash":
                    day.cash_movement(s, op[1], op[2], "raison", user=manager, at=self.now)
                elif op[0] == "close":
                    expected = day.day_report_expected(s)
                    day.close_day(s, day.count_for(expected + op[1]), manager=manager,
                                  at=self.now)

    def sale(self, s: Any, manager: Any, lines: list[tuple[Any, ...]],
             cart_discount: tuple[Any, int] | None, paid: str, extra: int) -> None:
        cart = Cart()
        for sku, qty, line_discount, price in lines:
            product = s.scalar(select(Product).where(Product.sku == SKUS[sku]))
            added = cart.add(product, qty if product.unit != "piece" else 1000 * (1 + qty % 3))
            index = cart.lines.index(added)
            if price is not None:
                cart.override_price(index, price, manager.id)
            if line_discount is not None:
                added.discount = Discount(*line_discount)
        if cart_discount is not None:
            cart.discount = Discount(*cart_discount)
        total = cart.totals().total
        self.rung.append(checkout.complete(s, cart, payments(total, paid, extra),
                                           cashier=manager, at=self.now).id)

    def refund(self, s: Any, manager: Any, sale_id: str, how: str, method: str) -> None:
        sale = checkout.get_sale(s, sale_id)
        left = {k: v for k, v in refunds.refundable(s, sale).items() if v > 0}
        if not left:
            return
        units = {ln.id: ln.unit for ln in sale.lines}
        wanted: dict[int, int] | None = None
        if how == "half":  # half of every line left, in whole pieces when sold by the piece
            step = {k: 1000 if units[k] == "piece" else 1 for k in left}
            wanted = {k: max(step[k], v // 2 // step[k] * step[k]) for k, v in left.items()}
            wanted = {k: min(v, left[k]) for k, v in wanted.items()}
        elif how == "one":  # what is left of one line
            first = min(left)
            wanted = {first: left[first]}
        elif how == "rest":
            wanted = left
        # by the method drawn as far as it paid the sale, the rest in cash
        parts = refunds.parts_for(refunds.method_room(s, sale),
                                  refunds.amount_of(s, sale, wanted), method, "R1")
        refunds.refund(s, sale_id, quantities=wanted, reason="r", manager=manager,
                       parts=parts, at=self.now)

    def summaries(self) -> list[DaySummary]:
        """What the stall would push now: one summary per date, built as the sync does."""
        with self.store.read() as s:
            last = {state.date: state for state in outbox.day_states(s)}
            built = [outbox.build(s, state) for state in last.values()]
        assert all(isinstance(b, DaySummary) for b in built), built
        return [b for b in built if isinstance(b, DaySummary)]


def payments(total: int, paid: str, extra: int) -> list[PaymentSpec]:
    """How the customer pays ``total``: nothing for a gift, else by ``paid``."""
    if total == 0:
        return []
    card = PaymentSpec("card", total, None, "C")
    if paid == "change":
        return [cash(total, total + extra)]
    if paid == "card":
        return [card]
    if paid == "mobile":
        return [PaymentSpec("mobile", total, None, "M")]
    if paid == "split" and total > 1:
        part = total // 2
        return [PaymentSpec("card", part, None, "C"), cash(total - part, total - part + extra)]
    if paid == "three" and total > 2:
        part = total // 3
        return [PaymentSpec("mobile", part, None, "M"), PaymentSpec("card", part, None, "C"),
                cash(total - 2 * part, total - 2 * part + extra)]
    return [cash(total)]


def passes(summary: DaySummary) -> None:
    check_summaries(DeviceAuth(summary.device_id, 1, 1), [summary])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_the_stalls_own_summaries_always_add_up(operations: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stall = Stall(Path(folder))
        try:
            for op in operations:
                with contextlib.suppress(SoukError):  # refused by the till: nothing rung
                    stall.apply(op)
                for summary in stall.summaries():  # the open day is pushed as it goes
                    passes(summary)
        finally:
            stall.store.close()


def test_demo_days_add_up() -> None:
    """Days of a busy market, as the demo rings them, pass too."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "souk.sqlite3")
        try:
            demo.demo_sales(store, days=3, per_day=150, seed=3, start=FIRST_DATE)
            with store.read() as s:
                built = [outbox.build(s, state) for state in outbox.day_states(s)]
        finally:
            store.close()
    for summary in built:
        assert isinstance(summary, DaySummary), summary
        passes(summary)


@pytest.mark.parametrize(("lang", "words"), [
    ("ar", "يرفض الخادم أرقام يوم 13/05/2026: مجموع المبيعات حسب الساعة لا يساوي صافي "
           "المبيعات."),
    ("fr", "Le serveur refuse les chiffres du 13/05/2026 : les ventes par heure ne "
           "totalisent pas les ventes nettes."),
    ("en", "The server refuses the figures of 13/05/2026: the sales by hour do not add up "
           "to the net sales."),
], ids=["ar", "fr", "en"])
def test_a_day_refused_for_its_hours_is_set_aside_and_the_others_are_stored(
        till: Till, server: LiveServer, monkeypatch: pytest.MonkeyPatch, lang: str,
        words: str) -> None:
    rng = random.Random(44)
    for _ in range(3):
        till.sell(rng)
        till.sell(rng)
        till.close_day()
    bad = MARKET_DAY + dt.timedelta(days=1)
    real = outbox.summary

    def inflated(session, report):  # type: ignore[no-untyped-def]
        data = real(session, report)
        if report.date == bad:
            data["hours"][0]["amount"] += 999_999
        return data

    monkeypatch.setattr(outbox, "summary", inflated)
    outcome = sync_store(till.store, **FAST)
    assert outcome.acked == [MARKET_DAY, MARKET_DAY + dt.timedelta(days=2)]
    ((date, reason),) = outcome.set_aside
    assert date == bad and describe(reason, lang) == words
    held = server.held(device_of(till.store))
    assert held == {d: f for d, f in local_figures(till.store).items() if d != bad}
