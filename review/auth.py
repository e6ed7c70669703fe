"""Who may call what: the route policy registry, session lookup, CSRF checks, login and logout.

Every route is registered with exactly one :class:`Policy` through :func:`RouteSpec`; ``create_app`` refuses a
route without one and a test walks ``app.routes`` to prove it. Every non-GET request carries a CSRF token:
the session's synchronizer token, or (for the login form, before any session exists) a double-submit cookie.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from review.context import AppContext
from review.passwords import hash_password, needs_rehash, verify_password
from review.security import CSRF_FIELD, CSRF_HEADER, ClientInfo, client_info, cookie_name, same_token, token_hash
from store import users_repo
from store.db import transaction
from store.users_repo import StaffIdentity

SESSION_COOKIE = "rubrik_session"
LOGIN_COOKIE = "rubrik_login"
LOGIN_FAILED = "Anmeldung fehlgeschlagen: Benutzername oder Passwort falsch."
LOGIN_THROTTLED = "Zu viele Fehlversuche. Bitte in einigen Minuten erneut versuchen."


class Policy(enum.Enum):
    PUBLIC = "public"  # login form and static files
    REVIEWER = "reviewer"  # decide items (admins too)
    ADMIN = "admin"  # sources and users


@dataclass(frozen=True, slots=True)
class RouteSpec:
    method: str
    path: str
    endpoint: Callable[..., Any]
    policy: Policy
    name: str = ""


@dataclass(frozen=True, slots=True)
class Staff:
    identity: StaffIdentity
    client: ClientInfo

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def is_admin(self) -> bool:
        return self.identity.role == "admin"


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, htmx and POST requests get 401."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this route, or the CSRF token is missing/wrong."""


@dataclass
class PolicyRegistry:
    """(METHOD, path) -> policy of every route of the app; the single place to look up who may call what."""

    policies: dict[tuple[str, str], Policy] = field(default_factory=dict)

    def declare(self, spec: RouteSpec) -> None:
        key = (spec.method, spec.path)
        if key in self.policies:
            raise ValueError(f"route declared twice: {key}")
        self.policies[key] = spec.policy

    def policy_of(self, method: str, path: str) -> Policy | None:
        return self.policies.get((method, path))


def guard(ctx: AppContext, policy: Policy, *, in_thread: bool = False) -> Callable[[Request], Any]:
    """The FastAPI dependency enforcing ``policy`` (and CSRF on every non-GET method).

    ``in_thread``: the route's endpoint is a plain function, which FastAPI runs in a worker thread; the session
    lookup then happens in that same thread (:func:`in_thread_guard`), right before the endpoint, instead of in a
    thread of its own: one hop per request, not two. Here, on the event loop, only what needs no database:
    the client, the sent CSRF token and, for a POST, the parsed form (``request.state.form``).
    """

    async def check(request: Request) -> None:
        client = client_info(request, ctx.settings.review_trusted_proxies, ctx.settings.review_cookie_secure)
        request.state.client = client
        sent = None
        if request.method != "GET":
            if in_thread:
                request.state.form = await request.form()
            sent = await _sent_token(request)
        if policy is Policy.PUBLIC:
            if request.method != "GET" and not same_token(sent, _login_cookie(request)):
                raise Forbidden("CSRF")
            return
        if in_thread:
            request.state.sent_token = sent
            return
        identity = await run_in_threadpool(_identity, ctx, _session_token(request))
        _authorize(request, policy, identity, sent)

    return check


def in_thread_guard(ctx: AppContext, policy: Policy, endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plain endpoint so that the session lookup and the policy check run in its worker thread."""
    if policy is Policy.PUBLIC:
        return endpoint
    if "request" not in inspect.signature(endpoint).parameters:
        raise TypeError(f"{endpoint.__qualname__}: a guarded endpoint needs a parameter named 'request'")

    @functools.wraps(endpoint)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        request = kwargs["request"]
        _authorize(request, policy, _identity(ctx, _session_token(request)), request.state.sent_token)
        return endpoint(*args, **kwargs)

    return guarded


def _authorize(request: Request, policy: Policy, identity: StaffIdentity | None, sent: str | None) -> None:
    if identity is None:
        raise LoginRequired()
    if policy is Policy.ADMIN and identity.role != "admin":
        raise Forbidden("role")
    if request.method != "GET" and not same_token(sent, identity.csrf_token):
        raise Forbidden("CSRF")
    request.state.staff = Staff(identity, request.state.client)


def form_of(request: Request) -> Any:
    """The parsed form of a POST to a plain (threaded) endpoint: the guard read it on the event loop."""
    return request.state.form


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def _session_token(request: Request) -> str | None:
    return request.cookies.get(cookie_name(SESSION_COOKIE, True)) or request.cookies.get(SESSION_COOKIE)


def _login_cookie(request: Request) -> str:
    return request.cookies.get(cookie_name(LOGIN_COOKIE, True)) or request.cookies.get(LOGIN_COOKIE) or ""


def _identity(ctx: AppContext, token: str | None) -> StaffIdentity | None:
    if not token:
        return None
    settings = ctx.settings
    with transaction(ctx.factory) as session:
        return users_repo.load_session(
            session,
            token_hash(token),
            now=datetime.now(UTC),
            idle=timedelta(minutes=settings.review_session_idle_minutes),
            absolute=timedelta(hours=settings.review_session_absolute_hours),
        )


def staff_of(request: Request) -> Staff:
    staff = request.state.staff
    assert isinstance(staff, Staff)
    return staff


# -- login and logout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None  # the new session's cookie value
    error: str | None


def login(ctx: AppContext, name: str, password: str, ip: str, new_token: Callable[[], str]) -> LoginResult:
    """Check the throttle, then the password (a dummy hash for unknown names: same answer, same time)."""
    now = datetime.now(UTC)
    window = timedelta(minutes=ctx.settings.review_login_window_minutes)
    with transaction(ctx.factory) as session:
        failures = users_repo.recent_failures(session, name=name, ip=ip, since=now - window)
        if failures >= ctx.settings.review_login_max_failures:
            return LoginResult(None, LOGIN_THROTTLED)
        user = users_repo.find_user(session, name)
    stored = user.password_hash if user is not None and not user.disabled else None
    matches = verify_password(stored, password)  # always run: unknown names cost the same time
    if not matches or user is None:
        with transaction(ctx.factory) as session:
            users_repo.record_failed_login(session, name=name, ip=ip, now=now)
        return LoginResult(None, LOGIN_FAILED)
    token, csrf = new_token(), new_token()
    with transaction(ctx.factory) as session:
        users_repo.clear_failures(session, name=name, ip=ip)
        users_repo.create_session(session, token_hash=token_hash(token), user_id=user.id, csrf_token=csrf, now=now)
        if needs_rehash(user.password_hash):
            users_repo.set_password_hash(session, user.id, hash_password(password))
    return LoginResult(token, None)


def logout(ctx: AppContext, request: Request) -> None:
    token = _session_token(request)
    if token:
        with transaction(ctx.factory) as session:
            users_repo.delete_session(session, token_hash(token))


def register(specs: Sequence[RouteSpec], registry: PolicyRegistry) -> None:
    for spec in specs:
        registry.declare(spec)
