"""Staff-written content (issue 8): manual entries' metadata, the towns' "Stand", contacts, the mail index;
plus the built-in sources ``redaktion`` and ``kommunen`` that manual entries belong to.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Not fetched: origin "system" is never touched by the catalog sync, kind "manual" never reaches the harvest.
BUILTIN_SOURCES = (
    ("redaktion", "Redaktion der Wirtschaftsförderung", "manual:redaktion"),
    ("kommunen", "Angebote der Kommunen", "manual:kommunen"),
)


def upgrade() -> None:
    op.create_table(
        "manual_entries",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("section", sa.String(30), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_manual_entries_section", "manual_entries", ["section"])
    op.create_table(
        "town_offer_stand",
        sa.Column("town", sa.String(100), primary_key=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("section", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("phone_e164", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("web", sa.Text(), nullable=False),
        sa.Column("messenger", sa.String(200), nullable=False),
        sa.Column("hours", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_contacts_section_position", "contacts", ["section", "position"])
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("source_id", "message_key", name="uq_mail_messages_source_key"),
    )
    op.create_index("ix_mail_messages_status", "mail_messages", ["status", "processed_at"])
    sources = sa.table(
        "sources",
        *(sa.column(name) for name in ("id", "name", "kind", "url", "interval_seconds", "enabled", "origin")),
        sa.column("config", sa.JSON()),
        sa.column("consecutive_failures"),
        sa.column("guid_map", sa.JSON()),
        sa.column("guids_unstable"),
    )
    op.bulk_insert(
        sources,
        [_builtin(ident, name, url) for ident, name, url in BUILTIN_SOURCES],
    )


def _builtin(ident: str, name: str, url: str) -> dict[str, object]:
    return {
        "id": ident, "name": name, "kind": "manual", "url": url, "interval_seconds": 0, "enabled": False,
        "origin": "system", "config": {}, "consecutive_failures": 0, "guid_map": {}, "guids_unstable": False,
    }  # fmt: skip


def downgrade() -> None:
    op.execute("DELETE FROM sources WHERE origin = 'system' AND kind = 'manual'")
    op.drop_index("ix_mail_messages_status", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_index("ix_contacts_section_position", table_name="contacts")
    op.drop_table("contacts")
    op.drop_table("town_offer_stand")
    op.drop_index("ix_manual_entries_section", table_name="manual_entries")
    op.drop_table("manual_entries")
