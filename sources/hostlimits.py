"""Per-host politeness: at most N requests in flight to one host, and a minimum gap between starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class _Host:
    __slots__ = ("last_start", "lock", "slots")

    def __init__(self, concurrency: int) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.last_start = float("-inf")


class HostLimiter:
    """One per Fetcher (one event loop). Keys are ``host:port`` strings."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = max(0.0, delay)
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        """Hold one of the host's slots; entering waits until the spacing since the last start has passed."""
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(self._concurrency)
        async with host.slots:
            # The lock serialises the spacing decision so concurrent waiters start one delay apart.
            async with host.lock:
                loop = asyncio.get_running_loop()
                wait = host.last_start + self._delay - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.last_start = loop.time()
            yield
