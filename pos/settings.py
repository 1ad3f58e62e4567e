"""Stall settings kept in the database (so that a backup carries them)."""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy.orm import Session

from pos.models import Setting

DEVICE_ID: Final = "device_id"
DEVICE_PREFIX: Final = "device_prefix"
LANGUAGE: Final = "language"
COOPERATIVE: Final = "cooperative"  # name_ar, name_fr, ice, city, logo, footer
MARKET: Final = "market"  # from enrolment: name_ar, name_fr, city, stand, starts_on, ends_on
PRINTER: Final = "printer"  # connection and paper settings, see pos.printing
RECEIPT_LANGUAGE: Final = "receipt_language"  # "ar", "fr" or "both"
SYNC: Final = "sync"  # server url, device id on the server, token, ca file
BACKUPS_KEPT: Final = "backups_kept"
SETUP_DONE: Final = "setup_done"


def get(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def put(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def device_id(session: Session) -> str:
    """This till's identity, created once."""
    value = get(session, DEVICE_ID)
    if value is None:
        value = str(uuid.uuid4())
        put(session, DEVICE_ID, value)
    return str(value)


def device_prefix(session: Session) -> str:
    return str(get(session, DEVICE_PREFIX, "T01"))


def ticket_label(prefix: str, number: int) -> str:
    """The receipt number as printed: ``T03-000123``."""
    return f"{prefix}-{number:06d}"
