"""a stall restored from a backup: its figures replace the server's, which are kept

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00

A stall whose database was restored from a backup has lost the sales made after it. Its
summaries now carry its restore count (protocol 3); the server orders a day's summaries by
(restore count, version), so the restored till's figures replace what it held, and keeps
what they replaced in ``restored_days``: the organisers see that the stand's day was
restored and what the server held before. Days stored before hold count 0.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("day_summaries", sa.Column("restores", sa.Integer(), server_default="0",
                                             nullable=False))
    op.create_table(
        "restored_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("market_id", sa.Integer(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("restores", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("held_restores", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=6), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("refunds", sa.BigInteger(), nullable=False),
        sa.Column("sales_count", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("new_version", sa.BigInteger(), nullable=False),
        sa.Column("new_net", sa.BigInteger(), nullable=False),
        sa.Column("new_sales_count", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cooperative_id"], ["cooperatives.id"],
                                name="fk_restored_days_cooperative_id_cooperatives"),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"],
                                name="fk_restored_days_device_id_devices"),
        sa.ForeignKeyConstraint(["market_id"], ["markets.id"],
                                name="fk_restored_days_market_id_markets"),
        sa.PrimaryKeyConstraint("id", name="pk_restored_days"),
        sa.UniqueConstraint("device_id", "business_day", "restores",
                            name="uq_restored_days_device_day_restores"),
    )
    op.create_index("ix_restored_days_market_day", "restored_days",
                    ["market_id", "business_day"])


def downgrade() -> None:
    op.drop_index("ix_restored_days_market_day", table_name="restored_days")
    op.drop_table("restored_days")
    # not a batch (on SQLite a copy of the table, whose drop would take the days' lines
    # with it): SQLite drops a plain column in place
    op.drop_column("day_summaries", "restores")
