"""Benchmark: normalize + dedupe + tag throughput on one core, and the cost of adding 1,000 new items to stores
of 10,000 and 100,000 items (SQLite). The second must cost less than 3× the first: candidates come from the
key index, never from comparing with the whole store. Also prints the naive way (compare with every item).

Stores are filled quickly: 2,000 items with real fingerprints (so new near-duplicates find them), the rest with
key rows of the same shape (32 band hashes + 3 exact keys each), which is what unrelated texts produce.

Usage: .venv/bin/python bench/dedupe_tag.py [--big 100000]
"""

from __future__ import annotations

import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from flows.pipeline import enrich_in_batches
from process.dedupe import BANDS, fingerprint, verify
from process.model import RawEntry
from process.normalize import normalize_entries
from process.tagging import tag_item
from process.taxonomy import load_taxonomy
from store import items_repo, sources_repo, tags_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import ItemRow, RevisionRow
from store.story_schema import DedupeKeyRow, ItemTagsRow, StoryMemberRow, StoryRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WORDS = (
    "Unternehmen Betriebe Förderung Zuschuss Antrag Frist Handwerk Gastronomie Einzelhandel Kurzarbeit Beschäftigte "
    "Landkreis Mittelsachsen Freiberg Döbeln Verordnung Hygienekonzept Öffnung Schließung Kredit Bürgschaft Steuer "
    "Stundung Beratung Webinar Ausbildung Fachkräfte Tourismus Hotel Landwirtschaft Ernte Pendler Einreise Kammer "
    "Sächsische Aufbaubank Programm Mittel Euro Prozent Woche Montag informiert bittet gilt erhalten können müssen "
    "werden neue weitere aktuelle regionale kleine mittlere digitale schnelle"
).split()
TAX = load_taxonomy()


def text(rng: random.Random, sentences: int = 8) -> str:
    return " ".join(" ".join(rng.choices(WORDS, k=rng.randint(8, 16))) + "." for _ in range(sentences))


def raw(rng: random.Random, n: int) -> RawEntry:
    return RawEntry(guid=f"g{n}", link=f"https://example.org/{n}?utm_source=x", title=f"Meldung {n}",
                    summary=f"<p>{text(rng)}</p>", date="24.03.2021")  # fmt: skip


def throughput(count: int = 2000) -> float:
    rng = random.Random(1)
    raws = [raw(rng, n) for n in range(count)]
    start = time.process_time()
    entries, _ = normalize_entries(raws, base_url="https://example.org/", now=NOW)
    for entry in entries:
        fingerprint(entry.title, entry.content_text, entry.url)
        tag_item(entry.title, entry.content_text, TAX)
    return count / (time.process_time() - start)


def build_store(size: int, folder: Path) -> str:
    url = f"sqlite:///{folder / f'store{size}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    rng = random.Random(size)
    with transaction(factory) as session:
        sources_repo.sync_sources(session, [SourceSpec("src", "Quelle", "feed", "https://example.org/", 3600, True)])
        session.execute(
            insert(StoryRow), [{"id": n + 1, "created_at": NOW, "canonical_by": "rule"} for n in range(size)]
        )
        items, revisions, members, tags, keys = [], [], [], [], []
        version = TAX.version  # the steady state: the stored items were tagged by the current rules
        for n in range(size):
            body = text(rng) if n < 2000 else "…"
            items.append({"id": n + 1, "source_id": "src", "identity": f"old:{n}", "status": "pending",
                          "current_revision_id": n + 1, "first_seen_at": NOW, "last_seen_at": NOW,
                          "sectors": [], "topics": [], "towns": []})  # fmt: skip
            revisions.append({"id": n + 1, "item_id": n + 1, "content_hash": f"{n:064x}", "title": f"Alt {n}",
                              "summary_html": "", "content_text": body, "warnings": [], "created_at": NOW})  # fmt: skip
            members.append({"item_id": n + 1, "story_id": n + 1, "joined_at": NOW, "reason": ""})
            tags.append({"item_id": n + 1, "revision_id": n + 1, "relevant": True, "relevance_reason": "",
                         "reasons": {}, "suggestions": {}, "tagged_by": "rules", "tagged_at": NOW,
                         "rules": version})  # fmt: skip
            fp_keys = fingerprint(f"Alt {n}", body).keys if n < 2000 else _random_keys()
            keys += [{"band": band, "key": key, "item_id": n + 1} for band, key in fp_keys]
        for table, rows in ((ItemRow, items), (RevisionRow, revisions), (StoryMemberRow, members),
                            (ItemTagsRow, tags), (DedupeKeyRow, keys)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start : start + 5000])
    engine.dispose()
    return url


