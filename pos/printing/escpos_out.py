"""A rendered receipt as ESC/POS commands, and the printer connections (python-escpos).

The image goes out as raster bit images (``GS v 0``) in slices of at most 255 rows; no
slice is a multiple of 48 rows high (some Xprinter firmwares garble those). Each band of
rows is sent only as wide as its ink: a left-aligned band cut after its last inked byte, a
right-aligned one (Arabic) cut before its first and printed right-justified, a centred one
trimmed by the same number of bytes at both sides and printed centred (``ESC a``); blank
stretches are paper feeds (``ESC J``). The dots printed are the same as the full bitmap's,
for a fraction of its bytes. Printers that ignore ``ESC a`` for images, or whose feed unit
is not one dot, turn those off in their settings (``raster_justify``, ``raster_feed``);
``compact=False`` sends every row at full width. Printers without ``GS v 0`` fall back to
column mode (``ESC *``, 24-dot bands).

A printer never says it printed. What the till can tell is how far the bytes went: a
connection that fails before the whole image was handed over left at most part of a
receipt (:class:`PrinterError`: print it again, whole), one that fails after (while
cutting, asking for the status, closing) may have left a whole receipt
(:class:`MayHavePrinted`: the seller looks at the printer). On Linux a network printer's
socket also says which bytes never left the till, so a drop while most of the image was
still queued counts as partial.

A printer answers a status request (``DLE EOT n``) with one byte; one with Automatic
Status Back on (``GS a n``) also sends 4-byte status blocks by itself whenever its state
changes, which are read past (:func:`heard`), and read for its paper when no answer came.

Printer settings live in ``settings.PRINTER`` as a dict (see :class:`PrinterSettings`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Final, Literal, NamedTuple

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy
from escpos.printer import Network as NetworkPrinter
from PIL import Image
from sqlalchemy.orm import Session

from pos import settings
from pos.errors import InputError, Ltr
from pos.printing import address
from pos.printing.render import Raster

log = logging.getLogger(__name__)

Connection = Literal["none", "usb", "network", "serial", "file", "cups", "win32"]
CONNECTIONS: Final[tuple[Connection, ...]] = (
    "none", "usb", "network", "serial", "file", "cups", "win32",
)  # fmt: skip
RasterMode = Literal["raster", "column"]
Justify = Literal["left", "center", "right"]
_JUSTIFY_CODE: Final[dict[Justify, int]] = {"left": 0, "center": 1, "right": 2}

ESC: Final = b"\x1b"
GS: Final = b"\x1d"
INIT: Final = ESC + b"@"
STATUS_ONLINE: Final = b"\x10\x04\x01"  # DLE EOT 1: printer status
STATUS_PAPER: Final = b"\x10\x04\x04"  # DLE EOT 4: paper roll sensor
FEED_PAST_TEAR: Final = ESC + b"d\x04"  # ESC d 4: feed past the tear bar (no cutter)
SIOCOUTQNSD: Final = 0x894B  # Linux: bytes written to a TCP socket and not sent yet
#: Linux: a TCP socket's ``tcp_info``, and where in it the bytes the peer acknowledged are
TCP_INFO: Final = 11
TCP_BYTES_ACKED: Final = 120
TCP_INFO_SIZE: Final = TCP_BYTES_ACKED + 8
PAPER_END: Final = 0x60  # bits 5 and 6 of the paper status: no paper
#: the bits every answer to DLE EOT has alike (0xx1xx10: bits 0 and 7 off, 1 and 4 on)...
STATUS_FIXED_BITS: Final = 0x93
STATUS_FIXED: Final = 0x12  # ...and their values
#: Automatic Status Back (``GS a n``): a printer with it on sends 4-byte status blocks by
#: itself, whenever its state changes; the first byte is 0xx1xx00 (bits 0, 1 and 7 off, 4
#: on: never an answer to DLE EOT, whose bit 1 is on), the three others 0xx0xxxx (bit 4
#: off: never one either)
ASB_FIRST_BITS: Final = 0x93
ASB_FIRST: Final = 0x10
ASB_NEXT_BITS: Final = 0x90
ASB_SIZE: Final = 4
ASB_OFFLINE: Final = 0x08  # first byte, bit 3: offline
ASB_PAPER_END: Final = 0x0C  # third byte, bits 2 and 3: the roll paper end sensor
MAX_HEARD: Final = 64  # bytes read at most while an answer is awaited among ASB blocks
#: the image goes out in pieces of this many bytes when the worker may be stopped meanwhile
#: (:class:`Gate`)
PIECE: Final = 4096
PROBE_TIMEOUT: Final = 1.0  # seconds a printer has to answer its first status request
#: the connections whose printers are asked for their status only once they have answered
#: one request, after a test page (some cheap ones never answer)
LEARNED: Final = ("usb", "serial")
MAX_SLICE: Final = 255
BAD_HEIGHT: Final = 48  # slice heights that are multiples of this are avoided
LOOKBACK: Final = 16  # stretches of rows a band may reach back over (see _plan)
COLUMN_BAND: Final = 24
_RASTER_SIZE: Final = struct.Struct("<HH")  # GS v 0: width in bytes, then height in rows
MIN_WIDTH: Final = 96  # the paper widths (in dots) a receipt can be laid out for
MAX_WIDTH: Final = 2048

#: USB vendors of common receipt printers (many show a vendor-specific interface class).
PRINTER_VENDORS: Final = {
    0x0416: "Winbond (generic POS)", 0x0483: "STMicroelectronics (generic POS)",
    0x04B8: "Epson", 0x0519: "Star Micronics", 0x0DD4: "Custom", 0x0FE6: "ICS (generic POS)",
    0x1504: "Bixolon", 0x154F: "SNBC", 0x1FC9: "NXP (generic POS)", 0x20D1: "Rongta",
    0x28E9: "GigaDevice (generic POS)", 0x6868: "Xprinter", 0x0525: "Netchip (generic POS)",
}  # fmt: skip


@dataclass(frozen=True)
class PrinterSettings:
    """How to reach the printer and what paper it has (``settings.PRINTER``)."""

    connection: Connection = "none"
    usb: str = ""  # "vendor:product" in hex, e.g. "0416:5011"
    host: str = ""
    port: int = 9100
    serial_port: str = ""  # /dev/ttyUSB0, /dev/rfcomm0, COM3
    baudrate: int = 9600
    device: str = "/dev/usb/lp0"
    name: str = ""  # CUPS or Windows printer name
    width_dots: int = 384  # 384 for 58 mm paper; 576 (or 512) for 80 mm
    profile: str = ""  # python-escpos capability profile, e.g. "TM-T20II"
    cut: bool = True
    drawer: bool = False  # open the cash drawer when a cash sale prints
    raster_mode: RasterMode = "raster"
    compact: bool = True  # narrow rasters to their ink; False: every row at full width
    raster_justify: bool = True  # centred and right-flush rasters (ESC a); off: left only
    raster_feed: bool = True  # blank stretches as paper feeds (ESC J, 1 unit = 1 dot)
    #: ask the printer for its status; None: network printers only, and a USB or serial
    #: printer's test page asks it once whether it answers (see :func:`print_test_page`)
    check_status: bool | None = None
    timeout: float = 5.0  # seconds

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PrinterSettings:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        result = cls(**values)
        if result.connection not in CONNECTIONS:
            result = replace(result, connection="none")
        return result

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, session: Session) -> PrinterSettings:
        return cls.from_dict(settings.get(session, settings.PRINTER))

    def save(self, session: Session) -> None:
        """Store the settings; a paper width no receipt printer has, or an address of the
        wrong form (:func:`pos.printing.address.parse`), raises
        :class:`~pos.errors.InputError` and stores nothing."""
        self.check()
        settings.put(session, settings.PRINTER, self.to_dict())

    def check(self) -> None:
        """Raise :class:`~pos.errors.InputError` for a paper width no receipt printer has
        or an address of the wrong form for the connection."""
        check_width(self.width_dots)
        address.parse(self.connection, self.address)

    @property
    def address(self) -> str:
        """The address as the seller types it (``0416:5011``, ``192.168.1.50:9101``)."""
        return address.shown(self.to_dict())

    @property
    def width_ok(self) -> bool:
        return valid_width(self.width_dots)

    @property
    def asks_status(self) -> bool:
        if self.check_status is None:
            return self.connection == "network"
        return self.check_status

    @property
    def learns_status(self) -> bool:
        """Whether a test page asks this printer once whether it answers status requests:
        a USB or serial printer not known to answer or not."""
        return self.check_status is None and self.connection in LEARNED

    def describe(self) -> str:
        """Where the printer is, for the test page, in words of no language (the page
        says the paper width in its own): ``USB 0416:5011``, ``/dev/ttyUSB0 · 9600 Bd``;
        a printer without ``GS v 0`` adds ``ESC *``."""
        where = {
            "usb": f"USB {self.usb}", "network": f"{self.host}:{self.port}",
            "serial": f"{self.serial_port} · {self.baudrate} Bd", "file": self.device,
            "cups": f"CUPS {self.name}", "win32": f"Windows {self.name}", "none": "-",
        }[self.connection]  # fmt: skip
        return f"{where} · ESC *" if self.raster_mode == "column" else where


def valid_width(width: object) -> bool:
    """Whether ``width`` (dots) is a paper width a receipt can be laid out for."""
    return type(width) is int and MIN_WIDTH <= width <= MAX_WIDTH


def check_width(width: object) -> None:
    """Raise :class:`~pos.errors.InputError` (``printing.error.bad_width``) for a paper
    width no receipt printer has."""
    if not valid_width(width):
        raise InputError("printing.error.bad_width", width=width)


class PrinterError(Exception):
    """The printer could not print; ``key`` is the message to show (printing.error.*)."""

    def __init__(self, key: str, detail: str = "", **params: object) -> None:
        super().__init__(detail or key)
        self.key = key
        self.detail = detail
        self.params = params  # the message's {placeholders}


class MayHavePrinted(PrinterError):
    """Every byte of the receipt's image was handed to the printer's connection, then the
    connection failed (cutting, answering the last status request, closing): the receipt
    may have come out whole, so it must not be printed again as an original."""

    def __init__(self, detail: str) -> None:
        super().__init__("printing.error.offline", detail)


# -- encoding --------------------------------------------------------------------------


class Slice(NamedTuple):
    """One command of the image: a ``GS v 0`` raster, or a paper feed over blank rows.

    A raster covers bytes ``left_bytes`` to ``left_bytes + width_bytes`` of rows ``top`` to
    ``top + height``; the printer places it by its justification (``ESC a``): at the left
    edge, centred, or against the right edge, which puts it exactly where it was drawn.
    """

    top: int
    height: int
    width_bytes: int
    left_bytes: int = 0
    justify: Justify = "left"
    feed: bool = False  # blank rows: ``ESC J height`` and no image


class _Atom(NamedTuple):
    """Rows ``top`` to ``end``: all blank (``ink`` False), or all inked, where ``left`` and
    ``right`` are the fewest blank bytes any of them has at that side."""

    top: int
    end: int
    ink: bool
    left: int = 0
    right: int = 0


def _atoms(raster: Raster) -> list[_Atom]:
    """The image as stretches of blank rows and of inked rows (cut where a row's best
    placement differs from the one before it)."""
    data, stride = raster.data, raster.stride
    atoms: list[_Atom] = []
    top, kind, lo, ro = 0, -1, stride, stride  # kind: -1 none yet, 0 blank, 1 2 3 a placement
    for y, offset in enumerate(range(0, raster.height * stride, stride)):
        row = data[offset : offset + stride]
        ink = row.lstrip(b"\x00")  # from the first inked byte on (empty: a blank row)
        if ink:
            lft = stride - len(ink)
            rgt = len(ink) - len(ink.rstrip(b"\x00"))
            # the row's narrowest placement: 1 left, 2 centred, 3 right (ties: left, centre)
            here = 1 if rgt >= 2 * lft else 3 if lft > 2 * rgt else 2
        else:
            here = lft = rgt = 0
        if here != kind:
            if kind >= 0:
                atoms.append(_Atom(top, y, kind > 0, lo, ro))
            top, kind, lo, ro = y, here, lft, rgt
        elif here:
            lo = lft if lft < lo else lo
            ro = rgt if rgt < ro else ro
    if kind >= 0:
        atoms.append(_Atom(top, raster.height, kind > 0, lo, ro))
    return atoms


def _placement(left: int, right: int, stride: int, justify: bool) -> tuple[Justify, int, int]:
    """(justification, first byte, width in bytes) of the narrowest raster that holds rows
    with at least ``left`` and ``right`` blank bytes at either side and prints them in
    place. Centred rasters leave the same number of bytes at both sides, so printers that
    centre by dots and those that centre by bytes put them at the same place."""
    placement: tuple[Justify, int, int] = ("left", 0, stride - right)
    if not justify:
        return placement
    side = left if left < right else right
    if stride - 2 * side < placement[2]:  # ties: left, then centre
        placement = ("center", side, stride - 2 * side)
    if stride - left < placement[2]:
        placement = ("right", left, stride - left)
    return placement


def _cut(top: int, height: int) -> list[tuple[int, int]]:
    """``height`` rows from ``top`` in pieces of at most MAX_SLICE rows, none 48*k high."""
    if height <= MAX_SLICE and height % BAD_HEIGHT:
        return [(top, height)]  # most bands
    pieces = []
    while height > 0:
        piece = min(height, MAX_SLICE)
        if piece % BAD_HEIGHT == 0:
            piece -= 1
        if (height - piece) % BAD_HEIGHT == 0 and height - piece > 0:
            piece -= 1  # leave no multiple of 48 behind either
        pieces.append((top, piece))
        top += piece
        height -= piece
    return pieces


def _pieces(height: int) -> int:
    return len(_cut(0, height))


def _feed_cost(height: int, feed: bool) -> int:
    pieces = -(-height // MAX_SLICE) if feed else _pieces(height)
    return 3 * pieces if feed else 8 * pieces + height


def _cheapest(
    atoms: list[_Atom], stride: int, justify: bool, feed: bool
) -> tuple[list[int], list[tuple[int, int]]]:
    """The cheapest bands, found atom by atom: for each ``k``, the first atom of the last
    of the cheapest bands for the first ``k`` atoms, and the fewest blank bytes at the left
    and at the right of that band's rows."""
    count = len(atoms)
    cost = [0] * (count + 1)  # bytes of the cheapest bands for the first k atoms
    start = [0] * (count + 1)
    sides = [(0, 0)] * (count + 1)
    window: deque[tuple[int, int, int, int]] = deque()  # inked atoms a band may start with
    for k, (first_top, end, ink, first_left, first_right) in enumerate(atoms, 1):
        if not ink:
            cost[k], start[k] = cost[k - 1] + _feed_cost(end - first_top, feed), k - 1
            continue
        window.append((k - 1, first_top, first_left, first_right))  # (atom, top, left, right)
        while window[0][0] < k - LOOKBACK:
            window.popleft()
        best, best_j, best_left, best_right = -1, k - 1, 0, 0
        left = right = stride
        width = extra = 0
        for j, top, atom_left, atom_right in reversed(window):  # the band's first atom
            if atom_left < left or atom_right < right:  # the band's placement changes
                left = atom_left if atom_left < left else left
                right = atom_right if atom_right < right else right
                width, extra = stride - right, 0
                if justify:
                    side = left if left < right else right
                    if stride - 2 * side < width:
                        width, extra = stride - 2 * side, 3  # and an ESC a
                    if stride - left < width:
                        width, extra = stride - left, 3
            height = end - top
            pieces = 1 if height <= MAX_SLICE else _pieces(height)
            total = cost[j] + height * width + 8 * pieces + extra
            if best < 0 or total < best:
                best, best_j, best_left, best_right = total, j, left, right
        cost[k], start[k], sides[k] = best, best_j, (best_left, best_right)
    return start, sides


