"""Stories: assigning items to stories through the dedupe index, provenance ("also reported by"), and the
staff's split, merge and canonical choice — each with an audit entry. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import Row, Select, Table, and_, bindparam, delete, insert, or_, select
from sqlalchemy.orm import Session

from process.dedupe import LEGAL_TITLE_BAND, Fingerprint, fingerprint, legal_name, verify
from store.items_repo import DecisionError, audit
from store.schema import ItemRow, ProvenanceRow, RevisionRow
from store.story_schema import DedupeKeyRow, StoryLinkRow, StoryMemberRow, StoryRow, links_story
from store.upsert import chunks

MAX_CANDIDATES = 50  # verify at most this many of the items sharing the most keys

_KEYS = cast(Table, DedupeKeyRow.__table__)  # written as plain rows: some 35 per item, never ORM objects

Priority = Callable[[str], int]  # source id -> rank, 0 = most authoritative


@dataclass(frozen=True, slots=True)
class Provenance:
    item_id: int
    source_id: str
    url: str | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class StoryInfo:
    story_id: int
    canonical_item_id: int | None
    members: tuple[Provenance, ...]  # every item of the story with its sources, first seen first
    versions: tuple[int, ...]  # linked stories (other versions of the same regulation)


def assign_story(
    session: Session,
    item_id: int,
    priority: Priority,
    now: datetime,
    *,
    members: Mapping[int, StoryMemberRow] | None = None,
) -> int:
    """Put one item (new or changed) into a story: an existing one if a verified duplicate is found.
    ``members``: the story memberships of a batch, read beforehand (an item missing there has none)."""
    item, revision = _item_revision(session, item_id)
    fp = fingerprint(revision.title, revision.content_text, revision.url)
    session.connection().execute(delete(_KEYS).where(DedupeKeyRow.item_id == item_id))
    current = members.get(item_id) if members is not None else session.get(StoryMemberRow, item_id)
    story_id, reason, versions = _match(session, item_id, fp, revision.url, current)
    alone = current is None and story_id is None  # a new story of its own: the item is its canonical one
    if current is None:
        story_id = story_id or _new_story(session, now, canonical=item_id)
        session.add(StoryMemberRow(item_id=item_id, story_id=story_id, joined_at=now, reason=reason))
    else:
        story_id = current.story_id  # a changed item stays where staff (or an earlier run) put it
    for other in versions:
        _link(session, story_id, other, now)
    if fp.keys:  # some 35 rows per item, inserted as plain rows (no ORM objects, no ORM bulk path)
        rows = [{"band": band, "key": key, "item_id": item_id} for band, key in fp.keys]
        session.connection().execute(insert(_KEYS), rows)
    session.flush()
    if not alone:
        _consider_canonical(session, story_id, item, priority)
    return story_id


def _consider_canonical(session: Session, story_id: int, item: ItemRow, priority: Priority) -> None:
    """A joining item becomes canonical only if it outranks the current one: constant work per item, however
    big the story (a full recount is for split and merge)."""
    story = session.get(StoryRow, story_id)
    assert story is not None
    current = session.get(ItemRow, story.canonical_item_id) if story.canonical_item_id is not None else None
    if current is None:
        refresh_canonical(session, story_id, priority)
        return
    if story.canonical_by == "staff" or current.id == item.id:
        return
    if _rank(item, priority) < _rank(current, priority):
        story.canonical_item_id = item.id


def _rank(item: ItemRow, priority: Priority) -> tuple[int, datetime, int]:
    return (priority(item.source_id), item.first_seen_at, item.id)


def _match(
    session: Session, item_id: int, fp: Fingerprint, url: str | None, current: StoryMemberRow | None
) -> tuple[int | None, str, list[int]]:
    versions: list[int] = []
    for other_id in _candidates(session, item_id, fp):
        _other, other_rev = _item_revision(session, other_id)
        verdict, why = verify(
            fp,
            fingerprint(other_rev.title, other_rev.content_text, other_rev.url),
            same_url=bool(url) and url == other_rev.url,
        )
        other_story = session.get(StoryMemberRow, other_id)
        if other_story is None or (current is not None and other_story.story_id == current.story_id):
            continue
        if verdict == "duplicate":
            return other_story.story_id, f"{why} (wie Eintrag {other_id})", versions
        if verdict == "version":
            versions.append(other_story.story_id)
    return None, "neue Geschichte", versions


def _candidates(session: Session, item_id: int, fp: Fingerprint) -> list[int]:
    if not fp.keys:
        return []
    counts: dict[int, int] = {}
    keys = list(fp.keys)
    for chunk in chunks(keys, 200):
        params = {f"k{n}": key for n, (_band, key) in enumerate(chunk)}
        params.update({f"b{n}": band for n, (band, _key) in enumerate(chunk)})
        for other in session.scalars(_candidates_query(len(chunk)), params):
            if other != item_id:
                counts[other] = counts.get(other, 0) + 1
    return sorted(counts, key=lambda other: (-counts[other], other))[:MAX_CANDIDATES]


@lru_cache(maxsize=256)
def _candidates_query(size: int) -> Select[int]:
    """One (band = ? AND key = ?) term per key — both SQLite and PostgreSQL answer each from the primary key —
    built once per number of keys with bound parameters (building the expression per item cost more than the
    query)."""
    terms = [and_(DedupeKeyRow.band == bindparam(f"b{n}"), DedupeKeyRow.key == bindparam(f"k{n}")) for n in range(size)]
    return select(DedupeKeyRow.item_id).where(or_(*terms))


def _item_revision(session: Session, item_id: int) -> tuple[ItemRow, RevisionRow]:
    item = session.get(ItemRow, item_id)
    if item is None or item.current_revision_id is None:
        raise DecisionError(f"Unbekannte Eintrags-ID: {item_id}")
    revision = session.get(RevisionRow, item.current_revision_id)
    assert revision is not None
    return item, revision


def _new_story(session: Session, now: datetime, canonical: int | None = None) -> int:
    story = StoryRow(created_at=now, canonical_by="rule", canonical_item_id=canonical)
    session.add(story)
    session.flush()
    return story.id


def _link(session: Session, story_id: int, other: int, now: datetime) -> bool:
    """Link two stories as versions; False if they are one story or linked already."""
    if story_id == other:
        return False
    low, high = sorted((story_id, other))
    exists = session.scalar(
        select(StoryLinkRow.id).where(StoryLinkRow.story_id == low, StoryLinkRow.other_story_id == high)
    )
    if exists is None:
        session.add(StoryLinkRow(story_id=low, other_story_id=high, kind="version", reason="", created_at=now))
    return exists is None


@dataclass(frozen=True, slots=True)
class TitleKeys:
    """What one batch of ``add_title_keys`` did."""

    last_item_id: int | None  # None: no items after the cursor
    checked: int
    keyed: int
    linked: int


def add_title_keys(session: Session, now: datetime, *, after: int = 0, batch: int = 500) -> TitleKeys:
    """Give items stored before the legal-title key existed (band LEGAL_TITLE_BAND) that key, and link their
    stories with the versions it finds — the next ``batch`` items with an id above ``after``. Stories, canonical
    texts and tags stay as they are; items not yet in a story are left to the enrichment."""
    rows = session.execute(
        select(ItemRow.id, RevisionRow.title, RevisionRow.content_text, RevisionRow.url)
        .join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
        .where(ItemRow.id > after)
        .order_by(ItemRow.id)
        .limit(batch)
    ).all()
    keyed = linked = 0
    for item_id, title, text, url in rows:
        if not legal_name(title, text):  # most items: no regulation, no fingerprint needed
            continue
        member = session.get(StoryMemberRow, item_id)
        if member is None:
            continue
        fp = fingerprint(title, text, url)
        key = next(key for band, key in fp.keys if band == LEGAL_TITLE_BAND)
        known = select(DedupeKeyRow.item_id).where(
            DedupeKeyRow.band == LEGAL_TITLE_BAND, DedupeKeyRow.key == key, DedupeKeyRow.item_id == item_id
        )
        if session.scalar(known) is None:
            session.connection().execute(insert(_KEYS), [{"band": LEGAL_TITLE_BAND, "key": key, "item_id": item_id}])
            keyed += 1
        _story, _reason, versions = _match(session, item_id, fp, url, member)
        linked += sum(_link(session, member.story_id, other, now) for other in versions)
    session.flush()
    return TitleKeys(rows[-1].id if rows else None, len(rows), keyed, linked)


def refresh_canonical(session: Session, story_id: int, priority: Priority) -> None:
    """The canonical item by rule: the most authoritative source, then the earliest seen — unless staff chose."""
    story = session.get(StoryRow, story_id)
    assert story is not None
    members = _members(session, story_id)
    if story.canonical_by == "staff" and story.canonical_item_id in {m.id for m in members}:
        return
    ranked = sorted(members, key=lambda item: _rank(item, priority))
    story.canonical_item_id = ranked[0].id if ranked else None
    story.canonical_by = "rule"


def _members(session: Session, story_id: int) -> list[ItemRow]:
    query = select(ItemRow).join(StoryMemberRow, StoryMemberRow.item_id == ItemRow.id)
    return list(session.scalars(query.where(StoryMemberRow.story_id == story_id)))


def split_story(session: Session, item_ids: Sequence[int], *, priority: Priority, actor: str, now: datetime) -> int:
    """Move ``item_ids`` out of their story into a new one (staff found the merge wrong)."""
    rows = [_member(session, item_id) for item_id in item_ids]
    old = {row.story_id for row in rows}
    new_id = _new_story(session, now)
    for row in rows:
        row.story_id, row.reason = new_id, f"abgetrennt von {actor}"
        audit(session, actor=actor, action="story_split", now=now, item_id=row.item_id,
              detail={"from": sorted(old), "to": new_id})  # fmt: skip
    session.flush()
    for story_id in [*old, new_id]:
        refresh_canonical(session, story_id, priority)
    return new_id


def merge_stories(session: Session, story_ids: Sequence[int], *, priority: Priority, actor: str, now: datetime) -> int:
    """Join stories into the first one; the others stay as empty rows (never deleted)."""
    target, *others = list(dict.fromkeys(story_ids))
    if session.get(StoryRow, target) is None:
        raise DecisionError(f"Unbekannte Geschichte: {target}")
    for story_id in others:
        for row in session.scalars(select(StoryMemberRow).where(StoryMemberRow.story_id == story_id)):
            row.story_id, row.reason = target, f"zusammengeführt von {actor}"
            audit(session, actor=actor, action="story_merge", now=now, item_id=row.item_id,
                  detail={"from": story_id, "to": target})  # fmt: skip
    session.flush()
    refresh_canonical(session, target, priority)
    return target


def set_canonical(session: Session, item_id: int, *, actor: str, now: datetime) -> None:
    """Staff choose the item whose text represents its story."""
    row = _member(session, item_id)
    story = session.get(StoryRow, row.story_id)
    assert story is not None
    previous = story.canonical_item_id
    story.canonical_item_id, story.canonical_by = item_id, "staff"
    audit(session, actor=actor, action="story_canonical", now=now, item_id=item_id,
          detail={"story": story.id, "previous": previous})  # fmt: skip


def _member(session: Session, item_id: int) -> StoryMemberRow:
    row = session.get(StoryMemberRow, item_id)
    if row is None:
        raise DecisionError(f"Eintrag {item_id} gehört zu keiner Geschichte.")
    return row


def stories_of(session: Session, item_ids: Iterable[int]) -> dict[int, StoryInfo]:
    """Story, canonical item, members with provenance and linked versions for each given item."""
    wanted = list(dict.fromkeys(item_ids))
    story_by_item: dict[int, int] = {}
    for chunk in chunks(wanted):
        query = select(StoryMemberRow.item_id, StoryMemberRow.story_id)
        for item_id, story_id in session.execute(query.where(StoryMemberRow.item_id.in_(chunk))):
            story_by_item[item_id] = story_id
    infos = {story_id: _info(session, story_id) for story_id in set(story_by_item.values())}
    return {item_id: infos[story_id] for item_id, story_id in story_by_item.items()}


def _info(session: Session, story_id: int) -> StoryInfo:
    story = session.get(StoryRow, story_id)
    assert story is not None
    query = (
        select(ProvenanceRow)
        .join(StoryMemberRow, StoryMemberRow.item_id == ProvenanceRow.item_id)
        .where(StoryMemberRow.story_id == story_id)
        .order_by(ProvenanceRow.first_seen_at, ProvenanceRow.id)
    )
    members = tuple(Provenance(p.item_id, p.source_id, p.url, p.first_seen_at) for p in session.scalars(query))
    links = session.execute(select(StoryLinkRow.story_id, StoryLinkRow.other_story_id).where(links_story(story_id)))
    versions = tuple(sorted({a if b == story_id else b for a, b in links}))
    return StoryInfo(story_id, story.canonical_item_id, members, versions)


@dataclass(frozen=True, slots=True)
class VersionStory:
    """A linked story (another version of the same regulation) as staff see it: its canonical item's title,
    when it was first seen, and which of its items are published (and since when the earliest of them was seen)."""

    story_id: int
    item_id: int | None
    title: str
    first_seen_at: datetime | None
    published: tuple[int, ...]
    published_seen_at: datetime | None = None

    def published_before(self, when: datetime) -> bool:
        """Is this version public with an item seen before ``when`` — an older version that may be retired? The
        one rule of the queue marker and the item view's button."""
        return self.published_seen_at is not None and self.published_seen_at < when


