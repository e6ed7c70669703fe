"""The review queue: filtered keyset pages, facet counts, one item in detail, and staff decisions.

Decisions name the revision the reviewer saw: when the source changed the item meanwhile, the decision is
refused (``StaleRevision``) instead of silently approving text nobody read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from store import items_repo, stories_repo
from store.records import ItemView
from store.review_schema import ItemFlagsRow, StaffRevisionRow
from store.schema import AuditRow, ItemRow, ProvenanceRow, RevisionRow, SourceRow
from store.story_schema import ItemTagsRow, StoryLinkRow, StoryMemberRow, links_story
from store.upsert import chunks

FACETS = ("sectors", "topics", "towns")
NOT_RELEVANT = "nicht-relevant"  # the queue's relevance filter values (the tagger's judgement, issue 3)
RELEVANCE = ("relevant", NOT_RELEVANT)
EXPIRED = "abgelaufen"  # the queue's expiry filter values: the date staff set, else the one read from the text
EXPIRY = (EXPIRED, "nicht-abgelaufen")


class StaleRevision(items_repo.DecisionError):
    """The item has a newer revision than the one the decision was made on."""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str = "pending"
    source: str | None = None
    sector: str | None = None
    topic: str | None = None
    town: str | None = None
    text: str | None = None
    relevance: str | None = None  # "relevant" | "nicht-relevant" (items not tagged yet count as relevant)
    expiry: str | None = None  # "abgelaufen" | "nicht-abgelaufen" (items without a date count as not expired)


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    revision_id: int
    title: str
    url: str | None
    source_id: str
    status: str
    first_seen_at: datetime
    published_at: datetime | None
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    pinned: bool
    relevant: bool = True  # False: the tagger found no business relevance (staff dismiss these in bulk)
    source_name: str = ""
    linked: bool = False  # its story is linked with others (versions of the same regulation)
    older_version_published: bool = False  # … and an older version is still public
    expires_at: datetime | None = None  # set by staff
    expires_suggested: datetime | None = None  # read from the text by the tagger ("Antragsfrist bis …")

    @property
    def runs_out_at(self) -> datetime | None:
        """Staff's date, else the one read from the text: the row's "läuft ab" (SQL: ``_expired``)."""
        return self.expires_at or self.expires_suggested


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: tuple[datetime, int] | None


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    id: int
    title: str
    summary_html: str
    content_text: str
    created_at: datetime
    staff_actor: str | None


@dataclass(frozen=True, slots=True)
class SourceLink:
    source_id: str
    name: str
    url: str | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    revision_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ItemDetail:
    view: ItemView
    revisions: tuple[RevisionInfo, ...]  # newest first
    sources: tuple[SourceLink, ...]
    audit: tuple[AuditEntry, ...]  # newest first
    pinned: bool
    expires_at: datetime | None


# -- the queue -------------------------------------------------------------------------------------------


def queue_page(
    session: Session, flt: QueueFilter, *, limit: int, after: tuple[datetime, int] | None = None
) -> QueuePage:
    """One page of the queue, newest first; ``after`` is the cursor of the previous page's last row."""
    query = _with_row_joins(_filtered(select(*_ROW_COLUMNS), flt, _dialect(session)))
    if after is not None:
        seen, item_id = after
        # a row value, not "a < x OR (a = x AND b < y)": PostgreSQL then starts the index scan at the cursor
        query = query.where(tuple_(ItemRow.first_seen_at, ItemRow.id) < tuple_(seen, item_id))
    query = query.order_by(ItemRow.first_seen_at.desc(), ItemRow.id.desc()).limit(limit + 1)
    rows = [_queue_row(found) for found in session.execute(query)]
    more = len(rows) > limit
    rows = _mark_versions(session, rows[:limit])
    cursor = (rows[-1].first_seen_at, rows[-1].id) if more and rows else None
    return QueuePage(tuple(rows), cursor)


def _filtered(query: Any, flt: QueueFilter, dialect: str, *, join_revision: bool = True) -> Any:  # any Select
    if join_revision or flt.text:
        query = query.join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
    query = query.where(ItemRow.status == flt.status)
    if flt.source:
        query = query.where(ItemRow.source_id == flt.source)
    for column, value in ((ItemRow.sectors, flt.sector), (ItemRow.topics, flt.topic), (ItemRow.towns, flt.town)):
        if value:
            values = _elements(dialect, column)
            query = query.where(exists(select(1).select_from(values).where(values.c.value == value)))
    if flt.relevance in RELEVANCE:
        tags = aliased(ItemTagsRow)  # the page's own outer join of item_tags must not correlate into this
        dismissed = exists(select(1).select_from(tags).where(tags.item_id == ItemRow.id, tags.relevant.is_(False)))
        query = query.where(dismissed if flt.relevance == NOT_RELEVANT else ~dismissed)
    if flt.expiry in EXPIRY:
        expired = _expired(datetime.now(UTC))
        query = query.where(expired if flt.expiry == EXPIRED else ~expired)
    if flt.text:
        pattern = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(RevisionRow.title.ilike(pattern, escape="\\"))
    return query


