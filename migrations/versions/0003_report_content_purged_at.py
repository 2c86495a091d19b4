"""Retention: when a closed report's content was removed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:02:08.528780

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_purged_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("content_purged_at")
