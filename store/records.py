"""Read models the store hands out: frozen, detached from the session, safe to pass to any layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the catalog (or an admin) says about a source; stored in ``sources``."""

    id: str
    name: str
    kind: str
    url: str
    interval_seconds: int
    enabled: bool
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source with the fetch state the harvest needs."""

    id: str
    name: str
    kind: str
    url: str
    interval_seconds: int
    enabled: bool
    config: Mapping[str, Any]
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_fetch_at: datetime | None
    last_status: str | None
    last_error_code: str | None
    last_error_message: str | None
    consecutive_failures: int
    last_entry_count: int | None
    guid_map: Mapping[str, str]
    guids_unstable: bool


@dataclass(frozen=True, slots=True)
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    tombstoned: int = 0


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item with its current revision, as listed for staff and scripts."""

    id: int
    source_id: str
    identity: str
    status: str
    title: str
    url: str | None
    summary_html: str
    content_text: str
    published_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    revision_id: int | None
    approved_revision_id: int | None
    sources: tuple[str, ...]
    sectors: tuple[str, ...]
    topics: tuple[str, ...]
    towns: tuple[str, ...]
    diff: str | None
