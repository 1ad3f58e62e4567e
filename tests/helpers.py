"""Small helpers shared by tests: ring a sale the way the till does; a small disk of its
own, full or read-only."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import checkout, users
from pos.cart import Cart, Discount, PaymentSpec, cash
from pos.db import Store
from pos.models import Product, Sale

MANAGER_PIN = "1234"


def ring(
    store: Store,
    items: Sequence[tuple[str, int]],
    *,
    payments: Sequence[PaymentSpec] | None = None,
    tendered: int | None = None,
    discount: Discount | None = None,
) -> Sale:
    """Sell ``items`` ((sku, quantity in thousandths)...) and pay cash unless told."""
    with store.write() as s:
        cart = Cart(discount=discount)
        for sku, qty in items:
            product = s.scalar(select(Product).where(Product.sku == sku))
            assert product is not None, sku
            cart.add(product, qty)
        total = cart.totals().total
        pays = list(payments) if payments is not None else [cash(total, tendered or total)]
        cashier = users.active_users(s)[0]
        return checkout.complete(s, cart, pays, cashier=cashier)


@contextlib.contextmanager
def small_disk(folder: Path, *, size: str = "16k", read_only: bool = False) -> Iterator[Path]:
    """``folder`` on a filesystem of its own (tmpfs) of ``size``, read-only if asked: a
    full or write-protected USB stick. The tests run as root, whom folder permissions do
    not stop, but a full or read-only filesystem does. Skips where nothing can be mounted
    (not root, or no right to mount)."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "souk-test",
                                  str(folder)], capture_output=True, check=False)
    except OSError as exc:  # no mount command
        pytest.skip(f"cannot mount a small disk here: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
