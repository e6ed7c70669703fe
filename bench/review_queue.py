"""Benchmark of the staff review with 50,000 items on SQLite and PostgreSQL.

A real ``rubrik serve`` (uvicorn; once with 1, once with 2 worker processes) on 127.0.0.1; 20 concurrent
clients, each logged in with its own session, alternate between loading the queue page and approving one item
(as the UI's htmx request does).
Prints median and p95 latency per backend (target p95 < 150 ms), plus naive vs ours for a deep queue page
(OFFSET vs keyset cursor) and the facet counts (cached vs computed).

    .venv/bin/python bench/review_queue.py [--items 50000] [--clients 20] [--rounds 25] [--backend sqlite|postgres]
        [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from process.model import Entry  # noqa: E402
from review.passwords import hash_password  # noqa: E402
from store import items_repo, review_repo, sources_repo, users_repo  # noqa: E402
from store.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from store.records import SourceSpec  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "Benchmark-Passwort-2026"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
SECTORS = ("handwerk", "handel", "gastgewerbe", "industrie", "tourismus")
TOWNS = ("Freiberg", "Döbeln", "Mittweida", "Flöha", "Rochlitz")


def seed(url: str, items: int, clients: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        for n in range(20):
            spec = SourceSpec(f"quelle-{n}", f"Quelle {n}", "feed", f"https://q{n}.example.org/feed", 3600, True, {})
            sources_repo.upsert_source(session, spec, origin="catalog")
        password_hash = hash_password(PASSWORD)
        for n in range(clients):
            users_repo.add_user(session, f"pruefer{n}", password_hash, "reviewer", T0)
    batch = 1000
    for start in range(0, items, batch):
        source = f"quelle-{(start // batch) % 20}"
        entries = [_entry(n) for n in range(start, min(start + batch, items))]
        with transaction(factory) as session:
            items_repo.record_entries(session, source, entries, T0 + timedelta(seconds=start))
    with engine.begin() as connection:  # tags as the tagger (issue 3) would set them
        for i, (sector, town) in enumerate(zip(SECTORS, TOWNS, strict=True)):
            connection.execute(
                text("UPDATE items SET sectors = :s, towns = :t WHERE id % 5 = :i"),
                {"s": f'["{sector}"]', "t": f'["{town}"]', "i": i},
            )
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    engine.dispose()


def _entry(n: int) -> Entry:
    return Entry(
        identity=f"guid:{n}", guid=str(n), url=f"https://example.org/meldung/{n}", title=f"Meldung Nummer {n}",
        summary_html=f"<p>Zusammenfassung {n}</p>", content_text=f"Zusammenfassung {n}", published_at=T0,
        content_hash=f"hash-{n}",
    )  # fmt: skip


def pending_pairs(url: str, count: int) -> list[tuple[int, int]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, current_revision_id FROM items WHERE status = 'pending' ORDER BY id LIMIT :n"),
            {"n": count},
        )
        pairs = [(int(a), int(b)) for a, b in rows]
    engine.dispose()
    return pairs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "RUBRIK_DATABASE_URL": url, "RUBRIK_SERVE_PORT": str(port), "RUBRIK_SERVE_HOST": "127.0.0.1",
        "RUBRIK_SERVE_WORKERS": str(workers),
    }  # fmt: skip
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/staff/login", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


async def client_run(
    base: str, name: str, work: list[tuple[int, int]], queue_ms: list[float], approve_ms: list[float], think: float
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        form = await http.get("/staff/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        await http.post("/staff/login", data={"name": name, "password": PASSWORD, "csrf": token})
        page = await http.get("/staff/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
        for item_id, revision_id in work:
            started = time.perf_counter()
            answer = await http.get("/staff/")
            queue_ms.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200 and "queue-row" in answer.text
            started = time.perf_counter()
            answer = await http.post(f"/staff/queue/{item_id}/approve", data={"revision": revision_id}, headers=headers)
            approve_ms.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
            if think:
                await asyncio.sleep(think)


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   (n={len(ordered)})"


def in_process_ratios(url: str, items: int) -> None:
    """Naive vs ours on the same data: a deep page by OFFSET vs by keyset cursor; facet counts computed vs cached."""
    engine = make_engine(url)
    factory = session_factory(engine)
    depth = int(items * 0.8)
    with transaction(factory) as session:
        cursor_row = items_repo.list_items(session, status="pending", limit=1, offset=depth - 1)[0]
    cursor = (cursor_row.first_seen_at, cursor_row.id)
    naive = _time(lambda s: items_repo.list_items(s, status="pending", limit=50, offset=depth), factory)
    ours = _time(lambda s: review_repo.queue_page(s, review_repo.QueueFilter(), limit=50, after=cursor), factory)
    facets = _time(lambda s: review_repo.facet_counts(s, "pending"), factory)
    print(f"  page at position {depth}: OFFSET {naive:6.1f} ms   keyset {ours:6.1f} ms   ratio {naive / ours:5.1f}x")
    print(f"  facet counts computed: {facets:6.1f} ms (the app caches them for RUBRIK_REVIEW_COUNTS_TTL seconds)")
    engine.dispose()


def _time(work: object, factory: object, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        with transaction(factory) as session:  # type: ignore[arg-type]
            started = time.perf_counter()
            work(session)  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run_phase(phase: str, base: str, pairs: list[tuple[int, int]], think: float, clients: int) -> Result:
    queue_ms: list[float] = []
    approve_ms: list[float] = []
    work = [pairs[n::clients] for n in range(clients)]

    async def all_clients() -> None:
        await asyncio.gather(
            *(client_run(base, f"pruefer{n}", work[n], queue_ms, approve_ms, think) for n in range(clients))
        )

    started = time.perf_counter()
    asyncio.run(all_clients())
    elapsed = time.perf_counter() - started
    throughput = (len(queue_ms) + len(approve_ms)) / elapsed
    print(f"  -- {phase}")
    print(f"  queue page : {_stats(queue_ms)}")
    print(f"  approve    : {_stats(approve_ms)}")
    print(f"  throughput : {throughput:6.1f} requests/s")
    return Result(_p95(queue_ms), _p95(approve_ms), throughput)


@dataclass(frozen=True)
class Result:
    queue_p95: float
    approve_p95: float
    throughput: float


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    print(f"\n== {name}: {args.items} items, {args.clients} clients x {args.rounds} rounds")
    started = time.perf_counter()
    seed(url, args.items, args.clients)
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    per_server = args.clients * args.rounds * 2
    pairs = pending_pairs(url, per_server * len(args.workers))
    results: dict[int, list[Result]] = {}
    for index, workers in enumerate(args.workers):
        print(f"  == rubrik serve with {workers} worker process(es)")
        mine = pairs[index * per_server : (index + 1) * per_server]
        port = _free_port()
        server = start_server(url, port, workers)
        try:
            results[workers] = [
                run_phase(phase, f"http://127.0.0.1:{port}", chunk, think, args.clients)
                for phase, think, chunk in (
                    ("saturated, no pause between requests", 0.0, mine[: len(mine) // 2]),
                    (f"paced, each client pauses {args.think} s after an approve", args.think, mine[len(mine) // 2 :]),
                )
            ]
        finally:
            server.terminate()
            server.wait(20)
    if len(results) > 1:
        base, *others = args.workers
        for workers in others:
            for label, one, many in zip(("saturated", "paced"), results[base], results[workers], strict=True):
                print(
                    f"  {workers} vs {base} worker(s), {label}: throughput {many.throughput / one.throughput:4.2f}x, "
                    f"queue p95 {one.queue_p95 / many.queue_p95:4.2f}x, "
                    f"approve p95 {one.approve_p95 / many.approve_p95:4.2f}x faster"
                )
    in_process_ratios(url, args.items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--think", type=float, default=0.5, help="pause of a client in the paced phase (s)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="RUBRIK_SERVE_WORKERS to compare")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend("SQLite", f"sqlite:///{folder}/bench.db", args)
    if args.backend in ("postgres", "both"):
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as error:
            print(f"\n== PostgreSQL skipped: {error.__class__.__name__}")
            return
        try:
            run_backend("PostgreSQL", f"{PG_SERVER}?options=-csearch_path%3D{schema}", args)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
