"""The demo catalogue (about thirty products of Moroccan cooperatives) and demo sales."""

from __future__ import annotations

import datetime as dt
import random
from importlib import resources
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos import catalogue, checkout, day, refunds, settings, users
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.errors import RuleError
from pos.models import Product, Sale, User

DEMO_MANAGER = "Gérante / المسيرة"
DEMO_CASHIER = "Vendeuse / البائعة"
DEMO_MANAGER_PIN = "1234"
DEMO_CASHIER_PIN = "0000"
#: the setting :func:`demo_sales` keeps: how many sale records (sales, refunds, voids) the
#: stall held after its last demo day, all of them rung by it
DEMO_SALES: Final = "demo_sales"


def demo_csv() -> str:
    return (resources.files("resources") / "demo" / "catalogue.csv").read_text(encoding="utf-8")


def load_catalogue(session: Session, *, user: User | None = None,
                   done_from: str = users.FROM_APP) -> int:
    """The demo catalogue added, its first stocks kept as made by ``user`` from
    ``done_from`` (the app's setup, or ``souk-pos init --demo``)."""
    return catalogue.import_csv(session, demo_csv(), "catalogue.csv", user=user,
                                done_from=done_from)


def _tendered(total: int, rng: random.Random) -> int:
    """What a customer hands over: exact, or the next round note."""
    if rng.random() < 0.3:
        return total
    for note in (1000, 2000, 5000, 10000, 20000):
        if note >= total and rng.random() < 0.7:
            return note
    return -(-total // 10000) * 10000


def _payments(total: int, rng: random.Random) -> list[PaymentSpec]:
    roll = rng.random()
    if roll < 0.72:
        return [cash(total, _tendered(total, rng))]
    if roll < 0.88:
        return [PaymentSpec("card", total, None, f"CB{rng.randrange(10**6):06d}")]
    if roll < 0.96 or total < 200:
        return [PaymentSpec("mobile", total, None, f"TR{rng.randrange(10**8):08d}")]
    part = total // 2
    return [PaymentSpec("card", part, None, f"CB{rng.randrange(10**6):06d}"),
            cash(total - part, total - part)]


def _cart(products: list[Product], rng: random.Random) -> Cart:
    cart = Cart()
    for product in rng.sample(products, rng.choice((1, 1, 2, 2, 3, 4, 5))):
        if product.unit in ("kg", "g", "l"):
            cart.add(product, rng.choice((250, 500, 750, 1000, 1500)))
        else:
            cart.add(product, 1000 * rng.choice((1, 1, 1, 2, 3)))
    if rng.random() < 0.15:
        cart.discount = Discount("percent", rng.choice((500, 1000)))
    elif rng.random() < 0.1:
        cart.discount = Discount("amount", min(1000, cart.totals().total // 10))
    return cart


def ensure_demo_users(session: Session) -> tuple[User, User]:
    """(manager, cashier) to ring demo days with: the stall's own, the demo ones first.

    Only a stall with no manager gets the demo manager (PIN 1234), and then the demo
    cashier (PIN 0000) if it has no cashier either; on a stall that has a manager and no
    cashier, the manager rings the sales. Raises InputError if a demo PIN is taken.
    """
    staff = users.active_users(session)
    managers = sorted((u for u in staff if u.role == users.MANAGER),
                      key=lambda u: u.name != DEMO_MANAGER)
    cashiers = sorted((u for u in staff if u.role == users.CASHIER),
                      key=lambda u: u.name != DEMO_CASHIER)
    if managers:
        return managers[0], (cashiers or managers)[0]
    manager = users.add_user(session, DEMO_MANAGER, users.MANAGER, DEMO_MANAGER_PIN)
    cashier = cashiers[0] if cashiers else users.add_user(
        session, DEMO_CASHIER, users.CASHIER, DEMO_CASHIER_PIN)
    return manager, cashier


def _one_day(
    session: Session, date: dt.date, per_day: int, rng: random.Random,
    staff: tuple[User, User], products: list[Product],
) -> None:
    manager, cashier = staff
    opening = dt.datetime.combine(date, dt.time(8, 30))
    day.open_day(session, 50000, user=manager, at=opening)
    span = 11 * 3600
    moments = sorted(rng.randrange(span) for _ in range(per_day))
    rung: list[str] = []
    for second in moments:
        at = opening + dt.timedelta(seconds=1800 + second)
        cart = _cart(products, rng)
        total = cart.totals().total
        sale = checkout.complete(session, cart, _payments(total, rng), cashier=cashier, at=at)
        rung.append(sale.id)
        roll = rng.random()
        if roll < 0.01 and len(rung) > 3:
            returned = rng.choice(rung[:-1])
            refunds.refund(session, returned, quantities=None, reason="retour client",
                           manager=manager, at=at)
            rung.remove(returned)
        elif roll < 0.015:
            refunds.void(session, sale.id, reason="erreur de saisie", manager=manager, at=at)
            rung.pop()
    if rng.random() < 0.5:
        day.cash_movement(session, "out", 2000, "sacs et papier", user=manager,
                          at=opening + dt.timedelta(hours=6))
    expected = day.day_report_expected(session)
    counts = day.count_for(expected + rng.choice((0, 0, 0, -1000, 500)))
    day.close_day(session, counts, manager=manager, at=opening + dt.timedelta(hours=12))


def check_demo_stall(session: Session) -> None:
    """RuleError unless invented sales may go into this stall's journal, where they would
    stay for ever (nothing is deleted): not on a stall enrolled with a market server
    (whose sync settings hold the identity enrolment gave), whose days would reach the
    organisers as real figures; not on a stall holding sale records that
    :func:`demo_sales` did not ring (:data:`DEMO_SALES`). A new stall, or one with no sale
    yet, may take them."""
    sync = settings.get(session, settings.SYNC)
    if isinstance(sync, dict) and (sync.get("token") or sync.get("device_id")):
        raise RuleError("cli.demo_enrolled")
    rung = session.scalar(select(func.count()).select_from(Sale)) or 0
    demo = settings.get(session, DEMO_SALES, 0)
    if rung > (demo if isinstance(demo, int) else 0):
        raise RuleError("cli.demo_real_sales")


def demo_sales(
    store: Store, *, days: int, per_day: int, seed: int = 7, start: dt.date | None = None
) -> int:
    """Fill the journal with realistic days of sales (one transaction per day).

    Refused on a stall that is enrolled with a market server or holds sales of its own
    (:func:`check_demo_stall`), and by each day on a day already open. The demo catalogue
    and staff are added, if missing, in the first day's transaction, so that a refusal (a
    demo PIN taken) leaves the stall as it was.
    """
    rng = random.Random(seed)
    first = start or (dt.date.today() - dt.timedelta(days=days))
    for i in range(days):
        with store.write() as session:
            check_demo_stall(session)
            if day.current_day(session) is not None:
                raise RuleError("day.already_open")
            if not catalogue.all_products(session):
                load_catalogue(session)
            staff = ensure_demo_users(session)
            products = [p for p in catalogue.all_products(session) if p.price > 0]
            _one_day(session, first + dt.timedelta(days=i), per_day, rng, staff, products)
            settings.put(session, DEMO_SALES,
                         session.scalar(select(func.count()).select_from(Sale)))
    return days * per_day


def seed_demo(store: Store) -> None:
    """Demo catalogue and users for a fresh stall (first run with the demo)."""
    with store.write() as session:
        load_catalogue(session)
        ensure_demo_users(session)

