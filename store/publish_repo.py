"""What publishing reads: every item with an approved revision, its tags, expiry and the sources that carried it.

Read-only. Public output shows the *approved* revision, never the current one: a source edit waiting for review
keeps the approved text public until staff decide.

Reading is split in two so that "nothing changed" stays cheap with 10,000 items: :func:`approved_rows` fetches
plain rows (tag lists still as JSON text, hashable as they are); :func:`to_items` parses them only when the
rows' fingerprint differs from the live release's.

Stories (issue 3): the public sees a story once. The item rows carry their story and its canonical item (one
outer join, no extra query); :func:`collapse_stories` keeps one entry per story with all members' sources.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from process.taxonomy import load_taxonomy
from store.review_schema import ItemFlagsRow
from store.schema import ItemRow, ProvenanceRow, RevisionRow, SourceRow
from store.story_schema import StoryMemberRow, StoryRow

# source id -> rank, 0 = most authoritative (as ``store.stories_repo.Priority``; not imported from there: that
# module pulls in datasketch/numpy, +60 MB and +0.6 s for every publish)
Priority = Callable[[str], int]


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
    sources: tuple[SourceLink, ...]  # the whole story's: every approved member's publishers, deduplicated
    pinned: bool = False  # staff pinned it (or another approved member of its story): first in its sections
    # towns whose own page/feed lists the story: the shown item's towns plus every approved member's (a town's copy
    # of a county text lists it on that town's page, without making the shown card that town's)
    listed_towns: tuple[str, ...] = ()
    members: tuple[int, ...] = ()  # approved items of the story (shown one included), ascending


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
            ItemRow.source_id,
            StoryMemberRow.story_id,
            StoryRow.canonical_item_id,
        )
        .join(RevisionRow, RevisionRow.id == ItemRow.approved_revision_id)
        .outerjoin(ItemFlagsRow, ItemFlagsRow.item_id == ItemRow.id)
        .outerjoin(StoryMemberRow, StoryMemberRow.item_id == ItemRow.id)
        .outerjoin(StoryRow, StoryRow.id == StoryMemberRow.story_id)
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


def to_items(rows: ApprovedRows, priority: Priority | None = None) -> list[ApprovedItem]:
    """Every story with an approved item, once, ordered by the shown item's id (see :func:`collapse_stories`)."""
    return collapse_stories(_each_item(rows), rows, priority or load_taxonomy().priority)


def _each_item(rows: ApprovedRows) -> list[ApprovedItem]:
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


def collapse_stories(items: list[ApprovedItem], rows: ApprovedRows, priority: Priority) -> list[ApprovedItem]:
    """One entry per story: the canonical item if approved, else the approved member the story rule ranks first
    (most authoritative source, earliest seen); it keeps its own id (feed ids stay stable), text and tags, and
    carries every approved member's sources. Items outside any story stand alone."""
    story_of: dict[int, tuple[int, int | None, str]] = {}
    for row in rows.items:
        if row[15] is not None:
            story_of[row[0]] = (row[15], row[16], row[14])
    groups: dict[int, list[ApprovedItem]] = {}
    out: list[ApprovedItem] = []
    for item in items:
        if item.id in story_of:
            groups.setdefault(story_of[item.id][0], []).append(item)
        else:
            out.append(replace(item, listed_towns=item.towns, members=(item.id,)))
    for members in groups.values():
        canonical = story_of[members[0].id][1]
        shown = next((m for m in members if m.id == canonical), None) or min(
            members, key=lambda m: (priority(story_of[m.id][2]), m.first_seen_at, m.id)
        )
        out.append(_as_story(shown, members))
    out.sort(key=lambda item: item.id)
    return out


def _as_story(shown: ApprovedItem, members: list[ApprovedItem]) -> ApprovedItem:
    ordered = [shown, *(m for m in members if m is not shown)]
    sources = tuple(dict.fromkeys(link for m in ordered for link in m.sources))
    towns = tuple(dict.fromkeys(town for m in ordered for town in m.towns))
    return replace(
        shown,
        sources=sources,
        pinned=any(m.pinned for m in members),
        listed_towns=towns,
        members=tuple(sorted(m.id for m in members)),
    )


def _tags(raw: str | None) -> tuple[str, ...]:
    return tuple(json.loads(raw)) if raw else ()


def approved_items(session: Session) -> list[ApprovedItem]:
    return to_items(approved_rows(session))
