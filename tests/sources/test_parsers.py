"""Golden tests for the feed, listing and page parsers.

Each ``tests/fixtures/<kind>/<case>.{xml,json,html}`` is parsed and compared with ``<case>.expected.json``
(title, warnings and every RawEntry field; dates as ISO strings). ``<case>.meta.json`` optionally gives the
``url``, response ``headers`` and ``selectors``. A case whose expected file holds ``{"error": code}`` must
raise the FetchError with that code. After a deliberate parser change, regenerate with
``RUBRIK_REGEN_GOLDEN=1 .venv/bin/pytest tests/sources/test_parsers.py`` and review the diff before committing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from process.model import RawEntry
from sources.errors import FetchError, NotAFeed, ParseFailed
from sources.parsers import PARSERS, ParseResult, parse, parse_feed, parse_listing, parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SUFFIXES = (".xml", ".json", ".html")
REGEN = os.environ.get("RUBRIK_REGEN_GOLDEN") == "1"


def _cases() -> list[Any]:
    cases = []
    for kind in PARSERS:
        for path in sorted((FIXTURES / kind).glob("*")):
            if path.suffix in SUFFIXES and not path.name.endswith((".expected.json", ".meta.json")):
                cases.append(pytest.param(kind, path, id=f"{kind}/{path.stem}"))
    return cases


def _meta(path: Path) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.json")
    meta: dict[str, Any] = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
    meta.setdefault("url", f"https://example.org/{path.name}")
    meta.setdefault("headers", {})
    return meta


def _entry_json(entry: RawEntry) -> dict[str, Any]:
    data = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    data["date_parsed"] = entry.date_parsed.isoformat() if entry.date_parsed else None
    data["extra"] = dict(entry.extra)
    return data


def _result_json(result: ParseResult) -> dict[str, Any]:
    return {
        "title": result.title,
        "warnings": list(result.warnings),
        "entries": [_entry_json(e) for e in result.entries],
    }


def _run(kind: str, path: Path) -> dict[str, Any]:
    meta = _meta(path)
    try:
        result = parse(
            kind, path.read_bytes(), url=meta["url"], headers=meta["headers"], selectors=meta.get("selectors")
        )
    except FetchError as exc:
        return {"error": exc.code}
    return _result_json(result)


@pytest.mark.parametrize(("kind", "path"), _cases())
def test_golden(kind: str, path: Path) -> None:
    actual = _run(kind, path)
    expected_path = path.with_name(path.stem + ".expected.json")
    if REGEN or not expected_path.exists():
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", "utf-8")
        if not REGEN:
            pytest.fail(f"wrote missing {expected_path.name}; review it and run again")
    assert actual == json.loads(expected_path.read_text("utf-8"))


def _fixture(kind: str, name: str) -> tuple[bytes, dict[str, Any]]:
    path = FIXTURES / kind / name
    return path.read_bytes(), _meta(path)


# -- feeds ----------------------------------------------------------------------------------------------


def test_billion_laughs_is_not_expanded_and_fast() -> None:
    body, meta = _fixture("feed", "billion_laughs.xml")
    started = time.perf_counter()
    result = parse_feed(body, url=meta["url"], headers={"Content-Type": "application/rss+xml"})
    assert time.perf_counter() - started < 1.0
    fields = [result.title or ""] + [v for e in result.entries for v in (e.title, e.summary, e.content)]
    assert all(len(value) < 200 for value in fields)
    assert "lollollol" not in "".join(fields)


def test_billion_laughs_utf16_is_neutralized_too() -> None:
    body, meta = _fixture("feed", "billion_laughs.xml")
    wide = body.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    result = parse_feed(wide, url=meta["url"], headers={})
    assert all(len(e.title) < 200 and len(e.summary) < 200 for e in result.entries)


def test_safe_internal_entities_still_work() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY uuml "&#252;"><!ENTITY firma "IHK Chemnitz">]>'
        b'<rss version="2.0"><channel><title>&firma; Gr&uuml;&#223;e</title>'
        b"<item><title>&firma;</title><link>https://example.org/</link></item></channel></rss>"
    )
    result = parse_feed(body, url="https://example.org/feed", headers={})
    assert result.title == "IHK Chemnitz Grüße"
    assert result.entries[0].title == "IHK Chemnitz"


def test_login_page_is_not_a_feed() -> None:
    body, meta = _fixture("feed", "login_page.html")
    with pytest.raises(NotAFeed) as info:
        parse_feed(body, url=meta["url"], headers={"Content-Type": "text/html; charset=utf-8"})
    assert info.value.code == "not_a_feed"


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x01\x02garbage\xff", b"Internal Server Error", b"<html><body>Wartungsarbeiten</body></html>"],
    ids=["empty", "binary", "text", "html"],
)
def test_garbage_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAFeed):
        parse_feed(body, url="https://example.org/feed", headers={})


def test_broken_json_feed_is_a_parse_error() -> None:
    with pytest.raises(ParseFailed) as info:
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": [', url="https://x.org/f", headers={})
    assert info.value.code == "parse_error"


def test_json_that_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed):
        parse_feed(b'{"status": "ok"}', url="https://example.org/api", headers={"Content-Type": "application/json"})


def test_truncated_feed_with_entries_is_accepted_with_warning() -> None:
    body, meta = _fixture("feed", "medienservice_rss2.xml")
    result = parse_feed(body[: body.index(b"<item>", body.index(b"</item>"))], url=meta["url"], headers={})
    assert len(result.entries) == 1
    assert result.warnings and "not well-formed" in result.warnings[0]


def test_cp1252_feed_keeps_umlauts() -> None:
    body, meta = _fixture("feed", "cp1252_rss.xml")
    result = parse_feed(body, url=meta["url"], headers={"Content-Type": "application/rss+xml"})
    assert "Grüße" in result.entries[1].title
    assert "„Quarantäne“" in result.entries[0].summary
    assert "€" in result.entries[0].summary


# -- listings -------------------------------------------------------------------------------------------


def test_listing_relaunch_yields_nothing_and_warns() -> None:
    body, meta = _fixture("listing", "ihk_chemnitz_relaunch.html")
    result = parse_listing(body, url=meta["url"], headers=meta["headers"], selectors=meta["selectors"])
    assert result.entries == ()
    assert any("matched nothing" in w for w in result.warnings)


def test_listing_default_selectors() -> None:
    body, meta = _fixture("listing", "rosswein_wordpress_category.html")
    result = parse_listing(body, url=meta["url"], headers=meta["headers"], selectors={"item": "article.post"})
    first = result.entries[0]
    assert first.title == "Roßweiner Gutscheine für lokale Geschäfte"
    assert first.link == "https://www.rosswein.de/2020/04/03/rosswein-gutscheine-fuer-lokale-geschaefte/"
    assert first.date == "2020-04-03T09:30:00+02:00"
    # the second post has no <time>; its date comes from the page's JSON-LD, matched by URL
    assert result.entries[1].date == "2020-03-27T12:04:11+01:00"


def test_listing_single_article_page_falls_back_to_opengraph() -> None:
    body = b"""<html><head><meta property="og:type" content="article">
      <meta property="og:title" content="Kurzarbeit: Neue Regeln ab Juli">
      <meta property="article:published_time" content="2020-06-30T12:00:00+02:00"></head>
      <body><article><h1>Kurzarbeit: Neue Regeln ab Juli</h1></article></body></html>"""
    result = parse_listing(body, url="https://example.org/a", headers={}, selectors={"item": "li.news"})
    assert [e.title for e in result.entries] == ["Kurzarbeit: Neue Regeln ab Juli"]
    assert result.entries[0].link == "https://example.org/a"
    assert result.warnings


def test_listing_requires_item_selector() -> None:
    with pytest.raises(ParseFailed):
        parse_listing(b"<html></html>", url="https://example.org/", headers={}, selectors=None)


def test_listing_latin1_umlauts_survive() -> None:
    body, meta = _fixture("listing", "sab_news.html")
    result = parse_listing(body, url=meta["url"], headers=meta["headers"], selectors=meta["selectors"])
    assert result.entries[0].title.startswith("Sachsen hilft sofort – Darlehen")
    assert "Grüße" in result.entries[1].summary


# -- page and registry ----------------------------------------------------------------------------------


def test_page_drops_chrome() -> None:
    body, meta = _fixture("page", "mittelsachsen_informationen_unternehmen.html")
    (entry,) = parse_page(body, url=meta["url"], headers=meta["headers"], selectors=None).entries
    for chrome in ("Cookies", "Impressum", "Startseite", "Zum Inhalt", "Teilen", "Frauensteiner", "Suche"):
        assert chrome not in entry.content
    assert "Kurzarbeitergeld" in entry.content
    assert entry.guid == entry.link == meta["url"]


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        ('<meta property="og:title" content="Neue Regeln">', "", "Neue Regeln"),
        ("<title>Neue Regeln - Handwerkskammer Chemnitz</title>", "<h1>Neue Regeln</h1>", "Neue Regeln"),
        ("<title>Neue Regeln</title>", "<h1>Neue Regeln</h1>", "Neue Regeln"),
        (
            '<title>Hilfen | Wirtschaftsförderung</title><meta property="og:site_name" content="Wirtschaftsförderung">',
            "<h1>Alles zu Hilfen</h1>",
            "Hilfen",
        ),
        ("<title>Hilfen für Betriebe</title>", "<h1>Hilfen</h1>", "Hilfen für Betriebe"),  # no separator: kept
        (
            '<title>Wirtschaftsförderung</title><meta property="og:site_name" content="Wirtschaftsförderung">',
            "",
            "Wirtschaftsförderung",
        ),
        ("", "<h1>Nur eine Überschrift</h1>", "Nur eine Überschrift"),
        # the headline is one of several <h1> (the first is the logo) and a part of <title>
        (
            "<title>Zoll online - Fachmeldungen - Neue Zollsätze</title>",
            "<h1>Zoll</h1><h1>Fachmeldungen</h1><h1>Neue Zollsätze</h1>",
            "Neue Zollsätze",
        ),
        ('<meta property="og:title" content="Neue Regeln | DW | 28.04.2023">', "<h1>Neue Regeln</h1>", "Neue Regeln"),
        # spelled as in <title>, though the <h1> splits words with soft hyphens and spaces before a colon
        (
            "<title>BKA - Pressemitteilungen - Hilfe: Neue Regeln</title>",
            "<h1>Hil\xadfe : Neue Re\xadgeln</h1>",
            "Hilfe: Neue Regeln",
        ),
        ("<title>Messe abgesagt - Golem.de</title>", "", "Messe abgesagt"),  # a domain names the site
        (
            '<meta property="og:title" content="BMAS - Neue Regeln">'
            '<meta property="og:site_name" content="www.bmas.de">',
            "",
            "Neue Regeln",
        ),
        ('<title>BDZV: Neue Regeln</title><meta property="og:site_name" content="BDZV">', "", "Neue Regeln"),
        # a town in the title is no site name, though the site is the town's
        (
            '<title>Döbeln: Neue Gewerbeflächen</title><meta property="og:site_name" content="Stadt Döbeln">',
            "",
            "Döbeln: Neue Gewerbeflächen",
        ),
        # the logo's <h1> (one link home) is no headline
        (
            "<title>Stadt Roßwein - Neue Gewerbeflächen</title>",
            '<h1><a href="/">Stadt Roßwein</a></h1>',
            "Stadt Roßwein - Neue Gewerbeflächen",
        ),
    ],
)
def test_page_title_leaves_the_site_name_out(head: str, h1: str, expected: str) -> None:
    """Words of the site's name ("Wirtschaftsförderung", "Handwerkskammer") would count for tagging like the
    title's own."""
    body = f"<html><head>{head}</head><body><main>{h1}<p>Text der Seite.</p></main></body></html>".encode()
    (entry,) = parse_page(body, url="https://www.example.org/", headers={}, selectors=None).entries
    assert entry.title == expected


