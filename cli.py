"""The ``rubrik`` command: the door for people and scripts. Builds the settings once and passes them down."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.eval_cli import register as register_eval
from publish.cli import register as register_publish
from review import cli as review_cli
from review import directory_cli, entries_cli
from review.stories_cli import register as register_stories
from settings import Settings, load_settings

app = typer.Typer(help="rubrik – die Corona-Wirtschaftsrubrik aktuell halten.", no_args_is_help=True)
sources_app = typer.Typer(help="Quellen anzeigen und prüfen.", no_args_is_help=True)
items_app = typer.Typer(help="Gesammelte Einträge anzeigen.", no_args_is_help=True)
review_app = typer.Typer(help="Einträge freigeben oder ablehnen.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(items_app, name="items")
app.add_typer(review_app, name="review")

err = Console(stderr=True)
out = Console()


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


def main() -> None:
    try:
        app()
    except UserError as error:
        err.print(f"[red]Fehler:[/red] {error}")
        sys.exit(2)


def _settings() -> Settings:
    try:
        return load_settings()
    except Exception as error:  # pydantic's message names the setting
        raise UserError(f"Ungültige Einstellungen: {error}") from error


@contextmanager
def _store(settings: Settings) -> Iterator[Any]:
    """A session factory on a database with an up-to-date schema."""
    from store.db import SchemaError, check_schema, make_engine, session_factory

    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        yield session_factory(engine)
    except SchemaError as error:
        raise UserError(str(error)) from error
    finally:
        engine.dispose()


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@app.command()
def init() -> None:
    """Datenbank anlegen oder auf den neuesten Stand bringen und den Quellenkatalog einlesen."""
    from flows.pipeline import sync_catalog
    from sources.catalog import CatalogError
    from store.db import make_engine, session_factory, upgrade

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
        counts = sync_catalog(settings, session_factory(engine))
    except CatalogError as error:
        raise UserError(str(error)) from error
    finally:
        engine.dispose()
    out.print(f"Datenbankschema: {before or 'neu'} → {after}")
    out.print(f"Quellen: {counts['added']} neu, {counts['updated']} geändert, {counts['disabled']} deaktiviert")


@app.command()
def harvest(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Nur diese Quelle(n).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Laufzusammenfassung als JSON ausgeben.")] = False,
) -> None:
    """Fällige Quellen abrufen und neue Einträge in die Prüfliste stellen."""
    from flows.pipeline import harvest as run_harvest
    from sources.catalog import CatalogError
    from store.db import SchemaError

    settings = _settings()
    show_bar = not as_json and sys.stderr.isatty()
    with _progress(show_bar) as on_outcome:
        try:
            summary = asyncio.run(run_harvest(settings, only=source or (), progress=on_outcome))
        except (CatalogError, SchemaError, KeyError) as error:
            raise UserError(str(error).strip("'\"")) from error
    if as_json:
        _dump(summary.to_json())
        return
    _print_summary(summary)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("Abruf"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("", total=None)

        def on_outcome(outcome: Any, total: int) -> None:
            bar.update(task, total=total, advance=1, description=outcome.id)

        yield on_outcome


def _print_summary(summary: Any) -> None:
    table = Table(title="Abruf")
    for column in ("Quelle", "Status", "Fehler", "neu", "geändert", "unverändert", "Hinweise"):
        table.add_column(column)
    for o in summary.sources:
        status = {
            "ok": "ok",
            "not_modified": "unverändert (304)",
            "error": "[red]Fehler[/red]",
            "busy": "übersprungen (anderer Lauf aktiv)",
        }[o.status]
        table.add_row(
            o.id, status, o.error_code or "", str(o.new), str(o.updated), str(o.unchanged), "\n".join(o.warnings)
        )
    out.print(table)
    totals = summary.totals()
    out.print(
        f"{totals['sources']} Quellen, {totals['new']} neu, {totals['updated']} geändert, {totals['errors']} mit Fehler"
    )


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Quellen mit Abrufzustand auflisten."""
    from store import sources_repo
    from store.db import transaction

    with _store(_settings()) as factory, transaction(factory) as session:
        states = sources_repo.list_sources(session)
    if as_json:
        _dump([_source_json(state) for state in states])
        return
    table = Table()
    for column in ("ID", "Art", "aktiv", "Status", "letzter Erfolg", "Fehler", "Fehlversuche"):
        table.add_column(column)
    for s in states:
        last = s.last_success_at.strftime("%d.%m.%Y %H:%M") if s.last_success_at else "–"
        table.add_row(
            s.id,
            s.kind,
            "ja" if s.enabled else "nein",
            s.last_status or "–",
            last,
            s.last_error_code or "",
            str(s.consecutive_failures),
        )
    out.print(table)


