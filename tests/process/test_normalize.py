from __future__ import annotations

from datetime import UTC, datetime

from process.model import RawEntry
from process.normalize import normalize_entries, normalize_entry
from tests.process.conftest import NOW

BASE = "https://www.ihk.de/chemnitz/news/"


def test_full_pipeline() -> None:
    raw = RawEntry(
        guid="  id-1 ",
        link="artikel.html?utm_source=rss#x",
        title="  FÃ¶rderung <b>für</b>\n Handwerk ",
        summary='<p onclick="x">Grüße <a href="/kontakt">Kontakt</a><img src="t.gif"></p><script>x</script>',
        date="Dienstag, 24. März 2020, 14:30 Uhr",
        extra={"diff": "--- vorher"},
    )
    entry = normalize_entry(raw, base_url=BASE, now=NOW)
    assert entry.title == "Förderung für Handwerk"
    assert entry.url == "https://www.ihk.de/chemnitz/news/artikel.html"
    assert entry.guid == "id-1" and entry.identity == "guid:id-1"
    assert entry.summary_html == (
        '<p>Grüße <a href="https://www.ihk.de/kontakt" rel="noopener noreferrer nofollow">Kontakt</a></p>'
    )
    assert entry.content_text == "Grüße Kontakt"
    assert entry.published_at == datetime(2020, 3, 24, 13, 30, tzinfo=UTC)
    assert entry.diff == "--- vorher"
    assert "title: mojibake repaired" in entry.warnings


def test_identity_fallbacks_and_structured_date() -> None:
    raw = RawEntry(guid="", link="https://a.de/x", title="T", date_parsed=datetime(2020, 1, 2, 3, 4))
    entry = normalize_entry(raw, base_url=BASE, now=NOW)
    assert entry.guid is None and entry.identity == "url:https://a.de/x"
    assert entry.published_at == datetime(2020, 1, 2, 3, 4, tzinfo=UTC)
    no_link = normalize_entry(RawEntry(guid=None, link=None, title="T"), base_url=BASE, now=NOW)
    assert no_link.identity == f"hash:{no_link.content_hash}"
    ignored = normalize_entry(RawEntry(guid="g", link="https://a.de/x", title="T"), base_url=BASE, now=NOW,
                              use_guid=False)  # fmt: skip
    assert ignored.identity == "url:https://a.de/x" and ignored.guid == "g"


def test_bad_values_become_none_with_warnings() -> None:
    raw = RawEntry(guid=None, link="javascript:alert(1)", title="T", date="01.01.2099")
    entry = normalize_entry(raw, base_url=BASE, now=NOW)
    assert entry.url is None and entry.published_at is None
    assert any(w.startswith("url:") for w in entry.warnings)
    assert any(w.startswith("date:") for w in entry.warnings)


def test_plain_text_summary_keeps_paragraphs() -> None:
    raw = RawEntry(guid=None, link=None, title="T", summary="Erster &amp; Absatz\n\nZweiter <3")
    entry = normalize_entry(raw, base_url=BASE, now=NOW)
    assert entry.summary_html == "<p>Erster &amp; Absatz</p><p>Zweiter &lt;3</p>"


def test_content_text_prefers_content_and_hash_tracks_changes() -> None:
    a = normalize_entry(RawEntry(guid="g", link=None, title="T", summary="kurz", content="<p>lang</p>"),
                        base_url=BASE, now=NOW)  # fmt: skip
    b = normalize_entry(RawEntry(guid="g", link=None, title="T", summary="kurz", content="<p>länger</p>"),
                        base_url=BASE, now=NOW)  # fmt: skip
    assert a.content_text == "lang" and a.identity == b.identity and a.content_hash != b.content_hash


def test_normalize_entries_drops_empty_and_disambiguates() -> None:
    raws = [
        RawEntry(guid="dup", link=None, title="Eins"),
        RawEntry(guid=None, link=None, title=" <b></b> "),
        RawEntry(guid="dup", link=None, title="Zwei"),
    ]
    entries, warnings = normalize_entries(raws, base_url=BASE, now=NOW)
    assert [e.identity for e in entries] == ["guid:dup", "guid:dup#2"]
    assert any("entry 1: dropped" in w for w in warnings)
    assert any(w.startswith("identity:") for w in warnings)


def test_a_long_regulation_keeps_its_closing_clause_and_its_expiry() -> None:
    """Saxon funding regulations run to ~92,000 characters; the day they cease to apply stands at the very end."""
    from process.tagging import tag_item
    from process.taxonomy import load_taxonomy

    sections = "".join(f"<p>{n}. Abschnitt: Zuwendungen für Vorhaben der Unternehmen. " + "Text " * 150 + "</p>"
                       for n in range(120))  # fmt: skip
    closing = (
        "<p>Diese Richtlinie tritt am Tag nach ihrer Veröffentlichung in Kraft und mit Ablauf des 31. Dezember 2029 "
        "außer Kraft.</p>"
    )
    raw = RawEntry(guid="frl", link="frl.html", title="Förderrichtlinie Beispiel", content=sections + closing)
    entry = normalize_entry(raw, base_url=BASE, now=NOW)
    assert len(entry.content_text) > 90_000
    assert entry.content_text.endswith("außer Kraft.")
    tags = tag_item(entry.title, entry.content_text, load_taxonomy())
    assert tags.expires_at is not None and tags.expires_at.year == 2029
