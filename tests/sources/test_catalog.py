"""The source catalog: the shipped file loads, and every kind of mistake is a CatalogError naming entry and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sources.catalog import (
    KINDS,
    SECTORS,
    TOPICS,
    TOWNS,
    CatalogError,
    SourceConfig,
    load_catalog,
    parse_interval,
    parse_source,
)
from sources.intervals import format_interval

SHIPPED = Path(__file__).resolve().parents[2] / "sources" / "catalog.yaml"

GOOD_ENTRY = """\
  - id: hwk-chemnitz-aktuelles
    name: Handwerkskammer Chemnitz
    kind: listing
    url: https://www.hwk-chemnitz.de/index.php?id=2485
    interval: 2h
    selectors: {item: "div.news-list-item", title: "h3", link: "h3 a@href", date: "time@datetime"}
    sectors: [handwerk]
    towns: []
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text("sources:\n" + GOOD_ENTRY + body, encoding="utf-8")
    return path


def entry(**fields: str | None) -> str:
    """A second entry (id "bad-one") in YAML, with fields overridden or (value None) left out."""
    base: dict[str, str | None] = {
        "id": "bad-one",
        "name": "Stadt Döbeln",
        "kind": "listing",
        "url": "https://www.doebeln.de/aktuell/bekanntmachungen",
        "interval": "3h",
        "selectors": '{item: "div.news-list-item"}',
    }
    base.update(fields)
    lines = [f"{key}: {value}" for key, value in base.items() if value is not None]
    return "  - " + "\n    ".join(lines) + "\n"


# -- the shipped catalog ------------------------------------------------------------------------------


def test_shipped_catalog_loads() -> None:
    sources = load_catalog(SHIPPED)
    assert len(sources) >= 40
    assert all(isinstance(s, SourceConfig) for s in sources)
    assert len({s.id for s in sources}) == len(sources)
    # a mailbox source names the office's own mail server and credentials: added per deployment, not shipped
    assert {s.kind for s in sources} == set(KINDS) - {"mailbox"}
    assert any(s.enabled for s in sources)
    assert not any(s.verified for s in sources), "nothing could be checked offline"


def test_shipped_catalog_has_the_issue_example_verbatim() -> None:
    hwk = {s.id: s for s in load_catalog(SHIPPED)}["hwk-chemnitz-aktuelles"]
    assert hwk.kind == "listing" and hwk.interval == timedelta(hours=2) and hwk.enabled
    assert hwk.url == "https://www.hwk-chemnitz.de/index.php?id=2485"
    assert dict(hwk.selectors or {}) == {
        "item": "div.news-list-item",
        "title": "h3",
        "link": "h3 a@href",
        "date": "time@datetime",
        "summary": "p.teaser",
    }
    assert hwk.sectors == ("handwerk",) and hwk.towns == ()


def test_shipped_catalog_enables_only_addresses_from_sources_md() -> None:
    sources_md = SHIPPED.parents[2] / "shared" / "SOURCES.md"
    if not sources_md.exists():
        pytest.skip("../shared/SOURCES.md not present")
    text = sources_md.read_text(encoding="utf-8")
    for source in load_catalog(SHIPPED):
        if source.enabled:
            bare = source.url.removeprefix("https://").rstrip("/")
            assert bare in text, f"{source.id} is enabled but its address is not in SOURCES.md"
        else:
            assert source.notes, f"{source.id} is disabled without a note saying why"


def test_shipped_catalog_covers_the_county() -> None:
    sources = load_catalog(SHIPPED)
    towns = {town for s in sources for town in s.towns}
    for town in ("Freiberg", "Döbeln", "Mittweida", "Flöha", "Frankenberg/Sa.", "Roßwein", "Hartha"):
        assert town in towns
    names = " ".join(s.name for s in sources)
    for publisher in ("IHK Chemnitz", "Handwerkskammer Chemnitz", "Aufbaubank", "Medienservice", "KfW"):
        assert publisher in names


def test_vocabularies() -> None:
    assert len(TOWNS) == len(set(TOWNS)) == 52  # 53 until Ostrau + Zschaitz-Ottewig became Jahnatal (2023)
    assert "Jahnatal" in TOWNS and "Ostrau" not in TOWNS
    assert "alle-branchen" in SECTORS and "kauf-regional" in TOPICS


# -- each kind of mistake names file, entry, id and field ---------------------------------------------


