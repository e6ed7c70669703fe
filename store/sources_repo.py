"""Sources: catalog sync, due selection, fetch state, health and the fetch log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from process.tagging import SourceHints
from store.records import Counts, SourceSpec, SourceState
from store.schema import FetchLogRow, ItemRow, SourceRow
from store.story_schema import ItemTagsRow
from store.upsert import table_of


def sync_sources(session: Session, specs: Iterable[SourceSpec], *, origin: str = "catalog") -> dict[str, int]:
    """Make the ``sources`` table match the catalog. Sources gone from the catalog are disabled, never
    deleted (their items and history stay). Fetch state is kept across syncs."""
    counts = {"added": 0, "updated": 0, "disabled": 0}
    existing = {row.id: row for row in session.scalars(select(SourceRow))}
    seen: set[str] = set()
    for spec in specs:
        seen.add(spec.id)
        row = existing.get(spec.id)
        if row is None:
            session.add(_new_row(spec, origin))
            counts["added"] += 1
        elif _apply(session, row, spec):
            counts["updated"] += 1
    for row in existing.values():
        if row.origin == origin and row.id not in seen and row.enabled:
            row.enabled = False
            counts["disabled"] += 1
    return counts


def upsert_source(session: Session, spec: SourceSpec, *, origin: str) -> None:
    """Add or change one source (the admin UI's path)."""
    row = session.get(SourceRow, spec.id)
    if row is None:
        session.add(_new_row(spec, origin))
    else:
        _apply(session, row, spec)


def _new_row(spec: SourceSpec, origin: str) -> SourceRow:
    return SourceRow(
        id=spec.id,
        name=spec.name,
        kind=spec.kind,
        url=spec.url,
        interval_seconds=spec.interval_seconds,
        enabled=spec.enabled,
        config=dict(spec.config),
        origin=origin,
        consecutive_failures=0,
        guid_map={},
        guids_unstable=False,
    )


def _apply(session: Session, row: SourceRow, spec: SourceSpec) -> bool:
    """Change ``row`` to ``spec``; True when anything changed. When the source's tagging defaults (sectors,
    topics, towns) changed, its items are tagged again by the next enrichment."""
    if SourceHints.of(row.id, row.config) != SourceHints.of(row.id, spec.config):
        _mark_items_outdated(session, row.id)
    wanted = {
        "name": spec.name,
        "kind": spec.kind,
        "url": spec.url,
        "interval_seconds": spec.interval_seconds,
        "enabled": spec.enabled,
        "config": dict(spec.config),
    }
    changed = False
    if row.url != spec.url or row.kind != spec.kind:  # validators of another address mean nothing
        row.etag = row.last_modified = None
    for name, value in wanted.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _mark_items_outdated(session: Session, source_id: str) -> None:
    """Count the tags of ``source_id``'s items as from other rules (``rules`` NULL): its sectors, topics or towns
    changed, and these are defaults of its items' tags. The next enrichment (``tags_repo.refresh_outdated``) then
    tags its items under review again and marks reviewed ones as seen — as after a change of the taxonomy, for
    this source only."""
    of_source = select(ItemRow.id).where(ItemRow.source_id == source_id)
    session.execute(update(ItemTagsRow).where(ItemTagsRow.item_id.in_(of_source)).values(rules=None))


def list_sources(session: Session) -> list[SourceState]:
    return [to_state(row) for row in session.scalars(select(SourceRow).order_by(SourceRow.id))]


def get_source(session: Session, source_id: str) -> SourceState | None:
    row = session.get(SourceRow, source_id)
    return None if row is None else to_state(row)


def due_sources(session: Session, now: datetime, *, only: Sequence[str] | None = None) -> list[SourceState]:
    """Enabled sources whose next fetch is due (all named ones when ``only`` is given, due or not)."""
    query = select(SourceRow).where(SourceRow.enabled.is_(True)).order_by(SourceRow.id)
    if only:
        query = select(SourceRow).where(SourceRow.id.in_(list(only))).order_by(SourceRow.id)
    else:
        query = query.where(or_(SourceRow.next_fetch_at.is_(None), SourceRow.next_fetch_at <= now))
    # manual entries' built-in sources (issue 8) hold staff-written items: nothing to fetch, ever
    query = query.where(SourceRow.kind != "manual")
    return [to_state(row) for row in session.scalars(query)]


def to_state(row: SourceRow) -> SourceState:
    return SourceState(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        interval_seconds=row.interval_seconds,
        enabled=row.enabled,
        config=dict(row.config or {}),
        etag=row.etag,
        last_modified=row.last_modified,
        last_fetch_at=row.last_fetch_at,
        last_success_at=row.last_success_at,
        next_fetch_at=row.next_fetch_at,
        last_status=row.last_status,
        last_error_code=row.last_error_code,
        last_error_message=row.last_error_message,
        consecutive_failures=row.consecutive_failures,
        last_entry_count=row.last_entry_count,
        guid_map=dict(row.guid_map or {}),
        guids_unstable=row.guids_unstable,
    )


def record_success(
    session: Session,
    source_id: str,
    *,
    now: datetime,
    next_fetch_at: datetime,
    not_modified: bool,
    etag: str | None,
    last_modified: str | None,
    entry_count: int | None,
    guid_map: Mapping[str, str] | None,
    guids_unstable: bool | None,
) -> None:
    """Note a successful fetch; ``None`` for guid_map/guids_unstable keeps what is stored."""
    row = _row(session, source_id)
    row.last_fetch_at = row.last_success_at = now
    row.next_fetch_at = next_fetch_at
    row.last_status = "not_modified" if not_modified else "ok"
    row.last_error_code = row.last_error_message = None
    row.consecutive_failures = 0
    if etag is not None or last_modified is not None or not not_modified:
        row.etag, row.last_modified = etag, last_modified
    if entry_count is not None:
        row.last_entry_count = entry_count
    if guid_map is not None:
        row.guid_map = dict(guid_map)
    if guids_unstable is not None:
        row.guids_unstable = guids_unstable


@dataclass(frozen=True, slots=True)
class NotModified:
    source_id: str
    started_at: datetime
    finished_at: datetime
    next_fetch_at: datetime


def record_not_modified(session: Session, fetches: Sequence[NotModified]) -> None:
    """Note many "304 Not Modified" answers in two statements (the warm cycle is mostly these)."""
    if not fetches:
        return
    sources = table_of(SourceRow)
    session.execute(
        update(sources)
        .where(sources.c.id == bindparam("_id"))
        .values(
            last_fetch_at=bindparam("_at"),
            last_success_at=bindparam("_at"),
            next_fetch_at=bindparam("_next"),
            last_status="not_modified",
            last_error_code=None,
            last_error_message=None,
            consecutive_failures=0,
        ),
        [{"_id": f.source_id, "_at": f.finished_at, "_next": f.next_fetch_at} for f in fetches],
    )
    session.execute(
        insert(table_of(FetchLogRow)),
        [
            {
                "source_id": f.source_id,
                "started_at": f.started_at,
                "finished_at": f.finished_at,
                "status": "not_modified",
                "entries": 0,
                "new": 0,
                "updated": 0,
                "unchanged": 0,
                "warnings": [],
            }
            for f in fetches
        ],
    )


def record_failure(
    session: Session, source_id: str, *, now: datetime, next_fetch_at: datetime, code: str, message: str
) -> int:
    """Note a failed fetch; returns the number of consecutive failures."""
    row = _row(session, source_id)
    row.last_fetch_at = now
    row.next_fetch_at = next_fetch_at
    row.last_status = "error"
    row.last_error_code, row.last_error_message = code, message[:2000]
    row.consecutive_failures += 1
    return row.consecutive_failures


def log_fetch(
    session: Session,
    source_id: str,
    *,
    started_at: datetime,
    finished_at: datetime,
    status: str,
    error_code: str | None = None,
    message: str | None = None,
    entries: int = 0,
    counts: Counts | None = None,
    warnings: Sequence[str] = (),
) -> None:
    counts = counts or Counts()
    session.add(
        FetchLogRow(
            source_id=source_id,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            error_code=error_code,
            message=message,
            entries=entries,
            new=counts.new,
            updated=counts.updated,
            unchanged=counts.unchanged,
            warnings=list(warnings),
        )
    )


def recent_fetch_counts(session: Session, source_id: str, limit: int = 20) -> list[tuple[datetime, str, int]]:
    """(started_at, status, entries) of the last fetches, newest first — the item trend of a source."""
    query = (
        select(FetchLogRow.started_at, FetchLogRow.status, FetchLogRow.entries)
        .where(FetchLogRow.source_id == source_id)
        .order_by(FetchLogRow.started_at.desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def _row(session: Session, source_id: str) -> SourceRow:
    row = session.get(SourceRow, source_id)
    if row is None:
        raise KeyError(f"unknown source {source_id!r}")
    return row
