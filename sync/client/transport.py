"""HTTP to the organisers' server: one ``requests.Session``, timeouts, retries, TLS.

Every call has a connect and a read timeout and an overall deadline (a server, or a
link, that trickles bytes cannot hold the worker: past the deadline the request's
connection is shut, :class:`_Watchdog`, even while it is still being made or its TLS
handshake trickles). Stopping the transport (:class:`StopEvent`) shuts it at once.
Idempotent calls (health, days, push: the server's upsert makes a resent push harmless)
are retried with exponential backoff and jitter on network errors, on 5xx and on the "try
later" statuses (408, 425, 429). Redirects are never followed: a captive portal
redirects, the server never does. TLS is always verified, against the system's CAs or a
CA file the organiser provides; nothing here can turn verification off.

Only a reply that is recognisably the server's own refusal (one of
:data:`REFUSAL_STATUSES` with the JSON error body of the server's handlers,
``{"detail": "..."}``) is a :class:`Refused`, which sets a day aside for good (with the
message id of the server's ``Souk-Refusal`` header, when it sends one); any other
4xx (a proxy's 407, a captive portal's HTML 403, a gateway's JSON of its own) is
:class:`NotTheServer`, tried again later.

Every successful reply's ``Date`` header is compared with this laptop's clock:
:attr:`Transport.clock_offset` is how far the laptop's clock is ahead of the server's
(negative: behind), in seconds, to the second the header gives.

Failures are raised as :mod:`sync.client.errors`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import errno
import gzip
import json
import os
import random
import select
import socket
import ssl
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

from pos.errors import Ltr
from sync.client.errors import (
    EnrolFailed,
    NotEnrolled,
    NotTheServer,
    Offline,
    Refused,
    Revoked,
    ServerTrouble,
    Unreached,
)
from sync.protocol import (
    API_PREFIX,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    REFUSAL_HEADER,
    SERVICE_NAME,
    DaySummary,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    Health,
    KnownDays,
    PushRequest,
    PushResponse,
    Refusal,
)

USER_AGENT = "souk-pos/1"
GZIP_ABOVE = 1024  # bytes of JSON; smaller bodies go as they are
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
REFUSAL_STATUSES = frozenset({400, 403, 404, 409, 413, 422})  # the server's final answers
BAD_CODE = "server.err.enrol_code"  # the server's message id of an enrolment code refused
STOPPED = "sync.err.stopped"  # the message id of a request cut by a StopEvent


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 20.0
    total: float = 60.0  # one request, from sending to the last byte of the reply


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt ``n`` waits in [d/2, d], d = base * 2**n."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 10.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        d = min(self.cap, self.base * 2.0**attempt)
        return d / 2 + rng.uniform(0, d / 2)


class _Watchdog:
    """The sockets of one transport's connections, and the deadline of the request under
    way: once it passes, they are shut, and a read waiting on them returns at once (a
    read timeout alone restarts at every byte that comes). A socket is told before it
    connects (:meth:`connect`), so a connection still being made, or its TLS handshake,
    is shut as well: at the deadline, or at once when :meth:`cut` shuts them for good
    (the transport was stopped, :class:`StopEvent`)."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._request = 0  # which request the deadline is for
        self.expired = False
        self.stopped = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            if not self.stopped:
                return
        _shut(sock)  # connected once the transport was stopped: cut at once

    def connect(self, address: tuple[str, int], timeout: float | None,
                source_address: tuple[str, int] | None = None,
                options: Sequence[tuple[int, int, int | bytes]] | None = None,
                ) -> socket.socket:
        """A connection to ``address``, as urllib3 makes one (each address the name has,
        in turn), whose socket is watched from before it connects: a connection still
        being made when the transport is stopped, or its request's deadline passes, fails
        at once rather than at the end of the connect ``timeout``."""
        host, port = address
        error: OSError | None = None
        for family, kind, proto, _, where in socket.getaddrinfo(
                host.strip("[]"), port, allowed_gai_family(), socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            try:
                for option in options or ():
                    sock.setsockopt(*option)
                if source_address:
                    sock.bind(source_address)
                self._dial(sock, where, timeout)
                return sock
            except OSError as exc:
                sock.close()
                if self.stopped or self.expired:
                    raise
                error = exc
        raise error or OSError("getaddrinfo returns an empty list")

    def _dial(self, sock: socket.socket, where: Any, timeout: float | None) -> None:
        """Connect ``sock`` in steps a cut can end: told before it connects, it is shut
        under the wait (which then returns); a cut before the connect began is seen just
        after it, before any wait."""
        with self._lock:
            self._check()
            self._sockets.add(sock)
        sock.setblocking(False)
        code = sock.connect_ex(where)
        with self._lock:
            self._check()
        if code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            _, ready, failed = select.select([], [sock], [sock], timeout)
            if not (ready or failed):
                raise TimeoutError("timed out")
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        with self._lock:
            self._check()
        if code:
            raise OSError(code, os.strerror(code))
        sock.settimeout(timeout)

    def _check(self) -> None:
        """Raise when the connections are being shut (stopped, or past the deadline)."""
        if self.stopped or self.expired:
            raise ConnectionAbortedError(errno.ECONNABORTED, "cut before it was made")

    def twin(self, sock: socket.socket) -> socket.socket:
        """A second handle on ``sock``'s connection, watched: a TLS handshake takes the
        socket itself away from its connection until it is done, and shutting the twin
        ends the handshake too. The caller closes it once the handshake is over."""
        twin = sock.dup()
        self.add(twin)
        return twin

    def cut(self) -> None:
        """Shut every connection now and from now on, whatever the deadline."""
        with self._lock:
            self.stopped = True
            socks = list(self._sockets)
        for sock in socks:
            _shut(sock)

    def arm(self, seconds: float) -> None:
        with self._lock:
            self._request += 1
            self.expired = False
            timer = self._timer = threading.Timer(seconds, self._cut, args=(self._request,))
        timer.daemon = True
        timer.start()

    def disarm(self) -> None:
        with self._lock:
            self._request += 1  # a deadline passing now is no longer this request's
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _cut(self, request: int) -> None:
        with self._lock:
            if request != self._request:
                return
            self.expired = True
            for sock in list(self._sockets):
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """The socket's own shutdown: a TLS socket's would drop its TLS state under the read
    waiting on it; a socket closed meanwhile has nothing to shut."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class StopEvent(threading.Event):
    """An Event for :attr:`Transport.stop` whose setting also cuts the request under way
    of every transport made with it (its connections shut at once, and any made after):
    a worker stopped, before the database it writes to is replaced (a backup restored
    from the app), ends without waiting on the server, and learns nothing more from it."""

    def __init__(self) -> None:
        super().__init__()
        self._guard = threading.Lock()
        self._watchdogs: weakref.WeakSet[_Watchdog] = weakref.WeakSet()

    def watch(self, watchdog: _Watchdog) -> None:
        with self._guard:
            self._watchdogs.add(watchdog)
        if self.is_set():
            watchdog.cut()

    def set(self) -> None:
        super().set()
        with self._guard:
            watchdogs = list(self._watchdogs)
        for watchdog in watchdogs:
            watchdog.cut()


class _Adapter(HTTPAdapter):
    """requests' adapter whose connections tell ``watchdog`` their sockets."""

    def __init__(self, watchdog: _Watchdog) -> None:
        self.watchdog = watchdog
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watchdog = self.watchdog

        class Plain(urllib3.connection.HTTPConnection):
            def _new_conn(self) -> socket.socket:
                return _new_conn(self, watchdog)

        # over TLS the handshake takes the plain socket away: a twin of it is watched
        # until the handshake is done, then the TLS socket
        class Secure(urllib3.connection.HTTPSConnection):
            _twin: socket.socket | None = None

            def _new_conn(self) -> socket.socket:
                sock = _new_conn(self, watchdog)
                self._twin = watchdog.twin(sock)
                return sock

            def connect(self) -> None:
                try:
                    super().connect()
                finally:
                    if self._twin is not None:
                        self._twin.close()
                        self._twin = None
                watchdog.add(self.sock)

        class PlainPool(urllib3.HTTPConnectionPool):
            ConnectionCls = Plain

        class SecurePool(urllib3.HTTPSConnectionPool):
            ConnectionCls = Secure

        self.poolmanager.pool_classes_by_scheme = {"http": PlainPool, "https": SecurePool}


def _new_conn(conn: urllib3.connection.HTTPConnection, watchdog: _Watchdog) -> socket.socket:
    """The connection's socket, made as urllib3 makes it (and its failures raised as
    urllib3 raises them), under ``watchdog`` from before it connects."""
    timeout = conn.timeout
    try:
        return watchdog.connect((conn._dns_host, conn.port), timeout, conn.source_address,
                                conn.socket_options)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except TimeoutError as exc:
        raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out. "
                                        f"(connect timeout={timeout})") from exc
    except OSError as exc:
        raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str
    refusal: str = ""  # the REFUSAL_HEADER header, "" without it
    date: str = ""  # the Date header, "" without it
    received_at: dt.datetime | None = None  # this laptop's time when the reply came


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def server_time(date: str) -> dt.datetime | None:
    """The time an HTTP ``Date`` header gives (aware, UTC); None when it gives none."""
    try:
        moment = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass
