"""The manager and the cashiers, with PINs stored as salted scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.errors import AuthError, InputError
from pos.models import User

MANAGER: Final = "manager"
CASHIER: Final = "cashier"
ROLES: Final = (MANAGER, CASHIER)
_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,8}$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise_pin(pin: str) -> str:
    """Digits only, Arabic-Indic accepted; 4 to 8 of them."""
    pin = pin.strip().translate(_DIGITS)
    if not _PIN.match(pin):
        raise InputError("pin.format")
    return pin


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalise_pin(pin).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
        pin = normalise_pin(pin)
    except (ValueError, InputError):
        return False
    if algo != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate.hex(), digest)


def add_user(session: Session, name: str, role: str, pin: str) -> User:
    name = name.strip()
    if not name:
        raise InputError("user.name_empty")
    if role not in ROLES:
        raise InputError("user.role", role=role)
    user = User(name=name, role=role, pin_hash=hash_pin(pin), active=True)
    session.add(user)
    session.flush()
    return user


def set_pin(user: User, pin: str) -> None:
    user.pin_hash = hash_pin(pin)


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active).order_by(User.role, User.name)))


def has_manager(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.active, User.role == MANAGER)) is not None


def authenticate(session: Session, pin: str, *, user_id: int | None = None) -> User:
    """The active user whose PIN this is (optionally a given user). Raises AuthError."""
    try:
        normalise_pin(pin)
    except InputError as exc:
        raise AuthError("pin.wrong") from exc
    query = select(User).where(User.active)
    if user_id is not None:
        query = query.where(User.id == user_id)
    for user in session.scalars(query):
        if check_pin(pin, user.pin_hash):
            return user
    raise AuthError("pin.wrong")


def require_manager(session: Session, pin: str) -> User:
    """The manager whose PIN this is; refunds, voids, price overrides and day close ask it."""
    user = authenticate(session, pin)
    if user.role != MANAGER:
        raise AuthError("pin.not_manager", name=user.name)
    return user
