"""Poster bundles: the zip of a partner's posters and cards, built by the outbox worker instead
of in the web request.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "poster_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("sites", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_poster_bundles_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_users.id"],
            name=op.f("fk_poster_bundles_requested_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poster_bundles")),
    )
    op.create_index(op.f("ix_poster_bundles_partner_id"), "poster_bundles", ["partner_id"])
    op.create_index(
        "ix_poster_bundles_status_requested", "poster_bundles", ["status", "requested_at"]
    )


def downgrade():
    op.drop_index("ix_poster_bundles_status_requested", table_name="poster_bundles")
    op.drop_index(op.f("ix_poster_bundles_partner_id"), table_name="poster_bundles")
    op.drop_table("poster_bundles")
