"""Print the quality of tagging (rules, suggestion classifier, deadlines) and of duplicate detection: precision,
recall and F1 per sector and topic on the dev half, the held-out test half and all of the evaluation set.

Usage: .venv/bin/python bench/eval.py [--verbose]   or   rubrik eval [--verbose]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalset import (
    CORPUS,
    HALVES,
    REVIEWED_ORIGIN,
    REVIEWED_PARTS,
    LabelFileError,
    LabelledItem,
    Scores,
    bootstrap_f1,
    compare_labels,
    evaluate_classifier,
    evaluate_deadlines,
    evaluate_pairs,
    evaluate_rules,
    load_items,
    load_labelled_file,
    load_pairs,
    load_second_annotation,
    misses,
    relabelled,
    reviewed_labelled,
    rule_tags,
)
from process.taxonomy import Taxonomy, load_taxonomy

# The quality floors hold for the rubric's kind of texts; web pages from elsewhere are measured on their own.
GROUP_TITLES = {
    "rubrik": "Texte der Art der Rubrik-Quellen (Untergrenzen)",
    "pages": "Webseiten anderer Herkunft",
    None: "zusammen",
}
AXIS_NAMES = {"not_relevant": "nicht relevant"}
CLASSIFIER_MIN_ITEMS = 20  # fewer reviewed items: five folds of four or fewer say nothing


def line(name: str, s: Scores) -> str:
    return f"  {name:34} P {s.precision:5.2f}  R {s.recall:5.2f}  F1 {s.f1:5.2f}   (tp {s.tp}, fp {s.fp}, fn {s.fn})"


def report(corpus: Path = CORPUS, *, verbose: bool = False, classifier: bool = True,
           out: Callable[[str], None] = print) -> None:  # fmt: skip
    items = load_items(corpus)
    halves = {half: [i for i in items if i.half == half] for half in HALVES}
    out(f"Bewertungsmenge: {len(items)} Einträge (dev {len(halves['dev'])}, Test zurückgehalten {len(halves['test'])})")
    scored = {"alle": evaluate_rules(items)}
    _slug_tables(scored["alle"], "Regeln, alle Einträge", out)
    for group, title in GROUP_TITLES.items():
        chosen = [i for i in items if group is None or i.group == group]
        out(f"\nmicro-F1 nach Hälfte (Regeln), {title} ({len(chosen)} Einträge):")
        for half in (*HALVES, "alle"):
            rules = evaluate_rules([i for i in chosen if half == "alle" or i.half == half])
            out(line(f"{half}: sectors", rules["sectors"]["micro"]))
            out(line(f"{half}: topics", rules["topics"]["micro"]))
            out(line(f"{half}: nicht relevant", rules["not_relevant"]["micro"]))
    held_out = [i for i in items if i.group == "rubrik" and i.half == "test"]
    _intervals(held_out, evaluate_rules(held_out), f", Testhälfte der Rubrik-Texte ({len(held_out)})", out)
    _second_annotation([i for i in items if i.group == "rubrik"], out)
    out("\nOrte (Regeln):\n" + line("micro", scored["alle"]["towns"]["micro"]))
    dated = [i for i in items if i.expiry_labelled]
    out(f"\nFristen (vorgeschlagenes Ablaufdatum, richtig = derselbe Tag), {len(dated)} Einträge mit Label "
        f"({sum(i.expires is not None for i in dated)} mit Datum):")  # fmt: skip
    for half in (*HALVES, "alle"):
        out(line(half, evaluate_deadlines([i for i in dated if half == "alle" or i.half == half])))
    if classifier:
        out("\nVorschläge (logistische Regression, 5-fach kreuzvalidiert) gegen Regeln, micro:")
        for axis, by_kind in evaluate_classifier(items).items():
            for kind, scores in by_kind.items():
                out(line(f"{axis} {kind}", scores))
    pairs = load_pairs(corpus)
    out(f"\nDubletten: {len(pairs)} Paare")
    for kind, scores in evaluate_pairs(pairs).items():
        out(line(kind, scores))
    if verbose:
        out("\n".join(misses(pairs)))


def report_file(
    path: Path, *, verbose: bool = False, part: str | None = None, out: Callable[[str], None] = print
) -> None:
    """The rules' quality on a labelled file of one's own (``load_labelled_file``): P/R/F1 per sector and topic,
    "nicht relevant", towns where labelled, a 95 % interval; ``part``: only the entries of that half of a set;
    ``verbose`` lists each item the rules got wrong."""
    items = load_labelled_file(path, load_taxonomy(), part=part)
    which = f", part „{part}“" if part is not None else ""
    _report_labelled(items, f"Gelabelte Datei {path}{which}", verbose=verbose, out=out)


def report_reviewed(
    entries: list[dict[str, Any]], *, verbose: bool = False, part: str | None = None, classifier: bool = True,
    out: Callable[[str], None] = print,
) -> None:  # fmt: skip
    """The rules' quality on what staff reviewed (``reviewed_entries``): as ``report_file``, then the same per part
    — "korrigiert": items whose tags staff changed (where the rules were wrong when the item was tagged; after a
    rules update it shows what the update mended), "freigegeben": approved as tagged (the rules of then agreed) —
    and the suggestion classifier against the rules, cross-validated on these items."""
    items, left_out = reviewed_labelled(entries, load_taxonomy(), part=part)
    which = f", part „{part}“" if part is not None else ""
    if left_out:
        out(f"Nicht gezählt, mit Schlagworten, die die Taxonomie nicht mehr kennt: {', '.join(left_out)}")
    if not items:
        raise LabelFileError(f"{REVIEWED_ORIGIN}: keine Einträge" + (f" mit part „{part}“" if part else ""))
    _report_labelled(items, f"Von Mitarbeitern geprüfte Einträge{which}", verbose=verbose, out=out)
    kinds = {e["id"]: e["part"] for e in entries}
    out("\nmicro-F1 nach Art der Prüfung (Regeln):")
    for kind in REVIEWED_PARTS.values():
        chosen = [i for i in items if kinds[i.id] == kind]
        if not chosen:
            out(f"  {kind}: keine")
            continue
        scored = evaluate_rules(chosen)
        for axis in ("sectors", "topics", "not_relevant"):
            out(line(f"{kind} ({len(chosen)}): {AXIS_NAMES.get(axis, axis)}", scored[axis]["micro"]))
    if not classifier:
        return
    if len(items) < CLASSIFIER_MIN_ITEMS:
        out(f"\nVorschläge: erst ab {CLASSIFIER_MIN_ITEMS} geprüften Einträgen gemessen (jetzt {len(items)}).")
        return
    out("\nVorschläge (logistische Regression, 5-fach kreuzvalidiert) gegen Regeln, micro:")
    for axis, by_kind in evaluate_classifier(items).items():
        for kind, scores in by_kind.items():
            out(line(f"{axis} {kind}", scores))


def _report_labelled(items: list[LabelledItem], heading: str, *, verbose: bool, out: Callable[[str], None]) -> None:
    taxonomy = load_taxonomy()
    scored = evaluate_rules(items, taxonomy)
    out(f"{heading}: {len(items)} Einträge ({sum(not i.relevant for i in items)} nicht relevant)")
    _slug_tables(scored, "Regeln", out)
    out("\n" + line("nicht relevant", scored["not_relevant"]["micro"]))
    if any(i.towns is not None for i in items):
        out(line("Orte", scored["towns"]["micro"]))
    _intervals(items, scored, "", out, taxonomy)
    if verbose:
        out("\nAbweichungen (Label → Regeln):")
        for item in items:
            tags = rule_tags(item, taxonomy)
            found = {"sectors": frozenset(tags.sectors), "topics": frozenset(tags.topics)}
            wrong = [f"{axis} {sorted(getattr(item, axis))} → {sorted(found[axis])}"
                     for axis in found if getattr(item, axis) != found[axis]]  # fmt: skip
            if item.relevant != tags.relevant:
                wrong.append(f"relevant {item.relevant} → {tags.relevant} ({tags.relevance_reason})")
            if wrong:
                out(f"  {item.id} „{item.title[:70]}“: " + "; ".join(wrong))


def _second_annotation(items: list[LabelledItem], out: Callable[[str], None]) -> None:
    """How far two annotators agree (the second against the first labels), and the rules against the adjudicated
    labels (tests/fixtures/eval/second_annotation.yaml), per half of the texts of the rubric's kind — those it holds:
    a text added to the set later is measured against its first labels only, until it is annotated again."""
    taxonomy = load_taxonomy()
    items = [i for i in items if i.id in load_second_annotation()]
    out(f"\nZweite Annotation ({len(items)} Texte der Rubrik-Art, blind gelabelt, Abweichungen blind abgestimmt):")
    for half in (*HALVES, "alle"):
        chosen = [i for i in items if half == "alle" or i.half == half]
        agree = compare_labels(list(zip(chosen, relabelled(chosen, "second"), strict=True)), taxonomy)
        adjudicated = evaluate_rules(relabelled(chosen, "adjudicated"), taxonomy)
        for axis in ("sectors", "topics"):
            out(line(f"{half}: 2./1. Annotation {axis}", agree[axis]["micro"]))
        for axis in ("sectors", "topics", "not_relevant"):
            out(line(f"{half}: abgestimmt {AXIS_NAMES.get(axis, axis)}", adjudicated[axis]["micro"]))


def _slug_tables(scored: dict[str, dict[str, Scores]], heading: str, out: Callable[[str], None]) -> None:
    """P/R/F1 per sector and per topic, then micro, each axis under its heading."""
    for axis in ("sectors", "topics"):
        out(f"\n{axis} ({heading}):")
        for slug, scores in scored[axis].items():
            out(line(slug, scores))


def _intervals(
    items: list[LabelledItem], scored: dict[str, dict[str, Scores]], which: str, out: Callable[[str], None],
    taxonomy: Taxonomy | None = None,
) -> None:  # fmt: skip
    """The micro-F1 of sectors and topics with its 95 % bootstrap interval over ``items``."""
    out(f"\n95-%-Intervalle (Bootstrap über Einträge, 1000 Ziehungen){which}:")
    for axis in ("sectors", "topics"):
        low, high = bootstrap_f1(items, axis, taxonomy=taxonomy)
        out(f"  {axis:34} F1 {scored[axis]['micro'].f1:5.2f}   [{low:.2f} – {high:.2f}]")


if __name__ == "__main__":
    report(verbose="--verbose" in sys.argv)
