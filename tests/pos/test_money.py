from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from pos.errors import InputError
from pos.money import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    allocate,
    format_amount,
    format_money,
    format_quantity,
    parse_money,
    parse_percent,
    parse_quantity,
    parse_stock,
    round_div,
    tax_part,
)
from tests.helpers import drawn_order

RTL, AUTO = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LayoutDirectionAuto


@pytest.mark.parametrize(
    ("typed", "centimes"),
    [
        ("12,5", 1250),
        ("12.50", 1250),
        (" 12 ", 1200),
        ("١٢٫٥", 1250),
        ("۱۲,۵۰", 1250),
        ("0,05", 5),
        ("1 250,50", 125050),
        ("1.250,00", 125000),
        ("125 DH", 12500),
        ("125,50 د.م.", 12550),
        ("MAD 7", 700),
        ("12,", 1200),
        ("3,10", 310),
        ("0.500", 50),  # one separator is always the decimal point, never thousands
        ("0,500", 50),
        ("12.500", 1250),
        ("1.250,50", 125050),  # both separators: the last one is the decimal point
        ("1,250.50", 125050),
        ("1.250.000", 125000000),  # the same separator repeated between groups of three
        ("1,250,000", 125000000),
        ("1.250.000,75", 125000075),
        ("1\u00a0250,50 DH", 125050),
        ("1\u202f250,50", 125050),
        ("12 500", 1250000),
        ("١٬٢٥٠٫٥٠", 125050),
        ("٠٫٥٠٠", 50),
        ("MAD 1,250.50", 125050),
        ("1\u00a0250,50\u00a0DH", 125050),  # an amount as the till writes it, pasted back
        ("125,50\u00a0د.م.", 12550),
        ("MAD\u00a01,250.50", 125050),
    ],
)
def test_parses_what_sellers_type(typed: str, centimes: int) -> None:
    assert parse_money(typed) == centimes


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "money.empty"),
        ("   ", "money.empty"),
        ("-5", "money.negative"),
        ("abc", "money.not_a_number"),
        ("12,345", "money.too_precise"),
        ("12,505", "money.too_precise"),
        ("12.345", "money.too_precise"),
        ("1.250,505", "money.too_precise"),
        ("1e5", "money.not_a_number"),
        ("12..5", "money.not_a_number"),
        ("12d5", "money.not_a_number"),
        ("12 5", "money.not_a_number"),
        ("1.25.000", "money.not_a_number"),
        ("1.2,50", "money.not_a_number"),
        ("1 250.000,50", "money.not_a_number"),
        ("1,250.5,0", "money.not_a_number"),
        ("12٫5٫0", "money.not_a_number"),
        ("99999999999", "money.too_large"),
    ],
)
def test_rejects_bad_amounts_with_a_message(typed: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_money(typed)
    assert caught.value.key == key
    for lang in ("ar", "fr", "en"):
        text = caught.value.message(lang)
        assert text and "{" not in text and text != key


def test_error_messages_speak_the_users_language() -> None:
    with pytest.raises(InputError) as caught:
        parse_money("abc")
    assert "montant" in caught.value.message("fr")
    assert "مبلغ" in caught.value.message("ar")
    assert "amount" in caught.value.message("en")


def test_formats_as_written_in_morocco() -> None:
    # a no-break space in the thousands and before (after) the currency: never wrapped
    assert format_money(12550, "fr") == "125,50\u00a0DH"
    assert format_money(12550, "ar") == "125,50\u00a0د.م."
    assert format_money(12550, "en") == "MAD\u00a0125.50"
    assert format_money(125050, "fr") == "1\u00a0250,50\u00a0DH"
    assert format_money(-5, "fr") == "-0,05\u00a0DH"


def test_arabic_numbers_below_zero_take_the_cldr_minus() -> None:
    """In Arabic the minus is the CLDR's, a left-to-right mark before the hyphen-minus, and
    an amount with its currency below zero starts with a right-to-left mark, as a
    browser's ``Intl.NumberFormat("ar-MA")`` writes them; French and English keep the bare
    minus."""
    assert format_money(-52_100, "ar") == "\u200f\u200e-521,00\u00a0د.م."
    assert format_amount(-52_100, "ar") == "\u200e-521,00"
    assert format_quantity(-1_250, "kg", "ar") == "\u200e-1,25"
    assert format_money(52_100, "ar") == "521,00\u00a0د.م."
    assert format_money(0, "ar") == format_amount(0, "ar") + "\u00a0د.م."
    assert format_money(-52_100, "fr") == "-521,00\u00a0DH"
    assert format_money(-52_100, "en") == "MAD\u00a0-521.00"
    assert format_quantity(-1_250, "kg", "fr") == "-1,25"


@pytest.mark.parametrize("direction", [RTL, AUTO], ids=["right-to-left", "its own"])
@pytest.mark.parametrize(("shown", "drawn"), [
    (format_money(-52_100, "ar"), ".م.د-521,00"),
    (format_amount(-52_100, "ar"), "-521,00"),
    (format_quantity(-2_000, "piece", "ar"), "-2"),
    ("المجموع: " + format_money(-52_100, "ar"), ".م.د-521,00:عومجملا"),
    ("التخفيض " + format_money(-5_210, "ar"), ".م.د-52,10ضيفختلا"),
    (format_money(52_100, "ar"), ".م.د521,00"),
])
def test_an_arabic_line_draws_the_minus_before_the_digits(
    shown: str, drawn: str, direction: Qt.LayoutDirection
) -> None:
    """Drawn in a right-to-left line, or in a line that takes its direction from its text
    (a label), the minus is at the left of the digits and the currency at their left, as
    for an amount above zero (a bare minus would be drawn at their right: 521,00-)."""
    assert drawn_order(shown, direction) == drawn


def test_more_than_two_decimals_of_money_are_refused_clearly() -> None:
    with pytest.raises(InputError) as caught:
        parse_money("12,505")
    assert caught.value.message("fr") == (
        "« 12,505 » : un montant a au plus 2 chiffres après la virgule "
        "(séparez les milliers par une espace : 1 250)."
    )
    assert "12,505" in caught.value.message("ar") and "2" in caught.value.message("ar")


@given(st.integers(min_value=0, max_value=MAX_AMOUNT), st.sampled_from(["fr", "ar", "en"]))
def test_formatting_round_trips_through_parsing(centimes: int, lang: str) -> None:
    assert parse_money(format_money(centimes, lang)) == centimes
    ungrouped = format_amount(centimes, lang).replace("\u00a0", "")
    if lang == "en":
        ungrouped = ungrouped.replace(",", "")  # "1250.50", as a spreadsheet writes it
    assert parse_money(ungrouped) == centimes


@given(st.integers(min_value=1, max_value=MAX_QUANTITY), st.sampled_from(["fr", "ar", "en"]))
def test_quantities_round_trip_through_parsing(milli: int, lang: str) -> None:
    assert parse_quantity(format_quantity(milli, "kg", lang)) == milli


@given(st.integers(min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY))
def test_stock_round_trips_through_parsing(milli: int) -> None:
    """Also in Arabic, whose minus carries a direction mark (a stock below zero shown in
    the product's form reads back)."""
    assert parse_stock(format_quantity(milli, "kg", "en")) == milli
    assert parse_stock(format_quantity(milli, "kg", "fr")) == milli
    assert parse_stock(format_quantity(milli, "kg", "ar")) == milli


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_arabic_indic_digits_parse_like_latin_ones(centimes: int) -> None:
    latin = format_amount(centimes, "fr").replace("\u00a0", "")
    arabic = latin.translate(str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩٫"))
    assert parse_money(arabic) == parse_money(latin) == centimes


def test_quantities_and_percentages() -> None:
    assert parse_quantity("1,250") == 1250
    assert parse_quantity("٢") == 2000
    assert parse_quantity("0.5") == 500
    assert format_quantity(1250, "kg", "fr") == "1,25"
    assert format_quantity(2000) == "2"
    assert parse_percent("12,5 %") == 1250
    assert parse_percent("12.5") == 1250
    assert parse_quantity("0", allow_zero=True) == 0
    with pytest.raises(InputError):
        parse_quantity("0")
    with pytest.raises(InputError):
        parse_percent("120")


@pytest.mark.parametrize(
    ("typed", "milli"),
    [
        ("0.500", 500),  # half a kilo off the scale, not 500 kg
        ("0.750", 750),
        ("1.250", 1250),
        ("1,250", 1250),
        ("1.5", 1500),
        ("٠٫٧٥٠", 750),
        ("١٫٢٥٠", 1250),
        ("1 250", 1250000),
        ("1.250,5", 1250500),
        ("1,250.5", 1250500),
        ("12.000", 12000),
    ],
)
def test_quantities_keep_three_decimals(typed: str, milli: int) -> None:
    assert parse_quantity(typed) == milli


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("1,2505", "quantity.too_precise"),
        ("0.000", "quantity.zero"),
        ("-1", "quantity.negative"),
        ("1.250.000", "quantity.too_large"),
        ("1.25.0", "quantity.not_a_number"),
        ("", "quantity.empty"),
    ],
)
def test_rejects_bad_quantities(typed: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_quantity(typed)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("typed", "milli"),
    [
        ("0", 0),
        ("0.0", 0),
        ("-0", 0),
        ("-6", -6000),
        ("-1,5", -1500),
        ("\u22122.250", -2250),
        ("40", 40000),
        ("1.500", 1500),
        ("-١٫٥", -1500),
    ],
)
def test_stock_may_be_zero_or_below_zero(typed: str, milli: int) -> None:
    assert parse_stock(typed) == milli


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("--6", "quantity.not_a_number"),
        ("-", "quantity.not_a_number"),
        ("six", "quantity.not_a_number"),
        ("6-", "quantity.not_a_number"),
        ("-1,2505", "quantity.too_precise"),
        ("-2000000", "quantity.too_large"),
        (" ", "quantity.empty"),
    ],
)
def test_stock_refuses_nonsense(typed: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_stock(typed)
    assert caught.value.key == key
    assert typed.strip() in caught.value.message("fr")


@given(st.integers(-10**9, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_allocation_is_exact_and_proportional(total: int, weights: list[int]) -> None:
    shares = allocate(total, weights)
    assert sum(shares) == total
    base = sum(weights)
    if base:
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share * base - total * weight) <= base


def test_rounding_and_tax() -> None:
    assert round_div(5, 2) == 3
    assert round_div(-5, 2) == -3
    assert tax_part(12000, 20) == 2000
    assert tax_part(10700, 7) == 700
    assert tax_part(999, 0) == 0
