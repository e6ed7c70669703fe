"""The queue's index covers its whole ORDER BY (status, first_seen_at, id): a harvest run records many items
with the same first_seen_at, and without id in the index PostgreSQL sorts every row of such a batch to find a
page (50,000 items: 1,001 rows read for a page of 50).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_status_first_seen_id", "items", ["status", "first_seen_at", "id"])
    op.drop_index("ix_items_status_first_seen", table_name="items")


def downgrade() -> None:
    op.create_index("ix_items_status_first_seen", "items", ["status", "first_seen_at"])
    op.drop_index("ix_items_status_first_seen_id", table_name="items")
