"""Broken-source digests: once per distinct error, again after recovery, through a real local SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notify.alerts import report_broken_sources
from store import sources_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from tests.notify.test_mail import smtp  # noqa: F401  (fixture)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def fail(factory, source_id: str, code: str, times: int = 1) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        for _ in range(times):
            sources_repo.record_failure(session, source_id, now=NOW, next_fetch_at=NOW, code=code, message="kaputt")


def recover(factory, source_id: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        sources_repo.record_success(
            session,
            source_id,
            now=NOW,
            next_fetch_at=NOW + timedelta(hours=1),
            not_modified=False,
            etag=None,
            last_modified=None,
            entry_count=1,
            guid_map=None,
            guids_unstable=None,
        )


def test_digest_once_per_distinct_error_until_recovery(make_settings, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    inbox, port = smtp
    settings = make_settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        alert_emails=["wifoe@example.org"],
        alert_after_failures=2,
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(
            session, [SourceSpec("hwk", "HWK Chemnitz", "listing", "https://hwk.example/", 3600, True)]
        )

    fail(factory, "hwk", "timeout")
    assert report_broken_sources(settings, NOW).new == ()  # one failure is not yet news
    fail(factory, "hwk", "timeout")
    first = report_broken_sources(settings, NOW)
    assert first.new == ("hwk",) and first.sent
    fail(factory, "hwk", "timeout", times=5)
    assert report_broken_sources(settings, NOW).new == ()  # same error: no second mail
    fail(factory, "hwk", "http_5xx")
    assert report_broken_sources(settings, NOW).new == ("hwk",)  # a different error is news
    recover(factory, "hwk")
    back = report_broken_sources(settings, NOW)
    assert back.recovered == ("hwk",) and back.sent
    assert len(inbox.messages) == 3
    assert "HWK Chemnitz" in inbox.messages[0].get_payload(decode=True).decode()
    assert "Wieder in Ordnung: hwk" in inbox.messages[2].get_payload(decode=True).decode()
    engine.dispose()


def test_without_mail_nothing_is_marked_reported(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(alert_after_failures=1)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, [SourceSpec("sab", "SAB", "feed", "https://sab.example/", 3600, True)])
    fail(factory, "sab", "http_4xx")
    assert report_broken_sources(settings, NOW).sent is False
    configured = settings.model_copy(update={"smtp_host": "127.0.0.1"})
    assert report_broken_sources(configured, NOW).new == ("sab",)  # still news once mail works
    engine.dispose()
