"""Puts approved items into a real database the way harvest + review do (tags and expiry set like staff would)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from process.model import Entry
from store import items_repo, review_repo, sources_repo
from store.records import SourceSpec
from store.schema import ItemRow, ProvenanceRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SOURCES = [
    SourceSpec("ihk", "IHK Chemnitz", "feed", "https://www.ihk.de/chemnitz/feed", 3600, True),
    SourceSpec("hwk", "Handwerkskammer Chemnitz", "listing", "https://www.hwk-chemnitz.de/", 7200, True),
    SourceSpec("lk", "Landkreis Mittelsachsen", "feed", "https://www.landkreis-mittelsachsen.de/feed", 3600, True),
]


@dataclass(frozen=True)
class Seed:
    n: int
    source: str = "ihk"
    title: str | None = None
    body: str = "Text"
    sectors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()
    expires_at: datetime | None = None
    also_from: tuple[str, ...] = field(default_factory=tuple)  # further sources carrying the same item
    age_hours: int = 0
    pinned: bool = False


def entry(seed: Seed, body: str | None = None) -> Entry:
    text = body or seed.body
    return Entry(
        identity=f"guid:item-{seed.n}",
        guid=f"item-{seed.n}",
        url=f"https://example.org/meldung/{seed.n}",
        title=seed.title or f"Meldung {seed.n}",
        summary_html=f"<p>{text} {seed.n}</p>",
        content_text=f"{text} {seed.n}",
        published_at=NOW - timedelta(hours=seed.n + seed.age_hours),
        content_hash=hashlib.sha256(f"{seed.n}:{seed.title}:{text}".encode()).hexdigest(),
    )


def add_sources(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        sources_repo.sync_sources(session, SOURCES)


def add_approved(factory: sessionmaker[Session], seeds: list[Seed], *, now: datetime = NOW) -> list[int]:
    """Record each seed as a harvested entry, tag it, approve it; returns the item ids."""
    ids = []
    with factory() as session, session.begin():
        for seed in seeds:
            items_repo.record_entries(session, seed.source, [entry(seed)], now)
            item = session.query(ItemRow).filter_by(source_id=seed.source, identity=f"guid:item-{seed.n}").one()
            for other in seed.also_from:  # what story merging (issue 3) will record: one item, several sources
                url = f"https://{other}.example.org/{seed.n}"
                session.add(ProvenanceRow(item_id=item.id, source_id=other, url=url, first_seen_at=now))
            values = {"sectors": list(seed.sectors), "topics": list(seed.topics), "towns": list(seed.towns)}
            session.execute(update(ItemRow).where(ItemRow.id == item.id).values(**values))
            if seed.expires_at is not None:  # as staff set it in the review UI (issue 4)
                review_repo.set_expiry(session, item.id, seed.expires_at, actor="test", now=now)
            if seed.pinned:
                review_repo.set_pinned(session, item.id, True, actor="test", now=now)
            ids.append(item.id)
        items_repo.approve(session, ids, actor="test", now=now)
    return ids
