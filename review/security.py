"""HTTP-level protections of the staff app: security headers, client address and scheme behind proxies, cookies.

Written as a plain ASGI middleware (no BaseHTTPMiddleware): it adds headers to every response, including
static files and errors, without buffering bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
BASE_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
NO_STORE = (b"cache-control", b"no-store")
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class SecurityHeaders:
    """Adds the security headers; every response except static files is ``Cache-Control: no-store``
    (pages are either authenticated or the login form with its one-time token)."""

    def __init__(self, app: ASGIApp, *, static_prefix: str = "/static/") -> None:
        self.app, self.static_prefix = app, static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or static]
                headers.extend(BASE_HEADERS)
                if not static:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str
    https: bool


def client_info(request: Request, trusted_proxies: Iterable[str], force_https: bool) -> ClientInfo:
    """The client's address and whether it used https; forwarded headers count only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    https = force_https or request.url.scheme == "https"
    if peer in set(trusted_proxies):
        forwarded_for = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if hops:
            peer = hops[-1]  # the address our proxy saw; earlier hops are client-controlled
        https = https or request.headers.get("x-forwarded-proto", "").lower() == "https"
    return ClientInfo(ip=peer, https=https)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def cookie_name(base: str, secure: bool) -> str:
    """``__Host-`` cookies are bound to this exact host, path / and https — browsers enforce it."""
    return f"__Host-{base}" if secure else base


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths as redirect targets (no open redirect via ``//host`` or ``/\\host``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\n" in target:
        return default
    return target
