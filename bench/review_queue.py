"""Benchmark of the staff review with 50,000 items on SQLite and PostgreSQL.

A real ``rubrik serve`` (uvicorn; with 1 and with 2 worker processes) on 127.0.0.1 and 20 concurrent clients,
each logged in with its own session:

* saturated, with wrk (a load generator in C, its own process, one connection per client; `apt install wrk`):
  every client sends its next request as soon as the last one is answered — queue pages only, approves only
  (as the UI's htmx request), and both alternating. A Python client could not measure this: with 20 clients
  it spends more CPU than the server and its own scheduling shows up as latency.
* paced, in Python: each client loads the queue page, approves one item, pauses ``--think`` seconds (a person).

Prints median, p95 and p99 latency and throughput per phase (target p95 < 150 ms), plus naive vs ours for a
deep queue page (OFFSET vs keyset cursor) and the facet counts (cached vs computed).

    .venv/bin/python bench/review_queue.py [--items 50000] [--clients 20] [--duration 10] [--rounds 25]
        [--backend sqlite|postgres|both] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
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
from tests.httpserver import free_port  # noqa: E402

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


def in_process_ratios(url: str) -> None:
    """Naive vs ours on the same data: a deep page by OFFSET vs by keyset cursor; facet counts computed vs cached."""
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        pending = review_repo.status_counts(session).get("pending", 0)
        depth = int(pending * 0.8)  # the phases above approved many: measure at 80 % of what is left
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


WRK_SCRIPT = """
local sessions = {%(sessions)s}
local work = {%(work)s}
local mode = "%(mode)s"
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end
function init(args)
  me = sessions[index]; mine = work[index]; approved = 0; turn = 0; failed = 0; repeated = 0
end
function request()
  turn = turn + 1
  if mode == "queue" or (mode == "mixed" and turn %% 2 == 1) then
    return wrk.format("GET", "/staff/", {Cookie = me[1]})
  end
  approved = approved + 1
  if approved > #mine then repeated = repeated + 1 end
  local pair = mine[((approved - 1) %% #mine) + 1]
  return wrk.format("POST", "/staff/queue/" .. pair[1] .. "/approve",
    {Cookie = me[1], ["X-CSRF-Token"] = me[2], ["HX-Request"] = "true",
     ["Content-Type"] = "application/x-www-form-urlencoded"}, "revision=" .. pair[2])
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "queue-row", 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local bad = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local again = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("failed"); again = again + thread:get("repeated")
  end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), bad, again))
end
"""


@dataclass(frozen=True)
class Session:
    cookie: str
    csrf: str


def login_all(base: str, clients: int) -> list[Session]:
    sessions = []
    for n in range(clients):
        with httpx.Client(base_url=base, timeout=30) as http:
            form = http.get("/staff/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            http.post("/staff/login", data={"name": f"pruefer{n}", "password": PASSWORD, "csrf": token})
            page = http.get("/staff/")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
            sessions.append(Session(cookie, csrf))
    return sessions


def wrk_phase(
    label: str, base: str, sessions: list[Session], pairs: list[tuple[int, int]], mode: str, duration: float
) -> float | None:
    """One saturated phase with wrk: one thread and one connection per client. Returns p95 in ms."""
    clients = len(sessions)
    work = [pairs[n::clients] or [(0, 0)] for n in range(clients)]
    script = WRK_SCRIPT % {
        "sessions": ", ".join(f'{{"{s.cookie}", "{s.csrf}"}}' for s in sessions),
        "work": ", ".join("{" + ", ".join(f"{{{a}, {b}}}" for a, b in mine) + "}" for mine in work),
        "mode": mode,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = ["wrk", f"-t{clients}", f"-c{clients}", f"-d{duration:g}s", "--timeout", "10s", "-s", file.name]
        output = subprocess.run([*command, base + "/staff/"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if found is None:
        print(f"  {label}: wrk gave no result:\n{output}")
        return None
    requests, micros, p50, p95, p99, bad, repeated = (int(value) for value in found.groups())
    print(
        f"  {label:<34} median {p50 / 1000:6.1f} ms   p95 {p95 / 1000:6.1f} ms   p99 {p99 / 1000:6.1f} ms   "
        f"{requests / (micros / 1e6):6.1f} req/s   (n={requests}, failed {bad}"
        + (f", {repeated} approvals of already approved items: raise the pairs per phase" if repeated else "")
        + ")"
    )
    return p95 / 1000


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    print(f"\n== {name}: {args.items} items, {args.clients} clients")
    started = time.perf_counter()
    seed(url, args.items, args.clients)
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    has_wrk = shutil.which("wrk") is not None
    if not has_wrk:
        print("  wrk not found (apt install wrk): the saturated phases are skipped")
    per_phase = args.clients * 400  # more than a client approves in --duration seconds
    paced = args.clients * args.rounds
    per_server = per_phase * 2 + paced
    pairs = pending_pairs(url, per_server * len(args.workers))
    summary: list[str] = []
    for index, workers in enumerate(args.workers):
        print(f"  == rubrik serve with {workers} worker process(es)")
        mine = pairs[index * per_server : (index + 1) * per_server]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, workers)
        try:
            if has_wrk:
                print(f"  -- saturated: {args.clients} clients without pause, wrk, {args.duration:g} s per phase")
                sessions = login_all(base, args.clients)
                for label, mode, chunk in (
                    ("queue page only", "queue", []),
                    ("approve only", "approve", mine[:per_phase]),
                    ("queue page and approve, alternating", "mixed", mine[per_phase : 2 * per_phase]),
                ):
                    p95 = wrk_phase(label, base, sessions, chunk, mode, args.duration)
                    if p95 is not None:
                        summary.append(f"{name}, {workers} worker(s), {label}: p95 {p95:.0f} ms")
            result = run_phase(
                f"paced, each client pauses {args.think} s after an approve (Python clients)",
                base, mine[2 * per_phase :], args.think, args.clients,
            )  # fmt: skip
            summary.append(
                f"{name}, {workers} worker(s), paced: p95 queue {result.queue_p95:.0f} ms, "
                f"approve {result.approve_p95:.0f} ms"
            )
        finally:
            server.terminate()
            server.wait(20)
    in_process_ratios(url)
    print("  summary (target p95 < 150 ms):")
    for line in summary:
        print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25, help="queue+approve rounds per client in the paced phase")
    parser.add_argument("--duration", type=float, default=10, help="seconds per saturated (wrk) phase")
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
