"""A read-only look at the stall's database for the first screen, without SQLAlchemy.

Starting the till must not wait for the ORM: the sale screen is drawn from a
:class:`Snapshot` read with the standard library's ``sqlite3`` (the file opened
``mode=ro``), and the real :class:`pos.db.Store` is opened just after. Everything else
reads and writes through the ORM.

The snapshot is only taken when the file's schema is the one shipped
(:func:`read` returns ``None`` otherwise, and the caller takes the full path: migrate,
then read through the ORM)::

    snap = snapshot.read(path)
    if snap is not None and snap.setup_done:
        ...  # draw the sale screen from snap.products

:class:`Product` has the attribute names of :class:`pos.models.Product` (without the
barcodes), so ``pos.cart.CartLine.of(product)`` takes either.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pos.files import shipped_head

#: the settings the first screen needs (``pos.settings`` keys)
KEYS: Final = ("language", "setup_done", "cooperative", "printer")

_PRODUCT_COLUMNS: Final = (
    "id, sku, name_ar, name_fr, category, price, unit, tax_rate, stock, low_stock, photo, "
    "member, active"
)


@dataclass(frozen=True)
class Product:
    """An active product as the tiles and the cart need it."""

    id: int
    sku: str
    name_ar: str
    name_fr: str
    category: str
    price: int
    unit: str
    tax_rate: int
    stock: int
    low_stock: int
    photo: str
    member: str
    active: bool


@dataclass(frozen=True)
class Day:
    """The business day open, if any (``pos.models.BusinessDay``'s names)."""

    id: int
    date: dt.date
    opening_float: int


@dataclass(frozen=True)
class Snapshot:
    settings: dict[str, Any]
    categories: tuple[str, ...]
    products: tuple[Product, ...]
    open_day: Day | None

    @property
    def language(self) -> str | None:
        value = self.settings.get("language")
        return value if isinstance(value, str) else None

    @property
    def setup_done(self) -> bool:
        return bool(self.settings.get("setup_done"))

    @property
    def cooperative(self) -> dict[str, Any]:
        value = self.settings.get("cooperative")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def printer(self) -> dict[str, Any]:
        value = self.settings.get("printer")
        return dict(value) if isinstance(value, dict) else {}


def read(path: Path) -> Snapshot | None:
    """What the first screen shows, or ``None`` when there is no database yet, its schema
    is not the shipped one (a migration is due) or it cannot be read."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one consistent read
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None or str(row[0]) != shipped_head():
            return None
        return _read(conn)
    except (sqlite3.Error, ValueError):
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> Snapshot:
    marks = ", ".join("?" for _ in KEYS)
    settings = {
        str(key): json.loads(value) if value is not None else None
        for key, value in conn.execute(
            f"SELECT key, value FROM setting WHERE key IN ({marks})", KEYS)
    }
    products = tuple(
        _product(row)
        for row in conn.execute(
            f"SELECT {_PRODUCT_COLUMNS} FROM product WHERE active "
            "ORDER BY category, name_fr")
    )
    categories = tuple(sorted({p.category for p in products if p.category}))
    day = conn.execute(
        "SELECT id, date, opening_float FROM business_day WHERE closed_at IS NULL").fetchone()
    open_day = (Day(day[0], dt.date.fromisoformat(day[1]), day[2])
                if day is not None else None)
    return Snapshot(settings, categories, products, open_day)


def _product(row: tuple[Any, ...]) -> Product:
    (id_, sku, name_ar, name_fr, category, price, unit, tax_rate, stock, low_stock, photo,
     member, active) = row
    return Product(id_, sku, name_ar, name_fr, category, price, unit, tax_rate, stock,
                   low_stock, photo, member, bool(active))
