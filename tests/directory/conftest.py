"""Kauf regional fixtures: a migrated database (SQLite and PostgreSQL), the form app, an httpx client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from review.directory_app import create_directory_app
from settings import Settings
from store.db import make_engine, session_factory, transaction, upgrade

VALID = {
    "name": "Bäckerei Sonnenschein",
    "category": "einzelhandel",
    "town": "Freiberg",
    "address": "Obermarkt 5",
    "postcode": "09599",
    "lat": "50,9170",
    "lon": "13.3420",
    "phone": "03731 123456",
    "email": "info@baeckerei-sonnenschein.de",
    "website": "https://www.baeckerei-sonnenschein.de/",
    "opening_notes": "Mo–Fr 6–18 Uhr",
    "angebot": ["abholung", "gutschein"],
    "abholung": "Vorbestellung bis 10 Uhr",
    "voucher_scheme": "Freiberger Stadtgutschein",
    "submitter_email": "inhaberin@example.org",
}


@dataclass
class DirEnv:
    settings: Settings
    factory: sessionmaker[Session]
    app: Any

    def session(self) -> Any:
        return transaction(self.factory)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def build_env(db_url: str, make_settings: Any, **overrides: Any) -> DirEnv:
    values: dict[str, Any] = {"database_url": db_url, "directory_min_submit_seconds": 0, "directory_secret": "test-key"}
    values.update(overrides)
    settings = make_settings(**values)
    engine = make_engine(db_url)
    upgrade(engine)
    return DirEnv(settings, session_factory(engine), create_directory_app(settings))


@pytest.fixture
def dir_env(db_url: str, make_settings: Any) -> Iterator[DirEnv]:
    yield build_env(db_url, make_settings)


@pytest.fixture
async def client(dir_env: DirEnv) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(dir_env.app) as http:
        yield http


def client_for(app: Any, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def form_token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no form token"
    return found.group(1)


async def submit(http: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    page = await http.get("/kauf-regional/eintragen")
    data = {**VALID, "token": form_token(page.text), **changes}
    return await http.post("/kauf-regional/eintragen", data={k: v for k, v in data.items() if v is not None})
