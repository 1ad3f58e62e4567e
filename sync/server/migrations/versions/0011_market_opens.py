"""a market has its opening hour

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-16 10:00:00

The dashboard took every market to open at 09:00: from half an hour past it, a stand that
had sent nothing of the day was late. A market now keeps its own opening hour (in
Morocco's time), which that rule uses; the markets set up before open at 09:00, as they
were taken to, until an organiser says otherwise (``souk-server market edit ID --opens
HH:MM``). Stalls are not sent it.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("markets", sa.Column("opens", sa.Time(), nullable=False,
                                       server_default="09:00:00"))


def downgrade() -> None:
    # dropped in place, as 0008 does: a batch that copied the markets into a new table would
    # drop the one the cooperatives and days refer to, which SQLite's foreign keys forbid
    with op.batch_alter_table("markets", recreate="never") as batch_op:
        batch_op.drop_column("opens")
