"""Shared fixtures: databases on SQLite and on the local PostgreSQL, settings, the shared corpus."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from settings import Settings, load_settings
from store.db import dispose_all_engines

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _skip_or_fail_postgres() -> None:
    if os.environ.get("RUBRIK_REQUIRE_POSTGRES") == "1":
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is required (RUBRIK_REQUIRE_POSTGRES=1) but not reachable")
    pytest.skip("PostgreSQL at 127.0.0.1:5432 not reachable")


@pytest.fixture(autouse=True)
def _close_pooled_connections() -> Iterator[None]:
    """Tests build many engines; without this, idle pooled connections pile up towards PostgreSQL's limit."""
    yield
    dispose_all_engines()


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test; dropped afterwards."""
    if not postgres_available():
        _skip_or_fail_postgres()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on the embedded SQLite default and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rubrik.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": f"sqlite:///{tmp_path / 'rubrik.db'}",
            "site_dir": tmp_path / "site",
        }
        values.update(overrides)
        return load_settings(**values)

    return build
