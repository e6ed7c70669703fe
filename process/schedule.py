"""When to fetch a source next: its interval, and back-off with jitter after failures (never giving up)."""

from __future__ import annotations

import random


def next_fetch_delay(
    interval: float,
    failures: int,
    *,
    retry_after: float | None = None,
    max_backoff: float = 86400.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next fetch.

    Healthy sources keep their interval. After ``failures`` consecutive failures the delay doubles each time,
    capped at ``max_backoff`` — a broken source is still probed at least once per ``max_backoff``, so it is
    noticed when it recovers. ±20 % jitter keeps failing sources of one host from retrying in lockstep.
    A server's ``Retry-After`` is honoured as a lower bound.
    """
    if failures <= 0:
        delay = interval
    else:
        delay = min(interval * (2 ** min(failures - 1, 20)), max(max_backoff, interval))
        delay *= (rng or random).uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
