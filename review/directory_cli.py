"""``rubrik directory …``: import the existing list, expire old entries, geocode, render the public directory."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

directory_app = typer.Typer(help="Kauf regional: Verzeichnis der lokalen Angebote.", no_args_is_help=True)


def _cli() -> Any:
    import cli

    return cli


def _guarded(run: Any) -> Any:
    from process.directory_import import ImportFormatError
    from store.db import SchemaError

    cli = _cli()
    try:
        return run()
    except (SchemaError, ImportFormatError, OSError) as error:
        raise cli.UserError(str(error)) from error


@directory_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV- oder XLSX-Datei")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="nur prüfen, nichts speichern")] = False,
    approve: Annotated[bool, typer.Option("--approve", help="gleich freigeben statt zur Prüfung")] = False,
) -> None:
    """Die bestehende Liste einlesen; abgelehnte Zeilen werden mit Zeilennummer und Grund gemeldet."""
    from process.directory_import import format_report
    from review.directory_ops import import_file

    settings = _cli()._settings()
    result = _guarded(lambda: import_file(settings, file, dry_run=dry_run, approve=approve))
    for line in format_report(result.report):
        sys.stdout.write(line + "\n")
    if dry_run:
        sys.stdout.write("Probelauf: nichts gespeichert.\n")
    else:
        sys.stdout.write(f"{result.created} Einträge angelegt, {result.geocoded} Adressen verortet.\n")


@directory_app.command("expire")
def expire_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Nachfragen „Ist Ihr Angebot noch aktuell?“ versenden und abgelaufene Einträge aus dem Verzeichnis nehmen."""
    from review.directory_ops import expire_directory

    settings = _cli()._settings()
    report = _guarded(lambda: expire_directory(settings))
    summary = {"reminded": report.reminded, "expired": report.expired, "mail_failures": report.mail_failures}
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(
        f"{len(report.reminded)} Nachfragen versandt, {len(report.expired)} Einträge abgelaufen, "
        f"{len(report.mail_failures)} E-Mails nicht zugestellt.\n"
    )


@directory_app.command("geocode")
def geocode_command() -> None:
    """Koordinaten für Adressen ohne Koordinaten beim eingestellten Geocoder (RUBRIK_GEOCODER_URL) erfragen."""
    from review.directory_ops import geocode_missing

    settings = _cli()._settings()
    if not settings.geocoder_url:
        raise _cli().UserError("Kein Geocoder eingestellt (RUBRIK_GEOCODER_URL); es wird nichts gesendet.")
    sys.stdout.write(f"{_guarded(lambda: geocode_missing(settings))} Adressen verortet.\n")


@directory_app.command("render")
def render_command(out_dir: Annotated[Path, typer.Argument(help="Zielordner (darin entsteht kauf-regional/)")]) -> None:
    """Das öffentliche Verzeichnis als statische Seiten schreiben (die Veröffentlichung ruft dasselbe auf)."""
    from publish.directory import publish_directory

    settings = _cli()._settings()
    files = _guarded(lambda: publish_directory(settings, out_dir, datetime.now(UTC)))
    sys.stdout.write(f"{len(files)} Dateien in {out_dir / 'kauf-regional'} geschrieben.\n")


def register(app: typer.Typer) -> None:
    app.add_typer(directory_app, name="directory")
