"""Secrets: device tokens, enrolment codes, organiser passwords and session cookies.

Nothing secret is stored in clear: tokens and codes as SHA-256 (they are random enough
that no KDF is needed), passwords with scrypt and a per-user salt. Comparisons are made
in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from sync.protocol import token_hash

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12  # about 59 bits: enough for a one-time, expiring, online-only secret
SESSION_SECONDS = 12 * 3600
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def new_token() -> str:
    """A 256-bit random bearer token for a device."""
    return secrets.token_urlsafe(32)


def new_enrol_code() -> str:
    """A one-time code people can type: ``ABCD-EFGH-JKMN``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """What is hashed: upper case, without the dashes and spaces people add or drop."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


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


def make_session(key: bytes, user_id: int, password_hash: str, now: float | None = None) -> str:
    """A signed cookie value naming the user until it expires.

    It is bound to the user's password hash, so changing a password ends old sessions.
    """
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    payload = f"{user_id}.{expires}.{_binding(password_hash)}"
    return f"{payload}.{_sign(key, payload)}"


def _binding(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def read_session(key: bytes, cookie: str, now: float | None = None) -> tuple[int, str] | None:
    """(user id, password binding) from a valid, unexpired cookie; None otherwise."""
    parts = cookie.split(".")
    if len(parts) != 4:
        return None
    payload, signature = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        user_id, expires = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    if expires < (now if now is not None else time.time()):
        return None
    return user_id, parts[2]


def session_matches_password(binding: str, password_hash: str) -> bool:
    return hmac.compare_digest(binding, _binding(password_hash))