def _plan(raster: Raster, justify: bool, feed: bool) -> list[Slice]:
    """The cheapest sequence of bands: each band is one raster placement (or a feed);
    bands may take short blank gaps in when that costs fewer bytes than a new command."""
    stride = raster.stride
    atoms = _atoms(raster)
    start, sides = _cheapest(atoms, stride, justify, feed)
    bands: list[Slice] = []
    k = len(atoms)
    while k > 0:
        j = start[k]
        top, _, ink, _, _ = atoms[j]
        end = atoms[k - 1].end
        if ink:
            where, first, width = _placement(*sides[k], stride, justify)
            bands += [Slice(t, h, width, first, where) for t, h in reversed(_cut(top, end - top))]
        elif feed:
            bands += [Slice(t, min(MAX_SLICE, end - t), 0, feed=True)
                      for t in reversed(range(top, end, MAX_SLICE))]  # fmt: skip
        else:
            bands += [Slice(t, h, 1) for t, h in reversed(_cut(top, end - top))]
        k = j
    bands.reverse()
    return bands


def slices(
    raster: Raster, *, compact: bool = True, justify: bool = True, feed: bool = True
) -> list[Slice]:
    """How the image is cut into ``GS v 0`` commands (and ``ESC J`` feeds).

    ``compact=False`` sends every row at full width, the plainest form any printer takes.
    Otherwise rows are narrowed to their ink; ``justify`` allows centred and right-flush
    rasters (not for widths that are not whole bytes), ``feed`` sends blank stretches as
    paper feeds.
    """
    if not compact:
        return [Slice(t, h, raster.stride) for t, h in _cut(0, raster.height)]
    return _plan(raster, justify and raster.width % 8 == 0, feed)


