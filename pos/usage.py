"""argparse's usage errors read back into what went wrong, and its help put in the
user's language, so that a command line speaks it from ``--help`` to its last error.

argparse words its errors in English only (``the following arguments are required:
--day``). :func:`read` turns such a message into a kind and its parameters; ``souk-pos``
and ``souk-server`` each word every kind in their own catalogue. :func:`translate_help`
gives a parser and all its subcommands the help texts of a catalogue, before argparse
prints any. This module imports nothing of the project, so that both command lines can
share it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from typing import Any, Final

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


#: a catalogue's text for a message id, in the user's language; None when it has none
Words = Callable[[str], str | None]
#: argparse's own words, under a command line's prefix (``cli.help.usage``...): "usage: ",
#: "options", "positional arguments", "show this help message and exit"
OWN_WORDS: Final = ("usage", "options", "positionals", "help")


def translate_help(parser: argparse.ArgumentParser, words: Words, prefix: str) -> None:
    """Give ``parser`` and its subcommands, recursively, the help texts ``words`` finds
    (:func:`help_keys`), before argparse prints any. A text ``words`` does not have stays
    as the parser gives it. Option names, metavars and choices are never translated: they
    are what the user types (and an Arabic help keeps them Latin)."""
    own = {name: words(f"{prefix}.{name}") for name in OWN_WORDS}
    for key, target, attribute in _texts(parser, prefix):
        text = words(key)
        if text and attribute == "help":
            text = text.replace("%", "%%")  # argparse reads ``%(default)s`` in a help
        setattr(target, attribute, text or getattr(target, attribute))
    for sub in _parsers(parser):
        if own["usage"]:
            sub.formatter_class = _formatter(own["usage"])
        sub._positionals.title = own["positionals"] or sub._positionals.title
        sub._optionals.title = own["options"] or sub._optionals.title
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = own["help"] or action.help


def help_keys(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    """The message ids of ``parser``'s help texts: ``prefix`` (``cli.help``) describes the
    program, ``prefix.init`` its subcommand ``init`` (in its parent's list and atop its own
    help), ``prefix.init.manager_pin`` that command's argument of that ``dest``, and
    :data:`OWN_WORDS` argparse's own."""
    keys = [f"{prefix}.{name}" for name in OWN_WORDS]
    return keys + list(dict.fromkeys(key for key, _, _ in _texts(parser, prefix)))


def _texts(parser: argparse.ArgumentParser, key: str) -> Iterator[tuple[str, Any, str]]:
    """(message id, object, attribute) of every help text of ``parser`` and its
    subcommands: its description, each argument's help, each subcommand's."""
    yield key, parser, "description"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._get_subactions():
                yield f"{key}.{choice.dest}", choice, "help"
            for name, sub in action.choices.items():
                yield from _texts(sub, f"{key}.{name}")
        elif not isinstance(action, argparse._HelpAction) and action.help != argparse.SUPPRESS:
            yield f"{key}.{action.dest}", action, "help"


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _formatter(usage: str) -> Callable[..., argparse.HelpFormatter]:
    """argparse's formatter, its "usage: " said as ``usage``."""

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, text: str | None, actions: Any, groups: Any,
                      prefix: str | None = None) -> None:
            super().add_usage(text, actions, groups, usage if prefix is None else prefix)

    return Formatter
