"""The queue: pending items newest first, filters with counts, keyset pages, row and bulk decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from review.auth import Policy, RouteSpec, form_of, staff_of
from review.context import AppContext
from review.render import is_htmx, redirect, render
from review.security import safe_next
from store import items_repo, review_repo
from store.db import transaction
from store.review_repo import EXPIRY, RELEVANCE, QueueFilter, QueueRow
from store.schema import ITEM_STATUSES

FILTER_KEYS = ("source", "sector", "topic", "town", "text", "relevance", "expiry")
STATUS_KEY = "#status"  # the counts cache's key of the per-status totals (a GROUP BY over every item)
SOURCES_KEY = "#sources"  # … and of the sources' names for the filter
EXPIRY_ACTION = "fristen"  # the bulk action that takes the deadlines read from the texts as expiry dates


@dataclass(frozen=True, slots=True)
class QueuePage:
    filter: QueueFilter
    rows: tuple[QueueRow, ...]
    total: int
    status_counts: dict[str, int]
    facets: dict[str, dict[str, int]]
    source_names: dict[str, str]
    next_url: str | None
    here: str  # this page's URL: where decisions return to


def parse_filter(request: Request) -> QueueFilter:
    params = request.query_params
    status = params.get("status", "pending")
    values = {key: (params.get(key) or "").strip()[:200] or None for key in FILTER_KEYS}
    if values["relevance"] not in RELEVANCE:
        values["relevance"] = None
    if values["expiry"] not in EXPIRY:
        values["expiry"] = None
    return QueueFilter(status=status if status in ITEM_STATUSES else "pending", **values)


def filter_query(flt: QueueFilter, **extra: str) -> str:
    params = {"status": flt.status} if flt.status != "pending" else {}
    params.update({key: value for key in FILTER_KEYS if (value := getattr(flt, key))})
    params.update(extra)
    return urlencode(params)


def _cursor(request: Request) -> tuple[datetime, int] | None:
    raw = request.query_params.get("after", "")
    seen, _, item_id = raw.partition("_")
    try:
        return datetime.fromisoformat(seen).astimezone(UTC), int(item_id)
    except ValueError:
        return None


def routes(ctx: AppContext) -> list[RouteSpec]:
    def queue(request: Request) -> Response:
        flt = parse_filter(request)
        size = ctx.settings.review_page_size
        with transaction(ctx.factory) as session:
            page = review_repo.queue_page(session, flt, limit=size, after=_cursor(request))
            counts = ctx.counts.get(STATUS_KEY, lambda: review_repo.status_counts(session))
            narrowed = any(getattr(flt, key) for key in FILTER_KEYS)
            total = review_repo.count_filtered(session, flt) if narrowed else counts.get(flt.status, 0)
        facets = ctx.counts.get(flt.status, lambda: _facets(ctx, flt.status))
        names = ctx.counts.get(SOURCES_KEY, lambda: _source_names(ctx))
        next_url = None
        if page.next_cursor:
            seen, item_id = page.next_cursor
            next_url = "/staff/?" + filter_query(flt, after=f"{seen.isoformat()}_{item_id}")
        here = request.url.path + ("?" + request.url.query if request.url.query else "")
        context = QueuePage(flt, page.rows, total, counts, facets, names, next_url, here)
        return render(ctx, request, "staff/queue.html", context)

    def decide_row(request: Request) -> Response:  # plain: the session check and the decision share one thread
        return _run(request, ctx, form_of(request), request.path_params["action"])

    async def bulk(request: Request) -> Response:
        form = await request.form()
        action = str(form.get("action", ""))
        pairs = [_pair(str(value)) for value in form.getlist("item")]
        staff = staff_of(request)
        if action not in ("approve", "reject", EXPIRY_ACTION):
            return redirect(safe_next(str(form.get("next", ""))), msg="Unbekannte Aktion.")
        valid = [pair for pair in pairs if pair is not None]
        done, skipped = await run_in_threadpool(_bulk, ctx, action, valid, staff.name)
        if action == EXPIRY_ACTION:
            message = f"{len(done)} erkannte Fristen als Ablaufdatum übernommen." + (
                f" {len(skipped)} ohne erkannte Frist oder schon übernommen." if skipped else ""
            )
        else:
            verb = "freigegeben" if action == "approve" else "abgelehnt"
            message = f"{len(done)} Einträge {verb}." + (
                f" {len(skipped)} übersprungen (inzwischen geändert)." if skipped else ""
            )
        return redirect(safe_next(str(form.get("next", "")), "/staff/"), msg=message)

    return [
        RouteSpec("GET", "/staff/", queue, Policy.REVIEWER, "queue"),
        RouteSpec("POST", "/staff/queue/{item_id:int}/{action:str}", decide_row, Policy.REVIEWER, "decide_row"),
        RouteSpec("POST", "/staff/bulk", bulk, Policy.REVIEWER, "bulk"),
    ]


def _source_names(ctx: AppContext) -> dict[str, str]:
    with transaction(ctx.factory) as session:
        return review_repo.source_names(session)


def _facets(ctx: AppContext, status: str) -> dict[str, dict[str, int]]:
    with transaction(ctx.factory) as session:
        return review_repo.facet_counts(session, status)


def _pair(value: str) -> tuple[int, int] | None:
    item_id, _, revision_id = value.partition(":")
    try:
        return int(item_id), int(revision_id)
    except ValueError:
        return None


def _bulk(ctx: AppContext, action: str, pairs: list[tuple[int, int]], actor: str) -> tuple[list[int], list[int]]:
    with transaction(ctx.factory) as session:
        if action == EXPIRY_ACTION:
            ids = [item_id for item_id, _revision in pairs]
            return review_repo.accept_suggested_expiries(session, ids, actor=actor, now=datetime.now(UTC))
        return review_repo.decide_many(session, action, pairs, actor=actor, now=datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class RowPage:
    """One queue row after a decision (the htmx answer)."""

    row: QueueRow
    error: str | None
    here: str


def _run(request: Request, ctx: AppContext, form: Any, action: str) -> Response:
    item_id = int(request.path_params["item_id"])
    revision = _pair(f"{item_id}:{form.get('revision', '')}")
    if action not in ("approve", "reject") or revision is None:
        return Response("Unbekannte Aktion.", status_code=400)
    error, row = _decide_one(ctx, action, item_id, revision[1], staff_of(request).name)
    back = safe_next(str(form.get("next", "")), "/staff/")
    if not is_htmx(request):
        return redirect(back, msg=error or "")
    if row is None:
        return Response(error or "Unbekannter Eintrag.", status_code=404)
    return render(ctx, request, "staff/_queue_row_swap.html", RowPage(row, error, back))


def _decide_one(
    ctx: AppContext, action: str, item_id: int, revision_id: int, actor: str
) -> tuple[str | None, QueueRow | None]:
    decide = review_repo.approve if action == "approve" else review_repo.reject
    try:
        with transaction(ctx.factory) as session:
            decide(session, item_id, revision_id, actor=actor, now=datetime.now(UTC))
            session.flush()
            return None, review_repo.queue_row(session, item_id)
    except items_repo.DecisionError as exc:
        with transaction(ctx.factory) as session:
            return str(exc), review_repo.queue_row(session, item_id)
