"""What a stall is told when SQLite cannot use its database: busy only when another writer
holds it, and otherwise why, in the stall's language."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pos.oserrors import database_problem


def _error(path: Path, uri: str, statement: str) -> sqlite3.OperationalError:
    with pytest.raises(sqlite3.OperationalError) as caught:
        connection = sqlite3.connect(uri, uri=True, timeout=0)
        try:
            connection.execute(statement)
        finally:
            connection.close()
    return caught.value


def test_a_writer_holding_the_database_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "souk.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        exc = _error(path, f"file:{path}", "BEGIN IMMEDIATE")
    finally:
        holder.close()
    busy = "La base de données est occupée ; réessayez."
    assert database_problem(exc, path).message("fr") == busy


def test_a_read_only_database_says_so_not_busy(tmp_path: Path) -> None:
    path = tmp_path / "souk.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    exc = _error(path, f"file:{path}?mode=ro", "INSERT INTO t VALUES (1)")
    message = database_problem(exc, path).message("fr")
    assert message.startswith(f"La base de données {path} est inutilisable : le disque ou la clé")
    assert "lecture seule" in message and "occupée" not in message
    assert "للقراءة فقط" in database_problem(exc, path).message("ar")
