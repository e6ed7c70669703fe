"""Fixtures of the flow tests: a local server with realistic sources and settings pointing at it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from store.db import make_engine, upgrade
from tests.httpserver import TestServer, conditional, static

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RSS = (FIXTURES / "feed" / "medienservice_rss2.xml").read_bytes()
HWK = (FIXTURES / "listing" / "hwk_chemnitz_aktuelles.html").read_bytes()
HWK_SELECTORS = json.loads((FIXTURES / "listing" / "hwk_chemnitz_aktuelles.meta.json").read_text())["selectors"]
PAGE = (FIXTURES / "page" / "mittelsachsen_informationen_unternehmen.html").read_bytes()
ROBOTS = static(b"User-agent: *\nAllow: /\n", "text/plain")


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with TestServer() as srv:
        srv.add_route("/robots.txt", ROBOTS)
        srv.add_route("/feed", conditional(RSS, '"v1"', "Tue, 24 Mar 2020 16:05:00 GMT"))
        srv.add_route("/hwk", static(HWK, "text/html; charset=utf-8"))
        srv.add_route("/page", static(PAGE, "text/html; charset=utf-8"))
        yield srv


def write_catalog(path: Path, srv: TestServer, *extra: dict[str, object]) -> Path:
    sources = [
        {"id": "smwa", "name": "SMWA", "kind": "feed", "url": srv.url("/feed"), "interval": "1h"},
        {
            "id": "hwk",
            "name": "HWK Chemnitz",
            "kind": "listing",
            "url": srv.url("/hwk"),
            "interval": "2h",
            "selectors": HWK_SELECTORS,
            "sectors": ["handwerk"],
        },
        {"id": "lkr", "name": "Landkreis", "kind": "page", "url": srv.url("/page"), "interval": "1d"},
        *extra,
    ]
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def settings(make_settings, server, tmp_path):  # type: ignore[no-untyped-def]
    built = make_settings(
        catalog=write_catalog(tmp_path / "catalog.yaml", server),
        fetch_allow_hosts=[server.host_port],
        fetch_per_host_delay=0.0,
        fetch_per_host_concurrency=4,
    )
    upgrade(make_engine(built.database_url))
    return built


@pytest.fixture(scope="session")
def prefect_api():  # type: ignore[no-untyped-def]
    """One temporary Prefect API for every flow test of the session (starting one costs 5–10 s)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # the heartbeat costs ~1 s per run and matters only for long production runs
    with prefect_test_harness(server_startup_timeout=60), temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
