"""two devices of one till merged: the day copies set aside

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-22 10:00:00

Before 0005 a stall enrolled again got a new device and pushed its days again under it,
so a server that ran then may hold a till's days twice. ``souk-server device merge`` gives
the older device's days to the newer one; of a day both held, the copy that does not stay
is kept in ``merged_days``, counted nowhere.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merged_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("into_device_id", sa.Uuid(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("restores", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=6), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("sales_count", sa.BigInteger(), nullable=False),
        sa.Column("journal_seq", sa.BigInteger(), nullable=False),
        sa.Column("journal_hash", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperatives.id"],
                                name="fk_merged_days_cooperative_id_cooperatives"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"],
                                name="fk_merged_days_device_id_devices"),
        sa.ForeignKeyConstraint(["into_device_id"], ["devices.id"],
                                name="fk_merged_days_into_device_id_devices"),
        sa.ForeignKeyConstraint(["market_id"], ["markets.id"],
                                name="fk_merged_days_market_id_markets"),
        sa.PrimaryKeyConstraint("id", name="pk_merged_days"),
    )
    op.create_index("ix_merged_days_device_id", "merged_days", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_merged_days_device_id", table_name="merged_days")
    op.drop_table("merged_days")
