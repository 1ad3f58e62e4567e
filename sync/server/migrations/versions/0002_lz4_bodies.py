"""summary bodies compressed with lz4 on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:10:00

A day's JSON body (about 6 kB) is rewritten with every new version of the day and is
compressed when stored; lz4 does that several times faster than PostgreSQL's default
(pglz). Only PostgreSQL servers built with lz4 (14 and later, as Debian's are) are
changed; the bodies already stored stay as they are until rewritten. SQLite: nothing.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_COLUMNS = (("summary_bodies", "body"), ("conflicts", "body"))


def _lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    found = bind.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'")).scalar()
    return bool(found)


def upgrade() -> None:
    if _lz4():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4():
        for table, column in _COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default")
