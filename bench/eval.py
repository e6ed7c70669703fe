"""Print the quality of tagging (rules and suggestion classifier) and of duplicate detection.

Usage: .venv/bin/python bench/eval.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import CORPUS
from tests.process.evalset import (
    Scores,
    evaluate_classifier,
    evaluate_pairs,
    evaluate_rules,
    load_items,
    load_pairs,
    misses,
)


def line(name: str, s: Scores) -> str:
    return f"  {name:34} P {s.precision:5.2f}  R {s.recall:5.2f}  F1 {s.f1:5.2f}   (tp {s.tp}, fp {s.fp}, fn {s.fn})"


def main() -> None:
    items = load_items(CORPUS)
    print(f"Bewertungsmenge: {len(items)} Einträge")
    rules = evaluate_rules(items)
    for axis in ("sectors", "topics"):
        print(f"\n{axis} (Regeln):")
        for slug, scores in rules[axis].items():
            print(line(slug, scores))
    print("\nOrte (Regeln):\n" + line("micro", rules["towns"]["micro"]))
    print("nicht relevant (Regeln):\n" + line("nicht relevant", rules["not_relevant"]["micro"]))
    print("\nVorschläge (naive Bayes, 5-fach kreuzvalidiert) gegen Regeln allein, micro:")
    for axis, scores in evaluate_classifier(items).items():
        print(line(f"{axis} Klassifikator", scores))
        print(line(f"{axis} Regeln", rules[axis]["micro"]))
    pairs = load_pairs(CORPUS)
    print(f"\nDubletten: {len(pairs)} Paare")
    for kind, scores in evaluate_pairs(pairs).items():
        print(line(kind, scores))
    if "--verbose" in sys.argv:
        print("\n".join(misses(pairs)))


if __name__ == "__main__":
    main()
