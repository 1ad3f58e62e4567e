"""``souk-pos sync`` commands (enrol, push now, status, export a bundle)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``sync`` command to the ``souk-pos`` parser."""
