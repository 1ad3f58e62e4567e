"""argparse's usage errors read back into what went wrong, so that a command line can say
it in the user's language.

argparse words its errors in English only (``the following arguments are required:
--day``). :func:`read` turns such a message into a kind and its parameters; ``souk-pos``
and ``souk-server`` each word every kind in their own catalogue. This module imports
nothing of the project, so that both command lines can share it.
"""

from __future__ import annotations

import re
from typing import Final

#: the kinds of usage error, and the parameters each gives
KINDS: Final = {
    "required": ("names",),
    "unknown": ("args",),
    "value": ("name",),
    "choice": ("name", "value", "choices"),
    "invalid": ("name", "value"),
    "ambiguous": ("name", "choices"),
    "no_value": ("name",),
    "other": ("message",),
}

_PATTERNS: Final = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "required"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), "unknown"),
    (re.compile(r"argument (?P<name>.+?): expected (?:one|at least one) argument"), "value"),
    (re.compile(r"argument (?P<name>.+?): invalid choice: (?P<value>.+?) "
                r"\(choose from (?P<choices>.+)\)"), "choice"),
    (re.compile(r"argument (?P<name>.+?): invalid \S+ value: (?P<value>.+)"), "invalid"),
    (re.compile(r"ambiguous option: (?P<name>\S+?)(?:=\S*)? could match (?P<choices>.+)"),
     "ambiguous"),
    (re.compile(r"argument (?P<name>.+?): ignored explicit argument .+"), "no_value"),
]


def read(message: str) -> tuple[str, dict[str, str]]:
    """(kind, parameters) of an argparse error message; the kind is one of :data:`KINDS`,
    ``"other"`` (with the message itself) for one this module does not know. The quotes
    argparse puts around values and choices are taken off."""
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return kind, {k: v.replace("'", "") for k, v in match.groupdict().items()}
    return "other", {"message": message}
