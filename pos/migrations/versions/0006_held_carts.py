"""carts kept in the database: the cart in progress (at most one) and the carts parked,
each with its lines, discounts and the parts of its payment already taken

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'held_cart',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.Column('cashier_name', sa.String(length=80), nullable=False, server_default=''),
        sa.Column('data', sa.Text(), nullable=False),
        sa.CheckConstraint("state IN ('current', 'parked')", name='state'),
        sa.PrimaryKeyConstraint('id', name='pk_held_cart'),
    )
    op.create_index('ix_held_cart_current', 'held_cart', ['state'], unique=True,
                    sqlite_where=sa.text("state = 'current'"))


def downgrade() -> None:
    op.drop_index('ix_held_cart_current', table_name='held_cart')
    op.drop_table('held_cart')