def raster_bytes(
    raster: Raster, *, compact: bool = True, justify: bool = True, feed: bool = True
) -> bytes:
    """The image as ``GS v 0`` commands (normal density, 1 dot = 1 bit), with ``ESC a``
    before a raster whose justification differs from the previous one, ``ESC J`` over
    blank stretches, and left justification restored at the end."""
    data, stride = raster.data, raster.stride
    out = bytearray()
    current: Justify = "left"
    for top, height, width, first, where, blank in slices(
        raster, compact=compact, justify=justify, feed=feed
    ):
        if blank:
            out += ESC + b"J" + bytes([height])
            continue
        if where != current:
            out += ESC + b"a" + bytes([_JUSTIFY_CODE[where]])
            current = where
        out += GS + b"v0\x00" + _RASTER_SIZE.pack(width, height)
        begin = top * stride + first
        end = begin + height * stride
        if width == stride:
            out += data[begin:end]
        else:
            out += b"".join([data[i : i + width] for i in range(begin, end, stride)])
    if current != "left":
        out += ESC + b"a\x00"
    return bytes(out)


def column_bytes(raster: Raster) -> bytes:
    """The image as ``ESC *`` 24-dot double-density bands (for printers without GS v 0)."""
    image = Image.frombytes("1", (raster.width, raster.height), raster.data)
    out = bytearray(ESC + b"3" + bytes([COLUMN_BAND]))
    for top in range(0, raster.height, COLUMN_BAND):
        band = Image.new("1", (raster.width, COLUMN_BAND))
        band.paste(image.crop((0, top, raster.width, min(top + COLUMN_BAND, raster.height))))
        columns = band.transpose(Image.Transpose.ROTATE_270).transpose(
            Image.Transpose.FLIP_LEFT_RIGHT
        )
        out += ESC + b"*\x21" + raster.width.to_bytes(2, "little") + columns.tobytes() + b"\n"
    out += ESC + b"2"
    return bytes(out)


