"""A story is shown once: its canonical (or best-ranked approved) item, with every approved member's sources."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from publish.publisher import run_publish
from settings import load_settings
from store.db import make_engine, session_factory, upgrade
from store.publish_repo import SourceLink, approved_items
from store.schema import ItemRow, ProvenanceRow
from store.story_schema import StoryMemberRow, StoryRow
from tests.publish.seed import NOW, Seed, add_approved, add_sources


def _story(factory: sessionmaker[Session], item_ids: list[int], canonical: int) -> None:
    with factory() as session, session.begin():
        story = StoryRow(canonical_item_id=canonical, canonical_by="rule", created_at=NOW)
        session.add(story)
        session.flush()
        session.add_all(StoryMemberRow(item_id=i, story_id=story.id, joined_at=NOW, reason="") for i in item_ids)


def _seed(factory: sessionmaker[Session]) -> list[int]:
    """County text (lk, canonical), Döbeln's copy of it (hwk source, tagged Döbeln), a pending third member;
    a second story whose canonical item is not approved; one item outside any story."""
    ids = add_approved(
        factory,
        [
            Seed(1, "lk", title="Allgemeinverfügung Landkreis", topics=("steuern-abgaben",), age_hours=5),
            Seed(2, "hwk", title="Döbeln gibt weiter: Allgemeinverfügung", towns=("Döbeln",), also_from=("ihk",)),
            Seed(3, "ihk", title="Dritte Fassung"),
            Seed(4, "ihk", title="Zweite Geschichte, Kammer", age_hours=1),
            Seed(5, "hwk", title="Zweite Geschichte, Handwerk", age_hours=9),
            Seed(6, "lk", title="Zweite Geschichte, Landkreis"),
            Seed(7, "ihk", title="Allein"),
        ],
    )
    with factory() as session, session.begin():
        # Döbeln's copy also links the county's own page: one publisher + link, listed once
        url = "https://example.org/meldung/1"
        session.add(ProvenanceRow(item_id=ids[1], source_id="lk", url=url, first_seen_at=NOW))
        # not approved: the third member of story 1 and the canonical item of story 2
        session.execute(update(ItemRow).where(ItemRow.id.in_([ids[2], ids[5]])).values(approved_revision_id=None))
        # first seen: item 5 earlier than item 4, so the rule ranks it first among the approved members
        session.execute(update(ItemRow).where(ItemRow.id == ids[4]).values(first_seen_at=NOW - timedelta(days=2)))
    _story(factory, ids[:3], canonical=ids[0])
    _story(factory, ids[3:6], canonical=ids[5])
    return ids


def test_a_story_is_read_once_with_all_approved_members_sources(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    ids = _seed(factory)
    with factory() as session:
        items = approved_items(session)
    engine.dispose()
    assert [item.id for item in items] == [ids[0], ids[4], ids[6]]
    county, second, alone = items
    assert county.title == "Allgemeinverfügung Landkreis" and county.towns == ()  # the shown item's own tags
    assert county.listed_towns == ("Döbeln",) and county.members == (ids[0], ids[1])
    assert county.sources == (
        SourceLink("Landkreis Mittelsachsen", "https://example.org/meldung/1"),
        SourceLink("Handwerkskammer Chemnitz", "https://example.org/meldung/2"),
        SourceLink("IHK Chemnitz", "https://ihk.example.org/2"),
    )
    assert second.title == "Zweite Geschichte, Handwerk" and second.members == (ids[3], ids[4])
    assert [s.name for s in second.sources] == ["Handwerkskammer Chemnitz", "IHK Chemnitz"]
    assert alone.members == (ids[6],) and alone.sources == (
        SourceLink("IHK Chemnitz", "https://example.org/meldung/7"),
    )


def test_the_published_site_shows_a_story_once_and_lists_it_for_a_member_town(tmp_path: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", site_dir=tmp_path / "site")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    ids = _seed(factory)
    engine.dispose()
    result = run_publish(settings, now=NOW)
    assert result.status == "published" and result.items == 3
    site = tmp_path / "site" / "current"
    index = (site / "index.html").read_text()
    assert index.count("Allgemeinverfügung Landkreis") == 1 and "Döbeln gibt weiter" not in index
    card = index[index.index(f'id="e{ids[0]}"') :]
    card = card[: card.index("</article>")]
    assert 'Quellen:\n<a href="https://example.org/meldung/1">Landkreis Mittelsachsen</a>, ' in card
    assert '<a href="https://ihk.example.org/2">IHK Chemnitz</a>' in card and card.count("Landkreis Mittelsachsen") == 1
    assert "Döbeln" not in card  # a town's copy does not make the county text Döbeln's
    doebeln = (site / "ort" / "doebeln.html").read_text()
    assert "Allgemeinverfügung Landkreis" in doebeln  # but Döbeln's page lists the story
    assert "Allgemeinverfügung Landkreis" not in (site / "ort" / "freiberg.html").read_text()
    feed = (site / "feeds" / "alle.atom").read_text()
    assert feed.count(f"rubrik:item:{ids[0]}<") == 1 and f"rubrik:item:{ids[1]}<" not in feed
    assert feed.count("<entry>") == 3
    assert f"rubrik:item:{ids[0]}<" in (site / "feeds" / "ort-doebeln.atom").read_text()
    widget = (site / "widget" / "ort" / "doebeln.html").read_text()
    assert widget.count("Allgemeinverfügung Landkreis") == 1
