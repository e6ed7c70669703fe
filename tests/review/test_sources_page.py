"""Source health for reviewers; admins add, edit and disable sources with the catalog's validation (SSRF too)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from flows.pipeline import enrich_in_batches
from store import sources_repo
from store.records import Counts
from store.schema import AuditRow, ItemRow, SourceRow
from tests.review.conftest import T0, ReviewEnv, login

pytestmark = pytest.mark.anyio


def _form(csrf: str, **values: str) -> dict[str, str]:
    form = {"csrf": csrf, "id": "sab-news", "name": "SAB", "kind": "feed", "url": "https://www.sab.sachsen.de/feed",
            "interval": "2h", "sectors": "", "topics": "", "towns": "Freiberg", "enabled": "on",
            "selectors": ""}  # fmt: skip
    form.update(values)
    return form


async def test_health_shows_status_errors_and_trend(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    with review_env.session() as session:
        for n, (status, entries) in enumerate((("ok", 4), ("ok", 8), ("error", 0))):
            at = T0 + timedelta(hours=n)
            sources_repo.log_fetch(
                session, "ihk", started_at=at, finished_at=at, status=status, entries=entries, counts=Counts()
            )
        sources_repo.record_failure(session, "ihk", now=T0, next_fetch_at=T0, code="http_5xx", message="HTTP 503 <b>")
    await login(client)
    page = await client.get("/staff/sources")
    assert page.status_code == 200
    assert "<code>http_5xx</code> HTTP 503 &lt;b&gt;" in page.text
    assert 'class="bar h2 ok"' in page.text and 'class="bar h4 ok"' in page.text and 'class="bar h0 error"' in page.text
    assert "/staff/sources/new" not in page.text  # reviewers see no admin links


async def test_admin_adds_edits_and_disables_a_source(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client, "adam")
    assert (await client.get("/staff/sources/new")).status_code == 200
    answer = await client.post("/staff/sources/new", data=_form(csrf))
    assert answer.status_code == 303, answer.text
    again = await client.post("/staff/sources/new", data=_form(csrf))
    assert again.status_code == 422 and "gibt es schon" in again.text
    edit = await client.get("/staff/sources/sab-news/edit")
    assert 'value="Freiberg"' in edit.text
    answer = await client.post("/staff/sources/sab-news/edit", data=_form(csrf, name="SAB Förderbank", interval="1d"))
    assert answer.status_code == 303
    assert (await client.post("/staff/sources/sab-news/disable", data={"csrf": csrf})).status_code == 303
    with review_env.session() as session:
        row = session.get(SourceRow, "sab-news")
        actions = [a.action for a in session.scalars(select(AuditRow).order_by(AuditRow.id))]
    assert row is not None and row.origin == "admin" and row.name == "SAB Förderbank" and not row.enabled
    assert row.interval_seconds == 86400 and row.config["towns"] == ["Freiberg"]
    assert actions == ["source_add", "source_edit", "source_disable"]


async def test_changed_tagging_defaults_in_the_form_retag_the_sources_items(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    """A source's sectors, topics and towns in the admin form are defaults of its items' tags: after saving other
    ones, the next enrichment tags its items under review again with them (a town applies to every item; sectors
    and topics only to business-relevant ones, which these one-word texts are not)."""
    assert enrich_in_batches(review_env.factory) == 6
    csrf = await login(client, "adam")
    form = _form(csrf, id="ihk", name="IHK", url="https://ihk.example.org/feed", interval="1h",
                 towns="Hainichen")  # fmt: skip
    assert (await client.post("/staff/sources/ihk/edit", data=form)).status_code == 303
    assert enrich_in_batches(review_env.factory) == 3  # the IHK's three items, not the town's
    with review_env.session() as session:
        towns = {row.source_id: row.towns for row in session.scalars(select(ItemRow))}
    assert towns == {"ihk": ["Hainichen"], "stadt-freiberg": []}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.5/x",
        "file:///etc/passwd",
    ],
)
async def test_admin_form_refuses_non_public_addresses(
    review_env: ReviewEnv, client: httpx.AsyncClient, url: str
) -> None:
    csrf = await login(client, "adam")
    answer = await client.post("/staff/sources/new", data=_form(csrf, url=url))
    assert answer.status_code == 422 and "Formular" in answer.text
    with review_env.session() as session:
        assert session.get(SourceRow, "sab-news") is None


async def test_admin_form_reports_catalog_problems(client: httpx.AsyncClient) -> None:
    csrf = await login(client, "adam")
    answer = await client.post("/staff/sources/new", data=_form(csrf, id="X!", kind="listing", interval="nie"))
    assert answer.status_code == 422
    assert answer.text.count("<li>") >= 2  # every problem, one per line