def image_bytes(raster: Raster, printer: PrinterSettings) -> bytes:
    if printer.raster_mode == "column":
        return column_bytes(raster)
    return raster_bytes(
        raster, compact=printer.compact, justify=printer.raster_justify,
        feed=printer.raster_feed,
    )  # fmt: skip


# -- connections -----------------------------------------------------------------------


def _open(config: PrinterSettings) -> Escpos:
    """The python-escpos printer object for ``config`` (not opened yet)."""
    from escpos import printer as drivers

    if config.connection == "none":
        raise PrinterError("printing.error.not_configured")
    try:
        address.parse(config.connection, config.address)
    except InputError as exc:  # an old or hand-edited setting
        raise PrinterError("printing.error.bad_address", str(exc),
                           address=Ltr(config.address or "-")) from None  # fmt: skip
    profile = {"profile": config.profile} if config.profile else {}
    timeout = config.timeout
    if config.connection == "usb":
        vendor, product = (int(part, 16) for part in config.usb.split(":"))
        return drivers.Usb(vendor, product, timeout=int(timeout * 1000), **profile)
    if config.connection == "network":
        return _Network(config.host, config.port, timeout=timeout, **profile)
    if config.connection == "serial":
        return drivers.Serial(config.serial_port, config.baudrate, timeout=timeout, **profile)
    if config.connection == "file":
        return drivers.File(config.device, **profile)
    if config.connection == "cups" and drivers.LP.is_usable():
        return drivers.LP(config.name, **profile)
    if config.connection == "win32" and drivers.Win32Raw.is_usable():
        return drivers.Win32Raw(config.name, **profile)
    raise PrinterError("printing.error.not_here", config.connection,
                       system=address.SYSTEMS[config.connection])  # fmt: skip


