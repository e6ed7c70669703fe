"""Operations: leases against double-firing schedulers, once-per-error source alerts.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.types import UTCDateTime

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "source_alerts",
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("error_code", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_alerts")
    op.drop_table("leases")