def version_stories(session: Session, story_ids: Iterable[int]) -> list[VersionStory]:
    """The given linked stories, oldest first (two queries however many there are)."""
    ids = sorted(set(story_ids))
    heads: list[Row[int, int | None, datetime, str]] = []
    published: list[Row[int, int, datetime]] = []
    for chunk in chunks(ids):
        heads += session.execute(
            select(StoryRow.id, StoryRow.canonical_item_id, ItemRow.first_seen_at, RevisionRow.title)
            .outerjoin(ItemRow, ItemRow.id == StoryRow.canonical_item_id)
            .outerjoin(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
            .where(StoryRow.id.in_(chunk))
        ).all()
        published += session.execute(
            select(StoryMemberRow.story_id, ItemRow.id, ItemRow.first_seen_at)
            .join(ItemRow, ItemRow.id == StoryMemberRow.item_id)
            .where(StoryMemberRow.story_id.in_(chunk), ItemRow.status == "approved")
            .order_by(ItemRow.id)
        ).all()
    public: dict[int, list[tuple[int, datetime]]] = {}
    for story_id, item_id, seen in published:
        public.setdefault(story_id, []).append((item_id, seen))
    found = []
    for story_id, canonical, seen, title in heads:
        items = public.get(story_id, [])
        since = min((when for _id, when in items), default=None)
        found.append(VersionStory(story_id, canonical, title or "", seen, tuple(i for i, _ in items), since))
    return sorted(found, key=lambda v: (v.first_seen_at is None, v.first_seen_at or datetime.min, v.story_id))


@dataclass(frozen=True, slots=True)
class Candidate:
    item_id: int
    source_id: str
    verdict: str  # German, for staff
    reason: str


_VERDICTS = {"duplicate": "Dublette", "version": "andere Fassung", "different": "ähnlich, aber verschieden"}


def possible_duplicates(session: Session, item_id: int, limit: int = 5) -> list[Candidate]:
    """Items of *other* stories that share dedupe keys with this one (from the index), with the verifier's
    verdict — what staff check before merging stories."""
    _item, revision = _item_revision(session, item_id)
    fp = fingerprint(revision.title, revision.content_text, revision.url)
    own = session.get(StoryMemberRow, item_id)
    found = []
    for other_id in _candidates(session, item_id, fp):
        other_member = session.get(StoryMemberRow, other_id)
        if own is not None and other_member is not None and other_member.story_id == own.story_id:
            continue
        other, other_rev = _item_revision(session, other_id)
        verdict, why = verify(fp, fingerprint(other_rev.title, other_rev.content_text, other_rev.url))
        found.append(Candidate(other_id, other.source_id, _VERDICTS.get(verdict, verdict), why))
        if len(found) >= limit:
            break
    return found
