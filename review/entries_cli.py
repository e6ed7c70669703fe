"""CLI doors for what staff write (issue 8): ``rubrik entries add|list``, ``rubrik contacts import|list``.

Registered in cli.py; uses cli.py's helpers lazily (settings, store, output) so there is one way to fail.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

entries_app = typer.Typer(help="Eigene Einträge und Angebote der Kommunen.", no_args_is_help=True)
contacts_app = typer.Typer(help="Kontaktblock und „Wichtige Kontakte“.", no_args_is_help=True)


def _cli() -> Any:
    import cli

    return cli


@entries_app.command("add")
def entries_add(
    title: Annotated[str, typer.Option("--title", help="Titel (reiner Text)")],
    text: Annotated[str, typer.Option("--text", help="Text: Absätze, „- “-Listen, **fett**, *kursiv*, [Link](url)")],
    topic: Annotated[list[str], typer.Option("--topic", help="Thema (mehrfach möglich)")],
    town: Annotated[list[str] | None, typer.Option("--town", help="Ort (mehrfach möglich)")] = None,
    sector: Annotated[list[str] | None, typer.Option("--sector", help="Branche (mehrfach möglich)")] = None,
    link: Annotated[list[str] | None, typer.Option("--link", help="„Beschriftung | https://…“ (mehrfach)")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until", help="JJJJ-MM-TT")] = None,
    section: Annotated[str, typer.Option("--section", help="redaktion oder kommunale-angebote")] = "redaktion",
    publish: Annotated[bool, typer.Option("--publish", help="Direkt veröffentlichen (nur für Admins).")] = False,
    actor: Annotated[str, typer.Option("--as", help="Wer schreibt (für das Prüfprotokoll).")] = "cli",
) -> None:
    """Eigenen Eintrag anlegen; er kommt in die Prüfliste (mit --publish und einem Admin als --as: sofort)."""
    from process.entries import DraftError, EntryDraft, Link, check_draft
    from review.views_entries import VOCABULARY
    from store import entries_repo, users_repo
    from store.db import transaction

    cli = _cli()
    links = tuple(_link(value) for value in link or [])
    try:
        until = date.fromisoformat(valid_until) if valid_until else None
        draft = EntryDraft(
            title=title, text=text, section=section, topics=tuple(topic), sectors=tuple(sector or ()),
            towns=tuple(town or ()), links=tuple(Link(*pair) for pair in links), valid_until=until,
        )  # fmt: skip
        draft = check_draft(draft, VOCABULARY, today=datetime.now(UTC).date())
    except ValueError as error:
        problems = error.problems if isinstance(error, DraftError) else ("--valid-until bitte als JJJJ-MM-TT.",)
        raise cli.UserError(" ".join(problems)) from error
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        user = users_repo.find_user(session, actor)
        if publish and (user is None or user.role != "admin" or user.disabled):
            raise cli.UserError(f"--publish nur mit einem aktiven Admin als --as ({actor!r} ist keiner).")
        item_id = entries_repo.create_entry(session, draft, actor=actor, now=datetime.now(UTC), publish=publish)
    cli.out.print(
        f"Eintrag {item_id} angelegt" + (" und veröffentlicht." if publish else "; er steht in der Prüfliste.")
    )


def _link(value: str) -> tuple[str, str]:
    label, sep, url = value.rpartition("|")
    return (label.strip(), url.strip()) if sep else ("", value.strip())


@entries_app.command("list")
def entries_list(
    section: Annotated[str | None, typer.Option(help="redaktion oder kommunale-angebote")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Eigene Einträge auflisten, neueste zuerst."""
    from store import entries_repo
    from store.db import transaction

    cli = _cli()
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        entries = entries_repo.list_entries(session, section=section)
    if as_json:
        cli._dump([
            {"id": e.item_id, "section": e.section, "status": e.status, "title": e.title, "towns": list(e.towns),
             "topics": list(e.topics), "sectors": list(e.sectors), "valid_until": e.valid_until.isoformat()
             if e.valid_until else None, "links": [{"label": link.label, "url": link.url} for link in e.links]}
            for e in entries
        ])  # fmt: skip
        return
    for e in entries:
        cli.out.print(f"{e.item_id}\t{e.section}\t{e.status}\t{', '.join(e.towns)}\t{e.title}")


@contacts_app.command("import")
def contacts_import(
    path: Annotated[Path, typer.Argument(help="CSV mit Kopfzeile: section,institution,topic,phone,email,web,…")],
    replace: Annotated[bool, typer.Option("--replace", help="Bereiche der Datei vorher leeren.")] = False,
    actor: Annotated[str, typer.Option("--as", help="Wer importiert (Protokoll).")] = "cli",
) -> None:
    """Kontakte aus einer CSV-Datei einlesen (UTF-8, Komma oder Semikolon); erst alles prüfen, dann speichern."""
    from process.contacts import ContactProblems, check_contact
    from store import contacts_repo
    from store.db import transaction

    cli = _cli()
    rows, problems = [], []
    for number, raw in _read_csv(path, cli):
        try:
            rows.append(check_contact(raw))
        except ContactProblems as error:
            problems += [f"Zeile {number}: {problem}" for problem in error.problems]
    if problems:
        raise cli.UserError("Nichts importiert.\n" + "\n".join(problems))
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        counts = contacts_repo.import_contacts(session, rows, actor=actor, now=datetime.now(UTC), replace=replace)
    cli.out.print(f"Kontakte: {counts['added']} neu, {counts['updated']} geändert, {counts['removed']} entfernt.")


def _read_csv(path: Path, cli: Any) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise cli.UserError(f"{path}: nicht lesbar ({error}).") from error
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    if not reader.fieldnames or "institution" not in reader.fieldnames:
        raise cli.UserError(f"{path}: Kopfzeile mit mindestens „institution“ erwartet.")
    return [(number, {k: v or "" for k, v in row.items() if k}) for number, row in enumerate(reader, start=2)]


@contacts_app.command("list")
def contacts_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Kontakte auflisten (Kontaktblock, dann „Wichtige Kontakte“)."""
    from dataclasses import asdict

    from store import contacts_repo
    from store.db import transaction

    cli = _cli()
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        stored = contacts_repo.list_contacts(session)
    if as_json:
        cli._dump([{"id": s.id, **asdict(s.contact)} for s in stored])
        return
    for s in stored:
        c = s.contact
        cli.out.print(f"{s.id}\t{c.section}\t{c.institution}\t{c.topic}\t{c.phone}\t{c.email}\t{c.web}\t{c.hours}")


def register(app: typer.Typer) -> None:
    app.add_typer(entries_app, name="entries")
    app.add_typer(contacts_app, name="contacts")
