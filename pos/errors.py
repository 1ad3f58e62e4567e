"""Errors the user can cause or meet, carrying a translatable message."""

from __future__ import annotations

from pos.i18n import tr


class SoukError(Exception):
    """An error with a message id and parameters, shown in the user's language."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(tr("en", key, **params))

    def message(self, lang: str) -> str:
        return tr(lang, self.key, **self.params)


class InputError(SoukError):
    """Bad input typed or supplied by the user (a price, a CSV row, an argument)."""


class RuleError(SoukError):
    """An operation the rules forbid (day closed, refund more than sold, wrong PIN...)."""


class AuthError(RuleError):
    """A PIN is wrong, or the user lacks the role the operation needs."""