class Transport:
    """Calls to one server. ``stop`` (an Event) cuts the waits between retries short, and,
    a :class:`StopEvent`, the request under way;
    ``now`` is this laptop's clock (aware UTC), which the server's replies are compared
    with (:attr:`clock_offset`)."""

    url: str
    token: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    backoff: Backoff = field(default_factory=Backoff)
    stop: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(default_factory=random.Random)
    session: requests.Session = field(default_factory=requests.Session)
    now: Callable[[], dt.datetime] = field(default_factory=lambda: utc_now)
    #: this laptop's clock minus the server's, in seconds, at the last successful reply
    #: that gave its time; None before one
    clock_offset: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # the protocol this stall reads: the server sends it no field it would refuse
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json",
                                     PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
        self.session.verify = self.ca_file or True
        self.session.trust_env = False  # no proxy or .netrc from the environment
        self._watchdog = _Watchdog()
        if isinstance(self.stop, StopEvent):
            self.stop.watch(self._watchdog)
        adapter = _Adapter(self._watchdog)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    # --- one request -------------------------------------------------------------------

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
              base: str | None = None) -> _Reply:
        if self._watchdog.stopped:
            raise Offline(STOPPED)
        self._watchdog.arm(self.timeouts.total)
        try:
            reply = self._receive(method, (base or self.url) + API_PREFIX + path, body,
                                  headers)
        except (Offline, NotTheServer):
            if self._watchdog.stopped:  # what the cut connection raised
                raise Offline(STOPPED) from None
            if self._watchdog.expired:
                raise Offline("sync.err.timeout") from None
            raise
        finally:
            self._watchdog.disarm()
        if self._watchdog.stopped:  # stopped as it came: nothing of it is to be written
            raise Offline(STOPPED)
        return reply

    def _receive(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
                 ) -> _Reply:
        try:
            with self.session.request(
                method, url, data=body, headers=headers,
                timeout=(self.timeouts.connect, self.timeouts.read), allow_redirects=False,
                stream=True,
            ) as resp:
                received = self.now()
                chunks = []
                for chunk in resp.iter_content(16384):
                    chunks.append(chunk)
                if self._watchdog.expired:  # cut at the deadline: the body may be whole
                    raise Offline("sync.err.timeout")
                return _Reply(resp.status_code, b"".join(chunks),
                              resp.headers.get("content-type", ""),
                              resp.headers.get(REFUSAL_HEADER, ""),
                              resp.headers.get("date", ""), received)
        except requests.exceptions.SSLError as exc:
            raise _tls_problem(exc, self.url) from None
        except requests.exceptions.ConnectTimeout:
            raise Unreached("sync.err.connect_timeout", host=_host(self.url)) from None
        except requests.exceptions.Timeout:
            raise Offline("sync.err.timeout") from None
        except requests.exceptions.ConnectionError as exc:
            raise _unreached(exc, self.url) from None
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError):
            raise Offline("sync.err.network") from None
        except requests.exceptions.RequestException as exc:
            raise Offline("sync.err.network_detail", detail=_short(exc)) from None
        except OSError:  # e.g. a CA file that cannot be read
            raise NotTheServer("sync.err.tls") from None

    def _call(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None, *, retry: bool = True,
              base: str | None = None) -> _Reply:
        """Send (to ``base``, the server's address by default), retrying transient
        failures; returns the first non-transient reply."""
        attempts = self.backoff.attempts if retry else 1
        last: Offline | NotTheServer | None = None
        for attempt in range(attempts):
            if attempt and self.stop.wait(self.backoff.delay(attempt - 1, self.rng)):
                if isinstance(self.stop, StopEvent):
                    raise Offline(STOPPED)
                break
            try:
                reply = self._send(method, path, body, dict(headers or {}), base)
            except (Offline, NotTheServer) as exc:
                last = exc
                continue
            if reply.status in RETRY_STATUSES:
                last = (ServerTrouble(reply.status) if reply.status >= 500
                        else Offline("sync.err.server_status", status=reply.status))
                continue
            return reply
        raise last or Offline("sync.err.network")

    def _measure(self, reply: _Reply) -> None:
        """Compare the server's time (its ``Date`` header, to the second) with this
        laptop's when the reply came: a reply recognised as the server's (a captive
        portal's clock says nothing of the organisers')."""
        told = server_time(reply.date)
        if told is None or reply.received_at is None:
            return
        self.clock_offset = (reply.received_at - told).total_seconds()

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise NotEnrolled()
        return {"Authorization": f"Bearer {self.token}"}

    # --- endpoints ---------------------------------------------------------------------

    def health(self) -> Health:
        """The server's health; raises :class:`NotTheServer` for anything else that answers."""
        reply = self._call("GET", "/health")
        health = _health_of(reply)
        if health is None:
            self._elsewhere()
            if reply.status != 200:
                raise NotTheServer("sync.err.not_server_status", status=reply.status)
            raise NotTheServer("sync.err.not_server")
        self._measure(reply)
        return health

    def _elsewhere(self) -> None:
        """For an address with a path that is no server's (the dashboard's, copied from
        the browser): raise :class:`NotTheServer` saying to type the address without it,
        when the server answers there."""
        parts = urlsplit(self.url)
        if not parts.path.strip("/"):
            return
        root = f"{parts.scheme}://{parts.netloc}"
        try:
            reply = self._call("GET", "/health", retry=False, base=root)
        except (Offline, NotTheServer):
            return
        if _health_of(reply) is not None:
            raise NotTheServer("sync.err.wrong_path", url=Ltr(self.url), root=Ltr(root))

    def enrol(self, code: str, device_name: str, installation_id: uuid.UUID | None = None,
              previous_device_id: uuid.UUID | None = None) -> EnrolResponse:
        """Trade the one-time code for an identity. Not retried: the code is spent once.

        ``installation_id`` (and the ``previous_device_id`` the server gave) let the server
        give this stall back the device it already has in the code's cooperative.
        """
        body = EnrolRequest(code=code.strip(), device_name=device_name[:80] or "stall",
                            installation_id=installation_id,
                            previous_device_id=previous_device_id)
        try:
            reply = self._call("POST", "/enrol", body.model_dump_json().encode(),
                               {"Content-Type": "application/json"}, retry=False)
        except Unreached:
            raise  # the code was not sent
        except Offline as exc:
            raise EnrolFailed("sync.err.enrol_offline", reason=exc) from None
        ours = _server_error(reply)
        refusal = _refusal_of(reply) if ours else None
        if reply.status == 400 and ours and (refusal is None or refusal.key == BAD_CODE):
            raise EnrolFailed("sync.err.enrol_bad_code")  # the code is not (or no longer) good
        if reply.status != 200:
            raise EnrolFailed("sync.err.enrol_refused", refusal=refusal, detail=_detail(reply))
        try:
            enrolled = EnrolResponse.model_validate_json(reply.body)
        except ValidationError:
            raise NotTheServer("sync.err.not_server") from None
        self._measure(reply)
        return enrolled

    def known_days(self) -> KnownDays:
        reply = self._call("GET", "/days", headers=self._auth())
        self._refusal(reply)
        try:
            known = KnownDays.model_validate_json(reply.body)
        except ValidationError:
            raise NotTheServer("sync.err.not_server") from None
        self._measure(reply)
        return known

    def push(self, summaries: list[DaySummary], *, retry: bool = True
             ) -> tuple[int, PushResponse]:
        """Push summaries; returns (200 or 409, the reply). Other answers raise. Without
        ``retry``, a transient failure is not tried again (one attempt)."""
        data = encode(PushRequest(summaries=summaries))
        headers = {**self._auth(), "Content-Type": "application/json"}
        if len(data) > GZIP_ABOVE:
            data = compress(data)
            headers["Content-Encoding"] = "gzip"
        reply = self._call("POST", "/push", data, headers, retry=retry)
        if reply.status not in (200, 409):
            self._refusal(reply)
            raise NotTheServer("sync.err.not_server_status", status=reply.status)
        try:
            pushed = PushResponse.model_validate_json(reply.body)
        except ValidationError:
            if reply.status == 409:  # the server's refusal rather than its conflicts?
                self._refusal(reply)
            # a 200 that is not our reply (a portal, a truncated body): nothing is acked
            raise NotTheServer("sync.err.not_server") from None
        self._measure(reply)
        return reply.status, pushed

    @staticmethod
    def _refusal(reply: _Reply) -> None:
        """Raise for a reply that is not a success: :class:`Revoked` and :class:`Refused`
        only when the server itself said so, :class:`NotTheServer` for anything else."""
        ours = _server_error(reply)
        if reply.status == 401 and ours:
            raise Revoked("sync.err.revoked", refusal=_refusal_of(reply), detail=_detail(reply))
        if 300 <= reply.status < 400:
            raise NotTheServer("sync.err.not_server_status", status=reply.status)
        if reply.status in REFUSAL_STATUSES and ours:
            raise Refused("sync.err.refused", refusal=_refusal_of(reply), status=reply.status,
                          detail=_detail(reply))
        if 400 <= reply.status < 500:
            raise NotTheServer("sync.err.not_server_status", status=reply.status)


