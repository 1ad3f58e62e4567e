"""A small ESC/POS decoder for tests: the bytes a printer receives, back into images.

It understands what Souk sends (``ESC @``, ``ESC p`` drawer kick, ``GS v 0`` raster,
``ESC *`` column bands with ``ESC 3``/``LF``/``ESC 2``, ``ESC d`` feed, ``GS V`` cut,
``DLE EOT`` status requests) and fails loudly on anything else.
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

    @property
    def stride(self) -> int:
        return (self.width + 7) // 8

    def add_rows(self, width_bytes: int, data: bytes) -> None:
        for i in range(0, len(data), width_bytes):
            row = data[i : i + width_bytes]
            self.rows.append(row[: self.stride].ljust(self.stride, b"\x00"))

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
    if data.startswith(b"\x1bp", i):
        page.drawer = True
        return i + 5
    if data.startswith(b"\x1dV", i):
        page.cut = True
        return i + (4 if data[i + 2] in (65, 66) else 3)
    if data.startswith(b"\x1bd", i) or data.startswith(b"\x1b3", i):
        return i + 3
    if data.startswith(b"\x1b2", i):
        return i + 2
    if data[i] == 0x0A:  # line feed after a column band
        return i + 1
    raise DecodeError(f"unknown command at {i}: {data[i:i + 8]!r}")
