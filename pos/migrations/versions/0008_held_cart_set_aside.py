"""a kept cart this version cannot read (written by a newer version, or damaged) is set
aside: kept as it was, in a state of its own that is never offered again

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _states(allowed: str) -> None:
    with op.batch_alter_table('held_cart', recreate='always') as batch_op:
        batch_op.drop_constraint('state', type_='check')
        batch_op.create_check_constraint('state', f"state IN ({allowed})")


def upgrade() -> None:
    _states("'current', 'parked', 'aside'")


def downgrade() -> None:
    # an older version reads no cart set aside: they go back as parked carts, which it
    # lists (and cannot read either), rather than being lost
    op.execute("UPDATE held_cart SET state = 'parked' WHERE state = 'aside'")
    _states("'current', 'parked'")
