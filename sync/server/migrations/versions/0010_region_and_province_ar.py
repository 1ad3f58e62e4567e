"""a market's region and a cooperative's province have Arabic names

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 10:00:00

As the city in 0008: the market's region and the cooperatives' provinces were in Latin
letters only, so the Arabic report and exports read "Fès-Meknès" and "Ifrane". They now
keep their Arabic names too ("جهة فاس مكناس", "إفران"), shown on the Arabic pages and
files. Those set up before have none (NULL) and read as before until an organiser gives
them (``souk-server market edit ID --region-ar NAME``, ``cooperative edit ID
--province-ar NAME``). Stalls are not sent them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = (("markets", "region_ar"), ("cooperatives", "province_ar"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(length=200), nullable=True))


def downgrade() -> None:
    # dropped in place, as 0008 does: a batch that copied either table into a new one would
    # drop a table others refer to, which SQLite's foreign keys forbid within the migration
    for table, column in COLUMNS:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column(column)
