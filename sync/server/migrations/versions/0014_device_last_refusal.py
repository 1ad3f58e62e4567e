"""a device keeps its last refused push

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-23 10:00:00

A till whose pushes the server refuses (a day outside the market's dates, figures that do
not add up, a body too large) was shown in contact but with nothing received, and nothing
said why. A device now keeps its last refusal: when, and the message id with its
parameters (JSON), written with its contact, at most once a minute. The dashboard says the
till's figures are refused while that refusal is later than its last push stored.
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("refused_at", sa.DateTime(), nullable=True))
    op.add_column("devices", sa.Column("refused_key", sa.String(length=64), nullable=True))
    op.add_column("devices", sa.Column("refused_params", sa.Text(), nullable=True))


def downgrade() -> None:
    # dropped in place, as 0012 does (a copied table would break the foreign keys)
    with op.batch_alter_table("devices", recreate="never") as batch_op:
        batch_op.drop_column("refused_params")
        batch_op.drop_column("refused_key")
        batch_op.drop_column("refused_at")
