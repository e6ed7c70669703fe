"""End to end in headless Chromium against a real uvicorn server on 127.0.0.1: log in, filter, approve and
reject with the keyboard, edit tags, bulk approve. Publishing (issue 5) extends the last step with the public check;
here the approved revision is checked in the store, which is what publishing reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from review.app import create_app
from store.db import make_engine, session_factory, transaction, upgrade
from store.schema import ItemRow
from tests.httpserver import serving
from tests.review.conftest import PASSWORD, seed

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (scripts/setup installs it)"),
]


@pytest.fixture
def server(tmp_path: Path, make_settings: Any) -> Iterator[tuple[str, Any]]:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    seed(factory)
    app = create_app(make_settings(database_url=url, review_counts_ttl=0))
    with serving(app, lifespan="off") as base:
        yield base, factory
    engine.dispose()


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        tab = browser.new_page()
        tab.set_default_timeout(10_000)
        yield tab
        browser.close()


def _item(factory: Any, item_id: int) -> ItemRow:
    with transaction(factory) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        session.expunge(row)
        return row


def test_review_in_a_real_browser(server: tuple[str, Any], page: Any) -> None:
    base, factory = server
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(base + "/staff/")
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.queue")
    assert page.locator("tr.queue-row").count() == 6

    page.select_option("select[name=source]", "ihk")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**source=ihk**")
    assert page.locator("tr.queue-row").count() == 3
    page.goto(base + "/staff/")

    page.keyboard.press("j")  # newest row (item 6) selected
    assert page.get_attribute("tr.queue-row.selected", "id") == "row-6"
    page.keyboard.press("a")
    page.wait_for_selector("#row-6.decided")
    assert page.get_attribute("tr.queue-row.selected", "id") == "row-5"  # selection moved on
    page.keyboard.press("r")
    page.wait_for_selector("#row-5.decided")
    approved, rejected = _item(factory, 6), _item(factory, 5)
    assert approved.status == "approved" and approved.approved_revision_id == approved.current_revision_id
    assert rejected.status == "rejected" and rejected.approved_revision_id is None

    page.click("#row-4 a.open")
    page.wait_for_selector("form#edit")
    assert page.is_checked("form#edit input[name=sectors][value=handwerk]")
    page.check("form#edit label.choice:has-text('Gastgewerbe und Tourismus') input")  # by its German label
    page.click("form#edit button[type=submit]")
    page.wait_for_selector(".flash")
    assert _item(factory, 4).sectors == ["handwerk", "gastgewerbe-tourismus"]
    page.keyboard.press("a")  # approve the edited item from its page, on to the next one
    page.wait_for_url("**/staff/items/3**")
    assert _item(factory, 4).status == "approved"

    page.goto(base + "/staff/")
    page.check("#select-all")  # the header box ticks the whole page …
    assert all(box.is_checked() for box in page.query_selector_all("tr.queue-row input[type=checkbox]"))
    page.uncheck("#select-all")  # … and unticks it
    assert not any(box.is_checked() for box in page.query_selector_all("tr.queue-row input[type=checkbox]"))
    page.check("#row-3 input[type=checkbox]")
    page.check("#row-2 input[type=checkbox]")
    page.click(".bulk button[value=approve]")
    page.wait_for_selector(".flash")
    assert "2 Einträge freigegeben" in page.inner_text(".flash")
    assert {_item(factory, n).status for n in (2, 3)} == {"approved"}
    assert page.locator("tr.queue-row").count() == 1

    # what staff reviewed, measured against the rules of today; item 4's edited tags are a deviation
    page.click("header nav a:has-text('Qualität')")
    page.wait_for_selector("h1:has-text('Qualität der Schlagworte')")
    assert "verglichen mit den 2 zuletzt geprüften Einträgen: 1 mit korrigierten" in page.inner_text("main")
    assert "item-2, item-6" in page.inner_text("p.warning")  # seeded with a topic the taxonomy does not know
    page.click("ul.deviations a[href='/staff/items/4']")
    page.wait_for_url("**/staff/items/4")
    assert csp_errors == []
