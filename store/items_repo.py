"""Items: recording harvested entries as items + revisions + provenance, listing them, review decisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from process.model import Entry
from store.records import Counts, ItemView
from store.review_schema import StaffRevisionRow
from store.schema import AuditRow, ItemRow, ProvenanceRow, RevisionRow, TombstoneRow
from store.upsert import chunks, insert_ignore, insert_ignore_many, table_of


class DecisionError(ValueError):
    """A review decision that cannot be applied (unknown item, nothing to approve …)."""


def record_entries(session: Session, source_id: str, entries: Sequence[Entry], now: datetime) -> Counts:
    """Store one source's normalized entries: new items, new revisions of changed ones, provenance.

    Idempotent and safe against a concurrent harvest of the same source: every insert is
    ``ON CONFLICT DO NOTHING`` on a unique key, so two runs produce exactly the rows of one. Works in a
    handful of set-based statements per source, whatever the number of entries.
    """
    by_identity = {entry.identity: entry for entry in entries}  # identities are unique per fetch
    tombstoned = _tombstoned(session, source_id, list(by_identity))
    wanted = {identity: entry for identity, entry in by_identity.items() if identity not in tombstoned}
    created = _create_items(session, source_id, list(wanted), now)
    items = _items_by_identity(session, source_id, list(wanted))
    current_hashes = _current_hashes(session, [row.current_revision_id for row in items.values()])
    changed = [
        identity
        for identity, row in items.items()
        if current_hashes.get(row.current_revision_id or -1) != wanted[identity].content_hash
    ]
    revisions = _ensure_revisions(session, [(items[i].id, wanted[i]) for i in changed], now)
    insert_ignore_many(
        session,
        table_of(ProvenanceRow),
        [
            {"item_id": row.id, "source_id": source_id, "url": wanted[i].url, "first_seen_at": now}
            for i, row in items.items()
        ],
        ["item_id", "source_id"],
    )
    session.execute(update(ItemRow).where(ItemRow.id.in_([row.id for row in items.values()])).values(last_seen_at=now))
    updated, changes = 0, []
    for identity in changed:
        row = items[identity]
        revision_id = revisions[(row.id, wanted[identity].content_hash)]
        status = row.status
        if identity not in created:
            updated += 1
            if row.status != "rejected":
                # a source edit goes back to review; the public keeps the approved revision meanwhile
                status = "approved" if revision_id == row.approved_revision_id else "pending"
        changes.append({"_id": row.id, "_revision": revision_id, "_status": status})
    if changes:
        table = table_of(ItemRow)
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values(current_revision_id=bindparam("_revision"), status=bindparam("_status"))
        )
        session.execute(statement, changes)
    new = sum(identity in created for identity in changed)
    return Counts(new=new, updated=updated, unchanged=len(items) - len(changed), tombstoned=len(tombstoned))


def _tombstoned(session: Session, source_id: str, identities: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(identities):
        query = select(TombstoneRow.identity).where(
            TombstoneRow.source_id == source_id, TombstoneRow.identity.in_(chunk)
        )
        found.update(session.scalars(query))
    return found


def _create_items(session: Session, source_id: str, identities: list[str], now: datetime) -> set[str]:
    """Insert the items not there yet; returns the identities this call created."""
    rows = [
        {
            "source_id": source_id,
            "identity": identity,
            "status": "pending",
            "first_seen_at": now,
            "last_seen_at": now,
            "sectors": [],
            "topics": [],
            "towns": [],
        }
        for identity in identities
    ]
    inserted = insert_ignore_many(
        session, table_of(ItemRow), rows, ["source_id", "identity"], returning=[table_of(ItemRow).c.identity]
    )
    return {row[0] for row in inserted}


class _ItemKey(NamedTuple):
    id: int
    current_revision_id: int | None
    approved_revision_id: int | None
    status: str


def _items_by_identity(session: Session, source_id: str, identities: list[str]) -> dict[str, _ItemKey]:
    found: dict[str, _ItemKey] = {}
    for chunk in chunks(identities):
        query = select(
            ItemRow.identity, ItemRow.id, ItemRow.current_revision_id, ItemRow.approved_revision_id, ItemRow.status
        ).where(ItemRow.source_id == source_id, ItemRow.identity.in_(chunk))
        for identity, item_id, current, approved, status in session.execute(query):
            found[identity] = _ItemKey(item_id, current, approved, status)
    return found


def _current_hashes(session: Session, revision_ids: list[int | None]) -> dict[int, str]:
    """Content hash per current revision; for a staff edit, the hash of the source revision it was based on
    (the source sending that content again changes nothing: the edit stays current)."""
    found: dict[int, str] = {}
    base = aliased(RevisionRow)
    for chunk in chunks([rid for rid in revision_ids if rid is not None]):
        query = (
            select(RevisionRow.id, func.coalesce(base.content_hash, RevisionRow.content_hash))
            .outerjoin(StaffRevisionRow, StaffRevisionRow.revision_id == RevisionRow.id)
            .outerjoin(base, base.id == StaffRevisionRow.base_revision_id)
            .where(RevisionRow.id.in_(chunk))
        )
        found.update({rid: digest for rid, digest in session.execute(query)})
    return found


def _ensure_revisions(session: Session, pairs: list[tuple[int, Entry]], now: datetime) -> dict[tuple[int, str], int]:
    """Revision ids for (item, content) pairs, inserting those that don't exist (a flip back reuses one)."""
    insert_ignore_many(
        session,
        table_of(RevisionRow),
        [_revision_values(item_id, entry, now) for item_id, entry in pairs],
        ["item_id", "content_hash"],
    )
    found: dict[tuple[int, str], int] = {}
    for chunk in chunks([item_id for item_id, _ in pairs]):
        query = select(RevisionRow.item_id, RevisionRow.content_hash, RevisionRow.id).where(
            RevisionRow.item_id.in_(chunk)
        )
        found.update({(item_id, digest): rid for item_id, digest, rid in session.execute(query)})
    return found


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
    for chunk in chunks(item_ids):
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
