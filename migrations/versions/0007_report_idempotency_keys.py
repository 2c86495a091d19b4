"""Idempotency keys: a report sent twice with the same key (a retry, a queued send from the
phone, a double click) is stored once. Unique per source; reports without a key are unaffected
(NULLs never collide).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("reports", sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_reports_source_idempotency_key",
        "reports",
        ["source", "idempotency_key"],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_reports_source_idempotency_key", table_name="reports")
    op.drop_column("reports", "idempotency_key")