def test_page_leaves_related_articles_captions_and_page_functions_out() -> None:
    """Lists of other articles change daily: a watched page would be reported changed for them."""
    body = """<html><body><main><h1>Neue Hilfen</h1><p>Betriebe erhalten ab Montag Zuschüsse.</p>
        <figure><img src="a.jpg"><figcaption>Foto: Landratsamt / M. Muster</figcaption></figure>
        <h2>Antrag</h2><p>Anträge stellen Sie bei der SAB.</p>
        <h2>Mehr zum Thema</h2><ul><li><a href="/a">Anderer Artikel</a></li></ul><p>Noch ein Anriss.</p>
        <h2>Weitere Informationen</h2><p>Merkblatt der SAB zum Programm.</p><p><a href="m.pdf">Merkblatt als PDF</a></p>
        <h2>Mehr zu den Voraussetzungen</h2><p>Antragsberechtigt sind kleine Betriebe.</p>
        <div class="box"><h3>Das könnte Sie auch interessieren</h3><p>Ein ganz anderes Thema.</p></div>
        <p><a href="/liste">Zurück zur Übersicht</a></p><p><a href="a.pdf">Pressemitteilung als PDF</a></p>
        </main></body></html>""".encode()
    (entry,) = parse_page(body, url="https://www.example.org/", headers={}, selectors=None).entries
    for kept in (
        "Betriebe erhalten ab Montag Zuschüsse.",
        "Anträge stellen Sie bei der SAB.",
        "Weitere Informationen",
        "Merkblatt der SAB zum Programm.",
        "Merkblatt als PDF",
        "Antragsberechtigt sind kleine Betriebe.",
    ):
        assert kept in entry.content
    for dropped in (
        "Foto:",
        "Mehr zum Thema",
        "Anderer Artikel",
        "Noch ein Anriss",
        "Das könnte Sie",
        "ganz anderes Thema",
        "Zurück zur Übersicht",
        "Pressemitteilung als PDF",
    ):
        assert dropped not in entry.content


