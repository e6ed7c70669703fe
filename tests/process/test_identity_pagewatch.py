from __future__ import annotations

import pytest

from process.identity import (
    content_hash,
    detect_unstable_guids,
    disambiguate,
    entry_identity,
    next_unstable_streak,
)
from process.pagewatch import main_text_changed, text_diff


def test_content_hash_ignores_whitespace_and_unicode_form() -> None:
    a = content_hash("Förderung", "Text  hier", "")
    assert a == content_hash(" Fo\u0308rderung ", "Text\nhier", "")
    assert a != content_hash("Förderung", "Text hier", "neu")
    assert len(a) == 64


@pytest.mark.parametrize(
    ("guid", "url", "expected"),
    [
        ("abc", "https://a.de/x", "guid:abc"),
        (None, "https://a.de/x", "url:https://a.de/x"),
        ("", None, "hash:h"),
        (None, None, "hash:h"),
    ],
)
def test_entry_identity(guid: str | None, url: str | None, expected: str) -> None:
    assert entry_identity(guid, url, "h") == expected


def test_long_identity_is_hashed() -> None:
    identity = entry_identity("x" * 2000, None, "h")
    assert identity.startswith("guid:sha256:") and len(identity) < 100


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["guid:a", "guid:b"], ["guid:a", "guid:b"]),
        (["guid:a", "guid:a", "guid:b", "guid:a"], ["guid:a", "guid:a#2", "guid:b", "guid:a#3"]),
        (["guid:a", "guid:a", "guid:a#2"], ["guid:a", "guid:a#3", "guid:a#2"]),
        ([], []),
    ],
)
def test_disambiguate(given: list[str], expected: list[str]) -> None:
    assert disambiguate(given) == expected
    assert len(set(disambiguate(given))) == len(given)


@pytest.mark.parametrize(
    ("previous", "current", "unstable"),
    [
        ({"g1": "u1", "g2": "u2"}, {"g1": "u1", "g2": "u2"}, False),
        ({"g1": "u1", "g2": "u2"}, {"h1": "u1", "h2": "u2"}, True),
        ({"g1": "u1", "g2": "u2"}, {"h1": "u1", "g2": "u2"}, False),  # one stayed: not "every fetch"
        ({"g1": "u1"}, {"h3": "u3"}, False),  # no common link: cannot tell
        ({}, {"h1": "u1"}, False),
        ({"g1": "u1", "g2": "u2"}, {"h1": "u1", "h9": "u9", "g3": "u3"}, True),
    ],
)
def test_detect_unstable_guids(previous: dict[str, str], current: dict[str, str], unstable: bool) -> None:
    assert detect_unstable_guids(previous, current) is unstable


def test_unstable_streak() -> None:
    a, b, c = {"g1": "u1"}, {"h1": "u1"}, {"i1": "u1"}
    assert next_unstable_streak(next_unstable_streak(0, a, b), b, c) == 2
    assert next_unstable_streak(1, b, b) == 0


STAND = "Stand: 12. März 2021\nDie Förderung beträgt 5.000 Euro. Anträge bis 30.06.2021. © 2021 SAB"


@pytest.mark.parametrize(
    ("new", "changed"),
    [
        (STAND, False),
        (STAND.replace("12. März", "14. März").replace("© 2021", "© 2022"), False),
        (STAND.replace(" ", "  ").replace("Die Förderung", "die förderung").replace("Euro.", "Euro!"), False),
        (STAND.replace("5.000", "10.000"), True),  # short notice: one changed amount is material
        (STAND.replace("30.06.2021", "31.12.2021"), True),  # a moved deadline is material
        (STAND + "\nNeu: Auch Soloselbständige sind antragsberechtigt.", True),
    ],
)
def test_main_text_changed(new: str, changed: bool) -> None:
    assert main_text_changed(STAND, new) is changed


def test_one_word_in_a_long_page_is_not_material() -> None:
    long = " ".join(f"wort{i}" for i in range(1000))
    assert not main_text_changed(long, long.replace("wort500", "anders"))
    assert main_text_changed(long, long + " eins zwei drei vier fünf")


def test_text_diff() -> None:
    diff = text_diff(STAND, STAND.replace("5.000", "10.000"))
    assert "-Die Förderung beträgt 5.000 Euro." in diff
    assert "+Die Förderung beträgt 10.000 Euro." in diff
    assert " Anträge bis 30.06.2021. © 2021 SAB" in diff.splitlines()  # neighbour sentence: context only


def test_text_diff_is_capped() -> None:
    old = "\n".join(f"Satz {i}." for i in range(500))
    diff = text_diff(old, "", max_lines=20)
    assert len(diff.splitlines()) == 21 and diff.endswith("weitere Zeilen)")
