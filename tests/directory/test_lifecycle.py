"""Double opt-in over a real local SMTP server, the staff review path, expiry with re-confirmation mails."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from process.directory import Business, Offer
from review.directory_ops import expire_directory
from store import directory_repo
from store.directory_repo import NewEntry
from store.directory_schema import DirectoryBusinessRow
from store.schema import AuditRow
from tests.directory.conftest import build_env, client_for, form_token, submit
from tests.review.conftest import login as staff_login
from tests.review.conftest import seed
from tests.smtp import smtp_server

pytestmark = pytest.mark.anyio
SHOP = Business(name="Hofladen Krause", category="regionale-produzenten", town="Oederan", offers=(Offer("abholung"),))


def _smtp(port: int) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}


async def test_double_opt_in_waits_for_the_link_then_enters_the_queue(db_url: str, make_settings: Any) -> None:
    with smtp_server() as (inbox, port):
        env = build_env(db_url, make_settings, **_smtp(port))
        async with client_for(env.app) as http:
            missing = await submit(http, submitter_email="")
            assert missing.status_code == 422 and "Bestätigung" in missing.text
            answer = await submit(http)
            assert answer.status_code == 200 and "E-Mail geschickt" in answer.text and "private-link" not in answer.text
            with env.session() as session:
                assert directory_repo.queue(session, ["pending"]) == []
                assert len(directory_repo.queue(session, ["unconfirmed"])) == 1
            [message] = inbox.messages
            assert message["To"] == "inhaberin@example.org" and "bestätigen" in message["Subject"]
            body = inbox.bodies()[0]
            confirm = re.search(r"http://[^/]+(/kauf-regional/bestaetigen/\S+)", body)
            manage = re.search(r"http://[^/]+(/kauf-regional/verwalten/\S+)", body)
            assert confirm and manage
            page = await http.get(confirm.group(1))  # GET changes nothing (mail scanners follow links)
            with env.session() as session:
                assert directory_repo.queue(session, ["pending"]) == []
            done = await http.post(confirm.group(1), data={"token": form_token(page.text)})
            assert done.status_code == 200 and "bestätigt" in done.text
            again = await http.post(confirm.group(1), data={"token": form_token(page.text)})
            assert again.status_code == 404  # single use
            assert (await http.get(manage.group(1))).status_code == 200
    with env.session() as session:
        assert len(directory_repo.queue(session, ["pending"])) == 1


async def test_unreachable_smtp_keeps_nothing(db_url: str, make_settings: Any) -> None:
    from tests.httpserver import free_port

    env = build_env(db_url, make_settings, **_smtp(free_port()))
    async with client_for(env.app) as http:
        answer = await submit(http)
        assert answer.status_code == 503 and "nicht versandt" in answer.text
    with env.session() as session:
        assert directory_repo.counts(session) == {}


async def test_staff_approve_edit_reject_and_audit(db_url: str, make_settings: Any) -> None:
    from review.app import create_app

    env = build_env(db_url, make_settings)
    seed(env.factory, count=0)
    async with client_for(env.app) as public:
        await submit(public)
    app = create_app(env.settings)
    async with client_for(app) as http:
        assert (await http.get("/staff/kauf-regional")).status_code in (303, 307)  # login first
        csrf = await staff_login(http)
        queue = await http.get("/staff/kauf-regional")
        assert "Bäckerei Sonnenschein" in queue.text and "offen (1)" in queue.text
        entry_id = int(re.search(r'href="/staff/kauf-regional/(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
        page = await http.get(f"/staff/kauf-regional/{entry_id}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
        refused = await http.post(f"/staff/kauf-regional/{entry_id}/do/approve", data={"version": version})
        assert refused.status_code == 403  # no CSRF token
        done = await http.post(f"/staff/kauf-regional/{entry_id}/do/approve", data={"version": version, "csrf": csrf})
        assert done.status_code == 303
        edit = {"csrf": csrf, "name": "Bäckerei Sonnenschein", "category": "einzelhandel", "town": "Freiberg",
                "angebot": ["abholung", "lieferung"], "lieferung": "<b>bis 5 km</b>"}  # fmt: skip
        assert (await http.post(f"/staff/kauf-regional/{entry_id}/edit", data=edit)).status_code == 303
        bad = await http.post(f"/staff/kauf-regional/{entry_id}/edit", data={**edit, "town": "Leipzig"})
        assert bad.status_code == 422 and "keine Stadt" in bad.text
        changed = await http.get(f"/staff/kauf-regional/{entry_id}")
        assert "Änderung gegenüber der veröffentlichten Fassung" in changed.text and "bis 5 km" in changed.text
        version2 = re.search(r'name="version" value="(\d+)"', changed.text).group(1)  # type: ignore[union-attr]
        await http.post(f"/staff/kauf-regional/{entry_id}/do/reject", data={"version": version2, "csrf": csrf})
    with env.session() as session:
        [shown] = directory_repo.public_entries(session, date.today())
        actions = session.scalars(select(AuditRow.action).where(AuditRow.actor == "rita")).all()
    assert shown.business.offer_kinds == ("abholung", "gutschein")  # the rejected edit never went public
    assert actions == ["directory_approve", "directory_update", "directory_reject"]


def _approved(env: Any, now: datetime, email: str = "", valid_until: date | None = None) -> int:
    from dataclasses import replace

    with env.session() as session:
        business = replace(SHOP, valid_until=valid_until)
        entry = NewEntry(business, "form", f"h{now.timestamp()}{email}", "t", status="approved", submitter_email=email)
        return directory_repo.create(session, entry, now)


async def test_expiry_asks_then_drops_and_reconfirmation_keeps(db_url: str, make_settings: Any) -> None:
    now = datetime.now(UTC)
    with smtp_server() as (inbox, port):
        env = build_env(db_url, make_settings, directory_reconfirm_days=100, directory_grace_days=10, **_smtp(port))
        asked = _approved(env, now - timedelta(days=101), "a@example.org")
        dropped = _approved(env, now - timedelta(days=111), "b@example.org")
        past = _approved(env, now, valid_until=now.date() - timedelta(days=1))
        fresh = _approved(env, now - timedelta(days=5), "c@example.org")
        report = expire_directory(env.settings, now)
        assert sorted(report.expired) == sorted([dropped, past])
        assert report.reminded == [asked] and len(inbox.messages) == 1
        assert inbox.messages[0]["Subject"] == "Kauf regional: Ist Ihr Angebot noch aktuell?"
        link = re.search(r"http://[^/]+(/kauf-regional/verwalten/\S+)", inbox.bodies()[0])
        assert link
        assert expire_directory(env.settings, now).reminded == []  # asked once
        async with client_for(env.app) as http:
            page = await http.get(link.group(1))
            assert page.status_code == 200
            ok = await http.post(link.group(1) + "/aktuell", data={"token": form_token(page.text)})
            assert ok.status_code == 200
    later = expire_directory(env.settings, now + timedelta(days=20))
    assert asked not in later.expired
    with env.session() as session:
        slugs = {e.id for e in directory_repo.public_entries(session, now.date())}
    assert slugs == {asked, fresh}


async def test_expiry_without_smtp_sends_nothing_but_still_expires(db_url: str, make_settings: Any) -> None:
    env = build_env(db_url, make_settings, directory_reconfirm_days=30, directory_grace_days=0)
    now = datetime.now(UTC)
    old = _approved(env, now - timedelta(days=31), "x@example.org")
    report = expire_directory(env.settings, now)
    assert report.expired == [old] and report.reminded == []
    with env.session() as session:
        session.execute(update(DirectoryBusinessRow).values(last_confirmed_at=now))
        directory_repo.reconfirm(session, old, actor="rita", now=now)
        assert directory_repo.detail(session, old).status == "approved"  # type: ignore[union-attr]


async def test_staff_routes_need_a_login(db_url: str, make_settings: Any) -> None:
    from review.app import create_app

    env = build_env(db_url, make_settings)
    async with client_for(create_app(env.settings)) as http:
        answer = await http.post("/staff/kauf-regional/1/do/approve", data={"version": "1"})
    assert answer.status_code == 401
