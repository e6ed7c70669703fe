"""Benchmark: what a visit of the staff page "Qualität" (/staff/quality, issue 3) costs.

The page tags the newest reviewed items with the rules of today (no cache of tags: a server keeps no texts
of past visits, only the last page and a digest of what it measured). Prints, for stores with growing numbers of
reviewed items, the time of one visit's numbers (reading the reviewed items, tagging, scoring) with the page's
limit (review/views_quality.QUALITY_ITEMS); a repeated visit that finds the same reviews and rules (the page's
cache); and without a limit — the whole store, as `rubrik eval --reviewed` reads it — with the ratios.

Texts: the 224 real texts of the evaluation set (../shared/corpus; mean 11,600 characters, long regulations among
them), cycled with a number appended so that every item is its own, all approved as the rules tagged them.

Usage: .venv/bin/python bench/quality_page.py [--sizes 500,2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalset import CORPUS, load_items
from process.model import Entry
from process.taxonomy import load_taxonomy
from review.views_quality import QUALITY_ITEMS, QualityPage, quality_page
from store import items_repo, sources_repo, tags_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def build(url: str, count: int) -> None:
    texts = [(item.title, item.text) for item in load_items(CORPUS)]
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    taxonomy = load_taxonomy()
    with transaction(factory) as session:
        sources_repo.sync_sources(
            session, [SourceSpec("bench", "Bench", "feed", "https://example.org/", 3600, True, {})]
        )
    for start in range(0, count, 500):
        with transaction(factory) as session:
            for n in range(start, min(count, start + 500)):
                title, text = texts[n % len(texts)]
                body = f"{text} Nr. {n}."
                entry = Entry(identity=f"b{n}", guid=f"b{n}", url=f"https://example.org/{n}", title=title,
                              summary_html="", content_text=body, published_at=NOW - timedelta(minutes=n),
                              content_hash=hashlib.sha256(f"{n}{body}".encode()).hexdigest())  # fmt: skip
                items_repo.record_entries(session, "bench", [entry], NOW)
            tags_repo.enrich_pending(session, taxonomy, NOW)
    with transaction(factory) as session:
        items_repo.approve(session, range(1, count + 1), actor="bench", now=NOW)
    engine.dispose()


def best(runs: int, factory, limit: int, *, cached: bool = False) -> float:  # type: ignore[no-untyped-def]
    """The best of ``runs`` visits; ``cached``: each after a first visit that filled the page's cache."""
    taxonomy = load_taxonomy()
    times = []
    for _ in range(runs):
        cache: dict[str, QualityPage] = {}
        if cached:
            quality_page(factory, taxonomy, limit, cache=cache)
        started = time.perf_counter()
        page = quality_page(factory, taxonomy, limit, cache=cache)
        times.append(time.perf_counter() - started)
    assert page.measured == limit, (page.measured, limit)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"Korpus nicht gefunden: {CORPUS}")
    print(f"Seite „Qualität“: eine Ansicht, beste von {args.runs} Läufen (SQLite)")
    limit = f"Grenze {QUALITY_ITEMS}"
    print(f"{'geprüfte Einträge':>18} {limit:>14} {'wiederholt':>11} {'alle':>10} {'alle/Grenze':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            build(url, size)
            engine = make_engine(url)
            factory = session_factory(engine)
            limited = best(args.runs, factory, min(size, QUALITY_ITEMS))
            again = best(args.runs, factory, min(size, QUALITY_ITEMS), cached=True)
            everything = best(args.runs, factory, size)
            engine.dispose()
        print(f"{size:>18} {limited * 1000:>11.0f} ms {again * 1000:>8.0f} ms {everything * 1000:>7.0f} ms "
              f"{everything / limited:>11.1f}x   (wiederholt: {limited / again:.0f}x schneller)")  # fmt: skip


if __name__ == "__main__":
    main()
