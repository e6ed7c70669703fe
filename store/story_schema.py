"""Tables of stories (cross-source dedupe), the dedupe index, and item tags with reasons and staff corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, ForeignKey, Index, Integer, String, Text, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column

from store.schema import Base


class StoryRow(Base):
    """One piece of news, however many sources carried it; its canonical item is shown first."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    canonical_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    canonical_by: Mapped[str] = mapped_column(String(10), default="rule")  # rule | staff
    created_at: Mapped[datetime]


class StoryMemberRow(Base):
    """An item's story (each item is in exactly one), with why it joined."""

    __tablename__ = "story_members"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class StoryLinkRow(Base):
    """Two stories that are versions of one regulation: linked, not merged."""

    __tablename__ = "story_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    other_story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="version")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("story_id", "other_story_id", "kind", name="uq_story_links"),)


class DedupeKeyRow(Base):
    """The candidate index: LSH band hashes and exact keys per item; a lookup is one index scan per key."""

    __tablename__ = "dedupe_keys"

    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_dedupe_keys_item", "item_id"),)


class ItemTagsRow(Base):
    """Why an item carries its tags, whether it is relevant, a suggested expiry and classifier suggestions."""

    __tablename__ = "item_tags"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    # indexed: max(revision_id) is the enrichment cursor (store/tags_repo.py), found without a scan
    revision_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    relevant: Mapped[bool] = mapped_column(Boolean, default=True)
    relevance_reason: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)  # axis -> slug -> reason
    suggestions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # axis -> slug -> confidence
    expires_suggested: Mapped[datetime | None] = mapped_column(default=None)
    expires_reason: Mapped[str | None] = mapped_column(Text, default=None)
    tagged_by: Mapped[str] = mapped_column(String(10), default="rules")  # rules | staff
    tagged_at: Mapped[datetime]
    # the rules' version that tagged it (Taxonomy.version); NULL: before versions were kept. Indexed: the items
    # tagged by other rules are found through it (store/tags_repo._other_rules), none in the steady state.
    rules: Mapped[str | None] = mapped_column(String(16), default=None, index=True)


class TagCorrectionRow(Base):
    """A staff correction of an item's tags: the training data of the tag classifier."""

    __tablename__ = "tag_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(Integer, default=None)
    sectors: Mapped[list[str]] = mapped_column(default=list)
    topics: Mapped[list[str]] = mapped_column(default=list)
    towns: Mapped[list[str]] = mapped_column(default=list)
    relevant: Mapped[bool] = mapped_column(Boolean, default=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


def links_story(story: Any) -> ColumnElement[bool]:
    """A story_links row that links ``story`` (an id or a column) with another, whichever side it is on."""
    return or_(StoryLinkRow.story_id == story, StoryLinkRow.other_story_id == story)
