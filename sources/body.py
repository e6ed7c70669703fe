"""Reading a response body under caps: raw bytes counted, decompression done here, incrementally.

httpx's automatic decoding is bypassed (``aiter_raw``) so that the decompressed size is bounded while
decompressing: zlib never produces more than the remaining budget + 1 byte per call, so a 1 KB gzip
bomb costs at most ``max_bytes`` plus one network chunk. One coding (gzip or deflate, raw or zlib-wrapped)
is accepted; stacked or unknown codings are refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

from sources.errors import TooLarge, TruncatedBody, UnsupportedEncoding


def _decoder_for(url: str, content_encoding: str | None) -> _Decoder:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1:
        raise UnsupportedEncoding(f"Gestapelte Kodierung {content_encoding!r}", url=url)
    coding = codings[0] if codings else ""
    if coding not in ("", "gzip", "x-gzip", "deflate"):
        raise UnsupportedEncoding(f"Unbekannte Kodierung {coding!r}", url=url)
    return _Decoder(url, coding)


class _Decoder:
    """Decompress chunk by chunk; never produce more than ``limit + 1`` bytes of output at once."""

    def __init__(self, url: str, coding: str) -> None:
        self.url = url
        self.coding = coding
        self._first = True
        self._z: zlib._Decompress | None = None
        if coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if self._z is None:
            yield data
            return
        if self._first and self.coding == "deflate" and data:
            self._first = False
            if not _has_zlib_header(data):  # many servers send raw deflate under "deflate"
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, limit + 1)
            except zlib.error as exc:
                raise TruncatedBody(f"Kaputte {self.coding}-Daten: {exc}", url=self.url) from exc
            yield out
            data = self._z.unconsumed_tail

    def finish(self) -> None:
        if self._z is not None and not self._z.eof:
            raise TruncatedBody(f"{self.coding}-Daten enden vorzeitig", url=self.url)


def _has_zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0


async def read_body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"Content-Length {declared} > {max_bytes}", url=url)
    decoder = _decoder_for(url, response.headers.get("content-encoding"))
    raw_size = 0
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        raw_size += len(chunk)
        if raw_size > max_bytes:
            raise TooLarge(f"Mehr als {max_bytes} Bytes übertragen", url=url)
        for piece in decoder.feed(chunk, max_bytes - size):
            size += len(piece)
            if size > max_bytes:
                raise TooLarge(f"Entpackt mehr als {max_bytes} Bytes", url=url)
            parts.append(piece)
    decoder.finish()
    return b"".join(parts)
