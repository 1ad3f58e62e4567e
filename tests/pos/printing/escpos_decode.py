"""A small ESC/POS decoder for tests: the bytes a printer receives, back into images.

It understands what Souk sends (``ESC @``, ``ESC p`` drawer kick, ``GS v 0`` raster placed
by the justification ``ESC a`` sets, ``ESC J`` feeds of blank dot rows, ``ESC *`` column
bands with ``ESC 3``/``LF``/``ESC 2``, ``ESC d`` feed, ``GS V`` cut, ``DLE EOT`` status
requests) and fails loudly on anything else.

A raster narrower than the paper is placed as a printer does: at the left edge, centred,
or against the right edge. Centred rasters must leave a whole number of bytes at each side
(printers that centre by bytes and those that centre by dots then agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """What one job printed: rows of dots (1 = black), each ``stride`` bytes wide."""

    width: int
    rows: list[bytes] = field(default_factory=list)
    cut: bool = False
    drawer: bool = False
    status_requests: int = 0
    justify: int = 0  # ESC a: 0 left, 1 centre, 2 right

    @property
    def stride(self) -> int:
        return (self.width + 7) // 8

    def add_rows(self, width_bytes: int, data: bytes) -> None:
        spare = self.width - 8 * width_bytes  # dots left over beside the raster
        if self.justify == 0 or spare <= 0:
            shift = 0
        elif self.justify == 1:
            if spare % 16:
                raise DecodeError(f"centred raster {width_bytes} bytes wide: not byte-aligned")
            shift = spare // 2
        else:
            shift = spare
        for i in range(0, len(data), width_bytes):
            bits = int.from_bytes(data[i : i + width_bytes], "big") << (8 * self.stride - shift)
            self.rows.append((bits >> (8 * width_bytes)).to_bytes(self.stride, "big"))

    def feed(self, dots: int) -> None:
        self.rows.extend(bytes(self.stride) for _ in range(dots))

    @property
    def data(self) -> bytes:
        return b"".join(self.rows)

    @property
    def height(self) -> int:
        return len(self.rows)


class DecodeError(ValueError):
    pass


def _u16(data: bytes, at: int) -> int:
    return data[at] | data[at + 1] << 8


def _column_band(page: Page, columns: int, data: bytes) -> None:
    """``ESC *`` 24-dot band: 3 bytes per column, most significant bit on top."""
    band = [bytearray(page.stride) for _ in range(24)]
    for x in range(min(columns, page.width)):
        for k in range(3):
            byte = data[3 * x + k]
            for bit in range(8):
                if byte & (0x80 >> bit):
                    band[8 * k + bit][x // 8] |= 0x80 >> (x % 8)
    page.rows.extend(bytes(r) for r in band)


def decode(data: bytes, width: int) -> list[Page]:
    """Split a byte stream into jobs (one per ``ESC @``) and rebuild their images."""
    pages: list[Page] = []
    page: Page | None = None
    i = 0
    while i < len(data):
        if data.startswith(b"\x1b@", i):
            page = Page(width)
            pages.append(page)
            i += 2
            continue
        if data.startswith(b"\x10\x04", i):
            if page is not None:
                page.status_requests += 1
            i += 3
            continue
        if page is None:
            raise DecodeError(f"data before ESC @ at {i}: {data[i:i + 8]!r}")
        i = _command(data, i, page)
    return pages


def _command(data: bytes, i: int, page: Page) -> int:
    if data.startswith(b"\x1dv0", i):
        w, h = _u16(data, i + 4), _u16(data, i + 6)
        if not 0 < h <= 255 or h % 48 == 0:
            raise DecodeError(f"raster slice of {h} rows")
        body = data[i + 8 : i + 8 + w * h]
        if len(body) != w * h:
            raise DecodeError("raster slice cut short")
        page.add_rows(w, body)
        return i + 8 + w * h
    if data.startswith(b"\x1b*", i):
        n = _u16(data, i + 3)
        _column_band(page, n, data[i + 5 : i + 5 + 3 * n])
        return i + 5 + 3 * n
    return _setting(data, i, page)


def _setting(data: bytes, i: int, page: Page) -> int:
    """The commands that print no image: justification, feeds, drawer, cut."""
    if data.startswith(b"\x1bp", i):
        page.drawer = True
        return i + 5
    if data.startswith(b"\x1dV", i):
        page.cut = True
        return i + (4 if data[i + 2] in (65, 66) else 3)
    if data.startswith(b"\x1ba", i):
        if data[i + 2] not in (0, 1, 2, 48, 49, 50):
            raise DecodeError(f"ESC a {data[i + 2]}")
        page.justify = data[i + 2] % 48
        return i + 3
    if data.startswith(b"\x1bJ", i):
        page.feed(data[i + 2])
        return i + 3
    if data.startswith(b"\x1bd", i) or data.startswith(b"\x1b3", i):
        return i + 3
    if data.startswith(b"\x1b2", i):
        return i + 2
    if data[i] == 0x0A:  # line feed after a column band
        return i + 1
    raise DecodeError(f"unknown command at {i}: {data[i:i + 8]!r}")


def whole_job(data: bytes, width: int) -> bool:
    """Whether ``data`` holds at least one whole job: every command complete, and the
    last job cut (what a printer has when the till's last byte of a receipt arrived)."""
    try:
        pages = decode(data, width)
    except (DecodeError, IndexError):  # stopped inside a command
        return False
    return bool(pages) and pages[-1].cut


def status_requests(data: bytes, width: int) -> int:
    """The status requests (``DLE EOT``) among the whole commands at the start of ``data``:
    the ones a printer answers. The same bytes inside an image are not requests."""
    return len(status_codes(data, width))


def status_codes(data: bytes, width: int) -> list[int]:
    """What each status request of :func:`status_requests` asks: ``n`` of ``DLE EOT n``
    (1: the printer, 4: the paper roll sensor)."""
    codes: list[int] = []
    page, i = Page(width), 0
    while i < len(data):
        if data.startswith(b"\x1b@", i):
            i += 2
        elif data.startswith(b"\x10\x04", i):
            if i + 3 > len(data):
                break
            codes.append(data[i + 2])
            i += 3
        else:
            try:
                i = _command(data, i, page)
            except (DecodeError, IndexError):  # not all here yet
                break
    return codes
