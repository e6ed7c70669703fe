"""The item view shows the story (other sources, canonical text), possible duplicates, tag reasons and
classifier suggestions through the review hooks (review/story_panels.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Connection, Engine, event, select

from process.model import Entry
from process.taxonomy import load_taxonomy
from store import items_repo, stories_repo, tags_repo
from store.review_schema import ItemFlagsRow
from store.schema import AuditRow, ItemRow
from store.story_schema import ItemTagsRow, TagCorrectionRow
from tests.review.conftest import T0, ReviewEnv, entry, login

pytestmark = pytest.mark.anyio

TEXT = (
    "Unternehmen, Soloselbstständige und Freiberufler mit Corona-bedingten Umsatzeinbrüchen können ab sofort die "
    "Überbrückungshilfe III beantragen. Erstattet werden Fixkosten wie Mieten und Pachten. Anträge stellen "
    "prüfende Dritte wie Steuerberater. Die Antragsfrist läuft bis 31.08.2021. " * 3
)


def _long(identity: str, title: str) -> Entry:
    return replace(entry(identity, title, text=TEXT), content_hash=f"h-{identity}")


def _story_of_two(env: ReviewEnv) -> tuple[int, int]:
    with env.session() as session:
        items_repo.record_entries(session, "ihk", [_long("u1", "Überbrückungshilfe III startet")],
                                  T0 + timedelta(hours=1))  # fmt: skip
        items_repo.record_entries(session, "stadt-freiberg", [_long("u2", "Hilfe für Betriebe")],
                                  T0 + timedelta(hours=2))  # fmt: skip
        tags_repo.enrich_pending(session, load_taxonomy(), T0 + timedelta(hours=3))
        row = session.get(ItemTagsRow, 7)
        assert row is not None
        # as a trained classifier would store them: one tag the item lacks, one it carries
        row.suggestions = {"topics": {"kredite-buergschaften": 0.61, "soforthilfen-zuschuesse": 0.88}}
    return 7, 8


async def test_item_view_shows_story_tag_reasons_and_suggestions(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    first, second = _story_of_two(review_env)
    await login(client)
    page = (await client.get(f"/staff/items/{first}")).text
    assert "Geschichte" in page and "auch gemeldet von STADT-FREIBERG (stadt-freiberg): Eintrag" in page
    assert "zuerst gesehen 20.11.2026 11:00" in page  # 10:00 UTC, shown in local time like the rest of the UI
    assert "dieser Eintrag ist der maßgebliche Text" in page  # the chamber ranks above the town
    assert "Schlagworte und Gründe" in page and "Regel soforthilfen-zuschuesse" in page
    assert "Thema „Soforthilfen und Zuschüsse“: Regel soforthilfen-zuschuesse" in page  # German label, then why
    assert "Vorschlag (gelernt, nicht übernommen): Thema „Kredite und Bürgschaften“ – Konfidenz 61" in page
    assert "Gelernte Vorschläge bestätigen: „Soforthilfen und Zuschüsse“ 88" in page  # agreement: no button
    assert "Vorschlag (gelernt, nicht übernommen): Thema „Soforthilfen" not in page
    assert "Vorgeschlagenes Ablaufdatum 31.08.2021" in page
    other = (await client.get(f"/staff/items/{second}")).text
    assert "auch gemeldet von IHK (ihk)" in other and f"Maßgeblicher Text: Eintrag {first}" in other
    assert f'<a href="/staff/items/{first}"' in other


async def test_the_item_page_reads_itself_and_all_its_panels_in_one_transaction(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    """The panels see the same snapshot as the page (a decision in between cannot split them) and need no
    engine, connection pool or transaction of their own: one for the session check, one for the page."""
    first, _ = _story_of_two(review_env)
    await login(client)
    begun: list[str] = []

    def note(connection: Connection) -> None:
        begun.append(str(connection.engine.url))

    event.listen(Engine, "begin", note)
    try:
        page = await client.get(f"/staff/items/{first}")
    finally:
        event.remove(Engine, "begin", note)
    assert "auch gemeldet von" in page.text and "Schlagworte und Gründe" in page.text
    assert len(begun) == 2 and len(set(begun)) == 1


async def test_possible_duplicates_panel_lists_similar_items_of_other_stories(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    first, second = _story_of_two(review_env)
    from store import stories_repo

    with review_env.session() as session:
        stories_repo.split_story(session, [second], priority=load_taxonomy().priority, actor="rita",
                                 now=T0 + timedelta(hours=4))  # fmt: skip
    await login(client)
    page = (await client.get(f"/staff/items/{first}")).text
    assert (
        "Mögliche Dubletten in anderen Geschichten" in page and f"Eintrag {second} (stadt-freiberg): Dublette" in page
    )
    assert "auch gemeldet von" not in page


async def test_staff_split_merge_and_choose_the_canonical_text_with_the_panel_buttons(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    first, second = _story_of_two(review_env)
    csrf = await login(client)

    def story(item_id: int) -> stories_repo.StoryInfo:
        with review_env.session() as session:
            return stories_repo.stories_of(session, [item_id])[item_id]

    page = (await client.get(f"/staff/items/{second}")).text
    assert f'action="/staff/items/{second}/story/split"' in page and "Aus der Geschichte lösen" in page
    assert f'action="/staff/items/{second}/story/canonical"' in page  # the town's copy is not canonical yet
    answer = await client.post(f"/staff/items/{second}/story/split", data={"csrf": csrf})
    assert answer.status_code == 303 and "aus+seiner+Geschichte+gel%C3%B6st" in answer.headers["location"]
    assert story(first).story_id != story(second).story_id

    page = (await client.get(f"/staff/items/{first}")).text  # the duplicates panel offers the merge back
    assert f'action="/staff/items/{first}/story/merge/{second}"' in page and "Geschichten zusammenführen" in page
    answer = await client.post(f"/staff/items/{first}/story/merge/{second}", data={"csrf": csrf})
    assert answer.status_code == 303 and story(first).story_id == story(second).story_id

    answer = await client.post(f"/staff/items/{second}/story/canonical", data={"csrf": csrf})
    assert answer.status_code == 303 and story(first).canonical_item_id == second  # staff overrule the rule
    again = await client.post(f"/staff/items/{first}/story/merge/{second}", data={"csrf": csrf})
    assert "schon+zu+dieser+Geschichte" in again.headers["location"]
    refused = await client.post(f"/staff/items/{first}/story/split", data={})  # no CSRF token
    assert refused.status_code == 403 and story(first).story_id == story(second).story_id
    with review_env.session() as session:
        actions = [a.action for a in session.scalars(select(AuditRow).order_by(AuditRow.id))]
    assert actions[-3:] == ["story_split", "story_merge", "story_canonical"]


async def test_staff_accept_a_learnt_suggestion_and_the_suggested_expiry_with_one_click(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    first, _second = _story_of_two(review_env)
    csrf = await login(client)
    page = (await client.get(f"/staff/items/{first}")).text
    assert f'action="/staff/items/{first}/accept/topics/kredite-buergschaften"' in page
    assert f'action="/staff/items/{first}/accept/expiry"' in page and "Als Ablaufdatum übernehmen" in page
    answer = await client.post(f"/staff/items/{first}/accept/topics/kredite-buergschaften", data={"csrf": csrf})
    assert answer.status_code == 303 and "Kredite+und+B%C3%BCrgschaften" in answer.headers["location"]
    answer = await client.post(f"/staff/items/{first}/accept/expiry", data={"csrf": csrf})
    assert answer.status_code == 303 and "31.08.2021" in answer.headers["location"]
    refused = await client.post(f"/staff/items/{first}/accept/topics/erfunden", data={"csrf": csrf})
    assert "Unbekannte+Themen" in refused.headers["location"]
    with review_env.session() as session:
        item = session.get(ItemRow, first)
        assert item is not None and "kredite-buergschaften" in item.topics
        correction = session.scalars(select(TagCorrectionRow).where(TagCorrectionRow.item_id == first)).one()
        assert "kredite-buergschaften" in correction.topics and correction.actor == "rita"  # trains the classifier
        flags = session.get(ItemFlagsRow, first)
        assert (
            flags is not None and flags.expires_at is not None and flags.expires_at.date().isoformat() == "2021-08-31"
        )
    page = (await client.get(f"/staff/items/{first}")).text  # accepted: no buttons any more
    assert "/accept/topics/kredite-buergschaften" not in page and f"/staff/items/{first}/accept/expiry" not in page


async def test_a_new_version_of_a_regulation_links_the_old_one_which_staff_can_retire(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    old_rules = " ".join(f"§ {n} Gaststätten schließen um {n} Uhr, Abstand {n} Meter." for n in range(40))
    new_rules = " ".join(f"§ {n} Hotels öffnen mit Testpflicht in Stufe {n}." for n in range(40))
    with review_env.session() as session:
        old = replace(entry("v1", "Sächsische Corona-Schutz-Verordnung vom 11. Dezember 2020", text=old_rules),
                      content_hash="h-v1")  # fmt: skip
        items_repo.record_entries(session, "ihk", [old], T0 + timedelta(hours=1))
        new = replace(entry("v2", "Sächsische Corona-Schutz-Verordnung vom 4. Mai 2021", text=new_rules),
                      content_hash="h-v2")  # fmt: skip
        items_repo.record_entries(session, "ihk", [new], T0 + timedelta(days=3))
        tags_repo.enrich_pending(session, load_taxonomy(), T0 + timedelta(days=3))
        old_id, new_id = (session.scalars(select(ItemRow.id).where(ItemRow.identity == i)).one() for i in ("v1", "v2"))
        items_repo.approve(session, [old_id, new_id], actor="rita", now=T0 + timedelta(days=3))
        old_story = stories_repo.stories_of(session, [old_id])[old_id].story_id
    csrf = await login(client)
    page = (await client.get(f"/staff/items/{new_id}")).text
    assert "Ältere Fassung derselben Regelung (veröffentlicht, zuerst gesehen 20.11.2026)" in page
    assert f'href="/staff/items/{old_id}"' in page and "vom 11. Dezember 2020" in page
    assert f'action="/staff/items/{new_id}/story/retire/{old_story}"' in page and "Ältere Fassung zurückziehen" in page
    assert "Mögliche Dubletten" not in page  # a linked version is no merge candidate
    queue = (await client.get("/staff/?status=approved")).text  # the queue marks the new version's row
    assert queue.count("ältere Fassung noch veröffentlicht") == 1
    chip = queue.index("ältere Fassung noch veröffentlicht")
    assert queue.index(f'id="row-{new_id}"') < chip < queue.index(f'id="row-{old_id}"')  # newest first: in its row
    other = (await client.get(f"/staff/items/{old_id}")).text
    assert "Neuere Fassung derselben Regelung (veröffentlicht, zuerst gesehen 23.11.2026)" in other
    assert "/retire/" not in other  # a newer version is not retired from the older one

    answer = await client.post(f"/staff/items/{new_id}/story/retire/{old_story}", data={"csrf": csrf})
    assert answer.status_code == 303 and "zur%C3%BCckgezogen" in answer.headers["location"]
    with review_env.session() as session:
        assert session.get(ItemRow, old_id).status == "unpublished"
        assert session.get(ItemRow, new_id).status == "approved"
        assert session.scalars(select(AuditRow.action).where(AuditRow.item_id == old_id)).all()[-1] == "unpublish"
    page = (await client.get(f"/staff/items/{new_id}")).text
    assert "(nicht veröffentlicht, zuerst gesehen 20.11.2026)" in page and "/retire/" not in page
    assert "ältere Fassung noch veröffentlicht" not in (await client.get("/staff/?status=approved")).text
    unrelated = await client.post(f"/staff/items/{new_id}/story/retire/{old_story + 99}", data={"csrf": csrf})
    assert "keine+Fassung+derselben+Regelung" in unrelated.headers["location"]
