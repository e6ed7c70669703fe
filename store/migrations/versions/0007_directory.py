"""Kauf regional: directory businesses, versions, offers, submission log.

Revision ID: 0007
Revises: 0006 (the lead re-chains migrations when merging; the brief's base was 0001)
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_businesses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("approved_version_id", sa.Integer(), nullable=True),
        sa.Column("edit_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("confirm_token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("submitter_email", sa.String(254), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("import_key", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("last_confirmed_at", UTCDateTime(), nullable=False),
        sa.Column("reconfirm_sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_directory_businesses_status", "directory_businesses", ["status"])
    op.create_table(
        "directory_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "business_id",
            sa.Integer(),
            sa.ForeignKey("directory_businesses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("town", sa.String(80), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("opening_notes", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_directory_versions_business_id", "directory_versions", ["business_id"])
    op.create_table(
        "directory_offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("directory_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("scheme", sa.String(120), nullable=False),
    )
    op.create_index("ix_directory_offers_version_id", "directory_offers", ["version_id"])
    op.create_table(
        "directory_submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ip_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_directory_submissions_ip_at", "directory_submissions", ["ip_hash", "at"])


def downgrade() -> None:
    for table in ("directory_submissions", "directory_offers", "directory_versions", "directory_businesses"):
        op.drop_table(table)
