"""``rubrik eval``: the evaluation report of bench/eval.py as a command. Registered in cli.py."""

from __future__ import annotations

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
            help="Mit --labels: nur Einträge mit diesem Feld part messen (Hälften einer Menge: sauber, einstellen)."
        ),
    ] = None,
) -> None:
    """Qualität messen: P/R/F1 je Branche und Thema (dev, zurückgehaltener Test, alle), Fristen, Dubletten."""
    import cli
    from bench.eval import report, report_file
    from bench.evalset import CORPUS, LabelFileError

    if part is not None and labels is None:
        raise cli.UserError("--part gilt nur zusammen mit --labels DATEI")
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