class _Network(NetworkPrinter):  # type: ignore[misc]
    """python-escpos' network printer, without leaking the socket when connecting fails."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            raise DeviceNotFoundError(f"{self.host}:{self.port}: {exc}") from exc


Opener = Callable[[PrinterSettings], Escpos]


def open_printer(config: PrinterSettings) -> Escpos:
    """An opened connection to the configured printer; raises :class:`PrinterError`:
    ``printing.error.no_access`` when the system refused this user the device (a device
    file, a serial port or a USB device the user has no right to: a fresh Linux laptop's
    usual first failure), ``printing.error.offline`` otherwise."""
    device = _open(config)
    try:
        device.open()
    except PrinterError:
        raise
    except Exception as exc:  # escpos, OSError, USBError, serial errors...
        if _access_refused(exc):
            raise PrinterError("printing.error.no_access", _describe(exc),
                               address=Ltr(config.address)) from exc  # fmt: skip
        raise PrinterError("printing.error.offline", _describe(exc)) from exc
    return device


def _access_refused(exc: BaseException) -> bool:
    """Whether ``exc``, or the error it was raised from (python-escpos wraps what the
    system said in its own), is the system refusing access (EACCES, EPERM)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        if getattr(seen, "errno", None) in (errno.EACCES, errno.EPERM):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return f"{type(exc).__name__}: {text}"[:250]


class Heard(NamedTuple):
    """What a printer sent back: the last answer to DLE EOT in it (None: none), and the
    last whole Automatic Status Back block (``b""``: none)."""

    answer: int | None
    block: bytes
    pending: bool = False  # it ends with the start of an ASB block: more is coming


def heard(data: bytes) -> Heard:
    """Sort what a printer sent into answers to DLE EOT and ASB blocks (other bytes are
    stray: an echo, noise)."""
    answer: int | None = None
    block = b""
    i = 0
    while i < len(data):
        byte = data[i]
        if byte & STATUS_FIXED_BITS == STATUS_FIXED:
            answer = byte
            i += 1
            continue
        if byte & ASB_FIRST_BITS == ASB_FIRST:
            rest = data[i + 1 : i + ASB_SIZE]
            if all(b & ASB_NEXT_BITS == 0 for b in rest):
                if len(rest) < ASB_SIZE - 1:
                    return Heard(answer, block, True)
                block = data[i : i + ASB_SIZE]
                i += ASB_SIZE
                continue
        i += 1
    return Heard(answer, block)


