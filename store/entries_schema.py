"""Tables of what staff write themselves (issue 8): manual entries' metadata, the towns' "Stand", contacts,
and the e-mail intake's processed-message index.

Manual entries are ordinary items (``items`` + ``item_revisions``) of the built-in sources ``redaktion`` and
``kommunen``; :class:`ManualEntryRow` only adds what a harvested item does not have.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.schema import Base

SECTIONS = ("redaktion", "kommunale-angebote")
CONTACT_SECTIONS = ("block", "wichtig")
MAIL_STATUSES = ("item", "held")


class ManualEntryRow(Base):
    """A staff-written item: its section, links and who created it (content lives in the revisions)."""

    __tablename__ = "manual_entries"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    section: Mapped[str] = mapped_column(String(30))  # redaktion | kommunale-angebote
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{"label": …, "url": …}]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_manual_entries_section", "section"),)


class TownStandRow(Base):
    """When staff last confirmed a town's offers as current ("Stand"), independent of any edit."""

    __tablename__ = "town_offer_stand"

    town: Mapped[str] = mapped_column(String(100), primary_key=True)
    confirmed_at: Mapped[datetime]
    confirmed_by: Mapped[str] = mapped_column(String(100))


class ContactRow(Base):
    """One contact: a line of the contact block (``section="block"``) or of "Wichtige Kontakte"."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    section: Mapped[str] = mapped_column(String(20))  # block | wichtig
    position: Mapped[int] = mapped_column(Integer, default=0)
    institution: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")  # as staff wrote it (shown)
    phone_e164: Mapped[str] = mapped_column(String(20), default="")  # for the tel: link
    email: Mapped[str] = mapped_column(String(254), default="")
    web: Mapped[str] = mapped_column(Text, default="")
    messenger: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("ix_contacts_section_position", "section", "position"),)


class MailMessageRow(Base):
    """A message the intake has processed (never twice): the item it became, or held for an unknown sender."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    message_key: Mapped[str] = mapped_column(String(64))  # sha256 of the Message-ID (or of the raw head)
    message_id: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))  # item | held
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text, default="")  # plain text (held messages are shown to staff)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"name", "type", "size"}]
    item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    processed_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("source_id", "message_key", name="uq_mail_messages_source_key"),
        Index("ix_mail_messages_status", "status", "processed_at"),
    )
