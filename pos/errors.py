"""Errors the user can cause or meet, carrying a translatable message."""

from __future__ import annotations

from dataclasses import dataclass

from pos.i18n import comma, ltr, tr, tr_count


class Amount(int):
    """An error parameter that is money (centimes): shown formatted in the user's language."""


@dataclass(frozen=True)
class Name:
    """An error parameter that is a product's name: its Arabic form in an Arabic message,
    its French (Latin script) one in French and English, each falling back on the other."""

    ar: str
    fr: str

    def in_language(self, lang: str) -> str:
        if lang == "ar":
            return self.ar or self.fr
        return self.fr or self.ar


class Items(tuple[str, ...]):
    """An error parameter that is a list (a file's line numbers): its items joined as
    ``lang`` writes a list (:func:`pos.i18n.comma`)."""


@dataclass(frozen=True)
class Counted:
    """An error parameter that is a number of things: the message ``key`` about ``count``
    of them, in the plural form the number takes in the user's language
    (:func:`pos.i18n.tr_count`)."""

    key: str
    count: int

    def in_language(self, lang: str) -> str:
        return tr_count(lang, self.key, self.count)


class Ltr(str):
    """An error parameter that reads left to right (a file path): isolated in a
    right-to-left message (:func:`pos.i18n.ltr`)."""


class SoukError(Exception):
    """An error with a message id and parameters, shown in the user's language."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self, lang: str) -> str:
        """The message in ``lang``; parameters that are errors themselves are rendered too."""
        from pos.money import format_money

        def show(value: object) -> object:
            if isinstance(value, SoukError):
                return value.message(lang)
            if isinstance(value, Items):
                return comma(lang).join(value)
            if isinstance(value, tuple):  # several errors, one a line
                return "\n".join(str(show(item)) for item in value)
            if isinstance(value, Amount):
                return format_money(value, lang)
            if isinstance(value, Name | Counted):
                return value.in_language(lang)
            if isinstance(value, Ltr):
                return ltr(value, lang)
            return value

        return tr(lang, self.key, **{k: show(v) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.message("en")


class InputError(SoukError):
    """Bad input typed or supplied by the user (a price, a CSV row, an argument)."""


class RuleError(SoukError):
    """An operation the rules forbid (day closed, refund more than sold, wrong PIN...)."""


class AuthError(RuleError):
    """A PIN is wrong, or the user lacks the role the operation needs."""
