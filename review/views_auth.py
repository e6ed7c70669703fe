"""Login and logout. A new session id at every login; the login form itself carries a CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from review import auth
from review.auth import LOGIN_COOKIE, LOGIN_THROTTLED, SESSION_COOKIE, Policy, RouteSpec
from review.context import AppContext
from review.render import redirect, render
from review.security import ClientInfo, cookie_name, new_token, safe_next

SAMESITE: Literal["lax"] = "lax"  # top-level links from e-mails keep the session; every POST still needs the CSRF token


@dataclass(frozen=True, slots=True)
class LoginPage:
    login_token: str
    next: str
    name: str = ""
    error: str = ""


def routes(ctx: AppContext) -> list[RouteSpec]:
    def login_form(request: Request) -> Response:
        return _login_page(ctx, request, next_path=safe_next(request.query_params.get("next"), "/staff/"))

    async def login(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("name", "")).strip()[:100], str(form.get("password", ""))
        next_path = safe_next(str(form.get("next", "")), "/staff/")
        client: ClientInfo = request.state.client
        result = await run_in_threadpool(auth.login, ctx, name, password, client.ip, new_token)
        if result.token is None:
            status = 429 if result.error == LOGIN_THROTTLED else 401
            return _login_page(ctx, request, next_path=next_path, name=name, error=result.error or "", status=status)
        response = redirect(next_path)
        _set_cookie(ctx, response, client, SESSION_COOKIE, result.token, max_age=_absolute(ctx))
        response.delete_cookie(cookie_name(LOGIN_COOKIE, client.https), path="/", secure=client.https)
        return response

    async def logout(request: Request) -> Response:
        await run_in_threadpool(auth.logout, ctx, request)
        client: ClientInfo = request.state.client
        response = redirect("/staff/login", msg="Abgemeldet.")
        response.delete_cookie(cookie_name(SESSION_COOKIE, client.https), path="/", secure=client.https)
        return response

    return [
        RouteSpec("GET", "/staff/login", login_form, Policy.PUBLIC, "login_form"),
        RouteSpec("POST", "/staff/login", login, Policy.PUBLIC, "login"),
        RouteSpec("POST", "/staff/logout", logout, Policy.REVIEWER, "logout"),
    ]


def _absolute(ctx: AppContext) -> int:
    return ctx.settings.review_session_absolute_hours * 3600


def _login_page(
    ctx: AppContext, request: Request, *, next_path: str, name: str = "", error: str = "", status: int = 200
) -> Response:
    token = new_token()  # a fresh double-submit token per form
    response = render(ctx, request, "staff/login.html", LoginPage(token, next_path, name, error), status_code=status)
    _set_cookie(ctx, response, request.state.client, LOGIN_COOKIE, token, max_age=3600)
    return response


def _set_cookie(
    ctx: AppContext, response: Response, client: ClientInfo, base: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        cookie_name(base, client.https), value, max_age=max_age, path="/", secure=client.https, httponly=True,
        samesite=SAMESITE,
    )  # fmt: skip
