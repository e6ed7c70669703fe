"""The public form: validation, hostile input, spam defences, the private link (in-process, real database)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from store import directory_repo
from store.directory_schema import DirectoryBusinessRow, DirectoryVersionRow
from tests.directory.conftest import VALID, DirEnv, build_env, client_for, form_token, submit

pytestmark = pytest.mark.anyio
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _count(env: DirEnv) -> int:
    with env.session() as session:
        return int(session.scalar(select(func.count()).select_from(DirectoryBusinessRow)) or 0)


def _private_link(html: str) -> str:
    found = re.search(r'id="private-link" href="http://[^/]+(/kauf-regional/verwalten/[^"]+)"', html)
    assert found, html
    return found.group(1)


async def test_valid_submission_enters_the_queue_and_shows_the_private_link(
    dir_env: DirEnv, client: httpx.AsyncClient
) -> None:
    answer = await submit(client)
    assert answer.status_code == 200
    link = _private_link(answer.text)
    with dir_env.session() as session:
        [entry] = directory_repo.queue(session, ["pending"])
        row = session.get(DirectoryBusinessRow, entry.id)
        assert row is not None and link.rsplit("/", 1)[1] not in row.edit_token_hash  # only the hash is kept
    assert entry.current.name == "Bäckerei Sonnenschein" and entry.current.lat == pytest.approx(50.917)
    assert entry.current.offer_kinds == ("abholung", "gutschein")
    assert entry.current.offers[1].scheme == "Freiberger Stadtgutschein"
    assert entry.submitter_email == "inhaberin@example.org"


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "address",
        "phone",
        "email",
        "website",
        "opening_notes",
        "abholung",
        "voucher_scheme",
        "description",
        "postcode",
        "lat",
        "town",
        "category",
    ],
)
async def test_xss_in_any_field_is_refused_or_stripped_and_never_echoed_raw(
    field: str, dir_env: DirEnv, client: httpx.AsyncClient
) -> None:
    base = VALID.get(field, "")
    answer = await submit(client, **{field: (base if isinstance(base, str) else "") + XSS})
    assert "<script>alert(1)" not in answer.text and "<img src=x" not in answer.text
    with dir_env.session() as session:
        names = session.scalars(select(DirectoryVersionRow)).all()
        for version in names:
            for value in (
                version.name,
                version.address,
                version.opening_notes,
                version.description,
                version.website or "",
            ):
                assert "<script" not in value and "<img" not in value


async def test_text_fields_keep_the_words_but_lose_the_markup(dir_env: DirEnv, client: httpx.AsyncClient) -> None:
    answer = await submit(client, name="Café <b>Glück</b>" + XSS)
    assert answer.status_code == 200
    with dir_env.session() as session:
        [entry] = directory_repo.queue(session, ["pending"])
    assert entry.current.name.startswith("Café Glück") and "<" not in entry.current.name.replace('">', "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "x" * 201}, "name", "Zu lang"),
        ({"opening_notes": "y" * 1001}, "opening_notes", "Zu lang"),
        ({"lat": "48.1", "lon": "11.5"}, "lat", "nicht in Sachsen"),
        ({"lat": "13.34", "lon": "50.91"}, "lat", "nicht in Sachsen"),  # swapped
        ({"lat": "NaN", "lon": "inf"}, "lat", "Dezimalzahlen"),
        ({"lat": "50.9", "lon": ""}, "lat", "Dezimalzahlen"),
        ({"website": "javascript:alert(1)"}, "website", "http"),
        ({"website": "ftp://example.org/"}, "website", "http"),
        ({"website": "data:text/html,<b>"}, "website", "http"),
        ({"angebot": ["onlineshop"], "website": "", "shop_url": "mailto:a@b.de"}, "shop_url", "http"),
        ({"angebot": ["onlineshop"], "website": ""}, "shop_url", "Onlineshop"),
        ({"email": "kein-at-zeichen"}, "email", "E-Mail"),
        ({"phone": "ruf mich an"}, "phone", "Telefonnummer"),
        ({"town": "München"}, "town", "keine Stadt"),
        ({"category": "waffen"}, "category", "Unbekannte Auswahl"),
        ({"postcode": "80331"}, "postcode", "Postleitzahl"),
        ({"valid_until": "01.01.2000"}, "valid_until", "Vergangenheit"),
        ({"valid_until": "31.02.2030"}, "valid_until", "TT.MM.JJJJ"),
        ({"angebot": []}, "offers", "mindestens ein Angebot"),
        ({"submitter_email": "x@"}, "submitter_email", "E-Mail-Adresse"),
    ],
)
async def test_invalid_input_is_refused_with_a_german_message(
    changes: dict[str, Any], field: str, message: str, dir_env: DirEnv, client: httpx.AsyncClient
) -> None:
    answer = await submit(client, **changes)
    assert answer.status_code == 422
    error = re.search(rf'<span class="kr-error"(?: id="err-{field}")?>([^<]+)</span>', answer.text)
    assert error and message in error.group(1), answer.text
    assert _count(dir_env) == 0


async def test_oversized_body_is_refused_before_parsing(dir_env: DirEnv, client: httpx.AsyncClient) -> None:
    answer = await submit(client, description="z" * 40_000)
    assert answer.status_code == 413 and _count(dir_env) == 0


async def test_missing_or_forged_token_is_refused(dir_env: DirEnv, client: httpx.AsyncClient) -> None:
    for token in ("", "1.abc.deadbeef", "x"):
        answer = await client.post("/kauf-regional/eintragen", data={**VALID, "token": token})
        assert answer.status_code == 403
    other = build_env(
        str(dir_env.settings.database_url),
        lambda **kw: dir_env.settings.model_copy(update=kw),
        directory_secret="another-key",
    )
    async with client_for(other.app) as foreign:
        page = await foreign.get("/kauf-regional/eintragen")
    answer = await client.post("/kauf-regional/eintragen", data={**VALID, "token": form_token(page.text)})
    assert answer.status_code == 403 and _count(dir_env) == 0


async def test_honeypot_gets_thanks_but_nothing_is_stored(dir_env: DirEnv, client: httpx.AsyncClient) -> None:
    answer = await submit(client, homepage="http://spam.example/")
    assert answer.status_code == 200 and "Vielen Dank" in answer.text and "private-link" not in answer.text
    assert _count(dir_env) == 0


async def test_too_fast_submission_is_shown_the_form_again(db_url: str, make_settings: Any) -> None:
    env = build_env(db_url, make_settings, directory_min_submit_seconds=30)
    async with client_for(env.app) as http:
        answer = await submit(http)
    assert (
        answer.status_code == 400 and "sehr schnell" in answer.text and 'value="Bäckerei Sonnenschein"' in answer.text
    )
    assert _count(env) == 0


async def test_rate_limit_per_address(db_url: str, make_settings: Any) -> None:
    env = build_env(db_url, make_settings, directory_rate_limit=2)
    async with client_for(env.app, "198.51.100.7") as http:
        statuses = [(await submit(http, name=f"Laden {n}")).status_code for n in range(3)]
    async with client_for(env.app, "198.51.100.8") as other:
        assert (await submit(other, name="Laden X")).status_code == 200
    assert statuses == [200, 200, 429]
    assert _count(env) == 3


async def test_private_link_updates_go_back_to_review_and_the_public_keeps_the_approved_version(
    dir_env: DirEnv, client: httpx.AsyncClient
) -> None:
    from datetime import UTC, date, datetime

    link = _private_link((await submit(client)).text)
    with dir_env.session() as session:
        [entry] = directory_repo.queue(session, ["pending"])
        directory_repo.approve(session, entry.id, entry.current_version_id, actor="rita", now=datetime.now(UTC))
    page = await client.get(link)
    assert page.status_code == 200 and 'value="Bäckerei Sonnenschein"' in page.text
    data = {**VALID, "name": "Bäckerei Sonnenschein & Söhne", "token": form_token(page.text)}
    data.pop("submitter_email")
    answer = await client.post(link, data=data)
    assert answer.status_code == 200 and "bisherige Fassung" in answer.text
    with dir_env.session() as session:
        [public] = directory_repo.public_entries(session, date.today())
        detail = directory_repo.detail(session, entry.id)
    assert public.business.name == "Bäckerei Sonnenschein"
    assert detail is not None and detail.status == "pending" and detail.current.name.endswith("Söhne")
    withdrawn = await client.post(link + "/zurueckziehen", data={"token": form_token(page.text)})
    assert withdrawn.status_code == 200
    with dir_env.session() as session:
        assert directory_repo.public_entries(session, date.today()) == []


async def test_wrong_private_link_and_action_without_token(dir_env: DirEnv, client: httpx.AsyncClient) -> None:
    link = _private_link((await submit(client)).text)
    assert (await client.get(link + "x")).status_code == 404
    assert (await client.get("/kauf-regional/verwalten/")).status_code == 404
    assert (await client.post(link + "/zurueckziehen", data={})).status_code == 403
    assert (await client.post(link + "/zurueckziehen", data={"token": "1.a.b"})).status_code == 403
    with dir_env.session() as session:
        assert [e.status for e in directory_repo.queue(session, ["pending"])] == ["pending"]


async def test_every_route_declares_the_public_policy(dir_env: DirEnv) -> None:
    from review.auth import Policy

    registry = dir_env.app.state.policies
    routes = [
        (method, route.path)
        for route in dir_env.app.routes
        for method in getattr(route, "methods", ())
        if method != "HEAD"
    ]
    assert routes and all(registry.policy_of(method, path) is Policy.PUBLIC for method, path in routes)


async def test_one_server_routes_the_form_to_the_directory_app(dir_env: DirEnv) -> None:
    from webapp import create_site

    site = create_site(dir_env.settings)
    async with client_for(site) as http:
        form = await http.get("/kauf-regional/eintragen")
        css = await http.get("/kauf-regional/directory.css")
        staff = await http.get("/staff/kauf-regional")
    assert form.status_code == 200 and 'name="homepage"' in form.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert staff.status_code in (303, 307)
