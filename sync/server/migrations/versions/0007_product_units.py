"""a day's product lines keep the unit of their quantity

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

Stalls of protocol 2 say in which unit each product is sold (pieces, kg, g, l), so the
organisers read "3,5 kg" instead of a bare 3.5. The lines stored before, and those of
stalls not updated yet, have none (NULL): they are shown without a unit, and counted with
the product's unit once a newer day of the same product names it.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("summary_products", sa.Column("unit", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("summary_products") as batch_op:
        batch_op.drop_column("unit")
