"""The fast start: the sale screen painted from the snapshot before SQLAlchemy is loaded,
the store opened just after; taps and scans made in between rung up, Pay held back; the
first run and a database to migrate take the full path as before."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pos import users
from pos.cart import cash
from pos.db import DB_FILENAME, Store, shipped_head, stored_revision
from tests.ui.conftest import CASHIER_PIN, click_tile, open_day, tile_row, type_text

ROOT = Path(__file__).resolve().parents[2]

FIRST_PAINT = """
import sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from ui.app import application, build, start

app = application()
ctx = start(Path(sys.argv[1]))
window = build(ctx)
print("fast" if not ctx.ready else "full", window.sale.model.rowCount(), flush=True)

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not hasattr(self, "seen"):
            self.seen = True
            print("painted", "sqlalchemy" in sys.modules, ctx.ready, flush=True)
            ctx.when_ready(lambda: (print("ready", "sqlalchemy" in sys.modules, flush=True),
                                    app.quit()))
        return False

window.installEventFilter(Painted(window))
window.show()
app.exec()
"""


def cashier(data_dir: Path) -> Any:
    store = Store.open(data_dir / DB_FILENAME)
    with store.read() as s:
        user = users.authenticate(s, CASHIER_PIN)
        s.expunge(user)
    store.close()
    return user


def starting_window(data_dir: Path, qtbot: Any) -> Any:
    """The main window of a fast start, signed in, before its store is open."""
    from ui.app import apply_direction, start
    from ui.main_window import MainWindow

    ctx = start(data_dir, "fr")
    assert not ctx.ready and ctx.snapshot is not None
    app = QApplication.instance()
    apply_direction(app, ctx)  # type: ignore[arg-type]
    ctx.user = cashier(data_dir)
    window = MainWindow(ctx, services=False)
    qtbot.addWidget(window)
    return window


def test_the_first_paint_needs_no_sqlalchemy(data_dir: Path) -> None:
    out = subprocess.run([sys.executable, "-c", FIRST_PAINT, str(data_dir)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split("\n")[:3] == ["fast 33", "painted False False", "ready True"]


def test_tiles_from_the_snapshot_then_the_store(qtbot: Any, data_dir: Path) -> None:
    open_day(data_dir)
    window = starting_window(data_dir, qtbot)
    sale = window.sale
    assert sale.model.rowCount() == 33
    assert sale.tabs.count() > 1
    assert not sale.pay.isEnabled()
    assert not sale.day_box.isVisibleTo(sale)  # the day is open: no notice, no flicker
    assert "Aicha" in window.user_status.text()
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.ctx.ready, timeout=5000)  # opened after the first paint
    assert sale.ready and sale.model.rowCount() == 33
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    assert len(sale.cart.lines) == 1 and sale.pay.isEnabled()
    total = sale.cart.totals().total
    assert sale.complete([cash(total, total)])
    window.close()
    window.ctx.close()


def test_taps_and_scans_before_the_store_opens_are_rung_up(
    qtbot: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_day(data_dir)
    window = starting_window(data_dir, qtbot)
    ctx = window.ctx
    opening = ctx.open_store
    monkeypatch.setattr(ctx, "open_store", lambda: None)  # held back while the seller taps
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    sale.scanned("6111245780016")  # ARG-250
    type_text(qtbot, sale.search, "miel")
    qtbot.mouseClick(sale.pay, Qt.MouseButton.LeftButton)
    assert not ctx.ready and sale.cart is None and not sale.pay.isEnabled()
    assert QApplication.activeModalWidget() is None  # no payment before the store is open
    opening()
    assert ctx.ready
    lines = {line.sku: line.quantity for line in sale.cart.lines}
    assert lines == {"AML-250": 2000, "ARG-250": 1000}
    assert sale.pay.isEnabled()
    assert 0 < sale.model.rowCount() < 33  # the search typed meanwhile applies
    total = sale.cart.totals().total
    assert sale.complete([cash(total, total)])
    with ctx.read() as s:
        from pos.models import Sale

        recorded = s.query(Sale).one()
        assert recorded.total == total and recorded.cashier_name == "Aicha"
    window.close()
    ctx.close()


def test_the_first_run_opens_the_store_and_the_wizard(tmp_path: Path) -> None:
    from ui.app import build, start

    ctx = start(tmp_path / "new", "fr")
    assert ctx.ready
    holder = build(ctx)
    assert holder.objectName() == "setupWindow"
    holder.close()
    ctx.close()


def test_a_database_to_migrate_is_migrated_before_anything_shows(tmp_path: Path) -> None:
    from ui.app import start

    path = tmp_path / DB_FILENAME
    shutil.copy(ROOT / "tests" / "pos" / "data" / "schema-0001.sqlite3", path)
    ctx = start(tmp_path, "fr")
    assert ctx.ready and stored_revision(path) == shipped_head()
    ctx.close()


def test_opening_the_app_skips_the_command_line_layer() -> None:
    from ui.main import app_options

    assert app_options([]) == (None, None)
    assert app_options(["--data-dir", "/x", "--lang=ar"]) == (Path("/x"), "ar")
    assert app_options(["--lang", "de"]) is None  # the full parser says what is wrong
    assert app_options(["sync"]) is None
    assert app_options(["--data-dir", "/x", "screenshots", "/y"]) is None
    assert app_options(["--help"]) is None
    assert app_options(["--data-dir"]) is None


def test_a_store_that_will_not_open_says_so_and_is_tried_again(
    qtbot: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.main_window
    from pos import db

    open_day(data_dir)
    window = starting_window(data_dir, qtbot)
    real_open = db.Store.open.__func__  # type: ignore[attr-defined]
    attempts: list[int] = []

    def locked_once(cls: type, path: Path, **kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database is locked")
        return real_open(cls, path, **kwargs)

    monkeypatch.setattr(db.Store, "open", classmethod(locked_once))
    monkeypatch.setattr(ui.main_window, "RETRY_OPEN_MS", 200)
    window.resize(1366, 768)
    window.show()
    sale = window.sale
    qtbot.waitUntil(lambda: sale.banner.isVisible(), timeout=5000)
    assert sale.banner.text() == window.ctx.t("ui.error.open_failed",
                                              detail=window.ctx.t("db.busy"))
    assert "n'a pas pu être ouverte" in sale.banner.text() and not window.ctx.ready
    click_tile(qtbot, window, tile_row(window, "AML-250"))  # kept until the store opens
    qtbot.waitUntil(lambda: window.ctx.ready, timeout=5000)
    assert len(attempts) == 2 and not sale.banner.isVisible()
    assert [line.sku for line in sale.cart.lines] == ["AML-250"]
    window.close()
    window.ctx.close()
