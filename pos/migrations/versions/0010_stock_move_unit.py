"""each stock move keeps the unit its figures are in, and where it was made (the app or
the command line); a change of a product's unit is a move of its own. The moves kept so
far take their product's unit, the one they were made in as far as the till knows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

KINDS = ("'opening', 'created', 'sale', 'refund', 'void', 'received', 'counted', "
         "'imported'")
COLUMNS = "id, at, product_id, change, stock_after, kind, sale_id, source, user_id"


def _create(name: str, kinds: str, *extra: sa.Column) -> None:
    """The table of the stock moves as ``name``, its kinds ``kinds``, with ``extra``
    columns."""
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('change', sa.Integer(), nullable=False),
        sa.Column('stock_after', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('sale_id', sa.String(length=36), nullable=True),
        sa.Column('source', sa.String(length=260), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        *extra,
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f('ck_stock_move_kind')),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name='fk_stock_move_product_id_product'),
        sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name='fk_stock_move_sale_id_sale'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_stock_move_user_id_user'),
        sa.PrimaryKeyConstraint('id', name='pk_stock_move'),
    )


def _replace(select: str) -> None:
    """Put the moves, as ``select`` reads them from ``stock_move``, in the table made as
    ``stock_move_new``, which becomes ``stock_move``, indexed and kept from changes again
    (its triggers)."""
    for event in ('update', 'delete'):
        op.execute(f"DROP TRIGGER stock_move_no_{event}")
    op.execute(f"INSERT INTO stock_move_new {select}")
    op.drop_index('ix_stock_move', table_name='stock_move')
    op.drop_table('stock_move')
    op.rename_table('stock_move_new', 'stock_move')
    op.create_index('ix_stock_move', 'stock_move', ['product_id', 'id'], unique=False)
    for event in ('UPDATE', 'DELETE'):  # a move, once written, stays as it was
        op.execute(f"CREATE TRIGGER stock_move_no_{event.lower()} BEFORE {event} ON stock_move "
                   "BEGIN SELECT RAISE(ABORT, 'stock moves are never changed'); END")


def upgrade() -> None:
    _create('stock_move_new', KINDS + ", 'unit'",
            sa.Column('unit', sa.String(length=8), nullable=False),
            sa.Column('done_from', sa.String(length=12), server_default='app',
                      nullable=False))
    _replace(f"({COLUMNS}, unit, done_from) SELECT "
             + ", ".join(f"m.{c}" for c in COLUMNS.split(", "))
             + ", COALESCE(p.unit, 'piece'), 'app' FROM stock_move m "
             "LEFT JOIN product p ON p.id = m.product_id")


def downgrade() -> None:
    _create('stock_move_new', KINDS)
    _replace(f"({COLUMNS}) SELECT {COLUMNS} FROM stock_move WHERE kind != 'unit'")
