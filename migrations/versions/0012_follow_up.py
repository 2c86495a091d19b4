"""A way back for the reporter: each report keeps the argon2id hash of the follow-up code its
reporter was given (the code itself is shown once and never stored); sightings of the same
young people ("I saw them again"), and officers' questions with the reporter's answers, their
text encrypted; and officers' links between reports of possibly the same young people.
Additive only: a nullable column and three new tables, so the release before
this one runs on the new schema.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("reports", sa.Column("follow_up_hash", sa.String(length=128), nullable=True))
    op.create_table(
        "report_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("danger", sa.Boolean(), nullable=False),
        sa.Column("same_place", sa.Boolean(), nullable=False),
        sa.Column("station_crs", sa.String(length=3), nullable=True),
        sa.Column("postcode_district", sa.String(length=4), nullable=True),
        sa.Column("postcode_enc", sa.LargeBinary(), nullable=True),
        sa.Column("place_enc", sa.LargeBinary(), nullable=True),
        sa.Column("details_enc", sa.LargeBinary(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index(
        "ix_report_sightings_report_created", "report_sightings", ["report_id", "created_at"]
    )
    op.create_index(
        "ix_report_sightings_station_created", "report_sightings", ["station_crs", "created_at"]
    )
    op.create_index(
        "ix_report_sightings_district_created",
        "report_sightings",
        ["postcode_district", "created_at"],
    )
    op.create_table(
        "report_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("question_enc", sa.LargeBinary(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["asked_by_id"], ["staff_users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_questions_report_id", "report_questions", ["report_id"])
    op.create_table(
        "report_links",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff_users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["high_id"], ["reports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["low_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("low_id", "high_id"),
    )
    op.create_index("ix_report_links_high_id", "report_links", ["high_id"])


def downgrade():
    op.drop_index("ix_report_links_high_id", table_name="report_links")
    op.drop_table("report_links")
    op.drop_index("ix_report_questions_report_id", table_name="report_questions")
    op.drop_table("report_questions")
    op.drop_index("ix_report_sightings_district_created", table_name="report_sightings")
    op.drop_index("ix_report_sightings_station_created", table_name="report_sightings")
    op.drop_index("ix_report_sightings_report_created", table_name="report_sightings")
    op.drop_table("report_sightings")
    op.drop_column("reports", "follow_up_hash")
