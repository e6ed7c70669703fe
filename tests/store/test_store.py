"""The store on SQLite and PostgreSQL: schema, idempotent recording, revisions, tombstones, audit log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from process.model import Entry
from store import items_repo, sources_repo
from store.db import SchemaError, check_schema, make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import AuditRow, ItemRow, ProvenanceRow, RevisionRow, TombstoneRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def entry(n: int, body: str = "Text", **kw: object) -> Entry:
    values: dict[str, object] = {
        "identity": f"guid:item-{n}",
        "guid": f"item-{n}",
        "url": f"https://example.org/{n}",
        "title": f"Meldung {n}",
        "summary_html": f"<p>{body} {n}</p>",
        "content_text": f"{body} {n}",
        "published_at": NOW - timedelta(days=1),
        "content_hash": f"{hash((n, body)) & 0xFFFFFFFF:064x}",
    }
    values.update(kw)
    return Entry(**values)  # type: ignore[arg-type]


@pytest.fixture
def factory(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        sources_repo.sync_sources(
            session,
            [
                SourceSpec("ihk", "IHK Chemnitz", "feed", "https://www.ihk.de/feed", 3600, True),
                SourceSpec("hwk", "HWK Chemnitz", "listing", "https://www.hwk-chemnitz.de/", 7200, True),
            ],
        )
    yield factory
    engine.dispose()


def test_outdated_schema_is_refused_with_a_clear_message(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(SchemaError, match="rubrik init"):
        check_schema(engine)
    upgrade(engine)
    check_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaError, match="veraltet"):
        check_schema(engine)
    engine.dispose()


def test_recording_is_idempotent_and_changes_become_revisions(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        counts = items_repo.record_entries(session, "ihk", [entry(1), entry(2)], NOW)
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    with transaction(factory) as session:
        counts = items_repo.record_entries(session, "ihk", [entry(1), entry(2, body="Neu")], NOW)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(ItemRow)) == 2
        assert session.scalar(select(func.count()).select_from(RevisionRow)) == 3
        views = {view.title: view for view in items_repo.list_items(session)}
        assert views["Meldung 2"].content_text == "Neu 2"
        assert views["Meldung 2"].sources == ("ihk",)


def test_update_after_approval_goes_back_to_review_public_keeps_approved(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        items_repo.record_entries(session, "ihk", [entry(1)], NOW)
        [item_id] = items_repo.pending_ids(session)
        items_repo.approve(session, [item_id], actor="anna", now=NOW)
    with transaction(factory) as session:
        approved_rev = session.get(ItemRow, item_id).approved_revision_id  # type: ignore[union-attr]
        items_repo.record_entries(session, "ihk", [entry(1, body="Korrigiert")], NOW)
    with transaction(factory) as session:
        item = session.get(ItemRow, item_id)
        assert item is not None
        assert item.status == "pending"
        assert item.approved_revision_id == approved_rev != item.current_revision_id


def test_rejected_items_never_come_back(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        items_repo.record_entries(session, "ihk", [entry(1)], NOW)
        items_repo.reject(session, items_repo.pending_ids(session), actor="anna", now=NOW)
    with transaction(factory) as session:
        counts = items_repo.record_entries(session, "ihk", [entry(1, body="anders")], NOW)
        assert counts.tombstoned == 1 and counts.new == counts.updated == 0
        assert session.scalar(select(func.count()).select_from(TombstoneRow)) == 1
        assert [view.status for view in items_repo.list_items(session)] == ["rejected"]


def test_audit_log_is_append_only(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        items_repo.record_entries(session, "ihk", [entry(1)], NOW)
        items_repo.approve(session, items_repo.pending_ids(session), actor="anna", now=NOW)
    with transaction(factory) as session:
        row = session.scalars(select(AuditRow)).one()
        assert (row.actor, row.action) == ("anna", "approve")
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(factory) as session:
            session.execute(text(statement))
    with transaction(factory) as session:
        assert session.scalars(select(AuditRow.actor)).all() == ["anna"]


def test_decisions_on_unknown_items_fail_clearly(factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(items_repo.DecisionError, match="Unbekannte Eintrags-ID"), transaction(factory) as session:
        items_repo.approve(session, [999], actor="anna", now=NOW)


def test_two_concurrent_writers_produce_the_rows_of_one(factory) -> None:  # type: ignore[no-untyped-def]
    entries = [entry(n) for n in range(60)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for start in range(0, len(entries), 10):
                with transaction(factory) as session:
                    items_repo.record_entries(session, "ihk", entries[start : start + 10], NOW)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(ItemRow)) == 60
        assert session.scalar(select(func.count()).select_from(RevisionRow)) == 60
        assert session.scalar(select(func.count()).select_from(ProvenanceRow)) == 60


def test_catalog_sync_disables_removed_sources_and_keeps_state(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        sources_repo.record_failure(session, "hwk", now=NOW, next_fetch_at=NOW, code="timeout", message="langsam")
        counts = sources_repo.sync_sources(
            session, [SourceSpec("hwk", "HWK Chemnitz", "listing", "https://www.hwk-chemnitz.de/", 7200, True)]
        )
    assert counts == {"added": 0, "updated": 0, "disabled": 1}
    with transaction(factory) as session:
        states = {state.id: state for state in sources_repo.list_sources(session)}
    assert states["ihk"].enabled is False
    assert states["hwk"].consecutive_failures == 1 and states["hwk"].last_error_code == "timeout"


def test_due_sources_respect_next_fetch_time(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        sources_repo.record_success(
            session,
            "ihk",
            now=NOW,
            next_fetch_at=NOW + timedelta(hours=1),
            not_modified=False,
            etag='"x"',
            last_modified=None,
            entry_count=3,
            guid_map={},
            guids_unstable=False,
        )
        assert [s.id for s in sources_repo.due_sources(session, NOW)] == ["hwk"]
        assert [s.id for s in sources_repo.due_sources(session, NOW + timedelta(hours=2))] == ["hwk", "ihk"]
        assert [s.id for s in sources_repo.due_sources(session, NOW, only=["ihk"])] == ["ihk"]
