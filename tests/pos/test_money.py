from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.errors import InputError
from pos.money import (
    MAX_AMOUNT,
    allocate,
    format_amount,
    format_money,
    format_quantity,
    parse_money,
    parse_percent,
    parse_quantity,
    round_div,
    tax_part,
)


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
        ("1e5", "money.not_a_number"),
        ("12..5", "money.not_a_number"),
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
    assert format_money(12550, "fr") == "125,50 DH"
    assert format_money(12550, "ar") == "125,50 د.م."
    assert format_money(12550, "en") == "MAD 125.50"
    assert format_money(125050, "fr") == "1\u00a0250,50 DH"
    assert format_money(-5, "fr") == "-0,05 DH"


@given(st.integers(min_value=0, max_value=MAX_AMOUNT), st.sampled_from(["fr", "ar", "en"]))
def test_formatting_round_trips_through_parsing(centimes: int, lang: str) -> None:
    text = format_money(centimes, lang)
    if lang == "en":
        text = text.replace(",", "")  # English groups with commas; the parser reads commas
    assert parse_money(text) == centimes


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
    with pytest.raises(InputError):
        parse_quantity("0")
    with pytest.raises(InputError):
        parse_percent("120")


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
