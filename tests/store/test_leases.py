"""Leases on SQLite and PostgreSQL: one holder at a time, expiry frees a crashed holder's lease."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from store import leases
from store.db import make_engine, session_factory, transaction, upgrade

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TTL = timedelta(minutes=15)


def test_one_holder_until_release_or_expiry(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        assert leases.acquire(session, ["host:a", "host:b"], holder="run1", now=NOW, ttl=TTL) == {"host:a", "host:b"}
    with transaction(factory) as session:
        assert leases.acquire(session, ["host:b", "host:c"], holder="run2", now=NOW, ttl=TTL) == {"host:c"}
    with transaction(factory) as session:
        leases.release(session, ["host:b"], holder="run1")
        leases.release(session, ["host:a"], holder="run2")  # not run2's: no effect
    with transaction(factory) as session:
        assert leases.acquire(session, ["host:a", "host:b"], holder="run2", now=NOW, ttl=TTL) == {"host:b"}
    later = NOW + TTL + timedelta(seconds=1)
    with transaction(factory) as session:  # run1 crashed: its lease on host:a ran out
        assert leases.acquire(session, ["host:a"], holder="run3", now=later, ttl=TTL) == {"host:a"}
        assert leases.holders(session, later) == {"host:a": "run3"}
    engine.dispose()


def test_racing_runs_never_share_a_lease(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    names = [f"host:{n}" for n in range(40)]
    won: dict[str, set[str]] = {}
    barrier = threading.Barrier(4)

    def run(holder: str) -> None:
        barrier.wait()
        with transaction(factory) as session:
            won[holder] = leases.acquire(session, names, holder=holder, now=NOW, ttl=TTL)

    threads = [threading.Thread(target=run, args=(f"run{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [name for got in won.values() for name in got]
    assert sorted(taken) == sorted(names)  # every lease has exactly one holder
    engine.dispose()