def _expired(now: datetime) -> Any:
    """Has the item run out: its date set by staff, else the one read from its text (``QueueRow.runs_out_at``),
    lies before ``now``."""
    flags, tags = aliased(ItemFlagsRow), aliased(ItemTagsRow)  # not the page's own outer joins
    ends = func.coalesce(
        select(flags.expires_at).where(flags.item_id == ItemRow.id).scalar_subquery(),
        select(tags.expires_suggested).where(tags.item_id == ItemRow.id).scalar_subquery(),
    )
    return func.coalesce(ends < now, False)


def _elements(dialect: str, column: Any) -> Any:
    """A JSON list's elements as a table: json_each on SQLite, json_array_elements_text on PostgreSQL."""
    function = func.json_array_elements_text if dialect == "postgresql" else func.json_each
    return function(column).table_valued("value").alias()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# Plain columns, not ORM entities: a queue page is read-only and entity loading would double its cost.
_ROW_COLUMNS = (
    ItemRow.id, ItemRow.current_revision_id, RevisionRow.title, RevisionRow.url, ItemRow.source_id, ItemRow.status,
    ItemRow.first_seen_at, RevisionRow.published_at, ItemRow.sectors, ItemRow.topics, ItemRow.towns,
    ItemFlagsRow.pinned, ItemTagsRow.relevant, SourceRow.name, ItemFlagsRow.expires_at, ItemTagsRow.expires_suggested,
    exists(  # in a story linked with others (versions of a regulation): rare, looked at further by _mark_versions
        select(1).select_from(StoryMemberRow).join(StoryLinkRow, links_story(StoryMemberRow.story_id))
        .where(StoryMemberRow.item_id == ItemRow.id)
    ).label("linked"),
)  # fmt: skip


def _with_row_joins(query: Any) -> Any:  # any Select of _ROW_COLUMNS
    """The outer joins that _ROW_COLUMNS read from (flags, tags, source), shared by a page and a single row."""
    return (
        query.outerjoin(ItemFlagsRow, ItemFlagsRow.item_id == ItemRow.id)
        .outerjoin(ItemTagsRow, ItemTagsRow.item_id == ItemRow.id)
        .outerjoin(SourceRow, SourceRow.id == ItemRow.source_id)
    )


def _queue_row(found: Any) -> QueueRow:
    (item_id, revision_id, title, url, source_id, status, seen, published, sectors, topics, towns, pinned,
     relevant, source_name, expires_at, expires_suggested, linked) = found  # fmt: skip
    return QueueRow(
        id=item_id, revision_id=revision_id or 0, title=title, url=url, source_id=source_id, status=status,
        first_seen_at=seen, published_at=published, sectors=tuple(sectors or ()), topics=tuple(topics or ()),
        towns=tuple(towns or ()), pinned=bool(pinned), relevant=relevant is not False, source_name=source_name or "",
        linked=bool(linked), expires_at=expires_at, expires_suggested=expires_suggested,
    )  # fmt: skip


def queue_row(session: Session, item_id: int) -> QueueRow | None:
    """One item as a queue row, whatever its status (the row shown after a decision)."""
    query = _with_row_joins(select(*_ROW_COLUMNS).join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id))
    query = query.where(ItemRow.id == item_id)
    found = session.execute(query).one_or_none()
    return None if found is None else _mark_versions(session, [_queue_row(found)])[0]


def _mark_versions(session: Session, rows: list[QueueRow]) -> list[QueueRow]:
    """Flag rows whose regulation has an older version still published — staff approving the new one should
    retire it (item view). Only for rows the page's query found linked (rare): no extra query otherwise."""
    wanted = [row.id for row in rows if row.linked]
    if not wanted:
        return rows
    query = (
        select(StoryMemberRow.item_id, StoryMemberRow.story_id, StoryLinkRow.story_id, StoryLinkRow.other_story_id)
        .join(StoryLinkRow, links_story(StoryMemberRow.story_id))
        .where(StoryMemberRow.item_id.in_(wanted))
    )
    linked: dict[int, set[int]] = {}  # item -> the stories linked with its own
    for item_id, own, a, b in session.execute(query):
        linked.setdefault(item_id, set()).update({a, b} - {own})
    versions = {v.story_id: v for v in stories_repo.version_stories(session, set().union(*linked.values()))}

    def older_public(row: QueueRow) -> bool:
        return any(versions[s].published_before(row.first_seen_at) for s in linked.get(row.id, ()) if s in versions)

    return [replace(row, older_version_published=True) if older_public(row) else row for row in rows]


