"""Partners and their sites (entry links /p/<code>), weekly scan counts, partner API keys;
reports record the partner and site they came through.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:40:15.193322

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("region_id", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "partner_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_keys_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_partner_keys_key_hash")),
    )
    op.create_index(op.f("ix_partner_keys_partner_id"), "partner_keys", ["partner_id"])
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("station_crs", sa.String(length=3), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "NOT (station_crs IS NOT NULL AND postcode IS NOT NULL)",
            name=op.f("ck_sites_one_place"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_sites_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_sites_code")),
    )
    op.create_index("uq_sites_partner_label", "sites", ["partner_id", "label"], unique=True)
    op.create_table(
        "entry_scans",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_entry_scans_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "week", name=op.f("pk_entry_scans")),
    )
    with op.batch_alter_table("reports") as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_reports_partner_id_partners"),
            "partners",
            ["partner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_reports_site_id_sites"), "sites", ["site_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index(op.f("ix_reports_partner_id"), "reports", ["partner_id"])
    op.create_index("ix_reports_site_created", "reports", ["site_id", "created_at"])


def downgrade():
    op.drop_index("ix_reports_site_created", table_name="reports")
    op.drop_index(op.f("ix_reports_partner_id"), table_name="reports")
    with op.batch_alter_table("reports") as batch_op:
        batch_op.drop_column("site_id")
        batch_op.drop_column("partner_id")
    op.drop_table("entry_scans")
    op.drop_index("uq_sites_partner_label", table_name="sites")
    op.drop_table("sites")
    op.drop_index(op.f("ix_partner_keys_partner_id"), table_name="partner_keys")
    op.drop_table("partner_keys")
    op.drop_table("partners")
