"""Doubts about the laptop's clock: a date outside the market's dates or a clock put back
is said before a day is opened, and a clock put back while selling is said by how much;
nothing is ever refused. Times are given to the functions (the system clock is never
changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from pos import checkout, clock, day, settings, users
from pos.cart import Cart, cash
from pos.db import Store
from pos.models import Product, User

MARKET = {"name_ar": "سوق", "name_fr": "Marché", "city": "Fès", "city_ar": "فاس",
          "stand": "12", "starts_on": "2026-11-28", "ends_on": "2026-12-02"}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def local_text(at: dt.datetime) -> str:
    """A UTC time as the laptop shows it (its own time zone)."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%d/%m/%Y %H:%M")


def enrol_in_market(store: Store) -> None:
    with store.write() as s:
        settings.put(s, settings.MARKET, MARKET)


def sell(store: Store, at: dt.datetime) -> None:
    with store.write() as s:
        product = s.scalars(select(Product).where(Product.price > 0)).first()
        assert product is not None
        cart = Cart()
        cart.add(product, 1000)
        total = cart.totals().total
        checkout.complete(s, cart, [cash(total, total)], cashier=users.active_users(s)[0],
                          at=at)


def doubt(store: Store, at: str) -> clock.OpeningDoubt | None:
    with store.read() as s:
        return clock.opening_doubt(s, utc(at))


def test_a_date_outside_the_market_is_said_before_opening_in_each_language(
    store: Store, staff: tuple[User, User]
) -> None:
    assert doubt(store, "2019-03-12 12:00") is None  # not enrolled, empty journal: no question
    enrol_in_market(store)
    assert doubt(store, "2026-11-28 12:00") is None
    assert doubt(store, "2026-12-02 12:00") is None
    found = doubt(store, "2019-03-12 12:00")
    assert found is not None and found.kind == "outside"
    assert found.message("en") == (
        "This laptop's date is 12/03/2019, outside the market (28/11/2026 – 02/12/2026). If "
        "it is wrong, set the laptop's date and time first: sales would carry a wrong date "
        "and would not reach the organisers.")
    assert found.message("fr").startswith(
        "La date de cet ordinateur est le 12/03/2019, hors des dates du marché "
        "(du 28/11/2026 au 02/12/2026).")
    assert found.message("ar").startswith(
        "تاريخ هذا الحاسوب هو 12/03/2019، وهو خارج تواريخ السوق (من 28/11/2026 إلى 02/12/2026).")
    late = doubt(store, "2026-12-03 12:00")  # the day after the market: outside too
    assert late is not None and "03/12/2026" in late.message("en")
    with store.write() as s:  # the manager may still open it: nothing is refused
        opened = day.open_day(s, 0, user=staff[0], at=utc("2019-03-12 12:00"))
    assert opened.date == clock.local(utc("2019-03-12 12:00")).date()


def test_a_clock_put_back_before_the_last_record_is_said_before_opening(
    store: Store, staff: tuple[User, User], products: dict[str, Product]
) -> None:
    enrol_in_market(store)
    manager = staff[0]
    with store.write() as s:
        day.open_day(s, 50000, user=manager, at=utc("2026-11-30 08:00"))
    sell(store, utc("2026-11-30 11:00"))
    with store.write() as s:
        day.close_day(s, {}, manager=manager, at=utc("2026-11-30 18:00"))
    assert doubt(store, "2026-12-01 08:00") is None  # the next morning
    assert doubt(store, "2026-11-30 17:56") is None  # a few minutes: a clock set by the network
    found = doubt(store, "2026-11-30 12:00")
    assert found is not None and found.kind == "back"
    assert found.message("en") == (
        f"This laptop's date and time are {local_text(utc('2026-11-30 12:00'))}, earlier than "
        f"the till's last record ({local_text(utc('2026-11-30 18:00'))}): its clock seems to "
        "have been put back. If it is wrong, set the laptop's date and time first: sales "
        "would carry a wrong date.")
    assert local_text(utc("2026-11-30 18:00")) in found.message("ar")
    assert local_text(utc("2026-11-30 18:00")) in found.message("fr")


def test_a_clock_put_back_while_selling_is_said_and_the_sales_go_through(
    store: Store, staff: tuple[User, User], products: dict[str, Product]
) -> None:
    with store.read() as s:
        assert clock.lag(s, utc("2026-11-30 09:00")) is None  # no day open
    with store.write() as s:
        day.open_day(s, 50000, user=staff[0], at=utc("2026-11-30 08:00"))
    sell(store, utc("2026-11-30 11:00"))
    with store.read() as s:
        assert clock.lag(s, utc("2026-11-30 11:30")) is None
        assert clock.lag(s, utc("2026-11-30 10:56")) is None  # within a few minutes
        behind = clock.lag(s, utc("2026-11-30 08:50"))
    assert behind is not None and behind.behind == dt.timedelta(hours=2, minutes=10)
    newest = local_text(utc("2026-11-30 11:00"))
    assert behind.message("en") == (
        f"This laptop's clock is 2 h 10 min behind the till's last record ({newest}): its "
        "date or time was put back. Sales still go through; set the laptop's date and time "
        "as soon as you can.")
    assert behind.message("ar").startswith(
        f"توقيت هذا الحاسوب متأخر عن آخر قيد مسجل في الصندوق ({newest})، والفرق ساعتان و10 دقائق")
    sell(store, utc("2026-11-30 08:50"))  # rung all the same
    with store.read() as s:
        still = clock.lag(s, utc("2026-11-30 08:51"))
    assert still is not None and still.behind == dt.timedelta(hours=2, minutes=9)


@pytest.mark.parametrize(("lang", "seconds", "said"), [
    ("en", 60, "1 min"), ("en", 7800, "2 h 10 min"), ("en", 7200, "2 h"),
    ("en", 86400 + 3 * 3600, "1 day 3 h"), ("en", 365 * 86400, "365 days"),
    ("fr", 7800, "2 h 10 min"), ("fr", 86400, "1 jour"), ("fr", 3 * 86400, "3 jours"),
    ("ar", 60, "دقيقة واحدة"), ("ar", 120, "دقيقتان"), ("ar", 7 * 60, "7 دقائق"),
    ("ar", 11 * 60, "11 دقيقةً"), ("ar", 3600, "ساعة واحدة"), ("ar", 7800, "ساعتان و10 دقائق"),
    ("ar", 5 * 3600 + 60, "5 ساعات ودقيقة واحدة"), ("ar", 2 * 86400, "يومان"),
    ("ar", 365 * 86400, "365 يومًا"), ("ar", -7800, "ساعتان و10 دقائق"),
    ("ar", 10, "أقل من دقيقة"), ("en", 10, "0 min"),
])
def test_lengths_of_time_take_each_language_s_plurals(lang: str, seconds: int, said: str) -> None:
    assert clock.duration_text(lang, seconds) == said
