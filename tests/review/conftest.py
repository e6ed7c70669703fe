"""A seeded review database (SQLite and PostgreSQL), the app, users, and an httpx client on ASGITransport."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from process.model import Entry
from review.app import create_app
from review.passwords import hash_password
from review.story_panels import story_hooks
from settings import Settings
from store import items_repo, sources_repo, users_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.records import SourceSpec
from store.schema import ItemRow

PASSWORD = "Fahrrad-Lampe-Gelb-42"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
_HASH: dict[str, str] = {}


def entry(identity: str, title: str, *, summary: str = "<p>Text</p>", text: str = "Text") -> Entry:
    return Entry(
        identity=identity, guid=identity, url=f"https://example.org/{identity}", title=title, summary_html=summary,
        content_text=text, published_at=T0, content_hash=f"h-{identity}-{title}-{text}",
    )  # fmt: skip


@dataclass
class ReviewEnv:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    app: Any

    def session(self) -> Any:
        return transaction(self.factory)

    def item_ids(self) -> list[int]:
        with self.session() as session:
            return [view.id for view in items_repo.list_items(session)]


def seed(factory: sessionmaker[Session], count: int = 6) -> None:
    with transaction(factory) as session:
        for sid, kind in (("ihk", "feed"), ("stadt-freiberg", "listing")):
            spec = SourceSpec(sid, sid.upper(), kind, f"https://{sid}.example.org/feed", 3600, True, {})
            sources_repo.upsert_source(session, spec, origin="catalog")
        for n in range(count):
            source = "ihk" if n % 2 == 0 else "stadt-freiberg"
            items_repo.record_entries(session, source, [entry(f"e{n}", f"Meldung {n}")], T0 + timedelta(minutes=n))
        tags = {0: (["handwerk"], ["foerderung"], ["Freiberg"]), 1: (["handel"], [], ["Döbeln"])}
        for item in session.query(ItemRow).all():
            sectors, topics, towns = tags.get(item.id % 2, ([], [], []))
            session.execute(
                update(ItemRow).where(ItemRow.id == item.id).values(sectors=sectors, topics=topics, towns=towns)
            )
        for name, role in (("rita", "reviewer"), ("adam", "admin")):
            if PASSWORD not in _HASH:
                _HASH[PASSWORD] = hash_password(PASSWORD)
            users_repo.add_user(session, name, _HASH[PASSWORD], role, T0)


def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> str:
    """A seeded SQLite database the `rubrik` CLI uses (through the environment, no config file); its URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(session_factory(engine), count=count)
    engine.dispose()
    monkeypatch.setenv("RUBRIK_DATABASE_URL", url)
    monkeypatch.setenv("RUBRIK_CONFIG", str(tmp_path / "none.toml"))
    return url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def review_env(db_url: str, make_settings: Any) -> Iterator[ReviewEnv]:
    settings = make_settings(database_url=db_url, review_counts_ttl=0, review_page_size=5)
    engine = make_engine(db_url)
    upgrade(engine)
    factory = session_factory(engine)
    seed(factory)
    yield ReviewEnv(settings, engine, factory, create_app(settings, hooks=story_hooks()))
    engine.dispose()


@pytest.fixture
async def client(review_env: ReviewEnv) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=review_env.app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


async def login(http: httpx.AsyncClient, name: str = "rita", password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the queue page)."""
    form = await http.get("/staff/login")
    answer = await http.post(
        "/staff/login", data={"name": name, "password": password, "csrf": hidden(form.text, "csrf"), "next": "/staff/"}
    )
    assert answer.status_code == 303, answer.text
    queue = await http.get("/staff/")
    assert queue.status_code == 200
    return hidden(queue.text, "csrf")
