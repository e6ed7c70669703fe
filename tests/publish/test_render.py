"""Rendering from approved revisions: golden pages and feeds, strict feeds read back by feedparser, per-facet
contents, escaping, XML-illegal characters, stable ids and the correction policy."""

from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker

from publish.context import build_site
from publish.feeds import item_id
from publish.publisher import publish_config
from publish.render import render_site
from publish.validate import check_xml_feed, validate_files
from settings import Settings
from store import items_repo
from store.publish_repo import approved_items
from tests.publish.conftest import STANDARD
from tests.publish.seed import NOW, Seed, add_approved, entry

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "publish"
GOLDEN_FILES = ["index.html", "branche/handwerk.html", "widget/ort/freiberg.html", "feeds/ort-freiberg.atom",
                "feeds/alle.rss", "feeds/branche-handwerk.json"]  # fmt: skip

SiteDb = tuple[Settings, sessionmaker[Session]]


def render(site_db: SiteDb, now=NOW) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    settings, factory = site_db
    with factory() as session:
        items = approved_items(session)
    return render_site(build_site(items, publish_config(settings), now), now)


@pytest.mark.parametrize("path", GOLDEN_FILES)
def test_golden_output(site_db: SiteDb, path: str) -> None:
    add_approved(site_db[1], STANDARD)
    files = render(site_db)
    golden = GOLDEN / path.replace("/", "__")
    if os.environ.get("RUBRIK_UPDATE_GOLDEN") == "1":
        golden.write_bytes(files[path])
    assert files[path].decode() == golden.read_text(encoding="utf-8")


def test_every_feed_is_strict_xml_and_reads_back(site_db: SiteDb) -> None:
    add_approved(site_db[1], STANDARD)
    files = render(site_db)
    feeds = [path for path in files if path.startswith("feeds/")]
    assert len(feeds) == 3 * (1 + 11 + 5 + 52)  # all, 10 topics + "weitere", 5 sectors, 52 towns
    assert validate_files(files) == len(files)
    for path in feeds:
        if path.endswith(".json"):
            parsed = json.loads(files[path])
            ids = [item["id"] for item in parsed["items"]]
        else:
            etree.fromstring(files[path], etree.XMLParser(recover=False, resolve_entities=False))
            parsed = feedparser.parse(io.BytesIO(files[path]))
            assert not parsed.bozo, path
            ids = [entry.id for entry in parsed.entries]
        assert all(i.startswith("tag:landkreis-mittelsachsen.de,2020:rubrik:item:") for i in ids)


def titles(files: dict[str, bytes], path: str) -> set[str]:
    return {entry.title for entry in feedparser.parse(io.BytesIO(files[path])).entries}


def test_town_feed_has_county_wide_items_and_the_towns_own(site_db: SiteDb) -> None:
    add_approved(site_db[1], STANDARD)
    files = render(site_db)
    freiberg = titles(files, "feeds/ort-freiberg.rss")
    assert "Freiberg: Beratungstag im Rathaus" in freiberg
    assert "Soforthilfe: Antrag ab Montag" in freiberg  # county-wide
    assert "Döbeln: Markt wieder geöffnet" not in freiberg
    assert titles(files, "feeds/ort-doebeln.atom") >= {"Döbeln: Markt wieder geöffnet"}


def test_sector_and_topic_feeds_select_their_items(site_db: SiteDb) -> None:
    add_approved(site_db[1], STANDARD)
    files = render(site_db)
    # "alle-branchen" belongs to every sector; Kauf regional is kept on the Handel page
    assert titles(files, "feeds/branche-handwerk.rss") == {
        "Handwerk: Kurzarbeit richtig beantragen",
        "Soforthilfe: Antrag ab Montag",
    }
    assert "Döbeln: Markt wieder geöffnet" in titles(files, "feeds/branche-handel.atom")
    # no topic of the page's sections (none, or only "kauf-regional"): not lost, under "Weitere Meldungen"
    assert titles(files, "feeds/thema-weitere.rss") == {
        "Allgemeinverfügung ohne Thema",
        "Döbeln: Markt wieder geöffnet",
    }
    assert titles(files, "feeds/thema-kontakte-hotlines.rss") == {"Hotline der Wirtschaftsförderung"}


def test_every_source_of_an_item_is_named_and_linked(site_db: SiteDb) -> None:
    add_approved(site_db[1], STANDARD)
    page = render(site_db)["thema/kurzarbeit-beschaeftigte.html"].decode()
    assert '<a href="https://www.hwk-chemnitz.de/' not in page  # the item's URL, not the catalog URL
    assert 'Quellen:\n<a href="https://example.org/meldung/2">Handwerkskammer Chemnitz</a>' in page
    assert '<a href="https://ihk.example.org/2">IHK Chemnitz</a>' in page


def test_harvested_text_is_escaped_and_xml_illegal_characters_are_dropped(site_db: SiteDb) -> None:
    nasty = Seed(8, title="<script>alert(1)</script> Gefahr\x0b\ufffe", topics=("recht-verordnungen",))
    add_approved(site_db[1], [nasty])
    files = render(site_db)
    assert validate_files(files) == len(files)
    page = files["thema/recht-verordnungen.html"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert titles(files, "feeds/alle.atom") == {"<script>alert(1)</script> Gefahr"}


def test_correction_keeps_the_id_with_a_new_updated_and_withdrawal_removes(site_db: SiteDb) -> None:
    _settings, factory = site_db
    seed = Seed(9, topics=("steuern-abgaben",))
    [item] = add_approved(factory, [seed])
    before = feedparser.parse(io.BytesIO(render(site_db)["feeds/alle.atom"])).entries[0]
    later = NOW + timedelta(hours=2)
    with factory() as session, session.begin():
        items_repo.record_entries(session, "ihk", [entry(seed, body="Korrigiert")], later)
        items_repo.approve(session, [item], actor="test", now=later)
    after = feedparser.parse(io.BytesIO(render(site_db, later)["feeds/alle.atom"])).entries[0]
    assert after.id == before.id == item_id(item)
    assert after.updated_parsed > before.updated_parsed and "Korrigiert" in after.summary
    with factory() as session, session.begin():
        items_repo.reject(session, [item], actor="test", now=later)
    assert feedparser.parse(io.BytesIO(render(site_db, later)["feeds/alle.atom"])).entries == []


def test_pending_edit_keeps_the_approved_text_public(site_db: SiteDb) -> None:
    _settings, factory = site_db
    seed = Seed(10, topics=("entschaedigung",))
    add_approved(factory, [seed])
    with factory() as session, session.begin():
        items_repo.record_entries(session, "ihk", [entry(seed, body="Ungeprüft")], NOW + timedelta(hours=1))
    page = render(site_db)["thema/entschaedigung.html"].decode()
    assert "Text 10" in page and "Ungeprüft" not in page


def test_strict_feed_check_refuses_broken_xml() -> None:
    with pytest.raises(ValueError, match="wohlgeformt"):
        check_xml_feed("x.rss", b"<rss version='2.0'><channel><title>a &nbsp; b</title></channel></rss>")


def test_pinned_items_come_first_in_their_section(site_db: SiteDb) -> None:
    older_pinned = Seed(11, title="Angeheftet", topics=("steuern-abgaben",), age_hours=100, pinned=True)
    add_approved(site_db[1], [older_pinned, Seed(12, title="Neuer", topics=("steuern-abgaben",))])
    page = render(site_db)["thema/steuern-abgaben.html"].decode()
    assert page.index("Angeheftet") < page.index("Neuer")
