"""The manager and the cashiers, with PINs stored as salted scrypt hashes.

Signing in is by PIN alone, so no two active users may share one; and wrong PINs are
throttled (see :class:`PinThrottle`), so that a 4-digit PIN cannot be guessed at the till.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from pos import journal
from pos.errors import AuthError, Counted, InputError, Items
from pos.i18n import latin_digits
from pos.models import User, utcnow

MANAGER: Final = "manager"
CASHIER: Final = "cashier"
ROLES: Final = (MANAGER, CASHIER)
#: the longest name a user may have: a receipt keeps the seller's name in 80 characters
#: (``sale.cashier_name``), as the ``user`` table does
NAME_SIZE: Final = 80
#: where a PIN was changed, as its journal record says: the app's Settings → Users, or
#: ``souk-pos users reset-pin`` on the till's computer
FROM_APP: Final = "app"
FROM_COMMAND_LINE: Final = "command_line"
_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,8}$")
#: Arabic-Indic and Eastern Arabic-Indic digits written 0-9 (as a PIN or an ICE is kept)


def normalise_pin(pin: str) -> str:
    """Digits only, Arabic-Indic accepted; 4 to 8 of them."""
    pin = latin_digits(pin.strip())
    if not _PIN.match(pin):
        raise InputError("pin.format")
    return pin


def confirmed_pin(pin: str, again: str) -> str:
    """The new PIN ``pin`` (normalised), once typed ``again`` alike, Arabic-Indic or 0-9
    digits: a PIN mistyped once is not saved, lest its owner (the manager) be locked out.
    InputError ``pin.format`` for a malformed ``pin``, ``pin.mismatch`` when ``again`` is
    another PIN or none."""
    pin = normalise_pin(pin)
    try:
        same = normalise_pin(again) == pin
    except InputError:
        same = False
    if not same:
        raise InputError("pin.mismatch")
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


def _refuse_taken_pin(session: Session, pin: str, *, other_than: int | None = None) -> None:
    """Raise InputError if an active user (other than ``other_than``) has this PIN."""
    for user in session.scalars(select(User).where(User.active)):
        if user.id != other_than and check_pin(pin, user.pin_hash):
            raise InputError("pin.taken")


def _same_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def plain_name(name: str) -> str:
    """A user's name, stripped. InputError ``user.name_empty`` for none, and
    ``user.name_long`` for one longer than :data:`NAME_SIZE` characters (a receipt would
    not keep it whole)."""
    name = name.strip()
    if not name:
        raise InputError("user.name_empty")
    if len(name) > NAME_SIZE:
        raise InputError("user.name_long", size=NAME_SIZE, length=len(name))
    return name


def check_name(session: Session, name: str) -> str:
    """The name of a new user, stripped (:func:`plain_name`). InputError
    ``user.name_taken`` for the name of an active user (case and spaces aside): receipts,
    held carts and the users' list name people, and two alike could not be told apart."""
    name = plain_name(name)
    wanted = _same_name(name)
    for user in session.scalars(select(User).where(User.active)):
        if _same_name(user.name) == wanted:
            raise InputError("user.name_taken", name=user.name)
    return name


def add_user(session: Session, name: str, role: str, pin: str) -> User:
    """A new active user. Raises InputError for an empty name or one an active user has
    (:func:`check_name`), an unknown role, a malformed PIN or a PIN another active user
    already has."""
    name = check_name(session, name)
    if role not in ROLES:
        raise InputError("user.role", role=role)
    pin_hash = hash_pin(pin)
    _refuse_taken_pin(session, pin)
    user = User(name=name, role=role, pin_hash=pin_hash, active=True)
    session.add(user)
    session.flush()
    return user


def set_pin(user: User, pin: str, *, done_from: str = FROM_APP) -> None:
    """Give ``user`` (attached to a session) a new PIN, and say so in the journal: a
    ``pin_change`` record naming the user and where it was done (``done_from``:
    :data:`FROM_APP` or :data:`FROM_COMMAND_LINE`), never the PIN. InputError
    ``user.disabled`` for a user disabled meanwhile (their PIN would be saved for no one),
    and if the PIN is malformed or another active user has it."""
    session = object_session(user)
    if session is None:
        raise ValueError("set_pin needs a user loaded in a session")
    if not user.active:
        raise InputError("user.disabled", name=user.name)
    pin_hash = hash_pin(pin)
    _refuse_taken_pin(session, pin, other_than=user.id)
    user.pin_hash = pin_hash
    journal.append(
        session,
        kind=journal.PIN_CHANGE,
        ref=str(user.id),
        day_id=None,
        amount=0,
        data={"user": user.id, "name": user.name, "role": user.role, "from": done_from},
        at=utcnow(),
    )


