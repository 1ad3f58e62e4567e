"""A fault-injecting HTTP proxy between the stall and the server (tests only).

Each connection carries one request (the proxy makes both sides close after it) and
meets one fault, chosen at random with the given weights:

``pass``          forwarded, reply returned
``refuse``        the connection is reset before anything is read
``reset``         the connection is reset in the middle of the request (never forwarded)
``delay``         held past the client's timeout, then forwarded anyway (the server commits)
``500/502/503``   answered by the proxy with that status, never forwarded
``cut``           forwarded (the server commits), the reply cut in the middle by a reset
``duplicate``     forwarded twice at once; one of the replies returned
``stall``         forwarded, the reply's first bytes sent, then nothing past the timeout
``portal``        answered by the proxy with a café's Wi-Fi login page (200, HTML), as a
                  captive portal does; never chosen at random: give it a weight
``trickle``       forwarded, the reply sent a byte at a time, ``hold`` seconds apart (each
                  byte within the read timeout); never chosen at random: give it a weight

``latency`` adds a random delay before every forward. ``rule``, given the request read
whole, may name the fault to meet instead of the one chosen (None: the one chosen), e.g.
a 500 for every push holding a given day (:func:`body_of` gives the request's body).
"""

from __future__ import annotations

import contextlib
import gzip
import random
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

FAULTS = ("pass", "refuse", "reset", "delay", "500", "502", "503", "cut", "duplicate", "stall")


def _reset(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def body_of(request: bytes) -> bytes:
    """The body of a request as the proxy read it, gunzipped when it came so."""
    head, _, body = request.partition(b"\r\n\r\n")
    return gzip.decompress(body) if b"content-encoding: gzip" in head.lower() else body


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int, *, seed: int, hold: float,
                 weights: Mapping[str, float] | None = None, latency: float = 0.0,
                 rule: Callable[[bytes], str | None] | None = None) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng = random.Random(seed)
        self.hold = hold  # longer than the client's timeouts
        self.weights = dict(weights or {f: 1.0 for f in FAULTS})
        self.latency = latency
        self.rule = rule
        self.enabled = True
        self.seen: Counter[str] = Counter()
        self.trickled_whole = 0  # replies of the ``trickle`` fault sent to their last byte
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(256)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def close(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._acceptor.join(5)
        self.drain()

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for the requests in flight (held, duplicated) to land."""
        deadline = time.monotonic() + timeout
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))

    def _choose(self) -> str:
        with self._lock:
            if not self.enabled:
                fault = "pass"
            else:
                names = list(self.weights)
                fault = self.rng.choices(names, [self.weights[n] for n in names])[0]
            self.seen[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads = [x for x in self._threads if x.is_alive()]
            self._threads.append(t)
            t.start()

    def _forward(self, request: bytes) -> bytes:
        if self.latency:
            time.sleep(random.uniform(0, self.latency))
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(request)
            chunks = []
            while chunk := up.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def _handle(self, conn: socket.socket) -> None:
        fault = self._choose()
        try:
            self._serve(conn, fault)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _ruled(self, request: bytes, fault: str) -> str:
        """The fault ``rule`` names for ``request``, else ``fault``."""
        forced = self.rule(request) if self.rule is not None else None
        if forced is None:
            return fault
        with self._lock:
            self.seen[forced] += 1
        return forced

    def _serve(self, conn: socket.socket, fault: str) -> None:
        if fault == "refuse":
            _reset(conn)
            return
        if fault == "reset":
            conn.recv(random.randint(1, 200))
            _reset(conn)
            return
        request = _read_request(conn)
        if request is None:
            return
        fault = self._ruled(request, fault)
        if fault == "portal":
            page = ("<html><head><title>Wi-Fi Café</title></head><body>Connectez-vous"
                    "</body></html>").encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                         + str(len(page)).encode() + b"\r\nConnection: close\r\n\r\n" + page)
            return
        if fault in ("500", "502", "503"):
            conn.sendall(f"HTTP/1.1 {fault} Oops\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            return
        if fault == "delay":
            time.sleep(self.hold)
            reply = self._forward(request)
        elif fault == "duplicate":
            other = threading.Thread(target=self._forward, args=(request,), daemon=True)
            other.start()
            reply = self._forward(request)
            other.join()
        else:
            reply = self._forward(request)
        if fault == "cut":
            conn.sendall(reply[: random.randint(0, max(0, len(reply) - 1))])
            _reset(conn)
            return
        if fault == "trickle":
            for i in range(len(reply)):
                conn.sendall(reply[i:i + 1])
                time.sleep(self.hold)
            with self._lock:
                self.trickled_whole += 1
            return
        if fault == "stall":
            conn.sendall(reply[: random.randint(0, max(0, len(reply) - 1))])
            time.sleep(self.hold)
            _reset(conn)
            return
        conn.sendall(reply)


def tls_context(folder: Path, name: str, alt: str) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for ``alt`` (``DNS:name`` or ``IP:127.0.0.1``), signed by
    no authority a till knows, written in ``folder``, and a server's TLS context using it."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={alt}"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


class TrickleRelay:
    """A link to ``upstream`` (a port on 127.0.0.1) that carries what the till sends as
    it comes, and what comes back a byte at a time, ``hold`` seconds apart (each byte
    within a read timeout): over TLS, the handshake itself trickles.
    :attr:`whole` counts the connections whose upstream had nothing more to send."""

    def __init__(self, upstream: int, hold: float) -> None:
        self.upstream = ("127.0.0.1", upstream)
        self.hold = hold
        self.whole = 0
        self.trickled = 0  # bytes the till was sent
        self._stopping = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._relay, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, conn: socket.socket) -> None:
        with conn, socket.create_connection(self.upstream, timeout=30) as up:
            ahead = threading.Thread(target=self._carry, args=(conn, up), daemon=True)
            ahead.start()
            with contextlib.suppress(OSError):
                while data := up.recv(65536):
                    for i in range(len(data)):
                        if self._stopping.is_set():
                            return
                        conn.sendall(data[i:i + 1])
                        self.trickled += 1
                        time.sleep(self.hold)
                self.whole += 1
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            ahead.join(5)

    @staticmethod
    def _carry(conn: socket.socket, up: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := conn.recv(65536):
                up.sendall(data)

    def close(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(10)
