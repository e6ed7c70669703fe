"""Benchmark: what spelling the tag reasons as the text writes them costs (issue 3).

Matching runs on folded text; the reasons staff read quote the words as written ("„Überbrückungshilfe“", not
"„ueberbrueckungshilfe“"), found again in the original text after tagging. Tags the real texts of the evaluation
set (portal pages, long funding regulations, press texts) with that step and without it (the reasons left folded,
the previous way), best of several rounds each, the two ways alternating, and prints the time per item and the ratio.

Usage: .venv/bin/python bench/tag_reasons.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalset import CORPUS, load_items
from process import tagging
from process.taxonomy import load_taxonomy


class _Folded:
    """The previous way: reasons left as matched (folded)."""

    def __init__(self, _raw: str) -> None:
        pass

    def __call__(self, reason: str) -> str:
        return reason

    def all(self, reasons: Mapping[str, str]) -> dict[str, str]:
        return dict(reasons)


def _one_round(texts: list[tuple[str, str]], spelling: type) -> float:
    taxonomy = load_taxonomy()
    as_written = tagging._AsWritten
    tagging._AsWritten = spelling  # type: ignore[assignment,misc]
    try:
        start = time.perf_counter()
        for title, text in texts:
            tagging.tag_item(title, text, taxonomy)
        return time.perf_counter() - start
    finally:
        tagging._AsWritten = as_written  # type: ignore[misc]


def best_seconds(texts: list[tuple[str, str]], rounds: int) -> tuple[float, float]:
    """Best (as written, folded) time; the two ways alternate round by round, so machine noise hits both."""
    _one_round(texts, tagging._AsWritten)  # warm the word caches once
    written, folded = float("inf"), float("inf")
    for _ in range(rounds):
        written = min(written, _one_round(texts, tagging._AsWritten))
        folded = min(folded, _one_round(texts, _Folded))
    return written, folded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"Korpus nicht gefunden: {CORPUS}")
    texts = [(item.title, item.text) for item in load_items(CORPUS)]
    chars = sum(len(text) for _, text in texts) // len(texts)
    written, folded = best_seconds(texts, args.rounds)
    per_item = (written - folded) / len(texts) * 1000
    print(f"{len(texts)} evaluation texts (mean {chars:,} characters), best of {args.rounds} rounds:")
    print(f"  reasons as written: {written * 1000 / len(texts):.2f} ms per item")
    print(f"  reasons folded (previous way): {folded * 1000 / len(texts):.2f} ms per item")
    print(f"  cost of spelling as written: {per_item:.2f} ms per item, {written / folded:.2f}x")


if __name__ == "__main__":
    main()
