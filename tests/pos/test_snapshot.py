"""The first screen's read-only snapshot: plain sqlite3, the same rows as the ORM, and
nothing when the schema is not the shipped one."""

from __future__ import annotations

import ast
import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

from pos import catalogue, day, settings, snapshot
from pos.cart import CartLine
from pos.db import DB_FILENAME, Store, shipped_head, stored_revision
from pos.models import Product, User

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")


def test_importing_the_snapshot_loads_no_sqlalchemy() -> None:
    code = ("import sys, pos.snapshot; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'alembic', 'pos')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    loaded = set(ast.literal_eval(out.stdout.strip()))
    assert loaded <= {"pos", "pos.snapshot", "pos.files", "pos.i18n", "pos.cldr"}, loaded


def test_the_snapshot_holds_what_the_orm_reads(
    store: Store, open_day: int, products: dict[str, Product]
) -> None:
    with store.write() as s:
        settings.put(s, settings.LANGUAGE, "ar")
        settings.put(s, settings.SETUP_DONE, True)
        settings.put(s, settings.COOPERATIVE, {"name_ar": "تعاونية", "name_fr": "Coop"})
        settings.put(s, settings.PRINTER, {"connection": "file", "device": "/tmp/x"})
        s.get(Product, products["ARG-250"].id).active = False  # type: ignore[union-attr]
    snap = snapshot.read(store.path)
    assert snap is not None
    assert snap.language == "ar" and snap.setup_done
    assert snap.cooperative == {"name_ar": "تعاونية", "name_fr": "Coop"}
    assert snap.printer["connection"] == "file"
    with store.read() as s:
        active = catalogue.all_products(s)
        assert snap.categories == tuple(catalogue.categories(s))
        current = day.current_day(s)
    assert [p.id for p in snap.products] == [p.id for p in active]
    assert "ARG-250" not in {p.sku for p in snap.products}
    for row, product in zip(snap.products, active, strict=True):
        for f in dataclasses.fields(row):
            assert getattr(row, f.name) == getattr(product, f.name), f.name
    assert current is not None and snap.open_day is not None
    assert (snap.open_day.id, snap.open_day.date, snap.open_day.opening_float) == (
        current.id, current.date, current.opening_float)


def test_a_cart_line_is_the_same_from_either(store: Store, products: dict[str, Product]) -> None:
    snap = snapshot.read(store.path)
    assert snap is not None
    row = next(p for p in snap.products if p.sku == "ARG-250")
    assert CartLine.of(row, 2000) == CartLine.of(products["ARG-250"], 2000)


def test_a_new_stall_has_empty_settings_and_no_day(store: Store) -> None:
    snap = snapshot.read(store.path)
    assert snap is not None
    assert snap.products == () and snap.categories == () and snap.open_day is None
    assert snap.language is None and not snap.setup_done and snap.cooperative == {}


def test_no_snapshot_without_a_database_or_with_one_to_migrate(tmp_path: Path) -> None:
    assert snapshot.read(tmp_path / DB_FILENAME) is None
    old = tmp_path / "old" / DB_FILENAME
    old.parent.mkdir()
    shutil.copy(DATA / "schema-0001.sqlite3", old)
    assert stored_revision(old) != shipped_head()
    assert snapshot.read(old) is None
    junk = tmp_path / "junk" / DB_FILENAME
    junk.parent.mkdir()
    junk.write_bytes(b"not a database at all" * 100)
    assert snapshot.read(junk) is None


def test_reading_writes_nothing(store: Store, staff: tuple[User, User]) -> None:
    before = store.path.read_bytes()
    assert snapshot.read(store.path) is not None
    assert store.path.read_bytes() == before
