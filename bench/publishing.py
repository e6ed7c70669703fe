"""Benchmark of publishing with 10,000 approved items (SQLite): prints numbers and ratios.

    python bench/publishing.py [--items 10000]

1. full publish into an empty site (render + validate + write + switch): wall time, peak RSS of that process
2. publish after one approval: a full re-render; files byte-identical to the live release skip re-validation
3. publish with nothing changed: wall time, and proof that nothing was written (vs. a forced full publish)
4. a feed reader polling with If-None-Match (304) vs. fetching the feed each time (200), over a real socket
Targets (issue 5): full < 3 s, unchanged < 0.3 s and no write.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from publish.publisher import run_publish  # noqa: E402
from publish.serve import create_public_app  # noqa: E402
from publish.taxonomy import SECTORS, TOPICS, TOWN_FACETS  # noqa: E402
from settings import Settings, load_settings  # noqa: E402
from store.db import make_engine, session_factory, upgrade  # noqa: E402
from store.review_schema import ItemFlagsRow  # noqa: E402
from store.schema import ItemRow, ProvenanceRow, RevisionRow, SourceRow  # noqa: E402
from store.story_schema import StoryMemberRow, StoryRow  # noqa: E402
from tests.httpserver import serving  # noqa: E402

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def seed(settings: Settings, count: int) -> None:
    """Bulk-insert approved items with realistic tags, every 5th a second source of a story (not measured)."""
    rnd = random.Random(5)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sources = [{"id": f"q{n}", "name": f"Quelle {n}", "kind": "feed", "url": f"https://q{n}.example.org/",
                "interval_seconds": 3600, "enabled": True, "config": {}, "origin": "catalog", "guid_map": {},
                "guids_unstable": False, "consecutive_failures": 0} for n in range(40)]  # fmt: skip
    items, revisions, provenance, flags, stories, members = [], [], [], [], [], []
    for n in range(1, count + 1):
        when = NOW - timedelta(minutes=7 * n)
        towns = [rnd.choice(TOWN_FACETS).key] if rnd.random() < 0.4 else []
        items.append({"id": n, "source_id": f"q{n % 40}", "identity": f"guid:{n}", "status": "approved",
                      "current_revision_id": n, "approved_revision_id": n, "first_seen_at": when,
                      "last_seen_at": when, "decided_at": when, "sectors": [rnd.choice(SECTORS).key],
                      "topics": [rnd.choice(TOPICS).key], "towns": towns})  # fmt: skip
        body = f"Förderprogramm {n}: Anträge bis Monatsende bei der SAB; Details und Formulare beim Träger. " * 3
        revisions.append({"id": n, "item_id": n, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                          "guid": str(n), "url": f"https://q{n % 40}.example.org/m/{n}", "title": f"Meldung {n}",
                          "summary_html": f"<p>{body}</p>", "content_text": body, "published_at": when,
                          "warnings": [], "created_at": when})  # fmt: skip
        if n % 50 == 0:  # every 50th has expired: archive
            flags.append({"item_id": n, "pinned": False, "expires_at": NOW - timedelta(days=1), "updated_at": NOW,
                          "updated_by": "bench"})  # fmt: skip
        if n % 5 == 0:  # every 5th item is a second source's report of the item before it: one story
            stories.append({"id": n // 5, "canonical_item_id": n - 1, "canonical_by": "rule", "created_at": when})
            members += [{"item_id": m, "story_id": n // 5, "joined_at": when, "reason": ""} for m in (n - 1, n)]
        provenance.append({"item_id": n, "source_id": f"q{n % 40}", "url": f"https://q{n % 40}.example.org/m/{n}",
                           "first_seen_at": when})  # fmt: skip
    with session_factory(engine)() as session, session.begin():
        for table, rows in (
            (SourceRow, sources),
            (ItemRow, items),
            (RevisionRow, revisions),
            (ProvenanceRow, provenance),
            (ItemFlagsRow, flags),
            (StoryRow, stories),
            (StoryMemberRow, members),
        ):
            session.execute(insert(table), rows)
    engine.dispose()


def approve_one_more(settings: Settings, n: int) -> None:
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session, session.begin():
        item = {"id": n, "source_id": "q1", "identity": f"guid:{n}", "status": "approved",
                "current_revision_id": n, "approved_revision_id": n, "first_seen_at": NOW, "last_seen_at": NOW,
                "decided_at": NOW, "sectors": ["handwerk"], "topics": [], "towns": []}  # fmt: skip
        revision = {"id": n, "item_id": n, "content_hash": "x" * 64, "title": "Neu", "summary_html": "<p>neu</p>",
                    "content_text": "neu", "warnings": [], "created_at": NOW}  # fmt: skip
        session.execute(insert(ItemRow), [item])
        session.execute(insert(RevisionRow), [revision])
    engine.dispose()


CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from datetime import datetime
from publish.publisher import run_publish
from settings import load_settings
settings = load_settings(database_url=sys.argv[2], site_dir=sys.argv[3])
start = time.perf_counter()
result = run_publish(settings, now=datetime.fromisoformat(sys.argv[4]), force=sys.argv[5] == "1")
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "status": result.status, "files": result.files,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def publish_in_child(settings: Settings, now: datetime, force: bool = False) -> dict[str, object]:
    """Each publish in a fresh process, so its peak RSS is its own."""
    args = [sys.executable, "-c", CHILD, str(REPO), settings.database_url, str(settings.site_dir), now.isoformat()]
    out = subprocess.run([*args, "1" if force else "0"], check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out)
    return result


def tree_state(root: Path) -> dict[str, int]:
    return {str(p): p.lstat().st_mtime_ns for p in root.rglob("*")} | {str(root): root.stat().st_mtime_ns}


def poll(url: str, rounds: int, conditional: bool) -> tuple[float, int]:
    with httpx.Client() as client:
        etag = client.get(url).headers["etag"]
        headers = {"If-None-Match": etag} if conditional else {}
        for _ in range(50):  # warm up connection and caches
            client.get(url, headers=headers)
        start, sent = time.perf_counter(), 0
        for _ in range(rounds):
            response = client.get(url, headers=headers)
            sent += len(response.content)
        return (time.perf_counter() - start) / rounds, sent // rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(database_url=f"sqlite:///{tmp}/rubrik.db", site_dir=Path(tmp) / "site")
        seed(settings, args.items)
        full = publish_in_child(settings, NOW)
        stories = args.items // 5
        print(f"full publish, {args.items} items ({stories} two-source stories): {full['seconds']:.2f} s, "
              f"{full['files']} files, "
              f"peak RSS {full['peak_rss_mb']:.0f} MB (target < 3 s)")  # fmt: skip
        approve_one_more(settings, args.items + 1)
        after = publish_in_child(settings, NOW + timedelta(minutes=5))
        print(f"publish after one approval (re-render, unchanged files not re-validated): {after['seconds']:.2f} s")
        before = tree_state(settings.site_dir)
        start = time.perf_counter()
        same = run_publish(settings, now=NOW + timedelta(minutes=10))
        unchanged = time.perf_counter() - start
        wrote = tree_state(settings.site_dir) != before
        forced = publish_in_child(settings, NOW + timedelta(minutes=15), force=True)
        print(f"publish, nothing changed: {unchanged:.3f} s, status {same.status}, wrote anything: {wrote} "
              f"(target < 0.3 s, no write); naive forced full publish: {forced['seconds']:.2f} s "
              f"-> {float(str(forced['seconds'])) / unchanged:.0f}x")  # fmt: skip
        with serving(create_public_app(settings)) as base:
            url = f"{base}/feeds/alle.rss"
            plain, plain_bytes = poll(url, 500, False)
            cond, cond_bytes = poll(url, 500, True)
        print(f"feed poll with If-None-Match (304): {cond * 1000:.2f} ms, {cond_bytes} B body; "
              f"without (200): {plain * 1000:.2f} ms, {plain_bytes} B body -> {plain / cond:.1f}x time, "
              f"{plain_bytes} B saved per poll")  # fmt: skip
        print(f"(this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
