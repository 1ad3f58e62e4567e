"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sync.server.db import Database
from sync.server.models import Base


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() is not None


def test_migrating_again_is_harmless(db: Database) -> None:
    db.migrate()
    db.migrate()
    assert "day_summaries" in inspect(db.engine).get_table_names()
    assert len(db.session_key()) == 32
    assert db.session_key() == db.session_key()  # made once, then kept
