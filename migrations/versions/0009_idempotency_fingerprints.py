"""Idempotency keys bound to their sender and answers: each report sent with a key records a
keyed hash of its answers, so the same key with other answers is refused instead of answered
with the report stored first. Keys stored from now on are scoped to their sender
(services/reporting/idempotency.py); keys stored before stay as they were.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "reports", sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True)
    )


def downgrade():
    op.drop_column("reports", "idempotency_fingerprint")
