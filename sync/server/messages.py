"""The admin command line's messages in Arabic, French and English.

They live in ``resources/i18n/server.json`` beside the stall's catalogues (one test checks
every catalogue has the three languages with the same placeholders); the server reads its
own file and nothing of the stall.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources

from sync.server.i18n import format_date

LANGUAGES = ("ar", "fr", "en")


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = (resources.files("resources") / "i18n" / "server.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def language(requested: str | None = None) -> str:
    """``requested``, else the one LANG names when it is Arabic or French, else English."""
    for candidate in (requested, os.environ.get("LANG")):
        if candidate:
            short = candidate.replace("-", "_").split("_")[0].split(".")[0].lower()
            if short in LANGUAGES:
                return short
    return "en"


def lookup(lang: str, key: str) -> str | None:
    """The message ``key`` in ``lang`` (else in English), unformatted; None when there is
    no such message."""
    texts = _catalogue().get(key)
    return (texts.get(lang) or texts.get("en")) if texts else None


def tr(lang: str, key: str, /, **params: object) -> str:
    texts = _catalogue().get(key, {})
    template = texts.get(lang) or texts.get("en") or key
    return template.format(**params)


class AdminError(ValueError):
    """Bad input for an admin operation: a message id and its parameters, shown to the
    organiser in their language, before anything is written."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return message(lang, self.key, self.params)


def message(lang: str, key: str, params: dict[str, object]) -> str:
    """A message in ``lang``, its :class:`Field` parameters translated with it, those
    that are an :class:`AdminError` (the problem of a file's row) said in it, its days
    (a date, :class:`Day`, :class:`Days`) written as the commands write them in it
    (12/05/2026), and an :class:`InLanguage` value written in it."""
    return tr(lang, key, **{k: _shown(lang, v) for k, v in params.items()})


def _shown(lang: str, value: object) -> object:
    if isinstance(value, Field):
        return tr(lang, value.key)
    if isinstance(value, AdminError):
        return value.message(lang)
    if isinstance(value, InLanguage):
        return value.write(lang)
    if isinstance(value, Day):
        return format_date(value.day, lang)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_date(value, lang)  # a refused bundle's day (``souk-server import``)
    if isinstance(value, Days):
        more = ["…"] if len(value.days) > Days.NAMED else []
        return listed(lang, [format_date(d, lang) for d in value.days[:Days.NAMED]] + more)
    return value


def listed(lang: str, items: Sequence[str]) -> str:
    """``items`` one after the other, with the language's comma (in Arabic "،")."""
    return ("، " if lang == "ar" else ", ").join(items)


class InLanguage:
    """A value a message writes in its language (``write(lang)``): the sectors' names."""

    def __init__(self, write: Callable[[str], str]) -> None:
        self.write = write


class Day:
    """A day in a message, written as the commands write it in its language."""

    def __init__(self, day: dt.date) -> None:
        self.day = day


class Days:
    """Days named in a message: the first :attr:`NAMED` of them, then "…"."""

    NAMED = 5

    def __init__(self, days: Sequence[dt.date]) -> None:
        self.days = list(days)


class Field:
    """A field's name in messages (``Field("server.field.city")``), translated with them."""

    def __init__(self, key: str) -> None:
        self.key = key
