"""The harvest end to end: a real HTTP server on 127.0.0.1, the real catalog loader, parsers and store."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import cli
from flows.pipeline import harvest
from sources.catalog import CatalogError
from store import items_repo, sources_repo
from store.db import make_engine, session_factory, transaction, upgrade
from store.schema import ItemRow, RevisionRow
from tests.flows.conftest import PAGE, write_catalog
from tests.httpserver import Request, Response, static


def rows(settings, model) -> int:  # type: ignore[no-untyped-def]
    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_harvest_stores_items_second_gets_304(settings) -> None:  # type: ignore[no-untyped-def]
    summary = asyncio.run(harvest(settings))
    by_id = {o.id: o for o in summary.sources}
    assert {o.status for o in summary.sources} == {"ok"}
    assert by_id["smwa"].new >= 3 and by_id["hwk"].new >= 2 and by_id["lkr"].new == 1
    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        titles = [view.title for view in items_repo.list_items(session)]
    assert "Überbrückungshilfe III: Abschlagszahlungen starten" in titles
    assert not any(title.startswith("+++") or title.endswith("+++") for title in titles)

    again = asyncio.run(harvest(settings, only=["smwa", "hwk"]))
    by_id = {o.id: o for o in again.sources}
    assert by_id["smwa"].status == "not_modified"
    assert by_id["hwk"].status == "ok" and by_id["hwk"].new == 0 and by_id["hwk"].unchanged >= 2
    assert rows(settings, ItemRow) == sum(o.new for o in summary.sources)


def test_a_failing_source_does_not_stop_the_others_and_is_backed_off(settings, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add_route("/broken", lambda _r: Response(status=500, body=b"kaputt"))
    write_catalog(
        settings.catalog,
        server,
        {"id": "broken", "name": "Kaputt", "kind": "feed", "url": server.url("/broken"), "interval": "1h"},
        {"id": "login", "name": "Login", "kind": "feed", "url": server.url("/login"), "interval": "1h"},
    )
    server.add_route("/login", static(b"<html><form><input name=password></form></html>", "text/html"))
    summary = asyncio.run(harvest(settings))
    by_id = {o.id: o for o in summary.sources}
    assert by_id["broken"].error_code == "http_5xx"
    assert by_id["login"].error_code == "not_a_feed"
    assert by_id["smwa"].status == by_id["hwk"].status == "ok"
    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        state = sources_repo.get_source(session, "broken")
    assert state is not None and state.consecutive_failures == 1 and state.last_error_code == "http_5xx"
    assert state.next_fetch_at is not None and state.last_fetch_at is not None
    delay = (state.next_fetch_at - state.last_fetch_at).total_seconds()
    assert 3600 * 0.8 - 1 <= delay <= 3600 * 1.2 + 1
    # not due again yet: a plain run skips it, naming it forces it
    assert "broken" not in {o.id for o in asyncio.run(harvest(settings)).sources}


def test_listing_that_suddenly_yields_nothing_warns(settings, server) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(harvest(settings, only=["hwk"]))
    server.add_route("/hwk", static(b"<html><body><main>Neue Seite</main></body></html>", "text/html"))
    outcome = asyncio.run(harvest(settings, only=["hwk"])).sources[0]
    assert outcome.status == "ok" and outcome.entries == 0
    assert any("Selektoren" in warning for warning in outcome.warnings)


def test_changed_page_becomes_a_revision_with_a_diff(settings, server) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(harvest(settings, only=["lkr"]))
    assert asyncio.run(harvest(settings, only=["lkr"])).sources[0].unchanged == 0  # no material change
    changed = PAGE.replace(
        b"</main>", b"<p>Neu: Die Antragsfrist der Neustarthilfe wurde bis 31.12.2021 verl\xc3\xa4ngert.</p></main>"
    )
    server.add_route("/page", static(changed, "text/html; charset=utf-8"))
    outcome = asyncio.run(harvest(settings, only=["lkr"])).sources[0]
    assert outcome.updated == 1
    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        [view] = items_repo.list_items(session)
    assert view.title.startswith("Seite aktualisiert:")
    assert view.diff is not None and "Neustarthilfe" in view.diff
    assert rows(settings, RevisionRow) == 2


def test_concurrent_harvests_write_the_rows_of_one(settings) -> None:  # type: ignore[no-untyped-def]
    async def both() -> None:
        await asyncio.gather(harvest(settings), harvest(settings))

    asyncio.run(both())
    items, revisions = rows(settings, ItemRow), rows(settings, RevisionRow)
    fresh = settings.model_copy(update={"database_url": settings.database_url.replace("rubrik.db", "one.db")})
    upgrade(make_engine(fresh.database_url))
    asyncio.run(harvest(fresh))
    assert (items, revisions) == (rows(fresh, ItemRow), rows(fresh, RevisionRow))


def test_cli_harvest_json_and_items_list(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name, value in {
        "RUBRIK_DATABASE_URL": settings.database_url,
        "RUBRIK_CATALOG": str(settings.catalog),
        "RUBRIK_FETCH_ALLOW_HOSTS": ",".join(settings.fetch_allow_hosts),
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["harvest", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"id", "status", "error_code", "new", "updated", "unchanged", "warnings"} <= set(summary["sources"][0])
    listed = json.loads(runner.invoke(cli.app, ["items", "list", "--json", "--status", "pending"]).stdout)
    assert len(listed) == summary["totals"]["new"]
    keys = {
        "id",
        "title",
        "url",
        "summary",
        "status",
        "published_at",
        "first_seen_at",
        "sources",
        "sectors",
        "topics",
        "towns",
    }
    assert keys <= set(listed[0])
    first = listed[0]["id"]
    assert runner.invoke(cli.app, ["review", "approve", str(first)]).exit_code == 0
    assert runner.invoke(cli.app, ["review", "reject", str(listed[1]["id"])]).exit_code == 0
    approved = json.loads(runner.invoke(cli.app, ["items", "list", "--json", "--status", "approved"]).stdout)
    assert [item["id"] for item in approved] == [first]


def test_cli_refuses_outdated_schema_and_bad_catalog(make_settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RUBRIK_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    result = CliRunner().invoke(cli.app, ["items", "list"])
    assert result.exit_code != 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - id: x1\n    name: X\n    kind: magic\n    url: ftp://x\n    interval: 1h\n")
    monkeypatch.setenv("RUBRIK_CATALOG", str(bad))
    result = CliRunner().invoke(cli.app, ["sources", "check"])
    assert result.exit_code != 0


def test_guids_that_change_on_every_fetch_fall_back_to_links(settings, server) -> None:  # type: ignore[no-untyped-def]
    fetches = {"n": 0}

    def rotating(_request: Request) -> Response:
        fetches["n"] += 1
        items = "".join(
            f"<item><title>Meldung {k}</title><link>https://www.freiberg.de/news/{k}</link>"
            f"<guid isPermaLink='false'>{fetches['n']}-{k}</guid></item>"
            for k in range(3)
        )
        body = f"<rss version='2.0'><channel><title>Freiberg</title>{items}</channel></rss>".encode()
        return Response(body=body, headers={"Content-Type": "application/rss+xml"})

    server.add_route("/feed", rotating)
    first = asyncio.run(harvest(settings, only=["smwa"])).sources[0]
    second = asyncio.run(harvest(settings, only=["smwa"])).sources[0]
    assert first.new == 3
    assert any("GUIDs" in warning for warning in second.warnings)
    third = asyncio.run(harvest(settings, only=["smwa"])).sources[0]
    assert third.new == 0 and third.unchanged == 3
    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        state = sources_repo.get_source(session, "smwa")
    assert state is not None and state.guids_unstable


def test_a_host_held_by_another_run_is_skipped_and_stays_due(settings, server) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from store import leases

    factory = session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        leases.acquire(
            session, [f"host:{server.host_port}"], holder="other-run", now=datetime.now(UTC), ttl=timedelta(minutes=5)
        )
    summary = asyncio.run(harvest(settings))
    assert {o.status for o in summary.sources} == {"busy"} and summary.totals()["busy"] == 3
    with transaction(factory) as session:
        leases.release(session, [f"host:{server.host_port}"], holder="other-run")
    assert {o.status for o in asyncio.run(harvest(settings)).sources} == {"ok"}


def test_an_edited_catalog_is_read_again_by_the_same_process(settings, server) -> None:  # type: ignore[no-untyped-def]
    """The parsed catalog is kept between runs of a long-lived worker, but only while the file is unchanged."""
    from flows.pipeline import sync_catalog

    factory = session_factory(make_engine(settings.database_url))
    assert sync_catalog(settings, factory) == {"added": 3, "updated": 0, "disabled": 0}
    assert sync_catalog(settings, factory) == {"added": 0, "updated": 0, "disabled": 0}
    extra = {"id": "sab", "name": "SAB", "kind": "feed", "url": server.url("/sab"), "interval": "1h"}
    write_catalog(settings.catalog, server, extra)  # same path, rewritten at once
    assert sync_catalog(settings, factory) == {"added": 1, "updated": 0, "disabled": 0}
    with transaction(factory) as session:
        assert "sab" in {state.id for state in sources_repo.list_sources(session)}
    settings.catalog.write_text("sources: [{id: kaputt}]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="kaputt"):  # a broken edit is reported, not hidden by the cache
        sync_catalog(settings, factory)
