"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), read with the standard json module.

feedparser 6 does not read JSON Feed, so this small mapper does: ``id`` → guid, ``url`` (else
``external_url``) → link, ``content_html`` (else ``content_text``) → content, ``date_published`` (else
``date_modified``) → date, ``authors[0].name`` (1.1) or ``author.name`` (1.0) → author.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from process.model import RawEntry
from sources.errors import NotAFeed, ParseFailed
from sources.parsers._result import ParseResult

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_json(body: bytes) -> bool:
    """True when the body starts like a JSON object (after a BOM and whitespace)."""
    head = body[:64]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    return head.replace(b"\x00", b"").lstrip().startswith(b"{")


def parse_json_feed(body: bytes, *, url: str) -> ParseResult:
    """Map a JSON Feed document to raw entries; anything else JSON-shaped is not a feed."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseFailed(f"JSON Feed nicht lesbar: {exc}", url=url) from exc
    if not isinstance(doc, dict) or not _is_json_feed(doc):
        raise NotAFeed("JSON-Antwort ist kein JSON Feed.", url=url)
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseFailed("JSON Feed ohne Liste 'items'.", url=url)
    entries = tuple(_raw_entry(item) for item in items if isinstance(item, dict))
    warnings = ("JSON Feed item that is not an object skipped",) if len(entries) < len(items) else ()
    return ParseResult(entries=entries, warnings=warnings, title=_str(doc.get("title")) or None)


def _is_json_feed(doc: dict[str, Any]) -> bool:
    return _str(doc.get("version")).startswith(_VERSION_PREFIX) or isinstance(doc.get("items"), list)


def _raw_entry(item: Mapping[str, Any]) -> RawEntry:
    raw_date = _str(item.get("date_published")) or _str(item.get("date_modified"))
    return RawEntry(
        guid=_str(item.get("id")) or None,
        link=_str(item.get("url")) or _str(item.get("external_url")) or None,
        title=_str(item.get("title")),
        summary=_str(item.get("summary")),
        content=_str(item.get("content_html")) or _str(item.get("content_text")),
        date=raw_date or None,
        date_parsed=_iso_date(raw_date),
        author=_author(item),
    )


def _str(value: object) -> str:
    # JSON Feed ids may be numbers in the wild, although the spec asks for strings.
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else ""


def _author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates:
        if isinstance(author, dict) and _str(author.get("name")):
            return _str(author.get("name"))
    return None


def _iso_date(raw: str) -> datetime | None:
    """RFC 3339 dates as the spec requires; a naive or unreadable date is left to ``process``."""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None
