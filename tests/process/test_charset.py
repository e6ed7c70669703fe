from __future__ import annotations

import pytest

from process.charset import decode_bytes, repair_mojibake, sniff_declaration

GRUESSE = "Grüße aus Döbeln – 5 €"
XML_DECL = b'<?xml version="1.0" encoding="ISO-8859-15"?>'
META = b'<html><head><meta charset="windows-1252">'


@pytest.mark.parametrize(
    ("body", "declared", "expected", "warned"),
    [
        (GRUESSE.encode("utf-8"), None, GRUESSE, False),
        (b"\xef\xbb\xbf" + GRUESSE.encode("utf-8"), None, GRUESSE, False),
        (GRUESSE.encode("utf-8"), "iso-8859-1", GRUESSE, False),  # valid UTF-8 wins over a wrong label
        (GRUESSE.encode("cp1252"), None, GRUESSE, True),
        (GRUESSE.encode("cp1252"), "iso-8859-1", GRUESSE, False),
        (GRUESSE.encode("cp1252"), "utf-8", GRUESSE, True),
        ("Grüße".encode("latin-1"), "bogus-charset", "Grüße", True),
        ("Grüße".encode("utf-16"), None, "Grüße", False),
        (XML_DECL + b"<t>\xa4</t>", None, XML_DECL.decode() + "<t>€</t>", False),
        (META + b"<title>Gr\xfc\xdfe</title>", None, META.decode() + "<title>Grüße</title>", False),
        (b"\x81 \xfc", None, "\x81 ü", True),
    ],
)  # fmt: skip
def test_decode_bytes(body: bytes, declared: str | None, expected: str, warned: bool) -> None:
    text, warnings = decode_bytes(body, declared)
    assert text == expected
    assert bool(warnings) is warned


def test_sniff_meta_http_equiv() -> None:
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    assert sniff_declaration(body) == "iso-8859-1"


@pytest.mark.parametrize(
    ("text", "expected", "changed"),
    [
        ("FÃ¶rderung", "Förderung", True),
        ("GrÃ¼ÃŸe", "Grüße", True),
        ("Ã¤Ã¶Ã¼Ã„Ã–Ãœ", "äöüÄÖÜ", True),
        ("â€žZitatâ€œ kostet 5 â‚¬", "„Zitat“ kostet 5 €", True),
        ("Grüße".encode().decode("cp1252").encode().decode("cp1252"), "Grüße", True),  # two layers
        ("Grüße", "Grüße", False),
        ("SÃO PAULO", "SÃO PAULO", False),
        ("Ã", "Ã", False),
        ("Straße, Öffnungszeiten, Äpfel", "Straße, Öffnungszeiten, Äpfel", False),
        ("", "", False),
    ],
)
def test_repair_mojibake(text: str, expected: str, changed: bool) -> None:
    assert repair_mojibake(text) == (expected, changed)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "iso-8859-1", "iso-8859-15"])
def test_gruesse_survives_every_path(encoding: str) -> None:
    body = "Grüße".encode(encoding)
    for declared in (None, encoding):
        text, _ = decode_bytes(body, declared)
        assert repair_mojibake(text)[0] == "Grüße"
