"""What publishing reads from the store (SQLite and PostgreSQL), and the ``rubrik publish`` command."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

import cli
from store import items_repo
from store.db import make_engine, session_factory, upgrade
from store.publish_repo import SourceLink, approved_items
from store.schema import ItemRow
from tests.publish.seed import NOW, Seed, add_approved, add_sources, entry


def test_approved_items_read_the_approved_revision_sources_and_expiry(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    expires = NOW + timedelta(days=3)
    ids = add_approved(
        factory, [Seed(1, also_from=("hwk",), expires_at=expires, towns=("Freiberg",)), Seed(2), Seed(3)]
    )
    with factory() as session, session.begin():
        items_repo.record_entries(session, "ihk", [entry(Seed(1), body="Neu, ungeprüft")], NOW + timedelta(hours=1))
        items_repo.reject(session, [ids[1]], actor="test", now=NOW)
        session.execute(update(ItemRow).where(ItemRow.id == ids[2]).values(status="pending"))
    with factory() as session:
        items = approved_items(session)
    engine.dispose()
    assert [item.id for item in items] == [ids[0], ids[2]]  # rejected gone; pending edit keeps approved text
    first = items[0]
    assert first.summary_html == "<p>Text 1</p>" and first.expires_at == expires and first.towns == ("Freiberg",)
    assert first.sources == (
        SourceLink("IHK Chemnitz", "https://example.org/meldung/1"),
        SourceLink("Handwerkskammer Chemnitz", "https://hwk.example.org/1"),
    )


def test_publish_command(site_db, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, factory = site_db
    add_approved(factory, [Seed(1, topics=("steuern-abgaben",))])
    monkeypatch.setenv("RUBRIK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RUBRIK_SITE_DIR", str(settings.site_dir))
    runner = CliRunner()
    first = runner.invoke(cli.app, ["publish", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["status"] == "published"
    again = runner.invoke(cli.app, ["publish"])
    assert again.exit_code == 0 and again.stdout.startswith("Unverändert")
    monkeypatch.setenv("RUBRIK_DATABASE_URL", f"sqlite:///{tmp_path / 'leer.db'}")
    broken = runner.invoke(cli.app, ["publish"])
    assert broken.exit_code == 2 and "rubrik init" in broken.output


def test_publish_from_either_database_and_unchanged_is_detected(db_url: str, tmp_path: Path) -> None:
    from publish.publisher import run_publish
    from settings import load_settings

    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    add_approved(factory, [Seed(1, towns=("Freiberg",), topics=("steuern-abgaben",)), Seed(2, sectors=("handwerk",))])
    engine.dispose()
    settings = load_settings(database_url=db_url, site_dir=tmp_path / "site")
    first = run_publish(settings, now=NOW)
    assert first.status == "published" and first.items == 2
    assert "Meldung 1" in (tmp_path / "site" / "current" / "ort" / "freiberg.html").read_text()
    assert run_publish(settings, now=NOW + timedelta(hours=1)).status == "unchanged"


def test_a_second_publish_while_one_holds_the_lease_does_nothing(db_url: str, tmp_path: Path) -> None:
    from publish.publisher import LEASE_TTL, PUBLISH_LEASE, run_publish
    from settings import load_settings
    from store import leases
    from store.db import transaction

    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    add_sources(factory)
    add_approved(factory, [Seed(1)])
    with transaction(factory) as session:
        leases.acquire(session, [PUBLISH_LEASE], holder="other-machine", now=NOW, ttl=LEASE_TTL)
    settings = load_settings(database_url=db_url, site_dir=tmp_path / "site")
    assert run_publish(settings, now=NOW).status == "busy"
    assert not (tmp_path / "site" / "current").exists()
    assert run_publish(settings, now=NOW + LEASE_TTL + timedelta(seconds=1)).status == "published"  # holder died
    engine.dispose()
