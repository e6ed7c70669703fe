"""Benchmark: folding German text (lower case, umlauts spelled out, accents dropped) and what it does to tagging.

Every match of the tagger runs on folded text, and a long funding regulation is folded several times (recipient
section, whole-text checks, towns). The previous way decomposed the whole text (NFKD) and tested every character in
Python; `process.german.fold` decomposes only the distinct non-ASCII characters, each once, with the same result.
Folds the real texts of the evaluation set both ways and tags them with each, best of several rounds, the ways
alternating, and prints times and ratios.

Usage: .venv/bin/python bench/fold.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalset import CORPUS, load_items
from process import german, tagging
from process.taxonomy import load_taxonomy

_UMLAUTS: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_TABLE = str.maketrans(_UMLAUTS)


def previous_fold(text: str) -> str:
    """The previous way: NFKD over the whole text, every character tested for a combining mark."""
    folded = text.lower().translate(_TABLE)
    if folded.isascii():
        return folded
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


def _best(rounds: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} fehlt: die Texte der Bewertungsmenge liegen dort")
    items = load_items(CORPUS)
    texts = [text for item in items for text in (item.title, item.text)]
    assert all(german.fold(text) == previous_fold(text) for text in texts), "fold weicht ab"
    taxonomy = load_taxonomy()
    current_fold = german.fold

    def tag_all() -> None:
        for item in items:
            tagging.tag_item(item.title, item.text, taxonomy)

    times: dict[str, list[float]] = {"fold": [], "previous": [], "tag": [], "tag previous": []}
    for _ in range(args.rounds):  # alternate the ways: the machine's load drifts
        times["fold"].append(_best(1, lambda: [current_fold(t) for t in texts]))
        times["previous"].append(_best(1, lambda: [previous_fold(t) for t in texts]))
        times["tag"].append(_best(1, tag_all))
        tagging.fold = previous_fold  # type: ignore[attr-defined]
        try:
            times["tag previous"].append(_best(1, tag_all))
        finally:
            tagging.fold = current_fold  # type: ignore[attr-defined]
    best = {way: min(values) for way, values in times.items()}
    chars = sum(len(text) for text in texts)
    print(f"{len(items)} Texte, {chars / 1e6:.1f} Mio. Zeichen, bestes von {args.rounds} Durchgängen (CPU-Zeit)")
    print(f"falten: {best['fold'] * 1000:.0f} ms, bisher {best['previous'] * 1000:.0f} ms "
          f"({best['previous'] / best['fold']:.1f}× schneller)")  # fmt: skip
    print(f"verschlagworten: {len(items) / best['tag']:.0f} Texte/s, mit dem bisherigen Falten "
          f"{len(items) / best['tag previous']:.0f} Texte/s ({best['tag previous'] / best['tag']:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
