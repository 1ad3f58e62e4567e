"""an invoice is found among the journal's records by the sale it invoices, by an index of
its own (invoices are journal records: no table changes)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_journal_invoice', 'journal', ['ref'], unique=False,
                    sqlite_where=sa.text("kind = 'invoice'"))


def downgrade() -> None:
    op.drop_index('ix_journal_invoice', table_name='journal')
