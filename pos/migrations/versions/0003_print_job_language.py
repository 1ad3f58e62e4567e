"""print jobs in a language of their own: a copy of a receipt printed in the language the
customer asks for (NULL: the receipt language of the settings, as before)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('print_job', sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('print_job') as batch_op:
        batch_op.drop_column('language')
