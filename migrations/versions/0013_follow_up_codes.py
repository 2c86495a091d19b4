"""A way back for the reporter: each report keeps the argon2id hash of the follow-up code its
reporter was given (the code itself is shown once and never stored). A nullable column: reports
stored before have no code, and the release before this one writes none.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reports', sa.Column('follow_up_hash', sa.String(length=128), nullable=True))


def downgrade():
    op.drop_column('reports', 'follow_up_hash')
