"""Rings carts as the till does, a card part taken before the rest is paid, and prints
what the seller saw done once its commit returned:

- ``TAKEN <ref>``: the card part ``ref`` is written with the cart in progress;
- ``SOLD <ref>``: the sale paid with it is recorded (the cart in progress dropped in the
  sale's own transaction).

On start, a cart in progress left by the process before (killed) is brought back and sold
first (``RESUMED <ref>``), as the till's next start brings it back to be paid.

Run by test_held_crash.py, which kills this process with SIGKILL at random instants.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from sqlalchemy import select

from pos import checkout, held, users
from pos.cart import Cart, PaymentSpec, cash
from pos.db import Store
from pos.models import Product, User


def sell(store: Store, cart: Cart, parts: list[PaymentSpec], cashier: User) -> None:
    """Pay the rest in cash and record the sale, the cart in progress dropped with it."""
    rest = cart.totals().total - sum(p.amount for p in parts)
    payments = [*parts, cash(rest, rest)] if rest else parts
    with store.ledger() as db:
        checkout.complete(db, cart, payments, cashier=cashier)
        held.drop_current(db)


def main() -> None:
    store = Store.open(Path(sys.argv[1]))
    run = int(sys.argv[2])
    rng = random.Random(run)
    with store.read() as s:
        products = [p for p in s.scalars(select(Product)) if p.unit == "piece"]
        cashier = users.active_users(s)[0]
        for p in products:
            s.expunge(p)
        s.expunge(cashier)
        kept = held.current(s)
    print("READY", flush=True)
    if kept is not None:
        refs = " ".join(p.reference for p in kept.payments)
        sell(store, kept.cart, kept.payments, cashier)
        print(f"RESUMED {refs}", flush=True)
    n = 0
    while True:
        cart = Cart()
        for product in rng.sample(products, rng.randint(1, 4)):
            cart.add(product, 1000 * rng.randint(1, 2))
            with store.ledger() as db:  # the cart as the seller rings it up
                held.keep_current(db, cart)
        total = cart.totals().total
        card = PaymentSpec("card", max(total // 2, 1), None, f"CB{run:03d}-{n:04d}")
        with store.ledger() as db:
            held.keep_current(db, cart, [card])
        print(f"TAKEN {card.reference}", flush=True)
        time.sleep(0.01)  # the customer hands over the rest in cash
        sell(store, cart, [card], cashier)
        print(f"SOLD {card.reference}", flush=True)
        n += 1


if __name__ == "__main__":
    main()
