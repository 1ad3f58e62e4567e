"""Small helpers shared by tests: ring a sale the way the till does; a small disk of its
own, full or read-only; a USB stick (a filesystem other than the tests' databases'); see the
order in which Qt draws a text, and what a widget painted."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QTextLayout
from PySide6.QtWidgets import QWidget
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


@contextlib.contextmanager
def usb_stick(near: Path) -> Iterator[Path]:
    """A folder on a filesystem other than the one ``near`` is on (where the tests keep
    their databases): a USB stick plugged in. ``/dev/shm``, a filesystem of its own that
    any user may write on; skips where the machine has none other."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(near).st_dev:
        pytest.skip("no filesystem other than the tests' own here (/dev/shm) for a USB stick")
    folder = Path(tempfile.mkdtemp(prefix="souk-usb-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: the marks that only direct a text, and spaces: never drawn as a character
_UNDRAWN = frozenset("\u200e\u200f\u061c\u2066\u2067\u2068\u2069")


def drawn_order(text: str, direction: Qt.LayoutDirection = Qt.LayoutDirection.LayoutDirectionAuto
                ) -> str:
    """The characters of ``text`` in the order Qt draws them, left to right, laid out as one
    line of a paragraph of ``direction`` (by default the one its first strong letter gives,
    as a label takes it); the marks that only direct the text and the spaces left out.
    An Arabic word comes out reversed: ``"د.م."`` is drawn ``".م.د"``."""
    layout = QTextLayout(text, QFont())
    option = layout.textOption()
    option.setTextDirection(direction)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    drawn = [(line.glyphRuns(i, 1)[0].positions()[0].x(), ch) for i, ch in enumerate(text)
             if ch not in _UNDRAWN and not ch.isspace()]
    return "".join(ch for _x, ch in sorted(drawn))


def painted_shapes(widget: QWidget, rect: QRect) -> str:
    """The marks painted in ``rect`` of ``widget``, left to right, as the eye tells a minus
    from what stands beside it: "-" for a flat stroke at least three pixels wide (a minus),
    "#" for any other mark (a digit, a letter, a dot). A mark is a run of pixel columns
    holding ink (far lighter or darker than the commonest colour, the background: a
    selected row's text is light on dark), set apart from the next by a column without any."""
    return drawn_shapes(widget.grab(rect).toImage())


def drawn_shapes(image: QImage, stroke: int = 1) -> str:
    """The marks drawn in ``image``, left to right, as :func:`painted_shapes` tells them; a
    minus of a page drawn larger than the screen is ``stroke`` pixels thick: a flat mark
    is then one no more than a pixel taller, and half as wide again as it is tall (wider
    than a dot)."""
    pixels = [[image.pixel(x, y) for y in range(image.height())] for x in range(image.width())]
    background = QColor(Counter(p for column in pixels for p in column).most_common(1)[0][0])
    inked = [[y for y, p in enumerate(column)
              if abs(QColor(p).lightness() - background.lightness()) > 100] for column in pixels]
    shapes, mark = [], []
    for ys in [*inked, []]:
        if ys:
            mark.append(ys)
        elif mark:
            height = max(map(max, mark)) - min(map(min, mark)) + 1
            flat = height <= stroke + 1 and len(mark) >= max(3, 1.5 * height)
            shapes.append("-" if flat else "#")
            mark = []
    return "".join(shapes)
