"""The unsafe-markup scan refuses what a strict CSP would block or a host site must not get."""

from __future__ import annotations

import pytest

from publish.validate import ValidationError, check_html

SAFE = (
    b'<!DOCTYPE html><html lang="de"><head><link rel="stylesheet" href="static/rubrik.css"></head>'
    b"<body>%s</body></html>"
)


@pytest.mark.parametrize(
    "fragment",
    [
        b"<script>alert(1)</script>",
        b'<script src="static/x.js"></script>',
        b'<p onclick="x()">a</p>',
        b'<p style="color:red">a</p>',
        b"<style>p{}</style>",
        b'<a href="javascript:alert(1)">a</a>',
        b'<a href=" JaVa&#x09;script:alert(1)">a</a>',
        b'<a href="&#106;avascript:alert(1)">a</a>',
        b'<img src="https://tracker.example.com/p.gif" alt="">',
        b'<img src="//cdn.example.com/p.gif" alt="">',
        b'<link rel="stylesheet" href="https://fonts.example.com/f.css">',
        b'<iframe src="data:text/html,x"></iframe>',
        b'<base href="https://evil.example.com/">',
    ],
)
def test_unsafe_markup_is_refused(fragment: bytes) -> None:
    with pytest.raises(ValidationError):
        check_html("seite.html", SAFE % fragment)


def test_links_to_other_sites_and_local_resources_are_fine() -> None:
    check_html("seite.html", SAFE % b'<a href="https://www.ihk.de/">IHK</a> <img src="static/logo.svg" alt="Logo">')
