"""One item: sanitized preview, sources, diff, panels from hooks, decisions, staff edits, pin, unpublish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from process.sanitize import clean_html
from process.taxonomy import AXES, load_taxonomy
from process.text import one_line, plain_text
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.diffs import DiffLine, stored_diff, text_diff
from review.hooks import Panel
from review.render import redirect, render
from store import items_repo, review_repo, tags_repo
from store.db import transaction
from store.review_repo import ItemDetail, RevisionInfo

SLOTS = ("story", "duplicates", "tag_reasons", "public")
MAX_TAGS = 20


@dataclass(frozen=True, slots=True)
class ItemPage:
    detail: ItemDetail
    compare_to: RevisionInfo | None
    compare_label: str
    diff: tuple[DiffLine, ...]
    panels: dict[str, list[Panel]]
    newer_id: int | None
    older_id: int | None
    form: dict[str, str]
    errors: tuple[str, ...] = ()


class FormError(ValueError):
    pass


def routes(ctx: AppContext) -> list[RouteSpec]:
    def show(request: Request) -> Response:
        page = _page(ctx, int(request.path_params["item_id"]))
        if page is None:
            return Response("Eintrag nicht gefunden.", status_code=404)
        return render(ctx, request, "staff/item.html", page)

    async def decide(request: Request) -> Response:
        form = await request.form()
        item_id, action = int(request.path_params["item_id"]), request.path_params["action"]
        actor = staff_of(request).name
        result = await run_in_threadpool(_decide, ctx, item_id, action, dict(form), actor)
        return result

    async def edit(request: Request) -> Response:
        posted = await request.form()
        form = {key: str(value) for key, value in posted.items()}
        for facet in AXES:  # checkboxes send one field per tag; older clients one comma-separated field
            form[facet] = ", ".join(str(value) for value in posted.getlist(facet))
        if form.get("relevance_shown"):  # an unticked box sends nothing: shown again unticked after an error
            form["relevant"] = "1" if form.get("relevant") == "1" else ""
        item_id = int(request.path_params["item_id"])
        errors = await run_in_threadpool(_edit, ctx, item_id, form, staff_of(request).name)
        if errors is None:
            return redirect(f"/staff/items/{item_id}", msg="Änderungen gespeichert; der Eintrag ist wieder offen.")
        page = await run_in_threadpool(_page, ctx, item_id)
        if page is None:
            return Response("Eintrag nicht gefunden.", status_code=404)
        failed = ItemPage(**{**_fields(page), "form": {**page.form, **form}, "errors": tuple(errors)})
        return render(ctx, request, "staff/item.html", failed, status_code=422)

    return [
        RouteSpec("GET", "/staff/items/{item_id:int}", show, Policy.REVIEWER, "item"),
        RouteSpec("POST", "/staff/items/{item_id:int}/edit", edit, Policy.REVIEWER, "item_edit"),
        RouteSpec("POST", "/staff/items/{item_id:int}/do/{action:str}", decide, Policy.REVIEWER, "item_decide"),
    ]


def _fields(page: ItemPage) -> dict[str, Any]:
    return {name: getattr(page, name) for name in ItemPage.__dataclass_fields__}


def _page(ctx: AppContext, item_id: int) -> ItemPage | None:
    with transaction(ctx.factory) as session:  # one transaction for the page and its panels
        detail = review_repo.item_detail(session, item_id)
        if detail is None:
            return None
        newer, older = review_repo.neighbours(session, item_id)
        tags = tags_repo.tag_infos(session, [item_id]).get(item_id)
        panels = {slot: ctx.hooks.panels(slot, session, detail) for slot in SLOTS}
    compare, label = _comparison(detail)
    if detail.view.diff:
        diff = stored_diff(detail.view.diff)
    elif compare is not None:
        diff = text_diff(
            f"{compare.title}\n\n{compare.content_text}", f"{detail.view.title}\n\n{detail.view.content_text}"
        )
    else:
        diff = ()
    return ItemPage(detail, compare, label, diff, panels, newer, older, _form_values(detail, tags))


def _comparison(detail: ItemDetail) -> tuple[RevisionInfo | None, str]:
    """Compare with the public (approved) revision when there is one, else with the previous revision."""
    view, revisions = detail.view, detail.revisions
    approved = next((r for r in revisions if r.id == view.approved_revision_id), None)
    if approved is not None and approved.id != view.revision_id:
        return approved, "Unterschied zur veröffentlichten Fassung"
    older = [r for r in revisions if r.id != view.revision_id and r.id < (view.revision_id or 0)]
    return (older[0], "Unterschied zur vorigen Fassung") if older else (None, "")


def _form_values(detail: ItemDetail, tags: tags_repo.TagInfo | None) -> dict[str, str]:
    view = detail.view
    return {
        "relevant": "1" if tags is None or tags.relevant else "",
        "revision": str(view.revision_id),
        "title": view.title,
        "summary": view.summary_html,
        "sectors": ", ".join(view.sectors),
        "topics": ", ".join(view.topics),
        "towns": ", ".join(view.towns),
        "expires": detail.expires_at.date().isoformat() if detail.expires_at else "",
    }


def _decide(ctx: AppContext, item_id: int, action: str, form: dict[str, Any], actor: str) -> Response:
    now = datetime.now(UTC)
    try:
        revision_id = int(form.get("revision", ""))
    except ValueError:
        revision_id = 0
    with transaction(ctx.factory) as session:
        _, older = review_repo.neighbours(session, item_id)
    try:
        with transaction(ctx.factory) as session:
            message = _apply(session, item_id, action, revision_id, actor, now)
    except items_repo.DecisionError as exc:
        return redirect(f"/staff/items/{item_id}", msg=str(exc))
    if action in ("approve", "reject") and older is not None:
        return redirect(f"/staff/items/{older}", msg=message)  # work through the queue: on to the next item
    return redirect(f"/staff/items/{item_id}", msg=message)


def _apply(session: Any, item_id: int, action: str, revision_id: int, actor: str, now: datetime) -> str:
    if action == "approve":
        review_repo.approve(session, item_id, revision_id, actor=actor, now=now)
        return f"Eintrag {item_id} freigegeben."
    if action == "reject":
        review_repo.reject(session, item_id, revision_id, actor=actor, now=now)
        return f"Eintrag {item_id} abgelehnt."
    if action == "unpublish":
        review_repo.unpublish(session, item_id, actor=actor, now=now)
        return f"Eintrag {item_id} zurückgezogen."
    if action in ("pin", "unpin"):
        review_repo.set_pinned(session, item_id, action == "pin", actor=actor, now=now)
        return f"Eintrag {item_id} " + ("angeheftet." if action == "pin" else "nicht mehr angeheftet.")
    raise items_repo.DecisionError("Unbekannte Aktion.")


def _edit(ctx: AppContext, item_id: int, form: dict[str, str], actor: str) -> list[str] | None:
    """Apply an edit form; None on success, else the problems (nothing is changed then)."""
    try:
        revision_id = int(form.get("revision", ""))
        tags = {facet: _tag_list(form.get(facet, ""), facet) for facet in AXES}
        relevant = form.get("relevant") == "1" if form.get("relevance_shown") else None
        expires = _expiry(form.get("expires", ""))
        title = one_line(form.get("title", ""))
        if not title:
            raise FormError("Der Titel darf nicht leer sein.")
    except (FormError, ValueError) as exc:
        return [str(exc) if isinstance(exc, FormError) else "Ungültige Formulardaten."]
    now = datetime.now(UTC)
    try:
        with transaction(ctx.factory) as session:
            _save(session, item_id, revision_id, form, title, tags, relevant, expires, actor, now)
    except items_repo.DecisionError as exc:
        return [str(exc)]
    return None


def _save(
    session: Any, item_id: int, revision_id: int, form: dict[str, str], title: str,
    tags: dict[str, list[str]], relevant: bool | None, expires: datetime | None, actor: str, now: datetime,
) -> None:  # fmt: skip
    detail = review_repo.item_detail(session, item_id)
    if detail is None:
        raise items_repo.DecisionError(f"Unbekannter Eintrag {item_id}.")
    view = detail.view
    summary = clean_html(form.get("summary", ""), base_url=view.url)  # staff input is sanitized like harvest
    if title != view.title or summary != view.summary_html:
        review_repo.edit_content(
            session, item_id, revision_id, title=title, summary_html=summary,
            content_text=plain_text(summary) or view.content_text, actor=actor, now=now,
        )  # fmt: skip
    elif revision_id != view.revision_id:
        raise review_repo.StaleRevision(f"Eintrag {item_id} wurde inzwischen geändert; bitte neu laden.")
    # a changed tag or relevance is a correction: checked against the taxonomy, kept over later rule tagging and
    # the training data of the suggestions
    tags_repo.correct_if_changed(session, item_id, tags, relevant=relevant, taxonomy=load_taxonomy(), actor=actor,
                                 now=now)  # fmt: skip
    if expires != detail.expires_at:
        review_repo.set_expiry(session, item_id, expires, actor=actor, now=now)


def _tag_list(raw: str, facet: str) -> list[str]:
    values = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if len(values) > MAX_TAGS or any(len(value) > 80 for value in values):
        raise FormError(f"Zu viele oder zu lange Schlagworte im Feld {facet}.")
    return values


def _expiry(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise FormError("Ablaufdatum bitte als JJJJ-MM-TT angeben.") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
