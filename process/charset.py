"""Bytes to text: which charset a harvested body is in, and repair of UTF-8 read as windows-1252.

Rule (issue 2): valid UTF-8 is UTF-8; otherwise a reliable declaration (HTTP charset, XML declaration,
``<meta charset>``) is trusted; otherwise windows-1252. Latin-1 declarations are read as windows-1252,
as browsers do (WHATWG Encoding), because servers say "iso-8859-1" for cp1252 text all the time.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels browsers treat as windows-1252 (WHATWG Encoding, "windows-1252" label list, abridged).
_AS_CP1252 = frozenset({"ascii", "us-ascii", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1", "cp819"})
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SNIFF_BYTES = 2048


def decode_bytes(body: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode ``body``; ``declared`` is the HTTP ``charset`` parameter if any. Returns (text, warnings)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), []
    try:
        return body.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    warnings: list[str] = []
    for label in (declared, sniff_declaration(body)):
        codec = _lookup(label)
        if codec is None:
            if label:
                warnings.append(f"charset: unknown declared charset {label!r} ignored")
            continue
        if codec == "utf-8":
            warnings.append("charset: declared UTF-8 but body is not valid UTF-8")
            continue
        try:
            return body.decode(codec), warnings
        except UnicodeDecodeError:
            warnings.append(f"charset: body does not decode as declared {label!r}")
    warnings.append("charset: no reliable declaration, decoded as windows-1252")
    return decode_cp1252(body), warnings


def sniff_declaration(body: bytes) -> str | None:
    """The charset an XML declaration or HTML ``<meta>`` in the first 2 KB names, if any."""
    head = body[:_SNIFF_BYTES]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_cp1252(body: bytes) -> str:
    """windows-1252 where the five undefined bytes map to their C1 code points (as browsers do)."""
    text = body.decode("cp1252", errors="surrogateescape")
    return re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), text)


def _lookup(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A "charset" that is not a text encoding (e.g. "base64", "rot13") is not a reliable declaration.
    if not codecs.lookup(name)._is_text_encoding:
        return None
    return "utf-8" if name in {"utf-8", "utf_8"} else name


# --- mojibake -------------------------------------------------------------------------------------------
# UTF-8 bytes decoded as windows-1252 (or latin-1) turn every non-ASCII character into a lead character
# (bytes C2..F4) followed by continuation characters (bytes 80..BF). We repair only such sequences, one at a
# time, and only when they decode to a printable character: correct text ("Grüße", "SÃO") has no such
# sequence, so it is never touched.
def _chars(lo: int, hi: int) -> str:
    return "".join(decode_cp1252(bytes([b])) for b in range(lo, hi + 1))


_CONT = re.escape(_chars(0x80, 0xBF) + "".join(chr(c) for c in range(0x80, 0xA0)))
_MOJIBAKE = re.compile(
    f"[{re.escape(_chars(0xC2, 0xDF))}][{_CONT}]"
    f"|[{re.escape(_chars(0xE0, 0xEF))}][{_CONT}]{{2}}"
    f"|[{re.escape(_chars(0xF0, 0xF4))}][{_CONT}]{{3}}"
)


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8-read-as-cp1252 ("FÃ¶rderung" → "Förderung"); returns (text, changed). Up to two layers."""
    changed = False
    for _ in range(2):
        repaired = _MOJIBAKE.sub(_repair_one, text)
        if repaired == text:
            break
        text, changed = repaired, True
    return text, changed


def _repair_one(match: re.Match[str]) -> str:
    seq = match.group()
    try:
        raw = bytes(_to_byte(ch) for ch in seq)
        fixed = raw.decode("utf-8")
    except (UnicodeError, ValueError):
        return seq
    # A C1 control or other non-printable result means this was not mojibake after all.
    return fixed if fixed.isprintable() else seq


def _to_byte(ch: str) -> int:
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(ch)  # latin-1 path: C1 controls and cp1252's undefined bytes
