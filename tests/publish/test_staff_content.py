"""Issue 8 on the public side: manual entries through review to the page and the town's feed, the towns'
offers with "Stand", and stored contacts replacing the settings' block — through the real publish step."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from process.contacts import check_contact
from process.entries import EntryDraft, Link
from publish.publisher import run_publish
from store import contacts_repo, entries_repo, items_repo
from store.db import transaction

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _entry(section: str, title: str, town: str, **extra: Any) -> EntryDraft:
    return EntryDraft(title=title, text="Die Stadt **hilft** schnell.", section=section, towns=(town,),
                      topics=("soforthilfen-zuschuesse",), links=(Link("Antrag", "https://www.penig.de/a"),),
                      **extra)  # fmt: skip


def _site(settings: Any) -> Path:
    return Path(settings.site_dir) / "current"


def test_manual_entry_reaches_page_and_town_feed_only_after_review(site_db: Any) -> None:
    settings, factory = site_db
    with transaction(factory) as session:
        item_id = entries_repo.create_entry(session, _entry("redaktion", "Eigene Meldung für Penig", "Penig"),
                                            actor="rita", now=NOW)  # fmt: skip
    run_publish(settings, now=NOW, force=True)
    assert "Eigene Meldung für Penig" not in (_site(settings) / "index.html").read_text()  # pending: not public
    with transaction(factory) as session:
        items_repo.approve(session, [item_id], actor="rita", now=NOW)
    run_publish(settings, now=NOW + timedelta(minutes=1))
    index = (_site(settings) / "index.html").read_text()
    assert "Eigene Meldung für Penig" in index and "<strong>hilft</strong>" in index
    assert "Redaktion der Wirtschaftsförderung" in index  # the office is named as the source
    feed = etree.fromstring((_site(settings) / "feeds" / "ort-penig.atom").read_bytes())
    titles = feed.xpath("//a:entry/a:title/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert "Eigene Meldung für Penig" in titles
    widget = (_site(settings) / "widget" / "ort" / "penig.html").read_text()
    assert "Eigene Meldung für Penig" in widget


def test_town_offers_section_with_stand_and_in_the_town_feed(site_db: Any) -> None:
    settings, factory = site_db
    with transaction(factory) as session:
        for title in ("Gutscheine für Händler", "Stundung der Gebühren"):
            entries_repo.create_entry(session, _entry("kommunale-angebote", title, "Penig"), actor="adam", now=NOW,
                                      publish=True)  # fmt: skip
        expired = _entry("kommunale-angebote", "Abgelaufenes Angebot", "Penig", valid_until=date(2026, 11, 1))
        entries_repo.create_entry(session, expired, actor="adam", now=NOW - timedelta(days=30), publish=True)
        entries_repo.confirm_town(session, "Penig", actor="adam", now=NOW + timedelta(days=2))
    run_publish(settings, now=NOW + timedelta(days=3))
    index = (_site(settings) / "index.html").read_text()
    section = index.split('id="t-kommunale-angebote"', 1)[1]
    assert "Penig" in section and "Stand: <time" in section and "27.11.2026" in section
    assert "Gutscheine für Händler" in section and "Stundung der Gebühren" in section
    assert "Abgelaufenes Angebot" not in section
    assert index.count("Gutscheine für Händler") == 1  # not repeated under its topic
    town = (_site(settings) / "ort" / "penig.html").read_text()
    assert "Angebote der Kommunen" in town and "Gutscheine für Händler" in town
    feed = json.loads((_site(settings) / "feeds" / "ort-penig.json").read_text())
    assert {"Gutscheine für Händler", "Stundung der Gebühren"} <= {item["title"] for item in feed["items"]}
    assert "Gutscheine für Händler" in (_site(settings) / "widget" / "ort" / "penig.html").read_text()


def test_stored_contacts_replace_the_settings_block(site_db: Any) -> None:
    settings, factory = site_db
    run_publish(settings, now=NOW)
    assert 'href="tel:03731000-000"' in (_site(settings) / "index.html").read_text()  # settings' block
    with transaction(factory) as session:
        rows = [
            check_contact({"section": "block", "institution": "Hotline des Landkreises", "phone": "03731 799-3333"}),
            check_contact({"section": "block", "institution": "Wirtschaftsförderung",
                           "email": "wirtschaft@landkreis-mittelsachsen.de"}),
            check_contact({"section": "wichtig", "institution": "IHK Chemnitz", "topic": "Corona-Hotline",
                           "phone": "0371 6900-1010", "hours": "Mo–Fr 8–18 Uhr"}),
        ]  # fmt: skip
        contacts_repo.import_contacts(session, rows, actor="adam", now=NOW)
    result = run_publish(settings, now=NOW + timedelta(minutes=1))
    assert result.status == "published"  # a contact change is an input change
    index = (_site(settings) / "index.html").read_text()
    assert 'href="tel:+4937317993333"' in index and "03731000-000" not in index
    assert 'href="mailto:wirtschaft@landkreis-mittelsachsen.de"' in index
    assert "Wichtige Kontakte" in index and 'href="tel:+4937169001010"' in index and "Mo–Fr 8–18 Uhr" in index
