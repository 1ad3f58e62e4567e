"""Reading request bodies with a size cap, before and after gzip decompression."""

from __future__ import annotations

import zlib

from starlette.requests import Request

from sync.protocol import MAX_BODY_BYTES


class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    """A body that cannot be read: ``unsupported`` when its Content-Encoding is not one the
    server takes, else a gzip body that is corrupt or cut short."""

    def __init__(self, detail: str, *, unsupported: bool = False) -> None:
        super().__init__(detail)
        self.unsupported = unsupported


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, at most ``limit`` bytes on the wire and once decompressed."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", ""):
        raise BadEncoding(
            f"unsupported Content-Encoding {encoding!r} (use gzip or none)", unsupported=True
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    raw = b"".join(chunks)
    return gunzip_capped(raw, limit) if encoding == "gzip" else raw


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Decompress gzip without ever producing more than ``limit`` bytes (gzip bombs)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise BodyTooLarge
        out += inflater.flush()
    except zlib.error as exc:
        raise BadEncoding(f"the gzip body is corrupt: {exc}") from None
    if len(out) > limit:
        raise BodyTooLarge
    if not inflater.eof:
        raise BadEncoding("the gzip body is truncated")
    return out