def count_filtered(session: Session, flt: QueueFilter) -> int:
    query = _filtered(select(func.count()).select_from(ItemRow), flt, _dialect(session), join_revision=False)
    return session.scalar(query) or 0


def status_counts(session: Session) -> dict[str, int]:
    return items_repo.count_items(session)


def facet_counts(session: Session, status: str) -> dict[str, dict[str, int]]:
    """Items of ``status`` per source, sector, topic and town (value -> count, most frequent first), how many
    the tagger judged not business-relevant (``relevance``) and how many have run out (``expiry``)."""
    result: dict[str, dict[str, int]] = {}
    by_source = select(ItemRow.source_id, func.count()).where(ItemRow.status == status).group_by(ItemRow.source_id)
    result["sources"] = _sorted(session.execute(by_source))
    for facet in FACETS:
        values = _elements(_dialect(session), getattr(ItemRow, facet))
        query = (
            select(values.c.value, func.count())
            .select_from(ItemRow)
            .join(values, values.c.value.is_not(None))
            .where(ItemRow.status == status)
            .group_by(values.c.value)
        )
        result[facet] = _sorted(session.execute(query))
    dismissed = (
        select(func.count())
        .select_from(ItemRow)
        .join(ItemTagsRow, ItemTagsRow.item_id == ItemRow.id)
        .where(ItemRow.status == status, ItemTagsRow.relevant.is_(False))
    )
    result["relevance"] = {NOT_RELEVANT: session.scalar(dismissed) or 0}
    expired = select(func.count()).select_from(ItemRow).where(ItemRow.status == status, _expired(datetime.now(UTC)))
    result["expiry"] = {EXPIRED: session.scalar(expired) or 0}
    return result


