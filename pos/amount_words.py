"""An amount of dirhams written in words, as Moroccan invoices write their total:
"mille huit cent soixante et un dirhams et cinquante centimes", "ألف وثمانمائة وواحد
وستون درهما وخمسون سنتيما", "one thousand, eight hundred and sixty-one dirhams and fifty
centimes".

The numbers come from num2words. In Arabic it is used for 1 to 999 only: the thousands,
millions and billions, and the noun counted after the number (درهم, سنتيم), follow the
rules of Arabic grammar written here, which num2words does not keep (it writes "أحد عشر
ألف" for 11,000 and "مائة و ألف ألف" for 101,000):

- 1 and 2 are said by the noun: "درهم واحد", "درهمان";
- a number ending in 3 to 10 counts a plural ("ثلاثة دراهم", "خمسة آلاف");
- one ending in 11 to 99 a singular in the accusative ("أحد عشر درهما", "عشرون ألفا");
- one ending in 00 (or in 1 or 2 after a hundred) a singular ("مائة درهم", "ألف درهم");
- a thousand, million or billion that the noun follows is in construct with it ("ألفا
  درهم", "أحد عشر ألف درهم");
- "و" is joined to the word it links ("ألف وثمانمائة"); no diacritics (the tanween of
  "درهمًا" is left out, as invoices type it).
"""

from __future__ import annotations

from typing import Final

from num2words import num2words

#: the forms of a counted noun: (singular, dual, singular accusative, plural)
Forms = tuple[str, str, str, str]

_DIRHAM: Final[Forms] = ("درهم", "درهمان", "درهما", "دراهم")
_CENTIME: Final[Forms] = ("سنتيم", "سنتيمان", "سنتيما", "سنتيمات")
_SCALES: Final[tuple[tuple[int, Forms, str], ...]] = (
    # (value, forms, the dual's construct form: "ألفا درهم")
    (10**9, ("مليار", "ملياران", "مليارا", "مليارات"), "مليارا"),
    (10**6, ("مليون", "مليونان", "مليونا", "ملايين"), "مليونا"),
    (10**3, ("ألف", "ألفان", "ألفا", "آلاف"), "ألفا"),
)
_TANWEEN: Final = "\u064b"


def _ar_below_1000(n: int) -> str:
    """1 to 999 in Arabic words, each "و" joined to its word."""
    words = str(num2words(n, lang="ar")).replace(_TANWEEN, "")
    return " ".join(words.split()).replace("و ", "و")


def _counted(n: int, forms: Forms) -> str:
    """The form of a noun counted by ``n`` (above 2) that follows its number."""
    rest = n % 100
    if 3 <= rest <= 10:
        return forms[3]
    if 11 <= rest <= 99:
        return forms[2]
    return forms[0]


def _ar_number(n: int, *, last: bool) -> list[str]:
    """The parts of ``n`` (at least 1) in Arabic words, highest first; ``last``: the
    counted noun follows it (a dual thousand is then "ألفا", in construct)."""
    parts: list[str] = []
    for value, forms, construct in _SCALES:
        count, n = divmod(n, value)
        if not count:
            continue
        ends = last and n == 0
        if count == 1:
            parts.append(forms[0])
        elif count == 2:
            parts.append(construct if ends else forms[1])
        else:
            form = _counted(count, forms)
            if ends and form == forms[2]:
                form = forms[0]  # in construct with the noun: "أحد عشر ألف درهم"
            parts.append(f"{_ar_below_1000(count)} {form}")
    if n:
        parts.append(_ar_below_1000(n))
    return parts


def _ar_amount(n: int, forms: Forms) -> str:
    """``n`` (at least 1) of a noun in Arabic: "درهم واحد", "درهمان", "ثلاثة دراهم"."""
    if n == 1:
        return f"{forms[0]} واحد"
    if n == 2:
        return forms[1]
    return f"{' و'.join(_ar_number(n, last=True))} {_counted(n, forms)}"


def arabic(centimes: int) -> str:
    """``centimes`` (at least 0) as Arabic words of dirhams and centimes."""
    dirhams, cents = divmod(centimes, 100)
    parts = [_ar_amount(n, forms) for n, forms in ((dirhams, _DIRHAM), (cents, _CENTIME)) if n]
    return " و".join(parts) if parts else f"صفر {_DIRHAM[0]}"


def french(centimes: int) -> str:
    """``centimes`` (at least 0) as French words: "vingt et un dirhams et dix centimes",
    "un million de dirhams"."""
    dirhams, cents = divmod(centimes, 100)
    parts = []
    if dirhams or not cents:
        words = str(num2words(dirhams, lang="fr")) if dirhams else "zéro"
        noun = "dirham" if dirhams <= 1 else "dirhams"
        of = " de" if words.endswith(("million", "millions", "milliard", "milliards")) else ""
        parts.append(f"{words}{of} {noun}")
    if cents:
        parts.append(f"{num2words(cents, lang='fr')} {'centime' if cents == 1 else 'centimes'}")
    return " et ".join(parts)


def english(centimes: int) -> str:
    """``centimes`` (at least 0) as English words: "one hundred dirhams and five centimes"."""
    dirhams, cents = divmod(centimes, 100)
    parts = []
    if dirhams or not cents:
        words = str(num2words(dirhams, lang="en")) if dirhams else "zero"
        parts.append(f"{words} {'dirham' if dirhams == 1 else 'dirhams'}")
    if cents:
        parts.append(f"{num2words(cents, lang='en')} {'centime' if cents == 1 else 'centimes'}")
    return " and ".join(parts)


def in_words(centimes: int, lang: str) -> str:
    """``centimes`` in words in ``lang`` (``ar``, ``fr`` or ``en``); a negative amount is
    written as its size (an invoice's total is never below zero)."""
    size = abs(centimes)
    if lang == "ar":
        return arabic(size)
    if lang == "en":
        return english(size)
    return french(size)
