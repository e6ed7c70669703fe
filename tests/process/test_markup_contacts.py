"""The staff formatting subset and contact validation (pure functions)."""

from __future__ import annotations

import lxml.html
import pytest

from process.contacts import ContactError, ContactProblems, check_contact, parse_email, parse_phone
from process.markup import render_markup


def test_markup_subset_renders_and_escapes_everything_else() -> None:
    html = render_markup("Hallo **Welt** und *mehr*\nZeile 2\n\n- a [Link](https://x.de/p)\n- b\n\n1. eins\n2. zwei")
    assert html == (
        "<p>Hallo <strong>Welt</strong> und <em>mehr</em><br>Zeile 2</p>\n"
        '<ul><li>a <a href="https://x.de/p" rel="noopener noreferrer nofollow">Link</a></li><li>b</li></ul>\n'
        "<ol><li>eins</li><li>zwei</li></ol>"
    )


@pytest.mark.parametrize(
    "hostile",
    ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', "[x](javascript:alert(1))",
     '[x](https://a.de/"onmouseover="alert(1))', "<a href='javascript:x'>y</a>"],
)  # fmt: skip
def test_markup_never_produces_active_content(hostile: str) -> None:
    tree = lxml.html.fragment_fromstring(render_markup(hostile), create_parent="div")
    assert not tree.xpath("//script|//img|//iframe")
    for element in tree.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        href = element.get("href")
        assert href is None or href.startswith(("https://", "http://")), href


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("03731 799-3333", "+4937317993333"), ("+49 (0)371 6900-1010", "+4937169001010"),
     ("0800 1234567", "+498001234567"), ("0151 23456789", "+4915123456789"), ("(03727) 123 45", "+49372712345")],
)  # fmt: skip
def test_german_phone_formats_normalize_to_e164(raw: str, e164: str) -> None:
    assert parse_phone(raw).e164 == e164


@pytest.mark.parametrize("raw", ["12345", "0000", "abc", "+49 1", "0371 " + "9" * 40])
def test_invalid_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ContactError):
        parse_phone(raw)


def test_email_and_contact_checks() -> None:
    assert parse_email("Info@Stadt-Döbeln.DE").lower() == "info@stadt-döbeln.de"
    for bad in ("nicht-mail", "a@b", "a b@c.de", "<a@b.de>"):
        with pytest.raises(ContactError):
            parse_email(bad)
    with pytest.raises(ContactProblems) as caught:
        check_contact({"section": "sonstwo", "institution": "", "position": "x"})
    assert len(caught.value.problems) == 4  # section, institution, no channel, position
