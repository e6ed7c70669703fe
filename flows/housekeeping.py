"""Nightly housekeeping as plain functions (the ``maintenance`` flow wraps them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from settings import Settings
from store import housekeeping
from store.db import check_schema, make_engine, session_factory, transaction


def prune_old_rows(settings: Settings, now: datetime) -> dict[str, int]:
    """Old fetch-log lines, dead staff sessions, old login attempts and expired leases."""
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        with transaction(session_factory(engine)) as session:
            return housekeeping.prune(
                session,
                fetch_log_before=now - timedelta(days=settings.fetch_log_retention_days),
                session_idle_before=now - timedelta(minutes=settings.review_session_idle_minutes),
                session_created_before=now - timedelta(hours=settings.review_session_absolute_hours),
                login_attempts_before=now - timedelta(days=1),
                now=now,
            )
    finally:
        engine.dispose()
