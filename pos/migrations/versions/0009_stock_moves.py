"""every change of a product's stock is kept as a move (when, how much, the stock after,
what made it, who): the stock a database holds becomes each product's opening move

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stock_move',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('change', sa.Integer(), nullable=False),
        sa.Column('stock_after', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('sale_id', sa.String(length=36), nullable=True),
        sa.Column('source', sa.String(length=260), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('opening', 'created', 'sale', 'refund', 'void', "
                           "'received', 'counted', 'imported')", name='kind'),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name='fk_stock_move_product_id_product'),
        sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name='fk_stock_move_sale_id_sale'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_stock_move_user_id_user'),
        sa.PrimaryKeyConstraint('id', name='pk_stock_move'),
    )
    op.create_index('ix_stock_move', 'stock_move', ['product_id', 'id'], unique=False)
    for event in ('UPDATE', 'DELETE'):  # a move, once written, stays as it was
        op.execute(f"CREATE TRIGGER stock_move_no_{event.lower()} BEFORE {event} ON stock_move "
                   "BEGIN SELECT RAISE(ABORT, 'stock moves are never changed'); END")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    op.get_bind().execute(sa.text(
        "INSERT INTO stock_move (at, product_id, change, stock_after, kind, source) "
        "SELECT :at, id, stock, stock, 'opening', '' FROM product ORDER BY id"), {"at": now})


def downgrade() -> None:
    for event in ('update', 'delete'):
        op.execute(f"DROP TRIGGER stock_move_no_{event}")
    op.drop_index('ix_stock_move', table_name='stock_move')
    op.drop_table('stock_move')
