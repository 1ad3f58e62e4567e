"""Alembic environment for the stall database (batch mode, for SQLite).

Batch migrations rebuild tables, so foreign keys are off while they run (SQLite only
allows that outside a transaction) and checked once they are done.
"""

import sqlite3

from alembic import context

from pos.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    connection.commit()
    raw.execute("PRAGMA foreign_keys=ON")
