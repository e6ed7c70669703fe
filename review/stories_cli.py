"""CLI of staff corrections of stories: ``rubrik stories split ITEM``, ``merge STORY STORY``, ``canonical STORY ITEM``
(store/stories_repo.py; every change is audited). Registered in cli.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

stories_app = typer.Typer(help="Geschichten (Dubletten über Quellen hinweg) korrigieren.", no_args_is_help=True)
_ACTOR = typer.Option("--as", help="Wer korrigiert (für das Prüfprotokoll).")


def register(app: typer.Typer) -> None:
    app.add_typer(stories_app, name="stories")


def _run(change: Callable[[Any, Any], str]) -> None:
    """Run ``change(session, taxonomy)`` in one transaction; a refused change is a user error."""
    import cli
    from process.taxonomy import load_taxonomy
    from store.db import transaction
    from store.items_repo import DecisionError

    with cli._store(cli._settings()) as factory:
        try:
            with transaction(factory) as session:
                message = change(session, load_taxonomy())
        except DecisionError as error:
            raise cli.UserError(str(error)) from error
    cli.out.print(message)


@stories_app.command("split")
def split(
    items: Annotated[list[int], typer.Argument(help="Eintrags-IDs, die eine eigene Geschichte bilden")],
    actor: Annotated[str, _ACTOR] = "cli",
) -> None:
    """Einträge aus ihrer Geschichte lösen (falsch zusammengeführt); sie bilden eine neue Geschichte."""
    from store import stories_repo

    def change(session: Any, taxonomy: Any) -> str:
        new = stories_repo.split_story(session, items, priority=taxonomy.priority, actor=actor, now=datetime.now(UTC))
        return f"Eintrag {', '.join(map(str, items))} bildet jetzt Geschichte {new}."

    _run(change)


@stories_app.command("merge")
def merge(
    stories: Annotated[list[int], typer.Argument(help="Geschichten-IDs; alle gehen in der ersten auf")],
    actor: Annotated[str, _ACTOR] = "cli",
) -> None:
    """Geschichten zusammenführen (dieselbe Nachricht); nichts wird gelöscht."""
    from store import stories_repo
    from store.items_repo import DecisionError

    def change(session: Any, taxonomy: Any) -> str:
        if len(set(stories)) < 2:
            raise DecisionError("Bitte mindestens zwei verschiedene Geschichten angeben.")
        target = stories_repo.merge_stories(session, stories, priority=taxonomy.priority, actor=actor,
                                            now=datetime.now(UTC))  # fmt: skip
        return f"Geschichten {', '.join(map(str, stories))} sind jetzt Geschichte {target}."

    _run(change)


@stories_app.command("canonical")
def canonical(
    story: Annotated[int, typer.Argument(help="Geschichten-ID")],
    item: Annotated[int, typer.Argument(help="Eintrag, dessen Text die Geschichte vertritt")],
    actor: Annotated[str, _ACTOR] = "cli",
) -> None:
    """Den maßgeblichen Text einer Geschichte festlegen (statt der Regel: Ministerium vor Nachdruck)."""
    from store import stories_repo
    from store.items_repo import DecisionError

    def change(session: Any, taxonomy: Any) -> str:
        found = stories_repo.stories_of(session, [item]).get(item)
        if found is None or found.story_id != story:
            raise DecisionError(f"Eintrag {item} gehört nicht zu Geschichte {story}.")
        stories_repo.set_canonical(session, item, actor=actor, now=datetime.now(UTC))
        return f"Geschichte {story}: maßgeblich ist jetzt Eintrag {item}."

    _run(change)


@stories_app.command("rekey")
def rekey(batch: Annotated[int, typer.Option(help="Einträge je Transaktion")] = 500) -> None:
    """Fassungen nachträglich verknüpfen: Einträge, die vor dem Schlüssel „amtlicher Titel“ gespeichert wurden,
    bekommen ihn, und ihre Geschichten werden mit gefundenen anderen Fassungen verknüpft (sonst unverändert)."""
    import cli
    from store import stories_repo
    from store.db import transaction

    checked = keyed = linked = 0
    after = 0
    with cli._store(cli._settings()) as factory:
        while True:
            with transaction(factory) as session:  # a transaction per batch: staff keep working meanwhile
                done = stories_repo.add_title_keys(session, datetime.now(UTC), after=after, batch=batch)
            if done.last_item_id is None:
                break
            after = done.last_item_id
            checked, keyed, linked = checked + done.checked, keyed + done.keyed, linked + done.linked
            cli.out.print(f"{checked} Einträge geprüft …")
    cli.out.print(f"{checked} Einträge geprüft, {keyed} Titelschlüssel ergänzt, {linked} Fassungen neu verknüpft.")
