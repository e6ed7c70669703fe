"""Serving under load: the queue's status totals come from the counts cache, and ``rubrik serve`` with several
worker processes shares sessions, CSRF tokens and logout through the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from review.app import create_app
from store import items_repo
from store.db import make_engine, session_factory, upgrade
from tests.httpserver import free_port
from tests.review.conftest import T0, ReviewEnv, login, seed

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.anyio
async def test_status_totals_are_cached_for_the_ttl_but_rows_are_live(
    review_env: ReviewEnv, make_settings: Any
) -> None:
    cached = create_app(make_settings(database_url=review_env.settings.database_url, review_counts_ttl=3600))
    fresh = review_env.app  # review_counts_ttl=0
    pages = {}
    for name, app in (("cached", cached), ("fresh", fresh)):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        pages[name] = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        await login(pages[name])
    first = (await pages["cached"].get("/staff/")).text
    assert "<small>6 offen</small>" in first
    newest = review_env.item_ids()[0]
    assert f'id="row-{newest}"' in first
    with review_env.session() as session:
        items_repo.approve(session, [newest], actor="test", now=T0)
    again = (await pages["cached"].get("/staff/")).text
    assert "<small>6 offen</small>" in again  # the total lags by up to RUBRIK_REVIEW_COUNTS_TTL seconds …
    assert f'id="row-{newest}"' not in again  # … the rows themselves never do
    assert "<small>5 offen</small>" in (await pages["fresh"].get("/staff/")).text
    for http in pages.values():
        await http.aclose()


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(session_factory(engine))
    engine.dispose()
    port = free_port()
    env = {
        **os.environ, "RUBRIK_DATABASE_URL": url, "RUBRIK_SERVE_HOST": "127.0.0.1", "RUBRIK_SERVE_PORT": str(port),
        "RUBRIK_SERVE_WORKERS": "2",
    }  # fmt: skip
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_children(server.pid)) < 2:
            time.sleep(0.2)
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/staff/login", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", server.pid
    finally:
        server.terminate()
        server.wait(30)


def _children(pid: int) -> list[int]:
    """The worker processes of uvicorn's parent ``pid`` (not multiprocessing's resource tracker)."""
    try:
        found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return [child for child in found if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()]
    except OSError:
        return []


@pytest.mark.anyio
async def test_serve_with_two_workers_shares_sessions_through_the_database(two_workers: tuple[str, int]) -> None:
    base, pid = two_workers
    assert len(_children(pid)) == 2  # uvicorn's parent and two worker processes
    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request: both workers answer
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:
        csrf = await login(http)
        for _ in range(12):
            page = await http.get("/staff/")
            assert page.status_code == 200 and "queue-row" in page.text
        item = int(page.text.split('data-item="', 1)[1].split('"', 1)[0])
        revision = page.text.split(f'value="{item}:', 1)[1].split('"', 1)[0]
        headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
        approved = await http.post(f"/staff/queue/{item}/approve", data={"revision": revision}, headers=headers)
        assert approved.status_code == 200 and "freigegeben" in approved.text
        assert (await http.post("/staff/logout", data={"csrf": csrf})).status_code == 303
        for _ in range(6):  # logged out on every worker
            assert (await http.get("/staff/")).status_code == 303
