"""leaner indexes on the sales tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 11:08:44.117924
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_sale_id'))

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_day_id'))
        batch_op.drop_index('ix_sale_reverses')
        batch_op.create_index(
            'ix_sale_reverses', ['reverses'], unique=False,
            sqlite_where=sa.text('reverses IS NOT NULL'),
        )

    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_line_sale_id'))


def downgrade() -> None:
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_line_sale_id'), ['sale_id'], unique=False)

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_day_id'), ['day_id'], unique=False)
        batch_op.drop_index('ix_sale_reverses')
        batch_op.create_index('ix_sale_reverses', ['reverses'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_sale_id'), ['sale_id'], unique=False)

