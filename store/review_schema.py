"""Tables of the staff review: users, server-side sessions, login attempts, item flags, staff revisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.schema import Base, ItemRow

ROLES = ("reviewer", "admin")


class UserRow(Base):
    """A staff member who may log in; disabled users keep their row (the audit log names them)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class StaffSessionRow(Base):
    """A logged-in browser. ``id`` is the SHA-256 of the cookie token, so a leaked table opens no session."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class LoginAttemptRow(Base):
    """Failed logins per user name and client address, for throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_login_attempts_name_ip_at", "name", "ip", "at"),)


class ItemFlagsRow(Base):
    """Staff settings of an item that are not content: pin and expiry (publishing reads them)."""

    __tablename__ = "item_flags"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class StaffRevisionRow(Base):
    """Marks a revision written by staff (an edit) and the revision it was based on."""

    __tablename__ = "staff_revisions"

    revision_id: Mapped[int] = mapped_column(ForeignKey("item_revisions.id", ondelete="CASCADE"), primary_key=True)
    base_revision_id: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))


# The queue filtered by source walks this index newest first instead of scanning all items.
Index("ix_items_source_status_seen", ItemRow.source_id, ItemRow.status, ItemRow.first_seen_at)
