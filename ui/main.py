"""The ``souk-pos`` entry point: the stall app, plus every headless command.

With no command it opens the app; ``souk-pos sync ...`` and ``souk-pos screenshots DIR``
join the core's commands (``pos.cli``).

Opening the app (no command, at most ``--data-dir`` and ``--lang``) does not load the
command-line layer, which imports the whole core: the till's first screen is drawn before
SQLAlchemy is loaded (see ``ui.app``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pos.files import DB_FILENAME, default_data_dir, saved_language
from pos.i18n import LANGUAGES

if TYPE_CHECKING:
    from pos.cli import Context



def cmd_app(ctx: Context, _args: argparse.Namespace) -> int:
    from ui.app import run_app

    return run_app(ctx.data_dir, lang=ctx.lang)


def cmd_screenshots(ctx: Context, args: argparse.Namespace) -> int:
    from ui.screenshots import command

    return command(args.dir, ctx.say)


def app_options(argv: Sequence[str]) -> tuple[Path | None, str | None] | None:
    """``(data_dir, lang)`` when ``argv`` only opens the app, else None (a command, help,
    or anything the full parser should judge)."""
    found: dict[str, str] = {}
    items = list(argv)
    while items:
        arg = items.pop(0)
        name, eq, value = arg.partition("=")
        if name not in ("--data-dir", "--lang") or name in found:
            return None
        if not eq:
            if not items:
                return None
            value = items.pop(0)
        found[name] = value
    lang = found.get("--lang")
    if lang is not None and lang not in LANGUAGES:
        return None
    data_dir = found.get("--data-dir")
    return (Path(data_dir) if data_dir is not None else None), lang


def open_app(data_dir: Path, lang: str) -> int:
    """The app, with ``pos.cli.run``'s one-line messages for a failure to start."""
    from ui.app import run_app

    try:
        return run_app(data_dir, lang=lang)
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        from pos.errors import SoukError
        if isinstance(exc, SoukError):
            print(f"souk-pos: {exc.message(lang)}", file=sys.stderr)
            return 2
        if isinstance(exc, OperationalError):
            from pos.files import DB_FILENAME
            from pos.oserrors import database_problem

            problem = database_problem(exc, data_dir / DB_FILENAME)
            print(f"souk-pos: {problem.message(lang)}", file=sys.stderr)
            return 1
        raise


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    options = app_options(args)
    if options is not None:
        data_dir = options[0] or default_data_dir()
        return open_app(data_dir, options[1] or saved_language(data_dir / DB_FILENAME))
    from pos.cli import run

    return run(args, command_parser(), default=cmd_app)


def command_parser() -> argparse.ArgumentParser:
    """``souk-pos``'s whole parser: the core's commands, ``sync`` and ``screenshots``."""
    from pos.cli import build_parser, command
    from sync.client.cli import register as register_sync

    parser, sub = build_parser()
    register_sync(sub)
    p = command(sub, "screenshots")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_screenshots)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
