"""Serving the live release: types, strong ETag + Last-Modified with 304, CSP, framing, CORS for feeds only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from publish.publisher import run_publish
from publish.serve import create_public_app
from settings import Settings
from tests.httpserver import serving
from tests.publish.conftest import STANDARD
from tests.publish.seed import NOW, add_approved

SiteDb = tuple[Settings, sessionmaker[Session]]


@pytest.fixture
def client(site_db: SiteDb) -> Iterator[httpx.Client]:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    run_publish(settings, now=NOW)
    with serving(create_public_app(settings)) as base, httpx.Client(base_url=base) as http:
        yield http


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/branche/handwerk.html", "text/html; charset=utf-8"),
        ("/static/rubrik.css", "text/css; charset=utf-8"),
        ("/feeds/alle.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/ort-freiberg.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/thema-weitere.json", "application/feed+json; charset=utf-8"),
    ],
)
def test_content_types_and_security_headers(client: httpx.Client, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["etag"].startswith('"') and "W/" not in response.headers["etag"]


def test_feed_reader_polling_gets_304(client: httpx.Client) -> None:
    first = client.get("/feeds/ort-freiberg.rss")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get("/feeds/ort-freiberg.rss", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/feeds/ort-freiberg.rss", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feeds/ort-freiberg.rss", headers={"If-None-Match": '"other"'}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get("/feeds/ort-freiberg.rss", headers=both).status_code == 200


def test_new_content_changes_the_etag_and_keeps_it_for_unchanged_files(site_db: SiteDb, client: httpx.Client) -> None:
    settings, factory = site_db
    before = {path: client.get(path).headers["etag"] for path in ("/feeds/alle.atom", "/feeds/ort-doebeln.atom")}
    from tests.publish.seed import Seed

    add_approved(factory, [Seed(60, towns=("Freiberg",), topics=("entschaedigung",))])
    run_publish(settings, now=NOW)
    assert client.get("/feeds/alle.atom").headers["etag"] != before["/feeds/alle.atom"]
    doebeln = client.get("/feeds/ort-doebeln.atom", headers={"If-None-Match": before["/feeds/ort-doebeln.atom"]})
    assert doebeln.status_code == 304


def test_cors_for_feeds_only_and_framing_for_widgets_only(client: httpx.Client) -> None:
    assert client.get("/feeds/alle.json").headers["access-control-allow-origin"] == "*"
    page = client.get("/index.html").headers
    assert "access-control-allow-origin" not in page
    assert "frame-ancestors 'none'" in page["content-security-policy"] and page["x-frame-options"] == "DENY"
    widget = client.get("/widget/ort/freiberg.html").headers
    assert "frame-ancestors *" in widget["content-security-policy"] and "x-frame-options" not in widget
    assert "set-cookie" not in widget


@pytest.mark.parametrize("path", ["/.release.json", "/../rubrik.db", "/releases/", "/nope.html", "/feeds/%2e%2e/x"])
def test_only_release_files_are_served(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_head_and_no_release_yet(site_db: SiteDb, client: httpx.Client) -> None:
    head = client.head("/feeds/alle.rss")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 100
    settings, _ = site_db
    with serving(create_public_app(settings.model_copy(update={"site_dir": settings.site_dir / "none"}))) as base:
        empty = httpx.get(base + "/")
    assert empty.status_code == 503 and empty.text == "Noch nichts veröffentlicht."
