"""The whole web side on one server: the staff app under ``/staff/``, the public release everywhere else.

Glue only (an entrypoint like cli.py): the review app and the public app know nothing of each other; here the
review's item view learns where an item will appear publicly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from publish.places import public_places
from publish.serve import create_public_app
from review.app import create_app
from review.hooks import Hooks, Panel, PanelLine
from review.story_panels import lazy_factory, story_hooks
from settings import Settings
from store.review_repo import ItemDetail

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]
STAFF_PREFIX = "/staff"


def public_panel(settings: Settings) -> Callable[[ItemDetail], Panel | None]:
    base = settings.public_base_url if settings.public_base_url.endswith("/") else settings.public_base_url + "/"

    def provider(detail: ItemDetail) -> Panel | None:
        view = detail.view
        places = public_places(
            approved=view.approved_revision_id is not None and view.status in ("approved", "pending"),
            sectors=view.sectors,
            topics=view.topics,
            towns=view.towns,
            expires_at=detail.expires_at,
            now=datetime.now(UTC),
            base_url=base,
        )
        if not places:
            return Panel("Öffentlich", (PanelLine("Erscheint nicht öffentlich (nicht freigegeben)."),))
        return Panel("Erscheint nach der nächsten Veröffentlichung auf", tuple(PanelLine(t, h) for t, h in places))

    return provider


def create_site(settings: Settings) -> ASGIApp:
    hooks = story_hooks(lazy_factory(settings.database_url), Hooks(public=(public_panel(settings),)))
    staff = create_app(settings, hooks=hooks)
    public = create_public_app(settings)

    async def site(scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] == "lifespan":  # the staff app owns the database engine's lifecycle
            await staff(scope, receive, send)
            return
        path = scope.get("path", "")
        is_staff = path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")
        await (staff if is_staff else public)(scope, receive, send)

    return site
