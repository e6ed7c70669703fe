"""Index on item_tags.revision_id: the enrichment cursor (highest tagged revision) without a table scan.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_item_tags_revision_id", "item_tags", ["revision_id"])


def downgrade() -> None:
    op.drop_index("ix_item_tags_revision_id", table_name="item_tags")
