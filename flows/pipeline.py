"""The harvest as plain functions: catalog → fetch → parse → normalize → store, one source at a time.

No Prefect here (flows/harvest.py wraps it), so it runs and is tested without an orchestrator. One failing
source never stops the others: every failure becomes a :class:`SourceOutcome` with a stable error code.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from flows.mailintake import intake, reader_for
from process.identity import detect_unstable_guids, entry_identity
from process.model import Entry, RawEntry
from process.normalize import normalize_entries
from process.pagewatch import main_text_changed, text_diff
from process.schedule import next_fetch_delay
from process.taxonomy import load_taxonomy
from settings import Settings, read_secret
from sources.catalog import SourceConfig, load_catalog
from sources.errors import FetchError, ParseFailed, RateLimited
from sources.fetch import FetchConfig, Fetcher, FetchResult
from sources.parsers import parse
from store import items_repo, leases, sources_repo, tags_repo
from store.db import check_schema, make_engine, session_factory, transaction
from store.records import Counts, SourceSpec, SourceState

log = logging.getLogger("rubrik.harvest")


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source's harvest did. ``status``: ok | not_modified | error | busy (another run is fetching
    this source's host right now; it stays due)."""

    id: str
    status: str
    error_code: str | None = None
    message: str | None = None
    entries: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class HarvestSummary:
    started_at: datetime
    finished_at: datetime
    sources: tuple[SourceOutcome, ...] = field(default_factory=tuple)

    def totals(self) -> dict[str, int]:
        keys = ("new", "updated", "unchanged")
        totals = {key: sum(getattr(outcome, key) for outcome in self.sources) for key in keys}
        totals["errors"] = sum(outcome.status == "error" for outcome in self.sources)
        totals["busy"] = sum(outcome.status == "busy" for outcome in self.sources)
        totals["sources"] = len(self.sources)
        return totals

    def to_json(self) -> dict[str, object]:
        """The documented ``rubrik harvest --json`` shape (README: "Run summary")."""
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "totals": self.totals(),
            "sources": [
                {**asdict(outcome), "warnings": list(outcome.warnings), "seconds": round(outcome.seconds, 3)}
                for outcome in self.sources
            ],
        }


def utcnow() -> datetime:
    return datetime.now(UTC)


def spec_of(config: SourceConfig) -> SourceSpec:
    return SourceSpec(
        id=config.id,
        name=config.name,
        kind=config.kind,
        url=config.url,
        interval_seconds=int(config.interval.total_seconds()),
        enabled=config.enabled,
        config=config.to_dict(),
    )


def sync_catalog(settings: Settings, factory: sessionmaker[Session]) -> dict[str, int]:
    """Load and validate the catalog, then make the ``sources`` table match it."""
    specs = _catalog_specs(Path(settings.catalog), tuple(settings.fetch_allow_hosts))
    with transaction(factory) as session:
        return sources_repo.sync_sources(session, specs)


_catalog_cache: dict[tuple[object, ...], tuple[SourceSpec, ...]] = {}


def _catalog_specs(path: Path, allow_hosts: tuple[str, ...]) -> tuple[SourceSpec, ...]:
    """The validated catalog, parsed again only when the file changed (a long-lived worker harvests often;
    YAML parsing and validation of the catalog cost more than a whole warm run's bookkeeping)."""
    try:
        stat = path.stat()
    except OSError:
        stat = None  # load_catalog reports the unreadable file
    key = (str(path.resolve()), allow_hosts) + (() if stat is None else (stat.st_mtime_ns, stat.st_size, stat.st_ino))
    cached = _catalog_cache.get(key)
    if cached is None or stat is None:
        cached = tuple(spec_of(config) for config in load_catalog(path, allow_hosts=allow_hosts))
        _catalog_cache.clear()
        _catalog_cache[key] = cached
    return cached


@dataclass(frozen=True, slots=True)
class _Run:
    """What every step of one harvest run shares."""

    settings: Settings
    factory: sessionmaker[Session]
    # "304 Not Modified" bookkeeping, written in one statement pair at the end of the run (a crash loses only
    # this bookkeeping: the sources are simply asked again)
    not_modified: list[sources_repo.NotModified] = field(default_factory=list)

    @contextmanager
    def write(self) -> Iterator[Session]:
        # SQLite's writers of this process take turns on the engine's own lock (store/sqlite_writes.py)
        with transaction(self.factory) as session:
            yield session


