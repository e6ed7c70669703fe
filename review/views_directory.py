"""Staff side of Kauf regional: the queue of directory entries, one entry with the change against the public
version, approve/reject/withdraw and edits. Every change goes through ``store.directory_repo`` (audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from process.directory import CATEGORIES, OFFER_TYPES, Business, form_values, validate
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.directory_form import form_state, raw_entry
from review.render import redirect, render
from sources.catalog import FORMER_TOWNS, TOWNS
from store import directory_repo
from store.db import transaction
from store.directory_repo import EntryView
from store.directory_schema import DIRECTORY_STATUSES
from store.items_repo import DecisionError

BASE = "/staff/kauf-regional"
STATUS_LABELS = {
    "unconfirmed": "unbestätigt", "pending": "offen", "approved": "veröffentlicht", "rejected": "abgelehnt",
    "withdrawn": "zurückgezogen", "expired": "abgelaufen",
}  # fmt: skip
COMPARED = ("name", "category", "town", "address", "postcode", "lat", "lon", "phone", "email", "website",
            "opening_notes", "description", "valid_until", *OFFER_TYPES, "shop_url", "voucher_scheme")  # fmt: skip


@dataclass(frozen=True, slots=True)
class QueuePage:
    status: str
    entries: tuple[EntryView, ...]
    counts: dict[str, int]
    labels: dict[str, str] = field(default_factory=lambda: dict(STATUS_LABELS))


@dataclass(frozen=True, slots=True)
class EntryPage:
    entry: EntryView
    changes: tuple[tuple[str, str, str], ...]  # field, public value, proposed value
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=lambda: dict(STATUS_LABELS))
    towns: tuple[str, ...] = TOWNS
    categories: dict[str, str] = field(default_factory=lambda: dict(CATEGORIES))
    offer_types: dict[str, str] = field(default_factory=lambda: dict(OFFER_TYPES))


def routes(ctx: AppContext) -> list[RouteSpec]:
    def queue(request: Request) -> Response:
        status = request.query_params.get("status", "pending")
        status = status if status in DIRECTORY_STATUSES else "pending"
        with transaction(ctx.factory) as session:
            page = QueuePage(status, tuple(directory_repo.queue(session, [status])), directory_repo.counts(session))
        return render(ctx, request, "staff/directory.html", page)

    def show(request: Request) -> Response:
        page = _page(ctx, int(request.path_params["item_id"]))
        if page is None:
            return Response("Eintrag nicht gefunden.", status_code=404)
        return render(ctx, request, "staff/directory_entry.html", page)

    async def decide(request: Request) -> Response:
        form = await request.form()
        entry_id, action = int(request.path_params["item_id"]), request.path_params["action"]
        version = str(form.get("version", ""))
        message = await run_in_threadpool(_decide, ctx, entry_id, action, version, staff_of(request).name)
        return redirect(f"{BASE}/{entry_id}", msg=message)

    async def edit(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items() if key != "angebot"}
        fields["angebot"] = ",".join(str(value) for value in form.getlist("angebot"))
        entry_id = int(request.path_params["item_id"])
        result = await run_in_threadpool(_edit, ctx, entry_id, fields, staff_of(request).name)
        if isinstance(result, str):
            return redirect(f"{BASE}/{entry_id}", msg=result)
        return render(ctx, request, "staff/directory_entry.html", result, status_code=422)

    return [
        RouteSpec("GET", BASE, queue, Policy.REVIEWER, "directory_queue"),
        RouteSpec("GET", BASE + "/{item_id:int}", show, Policy.REVIEWER, "directory_entry"),
        RouteSpec("POST", BASE + "/{item_id:int}/do/{action:str}", decide, Policy.REVIEWER, "directory_decide"),
        RouteSpec("POST", BASE + "/{item_id:int}/edit", edit, Policy.REVIEWER, "directory_edit"),
    ]


def _page(
    ctx: AppContext, entry_id: int, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> EntryPage | None:
    with transaction(ctx.factory) as session:
        entry = directory_repo.detail(session, entry_id)
    if entry is None:
        return None
    shown = values if values is not None else form_state(form_values(entry.current))
    return EntryPage(entry, _changes(entry.approved, entry.current), shown, errors or {})


def _changes(public: Business | None, proposed: Business) -> tuple[tuple[str, str, str], ...]:
    if public is None or public == proposed:
        return ()
    before, after = form_values(public), form_values(proposed)
    return tuple((key, before[key], after[key]) for key in COMPARED if before[key] != after[key])


def _decide(ctx: AppContext, entry_id: int, action: str, version: str, actor: str) -> str:
    now = datetime.now(UTC)
    try:
        with transaction(ctx.factory) as session:
            if action == "withdraw":
                directory_repo.withdraw(session, entry_id, actor=actor, now=now)
                return f"Eintrag {entry_id} zurückgezogen."
            version_id = int(version) if version.isdigit() else 0
            if action == "approve":
                directory_repo.approve(session, entry_id, version_id, actor=actor, now=now)
                return f"Eintrag {entry_id} freigegeben."
            if action == "reject":
                directory_repo.reject(session, entry_id, version_id, actor=actor, now=now)
                return f"Eintrag {entry_id} abgelehnt."
    except DecisionError as exc:
        return str(exc)
    return "Unbekannte Aktion."


def _edit(ctx: AppContext, entry_id: int, form: dict[str, str], actor: str) -> str | EntryPage:
    raw = raw_entry(form)
    result = validate(raw, TOWNS, former_towns=FORMER_TOWNS)
    if result.business is None:
        page = _page(ctx, entry_id, form_state(raw), dict(result.errors))
        return page if page is not None else "Eintrag nicht gefunden."
    try:
        with transaction(ctx.factory) as session:
            directory_repo.propose_update(session, entry_id, result.business, actor=actor, now=datetime.now(UTC))
    except DecisionError as exc:
        return str(exc)
    return "Änderungen gespeichert; der Eintrag ist wieder offen."
