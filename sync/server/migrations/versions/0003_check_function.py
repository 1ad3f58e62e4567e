"""souk_check(): a statement can stop its transaction when what it wrote is not what it meant

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:00:00

The push writer sends a batch's days, the devices' totals and the COMMIT together, without
waiting in between. The statement that writes the days checks that it wrote every one of
them with ``souk_check(condition, message)``, which raises when the condition is false, so
a batch that would be wrong fails before its COMMIT instead of being noticed after it.
PostgreSQL only; SQLite checks in the server's code.
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION souk_check(ok boolean, message text) RETURNS boolean
            LANGUAGE plpgsql AS $$
            BEGIN
                IF ok IS NOT TRUE THEN
                    RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'data_exception';
                END IF;
                RETURN true;
            END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION souk_check(boolean, text)")