def encode(model: Any) -> bytes:
    """Compact JSON bytes of a pydantic model."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False,
                      separators=(",", ":")).encode()


def compress(data: bytes) -> bytes:
    """gzip at its best ratio: bodies are tens of kB, the link is the bottleneck."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _health_of(reply: _Reply) -> Health | None:
    """The server's health in ``reply``; None when the reply is not a Souk server's."""
    if reply.status != 200:
        return None
    try:
        health = Health.model_validate_json(reply.body)
    except ValidationError:
        return None
    return health if health.service == SERVICE_NAME else None


def _server_error(reply: _Reply) -> bool:
    """Whether ``reply`` carries the server's own error body (JSON ``{"detail": str}``)."""
    if reply.content_type.split(";")[0].strip().lower() != "application/json":
        return False
    try:
        ErrorBody.model_validate_json(reply.body)
    except ValidationError:
        return False
    return True


def _refusal_of(reply: _Reply) -> Refusal | None:
    """The message id the server sent with its refusal; None when it sent none (a server
    of before them) or something that is not one."""
    if not reply.refusal:
        return None
    try:
        return Refusal.model_validate_json(reply.refusal)
    except ValidationError:
        return None


def _detail(reply: _Reply) -> str:
    try:
        data = json.loads(reply.body)
    except ValueError:
        return reply.body[:200].decode("utf-8", "replace")
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return str(data["detail"])[:300]
    return str(data)[:200]


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, as requests and urllib3 wrap it (``__cause__``,
    ``__context__``, urllib3's ``reason``, exceptions given as arguments)."""
    found: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is f for f in found):
            continue
        found.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def _host(url: str) -> Ltr:
    return Ltr(urlsplit(url).hostname or url)


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