def _source_json(state: Any) -> dict[str, Any]:
    keys = (
        "id",
        "name",
        "kind",
        "url",
        "enabled",
        "interval_seconds",
        "last_status",
        "last_fetch_at",
        "last_success_at",
        "next_fetch_at",
        "last_error_code",
        "last_error_message",
        "consecutive_failures",
        "last_entry_count",
    )
    return {key: getattr(state, key) for key in keys}


@sources_app.command("check")
def sources_check() -> None:
    """Den Quellenkatalog prüfen (Aufbau, Selektoren, Adressen) – ohne Netzzugriff."""
    from sources.catalog import CatalogError, load_catalog

    settings = _settings()
    try:
        configs = load_catalog(settings.catalog, allow_hosts=settings.fetch_allow_hosts)
    except CatalogError as error:
        raise UserError(str(error)) from error
    enabled = sum(config.enabled for config in configs)
    unverified = sum(not config.verified for config in configs)
    out.print(f"{settings.catalog}: {len(configs)} Quellen gültig ({enabled} aktiv, {unverified} Adressen ungeprüft).")


@items_app.command("list")
def items_list(
    status: Annotated[str | None, typer.Option(help="pending, approved oder rejected")] = None,
    limit: Annotated[int | None, typer.Option(help="Höchstens so viele Einträge.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Einträge auflisten, neueste zuerst."""
    from store import items_repo, tags_repo
    from store.db import transaction
    from store.schema import ITEM_STATUSES

    if status is not None and status not in ITEM_STATUSES:
        raise UserError(f"Unbekannter Status {status!r}; erlaubt: {', '.join(ITEM_STATUSES)}")
    with _store(_settings()) as factory, transaction(factory) as session:
        views = items_repo.list_items(session, status=status, limit=limit)
        extras = tags_repo.item_extras(session, [view.id for view in views])
    if as_json:
        _dump([_item_json(view) | extras.get(view.id, {}) for view in views])
        return
    table = Table()
    for column in ("ID", "Status", "Titel", "Quellen", "veröffentlicht"):
        table.add_column(column)
    for v in views:
        when = v.published_at.strftime("%d.%m.%Y") if v.published_at else "–"
        table.add_row(str(v.id), v.status, v.title, ", ".join(v.sources), when)
    out.print(table)


@items_app.command("retag")
def items_retag(batch: Annotated[int, typer.Option(help="Einträge je Transaktion")] = 500) -> None:
    """Einträge in der Prüfliste jetzt neu verschlagworten: Schlagworte, Gründe, Relevanz, vorgeschlagenes
    Ablaufdatum. Nach einer Änderung von Taxonomie, Regelcode oder den Vorgaben einer Quelle tut es der nächste Abruf
    von selbst. Korrekturen der Mitarbeiter bleiben; freigegebene und abgelehnte Einträge behalten ihre geprüften
    Schlagworte."""
    from process.taxonomy import load_taxonomy
    from store import tags_repo
    from store.db import transaction

    taxonomy, now = load_taxonomy(), datetime.now(UTC)
    checked = changed = after = 0
    with _store(_settings()) as factory:
        with transaction(factory) as session:  # trained only when there is something to tag again
            model = None
            if tags_repo.has_retaggable(session):
                out.print("Gelernte Vorschläge: Klassifikator aus den geprüften Einträgen trainieren …")
                model = tags_repo.suggestion_model(session)
        while True:
            with transaction(factory) as session:  # a transaction per batch: staff keep working meanwhile
                done = tags_repo.retag_pending(session, taxonomy, now, model, after=after, batch=batch)
            if done.last_item_id is None:
                break
            after, checked, changed = done.last_item_id, checked + done.checked, changed + done.changed
            out.print(f"{checked} Einträge neu verschlagwortet …")
    out.print(f"{checked} Einträge der Prüfliste neu verschlagwortet, bei {changed} hat sich etwas geändert.")


def _item_json(view: Any) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "url": view.url,
        "summary": view.summary_html,
        "status": view.status,
        "published_at": view.published_at,
        "first_seen_at": view.first_seen_at,
        "sources": list(view.sources),
        "sectors": list(view.sectors),
        "topics": list(view.topics),
        "towns": list(view.towns),
        "revision_id": view.revision_id,
        "approved_revision_id": view.approved_revision_id,
    }


def _decide(action: str, ids: list[int], take_all: bool, actor: str) -> None:
    from store import items_repo
    from store.db import transaction

    if not ids and not take_all:
        raise UserError("Bitte Eintrags-IDs angeben" + (" oder --all." if action == "approve" else "."))
    with _store(_settings()) as factory, transaction(factory) as session:
        targets = items_repo.pending_ids(session) if take_all else ids
        decide = items_repo.approve if action == "approve" else items_repo.reject
        try:
            done = decide(session, targets, actor=actor, now=datetime.now(UTC))
        except items_repo.DecisionError as error:
            raise UserError(str(error)) from error
    verb = "freigegeben" if action == "approve" else "abgelehnt"
    out.print(f"{len(done)} Einträge {verb}.")
    if done:
        _announce_decision()


def _announce_decision() -> None:
    """Start publishing now, as the web UI's decisions do, when a Prefect server runs the deployments."""
    from flows.decisions import announce_decision, prefect_api_configured

    if not prefect_api_configured():
        return
    try:
        announce_decision()
    except Exception as error:  # the decision stands; publishing then waits for its schedule
        out.print(f"Hinweis: Prefect nicht benachrichtigt ({error}); veröffentlicht wird beim nächsten Termin.")


_ACTOR = typer.Option("--as", help="Wer entscheidet (für das Prüfprotokoll).")


@review_app.command("approve")
def review_approve(
    ids: Annotated[list[int] | None, typer.Argument(help="Eintrags-IDs")] = None,
    take_all: Annotated[bool, typer.Option("--all", help="Alle offenen Einträge freigeben.")] = False,
    actor: Annotated[str, _ACTOR] = "cli",
) -> None:
    """Einträge freigeben (ihre aktuelle Fassung wird veröffentlicht)."""
    _decide("approve", ids or [], take_all, actor)


@review_app.command("reject")
def review_reject(
    ids: Annotated[list[int], typer.Argument(help="Eintrags-IDs")],
    actor: Annotated[str, _ACTOR] = "cli",
) -> None:
    """Einträge ablehnen; sie kommen bei späteren Abrufen nicht wieder."""
    _decide("reject", ids, False, actor)


@app.command()
def serve() -> None:
    """Prüfoberfläche (/staff/) und öffentliche Rubrik (/) starten (RUBRIK_SERVE_HOST, RUBRIK_SERVE_PORT)."""
    import uvicorn

    from store.db import SchemaError
    from webapp import create_site, decision_announcer, tune_for_serving

    settings = _settings()
    tune_for_serving()
    try:
        site = create_site(settings, on_decision=decision_announcer())
    except SchemaError as error:
        raise UserError(str(error)) from error
    out.print(f"Prüfoberfläche: http://{settings.serve_host}:{settings.serve_port}/staff/ · Rubrik: /")
    # proxy_headers off: the staff app believes X-Forwarded-* only from RUBRIK_REVIEW_TRUSTED_PROXIES
    options: dict[str, Any] = {
        "host": settings.serve_host, "port": settings.serve_port, "proxy_headers": False, "server_header": False,
        "access_log": False,
    }  # fmt: skip
    if settings.serve_workers == 1:
        uvicorn.run(site, **options)
        return
    # several processes: uvicorn imports the app in each (sessions, CSRF tokens and the login throttle are in
    # the database; the counts cache is per process and bounded by RUBRIK_REVIEW_COUNTS_TTL)
    uvicorn.run("webapp:site_from_environment", factory=True, workers=settings.serve_workers, **options)


@app.command()
def run(
    demo: Annotated[bool, typer.Option("--demo", help="Beispielquellen von 127.0.0.1 verwenden.")] = False,
    state_dir: Annotated[Path, typer.Option(help="Ordner für Prefect-Server und Demo-Daten.")] = Path("var"),
) -> None:
    """Alles auf einem Rechner starten: lokaler Prefect-Server, Zeitpläne (Abruf, Veröffentlichung, Wartung),
    Prüfoberfläche und öffentliche Rubrik. Beenden mit Strg+C."""
    from flows.runner import RunError
    from flows.runner import run as run_all
    from sources.catalog import CatalogError

    try:
        run_all(demo=demo, var=state_dir, say=out.print)
    except (RunError, CatalogError) as error:
        raise UserError(str(error)) from error
    except KeyboardInterrupt:
        out.print("Beendet.")


@app.command()
def demo() -> None:
    """Wie `rubrik run --demo`: die ganze Kette mit Beispielquellen, ohne Internet."""
    run(demo=True, state_dir=Path("var"))


# issue 4: `rubrik users …`, `rubrik review list`
review_cli.register(app, review_app)
register_publish(app)  # rubrik publish, rubrik serve-public (publish/cli.py)
# issue 7: `rubrik directory import|expire|geocode|render`
directory_cli.register(app)

# issue 8: `rubrik entries …`, `rubrik contacts …`
entries_cli.register(app)
register_stories(app)  # issue 3: rubrik stories split|merge|canonical (review/stories_cli.py)
register_eval(app)  # issue 3: rubrik eval (bench/eval_cli.py)

if __name__ == "__main__":
    main()
