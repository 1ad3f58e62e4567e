"""a market's city has an Arabic name

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

A market had its city in Latin letters only, so the Arabic dashboard and report read
"… — Fès". The market now keeps the city's Arabic name too ("فاس"), shown on the Arabic
pages and files. Markets set up before have none (NULL): their Arabic pages name the city
as before, until an organiser gives it (``souk-server market edit ID --city-ar NAME``).
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("markets", sa.Column("city_ar", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # dropped in place (SQLite 3.35 and later can): a batch that copied the markets into a
    # new table would drop the one the cooperatives and days refer to, which SQLite's
    # foreign keys forbid within the migration's transaction
    with op.batch_alter_table("markets", recreate="never") as batch_op:
        batch_op.drop_column("city_ar")
