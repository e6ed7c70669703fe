"""What publishing reads: every item with an approved revision, its tags, expiry and the sources that carried it.

Read-only. Public output shows the *approved* revision, never the current one: a source edit waiting for review
keeps the approved text public until staff decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema import ItemRow, ProvenanceRow, RevisionRow, SourceRow


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One publisher of an item: the source's name and the URL under which it carried the item."""

    name: str
    url: str | None


@dataclass(frozen=True, slots=True)
class ApprovedItem:
    """An item as the public may see it: its approved revision plus tags, expiry and sources."""

    id: int
    revision_id: int
    title: str
    url: str | None
    summary_html: str
    published_at: datetime | None
    first_seen_at: datetime
    updated_at: datetime  # when the approved revision was approved (feeds' ``updated``)
    expires_at: datetime | None
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    sources: tuple[SourceLink, ...]


def approved_items(session: Session) -> list[ApprovedItem]:
    """Every item with an approved revision, ordered by id (stable input for the render hash)."""
    query = (
        select(
            ItemRow.id,
            RevisionRow.id,
            RevisionRow.title,
            RevisionRow.url,
            RevisionRow.summary_html,
            RevisionRow.published_at,
            ItemRow.first_seen_at,
            ItemRow.decided_at,
            RevisionRow.created_at,
            ItemRow.expires_at,
            ItemRow.sectors,
            ItemRow.topics,
            ItemRow.towns,
        )
        .join(RevisionRow, RevisionRow.id == ItemRow.approved_revision_id)
        .where(ItemRow.approved_revision_id.is_not(None), ItemRow.status != "rejected")
        .order_by(ItemRow.id)
    )
    sources = _sources(session)
    items = []
    for row in session.execute(query):
        item_id, revision_id, title, url, summary, published, first_seen, decided, created, expires = row[:10]
        items.append(
            ApprovedItem(
                id=item_id,
                revision_id=revision_id,
                title=title,
                url=url,
                summary_html=summary,
                published_at=published,
                first_seen_at=first_seen,
                updated_at=decided or created,
                expires_at=expires,
                sectors=tuple(row[10] or ()),
                topics=tuple(row[11] or ()),
                towns=tuple(row[12] or ()),
                sources=sources.get(item_id, ()),
            )
        )
    return items


def _sources(session: Session) -> dict[int, tuple[SourceLink, ...]]:
    """Publishers per approved item, in the order they first carried it."""
    query = (
        select(ProvenanceRow.item_id, SourceRow.name, ProvenanceRow.url)
        .join(SourceRow, SourceRow.id == ProvenanceRow.source_id)
        .join(ItemRow, ItemRow.id == ProvenanceRow.item_id)
        .where(ItemRow.approved_revision_id.is_not(None))
        .order_by(ProvenanceRow.item_id, ProvenanceRow.first_seen_at, ProvenanceRow.id)
    )
    found: dict[int, list[SourceLink]] = {}
    for item_id, name, url in session.execute(query):
        found.setdefault(item_id, []).append(SourceLink(name=name, url=url))
    return {item_id: tuple(links) for item_id, links in found.items()}
