"""What the Unicode CLDR says about the stall's languages that the stall and the organisers'
server both follow: the plural form a number takes, and how each language writes a
minus sign before Latin digits.

This module imports nothing of the project, so that both can share it (the server takes
nothing else of the stall's core but :mod:`pos.usage`).
"""

from __future__ import annotations

from typing import Final

#: the plural forms a catalogue may give a text (``key_one``, ``key_two``...), as the CLDR
#: names them
PLURAL_FORMS: Final = ("zero", "one", "two", "few", "many", "other")
#: the forms each language's rules use: Arabic has them all, French one, many (a million)
#: and other, English one and other
FORMS_OF: Final[dict[str, tuple[str, ...]]] = {
    "ar": PLURAL_FORMS,
    "fr": ("one", "many", "other"),
    "en": ("one", "other"),
}

LRM: Final = "\u200e"  # left-to-right mark
RLM: Final = "\u200f"  # right-to-left mark
#: The minus sign before Latin digits, as the CLDR gives it: in Arabic a left-to-right mark
#: then the hyphen-minus. In a right-to-left line the mark makes the digits after it
#: left-to-right (rule W7 of the bidi algorithm), so the minus stays before them
#: (``-25``); without it the line shows ``25-``.
MINUS: Final[dict[str, str]] = {"ar": LRM + "-"}


def plural_form(lang: str, thousandths: int) -> str:
    """The plural form (:data:`PLURAL_FORMS`) a number takes in ``lang``, by the CLDR rules
    (those of a browser's ``Intl.PluralRules``); the number in thousandths, as quantities
    are kept (``1500``: 1.5, which French counts as one, English and Arabic as other).

    Arabic: 0 zero, 1 one, 2 two, 3-10 few (plural), 11-99 many (accusative singular),
    100, 101, 102 and any other number other; the same by the last two digits past 100
    (103 few, 111 many). French: 0 and 1 (and 1.5) one, whole millions many.
    """
    whole, rest = divmod(abs(thousandths), 1000)
    if lang == "fr":
        if whole in (0, 1):
            return "one"
        return "many" if not rest and whole % 1_000_000 == 0 else "other"
    if lang != "ar":
        return "one" if whole == 1 and not rest else "other"
    if rest:
        return "other"
    hundreds = whole % 100
    if whole in (0, 1, 2):
        return ("zero", "one", "two")[whole]
    if 3 <= hundreds <= 10:
        return "few"
    return "many" if hundreds >= 11 else "other"


def minus_sign(lang: str) -> str:
    """The minus sign of ``lang`` (:data:`MINUS`), the hyphen-minus where no mark is needed."""
    return MINUS.get(lang, "-")


def money_prefix(lang: str, centimes: int) -> str:
    """What an amount with its currency begins with: a negative one in Arabic with a
    right-to-left mark, as the CLDR's Arabic currency pattern. Its minus's left-to-right
    mark would otherwise be its first strong character, and a text that starts with it
    (a label, a receipt's column) would be taken as left-to-right: the currency would move
    to the other side of the digits and its final dot to the front."""
    return RLM if centimes < 0 and lang in MINUS else ""
