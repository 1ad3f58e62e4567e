"""Stall settings kept in the database (so that a backup carries them)."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from pos.errors import InputError
from pos.i18n import latin_digits
from pos.models import Setting

DEVICE_ID: Final = "device_id"
DEVICE_PREFIX: Final = "device_prefix"
LANGUAGE: Final = "language"
COOPERATIVE: Final = "cooperative"  # name_ar, name_fr, ice, city, logo, footer
MARKET: Final = "market"  # from enrolment, then each sync: name_ar, name_fr, city, city_ar,
# stand, starts_on, ends_on
PRINTER: Final = "printer"  # connection and paper settings, see pos.printing
RECEIPT_LANGUAGE: Final = "receipt_language"  # one of pos.receipts.RECEIPT_LANGUAGES
SYNC: Final = "sync"  # server url, device id on the server, token, ca file
BACKUPS_KEPT: Final = "backups_kept"
BACKUP_FOLDER: Final = "backup_folder"  # chosen by the manager (a USB stick); None: the laptop's
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


def stored(db: sqlite3.Connection, key: str, default: Any = None) -> Any:
    """:func:`get` on a plain connection (see :meth:`pos.db.Store.ledger`)."""
    row = db.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


def store(db: sqlite3.Connection, key: str, value: Any) -> None:
    """:func:`put` on a plain connection, as the ORM's JSON column writes it."""
    db.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
               "SET value = excluded.value", (key, json.dumps(value)))


def market_city(market: Mapping[str, Any], lang: str) -> str:
    """The city of a market (as :data:`MARKET` keeps it) in ``lang``: its Arabic name in
    Arabic when the server gave one, else the city as the organisers wrote it."""
    city = str(market.get("city") or "")
    return str(market.get("city_ar") or city) if lang == "ar" else city


def device_id(session: Session) -> str:
    """This till's identity, created once."""
    value = get(session, DEVICE_ID)
    if value is None:
        value = str(uuid.uuid4())
        put(session, DEVICE_ID, value)
    return str(value)


DEFAULT_PREFIX: Final = "T01"
PREFIX_SIZE: Final = 8
_PREFIX: Final = re.compile(f"[A-Za-z0-9]{{1,{PREFIX_SIZE}}}")


def check_prefix(prefix: str) -> str:
    """The device prefix, if it can head a receipt number: 1 to :data:`PREFIX_SIZE` ASCII
    letters or digits (``T03``), so that ``T03-000123`` and the Z report's span of
    tickets fit a 58 mm receipt's line and every printer's code page, and its QR code
    stays small."""
    prefix = prefix.strip()
    if not _PREFIX.fullmatch(prefix):
        raise InputError("settings.bad_prefix", max=PREFIX_SIZE)
    return prefix


def device_prefix(session: Session) -> str:
    return str(get(session, DEVICE_PREFIX, DEFAULT_PREFIX))


def ticket_label(prefix: str, number: int, mark: int = 0) -> str:
    """The receipt number as printed: ``T03-000123``; ``T03-R2-000123`` with the mark of a
    restore (see :func:`pos.journal.mark_at`)."""
    return f"{prefix}-R{mark}-{number:06d}" if mark else f"{prefix}-{number:06d}"


def z_label(number: int, mark: int = 0) -> str:
    """The Z report's number as printed: ``8``; ``R2-8`` with the mark of a restore (see
    :func:`pos.journal.mark_at`)."""
    return f"R{mark}-{number}" if mark else str(number)


ICE_DIGITS: Final = 15
#: the first bytes of the images a logo may be (those the logo chooser offers)
_IMAGE_SIGNATURES: Final = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM")


def check_ice(text: str) -> str:
    """The cooperative's ICE (Identifiant Commun de l'Entreprise) as receipts and the Z
    report print it: its 15 digits, Arabic-Indic ones written 0-9, spaces left out ("" when
    none is given: the ICE is optional). InputError for anything else, which would be
    printed as the cooperative's identity."""
    digits = latin_digits("".join(text.split()))
    if digits and not (len(digits) == ICE_DIGITS and digits.isascii() and digits.isdigit()):
        raise InputError("settings.bad_ice", digits=ICE_DIGITS)
    return digits


def check_logo(path: str) -> str:
    """The logo's path ("" for none), if it is a PNG, JPEG or BMP image that can be read:
    a path to nothing, or to another kind of file, would leave receipts without the logo
    and nobody told. InputError otherwise."""
    path = path.strip()
    if not path:
        return ""
    try:
        with Path(path).open("rb") as file:
            head = file.read(len(_IMAGE_SIGNATURES[0]))
    except OSError as exc:
        raise InputError("settings.logo_missing") from exc
    if not head.startswith(_IMAGE_SIGNATURES):
        raise InputError("settings.logo_not_image")
    return path
