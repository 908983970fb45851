"""members, partners: French sort keys (« Aubry Élise » before « Aubry Vincent »), the same order on SQLite and PostgreSQL

Revision ID: 889a1d1e0602
Revises: 4253efcb4cfe
Create Date: 2026-11-30 01:45:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '889a1d1e0602'
down_revision = '4253efcb4cfe'
branch_labels = None
depends_on = None

NOT_ERASED = sa.text("erased_at IS NULL")
KEY_LENGTH = 300
BATCH = 1000


def _key_type():
    return sa.String(KEY_LENGTH).with_variant(sa.String(KEY_LENGTH, collation="C"), "postgresql")


# A copy of coworking.collation as it was when this migration was written: a migration
# computes the same keys whatever the application's code becomes.
_UNDECOMPOSED = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "ħ": "h", "þ": "th"}
)
_SEPARATORS = re.compile(r"[\W_]+")


def _sort_key(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", letters.translate(_UNDECOMPOSED)).strip()[:KEY_LENGTH]


def _name_sort_key(last_name, first_name):
    last = _sort_key(last_name).replace(" ", "!")
    first = _sort_key(first_name).replace(" ", "!")
    return f"{last} {first}"[:KEY_LENGTH]


def _fill(connection, table, columns, keys):
    """Compute the sort keys of every row, a batch at a time."""
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, *(table.c[name] for name in columns))
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")),
            [{"row_id": row[0], **keys(row)} for row in rows],
        )
        last_id = rows[-1][0]


def upgrade():
    with op.batch_alter_table('member', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('sort_name', _key_type(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sort_organisation', _key_type(), nullable=False, server_default=''))
    with op.batch_alter_table('partner', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('sort_name', _key_type(), nullable=False, server_default=''))

    connection = op.get_bind()
    member = sa.table(
        'member',
        sa.column('id', sa.Integer), sa.column('first_name', sa.String), sa.column('last_name', sa.String),
        sa.column('organisation', sa.String), sa.column('erased_at', sa.DateTime),
        sa.column('sort_name', sa.String), sa.column('sort_organisation', sa.String),
    )
    _fill(
        connection, member, ('first_name', 'last_name', 'organisation', 'erased_at'),
        lambda row: {
            'sort_name': '' if row.erased_at else _name_sort_key(row.last_name, row.first_name),
            'sort_organisation': '' if row.erased_at else _sort_key(row.organisation),
        },
    )
    partner = sa.table(
        'partner', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('sort_name', sa.String),
    )
    _fill(connection, partner, ('name',), lambda row: {'sort_name': _sort_key(row.name)})

    # No change of column on SQLite after this: batch mode would copy the table, and dropping
    # the old copy with foreign keys on deletes the memberships (ON DELETE CASCADE).
    with op.batch_alter_table('member', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_member_sort_name')
        batch_op.drop_index('ix_member_sort_organisation')
        batch_op.create_index('ix_member_sort_name', ['sort_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
        batch_op.create_index('ix_member_sort_organisation', ['sort_organisation', 'sort_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
    with op.batch_alter_table('partner', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_sort_name'), ['sort_name'], unique=False)


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 or later), not a copy of the tables (see above).
    with op.batch_alter_table('partner', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_sort_name'))
        batch_op.drop_column('sort_name')
    with op.batch_alter_table('member', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_member_sort_organisation')
        batch_op.drop_index('ix_member_sort_name')
        batch_op.drop_column('sort_organisation')
        batch_op.drop_column('sort_name')
        batch_op.create_index('ix_member_sort_name', ['last_name', 'first_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
        batch_op.create_index('ix_member_sort_organisation', ['organisation', 'last_name'], unique=False, sqlite_where=NOT_ERASED, postgresql_where=NOT_ERASED)
