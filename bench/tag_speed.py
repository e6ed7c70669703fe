"""Benchmark: the two text passes that dominated tagging long texts — folding and finding deadlines (issue 3).

Every match of the tagger runs on folded text, and a long funding regulation was folded several times (recipient
section, whole-text check; since the tenth session once for both). The previous way decomposed the whole text (NFKD)
and tested every character in Python; `process.german.fold` decomposes only the distinct non-ASCII characters, each
once, with the same result. The deadline patterns ran case-blind (re.IGNORECASE) over the whole text; in the ninth
session they came to run on its lower case; in the tenth, every alternative of the trigger starts with a written-out
letter (the engine then skips positions by their first character) and a text without "außer" is not searched for an
end of force. In the eleventh, lower-case verbs ("zu unternehmen") came to be blanked before matching; their pattern
first began with a look-behind (tried at every position), now with the verb's letter. The previous ways are frozen
copies below. Runs the ways on the real texts of the evaluation set, and tags them with the previous ways and the
current ones, best of several rounds, the ways alternating, and prints times and ratios.

Usage: .venv/bin/python bench/tag_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evalset import CORPUS, load_items
from process import deadlines, german, tagging
from process.taxonomy import load_taxonomy

_UMLAUTS: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_TABLE = str.maketrans(_UMLAUTS)


def previous_fold(text: str) -> str:
    """The previous way: NFKD over the whole text, every character tested for a combining mark."""
    folded = text.lower().translate(_TABLE)
    if folded.isascii():
        return folded
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


# The deadline trigger as it was before the tenth session: the same language, its last alternatives grouped
# ("(?:verlängert|gilt|gelten)\s+…"). The date and the end-of-force patterns did not change: the module's are used.
_TRIGGER = (
    r"antragsfrist|antragsschluss|bewerbungsschluss|anmeldeschluss|einsendeschluss|einreichungsfrist|"
    r"frist\s+endet|frist\s+läuft|gültig\s+bis|befristet\s+bis|läuft\s+(?:noch\s+)?bis|endet\s+am|"
    r"außer\s+kraft|anträge?\b[^.\n]{0,60}?\bbis|anmeld\w*\b[^.\n]{0,40}?\bbis|beantragt\s+werden[^.\n]{0,20}?\bbis|"
    r"(?:verlängert|gilt|gelten)\s+(?:(?:noch|zunächst|vorerst|vorläufig|weiterhin)\s+)?bis|(?:spätestens|letztmalig)\s+(?:am|bis)"
)  # fmt: skip
_DEADLINE = rf"(?P<trigger>{_TRIGGER})[^.\n\d]{{0,40}}?{deadlines._DATE}"
_CASE_BLIND = re.compile(_DEADLINE, re.IGNORECASE), deadlines._END_OF_FORCE_ANY_CASE
_LOWER = re.compile(_DEADLINE), deadlines._END_OF_FORCE


# The lower-case verbs' pattern as first written in the eleventh session: it starts with the look-behind, so the
# engine tries it at every position of a long text (the current one starts with the verb's letter).
def lookbehind_first_verbs_re(verbs: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w/.@-])(?:" + "|".join(re.escape(v) for v in verbs) + r")(?![\w/@-])")


def previous_find_deadline(text: str) -> deadlines.Deadline | None:
    """The way before the ninth session: the case-blind patterns over the text itself."""
    return deadlines.latest_deadline(text, _CASE_BLIND[0].finditer(text), _CASE_BLIND[1].finditer(text))


def lowered_find_deadline(text: str) -> deadlines.Deadline | None:
    """The ninth session's way: the grouped patterns over the lower-cased text, every text searched for an end."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return previous_find_deadline(text)
    return deadlines.latest_deadline(text, _LOWER[0].finditer(lowered), _LOWER[1].finditer(lowered))


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
    current = [deadlines.find_deadline(t) for t in texts]
    assert current == [previous_find_deadline(t) for t in texts] == [lowered_find_deadline(t) for t in texts], (
        "Fristen weichen ab"
    )
    taxonomy = load_taxonomy()
    verbs = taxonomy.lower_case_verbs
    current_verbs_re, first_verbs_re = tagging._lower_case_verbs_re(verbs), lookbehind_first_verbs_re(verbs)
    assert all(current_verbs_re.sub("", t) == first_verbs_re.sub("", t) for t in texts), "Verben weichen ab"
    current_fold, current_deadline = german.fold, deadlines.find_deadline

    def tag_all() -> None:
        for item in items:
            tagging.tag_item(item.title, item.text, taxonomy)

    def blank_verbs() -> None:
        for item in items:
            tagging._verbs_blanked(item.title, item.text, taxonomy)

    def verbs_every_position() -> None:  # the first pattern over every text that holds a verb at all
        for item in items:
            for field_ in (item.title, item.text):
                if any(verb in field_ for verb in verbs):
                    first_verbs_re.subn(tagging._spaces, field_)

    ways = ("fold", "fold previous", "deadline", "deadline previous", "deadline lowered", "verbs", "verbs first",
            "tag", "tag previous")  # fmt: skip
    times: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(args.rounds):  # alternate the ways: the machine's load drifts
        times["fold"].append(_best(1, lambda: [current_fold(t) for t in texts]))
        times["fold previous"].append(_best(1, lambda: [previous_fold(t) for t in texts]))
        times["deadline"].append(_best(1, lambda: [current_deadline(t) for t in texts]))
        times["deadline previous"].append(_best(1, lambda: [previous_find_deadline(t) for t in texts]))
        times["deadline lowered"].append(_best(1, lambda: [lowered_find_deadline(t) for t in texts]))
        times["verbs"].append(_best(1, blank_verbs))
        times["verbs first"].append(_best(1, verbs_every_position))
        times["tag"].append(_best(1, tag_all))
        tagging.fold, tagging.find_deadline = previous_fold, previous_find_deadline  # type: ignore[attr-defined]
        try:
            times["tag previous"].append(_best(1, tag_all))
        finally:
            tagging.fold, tagging.find_deadline = current_fold, current_deadline  # type: ignore[attr-defined]
    best = {way: min(values) for way, values in times.items()}
    chars = sum(len(text) for text in texts)
    print(f"{len(items)} Texte, {chars / 1e6:.1f} Mio. Zeichen, bestes von {args.rounds} Durchgängen (CPU-Zeit)")
    for way, name in (("fold", "falten"), ("deadline", "Fristen finden")):
        now, before = best[way], best[f"{way} previous"]
        print(f"{name}: {now * 1000:.0f} ms, bisher {before * 1000:.0f} ms ({before / now:.1f}× schneller)")
    lowered = best["deadline lowered"]
    print(f"Fristen finden wie in der neunten Sitzung (Kleinschreibung, gruppierte Auslöser): {lowered * 1000:.0f} ms "
          f"({lowered / best['deadline']:.1f}× so lange wie jetzt)")  # fmt: skip
    print(f"klein geschriebene Verben ausblenden: {best['verbs'] * 1000:.1f} ms ({best['verbs'] / best['tag']:.1%} des "
          f"Verschlagwortens; mit Prüfung der Schreibung), nur das Muster mit dem Rückblick vorn "
          f"{best['verbs first'] * 1000:.1f} ms "
          f"({best['verbs first'] / best['verbs']:.1f}× so lange)")  # fmt: skip
    print(f"verschlagworten: {len(items) / best['tag']:.0f} Texte/s, auf dem bisherigen Weg "
          f"{len(items) / best['tag previous']:.0f} Texte/s ({best['tag previous'] / best['tag']:.2f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