# TLS errors of an answer in plain http to an https request, as OpenSSL words them
_PLAIN_HTTP = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE",
                         "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST", "UNKNOWN_PROTOCOL"})
# OpenSSL's certificate verification codes -> what to check
_CERTIFICATE = {9: "sync.err.tls_date", 10: "sync.err.tls_date",
                18: "sync.err.tls_unknown_ca", 19: "sync.err.tls_unknown_ca",
                20: "sync.err.tls_unknown_ca", 21: "sync.err.tls_unknown_ca",
                62: "sync.err.tls_name", 64: "sync.err.tls_name"}  # a name, an IP address


def _tls_problem(exc: BaseException, url: str) -> NotTheServer:
    """A secure connection that failed, with what to check: the address (a server that
    answers in plain http, a certificate made for another name), this laptop's date, the
    CA file."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            key = _CERTIFICATE.get(cause.verify_code or 0, "sync.err.tls_cert")
            return NotTheServer(key, host=_host(url))
        if isinstance(cause, ssl.SSLError) and cause.reason in _PLAIN_HTTP:
            return NotTheServer("sync.err.tls_plain", url=Ltr(url),
                                plain=Ltr("http://" + url.removeprefix("https://")))
    return NotTheServer("sync.err.tls", host=_host(url))


def _unreached(exc: BaseException, url: str) -> Offline | NotTheServer:
    """A request that reached no server, with what to check: the name (not found), the
    address and port (nothing listens), this laptop's network."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLError):
            return _tls_problem(cause, url)
        if isinstance(cause, socket.gaierror):
            return Unreached("sync.err.dns", host=_host(url))
        if isinstance(cause, ConnectionRefusedError):
            return Unreached("sync.err.no_answer", host=_host(url), port=_port(url))
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
            return Unreached("sync.err.no_route", host=_host(url))
    return Offline("sync.err.network")


_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN,
                       errno.EHOSTDOWN})


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:150] if str(exc) else type(exc).__name__


TransportFactory = Callable[..., Transport]
