"""a restore of a backup is found among the journal's records by an index of its own, and
a synced day keeps what the server held before figures sent after a restore replaced it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sync_day', sa.Column('restored', sa.JSON(), nullable=True))
    op.create_index('ix_journal_restore', 'journal', ['seq'], unique=False,
                    sqlite_where=sa.text("kind = 'restore'"))


def downgrade() -> None:
    op.drop_index('ix_journal_restore', table_name='journal')
    with op.batch_alter_table('sync_day') as batch_op:
        batch_op.drop_column('restored')
