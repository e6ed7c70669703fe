"""The ``feed`` kind: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser, JSON Feed 1.0/1.1 through json.

feedparser only ever sees ``io.BytesIO(body)`` with the response headers (so it applies the XML and HTTP
encoding rules itself), after DOCTYPE/ENTITY declarations were neutralized. Its sanitizer and relative-URI
rewriting are switched off: ``process`` normalizes and sanitizes every field later and trusts nothing here.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from process.model import RawEntry
from sources.errors import NotAFeed, ParseFailed
from sources.parsers._doctype import neutralize_doctype
from sources.parsers._result import ParseResult
from sources.parsers.jsonfeed import looks_like_json, parse_json_feed

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_DATE_KEYS = ("published", "updated", "created")
# A bozo exception of these kinds means "the encoding was guessed", not "the document is broken".
_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str],
    selectors: Mapping[str, str] | None = None,
) -> ParseResult:
    """Parse an RSS, Atom or JSON feed; raise NotAFeed for anything else (an HTML login page, garbage)."""
    if looks_like_json(body):
        return parse_json_feed(body, url=url)
    result = _run_feedparser(body, url=url, headers=headers)
    entries = tuple(_raw_entry(e) for e in result.get("entries", ()))
    version = str(result.get("version") or "")
    warnings = _bozo_warnings(result)
    if not entries and not version:
        raise NotAFeed("Die Antwort ist weder RSS noch Atom noch JSON Feed.", url=url)
    if not entries and warnings and not _benign_bozo(result):
        raise ParseFailed(f"Feed nicht lesbar: {warnings[0]}", url=url)
    if not version:
        warnings.append("feed version not recognised; entries read anyway")
    feed = result.get("feed") or {}
    return ParseResult(entries=entries, warnings=tuple(warnings), title=_text(feed.get("title")) or None)


def _run_feedparser(body: bytes, *, url: str, headers: Mapping[str, str]) -> Any:
    # feedparser looks headers up by lower-case name. No Content-Location: with a base it "resolves" RSS
    # guids as if they were URLs ("lkms-0412" → "https://host/lkms-0412"); process resolves links instead.
    response_headers = {k.lower(): v for k, v in headers.items() if k.lower() != "content-location"}
    try:
        return feedparser.parse(
            io.BytesIO(neutralize_doctype(body)),
            response_headers=response_headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser's loose parser raises on rare inputs; it is still one parse error
        raise ParseFailed(f"Feed nicht lesbar: {type(exc).__name__}: {exc}", url=url) from exc


def _bozo_warnings(result: Any) -> list[str]:
    # A feed served as text/html or without Content-Type is common and harmless: no warning for it.
    if not result.get("bozo") or type(result.get("bozo_exception")).__name__ == "NonXMLContentType":
        return []
    exc = result.get("bozo_exception")
    message = str(exc)[:200] if exc is not None else "unknown"
    return [f"feed is not well-formed ({type(exc).__name__}: {message})"]


def _benign_bozo(result: Any) -> bool:
    return type(result.get("bozo_exception")).__name__ in _BENIGN_BOZO


def _raw_entry(entry: Any) -> RawEntry:
    date, date_parsed = _date(entry)
    return RawEntry(
        guid=_text(entry.get("id")) or None,
        link=_link(entry),
        title=_text(entry.get("title")),
        summary=_text(entry.get("summary")),
        content=_content(entry),
        date=date,
        date_parsed=date_parsed,
        author=_text(entry.get("author")) or None,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _link(entry: Any) -> str | None:
    link = _text(entry.get("link"))
    if link:
        return link
    for candidate in entry.get("links") or ():
        if candidate.get("rel", "alternate") == "alternate" and _text(candidate.get("href")):
            return _text(candidate.get("href"))
    return None


def _content(entry: Any) -> str:
    """The largest HTML content block, else the largest of any type."""
    blocks = [c for c in entry.get("content") or () if _text(c.get("value"))]
    html = [c for c in blocks if str(c.get("type", "")).lower() in _HTML_TYPES]
    pool = html or blocks
    return _text(max(pool, key=lambda c: len(c["value"]))["value"]) if pool else ""


def _date(entry: Any) -> tuple[str | None, datetime | None]:
    for key in _DATE_KEYS:
        raw = _text(entry.get(key))
        parsed = entry.get(f"{key}_parsed")
        if raw or parsed:
            return raw or None, _to_utc(parsed)
    return None, None


def _to_utc(value: object) -> datetime | None:
    """feedparser's ``*_parsed`` values are UTC ``struct_time``s; out-of-range fields mean no date."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except ValueError:
        return None
