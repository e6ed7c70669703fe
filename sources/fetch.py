"""The one gate to the network: every outbound request of rubrik goes through :meth:`Fetcher.fetch`.

It sends our User-Agent, makes conditional GETs, obeys robots.txt when asked, limits concurrency and
spacing per host, follows redirects by hand (limit, loop detection, http(s) only, SSRF check on every
hop), enforces connect/read timeouts and a wall-clock deadline over the whole fetch, and caps the raw
and the *decompressed* body (it decompresses itself, incrementally, so a gzip bomb stays small).
Every failure is a :class:`sources.errors.FetchError` with a stable ``code``; callers never see status
codes or httpx exceptions, and never ``None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Literal, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from sources.body import read_body
from sources.errors import (
    BadRedirect,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    Gone,
    HTTPClientError,
    HTTPServerError,
    InvalidURL,
    NotFound,
    RateLimited,
    RedirectLoop,
    RobotsDisallowed,
    TooManyRedirects,
    TruncatedBody,
)
from sources.hostlimits import HostLimiter
from sources.netguard import GuardedBackend, Resolver, check_url, host_key, normalize_allow_hosts, split_url
from sources.robots import ROBOTS_MAX_BYTES, RobotsCache

if TYPE_CHECKING:
    from settings import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DRAIN_SECONDS = 1.0  # at most this long reading the unneeded body of a 304 or redirect to keep its connection
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 2xx (normally 200) or 304
    headers: Mapping[str, str]  # lower-case names, of the final response
    body: bytes  # decompressed; b"" on 304
    not_modified: bool
    etag: str | None
    last_modified: str | None
    elapsed: float


@dataclass(frozen=True, slots=True)
class FetchConfig:
    user_agent: str
    allow_hosts: frozenset[str] = frozenset()
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 45.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 0.5
    max_retry_after: float = 3600.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow_hosts", normalize_allow_hosts(self.allow_hosts))

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchConfig:
        return cls(
            user_agent=settings.user_agent,
            allow_hosts=frozenset(settings.fetch_allow_hosts),
            connect_timeout=settings.fetch_connect_timeout,
            read_timeout=settings.fetch_read_timeout,
            deadline=settings.fetch_deadline,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            per_host_concurrency=settings.fetch_per_host_concurrency,
            per_host_delay=settings.fetch_per_host_delay,
            max_retry_after=settings.fetch_max_retry_after,
        )


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with the connection pool built on :class:`GuardedBackend`.

    httpx's ``__init__`` only builds ``self._pool`` (on its default network backend, which would skip the guard);
    this builds that one attribute itself instead of building a pool and replacing it at once."""

    def __init__(self, backend: GuardedBackend, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        import httpcore

        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class _PerHostTransport(httpx.AsyncBaseTransport):
    """One small keep-alive pool per origin instead of one big shared pool.

    httpcore's pool scans every connection it holds on each request; with hundreds of sources on a few
    dozen hosts a shared pool grows to many idle connections and each request pays for all of them. A pool
    per origin holds only the few connections the per-host limiter lets that host have.
    """

    def __init__(self, allow_hosts: frozenset[str], resolver: Resolver | None, keepalive: int) -> None:
        self._backend = (
            GuardedBackend(allow_hosts) if resolver is None else GuardedBackend(allow_hosts, resolver=resolver)
        )
        self._ssl_context = _ssl_context()
        self._limits = httpx.Limits(max_connections=None, max_keepalive_connections=keepalive, keepalive_expiry=30)
        self._pools: dict[tuple[bytes, bytes, int | None], _GuardedTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = _GuardedTransport(self._backend, self._ssl_context, self._limits)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~15 ms; every fetcher of the process shares one (read-only) context."""
    return httpx.create_ssl_context(trust_env=False)


class Fetcher:
    """One per harvest run: holds the transport, the per-host limiter and the robots.txt cache.

    ``transport`` replaces the guarded transport (e.g. ``httpx.MockTransport`` in unit tests); the static
    URL check still applies to every hop, the DNS check does not. ``resolver`` replaces the system
    resolver of the guarded transport (tests use it to map names to 127.0.0.1).
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.config = config
        # The transport is used directly, not through httpx.AsyncClient: no cookie jar shared between
        # sources, no environment proxies, and no client-side redirect machinery (it parses Location
        # before we can judge it). Redirects, decoding and errors are all handled here.
        self._transport = transport or _PerHostTransport(
            config.allow_hosts, resolver, keepalive=max(config.per_host_concurrency, 1)
        )
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout, pool=None)
        self._timeout = timeout.as_dict()
        self._base_headers = {"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"}
        self._limiter = HostLimiter(config.per_host_concurrency, config.per_host_delay)
        self._robots = RobotsCache(config.user_agent, self._load_robots)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        obey_robots: bool = False,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` through every guard; a FetchResult or a FetchError, nothing else."""
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers, obey_robots, self.config.max_bytes)

    async def _load_robots(self, url: str) -> bytes:
        result = await self._get(url, {"Accept": "text/plain, */*;q=0.5"}, False, ROBOTS_MAX_BYTES)
        return result.body

    async def _get(self, url: str, headers: dict[str, str], obey_robots: bool, max_bytes: int) -> FetchResult:
        started = time.monotonic()
        url = _strip_fragment(url)
        seen = {url}
        try:
            # The deadline starts when the first request gets its host slot: waiting politely in the
            # per-host queue must not time a source out, a slow server must.
            async with asyncio.timeout(None) as budget:
                for _hop in range(self.config.max_redirects + 1):
                    check_url(url, self.config.allow_hosts)
                    if obey_robots and not await self._robots.allowed(url):
                        raise RobotsDisallowed(url=url)
                    outcome = await self._hop(url, headers, max_bytes, started, budget)
                    if isinstance(outcome, FetchResult):
                        return outcome
                    url = outcome
                    if url in seen:
                        raise RedirectLoop(url=url)
                    seen.add(url)
                raise TooManyRedirects(f"Mehr als {self.config.max_redirects} Weiterleitungen", url=url)
        except TimeoutError:
            raise FetchTimeout(f"Gesamtdauer über {self.config.deadline:g} s", url=url) from None

    async def _hop(
        self, url: str, headers: dict[str, str], max_bytes: int, started: float, budget: asyncio.Timeout
    ) -> FetchResult | str:
        """One request: a final FetchResult, or the absolute URL of the next redirect hop."""
        _scheme, host, port = split_url(url)
        async with self._limiter.slot(host_key(host, port)):
            if budget.when() is None:
                budget.reschedule(asyncio.get_running_loop().time() + self.config.deadline)
            with _mapped_httpx_errors(url):
                request = httpx.Request(
                    "GET", url, headers={**self._base_headers, **headers}, extensions={"timeout": self._timeout}
                )
                response = await self._transport.handle_async_request(request)
                try:
                    return await self._handle(url, response, max_bytes, started)
                finally:
                    await response.aclose()

    async def _handle(self, url: str, response: httpx.Response, max_bytes: int, started: float) -> FetchResult | str:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            target = _redirect_target(url, response.headers.get("location"))
            await _drain(response)
            return target
        if status == 304:
            await _drain(response)
            return _result(url, response, b"", started)
        if not 200 <= status < 300:
            raise _status_error(url, response, self.config.max_retry_after)
        body = await read_body(url, response, max_bytes)
        return _result(url, response, body, started)


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a small body we do not need (304, redirect) so the connection goes back to the pool. A large,
    slow or broken one is not worth it: the connection is closed instead, and the fetch still succeeds."""
    length = response.headers.get("content-length")
    if response.status_code != 304 and length is not None and (not length.isdigit() or int(length) > limit):
        return  # (a 304 has no body whatever its Content-Length says)
    seen = 0
    with contextlib.suppress(httpx.HTTPError, TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for chunk in response.aiter_raw():
                seen += len(chunk)
                if seen > limit:
                    return


def _strip_fragment(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise InvalidURL("Adresse nicht lesbar", url=url) from None
    return urlunsplit(parts._replace(fragment=""))


def _redirect_target(url: str, location: str | None) -> str:
    if not location or not location.strip():
        raise BadRedirect("Weiterleitung ohne Ziel", url=url)
    try:
        target = _strip_fragment(urljoin(url, location.strip()))
    except (ValueError, InvalidURL):
        raise BadRedirect(f"Unlesbares Weiterleitungsziel {location[:80]!r}", url=url) from None
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise BadRedirect(f"Weiterleitung auf {target[:80]!r}", url=url)
    return target


def _result(url: str, response: httpx.Response, body: bytes, started: float) -> FetchResult:
    headers = {name.lower(): ", ".join(response.headers.get_list(name)) for name in response.headers}
    return FetchResult(
        url=url,
        status=response.status_code,
        headers=MappingProxyType(headers),
        body=body,
        not_modified=response.status_code == 304,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        elapsed=time.monotonic() - started,
    )


def _status_error(url: str, response: httpx.Response, max_retry_after: float) -> FetchError:
    status = response.status_code
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"), max_retry_after)
        return RateLimited(url=url, status=status, retry_after=retry_after)
    if status == 404:
        return NotFound(url=url, status=status)
    if status == 410:
        return Gone(url=url, status=status)
    if 400 <= status < 500:
        return HTTPClientError(url=url, status=status)
    return HTTPServerError(url=url, status=status)


def parse_retry_after(value: str | None, cap: float, *, now: datetime | None = None) -> float | None:
    """Seconds from Retry-After (delta-seconds or HTTP date), clamped to [0, cap]; None if absent or bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), cap)


@contextmanager
def _mapped_httpx_errors(url: str) -> Iterator[None]:
    """Translate httpx's exceptions into our tree (our own FetchErrors pass through untouched)."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"Zeitlimit: {type(exc).__name__}", url=url) from exc
    except httpx.RemoteProtocolError as exc:
        raise TruncatedBody(f"Verbindung vorzeitig beendet: {exc}", url=url) from exc
    except (httpx.ConnectError, httpx.NetworkError, httpx.ProxyError) as exc:
        raise ConnectionFailed(str(exc) or type(exc).__name__, url=url) from exc
    except httpx.InvalidURL as exc:
        raise InvalidURL(str(exc), url=url) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", url=url) from exc


def sniff_kind(body: bytes, content_type: str | None = None) -> Literal["feed", "html", "json", "other"]:
    """A cheap guess at what a body is, for parsers and error messages (a login page is "html")."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    ctype = (content_type or "").split(";")[0].strip().lower()
    if head.startswith(b"{") or head.startswith(b"["):
        if b"jsonfeed.org/version" in head or ctype == "application/feed+json":
            return "feed"
        return "json"
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    if head.startswith(b"<"):
        if any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")):
            return "feed"
        if b"<html" in head or ctype in ("text/html", "application/xhtml+xml"):
            return "html"
        return "other"
    return "html" if ctype == "text/html" else "other"


__all__ = ["FetchConfig", "FetchResult", "Fetcher", "parse_retry_after", "sniff_kind"]
