"""Queue, item view, decisions and edits through the app (httpx ASGITransport), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import event, select

from process.dates import BERLIN
from review.app import create_app
from review.hooks import Hooks, Panel, PanelLine
from store import items_repo, review_repo
from store.review_schema import ItemFlagsRow, StaffRevisionRow
from store.schema import AuditRow, ItemRow
from store.story_schema import ItemTagsRow, TagCorrectionRow
from tests.review.conftest import T0, ReviewEnv, entry, login

pytestmark = pytest.mark.anyio


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="row-(\d+)"', html)]


def _revision(env: ReviewEnv, item_id: int) -> int:
    with env.session() as session:
        row = session.get(ItemRow, item_id)
        assert row is not None and row.current_revision_id is not None
        return int(row.current_revision_id)


async def test_queue_newest_first_with_keyset_pages(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    await login(client)
    seen, url = [], "/staff/"
    while url:
        page = await client.get(url)
        seen += _ids(page.text)
        found = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == sorted(review_env.item_ids(), reverse=True)  # seeded one minute apart, oldest first
    assert "6 offen" in (await client.get("/staff/")).text


async def test_filters_with_counts(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    await login(client)
    page = await client.get("/staff/")
    assert '<option value="ihk">IHK (3)</option>' in page.text and "Döbeln (3)" in page.text  # sources by name
    assert '<td title="ihk">IHK</td>' in page.text  # rows name their source; the id is its tooltip
    assert '<option value="handwerk">Handwerk (3)</option>' in page.text  # staff read German labels
    assert '<span class="tag sector" title="Branche handwerk">Handwerk</span>' in page.text
    by_source = _ids((await client.get("/staff/?source=stadt-freiberg")).text)
    by_town = _ids((await client.get("/staff/?town=Döbeln")).text)
    by_sector = _ids((await client.get("/staff/?sector=handwerk")).text)
    assert len(by_source) == 3 and len(by_town) == 3 and len(by_sector) == 3
    assert set(by_town).isdisjoint(by_sector)
    assert _ids((await client.get("/staff/?text=Meldung 4")).text) == [5]
    assert _ids((await client.get("/staff/?text=100%25")).text) == []
    assert _ids((await client.get("/staff/?status=approved")).text) == []


async def test_not_relevant_items_are_marked_counted_and_dismissed_in_bulk(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    with review_env.session() as session:  # the tagger judged items 2 and 4 not business-relevant
        for item_id in (2, 4):
            session.add(ItemTagsRow(item_id=item_id, revision_id=_revision(review_env, item_id), relevant=False,
                                    relevance_reason="nicht wirtschaftsrelevant: Sport", reasons={}, suggestions={},
                                    tagged_by="rules", tagged_at=T0))  # fmt: skip
        session.add(ItemTagsRow(item_id=1, revision_id=_revision(review_env, 1), relevant=True, relevance_reason="",
                                reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0))  # fmt: skip
    csrf = await login(client)
    page = (await client.get("/staff/")).text
    assert "nicht relevant (2)</option>" in page and page.count('<span class="tag off"') == 2
    assert _ids((await client.get("/staff/?relevance=nicht-relevant")).text) == [4, 2]
    assert _ids((await client.get("/staff/?relevance=relevant")).text) == [6, 5, 3, 1]  # untagged count as relevant
    unfiltered = _ids(page)
    assert _ids((await client.get("/staff/?relevance=bogus")).text) == unfiltered  # an unknown value filters nothing
    filtered = (await client.get("/staff/?relevance=nicht-relevant")).text
    assert 'id="select-all"' in filtered and "2 offen" in filtered
    items = [f"{n}:{_revision(review_env, n)}" for n in (4, 2)]  # what "select all" + "ablehnen" sends
    answer = await client.post("/staff/bulk", data={"csrf": csrf, "action": "reject", "item": items,
                                                   "next": "/staff/?relevance=nicht-relevant"})  # fmt: skip
    assert answer.status_code == 303 and "relevance=nicht-relevant" in answer.headers["location"]
    with review_env.session() as session:
        assert [session.get(ItemRow, n).status for n in (2, 4, 1)] == ["rejected", "rejected", "pending"]


async def test_queue_rows_show_when_an_item_runs_out(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    """A deadline read from the text (a suggestion) or set by staff shows in the row; a past one as expired, so that
    staff see at once what is no longer worth publishing."""
    now = datetime.now(UTC)
    with review_env.session() as session:
        for item_id, suggested in ((2, now - timedelta(days=3)), (3, now + timedelta(days=30)), (4, None)):
            session.add(ItemTagsRow(item_id=item_id, revision_id=_revision(review_env, item_id), relevant=True,
                                    relevance_reason="", reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0,
                                    expires_suggested=suggested))  # fmt: skip
        review_repo.set_expiry(session, 4, now + timedelta(days=10), actor="rita", now=now)
    await login(client)
    page = (await client.get("/staff/")).text
    rows = {int(n): row for n, row in re.findall(r'id="row-(\d+)"(.*?)</tr>', page, re.S)}
    assert sorted(rows) == [2, 3, 4, 5, 6]  # a page of 5

    def day(when: datetime) -> str:
        return f"{when.astimezone(BERLIN):%d.%m.%Y}"

    assert (
        '<span class="tag expired"' in rows[2] and f"abgelaufen am {day(now - timedelta(days=3))} (erkannt)" in rows[2]
    )
    assert f"läuft ab {day(now + timedelta(days=30))} (erkannt)" in rows[3] and 'class="tag deadline"' in rows[3]
    assert f"läuft ab {day(now + timedelta(days=10))}</span>" in rows[4]  # set by staff: no "(erkannt)"
    assert "läuft ab" not in rows[5] and "abgelaufen" not in rows[5]


async def test_expired_items_are_counted_filtered_and_dismissed_in_bulk(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    now = datetime.now(UTC)
    with review_env.session() as session:  # 1 and 2 ran out by their text, 3 by staff's date; 4 runs on
        for item_id, suggested in ((1, now - timedelta(days=400)), (2, now - timedelta(days=1)), (3, None),
                                   (4, now - timedelta(days=9))):  # fmt: skip
            session.add(ItemTagsRow(item_id=item_id, revision_id=_revision(review_env, item_id), relevant=True,
                                    relevance_reason="", reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0,
                                    expires_suggested=suggested))  # fmt: skip
        review_repo.set_expiry(session, 3, now - timedelta(days=2), actor="rita", now=now)
        review_repo.set_expiry(session, 4, now + timedelta(days=30), actor="rita", now=now)  # staff's date wins
    csrf = await login(client)
    page = (await client.get("/staff/")).text
    assert "abgelaufen (3)</option>" in page
    assert _ids((await client.get("/staff/?expiry=abgelaufen")).text) == [3, 2, 1]
    assert _ids((await client.get("/staff/?expiry=nicht-abgelaufen")).text) == [6, 5, 4]  # no date: not expired
    assert _ids((await client.get("/staff/?expiry=bogus")).text) == _ids(page)  # an unknown value filters nothing
    expired = (await client.get("/staff/?expiry=abgelaufen")).text
    assert "3 offen" in expired and 'name="next" value="/staff/?expiry=abgelaufen"' in expired
    items = [f"{n}:{_revision(review_env, n)}" for n in (3, 2, 1)]  # what "select all" + "ablehnen" sends
    answer = await client.post("/staff/bulk", data={"csrf": csrf, "action": "reject", "item": items,
                                                   "next": "/staff/?expiry=abgelaufen"})  # fmt: skip
    assert answer.status_code == 303 and "expiry=abgelaufen" in answer.headers["location"]
    with review_env.session() as session:
        assert [session.get(ItemRow, n).status for n in (1, 2, 3, 4)] == ["rejected"] * 3 + ["pending"]


async def test_staff_take_the_recognised_deadlines_of_selected_rows_in_one_go(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    now = datetime.now(UTC)
    later, sooner = now + timedelta(days=40), now + timedelta(days=5)
    with review_env.session() as session:
        for item_id, suggested in ((2, later), (3, sooner), (4, None)):
            session.add(ItemTagsRow(item_id=item_id, revision_id=_revision(review_env, item_id), relevant=True,
                                    relevance_reason="", reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0,
                                    expires_suggested=suggested))  # fmt: skip
        review_repo.set_expiry(session, 3, sooner, actor="adam", now=now)  # taken already
    csrf = await login(client)
    assert "erkannte Fristen übernehmen</button>" in (await client.get("/staff/")).text
    items = [f"{n}:{_revision(review_env, n)}" for n in (2, 3, 4, 5)]
    answer = await client.post(
        "/staff/bulk", data={"csrf": csrf, "action": "fristen", "item": items, "next": "/staff/"}
    )
    assert answer.status_code == 303
    message = parse_qs(urlsplit(answer.headers["location"]).query)["msg"][0]
    assert message == "1 erkannte Fristen als Ablaufdatum übernommen. 3 ohne erkannte Frist oder schon übernommen."
    with review_env.session() as session:
        assert session.get(ItemFlagsRow, 2).expires_at == later
        assert session.get(ItemRow, 2).status == "pending"  # a date, no decision
        assert session.get(ItemFlagsRow, 4) is None
        expiry_audits = session.scalars(select(AuditRow.item_id).where(AuditRow.action == "expiry")).all()
        assert sorted(expiry_audits) == [2, 3]
        items_repo.approve(session, [6], actor="rita", now=now)  # published without its deadline
        session.add(ItemTagsRow(item_id=6, revision_id=_revision(review_env, 6), relevant=True, relevance_reason="",
                                reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0,
                                expires_suggested=later))  # fmt: skip
    approved = (await client.get("/staff/?status=approved")).text
    assert "erkannte Fristen übernehmen</button>" in approved and ">freigeben</button>" not in approved
    assert 'id="select-all"' in approved
    form = {
        "csrf": csrf,
        "action": "fristen",
        "item": [f"6:{_revision(review_env, 6)}"],
        "next": "/staff/?status=approved",
    }
    answer = await client.post("/staff/bulk", data=form)
    assert "status=approved" in answer.headers["location"]
    with review_env.session() as session:
        assert session.get(ItemFlagsRow, 6).expires_at == later


async def test_approve_row_with_htmx_is_audited(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    item, revision = 3, _revision(review_env, 3)
    answer = await client.post(
        f"/staff/queue/{item}/approve",
        data={"revision": revision},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200 and 'id="row-3"' in answer.text and "freigegeben" in answer.text
    with review_env.session() as session:
        row = session.get(ItemRow, item)
        audit = session.scalars(select(AuditRow).where(AuditRow.item_id == item)).all()
    assert row is not None and row.status == "approved" and row.approved_revision_id == revision
    assert [(a.actor, a.action, a.revision_id) for a in audit] == [("rita", "approve", revision)]


async def test_decision_on_a_stale_revision_is_refused(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    old = _revision(review_env, 1)
    with review_env.session() as session:  # the source changes the item while the reviewer reads it
        items_repo.record_entries(session, "ihk", [entry("e0", "Meldung 0 (neu)")], T0.replace(hour=12))
    answer = await client.post("/staff/queue/1/approve", data={"revision": old, "csrf": csrf})
    assert answer.status_code == 303 and "inzwischen" in answer.headers["location"]
    with review_env.session() as session:
        assert session.get(ItemRow, 1).status == "pending"


async def test_reject_leaves_a_tombstone(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    await client.post("/staff/items/1/do/reject", data={"revision": _revision(review_env, 1), "csrf": csrf})
    with review_env.session() as session:
        counts = items_repo.record_entries(session, "ihk", [entry("e0", "Meldung 0")], T0.replace(hour=13))
        assert session.get(ItemRow, 1).status == "rejected"
    assert counts.tombstoned == 1


async def test_bulk_approve_and_reject(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    chosen = [f"{i}:{_revision(review_env, i)}" for i in (1, 2, 3)]
    answer = await client.post(
        "/staff/bulk", data={"csrf": csrf, "action": "approve", "item": chosen, "next": "/staff/"}
    )
    assert answer.status_code == 303 and "3+Eintr%C3%A4ge+freigegeben" in answer.headers["location"]
    answer = await client.post(
        "/staff/bulk", data={"csrf": csrf, "action": "reject", "item": [f"4:{_revision(review_env, 4)}", "1:999"]}
    )
    assert "1+%C3%BCbersprungen" in answer.headers["location"]
    with review_env.session() as session:
        assert items_repo.count_items(session) == {"approved": 3, "rejected": 1, "pending": 2}


async def test_item_view_escapes_hostile_text_and_shows_hooks_and_diff(review_env: ReviewEnv) -> None:
    with review_env.session() as session:
        items_repo.record_entries(
            session,
            "ihk",
            [entry("e0", "<script>alert(1)</script> Titel", summary="<p>sauber</p>", text="Neu")],
            T0.replace(hour=9),
        )
    hooks = Hooks(
        public=(
            lambda _session, detail: Panel("Öffentlich", (PanelLine(f"Fassung {detail.view.approved_revision_id}"),)),
        )
    )
    app = create_app(review_env.settings, hooks=hooks)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        await login(http)
        page = await http.get("/staff/items/1")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; Titel" in page.text
    assert "<p>sauber</p>" in page.text  # the stored, sanitized summary as it will be published
    assert "Unterschied zur vorigen Fassung" in page.text and "d-add" in page.text
    assert "Öffentlich" in page.text and "Fassung None" in page.text
    assert 'href="https://example.org/e0"' in page.text


async def test_edit_makes_a_sanitized_staff_revision_that_a_harvest_keeps(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    csrf = await login(client)
    base = _revision(review_env, 1)
    form = {
        "csrf": csrf, "revision": base, "title": "Neuer Titel",
        "summary": '<p onclick="x()">Gut<script>böse()</script></p>', "sectors": "handwerk, gastgewerbe-tourismus",
        "topics": "", "towns": "Freiberg", "expires": "2027-01-31",
    }  # fmt: skip
    answer = await client.post("/staff/items/1/edit", data=form)
    assert answer.status_code == 303, answer.text
    with review_env.session() as session:
        item = session.get(ItemRow, 1)
        assert item is not None and item.current_revision_id != base
        assert item.sectors == ["handwerk", "gastgewerbe-tourismus"]
        staff = session.get(StaffRevisionRow, item.current_revision_id)
        assert staff is not None and staff.base_revision_id == base and staff.actor == "rita"
        view = items_repo.list_items_by_ids(session, [1])[0]
        actions = {a.action for a in session.scalars(select(AuditRow).where(AuditRow.item_id == 1))}
    assert view.title == "Neuer Titel" and view.summary_html == "<p>Gut</p>"
    assert actions == {"edit", "tags", "expiry"}
    with review_env.session() as session:  # the source sends its unchanged text again
        counts = items_repo.record_entries(session, "ihk", [entry("e0", "Meldung 0")], T0.replace(hour=14))
        assert counts.unchanged == 1 and session.get(ItemRow, 1).current_revision_id == view.revision_id
    page = await client.get("/staff/items/1")
    assert "bearbeitet von rita" in page.text and 'value="2027-01-31"' in page.text


async def test_tag_checkboxes_record_a_correction_that_trains_suggestions(
    review_env: ReviewEnv, client: httpx.AsyncClient
) -> None:
    csrf = await login(client)
    page = (await client.get("/staff/items/3")).text
    assert '<input type="checkbox" name="sectors" value="handel" checked> Handel' in page  # German labels
    assert '<input type="checkbox" name="towns" value="Döbeln" checked> Döbeln' in page
    assert '<input type="checkbox" name="relevant" value="1" checked>' in page
    base = {"csrf": csrf, "revision": str(_revision(review_env, 3)), "title": "Meldung 2", "summary": "<p>Text</p>"}
    form = [*base.items(), ("sectors", "handel"), ("sectors", "handwerk"), ("topics", "kauf-regional"),
            ("towns", "Döbeln"), ("relevance_shown", "1"), ("relevant", "1")]  # fmt: skip
    answer = await client.post("/staff/items/3/edit", content=urlencode(form),
                               headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 303, answer.text
    with review_env.session() as session:
        item = session.get(ItemRow, 3)
        assert item is not None and item.sectors == ["handel", "handwerk"] and item.topics == ["kauf-regional"]
        correction = session.scalars(select(TagCorrectionRow).where(TagCorrectionRow.item_id == 3)).one()
        assert correction.sectors == ["handel", "handwerk"] and correction.relevant and correction.actor == "rita"
        tags = session.get(ItemTagsRow, 3)
        assert tags is not None and tags.tagged_by == "staff"  # kept when the rules tag a later revision
    # unticking "wirtschaftsrelevant" is a correction too; an unchanged form records nothing
    form = [*base.items(), ("sectors", "handel"), ("sectors", "handwerk"), ("topics", "kauf-regional"),
            ("towns", "Döbeln"), ("relevance_shown", "1")]  # fmt: skip
    for _ in range(2):
        await client.post("/staff/items/3/edit", content=urlencode(form),
                          headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    with review_env.session() as session:
        rows = session.scalars(select(TagCorrectionRow).where(TagCorrectionRow.item_id == 3)).all()
        assert [row.relevant for row in rows] == [True, False]
    assert '<span class="tag off"' in (await client.get("/staff/?relevance=nicht-relevant")).text


async def test_unknown_tags_are_refused_with_a_german_message(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    form = {"csrf": csrf, "revision": _revision(review_env, 3), "title": "Meldung 2", "sectors": "handel, bergbau",
            "relevance_shown": "1"}  # fmt: skip
    answer = await client.post("/staff/items/3/edit", data=form)
    assert answer.status_code == 422 and "Unbekannte Branchen: bergbau" in answer.text
    assert '<input type="checkbox" name="relevant" value="1">' in answer.text  # shown as sent: unticked
    with review_env.session() as session:
        assert session.get(ItemRow, 3).sectors == ["handel"]  # nothing changed


async def test_edit_with_empty_title_is_refused(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    answer = await client.post(
        "/staff/items/2/edit", data={"csrf": csrf, "revision": _revision(review_env, 2), "title": " "}
    )
    assert answer.status_code == 422 and "Titel darf nicht leer" in answer.text


async def test_pin_unpublish_and_approve_again(review_env: ReviewEnv, client: httpx.AsyncClient) -> None:
    csrf = await login(client)
    revision = _revision(review_env, 2)
    for action in ("approve", "pin", "unpublish"):
        answer = await client.post(f"/staff/items/2/do/{action}", data={"csrf": csrf, "revision": revision})
        assert answer.status_code == 303
    page = await client.get("/staff/items/2")
    assert "angeheftet" in page.text and "zurückgezogen" in page.text
    with review_env.session() as session:
        item = session.get(ItemRow, 2)
        assert item is not None and item.status == "unpublished" and item.approved_revision_id is None
    await client.post("/staff/items/2/do/approve", data={"csrf": csrf, "revision": revision})
    with review_env.session() as session:
        assert session.get(ItemRow, 2).approved_revision_id == revision


async def test_unknown_item_is_404(client: httpx.AsyncClient) -> None:
    await login(client)
    assert (await client.get("/staff/items/9999")).status_code == 404


def test_taking_many_deadlines_reads_the_rows_a_chunk_at_a_time(review_env: ReviewEnv) -> None:
    """The bulk action reads (and on PostgreSQL locks) items, flags and suggestions in a few queries, not three per
    row: 40 rows cost as many reads as 4."""
    engine = review_env.engine
    now, day = datetime.now(UTC), datetime.now(UTC) + timedelta(days=9)
    with review_env.session() as session:
        items_repo.record_entries(session, "ihk", [entry(f"x{n}", f"Mehr {n}") for n in range(34)], T0)  # 6 + 34
    ids = review_env.item_ids()
    assert len(ids) == 40
    with review_env.session() as session:
        for item_id in ids:
            session.add(ItemTagsRow(item_id=item_id, revision_id=_revision(review_env, item_id), relevant=True,
                                    relevance_reason="", reasons={}, suggestions={}, tagged_by="rules", tagged_at=T0,
                                    expires_suggested=day))  # fmt: skip
        review_repo.set_expiry(session, ids[0], day, actor="adam", now=now)  # has its flags row and the day already

    def reads(item_ids: list[int]) -> tuple[int, tuple[list[int], list[int]]]:
        selects: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            with review_env.session() as session:
                result = review_repo.accept_suggested_expiries(session, item_ids, actor="rita", now=now)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(selects), result

    few, (done_few, skipped_few) = reads(ids[:4])
    many, (done_many, skipped_many) = reads(ids)
    assert (done_few, skipped_few) == (ids[1:4], [ids[0]])
    assert (sorted(done_many), skipped_many) == (sorted(ids[4:]), ids[:4])  # the first four have their day now
    assert many == few <= 3
    with review_env.session() as session:
        assert {session.get(ItemFlagsRow, n).expires_at for n in ids} == {day}
        audits = session.scalars(select(AuditRow.item_id).where(AuditRow.action == "expiry")).all()
        assert sorted(audits) == sorted(ids)
