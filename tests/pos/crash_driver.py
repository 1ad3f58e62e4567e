"""Rings sales in a loop and prints each sale id once its commit has returned.

Run by test_crash.py, which kills this process with SIGKILL at random instants.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from sqlalchemy import select

from pos import checkout, users
from pos.cart import Cart, PaymentSpec, cash
from pos.db import Store
from pos.models import Product


def main() -> None:
    store = Store.open(Path(sys.argv[1]))
    rng = random.Random(int(sys.argv[2]))
    with store.read() as s:
        products = list(s.scalars(select(Product)))
    print("READY", flush=True)
    while True:
        with store.write() as s:
            cart = Cart()
            for p in rng.sample(products, rng.randint(1, 5)):
                cart.add(s.get(Product, p.id) or p, 1000 * rng.randint(1, 3))
            total = cart.totals().total
            pays = [cash(total, total + 1000)] if rng.random() < 0.7 else [
                PaymentSpec("card", total // 2, None, "C1"), cash(total - total // 2)]
            sale = checkout.complete(s, cart, pays, cashier=users.active_users(s)[0])
            sale_id = sale.id
        print(sale_id, flush=True)  # the commit has returned: the seller sees "done"


if __name__ == "__main__":
    main()
