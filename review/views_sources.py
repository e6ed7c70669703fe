"""Source health for everyone; adding, editing and disabling sources for admins (catalog validation + SSRF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.render import redirect, render
from sources.catalog import KINDS, CatalogError, parse_source
from store import items_repo, sources_repo
from store.db import transaction
from store.records import SourceSpec, SourceState

TREND_LENGTH = 12
LIST_FIELDS = ("sectors", "topics", "towns")


@dataclass(frozen=True, slots=True)
class TrendPoint:
    at: datetime
    status: str
    entries: int
    level: int  # 0..4, the bar height class (no inline styles under our CSP)


@dataclass(frozen=True, slots=True)
class SourceHealth:
    state: SourceState
    trend: tuple[TrendPoint, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class SourcesPage:
    sources: tuple[SourceHealth, ...]


@dataclass(frozen=True, slots=True)
class SourceFormPage:
    is_new: bool
    form: dict[str, str]
    kinds: tuple[str, ...]
    errors: tuple[str, ...] = ()


def routes(ctx: AppContext) -> list[RouteSpec]:
    def health(request: Request) -> Response:
        return render(ctx, request, "staff/sources.html", SourcesPage(tuple(_health(ctx))))

    def new_form(request: Request) -> Response:
        return render(ctx, request, "staff/source_form.html", SourceFormPage(True, _blank(), KINDS))

    def edit_form(request: Request) -> Response:
        with transaction(ctx.factory) as session:
            state = sources_repo.get_source(session, request.path_params["source_id"])
        if state is None:
            return Response("Quelle nicht gefunden.", status_code=404)
        return render(ctx, request, "staff/source_form.html", SourceFormPage(False, _form_of(state), KINDS))

    async def save(request: Request) -> Response:
        form = {**_blank(), "enabled": "", **{key: str(value) for key, value in (await request.form()).items()}}
        source_id = request.path_params.get("source_id")
        if source_id is not None:
            form["id"] = source_id  # the id of an existing source never changes
        errors = await run_in_threadpool(_save, ctx, form, source_id is None, staff_of(request).name)
        if errors:
            page = SourceFormPage(source_id is None, form, KINDS, tuple(errors))
            return render(ctx, request, "staff/source_form.html", page, status_code=422)
        return redirect("/staff/sources", msg=f"Quelle {form['id']} gespeichert.")

    async def disable(request: Request) -> Response:
        await request.form()
        source_id = request.path_params["source_id"]
        found = await run_in_threadpool(_disable, ctx, source_id, staff_of(request).name)
        if not found:
            return Response("Quelle nicht gefunden.", status_code=404)
        return redirect("/staff/sources", msg=f"Quelle {source_id} deaktiviert.")

    return [
        RouteSpec("GET", "/staff/sources", health, Policy.REVIEWER, "sources"),
        RouteSpec("GET", "/staff/sources/new", new_form, Policy.ADMIN, "source_new"),
        RouteSpec("POST", "/staff/sources/new", save, Policy.ADMIN, "source_create"),
        RouteSpec("GET", "/staff/sources/{source_id:str}/edit", edit_form, Policy.ADMIN, "source_edit"),
        RouteSpec("POST", "/staff/sources/{source_id:str}/edit", save, Policy.ADMIN, "source_update"),
        RouteSpec("POST", "/staff/sources/{source_id:str}/disable", disable, Policy.ADMIN, "source_disable"),
    ]


def _health(ctx: AppContext) -> list[SourceHealth]:
    with transaction(ctx.factory) as session:
        states = sources_repo.list_sources(session)
        trends = {s.id: sources_repo.recent_fetch_counts(session, s.id, TREND_LENGTH) for s in states}
    return [SourceHealth(state, _trend(trends[state.id])) for state in states]


def _trend(rows: list[tuple[datetime, str, int]]) -> tuple[TrendPoint, ...]:
    top = max((entries for _, _, entries in rows), default=0) or 1
    return tuple(TrendPoint(at, status, entries, round(4 * entries / top)) for at, status, entries in reversed(rows))


def _blank() -> dict[str, str]:
    return {"id": "", "name": "", "kind": "feed", "url": "", "interval": "2h", "selectors": "", "sectors": "",
            "topics": "", "towns": "", "enabled": "on", "notes": ""}  # fmt: skip


def _form_of(state: SourceState) -> dict[str, str]:
    config: dict[str, Any] = dict(state.config)
    selectors = config.get("selectors") or {}
    form = _blank()
    form.update(
        id=state.id, name=state.name, kind=state.kind, url=state.url,
        interval=str(config.get("interval") or f"{state.interval_seconds}s"),
        selectors="\n".join(f"{key}: {value}" for key, value in selectors.items()),
        enabled="on" if state.enabled else "", notes=str(config.get("notes") or ""),
        **{name: ", ".join(config.get(name) or []) for name in LIST_FIELDS},
    )  # fmt: skip
    return form


def _data(form: dict[str, str]) -> dict[str, object]:
    """The form as a catalog entry, so the catalog's validation (incl. SSRF rules) applies unchanged."""
    data: dict[str, object] = {key: form.get(key, "").strip() for key in ("id", "name", "kind", "url", "interval")}
    data["enabled"] = form.get("enabled") == "on"
    for name in LIST_FIELDS:
        data[name] = [part.strip() for part in form.get(name, "").split(",") if part.strip()]
    selectors = dict(_selector_line(line) for line in form.get("selectors", "").splitlines() if line.strip())
    if selectors:
        data["selectors"] = selectors
    if form.get("notes", "").strip():
        data["notes"] = form["notes"].strip()
    return data


def _selector_line(line: str) -> tuple[str, str]:
    key, _, value = line.partition(":")
    return key.strip(), value.strip()


def _save(ctx: AppContext, form: dict[str, str], is_new: bool, actor: str) -> list[str]:
    try:
        config = parse_source(_data(form), where="Formular", allow_hosts=ctx.settings.fetch_allow_hosts)
    except CatalogError as exc:
        return list(exc.problems)
    spec = SourceSpec(
        id=config.id, name=config.name, kind=config.kind, url=config.url,
        interval_seconds=int(config.interval.total_seconds()), enabled=config.enabled, config=config.to_dict(),
    )  # fmt: skip
    now = datetime.now(UTC)
    with transaction(ctx.factory) as session:
        exists = sources_repo.get_source(session, spec.id) is not None
        if is_new and exists:
            return [f"Eine Quelle mit der ID {spec.id} gibt es schon."]
        sources_repo.upsert_source(session, spec, origin="admin")
        action = "source_add" if is_new else "source_edit"
        items_repo.audit(session, actor=actor, action=action, now=now, detail={"source": spec.id, "url": spec.url})
    return []


def _disable(ctx: AppContext, source_id: str, actor: str) -> bool:
    with transaction(ctx.factory) as session:
        state = sources_repo.get_source(session, source_id)
        if state is None:
            return False
        spec = SourceSpec(
            id=state.id, name=state.name, kind=state.kind, url=state.url, interval_seconds=state.interval_seconds,
            enabled=False, config={**dict(state.config), "enabled": False},
        )  # fmt: skip
        sources_repo.upsert_source(session, spec, origin="admin")
        items_repo.audit(
            session, actor=actor, action="source_disable", now=datetime.now(UTC), detail={"source": source_id}
        )
    return True
