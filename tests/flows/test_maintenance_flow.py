"""The nightly ``maintenance`` flow under a real (temporary) Prefect API: it prunes and reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from store import sources_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import FetchLogRow

pytestmark = pytest.mark.prefect


def test_maintenance_flow_prunes_old_rows_and_reports(prefect_api, make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flows.maintenance import maintenance_flow

    settings = make_settings(fetch_log_retention_days=30)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    now = datetime.now(UTC)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, [SourceSpec("sab", "SAB", "feed", "https://sab.example/", 3600, True)])
    with transaction(factory) as session:
        for age in (1, 400):
            at = now - timedelta(days=age)
            sources_repo.log_fetch(session, "sab", started_at=at, finished_at=at, status="ok")
    overrides = {"database_url": settings.database_url, "site_dir": str(tmp_path / "site"),
                 "fetch_log_retention_days": 30}  # fmt: skip
    summary = maintenance_flow(settings_overrides=overrides)
    assert summary["pruned_rows"]["fetch_log"] == 1
    assert summary["pruned_releases"] == []
    assert summary["alerts"] == {"new": [], "recovered": [], "sent": False}
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(FetchLogRow)) == 1
    engine.dispose()