def source_names(session: Session, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Sources' names by id: of ``ids``, or of every source (a few hundred at most; the queue's filter)."""
    query = select(SourceRow.id, SourceRow.name)
    if ids is not None:
        query = query.where(SourceRow.id.in_(sorted(set(ids))))
    return {source_id: name for source_id, name in session.execute(query)}


def _sorted(rows: Any) -> dict[str, int]:
    return dict(sorted(((str(value), int(count)) for value, count in rows), key=lambda pair: (-pair[1], pair[0])))


def neighbours(session: Session, item_id: int, status: str = "pending") -> tuple[int | None, int | None]:
    """(newer, older) item ids next to ``item_id`` in the queue of ``status`` — for j/k in the item view."""
    item = session.get(ItemRow, item_id)
    if item is None:
        return None, None
    seen, base = item.first_seen_at, select(ItemRow.id).where(ItemRow.status == status)
    newer = base.where(
        or_(ItemRow.first_seen_at > seen, and_(ItemRow.first_seen_at == seen, ItemRow.id > item_id))
    ).order_by(ItemRow.first_seen_at, ItemRow.id)
    older = base.where(
        or_(ItemRow.first_seen_at < seen, and_(ItemRow.first_seen_at == seen, ItemRow.id < item_id))
    ).order_by(ItemRow.first_seen_at.desc(), ItemRow.id.desc())
    return session.scalar(newer.limit(1)), session.scalar(older.limit(1))


# -- one item --------------------------------------------------------------------------------------------


def item_detail(session: Session, item_id: int) -> ItemDetail | None:
    views = items_repo.list_items_by_ids(session, [item_id])
    if not views:
        return None
    flags = session.get(ItemFlagsRow, item_id)
    return ItemDetail(
        view=views[0],
        revisions=tuple(_revisions(session, item_id)),
        sources=tuple(_source_links(session, item_id)),
        audit=tuple(_audit(session, item_id)),
        pinned=bool(flags and flags.pinned),
        expires_at=flags.expires_at if flags else None,
    )


def _revisions(session: Session, item_id: int) -> list[RevisionInfo]:
    query = (
        select(RevisionRow, StaffRevisionRow.actor)
        .outerjoin(StaffRevisionRow, StaffRevisionRow.revision_id == RevisionRow.id)
        .where(RevisionRow.item_id == item_id)
        .order_by(RevisionRow.id.desc())
    )
    return [
        RevisionInfo(rev.id, rev.title, rev.summary_html, rev.content_text, rev.created_at, actor)
        for rev, actor in session.execute(query)
    ]


def _source_links(session: Session, item_id: int) -> list[SourceLink]:
    query = (
        select(ProvenanceRow, SourceRow.name)
        .join(SourceRow, SourceRow.id == ProvenanceRow.source_id)
        .where(ProvenanceRow.item_id == item_id)
        .order_by(ProvenanceRow.first_seen_at, ProvenanceRow.id)
    )
    return [SourceLink(p.source_id, name, p.url, p.first_seen_at) for p, name in session.execute(query)]


def _audit(session: Session, item_id: int) -> list[AuditEntry]:
    query = select(AuditRow).where(AuditRow.item_id == item_id).order_by(AuditRow.id.desc()).limit(50)
    return [AuditEntry(a.at, a.actor, a.action, a.revision_id, dict(a.detail or {})) for a in session.scalars(query)]


# -- decisions -------------------------------------------------------------------------------------------


def _item(session: Session, item_id: int, revision_id: int | None = None) -> ItemRow:
    item = session.get(ItemRow, item_id, with_for_update=_dialect(session) == "postgresql")
    if item is None:
        raise items_repo.DecisionError(f"Unbekannter Eintrag {item_id}.")
    if revision_id is not None and item.current_revision_id != revision_id:
        raise StaleRevision(
            f"Eintrag {item_id} wurde inzwischen geändert (neue Fassung {item.current_revision_id}); bitte neu prüfen."
        )
    return item


def approve(session: Session, item_id: int, revision_id: int, *, actor: str, now: datetime) -> bool:
    _item(session, item_id, revision_id)
    return bool(items_repo.approve(session, [item_id], actor=actor, now=now))


def reject(session: Session, item_id: int, revision_id: int, *, actor: str, now: datetime) -> bool:
    _item(session, item_id, revision_id)
    return bool(items_repo.reject(session, [item_id], actor=actor, now=now))


def decide_many(
    session: Session, action: str, pairs: Sequence[tuple[int, int]], *, actor: str, now: datetime
) -> tuple[list[int], list[int]]:
    """Bulk approve/reject of (item id, revision id) pairs; returns (done, skipped because stale or rejected)."""
    decide = approve if action == "approve" else reject
    done, skipped = [], []
    for item_id, revision_id in pairs:
        try:
            with session.begin_nested():
                if decide(session, item_id, revision_id, actor=actor, now=now):
                    done.append(item_id)
        except items_repo.DecisionError:
            skipped.append(item_id)
    return done, skipped


def accept_suggested_expiries(
    session: Session, item_ids: Sequence[int], *, actor: str, now: datetime
) -> tuple[list[int], list[int]]:
    """Staff take the deadlines read from the items' texts as their expiry dates (each audited like a date set by
    hand); returns (done, skipped: no date read from the text, or it is the item's date already). Items, their
    flags and suggestions are read (and on PostgreSQL locked, in id order) a chunk at a time, not row by row."""
    lock = _dialect(session) == "postgresql"
    items: dict[int, ItemRow] = {}
    flags: dict[int, ItemFlagsRow] = {}
    suggested: dict[int, datetime | None] = {}
    for chunk in chunks(sorted(set(item_ids))):
        locked = select(ItemRow).where(ItemRow.id.in_(chunk)).order_by(ItemRow.id)
        items.update((row.id, row) for row in session.scalars(locked.with_for_update() if lock else locked))
        found = session.scalars(select(ItemFlagsRow).where(ItemFlagsRow.item_id.in_(chunk)))
        flags.update((row.item_id, row) for row in found)
        tags = select(ItemTagsRow.item_id, ItemTagsRow.expires_suggested).where(ItemTagsRow.item_id.in_(chunk))
        suggested.update((item_id, day) for item_id, day in session.execute(tags))
    done, skipped = [], []
    for item_id in item_ids:
        day, item, item_flags = suggested.get(item_id), items.get(item_id), flags.get(item_id)
        if day is None or item is None or (item_flags is not None and item_flags.expires_at == day):
            skipped.append(item_id)
            continue
        flags[item_id] = _set_expiry(session, item, item_flags, day, actor=actor, now=now)
        done.append(item_id)
    return done, skipped


def unpublish(session: Session, item_id: int, *, actor: str, now: datetime) -> None:
    """Take an approved item out of the public output without a tombstone (it may be approved again)."""
    item = _item(session, item_id)
    if item.status != "approved":
        raise items_repo.DecisionError(f"Eintrag {item_id} ist nicht veröffentlicht.")
    revision = item.approved_revision_id
    item.status, item.approved_revision_id, item.decided_at = "unpublished", None, now
    items_repo.audit(session, actor=actor, action="unpublish", now=now, item_id=item_id, revision_id=revision)


def set_pinned(session: Session, item_id: int, pinned: bool, *, actor: str, now: datetime) -> None:
    item = _item(session, item_id)
    flags = _flags(session, item_id, actor, now)
    flags.pinned = pinned
    action = "pin" if pinned else "unpin"
    items_repo.audit(
        session, actor=actor, action=action, now=now, item_id=item_id, revision_id=item.current_revision_id
    )


def set_expiry(session: Session, item_id: int, expires_at: datetime | None, *, actor: str, now: datetime) -> None:
    item = _item(session, item_id)
    _set_expiry(session, item, session.get(ItemFlagsRow, item_id), expires_at, actor=actor, now=now)


def _set_expiry(
    session: Session, item: ItemRow, flags: ItemFlagsRow | None, expires_at: datetime | None, *, actor: str,
    now: datetime,
) -> ItemFlagsRow:  # fmt: skip
    """Set the expiry of ``item`` (locked by the caller) whose flags row is ``flags`` (None: none yet); audited."""
    flags = _touched(session, item.id, flags, actor, now)
    before, flags.expires_at = flags.expires_at, expires_at
    detail = {"before": before.isoformat() if before else None, "after": expires_at.isoformat() if expires_at else None}
    items_repo.audit(
        session, actor=actor, action="expiry", now=now, item_id=item.id, revision_id=item.current_revision_id,
        detail=detail,
    )  # fmt: skip
    return flags


def _flags(session: Session, item_id: int, actor: str, now: datetime) -> ItemFlagsRow:
    return _touched(session, item_id, session.get(ItemFlagsRow, item_id), actor, now)


def _touched(session: Session, item_id: int, flags: ItemFlagsRow | None, actor: str, now: datetime) -> ItemFlagsRow:
    """The item's flags row (``flags``, or a new one when it has none yet), marked as changed by ``actor``."""
    if flags is None:
        flags = ItemFlagsRow(item_id=item_id, pinned=False, expires_at=None, updated_at=now, updated_by=actor)
        session.add(flags)
    flags.updated_at, flags.updated_by = now, actor
    return flags


def set_tags(session: Session, item_id: int, tags: dict[str, list[str]], *, actor: str, now: datetime) -> bool:
    """Replace sectors/topics/towns (keys of ``tags``); audited with before and after. False if unchanged."""
    item = _item(session, item_id)
    before = {facet: list(getattr(item, facet) or []) for facet in tags}
    if before == tags:
        return False
    for facet, values in tags.items():
        setattr(item, facet, list(values))
    items_repo.audit(
        session, actor=actor, action="tags", now=now, item_id=item_id, revision_id=item.current_revision_id,
        detail={"before": before, "after": tags},
    )  # fmt: skip
    return True


def edit_content(
    session: Session,
    item_id: int,
    base_revision_id: int,
    *,
    title: str,
    summary_html: str,
    content_text: str,
    actor: str,
    now: datetime,
) -> int:
    """A staff edit of title/summary: a new revision (marked as staff's) that goes back to review."""
    item = _item(session, item_id, base_revision_id)
    base = session.get(RevisionRow, base_revision_id)
    assert base is not None
    digest = hashlib.sha256(f"staff\0{actor}\0{now.isoformat()}\0{title}\0{summary_html}".encode()).hexdigest()
    revision = RevisionRow(
        item_id=item_id, content_hash=digest, guid=base.guid, url=base.url, title=title, summary_html=summary_html,
        content_text=content_text, published_at=base.published_at, diff=None, warnings=[], created_at=now,
    )  # fmt: skip
    session.add(revision)
    session.flush()
    source_base = session.scalar(
        select(StaffRevisionRow.base_revision_id).where(StaffRevisionRow.revision_id == base_revision_id)
    )
    session.add(
        StaffRevisionRow(revision_id=revision.id, base_revision_id=source_base or base_revision_id, actor=actor)
    )
    item.current_revision_id = revision.id
    if item.status != "rejected":
        item.status = "pending"
    changed = [name for name, old, new in (("title", base.title, title), ("summary", base.summary_html, summary_html))
               if old != new]  # fmt: skip
    items_repo.audit(
        session, actor=actor, action="edit", now=now, item_id=item_id, revision_id=revision.id,
        detail={"base_revision_id": base_revision_id, "fields": changed},
    )  # fmt: skip
    return revision.id
