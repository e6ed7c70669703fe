"""A database with approved items and a settings object pointing at a temporary site directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from settings import Settings, load_settings
from store.db import make_engine, session_factory, upgrade
from tests.publish.seed import Seed, add_sources

# a small rubric that covers every facet the output has
STANDARD = [
    Seed(1, "ihk", title="Soforthilfe: Antrag ab Montag", topics=("soforthilfen-zuschuesse",),
         sectors=("alle-branchen",)),
    Seed(2, "hwk", title="Handwerk: Kurzarbeit richtig beantragen", topics=("kurzarbeit-beschaeftigte",),
         sectors=("handwerk",), also_from=("ihk",)),
    Seed(3, "lk", title="Freiberg: Beratungstag im Rathaus", topics=("veranstaltungen-beratung",), towns=("Freiberg",)),
    Seed(4, "lk", title="Döbeln: Markt wieder geöffnet", topics=("kauf-regional",), sectors=("handel",),
         towns=("Döbeln",)),
    Seed(5, "ihk", title="Landwirtschaft: Saisonarbeitskräfte einreisen", topics=("einreise-pendler",),
         sectors=("landwirtschaft",)),
    Seed(6, "ihk", title="Hotline der Wirtschaftsförderung", topics=("kontakte-hotlines",)),
    Seed(7, "lk", title="Allgemeinverfügung ohne Thema"),
]  # fmt: skip


@pytest.fixture
def site_db(tmp_path: Path) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    yield from open_site_db(tmp_path)


def open_site_db(tmp_path: Path) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    """A migrated SQLite database with the test sources, and settings publishing into tmp_path/site."""
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'rubrik.db'}",
        site_dir=tmp_path / "site",
        public_base_url="https://rubrik.example.org/",
        contact_hotline="03731 000-000",
        contact_chat="https://chat.example.org/wirtschaft",
        contact_messenger="Threema: ABCD1234",
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    yield settings, factory
    engine.dispose()
