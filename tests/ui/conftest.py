"""Fixtures for driving the real widgets: a stall database in tmp_path with the demo
catalogue, a manager and a cashier, and an open day."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from pos import day, demo, settings, users
from pos.db import DB_FILENAME, Store
from pos.journal import verify
from pos.models import JournalEntry

MANAGER_PIN = "4321"
CASHIER_PIN = "1111"


def _prepare(folder: Path) -> None:
    store = Store.open(folder / DB_FILENAME)
    with store.write() as s:
        settings.device_id(s)
        settings.put(s, settings.COOPERATIVE, {"name_ar": "تعاونية أركان", "name_fr":
                                               "Coopérative Argan", "ice": "001234567000089",
                                               "city": "Fès"})
        demo.load_catalogue(s)
        users.add_user(s, "Fatima", users.MANAGER, MANAGER_PIN)
        users.add_user(s, "Aicha", users.CASHIER, CASHIER_PIN)
        settings.put(s, settings.SETUP_DONE, True)
        settings.put(s, settings.LANGUAGE, "fr")
    store.close()


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stall database built once per worker and copied into each test."""
    folder = tmp_path_factory.mktemp("prepared")
    _prepare(folder)
    return folder / DB_FILENAME


@pytest.fixture
def data_dir(tmp_path: Path, prepared_db: Path) -> Path:
    shutil.copyfile(prepared_db, tmp_path / DB_FILENAME)
    return tmp_path


def open_day(data_dir: Path, float_centimes: int = 50000) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    with store.write() as s:
        manager = next(u for u in users.active_users(s) if u.role == users.MANAGER)
        day.open_day(s, float_centimes, user=manager)
    store.close()


@pytest.fixture
def make_window(qtbot: Any, data_dir: Path) -> Iterator[Callable[..., Any]]:
    """Build the main window signed in as the cashier (optionally with the day open)."""
    from ui.app import application, apply_direction
    from ui.context import AppContext
    from ui.main_window import MainWindow

    made: list[Any] = []

    def make(*, lang: str = "fr", day_open: bool = True, signed_in: bool = True,
             size: tuple[int, int] = (1366, 768)) -> Any:
        if day_open:
            open_day(data_dir)
        app = application()
        ctx = AppContext.open(data_dir, lang)
        apply_direction(app, ctx)
        ctx.language_changed.connect(lambda _l: apply_direction(app, ctx))
        if signed_in:
            with ctx.read() as s:
                cashier = users.authenticate(s, CASHIER_PIN)
                s.expunge(cashier)
            ctx.user = cashier
        window = MainWindow(ctx, services=False)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()
        qtbot.waitUntil(window.isActiveWindow)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
        window.ctx.store.close()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


_test_number = [0]  # which test is running: a watcher of on_modal ends with its test


@pytest.fixture(autouse=True)
def _modal_watchers_end_with_the_test() -> Iterator[None]:
    yield
    _test_number[0] += 1


def on_modal(name: str, handler: Callable[[Any], None], *, timeout_ms: int = 5000) -> None:
    """Run ``handler(dialog)`` as soon as the modal dialog ``name`` is shown (dialogs block
    in ``exec``, so the test's steps inside them are scheduled beforehand). A watcher whose
    dialog never came stops with its test, so it cannot answer a later test's dialog."""
    waited = [0]
    test = _test_number[0]

    def poll() -> None:
        if _test_number[0] != test:
            return
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.isVisible() and dialog.objectName() == name:
            handler(dialog)
            return
        waited[0] += 10
        if waited[0] < timeout_ms:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def click_tile(qtbot: Any, window: Any, row: int) -> None:
    """Tap the product tile at ``row`` of the grid, as a finger would."""
    grid = window.sale.grid
    grid.doItemsLayout()
    index = grid.model().index(row, 0)
    grid.scrollTo(index)
    rect = grid.visualRect(index)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def tile_row(window: Any, sku: str) -> int:
    products = window.sale.model.products
    return next(i for i, p in enumerate(products) if p.sku == sku)


def type_pin(qtbot: Any, dialog: Any, pin: str) -> None:
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def type_text(qtbot: Any, widget: Any, text: str) -> None:
    """Type ``text`` key by key, Arabic and accented letters included (QTest only knows
    ASCII keys, so those are sent as key events carrying their text, as an input method
    would)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def choose_logo(qtbot: Any, monkeypatch: Any, choose: Any, logo: Path) -> list[str]:
    """Press the logo's Choose… button ``choose`` and pick ``logo``, a small picture made
    here (the file dialog answers as a person would); the filters the dialog offered."""
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtWidgets import QFileDialog

    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("darkgreen"))
    assert image.save(str(logo))
    asked: list[str] = []

    def pick(_parent: Any, _caption: str, _folder: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return str(logo), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    return asked


def journal_kinds(window: Any) -> list[str]:
    """The kinds of the window's journal records, oldest first, once ``verify`` passed."""
    conn = sqlite3.connect(window.ctx.data_dir / DB_FILENAME)
    try:
        assert verify(conn).ok
    finally:
        conn.close()
    with window.ctx.read() as s:
        return list(s.scalars(select(JournalEntry.kind).order_by(JournalEntry.seq)))
