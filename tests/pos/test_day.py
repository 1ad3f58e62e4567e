from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from pos import day, refunds, users
from pos.cart import PaymentSpec
from pos.db import Store
from pos.errors import InputError, RuleError
from pos.models import BusinessDay, JournalEntry, Product, User
from pos.reports import day_report
from tests.helpers import ring


def test_close_compares_counted_and_expected_cash(store: Store, open_day: int) -> None:
    ring(store, [("ARG-250", 1000)], tendered=20000)  # 120 DH cash
    ring(store, [("RUG-S", 1000)], payments=[PaymentSpec("card", 85000, None, "T1")])
    with store.write() as s:
        m = users.require_manager(s, "1234")
        day.cash_movement(s, "out", 3000, "sacs", user=m)
        day.cash_movement(s, "in", 1000, "monnaie", user=m)
        x = day_report(s, day.require_open_day(s))
    assert x.status == "open" and x.z_number is None
    assert x.cash.expected == 50000 + 12000 - 3000 + 1000
    counts = {20000: 2, 10000: 1, 5000: 1, 2000: 2, 1000: 1, 50: 1}  # 600,50 DH, 0,50 over
    with store.write() as s:
        closed = day.close_day(s, counts, manager=users.require_manager(s, "1234"))
        z = day_report(s, closed)
    assert z.status == "closed" and z.z_number == 1
    assert (z.cash.counted, z.cash.expected, z.cash.difference) == (60050, 60000, 50)
    assert z.net == 97000 and z.sales_count == 2
    assert {p.method: p.amount for p in z.payments} == {"cash": 12000, "card": 85000}
    with store.read() as s:
        last = s.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
        assert last is not None and last.kind == "day_close"
        assert day.current_day(s) is None


def test_z_numbers_follow_each_other_and_closed_days_refuse_sales(
    store: Store, open_day: int
) -> None:
    with store.write() as s:
        day.close_day(s, {}, manager=users.require_manager(s, "1234"))
    with pytest.raises(RuleError):
        ring(store, [("THY-50", 1000)])
    with store.write() as s:
        day.open_day(s, 0, user=None)
        second = day.close_day(s, {}, manager=users.require_manager(s, "1234"))
    assert second.z_number == 2
    with store.read() as s:
        days = s.scalars(select(BusinessDay).order_by(BusinessDay.id))
        assert [d.z_number for d in days] == [1, 2]


def test_rules_of_the_day(store: Store, open_day: int) -> None:
    with store.write() as s, pytest.raises(RuleError):
        day.open_day(s, 100, user=None)
    with store.write() as s, pytest.raises(InputError):
        day.cash_movement(s, "out", 500, "  ", user=None)
    with store.write() as s, pytest.raises(InputError):
        day.close_day(s, {300: 1}, manager=users.require_manager(s, "1234"))
    with store.write() as s, pytest.raises(RuleError):
        day.close_day(s, {}, manager=users.authenticate(s, "5678"))
    with store.read() as s:
        assert day.current_day(s) is not None


def test_refunds_and_voids_show_in_the_report(store: Store, open_day: int) -> None:
    a = ring(store, [("AML-250", 1000)])
    b = ring(store, [("HNY-THY", 1000)])
    with store.write() as s:
        m = users.require_manager(s, "1234")
        refunds.refund(s, a.id, quantities=None, reason="x", manager=m)
        refunds.void(s, b.id, reason="y", manager=m)
        report = day_report(s, day.require_open_day(s))
    assert (report.sales_count, report.refunds_count, report.voids_count) == (2, 1, 1)
    assert (report.gross, report.refunds, report.voids, report.net) == (21500, 6500, 15000, 0)
    assert report.cash.expected == 50000


def test_day_date_is_local(store: Store, staff) -> None:  # type: ignore[no-untyped-def]
    at = dt.datetime(2026, 5, 3, 7, 0)
    with store.write() as s:
        d = day.open_day(s, 0, user=None, at=at)
    assert d.date == (at + dt.timedelta(minutes=d.utc_offset_minutes)).date()
    assert day.count_for(60070) == {20000: 3, 50: 1, 20: 1}


def test_ten_centime_coins_are_counted(store: Store, open_day: int) -> None:
    """Morocco's coins go down to 10 centimes: a drawer holding some is counted exactly."""
    ring(store, [("MNT-BND", 1000)], tendered=1000)  # 5,00, given 10,00: 505,00 expected
    assert day.count_for(50530) == {20000: 2, 10000: 1, 500: 1, 20: 1, 10: 1}
    with store.write() as s:
        closed = day.close_day(s, {20000: 2, 10000: 1, 500: 1, 10: 3},
                               manager=users.require_manager(s, "1234"))
        z = day_report(s, closed)
    assert (z.cash.counted, z.cash.expected, z.cash.difference) == (50530, 50500, 30)
    assert z.cash.count_detail == {"20000": 2, "10000": 1, "500": 1, "10": 3}


def test_the_next_float_offered_is_what_the_last_close_left_in_the_box(
    store: Store, staff: tuple[User, User], products: dict[str, Product]
) -> None:
    """The first day offers the usual 500 DH; then what the last close counted (the cash
    taken out to the bank before the count is not in it); a close with nothing counted
    offers that day's float again."""
    with store.read() as s:
        assert day.float_guess(s) == day.FloatGuess(50000, "first")
    with store.write() as s:
        first = day.open_day(s, 30000, user=staff[0], at=dt.datetime(2026, 5, 4, 8, 0))
    ring(store, [("ARG-250", 1000)])  # 120 DH cash: 420,00 expected
    with store.write() as s:
        day.cash_movement(s, "out", 20000, "banque", user=staff[0])  # 220,00 left
        day.close_day(s, {20000: 1, 1000: 2}, manager=staff[0])
    with store.read() as s:
        assert day.float_guess(s) == day.FloatGuess(22000, "counted", first.date)
    with store.write() as s:
        second = day.open_day(s, 15000, user=staff[0], at=dt.datetime(2026, 5, 5, 8, 0))
        day.close_day(s, {}, manager=staff[0])  # closed without counting
        assert day.float_guess(s) == day.FloatGuess(15000, "float", second.date)
