"""forms: one-time tokens of create forms (a form sent twice is saved once)

Revision ID: dafd0dcc9043
Revises: 889a1d1e0602
Create Date: 2026-11-30 01:48:20.333031

"""
from alembic import op
import sqlalchemy as sa

import coworking.database


# revision identifiers, used by Alembic.
revision = 'dafd0dcc9043'
down_revision = '889a1d1e0602'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('used_at', coworking.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submission'))
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_used_at'), ['used_at'], unique=False)



def downgrade():
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submission_used_at'))

    op.drop_table('form_submission')
