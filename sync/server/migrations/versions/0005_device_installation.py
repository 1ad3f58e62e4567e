"""a device knows the stall installation it was enrolled from

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:45:00

A stall enrolled again (a new code after a revocation, or to mend its sync) used to get a
new device and push every past day again under it, so the dashboard counted those days
twice. The stall now sends its installation id when it enrols; the device keeps it, and a
new enrolment of the same installation into the same cooperative gives that device back.
Devices enrolled before have none (NULL) and are left as they are.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("installation_id", sa.Uuid(), nullable=True))
    op.create_index("ix_devices_installation", "devices", ["installation_id", "cooperative_id"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_devices_installation", table_name="devices")
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_column("installation_id")