def _listen(read: Callable[[], bytes]) -> Heard:
    """Read what the printer sends until an answer to DLE EOT is in it; ASB blocks before
    it are read past (and the last one kept). Stops at silence (an empty read, or a read
    that times out once something was heard), at stray bytes, or after
    :data:`MAX_HEARD` bytes."""
    data = b""
    while True:
        try:
            chunk = read()
        except Exception:  # a timeout (USB, network): nothing more came
            if not data:
                raise
            return heard(data)
        data += chunk
        found = heard(data)
        if found.answer is not None or not chunk or len(data) >= MAX_HEARD:
            return found
        if not (found.block or found.pending):
            return found  # stray bytes only: not a printer that speaks status


def _answer(device: Escpos, query: bytes, timeout: float | None = None) -> Heard:
    """Send the status request ``query`` and read the printer's answer, past the ASB
    blocks a printer with Automatic Status Back on sends by itself (:func:`heard`).
    ``timeout`` (seconds) replaces the connection's own for this answer where the
    connection has one to replace (USB, serial). A serial port is first emptied of what
    came before, and the request waits for everything before it to be on the wire (at 9600
    bauds a receipt takes seconds): what comes back is then read a byte at a time."""
    from escpos import printer as drivers

    port = getattr(device, "device", None)
    if isinstance(device, drivers.Serial) and port is not None:
        port.reset_input_buffer()
        device._raw(query)
        port.flush()
        before = port.timeout
        port.timeout = before if timeout is None else timeout
        try:
            return _listen(lambda: bytes(port.read(1)))
        finally:
            port.timeout = before
    device._raw(query)
    if isinstance(device, drivers.Usb) and port is not None and timeout is not None:
        before = port.default_timeout
        port.default_timeout = int(timeout * 1000)
        try:
            return _listen(lambda: bytes(device._read()))
        finally:
            port.default_timeout = before
    return _listen(lambda: bytes(device._read()))


def _status(device: Escpos, query: bytes) -> int:
    """The printer's answer to ``query``; a printer that sent only an ASB block has its
    state read from the block, as the answer would have said it (paper end, offline)."""
    found = _answer(device, query)
    if found.answer is not None:
        return found.answer
    if found.block:
        log.info("the printer sent an ASB block for its status: %r", found.block)
        return from_block(found.block, query)
    raise PrinterError("printing.error.offline", "no answer to a status request")


def from_block(block: bytes, query: bytes) -> int:
    """An ASB block read as the answer to ``query`` (DLE EOT 4: paper end; else offline)."""
    if query == STATUS_PAPER:
        empty = block[2] & ASB_PAPER_END == ASB_PAPER_END
        return STATUS_FIXED | (PAPER_END if empty else 0)
    return STATUS_FIXED | (block[0] & ASB_OFFLINE)


def is_status(answer: bytes) -> bool:
    """Whether ``answer`` is a printer's answer to a status request (DLE EOT): status
    bytes, each with its fixed bits as ESC/POS sets them, not silence nor stray bytes."""
    return bool(answer) and all(byte & STATUS_FIXED_BITS == STATUS_FIXED for byte in answer)


def answers_status(device: Escpos) -> bool:
    """Whether the printer answers a status request (DLE EOT 1) within
    :data:`PROBE_TIMEOUT`, as ESC/POS words the answer (ASB blocks it sends by itself
    are read past). No answer, stray bytes or a connection error: False (it is asked no
    more)."""
    try:
        found = _answer(device, STATUS_ONLINE, PROBE_TIMEOUT)
    except Exception:  # a timeout (USB raises one), the connection gone
        log.info("the printer did not answer a status request", exc_info=True)
        return False
    if found.answer is None:
        log.info("the printer answered a status request with no status (%r)", found)
        return False
    return True


