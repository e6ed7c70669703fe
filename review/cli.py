"""CLI doors of the review: ``rubrik users add|disable|list``, ``rubrik review list``, ``rubrik serve``.

Registered in cli.py; uses cli.py's helpers lazily (settings, store, output) so there is one way to fail.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

users_app = typer.Typer(help="Benutzer der Prüfoberfläche verwalten.", no_args_is_help=True)


def _cli() -> Any:
    import cli

    return cli


def read_password(from_stdin: bool) -> str:
    """The new password: from the first line of stdin (scripts) or typed twice at a hidden prompt."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen"))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Benutzername")],
    role: Annotated[str, typer.Option("--role", help="reviewer oder admin")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Passwort aus der Standardeingabe.")] = False,
) -> None:
    """Benutzer anlegen (Passwort per Eingabeaufforderung oder Standardeingabe)."""
    from review.passwords import PasswordRejected, check_policy, hash_password
    from store import users_repo
    from store.db import transaction

    cli = _cli()
    settings = cli._settings()
    name = name.strip()
    if not name or len(name) > 100:
        raise cli.UserError("Der Benutzername muss 1 bis 100 Zeichen lang sein.")
    password = read_password(password_stdin)
    try:
        check_policy(password, min_length=settings.review_password_min_length, user_name=name)
    except PasswordRejected as error:
        raise cli.UserError(str(error)) from error
    with cli._store(settings) as factory, transaction(factory) as session:
        try:
            users_repo.add_user(session, name, hash_password(password), role, datetime.now(UTC))
        except users_repo.UserError as error:
            raise cli.UserError(str(error)) from error
    cli.out.print(f"Benutzer {name} ({role}) angelegt.")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Benutzername")]) -> None:
    """Benutzer sperren; seine Sitzungen enden sofort."""
    from store import users_repo
    from store.db import transaction

    cli = _cli()
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        try:
            users_repo.set_disabled(session, name, True)
        except users_repo.UserError as error:
            raise cli.UserError(str(error)) from error
    cli.out.print(f"Benutzer {name} gesperrt; offene Sitzungen beendet.")


@users_app.command("list")
def users_list() -> None:
    """Benutzer mit Rolle und Zustand auflisten."""
    from store import users_repo
    from store.db import transaction

    cli = _cli()
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        users = users_repo.list_users(session)
    for user in users:
        cli.out.print(f"{user.name}\t{user.role}\t{'gesperrt' if user.disabled else 'aktiv'}")


def review_list(
    as_json: Annotated[
        bool, typer.Option("--json", help="Als JSON ausgeben (wie `rubrik items list --json`).")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Höchstens so viele Einträge.")] = None,
) -> None:
    """Offene Einträge auflisten, neueste zuerst."""
    from store import items_repo
    from store.db import transaction

    cli = _cli()
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        views = items_repo.list_items(session, status="pending", limit=limit)
    if as_json:
        cli._dump([cli._item_json(view) for view in views])
        return
    for view in views:
        cli.out.print(f"{view.id}\t{view.first_seen_at:%d.%m.%Y %H:%M}\t{', '.join(view.sources)}\t{view.title}")
    cli.out.print(f"{len(views)} offene Einträge.")


def register(app: typer.Typer, review_app: typer.Typer) -> None:
    """Hook the review commands into the ``rubrik`` command (one call in cli.py)."""
    app.add_typer(users_app, name="users")
    review_app.command("list")(review_list)
