"""/staff/quality: the rules of today measured on what staff reviewed, for reviewers (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from process.taxonomy import load_taxonomy
from review import views_quality
from review.views_quality import QualityPage, quality_page
from store import items_repo, tags_repo
from store.schema import ItemRow
from tests.review.conftest import T0, ReviewEnv, entry, login

pytestmark = pytest.mark.anyio
TAX = load_taxonomy()
RELEASES = [  # (title, text): the rules give the first two alle-branchen and a topic, the third Gastgewerbe only
    (
        "Überbrückungshilfe III: Anträge ab sofort",
        "Unternehmen können ab sofort Zuschüsse zu den Fixkosten beantragen.",
    ),
    ("Kredite für Kleinstunternehmen", "Die Sächsische Aufbaubank vergibt zinslose Darlehen an Unternehmen."),
    ("Hotels und Gaststätten dürfen öffnen", "Hotels und Gaststätten dürfen ab Montag wieder Gäste empfangen."),
]


def _row(html: str, caption: str, label: str) -> list[str]:
    """The cells of the row ``label`` in the table with ``caption``."""
    table = html[html.index(f"<caption>{caption}</caption>") :]
    table = table[: table.index("</table>")]
    found = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', table)
    assert found, (caption, label)
    return re.findall(r"<td>([^<]*)</td>", found.group(1))


async def test_before_any_review_the_page_says_so(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    answer = await client.get("/staff/quality", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/staff/login" in answer.headers["location"]  # staff only
    await login(client)
    page = await client.get("/staff/quality")
    assert page.status_code == 200 and "Noch keine geprüften Einträge" in page.text
    assert '<a href="/staff/quality">Qualität</a>' in page.text  # in the navigation
    with review_env.session() as session:  # one review: said in the singular
        items_repo.approve(session, [review_env.item_ids()[1]], actor="rita", now=T0)
    page = await client.get("/staff/quality")
    assert "verglichen mit dem zuletzt geprüften Eintrag: 0 mit korrigierten" in page.text, page.text


async def test_todays_rules_against_approvals_and_corrections(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    seeded = review_env.item_ids()
    with review_env.session() as session:
        for n, (title, text) in enumerate(RELEASES):
            at = T0 + timedelta(hours=1, minutes=n)
            release = replace(entry(f"r{n}", title, text=text), content_hash=hashlib.sha256(text.encode()).hexdigest())
            items_repo.record_entries(session, "ihk", [release], at)
        tags_repo.enrich_pending(session, TAX, T0 + timedelta(hours=2))
    ids = [one for one in review_env.item_ids() if one not in seeded]
    kredite = next(one for one in ids if _title(review_env, one) == RELEASES[1][0])
    hotels = next(one for one in ids if _title(review_env, one) == RELEASES[2][0])
    with review_env.session() as session:
        items_repo.approve(session, ids, actor="rita", now=T0 + timedelta(hours=3))
        # staff add "Beratung" to the loan item: a topic the rules do not give
        tags_repo.correct_tags(session, kredite, sectors=["alle-branchen"], topics=["kredite-buergschaften",
                               "veranstaltungen-beratung"], towns=[], relevant=True, taxonomy=TAX, actor="rita",
                               now=T0 + timedelta(hours=3))  # fmt: skip
        items_repo.approve(session, [seeded[0]], actor="rita", now=T0)
        # a slug renamed since: the item is named and left out, the others are measured
        session.execute(update(ItemRow).where(ItemRow.id == seeded[0]).values(topics=["foerderung"]))
    await login(client)
    page = (await client.get("/staff/quality")).text
    assert "verglichen mit den 3 zuletzt geprüften Einträgen: 1 mit korrigierten" in page
    assert f"Nicht gezählt, weil sie Schlagworte tragen, die die Taxonomie nicht mehr kennt: item-{seeded[0]}." in page
    assert _row(page, "Insgesamt", "Branchen") == ["1,00", "1,00", "1,00", "3", "0", "0"]
    assert _row(page, "Insgesamt", "Themen") == ["1,00", "0,67", "0,80", "2", "0", "1"]
    assert _row(page, "Insgesamt", "nicht wirtschaftsrelevant")[3:] == ["0", "0", "0"]
    assert _row(page, "Nach Art der Prüfung: korrigiert (1)", "Themen")[3:] == ["1", "0", "1"]
    assert _row(page, "Branchen einzeln", "Gastgewerbe und Tourismus")[3:] == ["1", "0", "0"]
    deviations = page[page.index("Abweichungen (Prüfung → Regeln)") :]
    assert (
        f'<a href="/staff/items/{kredite}">Kredite für Kleinstunternehmen</a> <small>(korrigiert)</small>' in deviations
    )
    assert "Themen: Kredite und Bürgschaften, Veranstaltungen und Beratung → Kredite und Bürgschaften" in deviations
    assert f"/staff/items/{hotels}" not in deviations  # approved as the rules tag it


def _title(env: ReviewEnv, item_id: int) -> str:
    with env.session() as session:
        views = {view.id: view.title for view in items_repo.list_items(session)}
    return views[item_id]


def test_a_repeated_visit_reuses_the_page_until_a_review_changes(review_env: ReviewEnv) -> None:
    with review_env.session() as session:
        for n, (title, text) in enumerate(RELEASES):
            release = replace(entry(f"r{n}", title, text=text), content_hash=hashlib.sha256(text.encode()).hexdigest())
            items_repo.record_entries(session, "ihk", [release], T0 + timedelta(hours=1, minutes=n))
        tags_repo.enrich_pending(session, TAX, T0 + timedelta(hours=2))
        ids = [row.id for row in session.query(ItemRow).filter(ItemRow.identity.like("r%"))]
        items_repo.approve(session, ids, actor="rita", now=T0 + timedelta(hours=3))
    cache: dict[str, QualityPage] = {}
    first = quality_page(review_env.factory, TAX, cache=cache)
    assert first.measured == 3 and first.deviations == ()
    assert quality_page(review_env.factory, TAX, cache=cache) is first  # same reviews, same rules: not measured again
    with review_env.session() as session:
        tags_repo.correct_tags(session, ids[0], sectors=["handel"], topics=[], towns=[], relevant=True, taxonomy=TAX,
                               actor="rita", now=T0 + timedelta(hours=4))  # fmt: skip
    again = quality_page(review_env.factory, TAX, cache=cache)
    assert again is not first and again.corrected == 1 and [d.item_id for d in again.deviations] == [ids[0]]
    assert len(cache) == 1  # only the last page is kept
    other_rules = replace(TAX, version="x" + TAX.version)
    assert quality_page(review_env.factory, other_rules, cache=cache) is not again


async def test_when_every_reviewed_item_is_left_out_the_page_names_them(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    seeded = review_env.item_ids()[0]  # seeded with the topic "foerderung", which the taxonomy does not have
    with review_env.session() as session:
        items_repo.approve(session, [seeded], actor="rita", now=T0)
    await login(client)
    page = await client.get("/staff/quality")
    assert page.status_code == 200, page.text
    assert f"die die Taxonomie nicht mehr kennt: item-{seeded}." in page.text
    assert "Noch keine geprüften Einträge" in page.text


def test_deviations_beyond_the_shown_ones_are_counted(review_env: ReviewEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_quality, "DEVIATIONS_SHOWN", 1)
    with review_env.session() as session:  # two seeded items tagged Handel, which the rules find not relevant
        items_repo.approve(session, review_env.item_ids()[1:4:2], actor="rita", now=T0)
    page = quality_page(review_env.factory, TAX)
    assert len(page.deviations) == 1 and page.more_deviations == 1