BAD_CASES = [
    pytest.param(entry(kind="rss"), "kind", "unknown kind", id="unknown-kind"),
    pytest.param(entry(selectors=None), "selectors", '"item"', id="listing-without-selectors"),
    pytest.param(entry(selectors='{title: "h3"}'), "selectors", '"item"', id="listing-without-item"),
    pytest.param(entry(selectors='{item: "div[class"}'), "selectors", "not a valid CSS", id="bad-css"),
    pytest.param(entry(selectors='{item: "div", link: "a@@href"}'), "selectors", "not a valid", id="bad-attr"),
    pytest.param(entry(selectors='{item: "div", author: "span"}'), "selectors", '"author"', id="unknown-key"),
    pytest.param(entry(kind="feed"), "selectors", "takes no selectors", id="feed-with-selectors"),
    pytest.param(entry(url="ftp://example.de/x"), "url", "http(s)", id="ftp-url"),
    pytest.param(entry(url="javascript:alert(1)"), "url", "http(s)", id="javascript-url"),
    pytest.param(entry(url="https:///nohost"), "url", "no host", id="no-host"),
    pytest.param(entry(url="https://user:pw@example.de/"), "url", "password", id="userinfo"),
    pytest.param(entry(url="http://127.0.0.1:8080/feed"), "url", "non-public", id="loopback"),
    pytest.param(entry(url="http://169.254.169.254/latest"), "url", "non-public", id="metadata"),
    pytest.param(entry(url="http://0x7f000001/"), "url", "non-public", id="hex-ip"),
    pytest.param(entry(url="http://[::ffff:10.0.0.1]/"), "url", "non-public", id="mapped-ip"),
    pytest.param(entry(url="http://localhost/"), "url", "localhost", id="localhost"),
    pytest.param(entry(url="https://example.de:99999/"), "url", "port", id="bad-port"),
    pytest.param(entry(interval="2x"), "interval", "not an interval", id="bad-interval"),
    pytest.param(entry(interval="10s"), "interval", "shorter", id="too-short"),
    pytest.param(entry(interval="8d"), "interval", "longer", id="too-long"),
    pytest.param(entry(interval="[1]"), "interval", "a list", id="interval-list"),
    pytest.param(entry(sectors="[handwek]"), "sectors", 'did you mean "handwerk"', id="sector-typo"),
    pytest.param(entry(topics="[corona]"), "topics", 'unknown topic "corona"', id="unknown-topic"),
    pytest.param(entry(towns="[Dobeln]"), "towns", 'did you mean "Döbeln"', id="town-typo"),
    pytest.param(entry(towns="[Ostrau]"), "towns", "Jahnatal", id="former-town"),
    pytest.param(entry(towns="Freiberg"), "towns", "must be a list", id="towns-not-list"),
    pytest.param(entry(enabled='"no"'), "enabled", "true or false", id="enabled-text"),
    pytest.param(entry(id="Bad_ID"), "id", "not a valid id", id="bad-id"),
]


@pytest.mark.parametrize(("yaml_entry", "field", "reason"), BAD_CASES)
def test_bad_entry_is_named(tmp_path: Path, yaml_entry: str, field: str, reason: str) -> None:
    path = write(tmp_path, yaml_entry)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert str(path) in message and "entry 2 (line" in message
    assert f'field "{field}"' in message
    assert reason in message
    if field != "id":
        assert 'id "bad-one"' in message


def test_allow_hosts_admits_exactly_a_local_test_server(tmp_path: Path) -> None:
    path = write(tmp_path, entry(url="http://127.0.0.1:8080/feed"))
    assert load_catalog(path, allow_hosts=["127.0.0.1:8080"])[1].url == "http://127.0.0.1:8080/feed"
    with pytest.raises(CatalogError, match="non-public"):
        load_catalog(path, allow_hosts=["127.0.0.1:8081"])


def test_unknown_field_gets_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r'id "bad-one": unknown field "intervall"; did you mean "interval"'):
        load_catalog(write(tmp_path, entry(intervall="2h")))


def test_missing_field(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r'entry 2 .*id "bad-one": field "url" is missing'):
        load_catalog(write(tmp_path, entry(url=None)))


def test_duplicate_id_names_both_entries(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, entry(id="hwk-chemnitz-aktuelles")))
    assert 'entry 2 (line 10), id "hwk-chemnitz-aktuelles": field "id": duplicate of entry 1 (line 2)' in str(
        caught.value
    )


