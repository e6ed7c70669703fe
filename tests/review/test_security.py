"""The security baseline of the staff app, in process (httpx ASGITransport) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import update
from starlette.routing import Mount

from review.auth import Policy
from review.security import CSP
from store import users_repo
from store.review_schema import StaffSessionRow
from tests.review.conftest import PASSWORD, ReviewEnv, hidden, login

pytestmark = pytest.mark.anyio
PARAMS = {
    "item_id": "1",
    "action": "approve",
    "source_id": "ihk",
    "contact_id": "1",
    "other": "2",
    "axis": "expiry",
    "slug": "handel",
}


def _routes(app: object) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute):
            found += [(method, route.path) for method in sorted(route.methods or ())]
        elif isinstance(route, Mount):
            found.append(("GET", route.path))
        else:
            pytest.fail(f"route of unknown kind {route!r}: give it a policy")
    return found


def _url(path: str) -> str:
    for name, value in PARAMS.items():
        path = path.replace("{" + name + ":int}", value).replace("{" + name + ":str}", value)
    return path


async def test_every_route_declares_a_policy_and_it_is_enforced(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    registry = review_env.app.state.policies
    routes = _routes(review_env.app)
    missing = [route for route in routes if registry.policy_of(*route) is None]
    assert missing == []
    assert len(routes) >= 15
    for method, path in routes:  # anonymous: only public routes answer
        if registry.policy_of(method, path) is not Policy.PUBLIC:
            answer = await client.request(method, _url(path))
            assert answer.status_code in (303, 401), (method, path, answer.status_code)
    csrf = await login(client, "rita")
    for method, path in routes:  # a reviewer is refused admin routes
        if registry.policy_of(method, path) is Policy.ADMIN:
            answer = await client.request(method, _url(path), headers={"X-CSRF-Token": csrf})
            assert answer.status_code == 403, (method, path)


async def test_same_message_for_unknown_user_and_wrong_password(client: httpx.AsyncClient) -> None:
    answers = []
    for name, password in (("rita", "falsch-falsch-falsch"), ("niemand", PASSWORD), ("", "")):
        form = await client.get("/staff/login")
        answer = await client.post(
            "/staff/login", data={"name": name, "password": password, "csrf": hidden(form.text, "csrf")}
        )
        answers.append((answer.status_code, "Benutzername oder Passwort falsch" in answer.text))
    assert answers == [(401, True)] * 3


async def test_login_needs_its_csrf_token(client: httpx.AsyncClient) -> None:
    await client.get("/staff/login")
    answer = await client.post("/staff/login", data={"name": "rita", "password": PASSWORD, "csrf": "erfunden"})
    assert answer.status_code == 403


async def test_new_session_id_at_login_and_logout_invalidates(client: httpx.AsyncClient) -> None:
    client.cookies.set("rubrik_session", "vom-angreifer-gesetzt", domain="testserver.local")
    csrf = await login(client)
    token = client.cookies.get("rubrik_session", domain="testserver.local")
    assert token and token != "vom-angreifer-gesetzt"
    answer = await client.post("/staff/logout", data={"csrf": csrf})
    assert answer.status_code == 303
    client.cookies.set("rubrik_session", token, domain="testserver.local")  # a copied cookie is worthless now
    assert (await client.get("/staff/")).status_code == 303


async def test_cookie_flags_and_secure_behind_trusted_proxy(review_env: ReviewEnv) -> None:
    settings = review_env.settings.model_copy(update={"review_trusted_proxies": ["127.0.0.1"]})
    from review.app import create_app

    app = create_app(settings)
    for peer, secure in (("127.0.0.1", True), ("10.0.0.9", False)):
        transport = httpx.ASGITransport(app=app, client=(peer, 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answer = await http.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure
        assert cookie.startswith("__Host-rubrik_login=") is secure


async def test_csrf_required_on_every_state_change(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    await login(client)
    item = review_env.item_ids()[0]
    for data in ({}, {"csrf": "falsch"}):
        answer = await client.post(f"/staff/queue/{item}/approve", data={**data, "revision": "1"})
        assert answer.status_code == 403
    assert (await client.get(f"/staff/queue/{item}/approve")).status_code == 405  # no state change on GET
    with review_env.session() as session:
        assert users_repo.find_user(session, "rita") is not None
        from store import items_repo

        assert items_repo.count_items(session).get("approved", 0) == 0


async def test_disabling_a_user_ends_the_sessions(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    await login(client)
    with review_env.session() as session:
        users_repo.set_disabled(session, "rita", True)
    assert (await client.get("/staff/")).status_code == 303
    form = await client.get("/staff/login")
    answer = await client.post(
        "/staff/login", data={"name": "rita", "password": PASSWORD, "csrf": hidden(form.text, "csrf")}
    )
    assert answer.status_code == 401


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
async def test_idle_and_absolute_timeouts(review_env: ReviewEnv, client: httpx.AsyncClient, column: str) -> None:
    await login(client)
    with review_env.session() as session:
        session.execute(update(StaffSessionRow).values({column: datetime.now(UTC) - timedelta(days=2)}))
    answer = await client.get("/staff/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login")


async def test_login_throttle_per_user_and_address(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    for _ in range(review_env.settings.review_login_max_failures):
        form = await client.get("/staff/login")
        await client.post(
            "/staff/login", data={"name": "rita", "password": "falsch", "csrf": hidden(form.text, "csrf")}
        )
    form = await client.get("/staff/login")
    answer = await client.post(
        "/staff/login", data={"name": "rita", "password": PASSWORD, "csrf": hidden(form.text, "csrf")}
    )
    assert answer.status_code == 429 and "Zu viele Fehlversuche" in answer.text
    assert await login(client, "adam")  # another user from the same address is not locked out


async def test_security_headers(client: httpx.AsyncClient) -> None:
    await login(client)
    page = await client.get("/staff/")
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'; style-src 'self'")
    for part in ("frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert part in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " on" not in page.text.split("<body", 1)[1].split(">", 1)[0]
    static = await client.get("/staff/static/review.js")
    assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"


async def test_no_open_redirect_after_login(client: httpx.AsyncClient) -> None:
    form = await client.get("/staff/login?next=//evil.example/")
    assert hidden(form.text, "next") == "/staff/"
    answer = await client.post(
        "/staff/login",
        data={"name": "rita", "password": PASSWORD, "csrf": hidden(form.text, "csrf"), "next": "https://evil.example/"},
    )
    assert answer.headers["location"] == "/staff/"


async def test_sessions_table_stores_only_token_hashes(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    await login(client)
    token = client.cookies.get("rubrik_session")
    with review_env.session() as session:
        ids = [row.id for row in session.query(StaffSessionRow)]
    assert token not in ids and len(ids) == 1


async def test_plain_endpoints_check_the_session_in_their_own_worker_thread(
    review_env: ReviewEnv, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One thread hop per request: the session lookup of a plain endpoint runs where the endpoint runs."""
    import threading

    from review import auth

    csrf = await login(client)
    threads: list[str] = []
    lookup = auth._identity

    def spy(*args: object) -> object:
        threads.append(threading.current_thread().name)
        return lookup(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(auth, "_identity", spy)
    hops: list[object] = []
    from starlette.concurrency import run_in_threadpool as real_hop

    async def counted_hop(func: Any, *args: Any) -> Any:
        hops.append(func)
        return await real_hop(func, *args)

    monkeypatch.setattr(auth, "run_in_threadpool", counted_hop)
    assert (await client.get("/staff/")).status_code == 200
    item = review_env.item_ids()[0]
    answer = await client.post(f"/staff/queue/{item}/approve", data={"revision": "0", "csrf": csrf})
    assert answer.status_code in (200, 303)
    assert len(threads) == 2 and hops == [], "no extra hop for the session check"
    assert all(name != threading.main_thread().name for name in threads)
    # and an endpoint that cannot take part is refused when the app is built, not at request time
    with pytest.raises(TypeError, match="request"):
        auth.in_thread_guard(None, Policy.REVIEWER, lambda: None)  # type: ignore[arg-type]
