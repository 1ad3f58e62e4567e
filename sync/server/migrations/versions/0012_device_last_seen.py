"""a device keeps its last contact with the server

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-20 10:00:00

A till's last contact was its last push, so a till online but with nothing to send (no sale
for an hour, its day not opened yet), which still asks the server every few minutes which
days it holds, was shown out of contact. A device now keeps the time of its last request
with its token (a push or that question), written at most once a minute; a bundle brought
on a USB stick is not contact. The devices of before take their last push as their last
contact: the latest the server knows of (a bundle imported then counted as a push).
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("last_seen_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE devices SET last_seen_at = last_push_at")


def downgrade() -> None:
    # dropped in place, as 0008 does: a batch that copied the devices into a new table would
    # drop the one the days and conflicts refer to, which SQLite's foreign keys forbid
    with op.batch_alter_table("devices", recreate="never") as batch_op:
        batch_op.drop_column("last_seen_at")
