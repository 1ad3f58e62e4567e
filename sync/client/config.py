"""The stall's sync settings, kept in the local database under ``pos.settings.SYNC``.

The value is a JSON object::

    {"url": "https://souk.example.ma", "ca_file": null,
     "device_id": "…", "cooperative_id": 12, "token": "…",       # from enrolment
     "cooperative": {…CooperativeInfo…}, "enrolled_at": "…",
     "revoked": "",                                                # the server's reason
     "last_attempt_at": "…", "last_success_at": "…", "last_error": "…",
     "clock_offset": -7800.0, "clock_checked_at": "…"}   # this laptop's clock minus the
                                                          # server's, at its last reply

The token stays in this database (which the stall's backups carry) and is never printed
nor logged: :class:`SyncConfig` keeps it out of its ``repr``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos import settings
from pos.errors import InputError
from pos.models import SyncDay
from sync.protocol import EnrolResponse, MarketInfo, plain_http_allowed


@dataclass(frozen=True)
class SyncConfig:
    """Where to sync and with which identity; ``token`` is None before enrolment."""

    url: str = ""
    ca_file: str | None = None
    device_id: uuid.UUID | None = None
    cooperative_id: int | None = None
    token: str | None = field(default=None, repr=False)
    cooperative: dict[str, Any] = field(default_factory=dict)
    enrolled_at: str = ""
    revoked: str = ""
    last_attempt_at: str = ""
    last_success_at: str = ""
    last_error: str = ""
    clock_offset: float | None = None  # seconds, this laptop's clock minus the server's
    clock_checked_at: str = ""

    @property
    def enrolled(self) -> bool:
        return bool(self.url and self.token and self.device_id)


def raw(session: Session) -> dict[str, Any]:
    value = settings.get(session, settings.SYNC, {})
    return dict(value) if isinstance(value, dict) else {}


def load(session: Session) -> SyncConfig:
    data = raw(session)
    device = data.get("device_id")
    coop = data.get("cooperative_id")
    return SyncConfig(
        url=str(data.get("url") or ""), ca_file=data.get("ca_file") or None,
        device_id=uuid.UUID(str(device)) if device else None,
        cooperative_id=int(coop) if coop is not None else None,
        token=data.get("token") or None, cooperative=dict(data.get("cooperative") or {}),
        enrolled_at=str(data.get("enrolled_at") or ""), revoked=str(data.get("revoked") or ""),
        last_attempt_at=str(data.get("last_attempt_at") or ""),
        last_success_at=str(data.get("last_success_at") or ""),
        last_error=str(data.get("last_error") or ""),
        clock_offset=_number(data.get("clock_offset")),
        clock_checked_at=str(data.get("clock_checked_at") or ""),
    )


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def clock_changes(offset: float | None) -> dict[str, Any]:
    """The sync settings' keys that keep how far this laptop's clock is from the server's
    (:attr:`sync.client.transport.Transport.clock_offset`); none when it was not measured."""
    if offset is None:
        return {}
    return {"clock_offset": round(offset, 1), "clock_checked_at": now_text()}


def update(session: Session, **changes: Any) -> None:
    """Change some keys of the sync settings (inside the caller's write transaction)."""
    data = raw(session)
    data.update(changes)
    settings.put(session, settings.SYNC, data)


def _host_name(host: str) -> bool:
    """Whether ``host`` is an IP address or a name made of letters, digits and hyphens."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return all(_LABEL.fullmatch(label) for label in host.split("."))
    return True


_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")


def normalise_url(text: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash.

    Plain ``http`` is accepted only for a server on this machine or the market's local
    network (loopback, private addresses, ``.local`` names): the token must never cross
    the mobile network in clear. Without a scheme, a word that is no domain name, no
    address and not ``localhost`` ("notaurl") is refused here rather than looked up.
    """
    typed = text.strip()
    text = typed.rstrip("/")
    bare = "://" not in text
    if bare:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018 - raises on a port that is no number or out of range
    except ValueError:
        host = ""
    if (parts.scheme not in ("http", "https") or not host or not _host_name(host)
            or parts.query or parts.fragment
            or (bare and "." not in host and ":" not in host and host != "localhost")):
        raise InputError("sync.bad_url", url=typed)
    if parts.scheme == "http" and not plain_http_allowed(host):
        raise InputError("sync.https_needed", url=text)
    return text


def check_ca_file(path: str | None) -> str | None:
    """The CA file as given, after checking it exists; None for the system's CAs."""
    if not path or not path.strip():
        return None
    path = path.strip()
    if not Path(path).is_file():
        raise InputError("sync.ca_missing", path=path)
    return path


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def parse_time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def save_enrolment(session: Session, url: str, ca_file: str | None, reply: EnrolResponse) -> None:
    """Keep the identity the server gave, and the market and cooperative for receipts.

    The same device id (the server gave this stall its device back, see
    :func:`sync.server.ingest.enrol`; in another cooperative of the same market, with the
    days it held) keeps what the server acknowledged, so no day is pushed twice. A new
    device id means a new identity on the server (another market, or a server that does
    not know this stall): what it acknowledged under the old one no longer counts, so
    every day within the new market's dates is pushed again
    (:func:`sync.client.outbox.plan`).
    """
    before = load(session)
    coop = reply.cooperative
    market = coop.market
    settings.put(session, settings.SYNC, {
        "url": url, "ca_file": ca_file, "device_id": str(reply.device_id),
        "cooperative_id": coop.id, "token": reply.token,
        "cooperative": coop.model_dump(mode="json"), "enrolled_at": now_text(),
        "revoked": "", "last_attempt_at": "", "last_success_at": "", "last_error": "",
    })
    save_market(session, market, coop.stand)
    cooperative = dict(settings.get(session, settings.COOPERATIVE, {}) or {})
    cooperative.update(name_ar=coop.name_ar, name_fr=coop.name_fr)
    cooperative.setdefault("city", coop.province)
    settings.put(session, settings.COOPERATIVE, cooperative)
    if before.device_id != reply.device_id:
        for row in session.scalars(select(SyncDay)):
            row.acked_version = 0
            row.rejected_version = None
            row.rejected_reason = ""
            row.last_error = ""
            row.attempts = 0


def save_market(session: Session, market: MarketInfo | None, stand: str | None = None) -> None:
    """Keep the market the stall is enrolled in (its names and city for receipts, its dates
    for :func:`sync.client.outbox.plan`) and its stand (which the receipts print), in the
    market settings and in the sync settings' cooperative (which the sync panel and ``sync
    status`` show). ``market`` None keeps the market already known, ``stand`` None the
    stand (an older server tells no stand after enrolment: the stall keeps the one it was
    enrolled at). ``city_ar`` is "" when the server gave none (an older server, or a market
    set up without it): :func:`pos.settings.market_city` writes ``city`` then."""
    kept = dict(settings.get(session, settings.MARKET, {}) or {})
    if stand is None:
        stand = str(kept.get("stand") or "")
    if market is not None:
        kept = {
            "name_ar": market.name_ar, "name_fr": market.name_fr, "city": market.city,
            "city_ar": market.city_ar or "",
            "starts_on": market.starts_on.isoformat(), "ends_on": market.ends_on.isoformat(),
        }
    settings.put(session, settings.MARKET, {**kept, "stand": stand})
    cooperative = raw(session).get("cooperative")
    if isinstance(cooperative, dict) and cooperative.get("market") is not None:
        shown = {**cooperative, "stand": stand}
        if market is not None:
            shown["market"] = market.model_dump(mode="json")
        update(session, cooperative=shown)


def json_error(key: str, **params: object) -> str:
    """A message id and parameters, stored like :meth:`SyncError.to_text`."""
    return json.dumps([key, {k: str(v) for k, v in params.items()}], ensure_ascii=False,
                      separators=(",", ":"))
