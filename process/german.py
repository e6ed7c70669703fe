"""German-aware text primitives shared by tagging, the classifier and dedupe: folding, words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
# Hyphens inside words are kept ("Online-Shop", "3G-Regel"); a trailing hyphen ("Industrie- und …") is not.
_WORD = re.compile(r"[a-z0-9§]+(?:-[a-z0-9]+)*")
_STEMMER = snowballstemmer.stemmer("german")


def fold(text: str) -> str:
    """Lower case with umlauts spelled out and other accents dropped: "Überbrückungshilfe" → "ueberbrueckungshilfe"."""
    folded = text.lower().translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(folded_text: str) -> list[str]:
    """The words of an already folded text."""
    return _WORD.findall(folded_text)


@lru_cache(maxsize=200_000)
def stem(folded_word: str) -> str:
    return str(_STEMMER.stemWord(folded_word))


def stems(folded_text: str) -> list[str]:
    return [stem(word) for word in words(folded_text)]


_OFFICIAL = re.compile(
    r"\s*(?:förder)?(?:richtlinie|verordnung|gesetz|verwaltungsvorschrift|bekanntmachung|allgemeinverfügung)"
    r"(?=\s|des|der|zur|zum|über|für|vom|\()",  # the word itself ("Gesetzüber" glued), not "Gesetzliche …"
    re.IGNORECASE,
)


def official_title(text: str) -> str:
    """The long official title a legal text opens with ("Richtlinie des … zur Förderung der gewerblichen
    Wirtschaft einschließlich der Tourismuswirtschaft"): it states purpose and addressees like a title."""
    if not _OFFICIAL.match(text):
        return ""
    head = re.split(r"\n\s*\n|##", text.lstrip(), maxsplit=1)[0]
    return head if len(head) <= 500 else ""
