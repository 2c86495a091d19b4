"""Safeguards for staff accounts and reports (issue 19, "For staff"): one-time set-up links for
new accounts, indexes that let sign-in throttling count recent failures per address and per
account, a legal hold per report that keeps its content past retention, and keyed hashes of a
report's contact email and phone for subject access requests (filled for older reports by
`flask --app wsgi triage reindex-search`). Additive only: new nullable columns and new indexes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("reports", sa.Column("legal_hold_since", sa.DateTime(), nullable=True))
    op.add_column("reports", sa.Column("contact_email_hash", sa.String(length=32), nullable=True))
    op.add_column("reports", sa.Column("contact_phone_hash", sa.String(length=32), nullable=True))
    op.create_index("ix_reports_contact_email_hash", "reports", ["contact_email_hash"])
    op.create_index("ix_reports_contact_phone_hash", "reports", ["contact_phone_hash"])
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("setup_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("setup_expires_at", sa.DateTime(), nullable=True))
        batch.create_unique_constraint("uq_staff_users_setup_token_hash", ["setup_token_hash"])
    op.create_index(
        "ix_audit_events_action_address_created",
        "audit_events",
        ["action", "address", "created_at"],
    )
    op.create_index(
        "ix_audit_events_action_actor_created",
        "audit_events",
        ["action", "actor_id", "created_at"],
    )


def downgrade():
    op.drop_index("ix_audit_events_action_actor_created", table_name="audit_events")
    op.drop_index("ix_audit_events_action_address_created", table_name="audit_events")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint("uq_staff_users_setup_token_hash", type_="unique")
        batch.drop_column("setup_expires_at")
        batch.drop_column("setup_token_hash")
    op.drop_index("ix_reports_contact_phone_hash", table_name="reports")
    op.drop_index("ix_reports_contact_email_hash", table_name="reports")
    op.drop_column("reports", "contact_phone_hash")
    op.drop_column("reports", "contact_email_hash")
    op.drop_column("reports", "legal_hold_since")
