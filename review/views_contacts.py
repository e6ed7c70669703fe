"""Contacts as data: the contact block and "Wichtige Kontakte", edited by staff, validated (phone numbers
to E.164, e-mail syntax, http(s) addresses) and shown as ``tel:``/``mailto:`` links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from process.contacts import CONTACT_FIELDS, Contact, ContactProblems, check_contact
from review.auth import Policy, RouteSpec, staff_of
from review.context import AppContext
from review.render import redirect, render
from store import contacts_repo, items_repo
from store.contacts_repo import StoredContact
from store.db import transaction

SECTION_LABELS = {"block": "Kontaktblock", "wichtig": "Wichtige Kontakte"}


@dataclass(frozen=True, slots=True)
class ContactsPage:
    contacts: tuple[StoredContact, ...]
    section_labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class ContactFormPage:
    contact_id: int | None
    form: dict[str, str]
    section_labels: dict[str, str]
    errors: tuple[str, ...] = ()


def routes(ctx: AppContext) -> list[RouteSpec]:
    def overview(request: Request) -> Response:
        with transaction(ctx.factory) as session:
            stored = contacts_repo.list_contacts(session)
        return render(ctx, request, "staff/contacts.html", ContactsPage(tuple(stored), SECTION_LABELS))

    def new_form(request: Request) -> Response:
        form = dict.fromkeys(CONTACT_FIELDS, "") | {"section": request.query_params.get("section", "wichtig")}
        return render(ctx, request, "staff/contact_form.html", ContactFormPage(None, form, SECTION_LABELS))

    def edit_form(request: Request) -> Response:
        contact_id = int(request.path_params["contact_id"])
        with transaction(ctx.factory) as session:
            stored = contacts_repo.get_contact(session, contact_id)
        if stored is None:
            return Response("Kontakt nicht gefunden.", status_code=404)
        page = ContactFormPage(contact_id, _form_of(stored.contact), SECTION_LABELS)
        return render(ctx, request, "staff/contact_form.html", page)

    async def save(request: Request) -> Response:
        raw = await request.form()
        form = {name: str(raw.get(name, "")) for name in CONTACT_FIELDS}
        contact_id = request.path_params.get("contact_id")
        errors = await run_in_threadpool(_save, ctx, form, contact_id, staff_of(request).name)
        if errors:
            page = ContactFormPage(contact_id, form, SECTION_LABELS, tuple(errors))
            return render(ctx, request, "staff/contact_form.html", page, status_code=422)
        return redirect("/staff/contacts", msg=f"Kontakt „{form['institution'].strip()}“ gespeichert.")

    async def remove(request: Request) -> Response:
        await request.form()
        contact_id = int(request.path_params["contact_id"])
        with transaction(ctx.factory) as session:
            found = contacts_repo.delete_contact(
                session, contact_id, actor=staff_of(request).name, now=datetime.now(UTC)
            )
        if not found:
            return Response("Kontakt nicht gefunden.", status_code=404)
        return redirect("/staff/contacts", msg="Kontakt gelöscht.")

    return [
        RouteSpec("GET", "/staff/contacts", overview, Policy.REVIEWER, "contacts"),
        RouteSpec("GET", "/staff/contacts/new", new_form, Policy.REVIEWER, "contact_new"),
        RouteSpec("POST", "/staff/contacts/new", save, Policy.REVIEWER, "contact_create"),
        RouteSpec("GET", "/staff/contacts/{contact_id:int}/edit", edit_form, Policy.REVIEWER, "contact_edit"),
        RouteSpec("POST", "/staff/contacts/{contact_id:int}/edit", save, Policy.REVIEWER, "contact_update"),
        RouteSpec("POST", "/staff/contacts/{contact_id:int}/delete", remove, Policy.REVIEWER, "contact_delete"),
    ]


def _form_of(contact: Contact) -> dict[str, str]:
    return {name: str(getattr(contact, name)) for name in CONTACT_FIELDS}


def _save(ctx: AppContext, form: dict[str, str], contact_id: object, actor: str) -> list[str]:
    try:
        contact = check_contact(form)
    except ContactProblems as error:
        return list(error.problems)
    target = int(str(contact_id)) if contact_id is not None else None
    try:
        with transaction(ctx.factory) as session:
            contacts_repo.save_contact(session, contact, actor=actor, now=datetime.now(UTC), contact_id=target)
    except items_repo.DecisionError as error:
        return [str(error)]
    return []
