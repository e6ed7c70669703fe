"""The staff review app: ``create_app(settings)`` returns a FastAPI app whose routes all live under /staff.

Composable: issue 5 mounts the public site on the same server (``app.mount("/", public_app)`` after these
routes, or include this app's router). Nothing happens at import time; the database engine is made here.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import anyio.to_thread
import jinja2
from fastapi import Depends, FastAPI
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from review import (
    views_auth,
    views_contacts,
    views_directory,
    views_entries,
    views_item,
    views_quality,
    views_queue,
    views_sources,
    views_stories,
)
from review.auth import Forbidden, LoginRequired, Policy, PolicyRegistry, RouteSpec, guard, in_thread_guard
from review.context import AppContext, CountsCache
from review.hooks import Hooks
from review.render import is_htmx, tag_choices, tag_label
from review.security import SecurityHeaders
from settings import Settings
from store.db import check_schema, make_engine, session_factory

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
STATIC = Path(__file__).with_name("static")
STATIC_PATH = "/staff/static"
BERLIN = ZoneInfo("Europe/Berlin")


def create_app(settings: Settings, *, hooks: Hooks | None = None) -> FastAPI:
    engine = make_engine(settings.database_url)
    check_schema(engine)
    ctx = AppContext(
        settings, session_factory(engine), _templates(), hooks or Hooks(), CountsCache(settings.review_counts_ttl)
    )
    app = FastAPI(title="rubrik – Prüfung", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.review = ctx
    app.state.policies = registry = PolicyRegistry()
    for spec in _specs(ctx):
        registry.declare(spec)
        threaded = not inspect.iscoroutinefunction(spec.endpoint)
        endpoint = in_thread_guard(ctx, spec.policy, spec.endpoint) if threaded else spec.endpoint
        app.add_api_route(
            spec.path, endpoint, methods=[spec.method], name=spec.name,
            dependencies=[Depends(guard(ctx, spec.policy, in_thread=threaded))], include_in_schema=False,
        )  # fmt: skip
    app.router.routes.append(Mount(STATIC_PATH, app=StaticFiles(directory=STATIC), name="static"))
    registry.declare(RouteSpec("GET", STATIC_PATH, _static_placeholder, Policy.PUBLIC, "static"))
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_middleware(SecurityHeaders, static_prefix=STATIC_PATH + "/")
    app.router.add_event_handler("startup", _thread_pool_sizer(settings.serve_threads))
    app.router.add_event_handler("shutdown", engine.dispose)
    return app


def _thread_pool_sizer(threads: int) -> Callable[[], Awaitable[None]]:
    """Size the event loop's worker-thread pool (anyio's default: 40). The work is CPU-bound Python under one
    GIL: 40 threads sharing it make every request wait for all the others (under 20 busy clients p95 ≈ 150 ms);
    a few threads finish requests one after another (p95 ≈ 75 ms, same throughput; bench/review_queue.py)."""

    async def size() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads

    return size


def _static_placeholder() -> None:  # pragma: no cover - the Mount serves static files, this only names the policy
    return None


def _specs(ctx: AppContext) -> list[RouteSpec]:
    return [
        *views_auth.routes(ctx),
        *views_queue.routes(ctx),
        *views_item.routes(ctx),
        *views_stories.routes(ctx),  # issue 3: story and tag-panel buttons of the item view
        *views_sources.routes(ctx),
        *views_quality.routes(ctx),  # issue 3: the rules measured on what staff reviewed
        *views_directory.routes(ctx),
        *views_entries.routes(ctx),  # issue 8
        *views_contacts.routes(ctx),  # issue 8
    ]


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() per include (50 rows, 2 includes each)
    )
    env.filters["de_datetime"] = _de_datetime
    env.globals["tag_label"] = tag_label
    env.globals["tag_choices"] = tag_choices
    env.filters["de_date"] = lambda value: value.astimezone(BERLIN).strftime("%d.%m.%Y") if value else "–"
    env.tests["past"] = lambda value: value is not None and value < datetime.now(UTC)
    return Jinja2Templates(env=env)


def _de_datetime(value: Any) -> str:
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if value else "–"


async def _login_required(request: Request, _exc: Exception) -> Response:
    if request.method != "GET" or is_htmx(request):
        return Response("Bitte anmelden.", status_code=401, headers={"HX-Redirect": "/staff/login"})
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse("/staff/login?next=" + quote(target, safe=""), status_code=303)


async def _forbidden(_request: Request, exc: Exception) -> Response:
    reason = "Sicherheitstoken fehlt oder ist ungültig." if str(exc) == "CSRF" else "Keine Berechtigung."
    return Response(reason, status_code=403, media_type="text/plain; charset=utf-8")
