"""Leases in the database: at most one holder per name until it releases or the lease expires.

Prefect may start a scheduled run twice (redeploys, double-fired schedules); the database, not the scheduler,
guarantees that no two runs fetch the same host or publish at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.ops_schema import LeaseRow
from store.upsert import insert_ignore_many, table_of


def acquire(session: Session, names: Iterable[str], *, holder: str, now: datetime, ttl: timedelta) -> set[str]:
    """Take every lease of ``names`` that is free or expired; returns the names now held by ``holder``.

    Commit right after: the lease is visible to others only then. Atomic per name on SQLite and PostgreSQL
    (a conditional UPDATE of an expired row, or an INSERT that loses to a concurrent one on the primary key).
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    table = table_of(LeaseRow)
    expires = now + ttl
    session.execute(
        update(table)
        .where(table.c.name.in_(wanted), (table.c.expires_at <= now) | (table.c.holder == holder))
        .values(holder=holder, acquired_at=now, expires_at=expires)
    )
    rows = [{"name": name, "holder": holder, "acquired_at": now, "expires_at": expires} for name in wanted]
    insert_ignore_many(session, table, rows, ["name"])
    query = select(LeaseRow.name).where(LeaseRow.name.in_(wanted), LeaseRow.holder == holder)
    return set(session.scalars(query))


def release(session: Session, names: Iterable[str], *, holder: str) -> None:
    table = table_of(LeaseRow)
    session.execute(delete(table).where(table.c.name.in_(list(names)), table.c.holder == holder))


def holders(session: Session, now: datetime) -> dict[str, str]:
    """Unexpired leases: name → holder (for status pages and tests)."""
    query = select(LeaseRow.name, LeaseRow.holder).where(LeaseRow.expires_at > now)
    return {name: holder for name, holder in session.execute(query)}


def holder_of(session: Session, name: str, now: datetime) -> str | None:
    """Who holds ``name`` right now (None when it is free or expired)."""
    query = select(LeaseRow.holder).where(LeaseRow.name == name, LeaseRow.expires_at > now)
    return session.scalar(query)
