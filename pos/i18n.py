"""Translated messages, in Arabic, French and English.

Every user-visible string lives in a JSON catalogue under ``resources/i18n/`` (one file per
area: ``pos.json``, ``ui.json``...), each entry giving the three languages side by side::

    {"money.not_a_number": {"en": "'{text}' is not an amount", "fr": "...", "ar": "..."}}

Placeholders use :meth:`str.format` syntax and must be the same in every language (a test
checks it). Never translate an f-string: translate the template, then format.

A message about a number of things (:func:`tr_count`) may have plural forms, each its own
entry named by the CLDR form (``key_one``, ``key_two``, ``key_few``...) in the languages
whose rules have that form (:data:`pos.cldr.FORMS_OF`); Arabic has six::

    {"journal.ok_few": {"ar": "السجل سليم: {count} قيود، الرأس {head}."}}
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Final

from pos.cldr import PLURAL_FORMS, plural_form

LANGUAGES: Final = ("ar", "fr", "en")
DEFAULT_LANGUAGE: Final = "fr"
RTL_LANGUAGES: Final = frozenset({"ar"})


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages of all areas, keyed by message id."""
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("resources") / "i18n"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data: dict[str, dict[str, str]] = json.loads(entry.read_text(encoding="utf-8"))
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"message id {key!r} defined twice ({entry.name})")
            merged[key] = texts
    return merged


def placeholders(template: str) -> set[str]:
    """Names of the ``{placeholders}`` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def normalise_language(lang: str | None) -> str:
    """Map 'fr_MA.UTF-8', 'ar-MA', None... to one of :data:`LANGUAGES`."""
    if lang:
        short = lang.replace("-", "_").split("_")[0].split(".")[0].lower()
        if short in LANGUAGES:
            return short
    return DEFAULT_LANGUAGE


_DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def latin_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits written 0-9 (what an Arabic keyboard
    types into a number, an address or a port)."""
    return text.translate(_DIGITS)


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGUAGES


def comma(lang: str) -> str:
    """What separates the items of a list in ``lang``: the Arabic comma in Arabic."""
    return "، " if lang == "ar" else ", "


def ltr(text: str, lang: str) -> str:
    """``text`` that reads left to right (a file path, an address) for a message in
    ``lang``: isolated (LRI ... PDI) in a right-to-left one, lest the bidi algorithm move
    its leading slash to the other end."""
    return f"\u2066{text}\u2069" if is_rtl(lang) else text


def reference_text(reference: str, lang: str) -> str:
    """A card or transfer reference as ``lang`` shows it: read left to right as it was
    typed, in Arabic too, where the bidi algorithm would otherwise set the groups of digits
    of ``4521 8890`` right to left (``8890 4521``); isolated (:func:`ltr`)."""
    return ltr(reference, lang)


def lookup(lang: str, key: str) -> str | None:
    """The message ``key`` in ``lang`` (else in English) as the catalogue writes it,
    unformatted; None when there is no such message (for texts a caller has its own for)."""
    texts = catalogue().get(key)
    return (texts.get(lang) or texts.get("en")) if texts else None


def tr(lang: str, key: str, /, **params: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``.

    A missing message falls back to English, then to the key itself, so a gap never crashes
    the till (the translation test is what catches gaps).
    """
    texts = catalogue().get(key)
    if texts is None:
        return key
    template = texts.get(lang) or texts.get("en") or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def category_label(category: str, lang: str) -> str:
    """A product category in ``lang``: the catalogue's own categories (``oils``) by their
    name (``Huiles``), one of the stall's own as it was typed."""
    key = f"category.{category}"
    text = tr(lang, key)
    return category if text == key else text


def tr_count(lang: str, key: str, count: int, /, **params: object) -> str:
    """The message ``key`` about ``count`` things, ``{count}`` filled in, in the plural
    form the number takes in ``lang`` (:func:`pos.cldr.plural_form`).

    The catalogue's ``key + "_" + form`` is read when it gives that form in ``lang``, else
    ``key`` itself (the form "other"): in French 0 and 1 take ``_one`` ("0 produit
    importé"); in Arabic 0 ``_zero``, 1 ``_one``, 2 ``_two`` (their words may say the
    number), 3 to 10 ``_few`` with the plural ("4 قيود"), 11 to 99 ``_many`` with the
    accusative singular ("11 قيدًا"), 100 to 102 ``key`` ("100 قيد"), and past 100 as
    their last two digits say (103 few, 111 many).
    """
    form = f"{key}_{plural_form(lang, count * 1000)}"
    if (catalogue().get(form) or {}).get(lang):
        key = form
    return tr(lang, key, count=count, **params)


def plural_base(key: str) -> str | None:
    """The message ``key`` is a plural form of (``journal.ok`` for ``journal.ok_few``),
    when it is one: its suffix names a CLDR form and that message counts ``{count}``."""
    base, _, form = key.rpartition("_")
    texts = catalogue().get(base)
    if form not in PLURAL_FORMS or texts is None:
        return None
    return base if "count" in placeholders(texts.get("en", "")) else None


class Translator:
    """Messages bound to one language; ``t("key", n=3)``."""

    def __init__(self, lang: str) -> None:
        self.lang = normalise_language(lang)

    def __call__(self, key: str, /, **params: object) -> str:
        return tr(self.lang, key, **params)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)
