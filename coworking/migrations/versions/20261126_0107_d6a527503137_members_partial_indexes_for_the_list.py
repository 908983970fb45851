"""members: partial indexes for the member list (not erased, by name or organisation; erased)

Revision ID: d6a527503137
Revises: 003b6a02fe76
Create Date: 2026-11-26 01:07:54.645690

"""
from alembic import op
import sqlalchemy as sa

import coworking.database


# revision identifiers, used by Alembic.
revision = 'd6a527503137'
down_revision = '003b6a02fe76'
branch_labels = None
depends_on = None


NOT_ERASED = sa.text("erased_at IS NULL")
ERASED = sa.text("erased_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_sort_name')
        batch_op.create_index('ix_member_sort_name', ['last_name', 'first_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
        batch_op.create_index('ix_member_sort_organisation', ['organisation', 'last_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
        batch_op.create_index('ix_member_erased', ['erased_at'], unique=False, sqlite_where=ERASED, postgresql_where=ERASED)


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_erased')
        batch_op.drop_index('ix_member_sort_organisation')
        batch_op.drop_index('ix_member_sort_name')
        batch_op.create_index('ix_member_sort_name', ['last_name', 'first_name'], unique=False)
