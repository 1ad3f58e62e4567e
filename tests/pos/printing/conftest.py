"""Printing tests: Qt headless, a shop letterhead, and a fake network printer."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import socket
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from pos.printing import ensure_gui_app
from pos.printing.samples import SAMPLE_SHOP
from pos.receipts import Shop
from tests.pos.printing.escpos_decode import status_requests, whole_job


@pytest.fixture(scope="session")
def gui() -> QGuiApplication:
    return ensure_gui_app()


@pytest.fixture
def shop() -> Shop:
    return SAMPLE_SHOP


class FakePrinter:
    """An ESC/POS network printer on 127.0.0.1 that can misbehave.

    Modes: ``accept`` (reads everything, answers status requests), ``stall`` (accepts the
    connection, never reads nor answers), ``drop`` (reads ``drop_after`` bytes, then
    drops the connection), ``drop_at_end`` (reads a whole job, its cut included, then
    drops the connection without answering the status request that follows).
    ``refuse`` is a port where nothing listens: call :meth:`close`. As a printer's, its
    input buffer is small (``RECEIVE_BUFFER``): what it has not read yet is not taken off
    the till's hands. ``mode`` may change between two connections.

    :attr:`jobs` and :attr:`partial` are read once the connection being served (if any) is
    recorded: the till may be done with a connection before the printer is.
    """

    RECEIVE_BUFFER = 4096

    def __init__(self, mode: str = "accept", drop_after: int = 2000, width: int = 384) -> None:
        self.mode = mode
        self.drop_after = drop_after
        self.width = width  # paper width in dots, to know a job is whole (drop_at_end)
        self._jobs: list[bytes] = []  # what each connection delivered, in full
        self._partial: list[bytes] = []  # what each dropped connection delivered before
        self._idle = threading.Event()  # no connection is being served
        self._idle.set()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.RECEIVE_BUFFER)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._idle.clear()
            try:
                self._handle(conn, self.mode)
            finally:
                self._idle.set()

    @property
    def jobs(self) -> list[bytes]:
        """What each connection delivered in full (``accept``)."""
        self._idle.wait(10)
        return self._jobs

    @property
    def partial(self) -> list[bytes]:
        """What each dropped connection delivered before it was dropped."""
        self._idle.wait(10)
        return self._partial

    def _handle(self, conn: socket.socket, mode: str) -> None:
        if mode == "stall":
            self._held.append(conn)  # never read, never answer
            return
        received = bytearray()
        answered = 0
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                if (mode == "drop" and len(received) >= self.drop_after) or (
                    mode == "drop_at_end" and whole_job(bytes(received), self.width)
                ):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    break
                requests = status_requests(bytes(received), self.width) - answered
                answered += requests
                try:
                    conn.sendall(b"\x12" * requests)  # online, paper present
                except OSError:
                    break
        (self._jobs if mode == "accept" else self._partial).append(bytes(received))

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(2)
        for conn in self._held:
            conn.close()


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()
