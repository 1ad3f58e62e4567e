"""The dashboard's languages: catalogues from ``resources/dashboard/i18n``, number formats
and the markets' local time.

Arabic is written right to left. Money is shown as people in Morocco write it:
``1 250,50 DH`` in French, ``1 250,50 د.م.`` in Arabic (with no-break spaces); counts and
quantities the same way (``10 933``, ``3,5``). Times are shown in Morocco's time.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
import re
import zoneinfo
from collections.abc import Mapping

# the stall's plural rules and minus sign, which the page's Intl.PluralRules follows too
from pos.cldr import PLURAL_FORMS, minus_sign, money_prefix, plural_form

LANGS = ("ar", "fr", "en")
DEFAULT_LANG = "ar"
RTL = frozenset({"ar"})
CURRENCY = {"ar": "د.م.", "fr": "DH", "en": "MAD"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
MARKET_ZONE = "Africa/Casablanca"


def asset(*parts: str) -> bytes:
    """The bytes of a file under ``resources/dashboard``."""
    return importlib.resources.files("resources").joinpath("dashboard", *parts).read_bytes()


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    data: dict[str, str] = json.loads(asset("i18n", f"{lang}.json"))
    return data


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


#: the placeholder of the number a plural form is chosen by
COUNT = "n"


def plural_base(key: str, strings: Mapping[str, str]) -> str | None:
    """The text ``key`` is a plural form of (``unit_piece`` for ``unit_piece_two``), when
    it is one: its suffix names a form and that text counts ``{n}``. A form may say its
    number in words instead of writing it ("قطعتان", two pieces)."""
    base, _, form = key.rpartition("_")
    if form not in PLURAL_FORMS or base not in strings:
        return None
    return base if COUNT in placeholders(strings[base]) else None


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


#: the refusals of a push the dashboard says in its own words (others: figures invalid)
REFUSAL_REASONS = {
    "server.err.day_outside_market": "refused_outside_market",
    "server.err.body_too_large": "refused_too_large",
    "server.err.day_too_large": "refused_too_large",
}


def refusal_reason(key: str | None, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The dashboard's message for a push's refusal (its message id, its parameters): its
    key, and its values (days, in ISO form, for the caller's language to write)."""
    reason = REFUSAL_REASONS.get(key or "", "refused_invalid")
    if reason != "refused_outside_market":
        return reason, {}
    day = params.get("day")  # the day is what it says: without it, the figures are invalid
    return (reason, {"day": day}) if day else ("refused_invalid", {})


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

    def date(self, day: dt.date | str) -> str:
        return format_date(day, self.lang)

    def short_date(self, day: dt.date | str) -> str:
        return format_short_date(day, self.lang)

    def moment(self, utc: dt.datetime) -> str:
        return format_moment(utc, self.lang)

    def refusal(self, key: str | None, params: Mapping[str, str] | None) -> str:
        """Why a till's figures are refused, from the refusal's message id and parameters
        as the server keeps them (``CoopRow.refused_key``), as the dashboard says it."""
        reason, values = refusal_reason(key, params or {})
        return self(reason, **{k: self.date(v) for k, v in values.items()})

    def axis_money(self, centimes: int) -> str:
        return format_axis_amount(centimes, self.lang)

    @property
    def colon(self) -> str:
        """What puts a value after its label (:func:`label_colon`)."""
        return label_colon(self.lang)

    @property
    def currency(self) -> str:
        return CURRENCY[self.lang]

    @property
    def signs(self) -> dict[str, str]:
        """What the page's script writes a negative number with, as :func:`format_amount`
        and :func:`format_money` do: the minus, and the mark a negative amount with its
        currency starts with."""
        return {"minus": minus_sign(self.lang), "money_mark": money_prefix(self.lang, -1)}

    def sector(self, sector: str) -> str:
        return self(f"sector_{sector}")

    def count(self, value: int) -> str:
        return format_count(value, self.lang)

    def quantity(self, thousandths: int) -> str:
        return format_quantity(thousandths, self.lang)

    def percent(self, value: int) -> str:
        return format_percent(value, self.lang)

    def counted(self, key: str, thousandths: int, shown: str) -> str:
        """The text ``key`` in the plural form of a number (in thousandths), the number
        written as ``shown``."""
        form = f"{key}_{plural_form(self.lang, thousandths)}"
        return self(form if form in self.strings else key, **{COUNT: shown})

    def measure(self, thousandths: int, unit: str | None) -> str:
        """A quantity with its unit, as the stalls name units: ``3,5 kg``, ``12 pièces``,
        in Arabic ``قطعتان``; without a unit (an older stall did not say it) the number
        alone."""
        shown = self.quantity(thousandths)
        if unit is None or f"unit_{unit}" not in self.strings:
            return shown
        return self.counted(f"unit_{unit}", thousandths, shown)

    @property
    def zone(self) -> str:
        """The name of the zone :func:`market_time` gives times in: Morocco's, or UTC when
        this machine has no time zone data."""
        return self("morocco_time") if market_zone() is not None else "UTC"


NBSP = "\u00a0"


