"""The published directory in headless Chromium: filters work without JavaScript, no request leaves the site's
host unless a tile server is configured, and then only to that server."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from process.directory_import import check_rows, read_table
from publish.directory import DirectoryConfig, render_directory
from sources.catalog import TOWNS
from store.directory_repo import PublicEntry
from tests.directory.test_import_export import FIXTURE
from tests.httpserver import Response, TestServer

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (scripts/setup installs it)"),
]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/kauf-regional/"
    server.shutdown()
    server.server_close()


def _entries() -> list[PublicEntry]:
    report = check_rows(read_table(FIXTURE), TOWNS, today=NOW.date())
    return [PublicEntry(n, a.key, a.business, NOW) for n, a in enumerate(report.accepted)]


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield launched
        launched.close()


def test_filters_work_without_javascript_and_nothing_leaves_the_host(site: tuple[Path, str], browser: Any) -> None:
    out, base = site
    entries = _entries()
    render_directory(out, entries, DirectoryConfig(form_url="/kauf-regional/eintragen"), NOW)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(base + "index.html")
    assert page.locator("h1").inner_text() == "Kauf regional im Landkreis Mittelsachsen"
    assert page.locator("li.kr-entry").count() == min(len(entries), 100)
    page.locator("#filter-ort").get_by_role("link", name="Döbeln", exact=True).click()
    assert page.locator("h1").inner_text() == "Ort: Döbeln"
    towns = page.locator("li.kr-entry p").first.inner_text()
    assert "Döbeln" in towns
    assert page.locator("li.kr-entry").count() == sum(e.business.town == "Döbeln" for e in entries)
    page.locator("#filter-angebot").get_by_role("link", name="Lieferung").click()
    assert page.locator("h1").inner_text() == "Angebot: Lieferung"
    page.locator("li.kr-entry h3 a").first.click()
    assert page.locator("script[type='application/ld+json']").count() == 1
    assert page.locator("h2", has_text="Angebote").count() == 1
    assert hosts == {urlsplit(base).netloc}
    context.close()


def test_map_loads_tiles_only_from_the_configured_server(site: tuple[Path, str], browser: Any) -> None:
    out, base = site
    with TestServer({"/tiles": lambda _r: Response(200, PNG, {"content-type": "image/png"})}) as tiles:
        tile_url = tiles.url("/tiles") + "?z={z}&x={x}&y={y}"
        render_directory(out, _entries(), DirectoryConfig(tile_url=tile_url, attribution="© Testkacheln"), NOW)
        page = browser.new_page()
        hosts: set[str] = set()
        errors: list[str] = []
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base + "karte.html")
        page.wait_for_selector("#kr-map a.kr-pin")
        assert page.locator("#kr-map a.kr-pin").count() > 40
        page.wait_for_function("document.querySelectorAll('#kr-map img').length > 0")
        page.locator("#kr-map a.kr-pin").last.click()  # the last one drawn lies on top
        assert page.locator("script[type='application/ld+json']").count() == 1
        assert errors == []
        assert hosts == {urlsplit(base).netloc, tiles.host_port}
        assert any(r.path == "/tiles" for r in tiles.requests)
