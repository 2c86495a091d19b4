"""Force regions: an admin's overrides of which region a police force belongs to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:29:56.205369

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "force_regions",
        sa.Column("force_id", sa.String(length=32), nullable=False),
        sa.Column("region_id", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["staff_users.id"],
            name=op.f("fk_force_regions_changed_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("force_id", name=op.f("pk_force_regions")),
    )


def downgrade():
    op.drop_table("force_regions")
