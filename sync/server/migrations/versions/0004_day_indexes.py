"""indexes that read one market day's hours and best sellers without summing every line

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:30:00

The dashboard shows a day's sales by hour and its top products. With thousands of stalls
a day has tens of thousands of lines: the hours are now summed from an index that holds
them (PostgreSQL reads no table page), and the products' lines are indexed by amount, so
the day's best sellers are the first entries of that index.
"""

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_summary_hours_market_day", table_name="summary_hours")
    op.create_index("ix_summary_hours_market_day", "summary_hours",
                    ["market_id", "business_day", "hour"],
                    postgresql_include=["amount", "tickets"])
    op.create_index("ix_summary_products_day_amount", "summary_products",
                    ["market_id", "business_day", "amount", "cooperative_id", "product_id"])


def downgrade() -> None:
    op.drop_index("ix_summary_products_day_amount", table_name="summary_products")
    op.drop_index("ix_summary_hours_market_day", table_name="summary_hours")
    op.create_index("ix_summary_hours_market_day", "summary_hours",
                    ["market_id", "business_day"])
