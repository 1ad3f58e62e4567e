"""Printing tests: Qt headless, a shop letterhead, and a fake network printer."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import select
import socket
import threading
import time
import tty
from collections.abc import Iterator

import pytest
import usb.core
from escpos.printer import Dummy
from PySide6.QtGui import QGuiApplication

from pos.printing import ensure_gui_app
from pos.printing.samples import SAMPLE_SHOP
from pos.receipts import Shop
from tests.pos.printing.escpos_decode import status_codes, whole_job


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
    drops the connection without answering the status request that follows), ``mute``
    (reads everything, answers nothing once a whole job is in: hung then; :attr:`received`
    says when), ``slow`` (reads and answers as ``accept``, :attr:`SLOW_READ` bytes at a
    time, :attr:`SLOW_PAUSE` seconds apart: a slow printer, printing), ``slow_stall``
    (reads as ``slow``, then nothing more once ``drop_after`` bytes are in: it hangs in the
    middle of the receipt).
    ``refuse`` is a port where nothing listens: call :meth:`close`. It answers ``paper``
    to the paper roll sensor's request (``DLE EOT 4``); with Automatic Status Back on
    (``asb``: its 4-byte block), it sends a block on connecting and before each answer.
    As a printer's, its input buffer is small (``RECEIVE_BUFFER``): what it has not read
    yet is not taken off the till's hands. ``mode`` may change between two connections.

    :attr:`jobs` and :attr:`partial` are read once the connection being served (if any) is
    recorded: the till may be done with a connection before the printer is.
    """

    RECEIVE_BUFFER = 4096
    SLOW_READ = 256
    SLOW_PAUSE = 0.02

    def __init__(self, mode: str = "accept", drop_after: int = 2000, width: int = 384,
                 paper: bytes = b"\x12", asb: bytes = b"") -> None:
        self.mode = mode
        self.paper = paper
        self.asb = asb
        self.drop_after = drop_after
        self.width = width  # paper width in dots, to know a job is whole (drop_at_end)
        self._jobs: list[bytes] = []  # what each connection delivered, in full
        self.received = b""  # what the connection being served delivered so far
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
            if self.asb:
                conn.sendall(self.asb)
            while True:
                if mode == "slow_stall" and len(received) >= self.drop_after:
                    self._held.append(conn.dup())  # reads nothing more: it hangs
                    break
                try:
                    chunk = conn.recv(self.SLOW_READ if mode.startswith("slow") else 65536)
                except OSError:
                    break
                if not chunk:
                    break
                if mode.startswith("slow"):
                    time.sleep(self.SLOW_PAUSE)
                received += chunk
                self.received = bytes(received)
                if mode == "mute" and whole_job(bytes(received), self.width):
                    continue
                if (mode == "drop" and len(received) >= self.drop_after) or (
                    mode == "drop_at_end" and whole_job(bytes(received), self.width)
                ):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    break
                codes = status_codes(bytes(received), self.width)
                asked, answered = codes[answered:], len(codes)
                try:  # online; the paper as it is
                    conn.sendall(b"".join(self.asb + (self.paper if n == 4 else b"\x12")
                                          for n in asked))
                except OSError:
                    break
        (self._jobs if mode in ("accept", "slow") else self._partial).append(bytes(received))

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


ONLINE: bytes = b"\x12"  # an answer to DLE EOT: online, paper present (fixed bits 0xx1xx10)
PAPER_OUT: bytes = b"\x72"  # the paper roll sensor's answer: no paper (bits 5 and 6)


class FakeSerialPrinter:
    """An ESC/POS printer on a serial line: the far end of a pseudo-terminal, whose own end
    (:attr:`path`, ``/dev/pts/N``) the till opens as it opens ``/dev/ttyUSB0``. It reads
    everything and, when ``answers``, answers each status request: ``paper`` to the paper
    roll sensor's (``DLE EOT 4``), :data:`ONLINE` to the others; a cheap printer that
    never answers does not. With Automatic Status Back on (``asb``: its 4-byte block), a
    block comes before each answer, as the printer sends one by itself whenever its
    state changes. :attr:`received` is everything the till sent, whole once the till has
    closed the port and the printer is closed."""

    def __init__(self, answers: bool = True, paper: bytes = ONLINE, width: int = 384,
                 asb: bytes = b"") -> None:
        self.answers = answers
        self.paper = paper
        self.asb = asb
        self.width = width
        self._received = bytearray()
        self._lock = threading.Lock()
        self._far, self._near = os.openpty()
        tty.setraw(self._near)  # no echo: what the till sends never comes back
        self.path = os.ttyname(self._near)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    def _serve(self) -> None:
        answered = 0
        while not self._stop.is_set():
            ready, _, _ = select.select([self._far], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._far, 65536)
            except OSError:  # the till closed its end
                continue
            with self._lock:
                self._received += chunk
                codes = status_codes(bytes(self._received), self.width)
            asked, answered = codes[answered:], len(codes)
            if self.answers and asked:
                os.write(self._far, b"".join(self.asb + (self.paper if n == 4 else ONLINE)
                                             for n in asked))

    def close(self) -> None:
        """Stop answering; what the till wrote and was not read yet is read first (the
        till's writes are all there once it has closed its end)."""
        self._stop.set()
        self._thread.join(2)
        while select.select([self._far], [], [], 0)[0]:
            chunk = os.read(self._far, 65536)
            if not chunk:
                break
            with self._lock:
                self._received += chunk
        os.close(self._far)
        os.close(self._near)


class UsbPrinter(Dummy):  # type: ignore[misc]
    """A USB printer as python-escpos reaches it: ``answer`` is what it says to a status
    request (empty: nothing; None: the read times out, as pyusb reports it); ``paper``
    what its paper roll sensor says (``DLE EOT 4``) when it answers. With Automatic
    Status Back on (``asb``: its 4-byte block), the block comes first, a read of its own
    before the answer. :attr:`asked`: the status requests it was sent."""

    def __init__(self, answer: bytes | None = ONLINE, paper: bytes = ONLINE,
                 asb: bytes = b"") -> None:
        super().__init__()
        self.answer = answer
        self.paper = paper
        self.asb = asb
        self.asked: list[bytes] = []
        self._reads: list[bytes] = []  # what the next reads return, one each

    def _raw(self, msg: bytes) -> None:
        if msg.startswith(b"\x10\x04"):
            self.asked.append(msg)
            reply = self.paper if msg == b"\x10\x04\x04" else self.answer
            self._reads = [part for part in (self.asb, reply) if part]
        super()._raw(msg)

    def _read(self) -> bytes:
        if self._reads:
            return self._reads.pop(0)
        if self.answer is None:
            raise usb.core.USBTimeoutError("Operation timed out", 110, 110)
        return b""  # silent
