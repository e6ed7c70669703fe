"""The network gate against a real HTTP server on 127.0.0.1: bodies, encodings, limits, status mapping."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from sources import errors
from sources.fetch import FetchConfig, Fetcher, FetchResult, parse_retry_after, sniff_kind
from tests.httpserver import (
    LOGIN_PAGE,
    Request,
    Response,
    TestServer,
    conditional,
    deflate_bytes,
    drip,
    endless,
    gzip_bomb,
    gzip_bytes,
    redirect,
    sequence,
    static,
)

UA = "rubrik-test/1.0 (+mailto:test@example.org)"
FEED = "<?xml version='1.0'?><rss version='2.0'><channel><title>Grüße</title></channel></rss>".encode()
LAST_MOD = "Tue, 24 Mar 2020 10:00:00 GMT"


@pytest.fixture(scope="module")
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        srv.add_route("/ok", static(FEED, "application/rss+xml", ETag='"v1"'))
        srv.add_route("/cond", conditional(FEED, '"abc"', LAST_MOD))
        srv.add_route("/gzip", static(gzip_bytes(FEED), "application/rss+xml", Content_Encoding="gzip"))
        srv.add_route("/deflate", static(deflate_bytes(FEED), "application/rss+xml", Content_Encoding="deflate"))
        srv.add_route("/rawdeflate", static(deflate_bytes(FEED, raw=True), Content_Encoding="deflate"))
        srv.add_route("/bomb", static(gzip_bomb(100_000_000), "application/rss+xml", Content_Encoding="gzip"))
        srv.add_route("/stacked", static(gzip_bytes(gzip_bytes(FEED)), Content_Encoding="gzip, gzip"))
        srv.add_route("/brotli", static(b"\x0b\x02\x80abc\x03", Content_Encoding="br"))
        srv.add_route("/gzip-cut", static(gzip_bytes(FEED * 20)[:40], Content_Encoding="gzip"))
        srv.add_route("/drip", lambda r: Response(body=drip(b"x" * 100), length=100, chunk_delay=0.2))
        srv.add_route("/stall", lambda r: Response(body=b"late", delay=1.5))
        srv.add_route("/truncated", lambda r: Response(body=b"0123456789", length=1000))
        srv.add_route("/huge-cl", lambda r: Response(body=endless(), length=50_000_000))
        srv.add_route("/huge", lambda r: Response(body=endless()))
        srv.add_route("/429", static(b"slow down", status=429, Retry_After="120"))
        srv.add_route("/429-huge", static(b"", status=429, Retry_After="999999"))
        srv.add_route("/429-date", _retry_at_date)
        srv.add_route("/503", static(b"maintenance", status=503))
        srv.add_route("/flaky", sequence(static(b"oops", status=500), static(FEED, "application/rss+xml")))
        srv.add_route("/403", static(b"no", status=403))
        srv.add_route("/gone", static(b"gone", status=410))
        srv.add_route("/login", static(LOGIN_PAGE, "text/html; charset=utf-8"))
        srv.add_route("/echo-ua", lambda r: Response(body=r.headers.get("user-agent", "").encode()))
        yield srv


def _retry_at_date(_request: Request) -> Response:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    return Response(429, b"", {"Retry-After": when})


def config(server: TestServer, **overrides: Any) -> FetchConfig:
    values: dict[str, Any] = {
        "user_agent": UA,
        "allow_hosts": frozenset({server.host_port}),
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "deadline": 5.0,
        "max_bytes": 1_000_000,
        "per_host_delay": 0.0,
        "per_host_concurrency": 4,
    }
    values.update(overrides)
    return FetchConfig(**values)


def fetch(server: TestServer, path: str, **kwargs: Any) -> FetchResult:
    cfg_keys = set(FetchConfig.__dataclass_fields__)
    cfg = config(server, **{k: v for k, v in kwargs.items() if k in cfg_keys})
    call = {k: v for k, v in kwargs.items() if k not in cfg_keys}

    async def go() -> FetchResult:
        async with Fetcher(cfg) as fetcher:
            return await fetcher.fetch(server.url(path), **call)

    return asyncio.run(go())


def fails(server: TestServer, path: str, code: str, **kwargs: Any) -> errors.FetchError:
    with pytest.raises(errors.FetchError) as info:
        fetch(server, path, **kwargs)
    assert info.value.code == code, info.value
    return info.value


def test_ok_returns_body_lowercase_headers_and_user_agent(server: TestServer) -> None:
    result = fetch(server, "/ok")
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert result.url == server.url("/ok")
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.etag == '"v1"'
    assert fetch(server, "/echo-ua").body == UA.encode()
    fetch(server, "/ok", accept="application/atom+xml")
    assert server.hits("/ok")[-1].headers["accept"] == "application/atom+xml"


def test_conditional_get_304_is_success_without_body(server: TestServer) -> None:
    first = fetch(server, "/cond")
    assert first.etag == '"abc"' and first.last_modified == LAST_MOD
    again = fetch(server, "/cond", etag=first.etag, last_modified=first.last_modified)
    assert (again.status, again.not_modified, again.body) == (304, True, b"")
    assert server.hits("/cond")[-1].headers["if-none-match"] == '"abc"'
    assert server.hits("/cond")[-1].headers["if-modified-since"] == LAST_MOD


def test_connections_are_reused_after_304_and_redirects_and_pools_are_per_host() -> None:
    """A warm harvest is mostly 304s: each must hand its connection back, not open a new one."""
    with TestServer() as one, TestServer() as two:
        for srv in (one, two):
            srv.add_route("/cond", conditional(FEED, '"abc"', LAST_MOD))
            srv.add_route("/hop", redirect("/cond", 301))
            srv.add_route("/big-redirect", lambda r: Response(302, b"x" * 200_000, {"Location": "/cond"}))
        cfg = config(one, allow_hosts=frozenset({one.host_port, two.host_port}), per_host_concurrency=1)

        async def go() -> None:
            async with Fetcher(cfg) as fetcher:
                for _ in range(3):
                    for srv in (one, two):
                        result = await fetcher.fetch(srv.url("/hop"), etag='"abc"')
                        assert result.not_modified and result.url == srv.url("/cond")
                await fetcher.fetch(one.url("/big-redirect"), etag='"abc"')
                await fetcher.fetch(one.url("/cond"), etag='"abc"')

        asyncio.run(go())
    # six requests per host in the loop over one kept-alive connection each ...
    assert len({r.client_port for r in two.requests}) == 1 and len(two.requests) == 6
    ports = [r.client_port for r in one.requests]
    assert len(set(ports[:6])) == 1
    # ... and a redirect with a large body is not read to the end: that connection is dropped, a new one follows
    assert ports[6] == ports[5] and ports[7] != ports[6] and ports[8] == ports[7]


def test_a_broken_or_dripping_body_of_a_304_or_redirect_does_not_fail_the_fetch(server: TestServer) -> None:
    """Their bodies are read only to keep the connection; if that goes wrong, the answer still counts."""
    server.add_route("/drip-304", lambda r: Response(304, drip(b"x" * 100), {"ETag": '"d"'}, chunk_delay=0.5))
    server.add_route("/drip-redirect", lambda r: Response(302, drip(b"x" * 100), {"Location": "/ok"}, chunk_delay=0.5))
    server.add_route("/cut-redirect", lambda r: Response(302, b"abc", {"Location": "/ok"}, length=5000))
    started = time.monotonic()
    assert fetch(server, "/drip-304", etag='"d"').not_modified
    assert fetch(server, "/drip-redirect").body == FEED
    assert fetch(server, "/cut-redirect").body == FEED
    assert time.monotonic() - started < 3 * 1.0 + 2  # each drain gives up after DRAIN_SECONDS


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/rawdeflate"])
def test_compressed_bodies_are_decoded(server: TestServer, path: str) -> None:
    assert fetch(server, path).body == FEED
    assert server.hits(path)[-1].headers["accept-encoding"] == "gzip, deflate"


def test_gzip_bomb_is_cut_at_the_cap_with_bounded_memory(server: TestServer) -> None:
    tracemalloc.start()
    try:
        fails(server, "/bomb", "too_large", max_bytes=1_000_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak  # 100 MB would be inflated without the cap


@pytest.mark.parametrize("path", ["/stacked", "/brotli"])
def test_stacked_or_unknown_encoding_is_refused(server: TestServer, path: str) -> None:
    fails(server, path, "bad_encoding")


def test_slow_drip_is_cut_off_at_the_deadline(server: TestServer) -> None:
    started = time.monotonic()
    fails(server, "/drip", "timeout", deadline=1.0, read_timeout=5.0)
    assert time.monotonic() - started < 1.6


def test_read_timeout(server: TestServer) -> None:
    fails(server, "/stall", "timeout", read_timeout=0.3)


@pytest.mark.parametrize("path", ["/truncated", "/gzip-cut"])
def test_truncated_body(server: TestServer, path: str) -> None:
    fails(server, path, "truncated")


@pytest.mark.parametrize("path", ["/huge-cl", "/huge"])
def test_huge_body_is_refused(server: TestServer, path: str) -> None:
    started = time.monotonic()
    fails(server, path, "too_large", max_bytes=1_000_000)
    assert time.monotonic() - started < 2


def test_429_with_retry_after_seconds(server: TestServer) -> None:
    error = fails(server, "/429", "rate_limited")
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == 120 and error.status == 429


def test_429_with_retry_after_http_date(server: TestServer) -> None:
    error = fails(server, "/429-date", "rate_limited")
    assert error.retry_after is not None and 55 <= error.retry_after <= 61


def test_retry_after_is_capped(server: TestServer) -> None:
    assert fails(server, "/429-huge", "rate_limited", max_retry_after=600).retry_after == 600


def test_503_is_rate_limited(server: TestServer) -> None:
    error = fails(server, "/503", "rate_limited")
    assert error.retry_after is None


def test_500_then_success(server: TestServer) -> None:
    error = fails(server, "/flaky", "http_5xx")
    assert isinstance(error, errors.HTTPServerError) and error.status == 500
    assert fetch(server, "/flaky").body == FEED


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [("/missing", 404, errors.NotFound), ("/gone", 410, errors.Gone), ("/403", 403, errors.HTTPClientError)],
)
def test_client_errors(server: TestServer, path: str, status: int, kind: type[errors.HTTPClientError]) -> None:
    error = fails(server, path, "http_4xx")
    assert isinstance(error, kind) and error.status == status


def test_login_page_is_fetched_and_sniffed_as_html(server: TestServer) -> None:
    result = fetch(server, "/login")
    assert result.status == 200
    assert sniff_kind(result.body, result.headers["content-type"]) == "html"


def test_connection_refused() -> None:
    srv = TestServer()
    port = srv.port
    srv.stop()  # nothing listens on the port any more

    async def go() -> None:
        cfg = FetchConfig(user_agent=UA, allow_hosts=frozenset({f"127.0.0.1:{port}"}))
        async with Fetcher(cfg) as fetcher:
            await fetcher.fetch(f"http://127.0.0.1:{port}/")

    with pytest.raises(errors.ConnectionFailed):
        asyncio.run(go())


@pytest.mark.parametrize(
    ("body", "ctype", "kind"),
    [
        (FEED, "application/rss+xml", "feed"),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'/>", "", "feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", "feed"),
        (b'{"a": 1}', "application/json", "json"),
        (LOGIN_PAGE, "text/html", "html"),
        (b"%PDF-1.4", "application/pdf", "other"),
    ],
)
def test_sniff_kind(body: bytes, ctype: str, kind: str) -> None:
    assert sniff_kind(body, ctype) == kind


def test_parse_retry_after() -> None:
    now = datetime(2020, 3, 24, 10, 0, tzinfo=UTC)
    assert parse_retry_after("30", 100, now=now) == 30
    assert parse_retry_after("Tue, 24 Mar 2020 10:01:00 GMT", 100, now=now) == 60
    assert parse_retry_after("Tue, 24 Mar 2020 09:00:00 GMT", 100, now=now) == 0
    assert parse_retry_after("500", 100, now=now) == 100
    assert parse_retry_after("soon", 100, now=now) is None
    assert parse_retry_after(None, 100) is None


def test_every_error_class_has_a_documented_code() -> None:
    def walk(cls: type[errors.FetchError]) -> Iterator[type[errors.FetchError]]:
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    codes = {cls.code for cls in walk(errors.FetchError)}
    assert codes == set(errors.ERROR_CODES)
    assert {"timeout", "too_large", "ssrf_blocked", "http_4xx", "rate_limited", "not_a_feed"} <= codes


def test_config_from_settings() -> None:
    from settings import load_settings

    cfg = FetchConfig.from_settings(load_settings(fetch_allow_hosts="127.0.0.1:8080, LOCALHOST:9"))
    assert cfg.allow_hosts == frozenset({"127.0.0.1:8080", "localhost:9"})
    assert cfg.max_bytes == 10_000_000 and "mailto:" in cfg.user_agent
