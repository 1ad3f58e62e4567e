"""Money in integer centimes (MAD) and quantities in integer thousandths.

Parsing accepts what people type at a stall: ``"12,5"``, ``"12.50"``, ``" 12 "``,
``"1 250,00"``, Arabic-Indic digits ``"١٢٫٥"`` and Persian digits. A single ``.`` or ``,``
is always the decimal separator (``"0.750"`` kg is three quarters of a kilo). Thousands are
grouped by spaces (also no-break and narrow no-break spaces) or the Arabic ``٬``; by ``.``
or ``,`` only when both appear (``"1.250,50"``, ``"1,250.50"``: the last one is the decimal
separator) or when the same one repeats between groups of three (``"1.250.000"``).
Formatting follows how amounts are written in Morocco: ``"125,50 DH"`` (fr),
``"125,50 د.م."`` (ar), ``"MAD 125.50"`` (en). A unit has one word per language
(:func:`unit_name`), the same on the screens and on the receipts.

What is formatted here is for people to read: in Arabic a negative number's minus is the
CLDR's, a left-to-right mark before the hyphen-minus (:data:`pos.cldr.MINUS`), so that a
right-to-left line shows ``-25``, not ``25-``. Files and messages for machines (CSV
exports, JSON, the sync protocol) write their numbers without it. Parsing ignores the
direction marks, so a number copied from a screen reads back.
"""

from __future__ import annotations

import re
from typing import Final, NewType

from pos.cldr import minus_sign, money_prefix
from pos.errors import InputError
from pos.i18n import latin_digits, tr

Centimes = NewType("Centimes", int)

#: Morocco's banknotes and coins, in centimes, largest first: the notes of 200, 100, 50 and
#: 20 DH, the coins of 10, 5, 2 and 1 DH and of 50, 20 and 10 centimes (the payment keys,
#: the cash count)
NOTES_AND_COINS: Final = (20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10)
MAX_AMOUNT: Final = 100_000_000_00  # 100 million DH: nothing at a stall costs more
MAX_QUANTITY: Final = 1_000_000_000  # a million units, in thousandths
NBSP: Final = "\u00a0"  # in "1 250,50 DH": the amount and its currency never part

#: spaces and the Arabic thousands separator only ever group; "٫" is only a decimal point
_SEPARATORS: Final = str.maketrans(
    {"٬": " ", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "،": ",", "\u2212": "-"}
)
#: the marks that only direct a text (LRM, RLM, ALM, embeddings and isolates): what a
#: number shown in Arabic carries (:data:`pos.cldr.MINUS`), never part of its value
_DIRECTION_MARKS: Final = str.maketrans(
    dict.fromkeys("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069"))
_CURRENCY = re.compile(r"(?i)(mad|dhs?|dh|د\.?\s*م\.?|درهم)")
_SHAPE = re.compile(r"^\d[\d .,٫]*$")
_GROUPS = re.compile(r"^\d{1,3}(?:([ .,])\d{3})(?:\1\d{3})*$")


def _normalise(text: str) -> str:
    return latin_digits(text).translate(_DIRECTION_MARKS).strip()


def _decimal_point(text: str) -> str | None:
    """Which character of ``text`` (digits, spaces, '.', ',', '٫') is the decimal point."""
    if "٫" in text:
        return "٫"
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        return "." if text.rfind(".") > text.rfind(",") else ","
    if dots == 1:
        return "."
    if commas == 1:
        return ","
    return None  # no point, or one separator repeated: thousands ("1.250.000")


def _digits(text: str) -> tuple[str, str] | None:
    """(whole digits, fraction digits) of an unsigned decimal number, or None."""
    text = text.strip()
    if not _SHAPE.match(text):
        return None
    point = _decimal_point(text)
    whole, _, frac = text.partition(point) if point else (text, "", "")
    if not frac.isdigit() and frac != "":
        return None
    if not whole.isdigit():
        if not _GROUPS.match(whole):
            return None
        whole = re.sub(r"[ .,]", "", whole)
    return whole, frac


def _split_number(
    text: str, decimals: int, what: str, shown: str | None = None
) -> tuple[int, int]:
    """(whole, fraction scaled to ``decimals`` digits) of an unsigned decimal number.

    Messages quote ``shown`` (what the person typed) when given, else ``text``.
    """
    raw = text if shown is None else shown
    text = _normalise(text)
    text = _CURRENCY.sub("", text).strip().translate(_SEPARATORS)
    if text.startswith("-"):
        raise InputError(f"{what}.negative", text=raw.strip())
    parts = _digits(text)
    if parts is None:
        raise InputError(f"{what}.not_a_number", text=raw.strip())
    whole, frac = parts
    if len(frac.rstrip("0")) > decimals:
        raise InputError(f"{what}.too_precise", text=raw.strip(), decimals=decimals)
    frac = (frac + "0" * decimals)[:decimals]
    return int(whole), int(frac or "0")


def parse_money(text: str, *, allow_zero: bool = True) -> int:
    """Centimes from what a person typed. Never negative; raises :class:`InputError`."""
    if not text or not text.strip():
        raise InputError("money.empty")
    whole, frac = _split_number(text, 2, "money")
    value = whole * 100 + frac
    if value > MAX_AMOUNT:
        raise InputError("money.too_large", text=text.strip())
    if value == 0 and not allow_zero:
        raise InputError("money.zero")
    return value


def parse_quantity(text: str, *, allow_zero: bool = False) -> int:
    """Thousandths of a unit from "1,250" / "0.5" / "٢"; more than zero unless ``allow_zero``."""
    if not text or not text.strip():
        raise InputError("quantity.empty")
    whole, frac = _split_number(text, 3, "quantity")
    value = whole * 1000 + frac
    if value == 0 and not allow_zero:
        raise InputError("quantity.zero")
    if value > MAX_QUANTITY:
        raise InputError("quantity.too_large", text=text.strip())
    return value


