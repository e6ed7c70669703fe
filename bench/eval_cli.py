"""``rubrik eval``: the evaluation report of bench/eval.py as a command. Registered in cli.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


def evaluate(
    corpus: Annotated[Path | None, typer.Option(help="Korpusordner (Standard: ../shared/corpus)")] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Verfehlte Dublettenpaare (mit --labels: Abweichungen) einzeln zeigen.")
    ] = False,
    classifier: Annotated[bool, typer.Option(help="Vorschlags-Klassifikator kreuzvalidieren (langsamer).")] = True,
    labels: Annotated[
        Path | None,
        typer.Option(help="Eigene gelabelte Einträge (JSON Lines oder JSON-Liste) statt der Bewertungsmenge messen."),
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            help="Mit --labels: nur Einträge mit diesem Feld part messen (Hälften einer Menge: sauber, einstellen); "
            "mit --reviewed: korrigiert oder freigegeben."
        ),
    ] = None,
    reviewed: Annotated[
        bool,
        typer.Option(
            "--reviewed",
            help="Die von Mitarbeitern geprüften Einträge der Datenbank messen (korrigierte Schlagworte und "
            "unverändert freigegebene) statt der Bewertungsmenge.",
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Mit --reviewed: höchstens so viele, die zuletzt geprüften zuerst (Standard: so viele, wie der "
            "Klassifikator lernt).",
        ),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Mit --reviewed: die geprüften Einträge außerdem als JSON Lines in diese Datei schreiben "
            "(Format von --labels), um später dieselbe Menge wieder zu messen."
        ),
    ] = None,
) -> None:
    """Qualität messen: P/R/F1 je Branche und Thema (dev, zurückgehaltener Test, alle), Fristen, Dubletten."""
    import cli
    from bench.eval import report, report_file
    from bench.evalset import CORPUS, LabelFileError

    if reviewed and labels is not None:
        raise cli.UserError("--reviewed und --labels schließen einander aus")
    if (export is not None or limit is not None) and not reviewed:
        raise cli.UserError("--export und --limit gelten nur zusammen mit --reviewed")
    if part is not None and labels is None and not reviewed:
        raise cli.UserError("--part gilt nur zusammen mit --labels DATEI oder --reviewed")
    if reviewed:
        _report_reviewed(verbose=verbose, part=part, classifier=classifier, export=export, limit=limit)
        return
    if labels is not None:
        try:
            report_file(labels, verbose=verbose, part=part)
        except LabelFileError as exc:
            raise cli.UserError(str(exc)) from exc
        return
    folder = corpus or CORPUS
    if not folder.is_dir():
        raise cli.UserError(f"Korpus nicht gefunden: {folder}")
    report(folder, verbose=verbose, classifier=classifier)


def _report_reviewed(
    *, verbose: bool, part: str | None, classifier: bool, export: Path | None, limit: int | None
) -> None:
    """``rubrik eval --reviewed``: read what staff reviewed from the configured database, write it to ``export``
    when asked, and print the rules' quality on it."""
    import cli
    from bench.eval import report_reviewed
    from bench.evalset import REVIEWED_PARTS, LabelFileError, reviewed_entries
    from store import tags_repo
    from store.db import transaction

    if part is not None and part not in REVIEWED_PARTS.values():
        raise cli.UserError(f"--part mit --reviewed: {' oder '.join(REVIEWED_PARTS.values())}, nicht „{part}“")
    with cli._store(cli._settings()) as factory, transaction(factory) as session:
        found = tags_repo.reviewed_items(session, limit or tags_repo.TRAINING_ITEMS)
        entries = reviewed_entries(found, tags_repo.source_hints(session, [r.source_id for r in found]))
    if not entries:
        raise cli.UserError(
            "Noch keine geprüften Einträge: gemessen wird, was Mitarbeiter freigegeben oder deren Schlagworte sie "
            "korrigiert haben."
        )
    if export is not None:
        lines = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
        try:
            export.write_text(lines, encoding="utf-8")
        except OSError as exc:
            raise cli.UserError(f"{export}: nicht schreibbar ({exc.strerror or exc})") from exc
        cli.err.print(f"{len(entries)} geprüfte Einträge nach {export} geschrieben.")
    cli.err.print(f"Verschlagworte {len(entries)} geprüfte Einträge mit den Regeln von heute …")
    try:
        report_reviewed(entries, verbose=verbose, part=part, classifier=classifier)
    except LabelFileError as exc:  # a tag that is no longer in the taxonomy, say
        raise cli.UserError(str(exc)) from exc
