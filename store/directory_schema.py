"""Tables of "Kauf regional": businesses (review state, private tokens), their versions and offers, and the
submission log that rate-limits the public form.

A business is like a harvested item: every change is a new version, ``approved_version_id`` is what the public
sees, ``current_version_id`` is what staff review. Tokens are stored only as SHA-256 hashes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.schema import Base

DIRECTORY_STATUSES = ("unconfirmed", "pending", "approved", "rejected", "withdrawn", "expired")


class DirectoryBusinessRow(Base):
    __tablename__ = "directory_businesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    current_version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    approved_version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    edit_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    submitter_email: Mapped[str] = mapped_column(String(254), default="")  # never published
    origin: Mapped[str] = mapped_column(String(20))  # form | import | staff
    import_key: Mapped[str | None] = mapped_column(String(200), default=None, unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    last_confirmed_at: Mapped[datetime]
    reconfirm_sent_at: Mapped[datetime | None] = mapped_column(default=None)


class DirectoryVersionRow(Base):
    __tablename__ = "directory_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("directory_businesses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    town: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str | None] = mapped_column(Text, default=None)
    opening_notes: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class DirectoryOfferRow(Base):
    __tablename__ = "directory_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("directory_versions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text, default=None)
    scheme: Mapped[str] = mapped_column(String(120), default="")


class DirectorySubmissionRow(Base):
    """One accepted POST of the public form per line (hashed client address), for the per-address limit."""

    __tablename__ = "directory_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ip_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_directory_submissions_ip_at", "ip_hash", "at"),)
