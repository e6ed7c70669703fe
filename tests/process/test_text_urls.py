from __future__ import annotations

import pytest

from process.text import one_line, plain_text
from process.urls import canonical_url


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hallo &amp; <b>Welt</b></p><p>Zweiter Absatz</p>", "Hallo & Welt\n\nZweiter Absatz"),
        ("Text<script>alert('x')</script><style>p{color:red}</style> weiter", "Text weiter"),
        ("Null\x00byte und\x07Glocke\u200b!", "Null byte und Glocke!"),
        ("A&nbsp;&nbsp;B\t\tC", "A B C"),
        ("Schlo\u0308ss", "Schlöss"),  # NFC
        ("a < b und c > d", "a < b und c > d"),
        ("Grüße", "Grüße"),
        ("Zeile 1<br>Zeile 2", "Zeile 1\nZeile 2"),
        ("", ""),
    ],
)
def test_plain_text(html: str, expected: str) -> None:
    assert plain_text(html) == expected


def test_plain_text_caps_at_word_boundary() -> None:
    assert plain_text("Das ist ein langer Satz mit vielen Wörtern", max_len=20) == "Das ist ein langer…"
    assert len(plain_text("x" * 100, max_len=10)) == 10


def test_one_line() -> None:
    assert one_line("  Förderung\n <i>für</i>\r\n Handwerk  ") == "Förderung für Handwerk"
    assert len(one_line("wort " * 200)) <= 300


BASE = "https://www.IHK.de:443/news/liste.html"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/artikel?id=3&utm_source=nl#top", BASE, "https://www.ihk.de/artikel?id=3"),
        ("detail.html", BASE, "https://www.ihk.de/news/detail.html"),
        ("../x/./y", BASE, "https://www.ihk.de/x/y"),
        ("//cdn.example.de/a", BASE, "https://cdn.example.de/a"),
        ("?page=2", "https://a.de/l?page=1", "https://a.de/l?page=2"),
        ("HTTP://Example.DE:80", None, "http://example.de/"),
        ("http://example.de:8080/a", None, "http://example.de:8080/a"),
        ("https://münchen.de/straße", None, "https://xn--mnchen-3ya.de/stra%C3%9Fe"),
        ("https://a.de/%7euser/%c3%a4", None, "https://a.de/~user/%C3%A4"),
        ("https://a.de/a b", None, "https://a.de/a%20b"),
        ("https://a.de/100%", None, "https://a.de/100%25"),
        ("https://a.de/?b=2&a=1&fbclid=X&gclid=Y&Utm_Medium=m&mtm_kwd=k&pk_campaign=c&_hsenc=h&cHash=9",
         None, "https://a.de/?b=2&a=1&cHash=9"),
        ("https://a.de/?utm_source=x", None, "https://a.de/"),
        ("https://user:pw@a.de/x", None, "https://a.de/x"),
        ("  https://a.de/x\n", None, "https://a.de/x"),
        ("javascript:alert(1)", BASE, None),
        (" JaVaScRiPt:alert(1)", BASE, None),
        ("java\tscript:alert(1)", BASE, None),
        ("data:text/html;base64,PHNjcmlwdD4=", BASE, None),
        ("mailto:info@ihk.de", BASE, None),
        ("ftp://ftp.a.de/f", None, None),
        ("vbscript:msgbox", None, None),
        ("http://a.de:99999/", None, None),
        ("https:///nohost", None, None),
        ("", BASE, None),
        (None, BASE, None),
        ("relative/only", None, None),
    ],
)  # fmt: skip
def test_canonical_url(url: str | None, base: str | None, expected: str | None) -> None:
    assert canonical_url(url, base) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("https://a.de/%7e/ä?x=%e4&y=a b#f")
    assert once is not None and canonical_url(once) == once
