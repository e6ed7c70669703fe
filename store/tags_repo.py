"""Item tags: rule tagging with reasons, classifier suggestions, staff corrections (the training data), and
the enrichment step the harvest calls: tag and assign a story to every item whose current revision is new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from process.classifier import Example, Model, labels, train
from process.tagging import SourceHints, Tags, tag_item
from process.taxonomy import AXES, Taxonomy
from store import stories_repo
from store.items_repo import DecisionError, audit
from store.schema import ItemRow, RevisionRow, SourceRow
from store.stories_repo import assign_story
from store.story_schema import ItemTagsRow, StoryMemberRow, TagCorrectionRow
from store.upsert import chunks


@dataclass(frozen=True, slots=True)
class TagInfo:
    relevant: bool
    relevance_reason: str
    reasons: dict[str, Any]
    suggestions: dict[str, Any]
    expires_suggested: datetime | None
    expires_reason: str | None
    tagged_by: str


def enrich_pending(session: Session, taxonomy: Taxonomy, now: datetime, *, batch: int = 500) -> int:
    """Tag and dedupe every item whose current revision was not processed yet; returns how many.

    Incremental by construction: an item is looked at once per revision, and dedupe finds its candidates
    through the key index, never by comparing with the whole store. All in the caller's transaction (tests,
    one-off scripts); the harvest commits batch by batch instead (flows/pipeline.enrich_in_batches).
    """
    model = suggestion_model(session)
    done = 0
    while found := enrich_batch(session, taxonomy, now, model, batch=batch):
        done += found
    return done


def enrich_batch(session: Session, taxonomy: Taxonomy, now: datetime, model: Model | None, *, batch: int = 500) -> int:
    """Tag and dedupe the next ``batch`` pending items (oldest revision first); returns how many (0: none left).
    A caller may commit after each batch (flows/pipeline.enrich_in_batches): the work is resumable by design."""
    ids = _pending_ids(session, batch)
    if not ids:
        return 0
    held, tag_rows, members = _read_batch(session, ids)
    for item_id in ids:
        tag_one(session, item_id, taxonomy, now, model, rows=tag_rows)
        assign_story(session, item_id, taxonomy.priority, now, members=members)
    session.flush()
    del held
    return len(ids)


def _read_batch(
    session: Session, ids: Sequence[int], *, members: bool = True
) -> tuple[list[object], dict[int, ItemTagsRow], dict[int, StoryMemberRow]]:
    """A batch's items, current revisions, sources, tag rows and (``members``) story memberships in five queries
    instead of one per row and item. The first value only keeps the rows alive (the session's identity map holds
    them weakly), so that ``session.get`` finds them there."""
    held: list[object] = []
    for chunk in chunks(ids, 500):
        query = select(ItemRow, RevisionRow).join(RevisionRow, RevisionRow.id == ItemRow.current_revision_id)
        held += [row for pair in session.execute(query.where(ItemRow.id.in_(chunk))) for row in pair]
    sources = {row.source_id for row in held if isinstance(row, ItemRow)}
    held += session.scalars(select(SourceRow).where(SourceRow.id.in_(sources)))
    tag_rows = {row.item_id: row for chunk in chunks(ids, 500)
                for row in session.scalars(select(ItemTagsRow).where(ItemTagsRow.item_id.in_(chunk)))}  # fmt: skip
    if not members:
        return held, tag_rows, {}
    member = select(StoryMemberRow)
    story_rows = {row.item_id: row for chunk in chunks(ids, 500)
                  for row in session.scalars(member.where(StoryMemberRow.item_id.in_(chunk)))}  # fmt: skip
    return held, tag_rows, story_rows


@dataclass(frozen=True, slots=True)
class Retagged:
    last_item_id: int | None  # None: nothing left
    checked: int
    changed: int  # items whose tags, relevance, reasons or suggested expiry came out different


def retag_pending(
    session: Session, taxonomy: Taxonomy, now: datetime, model: Model | None, *, after: int = 0, batch: int = 500
) -> Retagged:
    """Tag the next ``batch`` items under review (id above ``after``) again by the current rules, after the
    taxonomy or the tagger changed: tags, relevance, reasons, suggested expiry and suggestions. Staff corrections
    stay (``tag_one``). Approved and rejected items keep their reviewed tags, stories stay as they are, and items
    the enrichment has not reached yet are left to it (it also assigns their story)."""
    return _retag(session, list(session.scalars(_retaggable(after).order_by(ItemRow.id).limit(batch))), taxonomy,
                  now, model)  # fmt: skip


def refresh_outdated(
    session: Session, taxonomy: Taxonomy, now: datetime, model: Model | None, *, batch: int = 500
) -> Retagged:
    """Like ``retag_pending``, for the next ``batch`` items that other rules tagged (another ``Taxonomy.version``,
    or none recorded): after an update changed the taxonomy or the tagging code, the enrichment brings the review
    queue up to date by itself. Items under review are tagged again (``checked``); approved and rejected ones keep
    their reviewed tags and are only marked as seen by these rules. Either way an item drops out of the selection,
    so no cursor is needed; in the steady state the selection is three empty index lookups (below, above, NULL).
    ``last_item_id`` is None when nothing was left."""
    rows = session.execute(_outdated(taxonomy.version).limit(batch)).all()
    if not rows:
        return Retagged(None, 0, 0)
    reviewed = [item_id for item_id, status in rows if status != "pending"]
    if reviewed:
        session.execute(update(ItemTagsRow).where(ItemTagsRow.item_id.in_(reviewed)).values(rules=taxonomy.version))
    done = _retag(session, [item_id for item_id, status in rows if status == "pending"], taxonomy, now, model)
    return Retagged(rows[-1][0], done.checked, done.changed)


def has_retaggable(session: Session) -> bool:
    """Is any item under review that ``retag_pending`` would tag again (so the classifier is worth training)?"""
    return session.scalar(_retaggable(0).limit(1)) is not None


def has_outdated(session: Session, version: str) -> bool:
    """Has any item tags from other rules than ``version`` (an index lookup)?"""
    return session.scalar(_tagged_by_other_rules(version).limit(1)) is not None


def _retag(session: Session, ids: list[int], taxonomy: Taxonomy, now: datetime, model: Model | None) -> Retagged:
    if not ids:
        return Retagged(None, 0, 0)
    _held, rows, _members = _read_batch(session, ids, members=False)  # stories stay as they are
    changed = 0
    for item_id in ids:
        before = _tag_state(session, rows[item_id])
        tag_one(session, item_id, taxonomy, now, model, rows=rows)
        changed += _tag_state(session, rows[item_id]) != before
    session.flush()
    return Retagged(ids[-1], len(ids), changed)


def _retaggable(after: int) -> Any:  # a Select of item ids
    """Items under review whose current revision the enrichment has tagged, with an id above ``after``."""
    tagged = and_(ItemTagsRow.item_id == ItemRow.id, ItemTagsRow.revision_id == ItemRow.current_revision_id)
    return select(ItemRow.id).join(ItemTagsRow, tagged).where(ItemRow.status == "pending", ItemRow.id > after)


def _outdated(version: str) -> Any:  # a Select of (item id, status)
    """Items tagged by other rules than ``version``, found through the index on ``rules`` (in no particular
    order: each drops out once done): under review with their current revision tagged, or reviewed. An item under
    review whose new revision the enrichment has not reached yet is left to it."""
    current = or_(ItemRow.status != "pending", ItemTagsRow.revision_id == ItemRow.current_revision_id)
    return (
        select(ItemTagsRow.item_id, ItemRow.status)
        .join(ItemRow, ItemRow.id == ItemTagsRow.item_id)
        .where(_other_rules(version), current)
    )


def _tagged_by_other_rules(version: str) -> Any:  # a Select of item ids, reviewed or not
    return select(ItemTagsRow.item_id).where(_other_rules(version))


def _other_rules(version: str) -> ColumnElement[bool]:
    """Tags from other rules than ``version``: two ranges and NULL rather than "!=", so the index on ``rules`` can
    find them (SQLite's plan: MULTI-INDEX OR over ix_item_tags_rules)."""
    return or_(ItemTagsRow.rules < version, ItemTagsRow.rules > version, ItemTagsRow.rules.is_(None))


def _tag_state(session: Session, row: ItemTagsRow) -> tuple[Any, ...]:
    item = session.get(ItemRow, row.item_id)
    assert item is not None
    tags = (list(item.sectors or ()), list(item.topics or ()), list(item.towns or ()))
    return (*tags, row.relevant, row.relevance_reason, row.reasons, row.expires_suggested, row.expires_reason)


def has_pending(session: Session) -> bool:
    """Is any item's current revision not tagged yet?"""
    return bool(_pending_ids(session, 1))


LOOKBACK = 2000  # revision ids below the cursor checked again: a transaction may commit a lower id late


def _pending_ids(session: Session, limit: int) -> list[int]:
    """Items whose current revision is not tagged yet, oldest revision first — from the revisions' primary key
    above the cursor (the highest tagged revision, read from an index), so the cost follows the number of new
    revisions, not the store size."""
    cursor = session.scalar(select(func.max(ItemTagsRow.revision_id))) or 0
    query = (
        select(RevisionRow.item_id)
        .join(ItemRow, and_(ItemRow.id == RevisionRow.item_id, ItemRow.current_revision_id == RevisionRow.id))
        .outerjoin(ItemTagsRow, ItemTagsRow.item_id == RevisionRow.item_id)
        .where(RevisionRow.id > max(0, cursor - LOOKBACK))
        .where(or_(ItemTagsRow.item_id.is_(None), ItemTagsRow.revision_id != RevisionRow.id))
        .order_by(RevisionRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def tag_one(
    session: Session,
    item_id: int,
    taxonomy: Taxonomy,
    now: datetime,
    model: Model | None = None,
    *,
    rows: Mapping[int, ItemTagsRow] | None = None,
) -> Tags:
    """Tag one item by rule (and suggest by ``model``). ``rows``: the tag rows of a batch, read beforehand (an
    item missing there has none yet)."""
    item, revision = _item(session, item_id)
    tags = tag_item(revision.title, revision.content_text, taxonomy, _hints(session, item.source_id))
    existing = rows.get(item_id) if rows is not None else session.get(ItemTagsRow, item_id)
    row = existing or ItemTagsRow(item_id=item_id, tagged_by="rules")
    if row not in session:
        session.add(row)
    if row.tagged_by != "staff":  # staff corrections win over the rules, also on later revisions of the text
        item.sectors, item.topics, item.towns = list(tags.sectors), list(tags.topics), list(tags.towns)
        row.relevant, row.relevance_reason = tags.relevant, tags.relevance_reason
        row.reasons = {axis: dict(found) for axis, found in tags.reasons.items()}
    row.revision_id, row.tagged_at, row.rules = revision.id, now, taxonomy.version
    row.expires_suggested, row.expires_reason = tags.expires_at, tags.expires_reason
    row.suggestions = _suggest(model, revision)
    return tags


def _suggest(model: Model | None, revision: RevisionRow) -> dict[str, Any]:
    if model is None:
        return {}
    found: dict[str, dict[str, float]] = {}
    for label, confidence in model.predict(revision.title, revision.content_text).items():
        axis, slug = label.split(":", 1)
        found.setdefault(axis, {})[slug] = confidence
    return found


def _hints(session: Session, source_id: str) -> SourceHints:
    source = session.get(SourceRow, source_id)
    return SourceHints.of(source_id, source.config if source else None)


def _item(session: Session, item_id: int) -> tuple[ItemRow, RevisionRow]:
    item = session.get(ItemRow, item_id)
    if item is None or item.current_revision_id is None:
        raise DecisionError(f"Unbekannte Eintrags-ID: {item_id}")
    revision = session.get(RevisionRow, item.current_revision_id)
    assert revision is not None
    return item, revision


def correct_if_changed(
    session: Session,
    item_id: int,
    tags: Mapping[str, Sequence[str]],
    *,
    relevant: bool | None,
    taxonomy: Taxonomy,
    actor: str,
    now: datetime,
) -> bool:
    """Staff's tags (one list per axis) and relevance (None: as it is) as a correction — only when they differ
    from the item's. False when nothing changed (then nothing is recorded)."""
    item, _revision = _item(session, item_id)
    row = session.get(ItemTagsRow, item_id)
    was_relevant = row.relevant if row is not None else True
    relevant = was_relevant if relevant is None else relevant
    before = {axis: list(getattr(item, axis) or []) for axis in AXES}
    if {axis: list(tags[axis]) for axis in AXES} == before and relevant == was_relevant:
        return False
    correct_tags(session, item_id, sectors=tags["sectors"], topics=tags["topics"], towns=tags["towns"],
                 relevant=relevant, taxonomy=taxonomy, actor=actor, now=now)  # fmt: skip
    return True


def correct_tags(
    session: Session,
    item_id: int,
    *,
    sectors: Sequence[str],
    topics: Sequence[str],
    towns: Sequence[str],
    relevant: bool,
    taxonomy: Taxonomy,
    actor: str,
    now: datetime,
) -> None:
    """Staff set an item's tags; recorded as a correction (training data) and in the audit log."""
    _check_slugs(taxonomy, sectors=sectors, topics=topics, towns=towns)
    item, revision = _item(session, item_id)
    before = {"sectors": item.sectors, "topics": item.topics, "towns": item.towns}
    item.sectors, item.topics, item.towns = list(sectors), list(topics), list(towns)
    row = session.get(ItemTagsRow, item_id)
    if row is None:
        row = ItemTagsRow(item_id=item_id, revision_id=revision.id, reasons={}, suggestions={}, tagged_at=now)
        session.add(row)
    row.tagged_by, row.relevant, row.relevance_reason = "staff", relevant, f"von {actor} festgelegt"
    row.reasons = {axis: dict.fromkeys(values, f"von {actor} festgelegt")
                   for axis, values in (("sectors", sectors), ("topics", topics), ("towns", towns))}  # fmt: skip
    correction = TagCorrectionRow(item_id=item_id, revision_id=revision.id, sectors=list(sectors), topics=list(topics),
                                  towns=list(towns), relevant=relevant, actor=actor, at=now)  # fmt: skip
    session.add(correction)
    audit(session, actor=actor, action="tags", now=now, item_id=item_id, revision_id=revision.id,
          detail={"before": before, "after": {"sectors": list(sectors), "topics": list(topics), "towns": list(towns)},
                  "relevant": relevant})  # fmt: skip


_AXIS_NAMES = {"sectors": "Branchen", "topics": "Themen", "towns": "Orte"}


def _check_slugs(taxonomy: Taxonomy, **axes: Sequence[str]) -> None:
    for axis, values in axes.items():
        unknown = sorted(set(values) - set(taxonomy.slugs(axis)))
        if unknown:
            raise DecisionError(f"Unbekannte {_AXIS_NAMES.get(axis, axis)}: {', '.join(unknown)}")


TRAINING_ITEMS = 5000  # the most recent reviewed items the suggestion classifier learns from


def suggestion_model(session: Session, limit: int = TRAINING_ITEMS) -> Model | None:
    """The suggestion classifier, trained on staff-reviewed items (None while there are too few)."""
    return train(training_examples(session, limit))


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One item as staff reviewed it: its tags as staff left them, on the text they reviewed."""

    item_id: int
    source_id: str
    title: str
    text: str
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    relevant: bool
    corrected: bool  # True: staff changed the tags (the latest correction); False: approved as tagged


def reviewed_items(session: Session, limit: int | None = None) -> list[Reviewed]:
    """What staff have reviewed, newest first (at most ``limit`` items): the latest tag correction of an item
    (its tags as staff set them; an item staff marked not relevant carries no tag), and every approved item
    without a correction — approving it confirmed the tags it carried. Rejected items without a correction are
    left out: a rejection may mean outdated or a duplicate as well as wrongly tagged."""
    latest = select(func.max(TagCorrectionRow.id)).group_by(TagCorrectionRow.item_id).scalar_subquery()
    corrected = (
        select(
            ItemRow.id,
            ItemRow.source_id,
            RevisionRow.title,
            RevisionRow.content_text,
            TagCorrectionRow.sectors,
            TagCorrectionRow.topics,
            TagCorrectionRow.towns,
            TagCorrectionRow.relevant,
        )
        .join(RevisionRow, RevisionRow.id == TagCorrectionRow.revision_id)
        .join(ItemRow, ItemRow.id == TagCorrectionRow.item_id)
        .where(TagCorrectionRow.id.in_(latest))
        .order_by(TagCorrectionRow.id.desc())
        .limit(limit)
    )
    found = [_reviewed(row, row.relevant, corrected=True) for row in session.execute(corrected)]
    approved = (
        select(
            ItemRow.id,
            ItemRow.source_id,
            RevisionRow.title,
            RevisionRow.content_text,
            ItemRow.sectors,
            ItemRow.topics,
            ItemRow.towns,
        )
        .join(RevisionRow, RevisionRow.id == ItemRow.approved_revision_id)
        .where(ItemRow.status == "approved", ~ItemRow.id.in_(select(TagCorrectionRow.item_id)))
        .order_by(ItemRow.decided_at.desc(), ItemRow.id.desc())
        .limit(None if limit is None else max(0, limit - len(found)))
    )
    found += [_reviewed(row, True, corrected=False) for row in session.execute(approved)]
    return found


def _reviewed(row: Any, relevant: bool, *, corrected: bool) -> Reviewed:
    return Reviewed(row.id, row.source_id, row.title, row.content_text, tuple(row.sectors), tuple(row.topics),
                    tuple(row.towns), relevant, corrected)  # fmt: skip


def training_examples(session: Session, limit: int = TRAINING_ITEMS) -> list[Example]:
    """The classifier's training data: the reviewed items (``reviewed_items``) with their tags as labels."""
    return [Example(r.title, r.text, labels(r.sectors, r.topics)) for r in reviewed_items(session, limit)]


def source_hints(session: Session, source_ids: Iterable[str]) -> dict[str, SourceHints]:
    """The tagging hints of the catalog entries of ``source_ids``, as the harvest applies them."""
    wanted = sorted(set(source_ids))
    query = select(SourceRow.id, SourceRow.config).where(SourceRow.id.in_(wanted))
    found = {source_id: SourceHints.of(source_id, config) for source_id, config in session.execute(query)}
    return {source_id: found.get(source_id, SourceHints.of(source_id, None)) for source_id in wanted}


def tag_infos(session: Session, item_ids: Iterable[int]) -> dict[int, TagInfo]:
    wanted = list(dict.fromkeys(item_ids))
    found = {}
    for chunk in chunks(wanted):
        query = select(ItemTagsRow).where(ItemTagsRow.item_id.in_(chunk))
        for row in session.scalars(query):
            found[row.item_id] = TagInfo(row.relevant, row.relevance_reason, dict(row.reasons), dict(row.suggestions),
                                         row.expires_suggested, row.expires_reason, row.tagged_by)  # fmt: skip
    return found


def item_extras(session: Session, item_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The JSON fields tagging and stories add to ``rubrik items list --json`` (documented in README)."""
    stories_of = stories_repo.stories_of

    stories, tags = stories_of(session, item_ids), tag_infos(session, item_ids)
    extras: dict[int, dict[str, Any]] = {}
    for item_id in item_ids:
        story, info = stories.get(item_id), tags.get(item_id)
        extras[item_id] = {
            "story": story.story_id if story else None,
            "story_canonical": story.canonical_item_id == item_id if story else None,
            "also_reported_by": [
                {"item_id": m.item_id, "source": m.source_id, "url": m.url, "first_seen_at": m.first_seen_at}
                for m in (story.members if story else ())
                if m.item_id != item_id
            ],
            "story_versions": list(story.versions) if story else [],
            "relevant": info.relevant if info else None,
            "relevance_reason": info.relevance_reason if info else None,
            "tag_reasons": info.reasons if info else {},
            "tag_suggestions": info.suggestions if info else {},
            "expires_suggested": info.expires_suggested if info else None,
            "expires_reason": info.expires_reason if info else None,
        }
    return extras
