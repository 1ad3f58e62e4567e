"""leaner sales tables: fewer pages written per sale

Sales and payments live in their primary key's b-tree (WITHOUT ROWID); indexes that a
unique key already provides are dropped; refunds and voids alone are indexed by the
sale they reverse; a day's journal records are found by sequence numbers, not an index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table(
        'payment', recreate='always', table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.drop_index('ix_payment_sale_id')
        batch_op.drop_constraint('uq_payment_sale_id', type_='unique')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_payment', ['sale_id', 'position'])

    with op.batch_alter_table(
        'sale', recreate='always', table_kwargs={'sqlite_with_rowid': False}
    ) as batch_op:
        batch_op.drop_index('ix_sale_day_id')
        batch_op.drop_constraint('uq_sale_journal_seq', type_='unique')
        batch_op.drop_index('ix_sale_reverses')
        batch_op.create_index(
            'ix_sale_reverses', ['reverses'], unique=False,
            sqlite_where=sa.text('reverses IS NOT NULL'),
        )

    with op.batch_alter_table('sale_line') as batch_op:
        batch_op.drop_index('ix_sale_line_sale_id')

    with op.batch_alter_table('journal') as batch_op:
        batch_op.drop_index('ix_journal_day_id')


def downgrade() -> None:
    with op.batch_alter_table('journal') as batch_op:
        batch_op.create_index('ix_journal_day_id', ['day_id'], unique=False)

    with op.batch_alter_table('sale_line') as batch_op:
        batch_op.create_index('ix_sale_line_sale_id', ['sale_id'], unique=False)

    with op.batch_alter_table(
        'sale', recreate='always', table_kwargs={'sqlite_with_rowid': True}
    ) as batch_op:
        batch_op.drop_index('ix_sale_reverses')
        batch_op.create_index('ix_sale_reverses', ['reverses'], unique=False)
        batch_op.create_unique_constraint('uq_sale_journal_seq', ['journal_seq'])
        batch_op.create_index('ix_sale_day_id', ['day_id'], unique=False)

    with op.batch_alter_table(
        'payment', recreate='always', table_kwargs={'sqlite_with_rowid': True}
    ) as batch_op:
        batch_op.drop_constraint('pk_payment', type_='primary')
        batch_op.add_column(sa.Column('id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_payment_sale_id', ['sale_id', 'position'])
        batch_op.create_index('ix_payment_sale_id', ['sale_id'], unique=False)
