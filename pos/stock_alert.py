"""When a product's stock is followed, and when it is low: the rules the sale screen's
tiles, the Products screen and the catalogue share. Plain integers in, so that the tiles
use them at first paint, before SQLAlchemy is loaded (this module imports nothing)."""

from __future__ import annotations


def low_on_stock(stock: int, low: int) -> bool:
    """The stock (thousandths of the product's unit) is at or below the alert level set
    for the product (``low``; 0: no alert)."""
    return low > 0 and stock <= low


def counted(stock: int, low: int) -> bool:
    """The product's stock is followed: an alert level set, or a stock other than zero
    (a product never counted has neither, and its tile says no stock)."""
    return low > 0 or stock != 0
