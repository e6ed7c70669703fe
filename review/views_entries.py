"""Entries staff write themselves: own notices and the towns' offers ("Angebote der Kommunen"), the towns'
"Stand", and the e-mail intake's held list.

New and edited entries go to the review queue like harvested items; an admin may tick "direkt
veröffentlichen" (the audit log notes "published directly by admin"). Reviewers cannot publish directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from process.entries import SECTION_LABELS, SECTIONS, DraftError, EntryDraft, Vocabulary, check_draft, parse_links
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.render import redirect, render
from sources.catalog import SECTORS, TOPICS, TOWNS
from store import entries_repo, items_repo, mail_repo
from store.db import transaction
from store.entries_repo import ManualEntry, TownOffers
from store.mail_repo import HeldMail

VOCABULARY = Vocabulary(topics=TOPICS, sectors=SECTORS, towns=TOWNS)


@dataclass(frozen=True, slots=True)
class EntriesPage:
    entries: tuple[ManualEntry, ...]
    towns: tuple[TownOffers, ...]  # published offers per town, with "Stand"
    section_labels: dict[str, str]
    town_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EntryFormPage:
    item_id: int | None
    form: dict[str, Any]
    vocabulary: Vocabulary
    section_labels: dict[str, str]
    errors: tuple[str, ...] = ()
    status: str = ""


@dataclass(frozen=True, slots=True)
class HeldPage:
    messages: tuple[HeldMail, ...] = field(default=())


def routes(ctx: AppContext) -> list[RouteSpec]:
    def overview(request: Request) -> Response:
        with transaction(ctx.factory) as session:
            entries = entries_repo.list_entries(session)
            towns = entries_repo.approved_municipal_offers(session, now=datetime.now(UTC))
        return render(
            ctx, request, "staff/entries.html", EntriesPage(tuple(entries), tuple(towns), SECTION_LABELS, TOWNS)
        )

    def new_form(request: Request) -> Response:
        section = request.query_params.get("section", "redaktion")
        form = _blank(section if section in SECTIONS else "redaktion", request.query_params.get("town", ""))
        return render(ctx, request, "staff/entry_form.html", EntryFormPage(None, form, VOCABULARY, SECTION_LABELS))

    def edit_form(request: Request) -> Response:
        item_id = int(request.path_params["item_id"])
        with transaction(ctx.factory) as session:
            entry = entries_repo.get_entry(session, item_id)
        if entry is None:
            return Response("Eintrag nicht gefunden.", status_code=404)
        page = EntryFormPage(item_id, _form_of(entry), VOCABULARY, SECTION_LABELS, status=entry.status)
        return render(ctx, request, "staff/entry_form.html", page)

    async def save(request: Request) -> Response:
        raw = await request.form()
        item_id = request.path_params.get("item_id")
        staff = staff_of(request)
        publish = raw.get("publish") == "on" and staff.is_admin  # reviewers cannot publish directly
        form = _form_from(raw)
        errors, new_id = await run_in_threadpool(_save, ctx, form, item_id, staff.name, publish)
        if errors:
            page = EntryFormPage(item_id, form, VOCABULARY, SECTION_LABELS, tuple(errors))
            return render(ctx, request, "staff/entry_form.html", page, status_code=422)
        done = "veröffentlicht" if publish else "gespeichert und in die Prüfliste gestellt"
        return redirect("/staff/entries", msg=f"Eintrag {new_id} {done}.")

    async def confirm_stand(request: Request) -> Response:
        town = str((await request.form()).get("town", ""))
        if town not in TOWNS:
            return Response("Unbekannter Ort.", status_code=422)
        with transaction(ctx.factory) as session:
            entries_repo.confirm_town(session, town, actor=staff_of(request).name, now=datetime.now(UTC))
        return redirect("/staff/entries", msg=f"Stand für {town} bestätigt.")

    def held(request: Request) -> Response:
        with transaction(ctx.factory) as session:
            messages = mail_repo.held_messages(session)
        return render(ctx, request, "staff/held_mail.html", HeldPage(tuple(messages)))

    return [
        RouteSpec("GET", "/staff/entries", overview, Policy.REVIEWER, "entries"),
        RouteSpec("GET", "/staff/entries/new", new_form, Policy.REVIEWER, "entry_new"),
        RouteSpec("POST", "/staff/entries/new", save, Policy.REVIEWER, "entry_create"),
        RouteSpec("GET", "/staff/entries/{item_id:int}/edit", edit_form, Policy.REVIEWER, "entry_edit"),
        RouteSpec("POST", "/staff/entries/{item_id:int}/edit", save, Policy.REVIEWER, "entry_update"),
        RouteSpec("POST", "/staff/entries/stand", confirm_stand, Policy.REVIEWER, "entry_town_stand"),
        RouteSpec("GET", "/staff/mail/held", held, Policy.REVIEWER, "mail_held"),
    ]


def _blank(section: str, town: str = "") -> dict[str, Any]:
    return {"section": section, "title": "", "text": "", "links": "", "valid_until": "", "revision": "",
            "topics": [], "sectors": [], "towns": [town] if town in TOWNS else []}  # fmt: skip


def _form_of(entry: ManualEntry) -> dict[str, Any]:
    links = "\n".join(f"{link.label} | {link.url}" if link.label != link.url else link.url for link in entry.links)
    return {
        "section": entry.section, "title": entry.title, "text": entry.text, "links": links,
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else "", "revision": str(entry.revision_id),
        "topics": list(entry.topics), "sectors": list(entry.sectors), "towns": list(entry.towns),
    }  # fmt: skip


def _form_from(raw: FormData) -> dict[str, Any]:
    form: dict[str, Any] = {key: str(raw.get(key, "")) for key in ("section", "title", "text", "links", "valid_until",
                                                                   "revision")}  # fmt: skip
    for name in ("topics", "sectors", "towns"):
        form[name] = [str(value) for value in raw.getlist(name)]
    return form


def draft_of(form: dict[str, Any]) -> EntryDraft:
    """The form as a draft; a bad date raises DraftError."""
    valid_until = None
    if form.get("valid_until", "").strip():
        try:
            valid_until = date.fromisoformat(form["valid_until"].strip())
        except ValueError:
            raise DraftError(["„Gültig bis“ bitte als JJJJ-MM-TT angeben."]) from None
    return EntryDraft(
        title=form.get("title", ""), text=form.get("text", ""), section=form.get("section", "redaktion"),
        topics=tuple(form.get("topics", ())), sectors=tuple(form.get("sectors", ())),
        towns=tuple(form.get("towns", ())), links=parse_links(form.get("links", "")), valid_until=valid_until,
    )  # fmt: skip


def _save(ctx: AppContext, form: dict[str, Any], item_id: Any, actor: str, publish: bool) -> tuple[list[str], int]:
    now = datetime.now(UTC)
    try:
        draft = check_draft(draft_of(form), VOCABULARY, today=now.date() if item_id is None else None)
    except DraftError as error:
        return list(error.problems), 0
    try:
        with transaction(ctx.factory) as session:
            if item_id is None:
                return [], entries_repo.create_entry(session, draft, actor=actor, now=now, publish=publish)
            revision = int(form.get("revision") or 0)
            entries_repo.update_entry(session, int(item_id), revision, draft, actor=actor, now=now, publish=publish)
            return [], int(item_id)
    except items_repo.DecisionError as error:
        return [str(error)], 0
