"""What the stall's settings accept: the cooperative's ICE and logo."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos import settings
from pos.errors import InputError


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("001234567000089", "001234567000089"),
        (" 001 234 567 000 089 ", "001234567000089"),  # spaces, as it is often written
        ("٠٠١٢٣٤٥٦٧٠٠٠٠٨٩", "001234567000089"),  # Arabic-Indic digits
        ("001\u00a0234\u00a0567\u00a0000\u00a0089", "001234567000089"),
        ("", ""),  # optional
        ("   ", ""),
    ],
)
def test_an_ice_is_kept_as_its_15_digits(typed: str, kept: str) -> None:
    assert settings.check_ice(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "12AB",
        "00123456700008",
        "0012345670000890",
        "001-234-567-000-089",
        "ICE001234567000",
        "00123456700008٩x",
        "¹²³⁴⁵⁶⁷⁸⁹⁰¹²³⁴⁵",
    ],
)
def test_anything_but_15_digits_is_refused_as_an_ice(typed: str) -> None:
    with pytest.raises(InputError) as refused:
        settings.check_ice(typed)
    assert refused.value.message("fr") == (
        "Un ICE compte 15 chiffres ; les espaces ne comptent pas."
    )
    assert refused.value.message("ar") == (
        "التعريف الموحد للمقاولة (ICE) من 15 رقمًا، ولا تُحتسب الفراغات."
    )


def test_a_logo_must_be_an_image_that_is_there(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    jpeg = tmp_path / "logo.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + bytes(32))
    assert settings.check_logo(f" {png} ") == str(png)
    assert settings.check_logo(str(jpeg)) == str(jpeg)
    assert settings.check_logo("") == ""
    text = tmp_path / "logo.txt"
    text.write_text("not a picture", encoding="utf-8")
    for path, key in (
        (tmp_path / "missing.png", "settings.logo_missing"),
        (tmp_path, "settings.logo_missing"),  # a folder
        (text, "settings.logo_not_image"),
    ):
        with pytest.raises(InputError) as refused:
            settings.check_logo(str(path))
        assert refused.value.key == key
