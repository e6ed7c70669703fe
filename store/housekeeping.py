"""Nightly housekeeping: old fetch-log lines, dead staff sessions, old login attempts, expired leases.

The audit log is never pruned (it is append-only by design).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, or_
from sqlalchemy.orm import Session

from store.ops_schema import LeaseRow
from store.review_schema import LoginAttemptRow, StaffSessionRow
from store.schema import FetchLogRow
from store.upsert import table_of


def prune(
    session: Session,
    *,
    fetch_log_before: datetime,
    session_idle_before: datetime,
    session_created_before: datetime,
    login_attempts_before: datetime,
    now: datetime,
) -> dict[str, int]:
    """Delete what is past its use; returns the number of rows removed per kind."""
    log, sessions = table_of(FetchLogRow), table_of(StaffSessionRow)
    attempts, lease_table = table_of(LoginAttemptRow), table_of(LeaseRow)
    statements = {
        "fetch_log": delete(log).where(log.c.started_at < fetch_log_before),
        "staff_sessions": delete(sessions).where(
            or_(sessions.c.last_seen_at < session_idle_before, sessions.c.created_at < session_created_before)
        ),
        "login_attempts": delete(attempts).where(attempts.c.at < login_attempts_before),
        "leases": delete(lease_table).where(lease_table.c.expires_at < now),
    }
    removed: dict[str, int] = {}
    for kind, statement in statements.items():
        result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
        removed[kind] = max(result.rowcount, 0)
    return removed
