"""The frozen records that travel through the pipeline: what a parser read, and what normalizing made of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One item as a parser read it from a source, before any cleaning.

    Text may still hold markup, entities, control characters and mojibake; ``link`` may be relative.
    """

    guid: str | None
    link: str | None
    title: str
    summary: str = ""  # HTML or text, as delivered
    content: str = ""  # full HTML or text, as delivered; "" when the source has only a summary
    date: str | None = None  # raw date text as delivered ("24. März 2020", RFC 822, ISO …)
    date_parsed: datetime | None = None  # a structured date the format carried (aware, any zone)
    author: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Entry:
    """One item after normalize + sanitize: safe to store and, once approved, to publish."""

    identity: str  # "guid:…", "url:…" or "hash:…" — unique per source
    guid: str | None
    url: str | None  # absolute http(s), tracking parameters and fragment removed
    title: str  # plain text
    summary_html: str  # allowlist-cleaned HTML, links absolute
    content_text: str  # plain text of the fullest body we have (for dedupe, tagging, diffs)
    published_at: datetime | None  # UTC, or None when missing/invalid
    content_hash: str  # hash of title + summary + content text: a change makes a new revision
    warnings: tuple[str, ...] = ()
    diff: str | None = None  # for "page updated" items: unified text diff to the previous version
