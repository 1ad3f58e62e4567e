"""Why a sync attempt failed, as translatable errors (``sync.*`` message ids).

Each error also knows how to be stored in ``SyncDay.last_error`` and the sync settings
(:meth:`SyncError.to_text`) and read back (:func:`describe`), so the app can show the last
problem of each day in the user's language, long after it happened.
"""

from __future__ import annotations

import json

from pos.errors import SoukError
from pos.i18n import tr


class SyncError(SoukError):
    """A sync step failed; ``transient`` errors are retried later by themselves."""

    transient = False

    def to_text(self) -> str:
        """What is stored: the message id and its parameters, as compact JSON."""
        params = {k: str(v)[:150] for k, v in self.params.items()}
        return json.dumps([self.key, params], ensure_ascii=False, separators=(",", ":"))[:300]


class NotEnrolled(SyncError):
    """This stall has no device token yet."""

    def __init__(self) -> None:
        super().__init__("sync.err.not_enrolled")


class Offline(SyncError):
    """No answer: no network, refused, reset, timed out, or the server said 5xx."""

    transient = True


class NotTheServer(SyncError):
    """Something answered, but not a Souk server (a captive portal, a proxy page)."""

    transient = True


class Revoked(SyncError):
    """The server refuses the token (401): the device was revoked or is unknown."""


class Refused(SyncError):
    """The server refused a request for good (a 4xx other than 401)."""


class InternalError(SyncError):
    """Something went wrong on the stall itself (its database); tried again later."""

    transient = True


class EnrolFailed(SyncError):
    """The enrolment did not go through."""


def describe(stored: str, lang: str) -> str:
    """A stored error (see :meth:`SyncError.to_text`) in words, in ``lang``."""
    if not stored:
        return ""
    try:
        key, params = json.loads(stored)
        return tr(lang, str(key), **dict(params))
    except (ValueError, TypeError):
        return stored