async def harvest(
    settings: Settings,
    *,
    only: Sequence[str] = (),
    progress: Callable[[SourceOutcome, int], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sync: bool = True,
    enrich: bool = True,
) -> HarvestSummary:
    """Fetch every due source (or the ``only`` ones) concurrently, bounded, and store what they carry.

    ``enrich``: then tag the new and changed items and join them to stories (:func:`enrich_items`); the
    Prefect flow does that as its own task.

    ``progress`` is called after each source with its outcome and the number of sources in the run.
    """
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        factory = session_factory(engine)
        if sync:
            sync_catalog(settings, factory)
        started = utcnow()
        with transaction(factory) as session:
            states = sources_repo.due_sources(session, started, only=only)
            unknown = sorted(set(only) - {state.id for state in states})
        if unknown:
            raise KeyError("Unbekannte Quelle(n): " + ", ".join(unknown))
        holder = uuid.uuid4().hex
        ttl = timedelta(seconds=settings.harvest_lease_seconds)
        with transaction(factory) as session:
            held = leases.acquire(session, {_host_lease(s) for s in states}, holder=holder, now=started, ttl=ttl)
        try:
            mine = [state for state in states if _host_lease(state) in held]
            busy = [SourceOutcome(id=s.id, status="busy") for s in states if _host_lease(s) not in held]
            outcomes = await _harvest_all(_Run(settings, factory), mine, progress, transport) + busy
            if enrich:
                enrich_in_batches(factory)
        finally:
            with transaction(factory) as session:
                leases.release(session, held, holder=holder)
        ordered = tuple(sorted(outcomes, key=lambda outcome: outcome.id))
        return HarvestSummary(started_at=started, finished_at=utcnow(), sources=ordered)
    finally:
        engine.dispose()


async def _harvest_all(
    run: _Run,
    states: list[SourceState],
    progress: Callable[[SourceOutcome, int], None] | None,
    transport: httpx.AsyncBaseTransport | None,
) -> list[SourceOutcome]:
    limit = asyncio.Semaphore(run.settings.harvest_concurrency)

    async def one(state: SourceState) -> SourceOutcome:
        async with limit:
            outcome = await harvest_source(run, fetcher, state)
        if progress is not None:
            progress(outcome, len(states))
        return outcome

    async with Fetcher(FetchConfig.from_settings(run.settings), transport=transport) as fetcher:
        outcomes = list(await asyncio.gather(*(one(state) for state in interleave_hosts(states))))
    with run.write() as session:
        sources_repo.record_not_modified(session, run.not_modified)
    return outcomes


def enrich_items(settings: Settings, progress: Callable[[int], None] | None = None) -> int:
    """Tag every new or changed item and join it to its story (issue 3); returns how many were processed."""
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        return enrich_in_batches(session_factory(engine), progress)
    finally:
        engine.dispose()


def enrich_in_batches(
    factory: sessionmaker[Session], progress: Callable[[int], None] | None = None, *, batch: int = 500
) -> int:
    """Enrich the pending items one batch per transaction: a backfill of 100,000 items never holds the database's
    write lock for long (staff keep approving meanwhile), an interruption keeps what is done, and ``progress``
    hears the running total after each batch. Then the items under review that other rules tagged (an update
    changed the taxonomy or the tagging code) are tagged again, also batch by batch and counted in the total."""
    taxonomy = load_taxonomy()
    with transaction(factory) as session:  # the classifier is trained only when there is something to tag
        needed = tags_repo.has_pending(session) or tags_repo.has_outdated(session, taxonomy.version)
        model = tags_repo.suggestion_model(session) if needed else None
    done = 0
    while True:
        with transaction(factory) as session:
            found = tags_repo.enrich_batch(session, taxonomy, utcnow(), model, batch=batch)
            if not found:  # then the items other rules tagged (reviewed ones are only marked)
                refreshed = tags_repo.refresh_outdated(session, taxonomy, utcnow(), model, batch=batch)
                if refreshed.last_item_id is None:
                    return done
                found = refreshed.checked
        done += found
        if progress is not None and found:
            progress(done)


def _host_lease(state: SourceState) -> str:
    """One lease per host: per-host politeness then holds across runs, and no source is fetched twice."""
    return "host:" + (urlsplit(state.url).netloc.lower() or state.id)


def interleave_hosts(states: Sequence[SourceState]) -> list[SourceState]:
    """Round-robin over hosts, so the run's concurrency slots are not all spent waiting on one polite host."""
    by_host: dict[str, list[SourceState]] = {}
    for state in states:
        by_host.setdefault(urlsplit(state.url).netloc.lower(), []).append(state)
    queues = list(by_host.values())
    ordered: list[SourceState] = []
    for index in range(max((len(queue) for queue in queues), default=0)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered


async def harvest_source(run: _Run, fetcher: Fetcher, state: SourceState) -> SourceOutcome:
    """Harvest one source; never raises for anything the source does wrong.

    Parsing, normalizing and storing run in a worker thread so the event loop keeps other fetches moving.
    """
    clock, started = time.monotonic(), utcnow()
    if state.kind == "mailbox":  # issue 8: a mailbox is read, not fetched over HTTP
        outcome = await asyncio.to_thread(_harvest_mailbox, run, state, started)
        return replace(outcome, seconds=time.monotonic() - clock)
    try:
        result = await fetcher.fetch(
            state.url,
            etag=state.etag,
            last_modified=state.last_modified,
            obey_robots=bool(state.config.get("obey_robots", state.kind != "feed")),
        )
    except FetchError as error:
        outcome = await asyncio.to_thread(_store_failure, run, state, error, started)
    else:
        if result.not_modified:
            outcome = _note_not_modified(run, state, started)
        else:
            outcome = await asyncio.to_thread(_after_fetch, run, state, result, started)
    return replace(outcome, seconds=time.monotonic() - clock)


def _note_not_modified(run: _Run, state: SourceState, started: datetime) -> SourceOutcome:
    now = utcnow()
    next_at = now + timedelta(seconds=next_fetch_delay(state.interval_seconds, 0))
    run.not_modified.append(sources_repo.NotModified(state.id, started, now, next_at))
    return SourceOutcome(id=state.id, status="not_modified")


def _after_fetch(run: _Run, state: SourceState, result: FetchResult, started: datetime) -> SourceOutcome:
    try:
        return _process(run, state, result, started)
    except FetchError as error:  # not_a_feed, parse_error
        return _store_failure(run, state, error, started)


def _process(run: _Run, state: SourceState, result: FetchResult, started: datetime) -> SourceOutcome:
    selectors = state.config.get("selectors")
    try:
        parsed = parse(state.kind, result.body, url=result.url, headers=result.headers, selectors=selectors)
    except FetchError:
        raise
    except Exception as error:  # a parser bug must cost one source, not the run
        log.exception("parser crashed on source %s", state.id)
        raise ParseFailed(f"Parser-Fehler: {type(error).__name__}: {error}", url=result.url) from error
    warnings = list(parsed.warnings)
    raws = list(parsed.entries)
    if state.kind == "page":
        raws = _page_update(run, state, raws)
    guid_map = {raw.guid: raw.link or "" for raw in raws if raw.guid}
    unstable = state.guids_unstable or detect_unstable_guids(state.guid_map, guid_map)
    if unstable and not state.guids_unstable:
        warnings.append("GUIDs ändern sich bei jedem Abruf – Einträge werden ab jetzt über ihre Links erkannt.")
    entries, normalize_warnings = normalize_entries(raws, base_url=result.url, now=started, use_guid=not unstable)
    warnings.extend(normalize_warnings)
    if state.kind == "listing" and not entries and (state.last_entry_count or 0) > 0:
        warnings.append(
            f"Die Liste lieferte zuvor {state.last_entry_count} Einträge, jetzt keine: "
            "vermutlich passen die Selektoren nach einem Relaunch nicht mehr."
        )
    outcome = SourceOutcome(id=state.id, status="ok", entries=len(entries), warnings=tuple(warnings))
    return _store_success(run, state, result, outcome, started, entries, guid_map, unstable)


def _page_update(run: _Run, state: SourceState, raws: list[RawEntry]) -> list[RawEntry]:
    """A watched page becomes an item once; later only a material change of its text makes a revision."""
    if not raws:
        return raws
    page = raws[0]
    with transaction(run.factory) as session:
        previous = items_repo.current_text(session, state.id, entry_identity(page.guid, None, ""))
    if previous is None:
        return [page]
    if not main_text_changed(previous, page.content):
        return []
    extra = {**page.extra, "diff": text_diff(previous, page.content)}
    return [replace(page, title=f"Seite aktualisiert: {page.title}", extra=extra)]


def _store_success(
    run: _Run,
    state: SourceState,
    result: FetchResult,
    outcome: SourceOutcome,
    started: datetime,
    entries: Sequence[Entry],
    guid_map: dict[str, str],
    unstable: bool,
) -> SourceOutcome:
    now = utcnow()
    next_at = now + timedelta(seconds=next_fetch_delay(state.interval_seconds, 0))
    with run.write() as session:
        counts = items_repo.record_entries(session, state.id, entries, now) if entries else Counts()
        sources_repo.record_success(
            session,
            state.id,
            now=now,
            next_fetch_at=next_at,
            not_modified=False,
            etag=result.etag,
            last_modified=result.last_modified,
            entry_count=outcome.entries,
            guid_map=guid_map,
            guids_unstable=unstable,
        )
        sources_repo.log_fetch(
            session,
            state.id,
            started_at=started,
            finished_at=now,
            status=outcome.status,
            entries=outcome.entries,
            counts=counts,
            warnings=outcome.warnings,
        )
    return replace(outcome, new=counts.new, updated=counts.updated, unchanged=counts.unchanged)


def _harvest_mailbox(run: _Run, state: SourceState, started: datetime) -> SourceOutcome:
    """E-mail intake (flows/mailintake.py): new messages become pending items, unknown senders are held."""
    try:
        config, reader = reader_for(
            state.config.get("mailbox"), secret=read_secret, timeout=run.settings.fetch_connect_timeout
        )
        try:
            result = intake(state.id, reader, config, run.write, utcnow)
        finally:
            reader.close()
    except FetchError as error:  # mailbox missing, login failed, connection, IMAP refusal
        return _store_failure(run, state, error, started)
    except ValueError as error:  # a stored mailbox config that no longer validates
        return _store_failure(run, state, ParseFailed(f"Postfach-Einstellungen ungültig: {error}"), started)
    now = utcnow()
    next_at = now + timedelta(seconds=next_fetch_delay(state.interval_seconds, 0))
    warnings = [f"{result.held} Nachricht(en) unbekannter Absender zurückgehalten"] if result.held else []
    if result.truncated:
        warnings.append(f"{result.truncated} Nachricht(en) am Größenlimit abgeschnitten")
    with run.write() as session:
        sources_repo.record_success(
            session, state.id, now=now, next_fetch_at=next_at,
            not_modified=False, etag=None, last_modified=None, entry_count=result.seen, guid_map=None,
            guids_unstable=None,
        )  # fmt: skip
        counts = Counts(new=result.new, unchanged=result.already)
        sources_repo.log_fetch(session, state.id, started_at=started, finished_at=now, status="ok",
                               entries=result.seen, counts=counts, warnings=warnings)  # fmt: skip
    return SourceOutcome(id=state.id, status="ok", entries=result.seen, new=result.new, unchanged=result.already,
                         warnings=tuple(warnings))  # fmt: skip


def _store_failure(run: _Run, state: SourceState, error: FetchError, started: datetime) -> SourceOutcome:
    now = utcnow()
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    delay = next_fetch_delay(
        state.interval_seconds,
        state.consecutive_failures + 1,
        retry_after=retry_after,
        max_backoff=run.settings.harvest_backoff_max,
    )
    message = str(error) or error.code
    with run.write() as session:
        sources_repo.record_failure(
            session, state.id, now=now, next_fetch_at=now + timedelta(seconds=delay), code=error.code, message=message
        )
        sources_repo.log_fetch(
            session,
            state.id,
            started_at=started,
            finished_at=now,
            status="error",
            error_code=error.code,
            message=message,
        )
    return SourceOutcome(id=state.id, status="error", error_code=error.code, message=message)
