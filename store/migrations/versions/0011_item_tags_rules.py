"""item_tags.rules: the version of the rules (taxonomy file and tagging code) that tagged an item, so items under
review are tagged again after the rules change, without anyone running `rubrik items retag`. Existing rows get
NULL and count as tagged by other rules.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item_tags", sa.Column("rules", sa.String(16), nullable=True))  # plain ALTER TABLE ADD COLUMN
    op.create_index("ix_item_tags_rules", "item_tags", ["rules"])


def downgrade() -> None:
    op.drop_index("ix_item_tags_rules", table_name="item_tags")
    with op.batch_alter_table("item_tags") as batch:  # SQLite rebuilds the table to drop a column
        batch.drop_column("rules")