def test_all_problems_are_collected(tmp_path: Path) -> None:
    body = entry(kind="rss", interval="soon") + entry(id="second-bad", url="file:///etc/passwd")
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, body))
    problems = caught.value.problems
    assert len(problems) == 3
    assert "3 problems" in str(caught.value)
    assert any("entry 3" in p and 'id "second-bad"' in p and 'field "url"' in p for p in problems)


def test_yaml_syntax_error_has_line_number(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("sources:\n  - id: a\n    name: [unclosed\n    kind: page\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog\.yaml: line \d+, column \d+: YAML syntax error"):
        load_catalog(path)


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, entry() + "    interval: 1h\n")
    with pytest.raises(CatalogError, match=r'line 16, column 5: YAML syntax error: the key "interval" appears twice'):
        load_catalog(path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", 'key "sources"'),
        ("- a\n- b\n", 'key "sources"'),
        ("sources: {}\n", "must be a list"),
        ("sources: []\nsettings: 1\n", 'unknown top-level key "settings"'),
        ("sources:\n  - just a string\n", "entry 1 (line 2): an entry must be a mapping"),
    ],
)
def test_bad_file_shapes(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert reason in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read the source catalog"):
        load_catalog(tmp_path / "nope.yaml")


def test_empty_catalog_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("sources: []\n", encoding="utf-8")
    assert load_catalog(path) == ()


# -- parse_source: defaults and round trip ------------------------------------------------------------

MINIMAL = {"id": "x-feed", "name": "X", "kind": "feed", "url": "https://x.example/feed", "interval": 1800}


def test_defaults_by_kind() -> None:
    feed = parse_source(MINIMAL)
    assert feed.obey_robots is False and feed.enabled is True and feed.verified is False
    assert feed.selectors is None and feed.sectors == feed.topics == feed.towns == ()
    page = parse_source({**MINIMAL, "kind": "page"})
    assert page.obey_robots is True
    assert parse_source({**MINIMAL, "obey_robots": True}).obey_robots is True


def test_parse_source_error_without_where() -> None:
    with pytest.raises(CatalogError, match=r'^source id "x-feed": field "kind": unknown kind "atom"'):
        parse_source({**MINIMAL, "kind": "atom"})
    with pytest.raises(CatalogError, match=r"^source without an id: field \"id\" is missing"):
        parse_source({k: v for k, v in MINIMAL.items() if k != "id"})


def test_selector_with_at_inside_attribute_value_is_css() -> None:
    source = parse_source({**MINIMAL, "kind": "listing", "selectors": {"item": "li", "link": 'a[href$="@x.de"]'}})
    assert source.selectors is not None and source.selectors["link"] == 'a[href$="@x.de"]'


def test_round_trip_of_every_shipped_source() -> None:
    for source in load_catalog(SHIPPED):
        again = parse_source(source.to_dict())
        assert again == source
        assert hash(again) == hash(source)


def test_to_dict_is_plain_data() -> None:
    data = parse_source({**MINIMAL, "kind": "listing", "interval": "1h30m", "selectors": {"item": "li"}}).to_dict()
    assert data["interval"] == "1h30m"
    assert data["selectors"] == {"item": "li"} and type(data["selectors"]) is dict
    assert data["sectors"] == [] and data["obey_robots"] is True


def test_source_is_immutable() -> None:
    source = parse_source({**MINIMAL, "kind": "listing", "selectors": {"item": "li"}})
    with pytest.raises(AttributeError):
        source.url = "https://evil.example/"  # type: ignore[misc]
    with pytest.raises(TypeError):
        source.selectors["item"] = "div"  # type: ignore[index]


# -- intervals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("90s", timedelta(seconds=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1d 12h", timedelta(hours=36)),
        (" 2H ", timedelta(hours=2)),
        (3600, timedelta(hours=1)),
        ("3600", timedelta(hours=1)),
        (60, timedelta(minutes=1)),
        ("7d", timedelta(days=7)),
    ],
)
def test_parse_interval(value: str | int, expected: timedelta) -> None:
    assert parse_interval(value) == expected
    assert parse_interval(format_interval(expected)) == expected


@pytest.mark.parametrize(
    "value", ["", "2", "2x", "h", "1.5h", "-1h", "1h1h", "30m2h2", "59s", 59, 0, "8d", 604_801, True, 1.5, None]
)
def test_parse_interval_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_interval(value)  # type: ignore[arg-type]


def test_format_interval() -> None:
    assert format_interval(timedelta(hours=2)) == "2h"
    assert format_interval(timedelta(seconds=5400)) == "1h30m"
    assert format_interval(timedelta(days=1, seconds=61)) == "1d1m1s"
