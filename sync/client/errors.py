"""Why a sync attempt failed, as translatable errors (``sync.*`` message ids).

Each error also knows how to be stored in ``SyncDay.last_error`` and the sync settings
(:meth:`SyncError.to_text`) and read back (:func:`describe`), so the app can show the last
problem of each day in the user's language, long after it happened.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from pydantic import ValidationError

from pos.errors import SoukError
from pos.i18n import catalogue, ltr, placeholders, tr
from sync.protocol import Refusal

LTR_PARAMS = frozenset({"url", "plain", "host", "root"})  # written left to right (pos.i18n.ltr)
SERVER_KEYS = "server.err."  # the server's message ids the stall has its own words for,
STALL_KEYS = "sync.refusal."  # under this prefix: server.err.day_net -> sync.refusal.day_net


class SyncError(SoukError):
    """A sync step failed; ``transient`` errors are retried later by themselves."""

    transient = False

    def to_text(self, limit: int = 300, param_chars: int = 150) -> str:
        """What is stored: the message id and its parameters, as compact JSON of at most
        ``limit`` characters (the parameters cut shorter for it, never the JSON), with the
        first of :meth:`_extras` that fits."""
        for extra in self._extras():
            for chars in (param_chars, param_chars // 2, param_chars // 5, 0):
                text = _dump(self.key, {**self._stored_params(chars), **extra})
                if len(text) <= limit:
                    return text
        return _dump(self.key, {})

    def _extras(self) -> tuple[dict[str, object], ...]:
        """What to store besides the parameters, the most wanted first."""
        return ({},)

    def _stored_params(self, chars: int) -> dict[str, object]:
        return {k: str(v)[:chars] for k, v in self.params.items()}


def _dump(key: str, params: dict[str, object]) -> str:
    return json.dumps([key, params], ensure_ascii=False, separators=(",", ":"))


class NotEnrolled(SyncError):
    """This stall has no device token yet."""

    def __init__(self) -> None:
        super().__init__("sync.err.not_enrolled")


class Offline(SyncError):
    """No answer: no network, refused, reset, timed out, or the server said 5xx."""

    transient = True


GATEWAY_STATUSES = frozenset({502, 503, 504})  # may be a proxy's: the link, not the server
GATEWAY_KEY = "sync.err.gateway"


class ServerTrouble(Offline):
    """The server, or a gateway between it and the stall (502, 503, 504: a café's proxy,
    the operator's), answered a request with a 5xx after every retry: nothing was stored
    by it, and nothing was refused. A push of several days that meets it is tried again
    day by day (:mod:`sync.client.engine`), so that one day the server fails on holds up
    no other."""

    def __init__(self, status: int) -> None:
        super().__init__(GATEWAY_KEY if status in GATEWAY_STATUSES else "sync.err.server_status",
                         status=status)
        self.status = status



class Unreached(Offline):
    """No server was reached at all (its name not found, nothing listening, no route):
    nothing was sent. The message says what to check."""


class NotTheServer(SyncError):
    """Something answered, but not a Souk server (a captive portal, a proxy page)."""

    transient = True


class ServerSaid(SyncError):
    """An answer of the server's own that stops a request.

    ``refusal`` is the message id and parameters the server sent with its English words
    (``sync.protocol.Refusal``): the stall says it in its own words when it has them
    (:func:`refusal_message`), else its own message ``key``, whose parameters hold the
    server's English words. A server of before them sends the words alone.
    """

    def __init__(self, key: str, /, refusal: Refusal | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.refusal = refusal

    def message(self, lang: str) -> str:
        said = refusal_message(lang, self.refusal)
        return super().message(lang) if said is None else said

    def _extras(self) -> tuple[dict[str, object], ...]:
        """The server's message id when it fits (the server's words cut shorter for it, if
        need be), else the words alone."""
        if self.refusal is None:
            return ({},)
        return ({"refusal": self.refusal.model_dump()}, {})


class Revoked(ServerSaid):
    """The server refuses the token (401): the device was revoked or is unknown."""


class Refused(ServerSaid):
    """The server refused a request for good (a 4xx other than 401); without words of the
    stall's own for it, the server's English words in the ``sync.err.refused`` frame."""


class InternalError(SyncError):
    """Something went wrong on the stall itself (its database); tried again later."""

    transient = True


class EnrolFailed(ServerSaid):
    """The enrolment did not go through."""


def hide_values(exc: BaseException | None) -> None:
    """Leave the statement's values out of ``exc`` and what caused it, as SQLAlchemy
    writes them: a write of the sync settings carries the device token, which a log or a
    terminal must never show (nor its first characters, which SQLAlchemy keeps of a long
    value)."""
    from sqlalchemy.exc import StatementError

    seen: list[BaseException] = []
    while exc is not None and not any(exc is e for e in seen):
        seen.append(exc)
        if isinstance(exc, StatementError):
            exc.hide_parameters = True
        exc = exc.__cause__ or exc.__context__


def describe(stored: str, lang: str, *, brief: bool = False) -> str:
    """A stored error (see :meth:`SyncError.to_text`) in words, in ``lang``; text stored
    by an older version of the stall (the server's words) as it is. ``brief``: without
    what :func:`sync.client.status.safe_text` says beside it, for an error that says it
    too (its ``_brief`` words, when it has them)."""
    if not stored:
        return ""
    try:
        key, params = json.loads(stored)
        params = dict(params)
        if brief and f"{key}_brief" in catalogue():
            key = f"{key}_brief"
        said = refusal_message(lang, params.pop("refusal", None))
        params = {k: ltr(str(v), lang) if k in LTR_PARAMS else v for k, v in params.items()}
        return tr(lang, str(key), **params) if said is None else said
    except (ValueError, TypeError):
        return stored


def refusal_message(lang: str, refusal: Refusal | object) -> str | None:
    """The server's refusal (a :class:`~sync.protocol.Refusal`, or one as stored) in the
    stall's own words in ``lang``; None for a message id, or parameters, it has no words
    for (a newer server's), which then are told by the server's English words."""
    if refusal is None:
        return None
    if not isinstance(refusal, Refusal):
        try:
            refusal = Refusal.model_validate(refusal)
        except ValidationError:
            return None
    if not refusal.key.startswith(SERVER_KEYS):
        return None
    key = STALL_KEYS + refusal.key.removeprefix(SERVER_KEYS)
    texts = catalogue().get(key)
    if texts is None or not placeholders(texts["en"]) <= refusal.params.keys():
        return None
    return tr(lang, key, **{k: date_text(v) for k, v in refusal.params.items()})


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_text(value: dt.date | str) -> str:
    """A date as the app writes it (31/12/2026); other text (an ISO date in a message's
    parameters, or not a date) as it is but for the ISO date."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if not _ISO_DATE.match(value):
        return value
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value
    return value
