"""A link that trickles the server's answer a byte at a time (each byte within the read
timeout, so that no read ever times out) cannot hold a sync run: the request's deadline
cuts it, the run ends as "did not answer in time", the day stays waiting, and the next
run over a good link delivers it."""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos.i18n import tr
from sync.client.engine import sync_once
from sync.client.transport import Backoff, Timeouts
from tests.sync.client.faultproxy import FaultProxy, tls_context
from tests.sync.client.support import (
    LiveServer,
    Till,
    device_of,
    listening_socket,
    local_figures,
)
from tests.sync.client.test_faults import transport_via


@pytest.fixture
def trickling(server: LiveServer) -> Iterator[FaultProxy]:
    # a byte every 50 ms: the health answer alone would take seconds to come whole
    proxy = FaultProxy(server.port, seed=1, hold=0.05, weights={"trickle": 1.0})
    yield proxy
    proxy.close()


def test_a_trickled_answer_is_cut_at_the_deadline(till: Till, server: LiveServer,
                                                  trickling: FaultProxy) -> None:
    till.sell(random.Random(31))
    transport = transport_via(till.store, trickling.url)
    transport.timeouts = Timeouts(connect=1.0, read=1.0, total=1.0)
    transport.backoff = Backoff(attempts=1)
    try:
        outcome = sync_once(till.store, transport)
        trickling.drain()
        # the till hung up at its deadline, not once the whole answer had come
        assert trickling.seen["trickle"] == 1 and trickling.trickled_whole == 0
        assert outcome.error is not None
        assert outcome.error.key == "sync.err.timeout"
        assert outcome.waiting == 1 and not outcome.acked
        assert outcome.error.message("fr") == tr("fr", "sync.err.timeout")

        trickling.enabled = False  # the link is good again
        assert sync_once(till.store, transport).ok
    finally:
        transport.close()
    assert server.held(device_of(till.store)) == local_figures(till.store)


class TlsTrickler:
    """A server over TLS that answers every request with a Souk server's health, a byte
    at a time, ``hold`` seconds apart; counts the answers sent whole."""

    def __init__(self, folder: Path, hold: float) -> None:
        self.cert, self.context = tls_context(folder, "127.0.0.1", "IP:127.0.0.1")
        self.hold = hold
        self.whole = 0
        self.sock = listening_socket()
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _answer(self, conn: socket.socket) -> None:
        body = b'{"service":"souk-server","protocol":5,"time":"2026-05-12T08:00:00Z"}'
        reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                for i in range(len(reply)):
                    tls.sendall(reply[i:i + 1])
                    time.sleep(self.hold)
                self.whole += 1
        except OSError:
            return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept under way
        self.sock.close()
        self.acceptor.join(5)
        for thread in self.threads:
            thread.join(10)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_a_trickled_answer_over_tls_is_cut_at_the_deadline(till: Till, tmp_path: Path) -> None:
    trickler = TlsTrickler(tmp_path, hold=0.05)
    till.sell(random.Random(32))
    transport = transport_via(till.store, trickler.url)
    transport.session.verify = str(trickler.cert)
    transport.timeouts = Timeouts(connect=1.0, read=1.0, total=1.0)
    transport.backoff = Backoff(attempts=1)
    try:
        outcome = sync_once(till.store, transport)
    finally:
        transport.close()
        trickler.close()
    assert trickler.whole == 0  # hung up at the deadline
    assert outcome.error is not None and outcome.error.key == "sync.err.timeout"
    assert outcome.waiting == 1 and not outcome.acked
