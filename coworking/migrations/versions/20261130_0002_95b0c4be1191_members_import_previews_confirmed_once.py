"""members: import previews, confirmed once (the confirm form carries their random id, not the file)

Revision ID: 95b0c4be1191
Revises: d6a527503137
Create Date: 2026-11-30 00:02:45.163539

"""
from alembic import op
import sqlalchemy as sa

import coworking.database


# revision identifiers, used by Alembic.
revision = '95b0c4be1191'
down_revision = 'd6a527503137'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_import_preview',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', coworking.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', coworking.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_member_import_preview_created_by_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import_preview'))
    )
    with op.batch_alter_table('member_import_preview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_preview_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_import_preview_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_import_preview_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('member_import_preview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_import_preview_sha256'))
        batch_op.drop_index(batch_op.f('ix_member_import_preview_created_by'))
        batch_op.drop_index(batch_op.f('ix_member_import_preview_created_at'))

    op.drop_table('member_import_preview')
