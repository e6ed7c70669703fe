"""The whole web side on one server: the staff app under ``/staff/``, the public release everywhere else.

Glue only (an entrypoint like cli.py): the review app and the public app know nothing of each other; here the
review's item view learns where an item will appear publicly.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from publish.places import public_places
from publish.serve import create_public_app
from review.app import create_app
from review.directory_app import create_directory_app, is_form_path
from review.hooks import Hooks, Panel, PanelLine, PanelProvider
from review.story_panels import story_hooks
from settings import Settings
from store.review_repo import ItemDetail

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
STAFF_PREFIX = "/staff"
log = logging.getLogger("rubrik.web")


def public_panel(settings: Settings) -> PanelProvider:
    base = settings.public_base_url if settings.public_base_url.endswith("/") else settings.public_base_url + "/"

    def provider(_session: Session, detail: ItemDetail) -> Panel | None:
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


class Debounced:
    """Calls ``action`` once, ``delay`` seconds after the first of a burst of ``__call__``s (in a thread)."""

    def __init__(self, action: Callable[[], None], delay: float) -> None:
        self._action, self._delay = action, delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __call__(self) -> None:
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(self._delay, self._fire)
                self._timer.daemon = True
                self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self._action()
        except Exception:  # a missed announcement only delays publishing until the next schedule
            log.exception("could not announce a review decision")


def _is_decision(scope: Scope) -> bool:
    path = scope.get("path", "")
    return scope.get("method") == "POST" and (
        path.startswith(("/staff/items/", "/staff/queue/", "/staff/kauf-regional/")) or path == "/staff/bulk"
    )


def create_site(settings: Settings, *, on_decision: Callable[[], None] | None = None) -> ASGIApp:
    """``on_decision`` is called after each successful review decision or edit (``rubrik run`` uses it to
    start a publish run)."""
    hooks = story_hooks(Hooks(public=(public_panel(settings),)))
    staff = create_app(settings, hooks=hooks)
    public = create_public_app(settings)
    directory = create_directory_app(settings)  # the Kauf-regional form and private links (issue 7)
    # one lifespan for the whole site: the staff app's shutdown also closes the directory app's engine and fetcher
    for handler in directory.router.on_shutdown:
        staff.router.add_event_handler("shutdown", handler)

    async def staff_watched(
        scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        status: list[int] = []

        async def send_and_note(message: Any) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await staff(scope, receive, send_and_note)
        if on_decision is not None and status and status[0] < 400:
            on_decision()

    async def site(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the staff app's lifespan runs every part's shutdown (see above)
            await staff(scope, receive, send)
            return
        path = scope.get("path", "")
        is_staff = path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")
        if is_staff and _is_decision(scope):
            await staff_watched(scope, receive, send)
        elif is_form_path(path):
            await directory(scope, receive, send)
        else:
            await (staff if is_staff else public)(scope, receive, send)

    return site


def decision_announcer(*, always: bool = False) -> Callable[[], None] | None:
    """Announce decisions to the Prefect server the deployments run on, at most once per 5 s burst. ``rubrik
    serve`` asks only when one is configured (PREFECT_API_URL; None otherwise); ``rubrik run`` (``always``)
    announces to the server it started itself."""
    from flows.decisions import announce_decision, prefect_api_configured

    return Debounced(announce_decision, delay=5.0) if always or prefect_api_configured() else None


def tune_for_serving() -> None:
    """For a process that only serves the web (``rubrik serve``, each of its workers): hand the GIL over every
    1 ms instead of 5 ms, so a request whose thread comes back from the database does not wait out another's
    time slice (p95 under 20 busy clients about 20 % lower; bench/review_queue.py). Not done under
    ``rubrik run``, which shares its process with Prefect."""
    sys.setswitchinterval(0.001)


def site_from_environment() -> ASGIApp:
    """The site built from the environment's settings: the factory each worker process of ``rubrik serve``
    imports when RUBRIK_SERVE_WORKERS > 1."""
    from settings import load_settings

    tune_for_serving()
    return create_site(load_settings(), on_decision=decision_announcer())
