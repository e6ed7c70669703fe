"""Manual entries and the towns' offers through the staff app: create, review, edit, publish directly (admin),
"Stand" per town, held e-mails; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from store import entries_repo
from store.schema import AuditRow, ItemRow
from tests.review.conftest import ReviewEnv, login

pytestmark = pytest.mark.anyio

TEXT = "Die Stadt gibt **Gutscheine** aus.\n\n- für Händler\n- für Gastronomie\n\n<script>alert(1)</script>"


def _form(csrf: str, **extra: object) -> dict[str, object]:
    values: dict[str, object] = {
        "csrf": csrf, "section": "redaktion", "title": "Neue Hotline der Wirtschaftsförderung", "text": TEXT,
        "links": "Zum Antrag | https://www.freiberg.de/gutschein?utm_source=x", "topics": ["soforthilfen-zuschuesse"],
        "sectors": ["handel"], "towns": ["Freiberg"], "valid_until": "2099-12-31",
    }  # fmt: skip
    values.update(extra)
    return values


def _newest_manual(env: ReviewEnv) -> ItemRow:
    with env.session() as session:
        query = select(ItemRow).where(ItemRow.identity.like("manual:%")).order_by(ItemRow.id.desc())
        row: ItemRow | None = session.scalars(query).first()
        assert row is not None
        return row


async def test_reviewer_entry_goes_through_the_queue(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    form = (await client.get("/staff/entries/new")).text  # tags offered by their German names, sent as slugs
    assert '<option value="kauf-regional">Kauf regional</option>' in form
    assert '<option value="gastgewerbe-tourismus">Gastgewerbe und Tourismus</option>' in form
    answer = await client.post("/staff/entries/new", data=_form(csrf, publish="on"))  # reviewers can't publish
    assert answer.status_code == 303, answer.text
    item = _newest_manual(review_env)
    assert (item.source_id, item.status, item.towns) == ("redaktion", "pending", ["Freiberg"])
    page = await client.get(f"/staff/items/{item.id}")
    assert "<strong>Gutscheine</strong>" in page.text and "<li>für Händler</li>" in page.text
    assert "<script>alert" not in page.text  # typed markup stays text
    assert 'href="https://www.freiberg.de/gutschein"' in page.text  # link cleaned like harvested ones
    queue = await client.get("/staff/")
    assert f'id="row-{item.id}"' in queue.text
    decision = {"csrf": csrf, "revision": item.current_revision_id}
    approve = await client.post(f"/staff/items/{item.id}/do/approve", data=decision)
    assert approve.status_code == 303
    with review_env.session() as session:
        approved = session.get(ItemRow, item.id)
        assert approved is not None and approved.status == "approved"
        actions = [row.action for row in session.scalars(select(AuditRow).where(AuditRow.item_id == item.id))]
    assert actions[0] == "manual_create" and "expiry" in actions and actions[-1] == "approve"


async def test_edit_makes_a_new_revision_back_to_review(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client, "adam")
    await client.post("/staff/entries/new", data=_form(csrf, publish="on"))
    item = _newest_manual(review_env)
    assert item.status == "approved"
    form = await client.get(f"/staff/entries/{item.id}/edit")
    assert "**Gutscheine**" in form.text  # the source text comes back for editing
    first = item.current_revision_id
    changed = _form(csrf, title="Hotline: neue Zeiten", revision=str(first))
    assert (await client.post(f"/staff/entries/{item.id}/edit", data=changed)).status_code == 303
    edited = _newest_manual(review_env)
    assert edited.status == "pending" and edited.current_revision_id != first and edited.approved_revision_id == first
    stale = await client.post(f"/staff/entries/{item.id}/edit", data=_form(csrf, title="x", revision=str(first)))
    assert stale.status_code == 422 and "inzwischen geändert" in stale.text


async def test_admin_publishes_town_offer_directly(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client, "adam")
    offer = _form(csrf, section="kommunale-angebote", title="Gewerbesteuer wird gestundet", towns=["Döbeln"],
                  publish="on")  # fmt: skip
    assert (await client.post("/staff/entries/new", data=offer)).status_code == 303
    item = _newest_manual(review_env)
    assert (item.source_id, item.status) == ("kommunen", "approved")
    with review_env.session() as session:
        line = session.scalars(select(AuditRow).where(AuditRow.item_id == item.id, AuditRow.action == "approve")).one()
        assert line.actor == "adam" and line.detail["note"] == "published directly by admin"
        towns = entries_repo.approved_municipal_offers(session, now=datetime.now(UTC))
    assert [(t.town, [o.title for o in t.offers]) for t in towns] == [("Döbeln", ["Gewerbesteuer wird gestundet"])]
    overview = await client.get("/staff/entries")
    assert "Stand" in overview.text and 'id="town-Döbeln"' in overview.text
    confirm = await client.post("/staff/entries/stand", data={"csrf": csrf, "town": "Döbeln"})
    assert confirm.status_code == 303
    with review_env.session() as session:
        (town,) = entries_repo.approved_municipal_offers(session, now=datetime.now(UTC))
        assert town.stand >= towns[0].stand


async def test_invalid_drafts_are_refused_with_reasons(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    bad = _form(csrf, section="kommunale-angebote", towns=["Freiberg", "Döbeln"], links="javascript:alert(1)",
                title=" ", topics=["gibt-es-nicht"], valid_until="31.12.")  # fmt: skip
    answer = await client.post("/staff/entries/new", data=bad)
    assert answer.status_code == 422
    bad["valid_until"] = "2000-01-01"
    answer = await client.post("/staff/entries/new", data=bad)
    for reason in ("Titel darf nicht leer", "genau einem Ort", "keine gültige http(s)-Adresse",
                   "Unbekannte(r) Thema", "Vergangenheit"):  # fmt: skip
        assert reason in answer.text, reason
    with review_env.session() as session:
        assert session.scalars(select(ItemRow).where(ItemRow.identity.like("manual:%"))).first() is None


async def test_entry_pages_need_a_login(client: httpx.AsyncClient) -> None:
    for path in ("/staff/entries", "/staff/entries/new", "/staff/contacts", "/staff/mail/held"):
        answer = await client.get(path)
        assert answer.status_code == 303 and "/staff/login" in answer.headers["location"]
    assert (await client.post("/staff/entries/new", data={"title": "x"})).status_code in (401, 403)


async def test_contacts_are_validated_and_linked(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    bad = {"csrf": csrf, "section": "wichtig", "institution": "IHK Chemnitz", "phone": "12345",
           "email": "nicht-mail", "web": "ftp://x"}  # fmt: skip
    answer = await client.post("/staff/contacts/new", data=bad)
    assert answer.status_code == 422
    for reason in ("keine gültige Telefonnummer", "keine gültige E-Mail-Adresse", "keine gültige Web-Adresse"):
        assert reason in answer.text
    good = {**bad, "phone": "0371 6900-1010", "email": "Hotline@Chemnitz.IHK.de", "web": "https://www.ihk.de",
            "topic": "Corona-Hotline", "hours": "Mo–Fr 8–18 Uhr"}  # fmt: skip
    assert (await client.post("/staff/contacts/new", data=good)).status_code == 303
    page = await client.get("/staff/contacts")
    assert 'href="tel:+4937169001010"' in page.text and 'href="mailto:Hotline@chemnitz.ihk.de"' in page.text
