"""The review panel's "appears publicly" list matches what a publish really produces."""

from __future__ import annotations

import io
from datetime import timedelta

import feedparser
from sqlalchemy.orm import Session, sessionmaker

from publish.places import public_places
from publish.publisher import run_publish
from settings import Settings
from tests.publish.seed import NOW, Seed, add_approved


def test_every_listed_place_contains_the_item(site_db: tuple[Settings, sessionmaker[Session]]) -> None:
    settings, factory = site_db
    seed = Seed(1, title="Prüfbar", sectors=("handwerk",), topics=("kurzarbeit-beschaeftigte",), towns=("Freiberg",))
    add_approved(factory, [seed])
    run_publish(settings, now=NOW)
    places = public_places(
        approved=True,
        sectors=seed.sectors,
        topics=seed.topics,
        towns=seed.towns,
        expires_at=None,
        now=NOW,
        base_url=settings.public_base_url,
    )
    assert len(places) == 7  # topic, sector and town page; feeds alle, thema, branche, ort
    current = settings.site_dir / "current"
    for _label, url in places:
        data = (current / url.removeprefix(settings.public_base_url)).read_bytes()
        if url.endswith(".rss"):
            assert [e.title for e in feedparser.parse(io.BytesIO(data)).entries] == ["Prüfbar"]
        else:
            assert "Prüfbar" in data.decode()


def test_unapproved_and_expired_items() -> None:
    common = {"sectors": (), "topics": (), "towns": (), "now": NOW, "base_url": "https://x.example/"}
    assert public_places(approved=False, expires_at=None, **common) == []  # type: ignore[arg-type]
    expired = public_places(approved=True, expires_at=NOW - timedelta(days=1), **common)  # type: ignore[arg-type]
    assert expired == [("Archiv (abgelaufen)", "https://x.example/archiv.html")]
    county_wide = public_places(approved=True, expires_at=None, **common)  # type: ignore[arg-type]
    assert ("Feeds aller Orte (landkreisweit)", "https://x.example/feeds.html") in county_wide
