"""Staff accounts and sessions, the triage queue, report timelines, the search index and the
append-only audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:22:49.948969

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN_REPORTS = "status IN ('new', 'triaged', 'referred')"
APPEND_ONLY = "audit_events is append-only: rows cannot be changed or deleted"

# On SQLite a batch_alter_table of audit_events copies the table and drops these triggers: a
# later migration that alters audit_events must create them again.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]


def upgrade():
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("totp_required", sa.Boolean(), nullable=False),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_secret_enc", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'national', 'officer')", name=op.f("ck_staff_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "staff_regions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_regions_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "region_id", name=op.f("pk_staff_regions")),
    )
    op.create_index(
        op.f("ix_staff_regions_region_id"), "staff_regions", ["region_id"], unique=False
    )

    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"], unique=False)

    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_value", sa.String(length=64), nullable=True),
        sa.Column("to_value", sa.String(length=64), nullable=True),
        sa.Column("text_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_report_events_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_events_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    op.create_index(
        "ix_report_events_report_created",
        "report_events",
        ["report_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "report_search_tokens",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_search_tokens_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", "report_id", name=op.f("pk_report_search_tokens")),
    )
    op.create_index(
        op.f("ix_report_search_tokens_report_id"),
        "report_search_tokens",
        ["report_id"],
        unique=False,
    )

    # Urgency is added empty, filled from the priority, then made required.
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_assigned_to_id_staff_users"),
            "staff_users",
            ["assigned_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE reports SET urgency = CASE priority WHEN 'urgent' THEN 2 WHEN 'high' THEN 1 ELSE 0 END"
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("urgency", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_reports_assigned_to_id"), ["assigned_to_id"], unique=False
        )
        batch_op.create_index(
            "ix_reports_queue_urgency_created",
            ["queue", "urgency", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reports_urgency_created", ["urgency", "created_at", "id"], unique=False
        )
    # Partial indexes over open reports only: the default queue view.
    op.create_index(
        "ix_reports_open_queue_urgency_created",
        "reports",
        ["queue", "urgency", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text(OPEN_REPORTS),
        sqlite_where=sa.text(OPEN_REPORTS),
    )
    op.create_index(
        "ix_reports_open_urgency_created",
        "reports",
        ["urgency", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text(OPEN_REPORTS),
        sqlite_where=sa.text(OPEN_REPORTS),
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("report_reference", sa.String(length=12), nullable=True),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_action_id", "audit_events", ["action", "id"], unique=False)
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id", "id"], unique=False)
    op.create_index("ix_audit_events_report_id", "audit_events", ["report_id", "id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}[dialect]:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_events")  # drops its triggers
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.drop_table("audit_events")

    op.drop_index("ix_reports_open_urgency_created", table_name="reports")
    op.drop_index("ix_reports_open_queue_urgency_created", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reports_assigned_to_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_index("ix_reports_urgency_created")
        batch_op.drop_index("ix_reports_queue_urgency_created")
        batch_op.drop_index(batch_op.f("ix_reports_assigned_to_id"))
        batch_op.drop_column("assigned_to_id")
        batch_op.drop_column("urgency")

    op.drop_table("report_search_tokens")
    op.drop_table("report_events")
    op.drop_table("staff_sessions")
    op.drop_table("staff_regions")
    op.drop_table("staff_users")
