from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree

from process.sanitize import clean_html

BASE = "https://www.hwk-chemnitz.de/aktuelles/"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hallo <strong>Welt</strong></p>", "<p>Hallo <strong>Welt</strong></p>"),
        ("<h1>Titel</h1>", "<h2>Titel</h2>"),
        ('<a href="detail.html?utm_source=x">mehr</a>',
         '<a href="https://www.hwk-chemnitz.de/aktuelles/detail.html" rel="noopener noreferrer nofollow">mehr</a>'),
        ('<a href="mailto:info@hwk.de">M</a>', '<a href="mailto:info@hwk.de" rel="noopener noreferrer nofollow">M</a>'),
        ('<a href="tel:+49371">T</a>', '<a href="tel:+49371" rel="noopener noreferrer nofollow">T</a>'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<a href="ftp://x.de/f">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<p onclick="x()" style="color:red" class="c" id="i">t</p>', "<p>t</p>"),
        ('<img src="https://tracker.de/p.gif">Text', "Text"),
        ("<script>alert(1)</script><style>p{}</style>ok", "ok"),
        ("<iframe src=x>i</iframe><form><input>f</form><svg><g>s</g></svg>ok", "ok"),
        ('<table><tr><td colspan="2" onmouseover="x">1</td></tr></table>',
         '<table><tbody><tr><td colspan="2">1</td></tr></tbody></table>'),
        ('<abbr title="Handelskammer">IHK</abbr>', '<abbr title="Handelskammer">IHK</abbr>'),
        ("Grüße & <Gruß>", "Grüße &amp;"),
        ("", ""),
    ],
)  # fmt: skip
def test_clean_html(html: str, expected: str) -> None:
    assert clean_html(html, base_url=BASE) == expected


def test_relative_link_without_base_is_dropped() -> None:
    assert "href" not in clean_html('<a href="/x">x</a>', base_url=None)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


_BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript|livescript):")


def assert_safe(html: str) -> None:
    assert not re.search(r"<\s*script", html, re.IGNORECASE)
    collector = _Collector()
    collector.feed(html)
    assert not {"script", "style", "iframe", "object", "embed", "svg", "img", "form", "math"} & set(collector.tags)
    for name, value in collector.attrs:
        assert not name.startswith("on"), (name, html)
        assert name != "style"
        squashed = re.sub(r"[\x00-\x20\x7f]", "", unescape(value)).lower()
        assert not _BAD_SCHEME.match(squashed), html


ATTACKS = [
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="VBSCRIPT:msgbox(1)">x</a>',
    "<scr<script>ipt>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<<a href="x" onclick="y">',
    "<!--<script>-->alert(1)",
    '<p title="</p><script>alert(1)</script>">t</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


@pytest.mark.parametrize("html", ATTACKS)
def test_attacks_are_neutralized(html: str) -> None:
    assert_safe(clean_html(html, base_url=BASE))


def _fragments(path: Path) -> list[str]:
    """Every piece of markup a parser could hand us from one test feed: escaped text and inline XHTML."""
    raw = path.read_bytes()
    fragments = [raw.decode("utf-8", errors="replace")]
    root = etree.fromstring(raw, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    if root is None:
        return fragments
    for element in root.iter():
        if isinstance(element.tag, str):
            if element.text and element.text.strip():
                fragments.append(element.text)
            inner = "".join(etree.tostring(child, encoding="unicode") for child in element)
            if inner:
                fragments.append(inner)
    return fragments


def test_feedparser_sanitize_corpus(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "feedparser-tests" / "tests").glob("**/sanitize/*"))
    if not files:
        pytest.skip("no sanitize cases in the corpus")
    checked = 0
    for path in files:
        for fragment in _fragments(path):
            assert_safe(clean_html(fragment, base_url="http://example.org/feed/"))
            checked += 1
    assert checked > len(files)
