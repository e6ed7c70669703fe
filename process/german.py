"""German-aware text primitives shared by tagging, the classifier and dedupe: folding, words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Hyphens inside words are kept ("Online-Shop", "3G-Regel"); a trailing hyphen ("Industrie- und …") is not.
_WORD = re.compile(r"[a-z0-9§]+(?:-[a-z0-9]+)*")
_STEMMER = snowballstemmer.stemmer("german")


def fold(text: str) -> str:
    """Lower case with umlauts spelled out and other accents dropped: "Überbrückungshilfe" → "ueberbrueckungshilfe".

    The same as NFKD over the whole text with its combining marks dropped, but only the distinct non-ASCII
    characters are decomposed, each once (decomposition is per character; only the dropped marks are reordered),
    and ``str.replace`` spells out the umlauts ("ẞ" lowers to "ß") — about five times faster on long regulations,
    where folding was most of the tagging time."""
    folded = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    if folded.isascii():
        return folded
    table = {ord(ch): plain for ch in set(_NON_ASCII.findall(folded)) if (plain := _unaccented(ch)) != ch}
    return folded.translate(table) if table else folded


@lru_cache(maxsize=8192)
def _unaccented(ch: str) -> str:
    """One character in its compatibility decomposition without combining marks ("é" → "e", "…" → "...")."""
    return "".join(part for part in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(part))


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
