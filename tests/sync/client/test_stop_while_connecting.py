"""A sync stopped (the app closing, a backup restored) while its connection is still
being made ends at once, not at the end of the connect timeout: over plain http and
https, whether the server's address takes no connection yet (its queue full) or takes it
and never answers the TLS hello. A TLS handshake that trickles is cut at the request's
deadline, as a trickled answer is."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.errors import Offline, SyncError
from sync.client.transport import STOPPED, Backoff, StopEvent, Timeouts, Transport
from tests.sync.client.faultproxy import TrickleRelay
from tests.sync.client.support import listening_socket
from tests.sync.client.test_trickle import TlsTrickler

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(),
                                reason="the connection being made is seen in /proc/net/tcp")

#: a connect timeout nothing in these tests reaches
FOREVER = Timeouts(connect=600.0, read=600.0, total=600.0)
SYN_SENT = "02"


def connecting_to(port: int) -> bool:
    """Whether a connection to 127.0.0.1:``port`` is being made (its SYN sent, no answer)."""
    target = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(line.split()[2] == target and line.split()[3] == SYN_SENT for line in lines)


@pytest.fixture
def full() -> Iterator[int]:
    """A port on 127.0.0.1 whose queue of connections is full: a new one is never taken
    (its SYN goes unanswered), as a server overwhelmed or a link that drops them."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    port = sock.getsockname()[1]
    queued = [socket.create_connection(("127.0.0.1", port), timeout=5)]
    yield port
    for conn in queued:
        conn.close()
    sock.close()


@pytest.fixture
def deaf() -> Iterator[tuple[int, threading.Event]]:
    """A port on 127.0.0.1 that takes connections and reads what comes (a TLS hello),
    never answering; the event is set once something came."""
    sock = listening_socket()
    heard = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)
            with contextlib.suppress(OSError):
                if conn.recv(65536):
                    heard.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1], heard
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    thread.join(5)
    for conn in held:
        conn.close()


def health_in_thread(transport: Transport) -> tuple[threading.Thread, list[SyncError]]:
    """Ask the server's health on a thread of its own, as the sync worker does."""
    failed: list[SyncError] = []

    def ask() -> None:
        try:
            transport.health()
        except SyncError as exc:
            failed.append(exc)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, failed


def stopped_at_once(transport: Transport, stop: StopEvent, thread: threading.Thread,
                    failed: list[SyncError]) -> None:
    stop.set()
    thread.join(60)  # ended by the stop: nothing else would end it in ten minutes
    transport.close()
    assert not thread.is_alive()
    assert [type(exc) for exc in failed] == [Offline] and failed[0].key == STOPPED


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_stopping_cuts_a_connection_not_yet_taken(full: int, scheme: str) -> None:
    stop = StopEvent()
    transport = Transport(f"{scheme}://127.0.0.1:{full}", stop=stop, timeouts=FOREVER,
                          backoff=Backoff(attempts=1))
    thread, failed = health_in_thread(transport)
    for _ in range(6000):
        if connecting_to(full):
            break
        thread.join(0.01)
    assert connecting_to(full)
    stopped_at_once(transport, stop, thread, failed)
    assert not connecting_to(full)  # given up, not left trying


def test_stopping_cuts_a_tls_hello_never_answered(deaf: tuple[int, threading.Event]) -> None:
    port, heard = deaf
    stop = StopEvent()
    transport = Transport(f"https://127.0.0.1:{port}", stop=stop, timeouts=FOREVER,
                          backoff=Backoff(attempts=1))
    thread, failed = health_in_thread(transport)
    assert heard.wait(30)  # the hello is there; the till waits for the answer
    stopped_at_once(transport, stop, thread, failed)


def test_a_transport_stopped_before_it_connects_does_not(full: int) -> None:
    stop = StopEvent()
    stop.set()
    transport = Transport(f"http://127.0.0.1:{full}", stop=stop, timeouts=FOREVER)
    with pytest.raises(Offline) as caught:
        transport.health()
    transport.close()
    assert caught.value.key == STOPPED and not connecting_to(full)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_a_trickled_tls_handshake_is_cut_at_the_deadline(tmp_path: Path) -> None:
    server = TlsTrickler(tmp_path, hold=0.0)
    # the server's side of the handshake, some 2 kB, takes seconds to come whole: within
    # the connect timeout, past the request's deadline
    relay = TrickleRelay(int(server.url.rsplit(":", 1)[1]), hold=0.002)
    transport = Transport(f"https://127.0.0.1:{relay.port}", ca_file=str(server.cert),
                          timeouts=Timeouts(connect=30.0, read=30.0, total=1.0),
                          backoff=Backoff(attempts=1))
    try:
        with pytest.raises(Offline) as caught:
            transport.health()
    finally:
        transport.close()
        relay.close()
        server.close()
    assert caught.value.key == "sync.err.timeout"
    assert relay.trickled > 0 and relay.whole == 0  # hung up in the middle of the handshake
    assert server.whole == 0  # the request was never made
