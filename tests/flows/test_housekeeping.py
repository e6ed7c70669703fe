"""Nightly housekeeping removes only what is past its use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from flows.housekeeping import prune_old_rows
from store import leases, sources_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import AuditRow, FetchLogRow

NOW = datetime(2026, 11, 25, 3, tzinfo=UTC)


def test_prune_keeps_recent_rows_and_the_audit_log(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(fetch_log_retention_days=30)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, [SourceSpec("sab", "SAB", "feed", "https://sab.example/", 3600, True)])
    with transaction(factory) as session:
        for age in (1, 29, 31, 400):
            at = NOW - timedelta(days=age)
            sources_repo.log_fetch(session, "sab", started_at=at, finished_at=at, status="ok")
        session.add(AuditRow(at=NOW - timedelta(days=900), actor="anna", action="approve", detail={}))
        leases.acquire(session, ["host:old"], holder="gone", now=NOW - timedelta(hours=2), ttl=timedelta(minutes=15))
        leases.acquire(session, ["host:new"], holder="live", now=NOW, ttl=timedelta(minutes=15))
    removed = prune_old_rows(settings, NOW)
    assert removed["fetch_log"] == 2 and removed["leases"] == 1
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(FetchLogRow)) == 2
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 1
        assert leases.holders(session, NOW) == {"host:new": "live"}
    engine.dispose()
