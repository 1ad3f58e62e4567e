"""Starting the stall app: the Qt application, fonts and style, the first-run wizard or
the main window, and the language (right-to-left for Arabic) switched live.

A stall that is set up and whose database needs no migration starts fast: the sale screen
is drawn from a :mod:`pos.snapshot` (plain ``sqlite3``), and the store, with SQLAlchemy,
opens just after the first paint. The first run (the wizard) and a database to migrate
open the store first, as before.

The app holds its data folder while it runs (:func:`hold_folder`): a second app on the
same folder says the first is open and stops, and no backup is restored under it. A
backup the manager restores from the app (Settings → Backups, or on a new laptop before
the first-run wizard) is restored once its window has closed and let go of the database
(:func:`request_restore`); the app then opens again on it and says what the restore did."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

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
    _offer_restore(ctx, holder)
    holder.resize(1366, 768)

    def done() -> None:
        window = MainWindow(ctx)
        holder.setProperty("next", window)
        window.show()
        holder.hide()

    wizard.completed.connect(done)
    return holder


class _InCorner(QObject):
    """Keeps ``widget`` in the top corner of the window it watches (the end of the reading
    line: right in French, left in Arabic), above its central widget's title, which keeps
    the whole window (the wizard fits a small screen)."""

    def __init__(self, window: QWidget, widget: QWidget) -> None:
        super().__init__(window)
        self.window, self.widget = window, widget
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() in (
                QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutDirectionChange):
            self.place()
        return False

    def place(self) -> None:
        self.widget.adjustSize()
        size, margin = self.widget.size(), 12
        x = (margin if self.window.isRightToLeft()
             else self.window.width() - size.width() - margin)
        self.widget.move(x, margin)
        self.widget.raise_()


def _offer_restore(ctx: AppContext, holder: QMainWindow) -> None:
    """Beside the wizard, a way for a new laptop to start from a backup of the till instead
    (the USB stick of a laptop that died)."""
    from ui.settings_screen import pick_backup
    from ui.widgets import button

    restore = button("setupRestore")
    restore.setParent(holder)
    corner = _InCorner(holder, restore)

    def label(_lang: str = "") -> None:
        restore.setText(ctx.t("ui.backup.restore_new_laptop"))
        corner.place()

    label()
    restore.clicked.connect(lambda: pick_backup(ctx, holder, None))
    ctx.language_changed.connect(label)


RESTORE_FROM: Final = "restoreFrom"  # the application's property: the backup to restore


def request_restore(window: QWidget, backup_path: Path) -> bool:
    """Close ``window`` (the app's) for ``backup_path`` to be restored once it has let go
    of the database (:func:`run_app`). False when the window stays open (the seller chose
    not to close it over a cart): nothing is restored."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setProperty(RESTORE_FROM, str(backup_path))
    window.close()
    if window.isVisible() and not getattr(window, "leaving", False):  # not a receipt finishing
        app.setProperty(RESTORE_FROM, None)
        return False
    return True


def restore_requested() -> Path | None:
    """The backup :func:`request_restore` asked for, taken (asked once)."""
    app = QApplication.instance()
    if app is None:
        return None
    chosen = app.property(RESTORE_FROM)
    app.setProperty(RESTORE_FROM, None)
    return Path(chosen) if chosen else None


def restore_now(data_dir: Path, held: list[Held], backup_path: Path, lang: str
                ) -> tuple[bool, str]:
    """Restore ``backup_path`` into ``data_dir`` while the app, its window closed, holds the
    folder as *the* app only (``held``: from :func:`hold_folder`; its shared hold is let go
    for the restore and taken again). (whether it was restored, what to tell the
    manager)."""
    from pos import backup
    from pos.folder_lock import shared
    from pos.i18n import tr

    db_path = data_dir / DB_FILENAME
    held[1].release()
    try:
        kept = backup.restore(db_path, backup_path)
    except SoukError as exc:
        return False, tr(lang, "ui.backup.restore_failed", reason=exc.message(lang))
    except OSError as exc:
        from pos import oserrors

        return False, tr(lang, "ui.backup.restore_failed",
                         reason=oserrors.reason(exc).message(lang))
    finally:
        held[1] = shared(data_dir)
    return True, "\n\n".join(backup.after_text(lang, db_path, backup_path, kept, names=True))


def tell_restored(ctx: AppContext, window: QWidget, restored: bool, text: str) -> QWidget:
    """Say over the reopened ``window`` what the restore did (or why it was not done),
    whole: the dialog is as tall as its text needs at its width."""
    from ui.widgets import Dialog, label

    name = "restoreDone" if restored else "restoreFailed"
    dialog = Dialog(ctx, window, name, "ui.backup.restore_title")
    said = label(f"{name}Text", style="" if restored else "alert", wrap=True)
    said.setText(text.replace("-", "-\u2060"))  # a file's name or a ticket's is never cut
    said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    dialog.body.addWidget(said)
    dialog.setAccessibleDescription(text)
    dialog.cancel.hide()
    dialog.fit(680)
    dialog.open()
    return dialog


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
        said: tuple[bool, str] | None = None
        while True:
            ctx = start(data_dir, lang)
            window = build(ctx)
            window.show()
            if said is not None:
                QTimer.singleShot(0, partial(tell_restored, ctx, window, *said))
            code = app.exec()
            ctx.close()
            chosen = restore_requested()
            if chosen is None:
                break
            said = restore_now(data_dir, held, chosen, ctx.lang)
    finally:
        for lock in held:
            lock.release()
    return int(code)