def format_amount(centimes: int, lang: str = "fr") -> str:
    """``125050`` -> ``1 250,50``: a no-break space between thousands, a decimal comma;
    in English ``1,250.50``, as the stalls write it.

    The no-break space is a "common separator" for the Unicode bidi algorithm, so in an
    Arabic (right-to-left) line the groups of a number stay in order, which a plain
    space would not ensure. A negative amount's minus is the language's
    (:func:`pos.cldr.minus_sign`: in Arabic it keeps its place before the digits).
    """
    sign = minus_sign(lang) if centimes < 0 else ""
    units, cents = divmod(abs(centimes), 100)
    if lang == "en":
        return f"{sign}{units:,}.{cents:02d}"
    grouped = f"{units:,}".replace(",", NBSP)
    return f"{sign}{grouped},{cents:02d}"


def label_colon(lang: str) -> str:
    """A label's colon before its value: in French after a no-break space ("13/05 : 0,00
    DH", which never starts a line with ":"), as the dashboard's script writes it."""
    return f"{NBSP}: " if lang == "fr" else ": "


def format_count(value: int, lang: str = "fr") -> str:
    """``10933`` -> ``10 933`` (a no-break space between thousands; ``10,933`` in English)."""
    return f"{value:,}" if lang == "en" else f"{value:,}".replace(",", NBSP)


def format_quantity(thousandths: int, lang: str = "fr") -> str:
    """``3500`` thousandths -> ``3,5``; ``12000`` -> ``12``; ``1234567`` -> ``1 234,567``
    (``3.5`` and ``1,234.567`` in English)."""
    sign = minus_sign(lang) if thousandths < 0 else ""
    units, rest = divmod(abs(thousandths), 1000)
    decimals = f"{rest:03d}".rstrip("0")
    point = "." if lang == "en" else ","
    return f"{sign}{format_count(units, lang)}{point + decimals if decimals else ''}"


def format_percent(value: int, lang: str) -> str:
    """A whole percentage: ``34 %`` in French (a no-break space before the sign), ``34%``
    in English and in Arabic. Written against its digits, the sign stays after them in a
    right-to-left line too (it takes their direction), where a space before it would
    let it go to their other side ("% 34")."""
    sign = minus_sign(lang) if value < 0 else ""
    return f"{sign}{format_count(abs(value), lang)}{NBSP if lang == 'fr' else ''}%"


@functools.cache
def market_zone() -> zoneinfo.ZoneInfo | None:
    """Morocco's time zone, or None when this machine has no time zone data (the
    ``tzdata`` package gives it)."""
    try:
        return zoneinfo.ZoneInfo(MARKET_ZONE)
    except zoneinfo.ZoneInfoNotFoundError:
        return None


def market_time(utc: dt.datetime) -> dt.datetime:
    """A naive UTC time as a naive time in Morocco (kept in UTC without zone data)."""
    zone = market_zone()
    if zone is None:
        return utc
    return utc.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)


def market_utc(local: dt.datetime) -> dt.datetime:
    """A naive time in Morocco as naive UTC (:func:`market_time` the other way)."""
    zone = market_zone()
    if zone is None:
        return local
    return local.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


def market_today() -> dt.date:
    """Today's date in Morocco, the markets' date, whatever the server's own time zone."""
    return market_time(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()


def format_money(centimes: int, lang: str) -> str:
    """``125,50 DH`` (fr), ``125,50 د.م.`` (ar), ``MAD 125.50`` (en, as the stalls' receipts
    write it); a no-break space between the amount and its currency. A negative one in
    Arabic starts with a right-to-left mark (:func:`pos.cldr.money_prefix`), as the
    stalls write it."""
    if lang == "en":
        return f"{CURRENCY['en']}{NBSP}{format_amount(centimes, lang)}"
    amount = format_amount(centimes, lang)
    return f"{money_prefix(lang, centimes)}{amount}{NBSP}{CURRENCY.get(lang, 'DH')}"


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def format_date(day: dt.date | str, lang: str) -> str:
    """A day as the dashboard writes it: ``25/11/2026`` in French and Arabic, the ISO date
    ``2026-11-25`` in English (``date`` in dashboard.js)."""
    iso = _iso(day)
    if lang == "en":
        return iso
    year, month, mday = iso.split("-")
    return f"{mday}/{month}/{year}"


def format_moment(utc: dt.datetime, lang: str) -> str:
    """A naive UTC time as it is read at the market: in Morocco's time (:func:`market_time`),
    its day as :func:`format_date` writes it, to the minute: ``25/11/2026 14:05``."""
    local = market_time(utc)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def format_short_date(day: dt.date | str, lang: str) -> str:
    """A day on a chart's axis, as the dashboard's: ``25/11`` (``11-25`` in English)."""
    return _iso(day)[5:] if lang == "en" else format_date(day, lang)[:5]


def format_time(moment: dt.datetime) -> str:
    """A time of day on a 24-hour clock, ``06:55:34``, in every language (as the stalls and
    the rest of the dashboard write it)."""
    return f"{moment:%H:%M:%S}"


def format_axis_amount(centimes: int, lang: str) -> str:
    """A value axis's figure in whole dirhams, grouped as counts (``12 500``), as the
    dashboard's charts label theirs; the axis names its currency once. Below zero (a day
    of more refunded than sold) with the language's minus, as amounts are written."""
    sign = minus_sign(lang) if centimes < 0 else ""
    return sign + format_count(abs(centimes) // 100, lang)
