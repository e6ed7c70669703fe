"""robots.txt for scraped sources (``listing`` and ``page``), cached per origin for one Fetcher's life.

Parsing uses the standard library's ``urllib.robotparser``. It matches the first product token of our
User-Agent and applies rules in file order (no ``*`` wildcards inside paths), i.e. it is, if anything,
slightly more permissive than Google's reading — acceptable for the handful of pages we watch.
Unavailable robots.txt (4xx) means "allow all" (RFC 9309); a server error, timeout or other failure is
treated as allow as well, so a broken robots.txt never stops a harvest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from sources.errors import FetchError, HTTPClientError

ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB; more is not needed
RobotsLoader = Callable[[str], Awaitable[bytes]]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    """Fetch each origin's robots.txt once (concurrent callers share the fetch) and answer can_fetch."""

    def __init__(self, user_agent: str, loader: RobotsLoader) -> None:
        self._agent = user_agent
        self._load = loader
        self._parsers: dict[str, RobotFileParser | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        parser = await self._parser_for(origin_of(url))
        return True if parser is None else parser.can_fetch(self._agent, url)

    async def _parser_for(self, origin: str) -> RobotFileParser | None:
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._parsers:
                self._parsers[origin] = await self._fetch(origin)
            return self._parsers[origin]

    async def _fetch(self, origin: str) -> RobotFileParser | None:
        """None means allow everything."""
        try:
            body = await self._load(f"{origin}/robots.txt")
        except HTTPClientError:
            return None
        except FetchError:
            return None  # 5xx, timeout, too large …: don't let robots.txt stop the harvest
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser
