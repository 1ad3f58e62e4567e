"""The ``souk-pos`` entry point: the stall app, plus every headless command.

With no command it opens the app; ``souk-pos sync ...`` and ``souk-pos screenshots DIR``
join the core's commands (``pos.cli``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pos.cli import Context, build_parser, run
from sync.client.cli import register as register_sync


def cmd_app(ctx: Context, _args: argparse.Namespace) -> int:
    from ui.app import run_app

    return run_app(ctx.data_dir, lang=ctx.lang)


def main(argv: Sequence[str] | None = None) -> int:
    parser, sub = build_parser()
    register_sync(sub)
    return run(argv, parser, default=cmd_app)


if __name__ == "__main__":
    raise SystemExit(main())
