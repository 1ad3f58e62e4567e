"""a credit note is found among the journal's records by the refund or void it stands for,
and the credit notes by a scan of their own, through an index of their own (credit notes
are journal records: no table changes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_journal_credit_note', 'journal', ['ref'], unique=False,
                    sqlite_where=sa.text("kind = 'credit_note'"))


def downgrade() -> None:
    op.drop_index('ix_journal_credit_note', table_name='journal')
