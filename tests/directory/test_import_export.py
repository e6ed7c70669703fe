"""Import dry run and report, XLSX, re-import; exports: GeoJSON structure, CSV round trip, JSON-LD escaping;
geocoding through the network gate against a local fake geocoder."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from process.directory import Business, Offer
from process.directory_import import check_rows, read_table
from publish.directory import DirectoryConfig, render_directory, to_csv
from review.directory_ops import import_file
from sources.catalog import FORMER_TOWNS, TOWNS
from store import directory_repo
from store.directory_repo import PublicEntry
from tests.directory.conftest import build_env
from tests.httpserver import Response, TestServer

pytestmark = pytest.mark.anyio
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "directory" / "kauf-regional.csv"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_fixture_report_names_every_broken_row() -> None:
    report = check_rows(read_table(FIXTURE), TOWNS, today=NOW.date(), former_towns=FORMER_TOWNS)
    assert len(report.accepted) == 74 and sum(len(a.business.offers) for a in report.accepted) >= 100
    reasons = dict(report.rejected)
    assert len(reasons) == 10
    assert "Chemnitz" in reasons[32] and "nicht in Sachsen" in reasons[33] and "http" in reasons[34]
    assert "mindestens ein Angebot" in reasons[35] and "Name" in reasons[36] and reasons[67].startswith("doppelt")
    assert "Jahnatal" in reasons[69] and "Vergangenheit" in reasons[70] and "Kategorie" in reasons[71]


def test_cli_dry_run_stores_nothing_then_import_and_reimport(db_url: str, make_settings: Any, monkeypatch: Any) -> None:
    import cli

    env = build_env(db_url, make_settings)
    monkeypatch.setattr(cli, "_settings", lambda: env.settings)
    runner = CliRunner()
    dry = runner.invoke(cli.app, ["directory", "import", str(FIXTURE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "74 Zeilen übernommen, 10 abgelehnt." in dry.output and "Zeile 32: Ort:" in dry.output
    with env.session() as session:
        assert directory_repo.counts(session) == {}
    real = runner.invoke(cli.app, ["directory", "import", str(FIXTURE)])
    assert "74 Einträge angelegt" in real.output
    again = import_file(env.settings, FIXTURE, dry_run=False)  # the in-file duplicate is "bereits" now too
    assert again.created == 0 and sum("bereits im Verzeichnis" in r for _, r in again.report.rejected) == 75
    with env.session() as session:
        assert directory_repo.counts(session) == {"pending": 74}
    missing = runner.invoke(cli.app, ["directory", "import", "/nonexistent.csv"])
    assert isinstance(missing.exception, cli.UserError)  # main() prints it as "Fehler: …", exit code 2


def test_xlsx_import(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Ort", "Kategorie", "PLZ", "Abholung", "Breite", "Länge", "Gültig bis"])
    sheet.append(["Käserei Uhlig", "Sayda", "regionale Produzenten", 9619, "ja", 50.71, 13.42, datetime(2030, 1, 31)])
    sheet.append(["Kaputt", "Nirgendwo", "einzelhandel", None, "ja", None, None, None])
    book.save(tmp_path / "liste.xlsx")
    report = check_rows(read_table(tmp_path / "liste.xlsx"), TOWNS, today=NOW.date())
    [ok] = report.accepted
    assert ok.business.postcode == "09619" and ok.business.valid_until == date(2030, 1, 31)
    assert (ok.business.lat, ok.business.lon, ok.business.category) == (50.71, 13.42, "regionale-produzenten")
    assert [n for n, _ in report.rejected] == [3]


def _entries() -> list[PublicEntry]:
    report = check_rows(read_table(FIXTURE), TOWNS, today=NOW.date())
    return [PublicEntry(n, a.key, a.business, NOW) for n, a in enumerate(report.accepted)]


def test_geojson_is_rfc7946_with_lon_lat(tmp_path: Path) -> None:
    entries = _entries()
    render_directory(tmp_path, entries, DirectoryConfig(), NOW)
    data = json.loads((tmp_path / "kauf-regional" / "kauf-regional.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    located = [e for e in entries if e.business.lat is not None]
    assert len(data["features"]) == len(located) > 40
    for feature, entry in zip(data["features"], located, strict=True):
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == (entry.business.lon, entry.business.lat) and 11.8 < lon < 15.1 and 50.1 < lat < 51.75
        assert set(feature["properties"]["offers"]) <= {"abholung", "lieferung", "onlineshop", "gutschein"}


def test_csv_export_round_trips_through_the_importer(tmp_path: Path) -> None:
    hostile = Business(
        name="=HYPERLINK(\"http://evil\")", category="einzelhandel", town="Freiberg", phone="+49 3731 1234",
        opening_notes="-5 % auf alles\nSa geschlossen", offers=(Offer("abholung", "@Tresen"),),
    )  # fmt: skip
    entries = [*_entries(), PublicEntry(999, "hostile", hostile, NOW)]
    path = tmp_path / "export.csv"
    path.write_text(to_csv(entries), encoding="utf-8")
    assert "\n=" not in path.read_text(encoding="utf-8") and ";=" not in path.read_text(encoding="utf-8")
    report = check_rows(read_table(path), TOWNS, today=NOW.date())
    assert report.rejected == []
    assert [a.business for a in report.accepted] == [e.business for e in entries]


def test_business_page_json_ld_cannot_break_out_of_its_script(tmp_path: Path) -> None:
    evil = Business(
        name="Laden </script><script>alert(1)</script>", category="gastronomie", town="Döbeln",
        lat=51.12, lon=13.11, phone="03431 1234", offers=(Offer("lieferung", "</script>"),),
    )  # fmt: skip
    render_directory(tmp_path, [PublicEntry(1, "evil", evil, NOW)], DirectoryConfig(), NOW)
    html = (tmp_path / "kauf-regional" / "betrieb" / "evil.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and "<" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["@type"] == "FoodEstablishment" and data["name"] == evil.name
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 51.12, "longitude": 13.11}
    assert "<script>alert" not in html.split("</head>", 1)[1]


def test_filter_pages_and_no_map_without_tile_server(tmp_path: Path) -> None:
    entries = _entries()
    files = render_directory(tmp_path, entries, DirectoryConfig(), NOW)
    folder = tmp_path / "kauf-regional"
    assert not (folder / "karte.html").exists() and all("http" not in f.name for f in files)
    freiberg = [e for e in entries if e.business.town == "Freiberg"]
    page = (folder / "ort" / "freiberg.html").read_text(encoding="utf-8")
    assert page.count('class="kr-entry"') == len(freiberg) > 0
    assert 'aria-current="page">Freiberg</a>' in page
    for kind in ("abholung", "lieferung", "onlineshop", "gutschein"):
        count = sum(kind in e.business.offer_kinds for e in entries)
        assert (folder / "angebot" / f"{kind}.html").read_text(encoding="utf-8").count('class="kr-entry"') == count
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "https://" not in index.split("<main", 1)[0]  # no third-party stylesheet or script


def test_geocoder_is_asked_through_the_gate_only_when_configured(db_url: str, make_settings: Any) -> None:
    from review.directory_ops import geocode_missing

    asked: list[str] = []

    def answer(request: Any) -> Response:
        asked.append(request.query["q"][0])
        hit = [{"lat": "50.9170", "lon": "13.3420"}] if "Obermarkt" in request.query["q"][0] else []
        return Response(200, json.dumps(hit).encode(), {"content-type": "application/json"})

    with TestServer({"/search": answer}) as server:
        env = build_env(db_url, make_settings)
        with env.session() as session:
            for address in ("Obermarkt 5", "Unbekannt 1"):
                business = Business(name=address, category="einzelhandel", town="Freiberg", address=address,
                                    postcode="09599", offers=(Offer("abholung"),))  # fmt: skip
                entry = directory_repo.NewEntry(business, "form", f"t-{address}", "t")
                directory_repo.create(session, entry, NOW)
        assert geocode_missing(env.settings) == 0 and asked == []  # nothing configured: nothing sent
        configured = env.settings.model_copy(
            update={"geocoder_url": server.url("/search"), "fetch_allow_hosts": [server.host_port]}
        )
        assert geocode_missing(configured) == 1
        assert sorted(asked) == ["Obermarkt 5, 09599 Freiberg", "Unbekannt 1, 09599 Freiberg"]
    with env.session() as session:
        views = directory_repo.queue(session, ["pending"])
    assert {v.current.name: v.current.lat for v in views} == {"Obermarkt 5": 50.917, "Unbekannt 1": None}
    assert date.today()


def test_directory_pages_pass_the_release_validator_and_a_forged_data_block_does_not(tmp_path: Path) -> None:
    from publish.directory import directory_files
    from publish.validate import ValidationError, check_all

    files = directory_files(_entries(), DirectoryConfig(tile_url="https://tiles.example.org/{z}/{x}/{y}.png"), NOW)
    check_all(files)
    bad = b'<html><head><script type="application/ld+json">{"a": "</b>"}</script></head><body></body></html>'
    with pytest.raises(ValidationError):
        check_all({"kauf-regional/betrieb/x.html": bad})
    with pytest.raises(ValidationError):
        check_all({"kauf-regional/x.html": b'<html><body><script src="karte.js">alert(1)</script></body></html>'})


async def test_run_publish_puts_the_directory_into_the_release(db_url: str, make_settings: Any) -> None:
    import httpx

    from publish.publisher import run_publish
    from publish.serve import create_public_app

    env = build_env(db_url, make_settings, map_tile_url="https://tiles.example.org/{z}/{x}/{y}.png")
    import_file(env.settings, FIXTURE, dry_run=False, approve=True)
    result = run_publish(env.settings, now=NOW)
    folder = env.settings.site_dir / "current" / "kauf-regional"
    assert result.status == "published" and (folder / "index.html").exists()
    assert len(json.loads((folder / "kauf-regional.geojson").read_text(encoding="utf-8"))["features"]) > 40
    assert run_publish(env.settings, now=NOW).status == "unchanged"
    transport = httpx.ASGITransport(app=create_public_app(env.settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://site") as http:
        page = await http.get("/kauf-regional/karte.html")
        index = await http.get("/kauf-regional/index.html")
        data = await http.get("/kauf-regional/kauf-regional.geojson")
    assert page.headers["content-security-policy"].endswith("img-src 'self' https://tiles.example.org")
    assert "img-src" not in index.headers["content-security-policy"]
    assert data.headers["content-type"] == "application/geo+json"
