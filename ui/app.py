"""Starting the stall app: the Qt application, fonts and style, the first-run wizard or
the main window, and the language (right-to-left for Arabic) switched live.

A stall that is set up and whose database needs no migration starts fast: the sale screen
is drawn from a :mod:`pos.snapshot` (plain ``sqlite3``), and the store, with SQLAlchemy,
opens just after the first paint. The first run (the wizard) and a database to migrate
open the store first, as before.

The app holds its data folder while it runs (:func:`hold_folder`): a second app on the
same folder says the first is open and stops, and no backup is restored under it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from pos.errors import RuleError, SoukError
from ui import theme
from ui.context import DB_FILENAME, AppContext

if TYPE_CHECKING:
    from pos.folder_lock import Held


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Souk POS")
    app.setOrganizationName("souk")
    theme.apply(app)
    return app


def apply_direction(app: QApplication, ctx: AppContext) -> None:
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if ctx.rtl else Qt.LayoutDirection.LeftToRight)


def setup_done(ctx: AppContext) -> bool:
    if not ctx.ready and ctx.snapshot is not None:
        return ctx.snapshot.setup_done
    from pos import settings

    with ctx.read() as s:
        return bool(settings.get(s, settings.SETUP_DONE))


def start(data_dir: Path, lang: str | None = None) -> AppContext:
    """The context to start with: from a snapshot when the stall is set up and its
    database current (the store opens after the first paint), else with the store open
    (and migrated) now."""
    from pos import snapshot

    snap = snapshot.read(data_dir / DB_FILENAME)
    if snap is not None and snap.setup_done:
        return AppContext.starting(data_dir, snap, lang)
    return AppContext.open(data_dir, lang)

def build(ctx: AppContext) -> QMainWindow:
    """The window to show: the main window, or the wizard that leads to it."""
    from ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_direction(app, ctx)
    ctx.language_changed.connect(lambda _l: apply_direction(app, ctx))
    if setup_done(ctx):
        return MainWindow(ctx)
    from ui.wizard import SetupWizard

    holder = QMainWindow()
    holder.setObjectName("setupWindow")
    wizard = SetupWizard(ctx)
    holder.setCentralWidget(wizard)
    holder.resize(1366, 768)

    def done() -> None:
        window = MainWindow(ctx)
        holder.setProperty("next", window)
        window.show()
        holder.hide()

    wizard.completed.connect(done)
    return holder


def hold_folder(data_dir: Path) -> list[Held]:
    """The data folder held for as long as the app runs: alone as *the* app (a second app
    on the same folder is refused), shared as a user of the database (no backup is
    restored under it). The operating system lets go of both when the app ends, crashes
    included. Raises the error to tell the user."""
    from pos.folder_lock import APP_LOCK_FILENAME, alone, shared

    data_dir.mkdir(parents=True, exist_ok=True)
    instance = alone(data_dir, APP_LOCK_FILENAME)
    if instance is None:
        raise RuleError("ui.app.already_open", path=str(data_dir))
    try:
        return [instance, shared(data_dir)]
    except BaseException:
        instance.release()
        raise


def refuse_start(app: QApplication, data_dir: Path, lang: str | None, error: SoukError
                 ) -> None:
    """Say why the app does not start, in a window (a seller starts it from an icon, with
    no terminal to read); :func:`ui.main.open_app` prints it as well."""
    from PySide6.QtWidgets import QMessageBox

    from pos.files import saved_language
    from pos.i18n import is_rtl, normalise_language, tr

    lang = normalise_language(lang or saved_language(data_dir / DB_FILENAME))
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if is_rtl(lang)
                           else Qt.LayoutDirection.LeftToRight)
    box = QMessageBox(QMessageBox.Icon.Information, tr(lang, "ui.app.title"),
                      error.message(lang), QMessageBox.StandardButton.Ok)
    box.setObjectName("notStarted")
    box.exec()


def run_app(data_dir: Path, lang: str | None = None) -> int:
    app = application()
    try:
        held = hold_folder(data_dir)
    except SoukError as exc:
        refuse_start(app, data_dir, lang, exc)
        raise
    try:
        ctx = start(data_dir, lang)
        window = build(ctx)
        window.show()
        code = app.exec()
        ctx.close()
    finally:
        for lock in held:
            lock.release()
    return int(code)