def parse_stock(text: str) -> int:
    """Thousandths of a unit in stock: may be zero, or below zero once sold past the stock."""
    if not text or not text.strip():
        raise InputError("quantity.empty")
    cleaned = _normalise(text).translate(_SEPARATORS)
    sign = -1 if cleaned.startswith("-") else 1
    if sign < 0:
        cleaned = cleaned[1:]
        if cleaned.lstrip().startswith("-"):
            raise InputError("quantity.not_a_number", text=text.strip())
    whole, frac = _split_number(cleaned, 3, "quantity", shown=text)
    value = whole * 1000 + frac
    if value > MAX_QUANTITY:
        raise InputError("quantity.too_large", text=text.strip())
    return sign * value


def parse_percent(text: str) -> int:
    """Basis points (1/100 of a percent) from "10", "12,5 %"; at most 100 %."""
    cleaned = _normalise(text).replace("%", "").replace("٪", "")
    if not cleaned.strip():
        raise InputError("percent.empty")
    whole, frac = _split_number(cleaned, 2, "percent")
    value = whole * 100 + frac
    if value > 100_00:
        raise InputError("percent.too_large", text=text.strip())
    return value


def _group(whole: int, sep: str) -> str:
    digits = str(whole)
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    groups.append(digits)
    return sep.join(reversed(groups))


def format_amount(centimes: int, lang: str = "fr") -> str:
    """The number only: ``1 250,50`` (fr, ar) or ``1,250.50`` (en); below zero with the
    language's minus (:func:`pos.cldr.minus_sign`)."""
    sign = minus_sign(lang) if centimes < 0 else ""
    whole, frac = divmod(abs(centimes), 100)
    if lang == "en":
        return f"{sign}{_group(whole, ',')}.{frac:02d}"
    return f"{sign}{_group(whole, NBSP)},{frac:02d}"


def format_count(value: int, lang: str = "fr") -> str:
    """A whole number grouped by thousands: ``1 250`` (fr, ar), ``1,250`` (en); below zero
    with the language's minus."""
    sign = minus_sign(lang) if value < 0 else ""
    return f"{sign}{_group(abs(value), ',' if lang == 'en' else NBSP)}"


def format_money(centimes: int, lang: str = "fr", *, whole: bool = False) -> str:
    """``125,50 DH`` (fr), ``125,50 د.م.`` (ar), ``MAD 125.50`` (en); a no-break space
    between the amount and its currency, which a wrapped line never parts. A negative
    amount in Arabic starts with a right-to-left mark (:func:`pos.cldr.money_prefix`), so
    that a label or a receipt's column that starts with it stays right-to-left.
    ``whole``: rounded to the dirham, without decimals (``126 DH``)."""
    if whole:
        centimes = round_div(centimes, 100) * 100
        amount = format_count(centimes // 100, lang)
    else:
        amount = format_amount(centimes, lang)
    if lang == "en":
        return f"MAD{NBSP}{amount}"
    if lang == "ar":
        return f"{money_prefix(lang, centimes)}{amount}{NBSP}د.م."
    return f"{amount}{NBSP}DH"


def format_quantity(milli: int, unit: str = "piece", lang: str = "fr") -> str:
    """``2`` for pieces, ``1,25`` kg (1 250 g), ``0,5`` l; trailing zeros dropped; below zero with
    the language's minus (:func:`pos.cldr.minus_sign`)."""
    sign = minus_sign(lang) if milli < 0 else ""
    whole, frac = divmod(abs(milli), 1000)
    text = str(whole)
    if frac:
        sep = "." if lang == "en" else ","
        text += sep + f"{frac:03d}".rstrip("0")
    return sign + text


def unit_name(unit: str, lang: str = "fr") -> str:
    """The word for ``unit`` (``piece``, ``kg``, ``g``, ``l``), one per language wherever the
    till writes it (tiles, cart, products, receipts): ``pièce``, ``kg``; in Arabic the
    Moroccan ``قطعة``, ``كلغ``, ``غ``, ``لتر``."""
    return tr(lang, f"unit.{unit}")


def format_measure(milli: int, unit: str, lang: str = "fr", space: str = " ") -> str:
    """A quantity with its unit, as the till says one to a person: ``3`` pieces go
    without it, ``1,25 kg``, ``-0,5 كلغ`` (``space`` between them: :data:`NBSP` where the
    two must not be parted)."""
    text = format_quantity(milli, unit, lang)
    return text if unit == "piece" else f"{text}{space}{unit_name(unit, lang)}"


def percent_of(amount: int, basis_points: int) -> int:
    """``amount * basis_points / 10000`` rounded half away from zero, in centimes."""
    return round_div(amount * basis_points, 10_000)


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero (commercial rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def line_amount(unit_price: int, quantity_milli: int) -> int:
    """Price of ``quantity_milli`` thousandths of a unit at ``unit_price`` centimes."""
    return round_div(unit_price * quantity_milli, 1000)


def tax_part(amount_incl: int, rate_percent: int) -> int:
    """The tax contained in a tax-inclusive amount at ``rate_percent``."""
    return round_div(amount_incl * rate_percent, 100 + rate_percent)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` across ``weights`` proportionally, exactly (largest remainder)."""
    if not weights:
        return []
    base = sum(weights)
    if base == 0:
        shares = [0] * len(weights)
        shares[0] = total
        return shares
    raw = [total * w for w in weights]
    shares = [r // base for r in raw]
    rest = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] % base), i))
    for i in order[:rest]:
        shares[i] += 1
    return shares
