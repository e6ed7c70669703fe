"""``rubrik publish`` and ``rubrik serve-public``: registered on the main app by ``cli.register_publish``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from settings import load_settings


def publish(
    force: Annotated[bool, typer.Option("--force", help="Auch ohne Änderung und trotz Schrumpfschutz.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Ergebnis als JSON ausgeben.")] = False,
) -> None:
    """Freigegebene Einträge veröffentlichen: Seite, Feeds, Widget; atomar umschalten."""
    from publish.publisher import run_publish
    from publish.release import PublishError
    from publish.validate import ValidationError
    from store.db import SchemaError

    try:
        result = run_publish(load_settings(), force=force)
    except (PublishError, ValidationError, SchemaError) as error:
        typer.echo(f"Fehler: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        sys.stdout.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
    elif result.status == "busy":
        typer.echo("Eine andere Veröffentlichung läuft gerade; sie bringt den freigegebenen Stand heraus.")
    elif result.status == "unchanged":
        typer.echo(f"Unverändert: {result.release} bleibt aktuell ({result.items} Meldungen).")
    else:
        typer.echo(f"Veröffentlicht: {result.release} ({result.items} Meldungen, {result.archived} im Archiv).")


def serve_public(
    host: Annotated[str | None, typer.Option(help="Adresse (Standard: RUBRIK_PUBLIC_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (Standard: RUBRIK_PUBLIC_PORT).")] = None,
) -> None:
    """Die aktuelle Veröffentlichung ausliefern (ETag/304, CSP, CORS für Feeds)."""
    import uvicorn

    from publish.serve import create_public_app

    settings = load_settings()
    app = create_public_app(settings)
    uvicorn.run(app, host=host or settings.public_host, port=port or settings.public_port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("serve-public")(serve_public)
