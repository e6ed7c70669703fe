"""The published site in headless Chromium, served by the real app over a socket: axe-core finds no serious or
critical problem, nothing is requested from another host, nothing breaks the CSP, and the sector and town
filters work with JavaScript switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker

from publish.publisher import run_publish
from publish.serve import create_public_app
from settings import Settings
from tests.httpserver import serving
from tests.publish.conftest import STANDARD
from tests.publish.seed import NOW, add_approved

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "var" / "axe" / "package" / "axe.min.js"  # `npm pack axe-core` in scripts/setup
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = ["index.html", "branche/handwerk.html", "ort/freiberg.html", "archiv.html", "feeds.html", "einbinden.html",
         "widget/ort/freiberg.html", "widget/branche/handel.html", "ort/doebeln.html",
         "ort/doebeln/handel.html"]  # fmt: skip


@pytest.fixture
def base_url(site_db: tuple[Settings, sessionmaker[Session]]) -> Iterator[str]:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    run_publish(settings, now=NOW)
    with serving(create_public_app(settings)) as base:
        yield base + "/"


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: apt-get install -y chromium (scripts/setup does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser, base_url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run scripts/setup (npm pack axe-core)")
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script; the site itself has none
    page = context.new_page()
    page.goto(base_url + path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    bad = [
        (v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    assert result["passes"]  # axe really ran
    context.close()


def test_no_request_to_another_host_and_no_csp_violation(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    for path in PAGES:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(base_url).netloc}
    assert problems == []
    assert context.cookies() == []
    context.close()


def test_filters_work_without_javascript(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url)
    filters = page.get_by_role("navigation", name="Filter nach Branche, Thema und Ort")
    filters.get_by_role("link", name="Handwerk", exact=True).click()
    assert page.url.endswith("/branche/handwerk.html")
    assert page.get_by_role("heading", name="Handwerk", level=1).is_visible()
    body = page.inner_text("main")
    assert "Handwerk: Kurzarbeit richtig beantragen" in body and "Döbeln: Markt wieder geöffnet" not in body
    filters.get_by_text("Ort", exact=True).click()  # <details> opens without script
    filters.get_by_role("link", name="Freiberg", exact=True).click()
    assert page.url.endswith("/ort/freiberg.html")
    assert "Freiberg: Beratungstag im Rathaus" in page.inner_text("main")
    page.keyboard.press("Tab")  # first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    context.close()
