"""Benchmark (issue 6): what running harvest and publish as Prefect flows costs, and how fast `rubrik run` is.

1. A cycle of 300 feed sources (20 hosts on 127.0.0.1, 100 ms latency), harvested once by calling the plain
   function and once as the Prefect flow against a real local Prefect server; then publishing the approved
   items, directly and as the flow. Prints both and the overhead.
2. Time from starting `rubrik run --demo` to its first completed harvest.

    .venv/bin/python bench/orchestration.py [--sources 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.harvest import make_feed  # noqa: E402
from tests.httpserver import (  # noqa: E402
    TestServer,
    conditional,
    free_port,
)


def serve_sources(count: int, hosts: int) -> tuple[list[TestServer], list[dict[str, object]]]:
    servers = [TestServer(delay=0.1).start() for _ in range(hosts)]
    catalog: list[dict[str, object]] = []
    for n in range(count):
        server = servers[n % hosts]
        server.add_route(f"/feed/{n}", conditional(make_feed(n, 20), f'"v{n}"', "Sun, 01 Nov 2026 00:00:00 GMT"))
        catalog.append({"id": f"q-{n:03d}", "name": f"Quelle {n}", "kind": "feed", "url": server.url(f"/feed/{n}"),
                        "interval": "1h"})  # fmt: skip
    return servers, catalog


def app_env(tmp: Path, name: str, catalog: Path, servers: list[TestServer]) -> dict[str, str]:
    return {
        "RUBRIK_DATABASE_URL": f"sqlite:///{tmp / name}.db",
        "RUBRIK_SITE_DIR": str(tmp / f"{name}-site"),
        "RUBRIK_CATALOG": str(catalog),
        "RUBRIK_FETCH_ALLOW_HOSTS": ",".join(server.host_port for server in servers),
        "RUBRIK_FETCH_PER_HOST_DELAY": "0",
        "RUBRIK_FETCH_PER_HOST_CONCURRENCY": "4",
        "RUBRIK_HARVEST_CONCURRENCY": "64",
        "RUBRIK_PUBLISH_SHRINK_LIMIT": "1.0",
    }


def cycle(env: dict[str, str], as_flow: bool) -> tuple[float, float]:
    """(harvest seconds, publish seconds) for one cold cycle with everything harvested approved."""
    os.environ.update(env)
    from flows.harvest import harvest_flow
    from flows.pipeline import harvest
    from flows.publish import publish_flow
    from publish.publisher import run_publish
    from settings import load_settings
    from store import items_repo
    from store.db import make_engine, session_factory, transaction, upgrade

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    start = time.perf_counter()
    asyncio.run(harvest_flow()) if as_flow else asyncio.run(harvest(settings))
    harvest_s = time.perf_counter() - start
    with transaction(session_factory(engine)) as session:
        items_repo.approve(session, items_repo.pending_ids(session), actor="bench", now=datetime.now(UTC))
    start = time.perf_counter()
    publish_flow() if as_flow else run_publish(settings)
    publish_s = time.perf_counter() - start
    engine.dispose()
    return harvest_s, publish_s


def start_prefect(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    for _ in range(240):
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return process, api
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError("Prefect server did not start")


def time_to_first_harvest(tmp: Path) -> float:
    env = {**os.environ, "RUBRIK_RUN_PREFECT_PORT": str(free_port()), "RUBRIK_SERVE_PORT": str(free_port()),
           "PREFECT_HOME": str(tmp / "run-prefect")}  # fmt: skip
    for name in [
        n for n in env if n.startswith("RUBRIK_") and n not in ("RUBRIK_RUN_PREFECT_PORT", "RUBRIK_SERVE_PORT")
    ]:
        env.pop(name)
    env.pop("PREFECT_API_URL", None)
    db = tmp / "run" / "demo" / "rubrik.db"
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "run", "--demo", "--state-dir", str(tmp / "run")],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        while time.perf_counter() - start < 300:
            if db.exists():
                try:
                    with sqlite3.connect(db) as connection:
                        if connection.execute("SELECT count(*) FROM fetch_log").fetchone()[0] >= 7:
                            return time.perf_counter() - start
                except sqlite3.Error:
                    pass
            time.sleep(0.2)
        raise RuntimeError("no harvest within 300 s")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--hosts", type=int, default=20)
    args = parser.parse_args()
    os.environ.update({"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"})
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        servers, catalog = serve_sources(args.sources, args.hosts)
        catalog_path = tmp / "catalog.yaml"
        catalog_path.write_text(yaml.safe_dump({"sources": catalog}), encoding="utf-8")
        prefect, api = start_prefect(tmp)
        os.environ["PREFECT_API_URL"] = api  # before prefect is first imported: it reads its settings once
        try:
            direct = cycle(app_env(tmp, "direct", catalog_path, servers), as_flow=False)
            flow = cycle(app_env(tmp, "flow", catalog_path, servers), as_flow=True)
        finally:
            os.killpg(prefect.pid, signal.SIGTERM)
            prefect.wait(timeout=30)
            for server in servers:
                server.stop()
        first = time_to_first_harvest(tmp)
    print(f"cycle of {args.sources} sources over {args.hosts} hosts (cold), Prefect server on 127.0.0.1 (SQLite)")
    for label, d, f in (("harvest", direct[0], flow[0]), ("publish", direct[1], flow[1])):
        print(f"{label:8s} direct {d:6.2f} s   as Prefect flow {f:6.2f} s   overhead {f - d:+5.2f} s ({f / d:4.2f}×)")
    total_d, total_f = sum(direct), sum(flow)
    print(f"cycle    direct {total_d:6.2f} s   as Prefect flow {total_f:6.2f} s   overhead {total_f - total_d:+5.2f} s")
    print(f"`rubrik run --demo` → first completed harvest: {first:5.1f} s (server start, deployments, first run)")


if __name__ == "__main__":
    main()
