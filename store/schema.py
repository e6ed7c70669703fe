"""Tables of the application database (SQLAlchemy 2 typed models).

Changes here need an Alembic migration in ``store/migrations/versions``; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import UTCDateTime

ITEM_STATUSES = ("pending", "approved", "rejected", "unpublished")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class SourceRow(Base):
    """A source from the catalog (or added by an admin) with its fetch state and health."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)  # SourceConfig.to_dict()
    origin: Mapped[str] = mapped_column(String(20), default="catalog")  # catalog | admin
    # conditional GET
    etag: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[str | None] = mapped_column(Text, default=None)
    # health
    last_fetch_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    next_fetch_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    last_status: Mapped[str | None] = mapped_column(String(20), default=None)
    last_error_code: Mapped[str | None] = mapped_column(String(40), default=None)
    last_error_message: Mapped[str | None] = mapped_column(Text, default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_entry_count: Mapped[int | None] = mapped_column(Integer, default=None)
    # identity heuristics: guid -> url of the last fetch; links used when GUIDs change every fetch
    guid_map: Mapped[dict[str, Any]] = mapped_column(default=dict)
    guids_unstable: Mapped[bool] = mapped_column(Boolean, default=False)


class FetchLogRow(Base):
    """One line per source per harvest run: what happened, for health pages and digests."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # ok | not_modified | error
    error_code: Mapped[str | None] = mapped_column(String(40), default=None)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(default=list)

    __table_args__ = (Index("ix_fetch_log_source_started", "source_id", "started_at"),)


class ItemRow(Base):
    """One harvested item of one source (identity unique per source) with its review state."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    identity: Mapped[str] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    current_revision_id: Mapped[int | None] = mapped_column(Integer, default=None)
    approved_revision_id: Mapped[int | None] = mapped_column(Integer, default=None)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    sectors: Mapped[list[str]] = mapped_column(default=list)
    topics: Mapped[list[str]] = mapped_column(default=list)
    towns: Mapped[list[str]] = mapped_column(default=list)

    __table_args__ = (
        UniqueConstraint("source_id", "identity", name="uq_items_source_identity"),
        Index("ix_items_status_first_seen_id", "status", "first_seen_at", "id"),  # the queue order (0010)
    )


class RevisionRow(Base):
    """An immutable version of an item's content; a changed item gets a new revision."""

    __tablename__ = "item_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    guid: Mapped[str | None] = mapped_column(Text, default=None)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str] = mapped_column(Text)
    summary_html: Mapped[str] = mapped_column(Text, default="")
    content_text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    diff: Mapped[str | None] = mapped_column(Text, default=None)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("item_id", "content_hash", name="uq_revisions_item_hash"),)


class ProvenanceRow(Base):
    """Which sources carried an item, under which URL, since when."""

    __tablename__ = "provenance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str | None] = mapped_column(Text, default=None)
    first_seen_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("item_id", "source_id", name="uq_provenance_item_source"),)


class TombstoneRow(Base):
    """A rejected item's identity: the harvest never brings it back."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64))
    identity: Mapped[str] = mapped_column(String(600))
    created_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("source_id", "identity", name="uq_tombstones_source_identity"),)


class AuditRow(Base):
    """Append-only log of every decision; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    revision_id: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


from store import directory_schema as _directory_schema  # noqa: E402,F401
from store import entries_schema as _entries_schema  # noqa: E402,F401
from store import ops_schema as _ops_schema  # noqa: E402,F401
from store import review_schema as _review_schema  # noqa: E402,F401
from store import story_schema as _story_schema  # noqa: E402,F401
