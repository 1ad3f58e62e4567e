"""Secrets: device tokens, enrolment codes, organiser passwords and session cookies.

Nothing secret is stored in clear: tokens and codes as SHA-256 (they are random enough
that no KDF is needed), passwords with scrypt and a per-user salt. Comparisons are made
in constant time. The schedule of login throttling (``block_seconds``) is here too.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import math
import secrets
import threading
import time
import unicodedata
from typing import NamedTuple

from sync.protocol import token_hash

#: the characters of an enrolment code: none that a person reading it aloud, or copying
#: it from a printed slip, takes for another (no B/8, S/5, Z/2, G/6, O/D/Q/0, I/L/1,
#: U/V: one of each is kept, :data:`CONFUSED` reads the other as it)
CODE_ALPHABET = "0123456789ACEFHJKMNPRTVWXY"
#: the characters of codes issued before (no 0/O, 1/I/L), which stay valid until they expire
OLD_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: what is read as a character of :data:`CODE_ALPHABET` when typed in its place
CONFUSED = str.maketrans("BSZGODQILU", "852600011V")
#: the characters of :data:`OLD_CODE_ALPHABET` each typed character may stand for, when
#: it may stand for more than itself (``8`` for ``B``, ``O`` for ``D`` or ``Q``...)
OLD_CONFUSED = {typed: group for group in ("B8", "S5", "Z2", "G6", "DQ", "UV")
                for typed in group} | {"O": "DQ", "0": "DQ"}
OLD_CODE_LENGTH = 12
#: a code's characters in groups of these sizes; 13 characters of 26 hold about 61 bits
#: (12 of :data:`OLD_CODE_ALPHABET` held 59): enough for a one-time, expiring, online-only
#: secret
CODE_GROUPS = (4, 5, 4)
CODE_LENGTH = sum(CODE_GROUPS)
SESSION_SECONDS = 12 * 3600
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def new_token() -> str:
    """A 256-bit random bearer token for a device."""
    return secrets.token_urlsafe(32)


def new_enrol_code() -> str:
    """A one-time code people can type, read aloud and copy: ``7KM3-WX0RA-9PHE``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    groups, start = [], 0
    for size in CODE_GROUPS:
        groups.append(raw[start:start + size])
        start += size
    return "-".join(groups)


def normalise_code(code: str) -> str:
    """The code as typed, as its hash is made: in upper case, without the dashes and
    spaces people add or drop, its digits ASCII ones (an Arabic keyboard's too)."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                   for ch in code.upper() if ch.isalnum())


def code_hashes(code: str) -> list[str]:
    """The hashes a code typed may be stored under, the code as typed first: then, if it
    differs, with each character that is not of :data:`CODE_ALPHABET` read as the one it
    is taken for (``B`` as ``8``, ``O`` as ``0``...). A code issued before
    (:data:`OLD_CODE_ALPHABET`, twelve characters) holds both characters of some pairs:
    it is found as typed, or with any of its characters of such a pair read as the other
    one (at most 2**12 readings, each a code of 59 bits)."""
    typed = normalise_code(code)
    readings = [typed, typed.translate(CONFUSED)]
    if len(typed) == OLD_CODE_LENGTH:
        readings += ["".join(chars) for chars in
                     itertools.product(*(OLD_CONFUSED.get(ch, ch) for ch in typed))]
    return [_hash(r) for r in dict.fromkeys(readings)]


def code_hash(code: str) -> str:
    return _hash(normalise_code(code))


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def secret_matches(stored_hash: str, presented: str) -> bool:
    """Constant-time check of a presented token against its stored hash."""
    return hmac.compare_digest(stored_hash, token_hash(presented))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(key) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), key)


def dummy_password_check() -> None:
    """Spend the time of one password check (for unknown user names)."""
    hashlib.scrypt(b"x", salt=b"0" * 16, dklen=32, **_SCRYPT)


def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


class SessionClaim(NamedTuple):
    """What a valid session cookie says: whose it is, and which of their sessions."""

    user_id: int
    epoch: int
    binding: str


def make_session(key: bytes, user_id: int, password_hash: str, epoch: int = 0,
                 now: float | None = None) -> str:
    """A signed cookie value naming the user until it expires.

    It is bound to the user's password hash and session epoch: changing a password, or
    moving the epoch on (logging out, disabling the user), ends the sessions made before.
    """
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    payload = f"{user_id}.{epoch}.{expires}.{_binding(password_hash)}"
    return f"{payload}.{_sign(key, payload)}"


def _binding(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def read_session(key: bytes, cookie: str, now: float | None = None) -> SessionClaim | None:
    """The claim of a valid, unexpired cookie; None otherwise."""
    parts = cookie.split(".")
    if len(parts) != 5:
        return None
    payload, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        user_id, epoch, expires = int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if expires < (now if now is not None else time.time()):
        return None
    return SessionClaim(user_id, epoch, parts[3])


def session_matches_password(binding: str, password_hash: str) -> bool:
    return hmac.compare_digest(binding, _binding(password_hash))


# --- login throttling ----------------------------------------------------------------------

FREE_FAILURES = 5  # wrong passwords in a row before the login is refused for a while
FIRST_BLOCK_SECONDS = 30
LONGEST_BLOCK_SECONDS = 15 * 60


def block_seconds(failures: int) -> int:
    """How long logins are refused after ``failures`` wrong passwords in a row: none
    before the fifth, then 30 s, doubled by each further one, at most 15 minutes."""
    if failures < FREE_FAILURES:
        return 0
    doublings = min(failures - FREE_FAILURES, 16)
    return min(FIRST_BLOCK_SECONDS << doublings, LONGEST_BLOCK_SECONDS)


def seconds_left(blocked_until: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds (rounded up) until ``blocked_until``; 0 once it is past."""
    if blocked_until is None or blocked_until <= now:
        return 0
    return math.ceil((blocked_until - now).total_seconds())


class _Record(NamedTuple):
    failures: int
    blocked_until: dt.datetime | None


class FailureCounter:
    """Wrong attempts in a row per key (a client address), in this process's memory.

    It holds at most ``capacity`` keys: when full, it forgets the keys that are not
    blocked, then the oldest, so a flood of addresses cannot grow it without bound.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: dt.datetime) -> int:
        """Seconds before ``key`` may try again (0: now)."""
        with self._lock:
            record = self._records.get(key)
        return seconds_left(record.blocked_until, now) if record else 0

    def failed(self, key: str, now: dt.datetime) -> None:
        with self._lock:
            record = self._records.pop(key, None)
            failures = (record.failures if record else 0) + 1
            block = block_seconds(failures)
            until = now + dt.timedelta(seconds=block) if block else None
            if len(self._records) >= self.capacity:
                self._forget(now)
            self._records[key] = _Record(failures, until)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def _forget(self, now: dt.datetime) -> None:
        self._records = {k: r for k, r in self._records.items()
                         if r.blocked_until is not None and r.blocked_until > now}
        while len(self._records) >= self.capacity:
            del self._records[next(iter(self._records))]
