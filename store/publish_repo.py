"""What publishing reads: every item with an approved revision, its tags, expiry and the sources that carried it.

Read-only. Public output shows the *approved* revision, never the current one: a source edit waiting for review
keeps the approved text public until staff decide.

Reading is split in two so that "nothing changed" stays cheap with 10,000 items: :func:`approved_rows` fetches
plain rows (tag lists still as JSON text, hashable as they are); :func:`to_items` parses them only when the
rows' fingerprint differs from the live release's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from store.review_schema import ItemFlagsRow
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
    expires_at: datetime | None  # staff's expiry (``item_flags``, issue 4)
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    sources: tuple[SourceLink, ...]
    pinned: bool = False  # staff pinned it: first in its sections


@dataclass(frozen=True, slots=True)
class ApprovedRows:
    """Raw rows, in a stable order: ``items`` (one per item) and ``sources`` (item id, name, url)."""

    items: Sequence[tuple[Any, ...]]
    sources: Sequence[tuple[Any, ...]]


def approved_rows(session: Session) -> ApprovedRows:
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
            ItemFlagsRow.expires_at,
            cast(ItemRow.sectors, Text),
            cast(ItemRow.topics, Text),
            cast(ItemRow.towns, Text),
            ItemFlagsRow.pinned,
        )
        .join(RevisionRow, RevisionRow.id == ItemRow.approved_revision_id)
        .outerjoin(ItemFlagsRow, ItemFlagsRow.item_id == ItemRow.id)
        .where(ItemRow.approved_revision_id.is_not(None), ItemRow.status != "rejected")
        .order_by(ItemRow.id)
    )
    sources = (
        select(ProvenanceRow.item_id, SourceRow.name, ProvenanceRow.url)
        .join(SourceRow, SourceRow.id == ProvenanceRow.source_id)
        .join(ItemRow, ItemRow.id == ProvenanceRow.item_id)
        .where(ItemRow.approved_revision_id.is_not(None))
        .order_by(ProvenanceRow.item_id, ProvenanceRow.first_seen_at, ProvenanceRow.id)
    )
    return ApprovedRows(
        [tuple(row) for row in session.execute(query)], [tuple(row) for row in session.execute(sources)]
    )


def to_items(rows: ApprovedRows) -> list[ApprovedItem]:
    """Every item with an approved revision, ordered by id."""
    links: dict[int, list[SourceLink]] = {}
    for item_id, name, url in rows.sources:
        links.setdefault(item_id, []).append(SourceLink(name=name, url=url))
    items = []
    for row in rows.items:
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
                sectors=_tags(row[10]),
                topics=_tags(row[11]),
                towns=_tags(row[12]),
                sources=tuple(links.get(item_id, ())),
                pinned=bool(row[13]),
            )
        )
    return items


def _tags(raw: str | None) -> tuple[str, ...]:
    return tuple(json.loads(raw)) if raw else ()


def approved_items(session: Session) -> list[ApprovedItem]:
    return to_items(approved_rows(session))
