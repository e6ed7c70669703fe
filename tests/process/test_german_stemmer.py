"""The stemmer: the C Snowball implementation (PyStemmer) is the one in use, and it stems exactly as the
pure-Python reference does — on every word of the labelled evaluation texts, so tags cannot drift with it."""

from __future__ import annotations

from pathlib import Path

from snowballstemmer.german_stemmer import GermanStemmer

from bench.evalset import load_items
from process import german


def test_the_fast_c_stemmer_is_in_use() -> None:
    assert type(german._STEMMER).__module__ == "Stemmer"  # PyStemmer; snowballstemmer falls back silently


def test_it_stems_like_the_reference_on_the_evaluation_texts(corpus_dir: Path) -> None:
    reference = GermanStemmer()
    found = {w for item in load_items(corpus_dir) for w in german.words(german.fold(item.title + " " + item.text))}
    assert len(found) > 20_000
    differing = [w for w in sorted(found) if german._STEMMER.stemWord(w) != reference.stemWord(w)]
    assert differing == []
    assert german.stem("ueberbrueckungshilfen") == reference.stemWord("ueberbrueckungshilfen")
