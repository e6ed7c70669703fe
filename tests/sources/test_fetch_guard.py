"""The network gate's guards: SSRF (static and DNS), redirects, robots.txt, per-host politeness."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sources import errors
from sources.fetch import FetchConfig, Fetcher, FetchResult
from sources.netguard import check_url, is_public_ip, parse_ipv4_loose
from tests.httpserver import Request, Response, TestServer, redirect, static

UA = "rubrik-test/1.0 (+mailto:test@example.org)"


@pytest.fixture(scope="module")
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        port = srv.port
        srv.add_route("/ok", static(b"fine"))
        srv.add_route("/r1", redirect("/r2", 301))
        srv.add_route("/r2", redirect(srv.url("/r3"), 307))
        srv.add_route("/r3", redirect("ok#frag", 308))
        srv.add_route("/loop-a", redirect("/loop-b"))
        srv.add_route("/loop-b", redirect("/loop-a"))
        srv.add_route("/chain", _chain)
        srv.add_route("/to-127.0.0.2", redirect(f"http://127.0.0.2:{port}/ok"))
        srv.add_route("/to-ipv6-loopback", redirect(f"http://[::1]:{port}/ok"))
        srv.add_route("/to-localhost", redirect(f"http://localhost:{port}/ok"))
        srv.add_route("/to-hex", redirect(f"http://0x7f000001:{port}/ok"))
        srv.add_route("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
        srv.add_route("/to-ftp", redirect("ftp://example.org/file"))
        srv.add_route("/to-js", redirect("javascript:alert(1)"))
        srv.add_route("/to-nowhere", lambda r: Response(302, b""))
        srv.add_route("/to-garbage", redirect("http://[zz]/"))
        srv.add_route("/robots.txt", static("User-agent: *\nDisallow: /private\n\nUser-agent: other\nDisallow:\n"))
        srv.add_route("/private", static(b"secret"))
        srv.add_route("/host", lambda r: Response(body=r.headers.get("host", "").encode()))
        yield srv


def _chain(request: Request) -> Response:
    step = int(request.query.get("n", ["0"])[0])
    return Response(302, b"", {"Location": f"/chain?n={step + 1}"})


def make_config(*servers: TestServer, **overrides: Any) -> FetchConfig:
    values: dict[str, Any] = {
        "user_agent": UA,
        "allow_hosts": frozenset(s.host_port for s in servers),
        "deadline": 5.0,
        "per_host_delay": 0.0,
        "per_host_concurrency": 4,
    }
    values.update(overrides)
    return FetchConfig(**values)


def fetch_url(cfg: FetchConfig, url: str, resolver: Any = None, **kwargs: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(cfg, resolver=resolver) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def fails(cfg: FetchConfig, url: str, code: str, **kwargs: Any) -> errors.FetchError:
    with pytest.raises(errors.FetchError) as info:
        fetch_url(cfg, url, **kwargs)
    assert info.value.code == code, info.value
    return info.value


# -- redirects


def test_redirect_chain_relative_and_absolute(server: TestServer) -> None:
    result = fetch_url(make_config(server), server.url("/r1"))
    assert result.body == b"fine" and result.url == server.url("/ok")


def test_redirect_loop(server: TestServer) -> None:
    fails(make_config(server), server.url("/loop-a"), "redirect_loop")


def test_too_many_redirects(server: TestServer) -> None:
    fails(make_config(server, max_redirects=5), server.url("/chain"), "too_many_redirects")
    assert server.hits("/chain")[-1].query == {"n": ["5"]}  # 1 request + 5 redirects followed


@pytest.mark.parametrize("path", ["/to-127.0.0.2", "/to-ipv6-loopback", "/to-localhost", "/to-hex", "/to-metadata"])
def test_redirect_to_non_public_address_is_blocked(server: TestServer, path: str) -> None:
    fails(make_config(server), server.url(path), "ssrf_blocked")


@pytest.mark.parametrize("path", ["/to-ftp", "/to-js", "/to-nowhere", "/to-garbage"])
def test_redirect_to_other_scheme_is_bad(server: TestServer, path: str) -> None:
    fails(make_config(server), server.url(path), "bad_redirect")


# -- SSRF, static


BLOCKED = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127.0.0.1./",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.178.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 wrapping 10.0.0.1
    "http://localhost/",
    "http://LOCALHOST:8080/",
    "http://api.localhost/",
    "https://127.0.0.1:8443/",
]
INVALID = [
    "ftp://example.org/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://user:pw@example.org/",
    "http://@example.org/",
    "http:///path",
    "http://example.org:99999/",
    "http://1.2.3.4.5/",
    "http://256.256.256.256/",
    "http://[::1/",
    "example.org",
]
PUBLIC = [
    "http://example.org/",
    "https://www.ihk.de/chemnitz/",
    "http://93.184.216.34/",
    "http://[2606:2800:220:1:248:1893:25c8:1946]/",
    "http://8.8.8.8:8080/x",
]


@pytest.mark.parametrize("url", BLOCKED)
def test_check_url_blocks_non_public(url: str) -> None:
    with pytest.raises(errors.SSRFBlocked):
        check_url(url, frozenset())


@pytest.mark.parametrize("url", INVALID)
def test_check_url_rejects_invalid(url: str) -> None:
    with pytest.raises(errors.InvalidURL):
        check_url(url, frozenset())


@pytest.mark.parametrize("url", PUBLIC)
def test_check_url_passes_public(url: str) -> None:
    check_url(url, frozenset())


def test_check_url_allow_list_is_exact_host_and_port() -> None:
    check_url("http://127.0.0.1:8080/feed", ["127.0.0.1:8080"])
    check_url("http://[::1]:8080/feed", ["[::1]:8080"])
    with pytest.raises(errors.SSRFBlocked):
        check_url("http://127.0.0.1:8081/feed", ["127.0.0.1:8080"])
    with pytest.raises(errors.SSRFBlocked):
        check_url("http://127.1:8080/feed", ["127.0.0.1:8080"])


def test_ipv4_loose_parsing() -> None:
    assert str(parse_ipv4_loose("127.1")) == "127.0.0.1"
    assert str(parse_ipv4_loose("0x7f.1")) == "127.0.0.1"
    assert str(parse_ipv4_loose("3232235777")) == "192.168.1.1"
    assert parse_ipv4_loose("example.org") is None
    assert parse_ipv4_loose("1.2.3.example") is None
    assert not is_public_ip(parse_ipv4_loose("0177.0.0.1"))  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.1", "0x7f000001", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::1]"])
def test_fetch_refuses_encoded_loopback_on_first_hop(server: TestServer, host: str) -> None:
    before = len(server.requests)
    fails(make_config(server), f"http://{host}:{server.port}/ok", "ssrf_blocked")
    assert len(server.requests) == before


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://u:p@example.org/", "http://[zz]/"])
def test_fetch_refuses_invalid_urls(url: str) -> None:
    fails(make_config(), url, "invalid_url")


# -- SSRF, DNS: resolve once, refuse any non-public answer, connect to the vetted address


def fake_dns(table: dict[str, list[str]]) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"unknown host {host}")
        return table[host]

    return resolve


def test_name_resolving_to_loopback_is_blocked(server: TestServer) -> None:
    dns = fake_dns({"evil.test": ["127.0.0.1"], "mixed.test": ["93.184.216.34", "10.0.0.1"]})
    for name in ("evil.test", "mixed.test"):
        with pytest.raises(errors.SSRFBlocked):
            fetch_url(make_config(server), f"http://{name}:{server.port}/ok", resolver=dns)


def test_connection_goes_to_the_vetted_address_with_host_header(server: TestServer) -> None:
    name = f"feeds.test:{server.port}"
    cfg = make_config(server, allow_hosts=frozenset({name}))
    result = fetch_url(cfg, f"http://{name}/host", resolver=fake_dns({"feeds.test": ["127.0.0.1"]}))
    assert result.body == name.encode()


def test_unresolvable_name_is_a_connection_failure(server: TestServer) -> None:
    fails(make_config(server), "http://nowhere.test/", "connection_failed", resolver=fake_dns({}))


# -- robots.txt


def test_robots_disallow_allow_and_cache(server: TestServer) -> None:
    async def go() -> None:
        async with Fetcher(make_config(server)) as fetcher:
            with pytest.raises(errors.RobotsDisallowed):
                await fetcher.fetch(server.url("/private"), obey_robots=True)
            assert (await fetcher.fetch(server.url("/ok"), obey_robots=True)).body == b"fine"
            assert (await fetcher.fetch(server.url("/private"))).body == b"secret"  # feeds don't ask

    before = len(server.hits("/robots.txt"))
    asyncio.run(go())
    assert len(server.hits("/robots.txt")) == before + 1
    assert server.hits("/robots.txt")[-1].headers["user-agent"] == UA


@pytest.mark.parametrize("robots", [None, static(b"boom", status=500), static(b"x", status=403)])
def test_missing_or_broken_robots_allows(robots: Any) -> None:
    with TestServer({"/private": static(b"ok")}) as srv:
        if robots is not None:
            srv.add_route("/robots.txt", robots)
        assert fetch_url(make_config(srv), srv.url("/private"), obey_robots=True).body == b"ok"


def test_robots_timeout_allows() -> None:
    with TestServer({"/p": static(b"ok"), "/robots.txt": lambda r: Response(body=b"", delay=3)}) as srv:
        cfg = make_config(srv, read_timeout=0.3)
        assert fetch_url(cfg, srv.url("/p"), obey_robots=True).body == b"ok"


# -- per-host politeness


def test_per_host_concurrency_and_spacing() -> None:
    limit, gap = 2, 0.15
    with TestServer({"/slow": static(b"z")}, delay=0.25) as srv, TestServer({"/slow": static(b"z")}) as other:

        async def go() -> list[FetchResult]:
            cfg = make_config(srv, other, per_host_concurrency=limit, per_host_delay=gap)
            async with Fetcher(cfg) as fetcher:
                calls = [fetcher.fetch(srv.url("/slow")) for _ in range(8)]
                calls += [fetcher.fetch(other.url("/slow")) for _ in range(2)]
                return await asyncio.gather(*calls)

        started = time.monotonic()
        results = asyncio.run(go())
        assert all(r.body == b"z" for r in results)
        assert srv.max_overlap() <= limit
        starts = sorted(r.started for r in srv.requests)
        gaps = [round(b - a, 3) for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= gap - 0.05, gaps  # without spacing, gaps would be ~0
        assert time.monotonic() - started >= 4 * 0.25  # 8 requests, 2 at a time, 0.25 s each
        assert len(other.requests) == 2
