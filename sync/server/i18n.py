"""The dashboard's languages: catalogues from ``resources/dashboard/i18n`` and money format.

Arabic is written right to left. Money is shown as people in Morocco write it:
``1 250,50 DH`` in French, ``1 250,50 د.م.`` in Arabic (with no-break spaces).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Mapping

LANGS = ("ar", "fr", "en")
DEFAULT_LANG = "ar"
RTL = frozenset({"ar"})
CURRENCY = {"ar": "د.م.", "fr": "DH", "en": "MAD"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def asset(*parts: str) -> bytes:
    """The bytes of a file under ``resources/dashboard``."""
    return importlib.resources.files("resources").joinpath("dashboard", *parts).read_bytes()


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    data: dict[str, str] = json.loads(asset("i18n", f"{lang}.json"))
    return data


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def choose_lang(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The asked language, else the remembered one, else the browser's, else Arabic."""
    for candidate in (requested, cookie):
        if candidate in LANGS:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.strings = catalogue(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.strings[key]
        return text.format(**values) if values else text

    @property
    def dir(self) -> str:
        return direction(self.lang)

    def money(self, centimes: int) -> str:
        return format_money(centimes, self.lang)

    def sector(self, sector: str) -> str:
        return self(f"sector_{sector}")


NBSP = "\u00a0"


def format_amount(centimes: int) -> str:
    """``125050`` -> ``1 250,50``: a no-break space between thousands, a decimal comma.

    The no-break space is a "common separator" for the Unicode bidi algorithm, so in an
    Arabic (right-to-left) line the groups of a number stay in order, which a plain
    space would not ensure.
    """
    sign = "-" if centimes < 0 else ""
    units, cents = divmod(abs(centimes), 100)
    grouped = f"{units:,}".replace(",", NBSP)
    return f"{sign}{grouped},{cents:02d}"


def format_money(centimes: int, lang: str) -> str:
    """``125,50 DH`` (fr), ``125,50 د.م.`` (ar); a no-break space before the currency."""
    return f"{format_amount(centimes)}{NBSP}{CURRENCY.get(lang, 'DH')}"
