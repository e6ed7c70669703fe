"""`rubrik stories split|merge|canonical|rekey` via the real Typer app: each change lands in the store (and the audit
log)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

import cli
from process.dedupe import LEGAL_TITLE_BAND
from process.taxonomy import load_taxonomy
from store import items_repo, stories_repo, tags_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.schema import AuditRow, ItemRow
from store.story_schema import DedupeKeyRow, ItemTagsRow, StoryLinkRow
from tests.review.conftest import T0, entry, seed

TEXT = "Die Sächsische Aufbaubank zahlt die Überbrückungshilfe für Unternehmen ab Montag aus. " * 8


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'stories.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    seed(factory, count=2)
    with transaction(factory) as session:
        for n, source in enumerate(("ihk", "stadt-freiberg")):
            news = replace(entry(f"s{n}", f"Überbrückungshilfe {n}", text=TEXT), content_hash=f"s{n}")
            items_repo.record_entries(session, source, [news], T0 + timedelta(hours=n))
        tags_repo.enrich_pending(session, load_taxonomy(), T0 + timedelta(hours=3))
    engine.dispose()
    monkeypatch.setenv("RUBRIK_DATABASE_URL", url)
    monkeypatch.setenv("RUBRIK_CONFIG", str(tmp_path / "none.toml"))
    return url


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["stories", *args])
    if isinstance(result.exception, cli.UserError):
        return 2, str(result.exception)
    return result.exit_code, result.output


def _story(url: str, item_id: int) -> tuple[int, int | None, list[str]]:
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        info = stories_repo.stories_of(session, [item_id])[item_id]
        actions = [row.action for row in session.scalars(select(AuditRow).order_by(AuditRow.id))]
    engine.dispose()
    return info.story_id, info.canonical_item_id, actions


def test_split_merge_and_canonical_are_applied_and_audited(url: str) -> None:
    story, canonical, _ = _story(url, 3)
    assert _story(url, 4)[0] == story and canonical == 3  # the chamber's text ranks first
    code, output = _run("split", "4", "--as", "rita")
    assert code == 0 and "bildet jetzt Geschichte" in output
    new_story = _story(url, 4)[0]
    assert new_story != story and _story(url, 3)[0] == story
    code, output = _run("merge", str(story), str(new_story), "--as", "rita")
    assert code == 0 and _story(url, 4)[0] == story
    code, output = _run("canonical", str(story), "4", "--as", "rita")
    assert code == 0 and "maßgeblich ist jetzt Eintrag 4" in output
    _, canonical, actions = _story(url, 3)
    assert canonical == 4
    assert {"story_split", "story_merge", "story_canonical"} <= set(actions)


def test_refused_changes_are_user_errors(url: str) -> None:
    story = _story(url, 3)[0]
    assert _run("canonical", str(story + 99), "3") == (2, f"Eintrag 3 gehört nicht zu Geschichte {story + 99}.")
    assert _run("merge", str(story), str(story))[0] == 2
    assert _run("split", "999")[0] == 2


def test_rekey_gives_older_items_the_title_key_and_links_their_versions(url: str) -> None:
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        for n, (day, words) in enumerate(((1, "Gaststätten schließen um"), (60, "Hotels öffnen mit Test ab"))):
            rules = " ".join(f"§ {k} {words} {k} Uhr, Ziffer {k}." for k in range(40))
            title = f"Sächsische Corona-Schutz-Verordnung vom {day % 28 + 1}. März 2021"
            item = replace(entry(f"vo{n}", title, text=rules), content_hash=f"vo{n}")
            items_repo.record_entries(session, "ihk", [item], T0 + timedelta(days=day))
        tags_repo.enrich_pending(session, load_taxonomy(), T0 + timedelta(days=61))
        ids = list(session.scalars(select(ItemRow.id).where(ItemRow.identity.in_(["vo0", "vo1"])).order_by(ItemRow.id)))
        assert stories_repo.stories_of(session, ids)[ids[1]].versions  # linked when stored today
        # as stored before the key existed: no title keys, no link
        session.execute(delete(DedupeKeyRow).where(DedupeKeyRow.band == LEGAL_TITLE_BAND))
        session.execute(delete(StoryLinkRow))
    code, output = _run("rekey", "--batch", "2")
    assert code == 0 and "2 Titelschlüssel ergänzt, 1 Fassungen neu verknüpft" in output
    assert "2 Einträge geprüft …" in output  # progress per batch
    with transaction(factory) as session:
        infos = stories_repo.stories_of(session, ids)
        assert infos[ids[0]].versions == (infos[ids[1]].story_id,) and infos[ids[0]].story_id != infos[ids[1]].story_id
    code, output = _run("rekey")
    assert code == 0 and "0 Titelschlüssel ergänzt, 0 Fassungen neu verknüpft" in output  # nothing twice
    engine.dispose()


def test_items_retag_renews_the_reasons_of_items_under_review(url: str) -> None:
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        tagged = list(session.scalars(select(ItemTagsRow.item_id).order_by(ItemTagsRow.item_id)))
        for row in session.scalars(select(ItemTagsRow)):
            row.reasons = {
                "topics": {"soforthilfen-zuschuesse": "Regel soforthilfen-zuschuesse — Titel: „ueberbrueckungshilfe“"}
            }
    result = CliRunner().invoke(cli.app, ["items", "retag", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert (
        f"{len(tagged)} Einträge der Prüfliste neu verschlagwortet, bei {len(tagged)} hat sich etwas geändert"
        in result.output
    )
    assert "1 Einträge neu verschlagwortet …" in result.output  # progress per batch
    with transaction(factory) as session:
        reasons = tags_repo.tag_infos(session, tagged)[tagged[-1]].reasons
        assert "„Überbrückungshilfe“" in reasons["topics"]["soforthilfen-zuschuesse"]
    again = CliRunner().invoke(cli.app, ["items", "retag"])
    assert "bei 0 hat sich etwas geändert" in again.output  # the current rules give the same result
    engine.dispose()