class Gate:
    """Between the thread that prints and one that stops it (the app closing): it tells
    whether the printer is still taking the job's bytes (:meth:`moved`: a receipt
    printing, let finish, rather than a printer that hangs), and once closed
    (:meth:`close`), no more of the image goes out, and it says whether the receipt can
    have come out whole."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._last = False  # the image's last piece has started out
        self._handed = 0  # bytes of the image whose write returned
        self._seen: int | None = None  # what the printer had taken at the last look
        self.device: Escpos | None = None
        self.after = 0  # bytes written after the image (the cut, a status request)

    def passing(self, last: bool = False) -> None:
        """Before a piece of the image goes out (``last``: the last one); raises
        :class:`PrinterError` once closed."""
        with self._lock:
            if self._closed:
                raise PrinterError("printing.error.offline", "stopped: the till is closing")
            self._last = self._last or last

    def passed(self, size: int) -> None:
        """After a piece of ``size`` bytes went to the connection."""
        with self._lock:
            self._handed += size

    def moved(self) -> bool:
        """Whether the printer took some of the job since the last look (the first look
        only takes note): a printer printing takes bytes all along, one that hangs takes
        none (:func:`taken`)."""
        with self._lock:
            handed, device = self._handed, self.device
        if device is None:  # not connected yet: nothing taken, nothing to take note of
            return False
        now = taken(device, handed)
        with self._lock:
            seen, self._seen = self._seen, now
        return seen is not None and now != seen

    def close(self) -> bool:
        """Let nothing more out. True when the receipt cannot have come out whole: its
        image's last piece had not started out, or (a network printer, on Linux) some of
        the image still waits unsent in the connection. A network connection is then set
        to be reset when it closes, so that what it holds is dropped rather than
        delivered later, when the till has given the job back to its queue."""
        with self._lock:
            self._closed = True
            last, device = self._last, self.device
        if last and (device is None or not _left_unsent(device, self.after)):
            return False
        sock = getattr(device, "_device", None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return True


def send_image(
    device: Escpos, raster: Raster, config: PrinterSettings, *, open_drawer: bool = False,
    gate: Gate | None = None,
) -> int:
    """Print ``raster`` on an opened printer: init, image, feed and cut, then the drawer.

    The drawer is kicked only once the receipt has gone out (and, when the printer is asked
    for its status, once it has answered after the cut), so an attempt that fails never
    opens it; a kick that fails after a printed receipt is not an error (the receipt is
    out; the seller opens the drawer with its key). Returns the number of bytes of the
    image commands. A connection that fails raises :class:`MayHavePrinted` once the whole
    image was handed over, :class:`PrinterError` before. With a ``gate``, the image goes
    out in pieces, each let through by it (:class:`Gate`).
    """
    handed = False  # every byte of the image went to the connection
    ending = _ending(device, config)
    after = len(ending) + (len(STATUS_ONLINE) if config.asks_status else 0)
    if gate is not None:
        gate.device, gate.after = device, after
        gate.passing()
    try:
        if config.asks_status and _status(device, STATUS_PAPER) & PAPER_END == PAPER_END:
            raise PrinterError("printing.error.no_paper")
        device._raw(INIT)
        payload = image_bytes(raster, config)
        if gate is None:
            device._raw(payload)
        else:
            for at in range(0, max(len(payload), 1), PIECE):
                gate.passing(last=at + PIECE >= len(payload))
                device._raw(payload[at : at + PIECE])
                gate.passed(len(payload[at : at + PIECE]))
        handed = True
        device._raw(ending)
        if config.asks_status:
            _status(device, STATUS_ONLINE)  # everything before it has reached the printer
    except Exception as exc:
        known = isinstance(exc, (PrinterError, EscposError, OSError, RuntimeError, ValueError))
        if not known and not _is_usb_error(exc):
            raise
        if handed and not _left_unsent(device, after):
            raise MayHavePrinted(_describe(exc)) from exc
        if isinstance(exc, PrinterError):
            raise
        raise PrinterError("printing.error.offline", _describe(exc)) from exc
    if open_drawer and config.drawer:
        try:
            device.cashdraw(2)
        except Exception:
            log.warning("the receipt printed but the drawer kick failed", exc_info=True)
    return len(payload)


def _ending(device: Escpos, config: PrinterSettings) -> bytes:
    """What follows the image: a feed and the cut as ``device``'s profile words them, or
    a feed past the tear bar."""
    if not config.cut:
        return FEED_PAST_TEAR
    words = Dummy()
    words.profile = device.profile
    words.cut()
    return bytes(words.output)


def taken(device: Escpos, handed: int) -> int:
    """A count that grows as the printer takes bytes: on Linux a network printer's socket
    counts those it acknowledged, a serial port tells those still waiting in it; else,
    the ``handed`` bytes whose write returned. Only its changes mean something."""
    port = getattr(device, "_device", None)  # (``device`` would open a closed one)
    try:
        if isinstance(port, socket.socket):
            if sys.platform.startswith("linux"):
                info = port.getsockopt(socket.IPPROTO_TCP, TCP_INFO, TCP_INFO_SIZE)
                if len(info) >= TCP_INFO_SIZE:
                    return int(struct.unpack_from("Q", info, TCP_BYTES_ACKED)[0])
        elif isinstance(waiting := getattr(port, "out_waiting", None), int):
            return handed - waiting
    except OSError:  # closed meanwhile
        pass
    return handed


def _left_unsent(device: Escpos, after: int) -> bool:
    """Whether some of the image certainly never left the till: more bytes wait unsent in
    the connection than were written after the image (``after``). False when that cannot
    be known (not a TCP socket, not Linux), which counts the image as handed over."""
    sock = getattr(device, "_device", None)
    if not isinstance(sock, socket.socket) or not sys.platform.startswith("linux"):
        return False
    import fcntl

    try:
        unsent: int = struct.unpack("i", fcntl.ioctl(sock.fileno(), SIOCOUTQNSD, bytes(4)))[0]
    except (OSError, ValueError):
        return False
    return unsent > after


def _is_usb_error(exc: BaseException) -> bool:
    try:
        import usb.core
    except ImportError:
        return False
    return isinstance(exc, usb.core.USBError)


def print_raster(
    raster: Raster, config: PrinterSettings, *, open_drawer: bool = False,
    opener: Opener = open_printer, gate: Gate | None = None,
) -> int:  # fmt: skip
    """Open the printer, print, close. Raises :class:`PrinterError`, or
    :class:`MayHavePrinted` when the connection failed after the whole image was handed
    over, closing included (closing flushes a device file or a serial port, and hands a
    CUPS or Windows job to the spooler) unless the printer answered a status request
    after the cut."""
    return _print(raster, config, open_drawer=open_drawer, opener=opener, probe=False,
                  gate=gate)[0]  # fmt: skip


def print_test_page(
    raster: Raster, config: PrinterSettings, *, opener: Opener = open_printer,
    gate: Gate | None = None,
) -> bool | None:
    """Print a test page as :func:`print_raster` prints a receipt; a printer that
    :attr:`~PrinterSettings.learns_status` is then asked once for its status, with a short
    timeout (:func:`answers_status`). Returns whether it answered (None: not asked), for
    its ``check_status``; the page is printed either way."""
    return _print(raster, config, open_drawer=False, opener=opener,
                  probe=config.learns_status, gate=gate)[1]  # fmt: skip


def _print(
    raster: Raster, config: PrinterSettings, *, open_drawer: bool, opener: Opener, probe: bool,
    gate: Gate | None = None,
) -> tuple[int, bool | None]:
    """(bytes of the image, whether the printer answered the status request asked after
    it when ``probe``, else None)."""
    device = opener(config)
    answered: bool | None = None
    try:
        sent = send_image(device, raster, config, open_drawer=open_drawer, gate=gate)
        if probe:
            answered = answers_status(device)
    except BaseException:
        with contextlib.suppress(Exception):
            device.close()
        raise
    try:
        device.close()
    except Exception as exc:
        if not (config.asks_status or answered):
            raise MayHavePrinted(_describe(exc)) from exc
        log.warning("the printer answered after the cut, then closing failed", exc_info=True)
    return sent, answered


# -- discovery -------------------------------------------------------------------------


@dataclass(frozen=True)
class UsbPrinter:
    vendor: int
    product: int
    manufacturer: str
    name: str
    printer_class: bool  # the device says it is a printer (USB class 7)

    @property
    def ids(self) -> str:
        """The value for ``PrinterSettings.usb``: ``"0416:5011"``."""
        return f"{self.vendor:04x}:{self.product:04x}"

    def label(self) -> str:
        name = " ".join(p for p in (self.manufacturer, self.name) if p)
        return f"{name or PRINTER_VENDORS.get(self.vendor, '?')} ({self.ids})"


def _string(device: Any, index: int) -> str:
    if not index:
        return ""
    try:
        import usb.util

        return str(usb.util.get_string(device, index) or "")
    except Exception:  # no permission, device gone, no language table
        return ""


def _is_printer(device: Any) -> bool:
    try:
        return any(interface.bInterfaceClass == 7 for config in device for interface in config)
    except Exception:
        return False


def list_usb_printers() -> list[UsbPrinter]:
    """USB devices plugged in that are printers or come from receipt-printer vendors."""
    try:
        import usb.core

        devices = list(usb.core.find(find_all=True))
    except Exception:  # no pyusb, no libusb backend, no permission
        return []
    found = []
    for device in devices:
        printer_class = _is_printer(device)
        if not printer_class and device.idVendor not in PRINTER_VENDORS:
            continue
        found.append(UsbPrinter(
            device.idVendor, device.idProduct, _string(device, device.iManufacturer),
            _string(device, device.iProduct), printer_class,
        ))  # fmt: skip
    return found


def list_serial_ports() -> list[str]:
    """Serial ports (USB-serial adapters, Bluetooth rfcomm, COM ports)."""
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    return sorted(port.device for port in list_ports.comports())


def list_system_printers() -> list[str]:
    """Printers known to CUPS (Linux, macOS); empty where the list cannot be read."""
    return address.system_printers("cups") or []
