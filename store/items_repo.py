"""Items: recording harvested entries as items + revisions + provenance, listing them, review decisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from process.model import Entry
from store.records import Counts, ItemView
from store.review_schema import StaffRevisionRow
from store.schema import AuditRow, ItemRow, ProvenanceRow, RevisionRow, TombstoneRow
from store.upsert import insert_ignore


class DecisionError(ValueError):
    """A review decision that cannot be applied (unknown item, nothing to approve …)."""


def record_entries(session: Session, source_id: str, entries: Sequence[Entry], now: datetime) -> Counts:
    """Store one source's normalized entries: new items, new revisions of changed ones, provenance.

    Idempotent and safe against a concurrent harvest of the same source: every insert is
    ``ON CONFLICT DO NOTHING`` on a unique key, so two runs produce exactly the rows of one.
    """
    tombstoned = _tombstoned(session, source_id, [entry.identity for entry in entries])
    new = updated = unchanged = skipped = 0
    for entry in entries:
        if entry.identity in tombstoned:
            skipped += 1
            continue
        outcome = _record_one(session, source_id, entry, now)
        new += outcome == "new"
        updated += outcome == "updated"
        unchanged += outcome == "unchanged"
    return Counts(new=new, updated=updated, unchanged=unchanged, tombstoned=skipped)


def _tombstoned(session: Session, source_id: str, identities: list[str]) -> set[str]:
    if not identities:
        return set()
    query = select(TombstoneRow.identity).where(
        TombstoneRow.source_id == source_id, TombstoneRow.identity.in_(identities)
    )
    return set(session.scalars(query))


def _record_one(session: Session, source_id: str, entry: Entry, now: datetime) -> str:
    item_id = insert_ignore(
        session,
        ItemRow.__table__,  # type: ignore[arg-type]
        {
            "source_id": source_id,
            "identity": entry.identity,
            "status": "pending",
            "first_seen_at": now,
            "last_seen_at": now,
            "sectors": [],
            "topics": [],
            "towns": [],
        },
        ["source_id", "identity"],
    )
    created = item_id is not None
    item = _item_by_identity(session, source_id, entry.identity)
    revision_id = insert_ignore(
        session,
        RevisionRow.__table__,  # type: ignore[arg-type]
        _revision_values(item.id, entry, now),
        ["item_id", "content_hash"],
    )
    insert_ignore(
        session,
        ProvenanceRow.__table__,  # type: ignore[arg-type]
        {"item_id": item.id, "source_id": source_id, "url": entry.url, "first_seen_at": now},
        ["item_id", "source_id"],
    )
    item.last_seen_at = max(item.last_seen_at, now)
    if revision_id is None:  # content seen before: maybe a flip back to an older revision
        revision_id = session.scalar(
            select(RevisionRow.id).where(RevisionRow.item_id == item.id, RevisionRow.content_hash == entry.content_hash)
        )
        if revision_id in (item.current_revision_id, _edited_from(session, item.current_revision_id)):
            return "unchanged"  # a staff edit of this content stays current
    item.current_revision_id = revision_id
    if created:
        return "new"
    if item.status != "rejected":
        # a source edit goes back to review; the public keeps the approved revision meanwhile
        item.status = "approved" if revision_id == item.approved_revision_id else "pending"
    return "updated"


def _edited_from(session: Session, revision_id: int | None) -> int | None:
    """The source revision a staff edit was based on (None when ``revision_id`` is not a staff edit)."""
    if revision_id is None:
        return None
    return session.scalar(select(StaffRevisionRow.base_revision_id).where(StaffRevisionRow.revision_id == revision_id))


def _item_by_identity(session: Session, source_id: str, identity: str) -> ItemRow:
    query = select(ItemRow).where(ItemRow.source_id == source_id, ItemRow.identity == identity)
    return session.scalars(query).one()


def _revision_values(item_id: int, entry: Entry, now: datetime) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "content_hash": entry.content_hash,
        "guid": entry.guid,
        "url": entry.url,
        "title": entry.title,
        "summary_html": entry.summary_html,
        "content_text": entry.content_text,
        "published_at": entry.published_at,
        "diff": entry.diff,
        "warnings": list(entry.warnings),
        "created_at": now,
    }


def current_text(session: Session, source_id: str, identity: str) -> str | None:
    """The current revision's plain text of one item (page watching compares against it)."""
    query = (
        select(RevisionRow.content_text)
        .join(ItemRow, ItemRow.current_revision_id == RevisionRow.id)
        .where(ItemRow.source_id == source_id, ItemRow.identity == identity)
    )
    return session.scalar(query)


