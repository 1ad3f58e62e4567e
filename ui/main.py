"""The ``souk-pos`` entry point: the stall app, plus every headless command.

With no command it opens the app; ``souk-pos sync ...`` and ``souk-pos screenshots DIR``
join the core's commands (``pos.cli``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from pos.cli import Context, build_parser, run
from sync.client.cli import register as register_sync


def cmd_app(ctx: Context, _args: argparse.Namespace) -> int:
    from ui.app import run_app

    return run_app(ctx.data_dir, lang=ctx.lang)


def cmd_screenshots(ctx: Context, args: argparse.Namespace) -> int:
    from ui.screenshots import command

    return command(args.dir, ctx.say)


def main(argv: Sequence[str] | None = None) -> int:
    parser, sub = build_parser()
    register_sync(sub)
    p = sub.add_parser("screenshots", help="draw each main screen, in Arabic and French, to PNG")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_screenshots)
    return run(argv, parser, default=cmd_app)


if __name__ == "__main__":
    raise SystemExit(main())
