"""Manual entries and the towns' offers: items of the built-in sources ``redaktion`` / ``kommunen``.

They reuse the harvest's items + revisions, so review, audit, expiry (``item_flags``) and publishing treat
them like any harvested item. A manual entry's revision keeps the staff's source text (formatting subset) as
``content_text`` so it can be edited again; ``summary_html`` is its allowlist-clean rendering.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from process.entries import EntryDraft, Link, RenderedEntry, render_entry
from store import items_repo, review_repo
from store.entries_schema import ManualEntryRow, TownStandRow
from store.review_schema import ItemFlagsRow, StaffRevisionRow
from store.schema import ItemRow, ProvenanceRow, RevisionRow, SourceRow
from store.upsert import insert_ignore, table_of

SOURCE_OF_SECTION = {"redaktion": "redaktion", "kommunale-angebote": "kommunen"}
BUILTIN_SOURCES = {"redaktion": "Redaktion der Wirtschaftsförderung", "kommunen": "Angebote der Kommunen"}
DIRECT_NOTE = "published directly by admin"


@dataclass(frozen=True, slots=True)
class ManualEntry:
    """A manual entry with its current revision, for the staff list and forms."""

    item_id: int
    revision_id: int
    section: str
    status: str
    title: str
    text: str
    summary_html: str
    links: tuple[Link, ...]
    topics: tuple[str, ...]
    sectors: tuple[str, ...]
    towns: tuple[str, ...]
    valid_until: date | None
    created_by: str
    created_at: datetime
    approved_revision_id: int | None


@dataclass(frozen=True, slots=True)
class Offer:
    """One approved offer of a town, as the public sees it (the approved revision)."""

    item_id: int
    title: str
    summary_html: str
    url: str | None
    approved_at: datetime | None
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class TownOffers:
    town: str
    stand: datetime  # latest of: an offer approved, staff confirmed the list as current
    offers: tuple[Offer, ...]


def ensure_builtin_sources(session: Session) -> None:
    """The sources manual entries belong to (the migration adds them; this heals a hand-made database)."""
    for source_id, name in BUILTIN_SOURCES.items():
        insert_ignore(
            session, table_of(SourceRow),
            {"id": source_id, "name": name, "kind": "manual", "url": f"manual:{source_id}", "interval_seconds": 0,
             "enabled": False, "config": {}, "origin": "system", "consecutive_failures": 0, "guid_map": {},
             "guids_unstable": False},
            ["id"],
        )  # fmt: skip


def create_entry(session: Session, draft: EntryDraft, *, actor: str, now: datetime, publish: bool = False) -> int:
    """Store a checked draft as a new pending item (or, ``publish`` by an admin, approved at once)."""
    ensure_builtin_sources(session)
    item = ItemRow(
        source_id=SOURCE_OF_SECTION[draft.section], identity=f"manual:{uuid.uuid4()}", status="pending",
        first_seen_at=now, last_seen_at=now, sectors=list(draft.sectors), topics=list(draft.topics),
        towns=list(draft.towns),
    )  # fmt: skip
    session.add(item)
    session.flush()
    session.add(ManualEntryRow(item_id=item.id, section=draft.section, links=_links_json(draft.links),
                               created_by=actor, created_at=now))  # fmt: skip
    # provenance names the office as the publisher (public cards show "Quelle: Redaktion …")
    session.add(ProvenanceRow(item_id=item.id, source_id=item.source_id, url=None, first_seen_at=now))
    revision_id = _add_revision(session, item, render_entry(draft), actor=actor, now=now)
    items_repo.audit(session, actor=actor, action="manual_create", now=now, item_id=item.id, revision_id=revision_id,
                     detail={"section": draft.section})  # fmt: skip
    if draft.valid_until is not None:
        review_repo.set_expiry(session, item.id, _end_of_day(draft.valid_until), actor=actor, now=now)
    if publish:
        publish_directly(session, item.id, actor=actor, now=now)
    return item.id


def update_entry(
    session: Session, item_id: int, base_revision_id: int, draft: EntryDraft, *, actor: str, now: datetime,
    publish: bool = False,
) -> None:  # fmt: skip
    """Change a manual entry: a new revision when the content changed (back to review), tags, links, expiry."""
    item = review_repo._item(session, item_id, base_revision_id)  # refuses a stale base revision
    meta = session.get(ManualEntryRow, item_id)
    if meta is None:
        raise items_repo.DecisionError(f"Eintrag {item_id} ist kein eigener Eintrag.")
    rendered = render_entry(draft)
    current = session.get(RevisionRow, base_revision_id)
    if current is None or current.content_hash != rendered.content_hash:
        revision_id = _add_revision(session, item, rendered, actor=actor, now=now)
        if item.status != "rejected":
            item.status = "pending"
        items_repo.audit(session, actor=actor, action="edit", now=now, item_id=item_id, revision_id=revision_id,
                         detail={"base_revision_id": base_revision_id, "manual": True})  # fmt: skip
    meta.links = _links_json(draft.links)
    tags = {"sectors": list(draft.sectors), "topics": list(draft.topics), "towns": list(draft.towns)}
    review_repo.set_tags(session, item_id, tags, actor=actor, now=now)
    expires = _end_of_day(draft.valid_until) if draft.valid_until else None
    flags = session.get(ItemFlagsRow, item_id)
    if expires != (flags.expires_at if flags else None):
        review_repo.set_expiry(session, item_id, expires, actor=actor, now=now)
    if publish:
        publish_directly(session, item_id, actor=actor, now=now)


def publish_directly(session: Session, item_id: int, *, actor: str, now: datetime) -> None:
    """An admin approves the current revision without the queue; the audit line says so."""
    item = review_repo._item(session, item_id)
    if item.status == "rejected":
        raise items_repo.DecisionError(f"Eintrag {item_id} ist abgelehnt und kann nicht veröffentlicht werden.")
    if item.status == "approved" and item.approved_revision_id == item.current_revision_id:
        return
    item.status, item.approved_revision_id, item.decided_at = "approved", item.current_revision_id, now
    items_repo.audit(session, actor=actor, action="approve", now=now, item_id=item_id,
                     revision_id=item.current_revision_id, detail={"direct": True, "note": DIRECT_NOTE})  # fmt: skip


def _add_revision(session: Session, item: ItemRow, rendered: RenderedEntry, *, actor: str, now: datetime) -> int:
    revision = RevisionRow(
        item_id=item.id, content_hash=_unique_hash(session, item.id, rendered.content_hash), guid=None,
        url=rendered.url, title=rendered.title, summary_html=rendered.summary_html,
        content_text=rendered.content_text, published_at=now, diff=None, warnings=[], created_at=now,
    )  # fmt: skip
    session.add(revision)
    session.flush()
    # marks the revision as written by staff (the item view names the author); a manual entry has no
    # harvested base, so the first revision is its own base
    base = item.current_revision_id or revision.id
    session.add(StaffRevisionRow(revision_id=revision.id, base_revision_id=base, actor=actor))
    item.current_revision_id = revision.id
    return revision.id


def _unique_hash(session: Session, item_id: int, digest: str) -> str:
    """Going back to an earlier text is a new revision too (the unique key is per item and hash)."""
    taken = set(session.scalars(select(RevisionRow.content_hash).where(RevisionRow.item_id == item_id)))
    candidate, counter = digest, 0
    while candidate in taken:
        counter += 1
        candidate = f"{digest[:56]}-{counter:07d}"
    return candidate


def _links_json(links: tuple[Link, ...]) -> list[dict[str, str]]:
    return [{"label": link.label, "url": link.url} for link in links]


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


# -- reading -----------------------------------------------------------------------------------------------


def _entry_query() -> Select[ItemRow, RevisionRow, ManualEntryRow, datetime | None]:
    return (
        select(ItemRow, RevisionRow, ManualEntryRow, ItemFlagsRow.expires_at)
        .join(ManualEntryRow, ManualEntryRow.item_id == ItemRow.id)
        .join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
        .outerjoin(ItemFlagsRow, ItemFlagsRow.item_id == ItemRow.id)
    )


def list_entries(session: Session, *, section: str | None = None, town: str | None = None) -> list[ManualEntry]:
    """Manual entries (any status), newest first."""
    query = _entry_query().order_by(ItemRow.first_seen_at.desc(), ItemRow.id.desc())
    if section is not None:
        query = query.where(ManualEntryRow.section == section)
    entries = [_entry(*row) for row in session.execute(query)]
    return [entry for entry in entries if town is None or town in entry.towns]


def get_entry(session: Session, item_id: int) -> ManualEntry | None:
    row = session.execute(_entry_query().where(ItemRow.id == item_id)).one_or_none()
    return None if row is None else _entry(*row)


def _entry(item: ItemRow, revision: RevisionRow, meta: ManualEntryRow, expires: datetime | None) -> ManualEntry:
    return ManualEntry(
        item_id=item.id, revision_id=revision.id, section=meta.section, status=item.status, title=revision.title,
        text=revision.content_text, summary_html=revision.summary_html,
        links=tuple(Link(str(link.get("label", "")), str(link.get("url", ""))) for link in meta.links or []),
        topics=tuple(item.topics or ()), sectors=tuple(item.sectors or ()), towns=tuple(item.towns or ()),
        valid_until=expires.date() if expires else None, created_by=meta.created_by, created_at=meta.created_at,
        approved_revision_id=item.approved_revision_id,
    )  # fmt: skip


def approved_municipal_offers(session: Session, *, now: datetime, town: str | None = None) -> list[TownOffers]:
    """Each town's approved, unexpired offers (approved revision), with its "Stand"; towns A–Z."""
    query = (
        select(ItemRow.id, ItemRow.towns, ItemRow.decided_at, RevisionRow, ItemFlagsRow.expires_at)
        .join(ManualEntryRow, ManualEntryRow.item_id == ItemRow.id)
        .join(RevisionRow, RevisionRow.id == ItemRow.approved_revision_id)
        .outerjoin(ItemFlagsRow, ItemFlagsRow.item_id == ItemRow.id)
        .where(ManualEntryRow.section == "kommunale-angebote", ItemRow.status == "approved")
        .order_by(RevisionRow.title, ItemRow.id)
    )
    by_town: dict[str, list[Offer]] = {}
    for item_id, towns, decided, revision, expires in session.execute(query):
        if expires is not None and expires <= now:
            continue
        offer = Offer(item_id, revision.title, revision.summary_html, revision.url, decided, expires)
        for name in towns or ():
            if town is None or name == town:
                by_town.setdefault(name, []).append(offer)
    confirmed = {row.town: row.confirmed_at for row in session.scalars(select(TownStandRow))}
    result = []
    for name in sorted(by_town, key=str.casefold):
        stamps = [o.approved_at for o in by_town[name] if o.approved_at] + [confirmed.get(name)]
        result.append(TownOffers(name, max(s for s in stamps if s is not None), tuple(by_town[name])))
    return result


def confirm_town(session: Session, town: str, *, actor: str, now: datetime) -> None:
    """Staff checked a town's offers: they are current as of ``now`` (the public "Stand")."""
    row = session.get(TownStandRow, town)
    if row is None:
        session.add(TownStandRow(town=town, confirmed_at=now, confirmed_by=actor))
    else:
        row.confirmed_at, row.confirmed_by = now, actor
    items_repo.audit(session, actor=actor, action="town_stand", now=now, detail={"town": town})


def town_stands(session: Session) -> dict[str, datetime]:
    return {row.town: row.confirmed_at for row in session.scalars(select(TownStandRow))}


def municipal_offer_ids(session: Session) -> frozenset[int]:
    """Ids of every town offer (any status); publishing groups the approved ones per town."""
    query = select(ManualEntryRow.item_id).where(ManualEntryRow.section == "kommunale-angebote")
    return frozenset(session.scalars(query))
