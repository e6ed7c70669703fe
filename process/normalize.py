"""The normalizing pipeline for one source's entries: RawEntry → Entry.

Order (miniflux ``processor.go``): mojibake repair → plain-text fields → URL → GUID → date → hash →
identity; the HTML sanitizer runs last on the summary. Each step's complaints are collected as warnings
on the entry (prefixed with the field), never raised.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime
from html import escape, unescape

from process.charset import repair_mojibake
from process.dates import parse_date, sanitize_datetime
from process.identity import content_hash, disambiguate, entry_identity
from process.model import Entry, RawEntry
from process.sanitize import clean_html
from process.text import one_line, plain_text
from process.urls import canonical_url

SUMMARY_TEXT_MAX_LEN = 5_000
_TAG = re.compile(r"<[a-zA-Z!/][^>]*>")


def normalize_entry(raw: RawEntry, *, base_url: str, now: datetime, use_guid: bool = True) -> Entry:
    """One entry through the pipeline. ``use_guid=False`` for sources whose GUIDs were found unstable."""
    warnings: list[str] = []
    title = one_line(_repaired("title", raw.title, warnings))
    summary = _repaired("summary", raw.summary, warnings)
    content = _repaired("content", raw.content, warnings)
    url = _url(raw.link, base_url, warnings)
    guid = _guid(raw.guid)
    published_at = _date(raw, now, warnings)
    content_text = plain_text(content or summary)
    summary_text = plain_text(summary, max_len=SUMMARY_TEXT_MAX_LEN)
    digest = content_hash(title, summary_text, content_text)
    return Entry(
        identity=entry_identity(guid if use_guid else None, url, digest),
        guid=guid,
        url=url,
        title=title,
        summary_html=clean_html(_as_html(summary or content), base_url=base_url),  # sanitizer last
        content_text=content_text,
        published_at=published_at,
        content_hash=digest,
        warnings=tuple(warnings),
        diff=raw.extra.get("diff"),
    )


def normalize_entries(
    raws: Sequence[RawEntry], *, base_url: str, now: datetime, use_guid: bool = True
) -> tuple[list[Entry], list[str]]:
    """All entries of one fetch: empty ones dropped, duplicate identities suffixed "#2", "#3", ….

    Returns (entries, warnings about the fetch as a whole — dropped entries); per-entry warnings stay on
    each ``Entry.warnings``.
    """
    entries: list[Entry] = []
    warnings: list[str] = []
    for index, raw in enumerate(raws):
        entry = normalize_entry(raw, base_url=base_url, now=now, use_guid=use_guid)
        if not entry.title and not entry.content_text:
            warnings.append(f"entry {index}: dropped, neither title nor text (link {raw.link!r})")
            continue
        entries.append(entry)
    identities = disambiguate([entry.identity for entry in entries])
    duplicates = sum(1 for entry, identity in zip(entries, identities, strict=True) if entry.identity != identity)
    if duplicates:
        warnings.append(f"identity: {duplicates} duplicate GUID/link(s) in one fetch, suffixed")
    return [
        dataclasses.replace(entry, identity=identity) for entry, identity in zip(entries, identities, strict=True)
    ], warnings


def _repaired(field: str, text: str, warnings: list[str]) -> str:
    fixed, changed = repair_mojibake(text)
    if changed:
        warnings.append(f"{field}: mojibake repaired")
    return fixed


def _url(link: str | None, base_url: str, warnings: list[str]) -> str | None:
    url = canonical_url(link, base_url)
    if link and link.strip() and url is None:
        warnings.append(f"url: dropped, not an http(s) link: {link[:200]!r}")
    return url


def _guid(guid: str | None) -> str | None:
    if guid is None:
        return None
    return guid.strip() or None


def _date(raw: RawEntry, now: datetime, warnings: list[str]) -> datetime | None:
    published, problems = sanitize_datetime(raw.date_parsed, now=now)
    if published is None and raw.date:
        published, more = parse_date(raw.date, now=now)
        problems += more
    warnings.extend(problems)
    return published


def _as_html(text: str) -> str:
    """Plain-text summaries become paragraphs, so their line structure survives the sanitizer."""
    if not text or _TAG.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", unescape(text)) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
