"""Fixtures for driving the real widgets: a stall database in tmp_path with the demo
catalogue, a manager and a cashier, and an open day."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from pos import day, demo, settings, users
from pos.db import DB_FILENAME, Store

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
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
        window.ctx.store.close()
    QApplication.instance().setLayoutDirection(QApplication.instance().layoutDirection().LeftToRight)  # type: ignore[union-attr]


def on_modal(handler: Callable[[QWidget], None], *, timeout_ms: int = 5000) -> None:
    """Run ``handler(dialog)`` as soon as a modal dialog is shown (dialogs block in exec)."""
    waited = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.isVisible():
            handler(dialog)
            return
        waited[0] += 10
        if waited[0] < timeout_ms:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