def active_manager(session: Session, name: str) -> User:
    """The active manager called ``name`` (case and spaces aside). InputError
    ``user.no_manager_named`` naming the active managers otherwise, ``user.no_manager_yet``
    on a stall with none."""
    wanted = _same_name(name)
    managers = [u for u in active_users(session) if u.role == MANAGER]
    if not managers:
        raise InputError("user.no_manager_yet")
    for user in managers:
        if _same_name(user.name) == wanted:
            return user
    raise InputError(
        "user.no_manager_named", name=name.strip(), managers=Items(u.name for u in managers)
    )


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active).order_by(User.role, User.name)))


def has_manager(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.active, User.role == MANAGER)) is not None


class PinThrottle:
    """Wrong PINs, counted per database in this process.

    After :data:`FREE_WRONG_PINS` wrong PINs every PIN, even the right one, is refused for
    30 s; each further wrong PIN doubles the wait, up to 10 minutes. The count is forgotten
    after an hour without a wrong PIN, or when a manager's PIN is accepted; a cashier's
    PIN does not clear it, so that guesses cannot hide between a cashier's own sign-ins.
    A PIN that is not 4 to 8 digits is a typo, not a guess, and is not counted.
    """

    FREE_WRONG_PINS: Final = 5
    FIRST_WAIT_S: Final = 30
    LONGEST_WAIT_S: Final = 600
    FORGET_AFTER_S: Final = 3600

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._wrong: dict[str, tuple[int, float]] = {}  # key: (wrong PINs, when the last was)

    def wait(self, key: str) -> int:
        """Seconds before a PIN may be tried again (0: now)."""
        with self._lock:
            count, last = self._wrong.get(key, (0, 0.0))
            now = self.clock()
            if count and now - last >= self.FORGET_AFTER_S:
                del self._wrong[key]
                return 0
            if count < self.FREE_WRONG_PINS:
                return 0
            extra = count - self.FREE_WRONG_PINS
            length = min(self.FIRST_WAIT_S << min(extra, 16), self.LONGEST_WAIT_S)
            return max(0, math.ceil(last + length - now))

    def wrong(self, key: str) -> None:
        with self._lock:
            count, _last = self._wrong.get(key, (0, 0.0))
            self._wrong[key] = (count + 1, self.clock())

    def clear(self, key: str) -> None:
        with self._lock:
            self._wrong.pop(key, None)


#: The throttle :func:`authenticate` uses (tests replace it to drive its clock).
throttle = PinThrottle()


def wait_words(seconds: int) -> Counted:
    """A wait as the till says it: in seconds up to a minute and a half, then in minutes
    (rounded up, never said shorter than it is)."""
    if seconds <= 90:
        return Counted("pin.wait_seconds", seconds)
    return Counted("pin.wait_minutes", math.ceil(seconds / 60))


def _throttle_key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def authenticate(session: Session, pin: str, *, user_id: int | None = None) -> User:
    """The active user whose PIN this is (optionally a given user). Raises AuthError, also
    while too many wrong PINs make the till wait (``pin.throttled``)."""
    key = _throttle_key(session)
    seconds = throttle.wait(key)
    if seconds:
        raise AuthError("pin.throttled", seconds=seconds, wait=wait_words(seconds))
    try:
        normalise_pin(pin)
    except InputError as exc:
        raise AuthError("pin.wrong") from exc
    # Cashiers first: should a PIN still be shared (from before PINs had to differ), it
    # signs in the cashier, never the manager.
    query = select(User).where(User.active).order_by(User.role == MANAGER, User.id)
    if user_id is not None:
        query = query.where(User.id == user_id)
    for user in session.scalars(query):
        if check_pin(pin, user.pin_hash):
            if user.role == MANAGER:
                throttle.clear(key)
            return user
    throttle.wrong(key)
    raise AuthError("pin.wrong")


def require_manager(session: Session, pin: str) -> User:
    """The manager whose PIN this is; refunds, voids, price overrides and day close ask it."""
    user = authenticate(session, pin)
    if user.role != MANAGER:
        raise AuthError("pin.not_manager", name=user.name)
    return user
