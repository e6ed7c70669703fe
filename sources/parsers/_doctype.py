"""Neutralize DOCTYPE internal subsets and ENTITY declarations in raw XML bytes before any parser sees them.

feedparser's loose parser expands entities declared in a document's internal subset by itself, so a 100 KB
"billion laughs" feed becomes a title of hundreds of megabytes. We keep the document otherwise intact:
the DOCTYPE name and external id stay (feedparser detects Netscape RSS 0.91 by it), and only entity
declarations whose value is a short literal without references survive — they cannot grow exponentially.
UTF-16/32 bodies are decoded by their BOM or byte pattern, neutralized and re-encoded with the same codec.
"""

from __future__ import annotations

import codecs
import re

# Quoted strings are matched as a unit so that "]" or ">" inside an entity value cannot end the subset.
# The alternatives begin with disjoint characters, so matching stays linear even on hostile input.
_DOCTYPE = r"""<!DOCTYPE(?P<head>(?:[^\[>"']|"[^"]*"|'[^']*')*)\[(?P<subset>(?:[^\]"']|"[^"]*"|'[^']*')*)\]\s*>"""
_SAFE_ENTITY = (
    r"""<!ENTITY\s+(?P<name>[A-Za-z_][\w.-]{0,64})\s+(?P<q>["'])(?P<value>[^&%<"']{0,32}|&#\w{1,8};)(?P=q)\s*>"""
)

_DOCTYPE_RE = re.compile(_DOCTYPE.encode(), re.IGNORECASE)
_DOCTYPE_START_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_START_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SAFE_ENTITY_RE = re.compile(_SAFE_ENTITY.encode())

_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_WIDE_PATTERNS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def neutralize_doctype(body: bytes) -> bytes:
    """Return ``body`` with dangerous DTD declarations removed; a body without any is returned unchanged."""
    bom, codec = _wide_codec(body)
    if codec is None:
        return _neutralize(body) if b"<!" in body else body
    try:
        text = body[len(bom) :].decode(codec)
    except UnicodeDecodeError:
        return body  # feedparser cannot read it either, so it cannot expand anything in it
    if "<!" not in text:
        return body
    return bom + _neutralize(text.encode("utf-8")).decode("utf-8").encode(codec)


def _wide_codec(body: bytes) -> tuple[bytes, str | None]:
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return bom, codec
    for pattern, codec in _WIDE_PATTERNS:
        if body.startswith(pattern):
            return b"", codec
    return b"", None


def _neutralize(body: bytes) -> bytes:
    start = _DOCTYPE_START_RE.search(body)
    # Anchored at the first DOCTYPE only: scanning from every position would be quadratic on hostile input.
    match = _DOCTYPE_RE.match(body, start.start()) if start else None
    if match:
        # One declaration per line: feedparser's own DOCTYPE handling only recognizes them at line starts.
        kept = b"".join(b"\n" + m.group(0) for m in _SAFE_ENTITY_RE.finditer(match.group("subset")))
        head = match.group("head").rstrip()
        doctype = b"<!DOCTYPE" + head + (b" [" + kept + b"\n]>" if kept else b">")
        if match.start() > 0 and body[match.start() - 1 : match.start()] not in b"\r\n":
            doctype = b"\n" + doctype  # prolog whitespace; feedparser looks for the DOCTYPE at a line start
        body = body[: match.start()] + doctype + body[match.end() :]
        first_after = match.start() + len(doctype)
    else:
        first_after = 0
    return body[:first_after] + _defang_entities(body[first_after:])


def _defang_entities(body: bytes) -> bytes:
    """Turn any remaining non-literal ENTITY declaration into inert text (such a document is malformed)."""
    out: list[bytes] = []
    pos = 0
    for m in _ENTITY_START_RE.finditer(body):
        if _SAFE_ENTITY_RE.match(body, m.start()):
            continue
        out += (body[pos : m.start()], b"&lt;!ENTITY")
        pos = m.end()
    out.append(body[pos:])
    return b"".join(out)