def list_items(
    session: Session, *, status: str | None = None, limit: int | None = None, offset: int = 0
) -> list[ItemView]:
    """Items with their current revision, newest first."""
    query = (
        select(ItemRow, RevisionRow)
        .join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
        .order_by(ItemRow.first_seen_at.desc(), ItemRow.id.desc())
        .offset(offset)
    )
    if status is not None:
        query = query.where(ItemRow.status == status)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    sources = _sources_of(session, [item.id for item, _ in rows])
    return [_view(item, revision, sources.get(item.id, ())) for item, revision in rows]


def list_items_by_ids(session: Session, item_ids: Sequence[int]) -> list[ItemView]:
    """The named items with their current revision (unknown ids are left out)."""
    query = (
        select(ItemRow, RevisionRow)
        .join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
        .where(ItemRow.id.in_(list(item_ids)))
    )
    rows = session.execute(query).all()
    sources = _sources_of(session, [item.id for item, _ in rows])
    return [_view(item, revision, sources.get(item.id, ())) for item, revision in rows]


def count_items(session: Session) -> dict[str, int]:
    query = select(ItemRow.status, func.count()).group_by(ItemRow.status)
    return {status: count for status, count in session.execute(query)}


def _sources_of(session: Session, item_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        query = (
            select(ProvenanceRow.item_id, ProvenanceRow.source_id)
            .where(ProvenanceRow.item_id.in_(chunk))
            .order_by(ProvenanceRow.first_seen_at, ProvenanceRow.id)
        )
        for item_id, source_id in session.execute(query):
            found.setdefault(item_id, []).append(source_id)
    return {item_id: tuple(ids) for item_id, ids in found.items()}


def _view(item: ItemRow, revision: RevisionRow, sources: tuple[str, ...]) -> ItemView:
    return ItemView(
        id=item.id,
        source_id=item.source_id,
        identity=item.identity,
        status=item.status,
        title=revision.title,
        url=revision.url,
        summary_html=revision.summary_html,
        content_text=revision.content_text,
        published_at=revision.published_at,
        first_seen_at=item.first_seen_at,
        last_seen_at=item.last_seen_at,
        revision_id=revision.id,
        approved_revision_id=item.approved_revision_id,
        sources=sources or (item.source_id,),
        sectors=tuple(item.sectors or ()),
        topics=tuple(item.topics or ()),
        towns=tuple(item.towns or ()),
        diff=revision.diff,
    )


def pending_ids(session: Session) -> list[int]:
    query = select(ItemRow.id).where(ItemRow.status == "pending").order_by(ItemRow.id)
    return list(session.scalars(query))


def approve(session: Session, item_ids: Iterable[int], *, actor: str, now: datetime) -> list[int]:
    """Approve the current revision of each item; returns the ids approved."""
    done = []
    for item in _items(session, item_ids):
        if item.status == "rejected":
            raise DecisionError(f"Eintrag {item.id} ist abgelehnt und kann nicht freigegeben werden.")
        if item.status == "approved" and item.approved_revision_id == item.current_revision_id:
            continue
        item.status, item.approved_revision_id, item.decided_at = "approved", item.current_revision_id, now
        audit(
            session,
            actor=actor,
            action="approve",
            now=now,
            item_id=item.id,
            revision_id=item.approved_revision_id,
        )
        done.append(item.id)
    return done


def reject(session: Session, item_ids: Iterable[int], *, actor: str, now: datetime) -> list[int]:
    """Reject items: they leave the public output and a tombstone keeps them from coming back."""
    done = []
    for item in _items(session, item_ids):
        if item.status == "rejected":
            continue
        item.status, item.approved_revision_id, item.decided_at = "rejected", None, now
        insert_ignore(
            session,
            TombstoneRow.__table__,  # type: ignore[arg-type]
            {"source_id": item.source_id, "identity": item.identity, "created_at": now, "actor": actor},
            ["source_id", "identity"],
        )
        audit(
            session,
            actor=actor,
            action="reject",
            now=now,
            item_id=item.id,
            revision_id=item.current_revision_id,
        )
        done.append(item.id)
    return done


def _items(session: Session, item_ids: Iterable[int]) -> list[ItemRow]:
    wanted = list(dict.fromkeys(item_ids))
    rows = {row.id: row for row in session.scalars(select(ItemRow).where(ItemRow.id.in_(wanted)))}
    missing = [item_id for item_id in wanted if item_id not in rows]
    if missing:
        raise DecisionError("Unbekannte Eintrags-ID(s): " + ", ".join(map(str, missing)))
    return [rows[item_id] for item_id in wanted]


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    item_id: int | None = None,
    revision_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one line to the audit log (the database refuses changes to existing lines)."""
    session.add(
        AuditRow(at=now, actor=actor, action=action, item_id=item_id, revision_id=revision_id, detail=detail or {})
    )
