"""One server for both doors: /staff/ is the review app, everything else the public release."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from publish.publisher import run_publish
from store import items_repo
from tests.httpserver import serving
from tests.review.conftest import ReviewEnv, login, review_env  # noqa: F401  (fixtures)
from webapp import create_site


@pytest.mark.anyio
async def test_staff_and_public_share_one_server(review_env: ReviewEnv) -> None:  # noqa: F811
    settings = review_env.settings
    site = create_site(settings)
    transport = httpx.ASGITransport(app=site, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/")).status_code == 503  # nothing published yet
        assert "Anmelden" in (await http.get("/staff/login")).text
        await login(http)
        [first, *_] = review_env.item_ids()
        before = await http.get(f"/staff/items/{first}")
        assert "Erscheint nicht öffentlich" in before.text
        with review_env.session() as session:
            items_repo.approve(session, [first], actor="rita", now=datetime.now(UTC))
        after = await http.get(f"/staff/items/{first}")
        assert "Erscheint nach der nächsten Veröffentlichung auf" in after.text
        assert run_publish(settings).status == "published"
        page = await http.get("/")
        assert page.status_code == 200 and "Meldung" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"


@pytest.mark.anyio
async def test_a_decision_announces_itself_once_per_burst(review_env: ReviewEnv) -> None:  # noqa: F811
    import threading

    from webapp import Debounced

    fired = threading.Event()
    calls: list[int] = []

    def announce() -> None:
        calls.append(1)
        fired.set()

    site = create_site(review_env.settings, on_decision=Debounced(announce, delay=0.2))
    transport = httpx.ASGITransport(app=site, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        csrf = await login(http)
        await http.get("/staff/")  # reading decides nothing
        first, second = review_env.item_ids()[:2]
        for item in (first, second):
            with review_env.session() as session:
                [view] = [v for v in items_repo.list_items(session) if v.id == item]
            answer = await http.post(f"/staff/queue/{item}/approve", data={"revision": view.revision_id, "csrf": csrf})
            assert answer.status_code < 400
        assert fired.wait(5)
        assert calls == [1]  # two decisions, one announcement
        forged = await http.post(f"/staff/queue/{first}/approve", data={"revision": 1, "csrf": "falsch"})
        assert forged.status_code == 403
    assert calls == [1]


def test_shutting_the_site_down_closes_every_part(review_env: ReviewEnv) -> None:  # noqa: F811
    site = create_site(review_env.settings)
    closed: list[str] = []
    import store.db as db

    engines = list(db._ENGINES)
    for engine in engines:
        pool = engine.pool
        original = pool.dispose

        def note(original=original, name=str(engine.url)) -> None:  # type: ignore[no-untyped-def]
            closed.append(name)
            original()

        pool.dispose = note  # type: ignore[method-assign]
    with serving(site) as base:  # runs startup and, on leaving, shutdown of the ASGI lifespan
        assert httpx.get(base + "/staff/login").status_code == 200
    assert len(closed) >= 2  # staff app and Kauf-regional app each dispose their engine


def test_startup_sizes_the_worker_thread_pool(review_env: ReviewEnv) -> None:  # noqa: F811
    """RUBRIK_SERVE_THREADS replaces anyio's 40 threads for the server's event loop (tail latency, issue 4)."""
    import anyio.to_thread
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    settings = review_env.settings.model_copy(update={"serve_threads": 3})
    tokens: list[float] = []

    async def probe(_request: Request) -> JSONResponse:
        tokens.append(anyio.to_thread.current_default_thread_limiter().total_tokens)
        return JSONResponse({})

    from review.app import create_app

    app = create_app(settings)
    app.add_route("/probe", probe)
    with serving(app) as base:  # runs the startup handlers (the combined site runs the staff app's)
        httpx.get(base + "/probe")
    assert tokens == [3]


def test_each_serve_worker_hands_the_gil_over_every_millisecond(
    review_env: ReviewEnv,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`rubrik serve` with several workers builds the site in each process through site_from_environment."""
    import sys

    from webapp import site_from_environment

    monkeypatch.setenv("RUBRIK_DATABASE_URL", review_env.settings.database_url)
    monkeypatch.setenv("RUBRIK_CONFIG", "none.toml")
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        assert callable(site_from_environment())
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)
