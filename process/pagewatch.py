"""Watched pages: is a new version's main text a material change, and what is the diff.

Material means more than whitespace, case, punctuation, or boilerplate that changes by itself ("Stand:
12. März 2021" lines, copyright years, visitor counters). Other dates are NOT ignored: a moved application
deadline is exactly the change staff must see. What is left must differ by at
least ``MIN_CHANGED_WORDS`` words or ``MIN_CHANGED_SHARE`` of the words — a new paragraph counts, a
one-word fix in a long page does not, a changed amount in a short notice does.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

MIN_CHANGED_WORDS = 5
MIN_CHANGED_SHARE = 0.01
_NOISE = (
    re.compile(r"\b(?:stand|zuletzt (?:aktualisiert|geändert)|aktualisiert(?: am)?|letzte änderung)\s*:?\s*"
               r"[^\n]{0,40}?\d{4}(?:,?\s*\d{1,2}[:.]\d{2}(?:\s*uhr)?)?"),
    re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]\s*)?\d{4}"),
    re.compile(r"(?:besucher|aufrufe|zugriffe|views|visitors)\s*:?\s*[\d.]+"),
)  # fmt: skip
_WORD = re.compile(r"\w+")
# Sentence ends, but not after "12." (ordinal day) or a one-letter abbreviation ("z. B.").
_SENTENCE_END = re.compile(r"(?<![\d\s]\.)(?<!\b\w\.)(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])")


def material_words(text: str) -> list[str]:
    """The words that count: case-folded, punctuation and self-changing boilerplate removed."""
    text = unicodedata.normalize("NFC", text).casefold()
    for pattern in _NOISE:
        text = pattern.sub(" ", text)
    return _WORD.findall(text)


def changed_word_count(old: str, new: str) -> tuple[int, int]:
    """(words changed, words in the longer version) between the material words of two texts."""
    a, b = material_words(old), material_words(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
    return changed, max(len(a), len(b))


def main_text_changed(old: str, new: str) -> bool:
    """True when ``new`` differs materially from ``old`` (see module docstring)."""
    changed, total = changed_word_count(old, new)
    if changed == 0:
        return False
    return changed >= MIN_CHANGED_WORDS or changed / max(total, 1) >= MIN_CHANGED_SHARE


def text_lines(text: str) -> list[str]:
    """Lines for diffing: one per sentence, so a changed word shows one sentence, not a paragraph."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        paragraph = " ".join(paragraph.split())
        if paragraph:
            lines.extend(_SENTENCE_END.split(paragraph))
    return lines


def text_diff(old: str, new: str, *, max_lines: int = 200) -> str:
    """A plain-text unified diff (by sentence) from ``old`` to ``new``, capped at ``max_lines`` lines."""
    diff = list(difflib.unified_diff(text_lines(old), text_lines(new), "vorher", "nachher", n=1, lineterm=""))
    if len(diff) > max_lines:
        hidden = len(diff) - max_lines
        diff = [*diff[:max_lines], f"… ({hidden} weitere Zeilen)"]
    return "\n".join(diff)