def test_unknown_kind_is_a_parse_error() -> None:
    with pytest.raises(ParseFailed):
        parse("podcast", b"", url="https://example.org/", headers={})


def test_page_content_selector_picks_the_region_staff_configured() -> None:
    from sources.parsers import parse

    body = (
        "<html><body><main><p>Öffnungszeiten des Rathauses</p>"
        "<div class='wifoe'><p>Neue Überbrückungshilfe für Betriebe in Döbeln.</p></div></main></body></html>"
    ).encode()
    result = parse(
        "page", body, url="https://www.doebeln.de/wirtschaft", headers={}, selectors={"content": "div.wifoe"}
    )
    assert result.entries[0].content == "Neue Überbrückungshilfe für Betriebe in Döbeln."
    missing = parse("page", body, url="https://www.doebeln.de/", headers={}, selectors={"content": "div.gone"})
    assert "Öffnungszeiten" in missing.entries[0].content
    assert any("div.gone" in warning for warning in missing.warnings)
    assert not result.warnings


def test_a_region_opened_by_a_related_heading_is_kept_when_it_is_the_main_text_or_chosen_by_staff() -> None:
    """A town's news list watched as a page may open with "Weitere Meldungen": that list is the page's text."""
    page = """<html><body><div id="content"><h2>Weitere Meldungen</h2><p>Neue Hilfen für Betriebe in Döbeln.</p>
        </div></body></html>""".encode()
    (entry,) = parse_page(page, url="https://www.doebeln.de/", headers={}, selectors=None).entries
    assert "Neue Hilfen für Betriebe in Döbeln." in entry.content
    chosen = """<html><body><main><p>Rathaus geöffnet. Das Bürgerbüro berät Betriebe zu Anträgen und Fristen.</p>
        <div class="liste"><div class="box"><h3>Mehr zum Thema</h3>
        <p>Neue Hilfen für Betriebe in Döbeln.</p></div></div></main></body></html>""".encode()
    (entry,) = parse_page(chosen, url="https://www.doebeln.de/", headers={}, selectors={"content": "div.liste"}).entries
    assert "Neue Hilfen für Betriebe in Döbeln." in entry.content
    (entry,) = parse_page(chosen, url="https://www.doebeln.de/", headers={}, selectors=None).entries
    assert "Neue Hilfen" not in entry.content and "Rathaus geöffnet." in entry.content  # there: a side box