def _random_keys() -> list[tuple[int, str]]:
    return [(band, secrets.token_hex(8)) for band in [*range(BANDS), -1, -2, -3]]


def add_thousand(url: str) -> float:
    """Seconds to record and enrich 1,000 new items (10 % near-duplicates of stored items)."""
    engine = make_engine(url)
    factory = session_factory(engine)
    rng = random.Random(99)
    raws = [raw(rng, 10_000_000 + n) for n in range(1000)]
    with transaction(factory) as session:
        for n in range(0, 1000, 10):  # near-duplicates: a stored text with a new title
            stored = session.get(RevisionRow, n + 1)
            assert stored is not None
            raws[n] = RawEntry(guid=f"dup{n}", link=None, title="Neu", summary=stored.content_text + " Ergänzt.")
    start = time.perf_counter()
    entries, _ = normalize_entries(raws, base_url="https://example.org/", now=NOW)
    with transaction(factory) as session:
        items_repo.record_entries(session, "src", entries, NOW)
    enrich_in_batches(factory)  # what the harvest runs: tag and dedupe, one transaction per 500 items
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def rules_check_ms(url: str, rounds: int = 20) -> float:
    """Best time of what every enrichment runs to find items tagged by other rules (flows/pipeline.py:
    has_outdated, then one refresh_outdated batch), on a store in the steady state where there are none."""
    engine = make_engine(url)
    factory = session_factory(engine)
    best = float("inf")
    for _ in range(rounds):
        with transaction(factory) as session:
            start = time.perf_counter()
            assert not tags_repo.has_outdated(session, TAX.version)
            assert tags_repo.refresh_outdated(session, TAX, NOW, None).last_item_id is None
            best = min(best, time.perf_counter() - start)
    engine.dispose()
    return best * 1000


def naive_compare_seconds(size: int) -> float:
    """Comparing one new item with every stored one (what the index avoids), extrapolated to 1,000 items."""
    rng = random.Random(3)
    stored = [fingerprint("x", text(rng)) for _ in range(500)]
    new = fingerprint("y", text(rng))
    start = time.perf_counter()
    for other in stored:
        verify(new, other)
    return (time.perf_counter() - start) / 500 * size * 1000


def main() -> None:
    big = int(sys.argv[sys.argv.index("--big") + 1]) if "--big" in sys.argv else 100_000
    print(f"normalize + dedupe-fingerprint + tag: {throughput():,.0f} Einträge/s (ein Kern, CPU-Zeit)")
    with tempfile.TemporaryDirectory() as folder:
        small_s = add_thousand(build_store(10_000, Path(folder)))
        big_url = build_store(big, Path(folder))
        rules_ms = rules_check_ms(big_url)
        big_s = add_thousand(big_url)
    print(f"1.000 neue Einträge zu 10.000: {small_s:.2f} s")
    print(f"1.000 neue Einträge zu {big:,}: {big_s:.2f} s")
    print(f"Verhältnis: {big_s / small_s:.2f}× (Ziel < 3×)")
    print(f"naiv (jeder mit jedem) bei {big:,}: ~{naive_compare_seconds(big):,.0f} s geschätzt")
    print(f"Regelstand prüfen (jeder Abruf, {big:,} Einträge, alle aktuell): {rules_ms:.2f} ms "
          f"(Index auf item_tags.rules)")  # fmt: skip


if __name__ == "__main__":
    main()
