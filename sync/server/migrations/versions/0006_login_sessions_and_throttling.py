"""organisers' sessions can be ended, and wrong passwords slow the next logins down

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:00:00

A user's session epoch is carried in the session cookie: logging out, a new password or
disabling the user moves it on, which ends the sessions made before. The count of wrong
passwords in a row and the time until which logins are refused are kept with the user,
so every server process behind a proxy throttles the same way. Existing users start at
epoch 0 with no failures.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("blocked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("blocked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("session_epoch")
