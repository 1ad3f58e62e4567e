"""Restoring a backup from the app, as a manager does after the laptop died or a bad day:
the Backups tab lists each backup by its date, why it was written and how many sales it
holds, in French and Arabic; a chosen one is restored after a question that counts the
sales this till holds that it lacks (set aside, never lost) and the manager's PIN; the app
closes, restores and opens again on it. A new laptop restores one before the first-run
wizard. A file that is no backup, or a newer version's, is refused in words."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton
from sqlalchemy import select

from pos import backup, demo, held
from pos.cart import Cart
from pos.db import DB_FILENAME, Store
from pos.i18n import ltr
from pos.models import Product
from tests.ui.conftest import MANAGER_PIN, on_modal, type_pin
from ui import app as ui_app
from ui.settings_screen import pick_backup
from ui.widgets import unbroken


def sale_ids(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM sale WHERE kind = 'sale'")}


def sell(data_dir: Path, *, days: int, per_day: int, seed: int) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    try:
        demo.demo_sales(store, days=days, per_day=per_day, seed=seed)
    finally:
        store.close()


def park_a_cart(data_dir: Path) -> None:
    store = Store.open(data_dir / DB_FILENAME)
    try:
        with store.write() as s:
            oil = s.scalars(select(Product).where(Product.sku == "ARG-250")).one()
            cart = Cart()
            cart.add(oil, 2000)
            held.park(s, cart, cashier_name="Aicha")
    finally:
        store.close()


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def _no_restore_left_asked() -> Any:
    yield
    ui_app.restore_requested()


def backups_tab(window: Any) -> Any:
    window.show_screen("settings")
    screen = window.settings
    screen.tabs.setCurrentIndex([key for _p, key in screen.pages].index("ui.settings.backups"))
    screen.refresh()
    return screen


def rows(screen: Any) -> list[str]:
    return [screen.backup_list.item(i).text() for i in range(screen.backup_list.count())]


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("à la clôture du jour · 12 ventes, 3 jours (le dernier le ", "Ko")),
    ("ar", ("عند إغلاق اليوم · 12 عملية بيع، 3 أيام (آخرها يوم ", "كيلوبايت")),
])
def test_each_backup_says_when_why_and_how_many_sales_it_holds(
        make_window: Any, data_dir: Path, lang: str, words: tuple[str, str]) -> None:
    sell(data_dir, days=3, per_day=4, seed=1)
    written = backup.backup_to(data_dir / DB_FILENAME, None, label="z").path
    damaged = written.with_name("souk-20200101-080000-000000-z.sqlite3")
    damaged.write_bytes(written.read_bytes()[:2048])
    window = make_window(lang=lang)
    screen = backups_tab(window)
    first, second = rows(screen)
    stamp = written.name[5:13]
    assert f"{stamp[6:]}/{stamp[4:6]}/{stamp[:4]}" in first  # the date as the app writes it
    for word in words:
        assert word in first
    assert "souk-" not in first  # not the file's name
    assert damaged.name in second and ("illisible" in second or "تتعذّر قراءتها" in second)
    if lang == "ar":
        assert first.startswith("\u200f")  # laid out right to left, the date first


def test_restoring_the_chosen_backup_keeps_the_sales_since_aside_and_reopens_on_it(
        qtbot: Any, make_window: Any, data_dir: Path, stick: Path) -> None:
    sell(data_dir, days=3, per_day=4, seed=1)
    with closing(sqlite3.connect(data_dir / DB_FILENAME)) as conn, conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('backup_folder', ?)",
                     (f'"{stick}"',))
    written = backup.backup_to(data_dir / DB_FILENAME, str(stick), label="z")
    assert written.missed is None and written.path.parent == stick
    in_backup = sale_ids(written.path)
    sell(data_dir, days=1, per_day=2, seed=2)  # sold after the backup
    park_a_cart(data_dir)  # and a customer's cart parked while she fetches cash
    everything = sale_ids(data_dir / DB_FILENAME)
    assert len(everything - in_backup) == 2
    window = make_window(lang="fr")
    screen = backups_tab(window)

    restore = screen.findChild(QPushButton, "backupRestore")
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert "Choisissez d'abord une sauvegarde dans la liste." in screen.banner.text()
    assert ui_app.restore_requested() is None

    row = next(i for i in range(screen.backup_list.count())
               if screen.backup_list.item(i).data(Qt.ItemDataRole.UserRole) == str(written.path))
    screen.backup_list.setCurrentRow(row)
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        text = dialog.findChild(QLabel, "restoreBackupText")
        asked.append(text.text())
        assert text.height() >= text.heightForWidth(text.width())  # shown whole, not cut
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    on_modal("restoreBackup", answer)
    on_modal("pinDialog", lambda pin: type_pin(qtbot, pin, MANAGER_PIN))
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    (question,) = asked
    assert "12 ventes, 3 jours" in question
    assert "Ventes de cette caisse absentes de cette sauvegarde\u00a0: 2 (" in question
    assert "jamais effacées" in question
    assert ("Paniers gardés sur cette caisse (en attente, ou en cours) absents de cette "
            "sauvegarde\u00a0: 1.") in question
    assert "autre caisse" not in question
    assert not window.isVisible()  # the app closes for the restore
    window.ctx.store.close()

    chosen = ui_app.restore_requested()
    assert chosen == written.path
    held = ui_app.hold_folder(data_dir)
    try:
        restored, said = ui_app.restore_now(data_dir, held, chosen, "fr")
    finally:
        for lock in held:
            lock.release()
    assert restored, said
    assert "Ventes de cette caisse absentes de la sauvegarde\u00a0: 2 (" in said
    assert sale_ids(data_dir / DB_FILENAME) == in_backup
    (kept,) = data_dir.glob("souk-before-restore-*.sqlite3")
    assert sale_ids(kept) == everything  # the two sales since are kept, not lost
    with closing(sqlite3.connect(kept)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM held_cart WHERE state = 'parked'"
                            ).fetchone() == (1,)
    box = ui_app.tell_restored(window.ctx, screen, restored, said)
    told = box.findChild(QLabel, "restoreDoneText")
    assert "Le prochain ticket sera" in told.text()
    assert told.height() >= told.heightForWidth(told.width())  # shown whole
    box.close()


def test_a_cancelled_question_restores_nothing(
        qtbot: Any, make_window: Any, data_dir: Path) -> None:
    sell(data_dir, days=1, per_day=2, seed=1)
    written = backup.backup_to(data_dir / DB_FILENAME, None).path
    window = make_window(lang="ar")
    screen = backups_tab(window)
    screen.backup_list.setCurrentRow(0)
    on_modal("restoreBackup", lambda dialog: qtbot.mouseClick(dialog.cancel,
                                                              Qt.MouseButton.LeftButton))
    assert not pick_backup(window.ctx, screen, written, screen.banner)
    assert window.isVisible()
    assert ui_app.restore_requested() is None


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "version plus récente de Souk POS"),
    ("ar", "بإصدار أحدث من Souk POS"),
])
def test_a_newer_versions_backup_picked_from_the_disk_is_refused_in_words(
        qtbot: Any, make_window: Any, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, lang: str, words: str) -> None:
    newer = tmp_path / "souk-newer.sqlite3"
    shutil.copyfile(data_dir / DB_FILENAME, newer)
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a: (str(newer), "")))
    window = make_window(lang=lang)
    screen = backups_tab(window)
    before = (data_dir / DB_FILENAME).stat().st_size
    qtbot.mouseClick(screen.findChild(QPushButton, "backupRestoreFile"),
                     Qt.MouseButton.LeftButton)
    assert words in screen.banner.text()
    assert window.isVisible() and ui_app.restore_requested() is None
    assert (data_dir / DB_FILENAME).stat().st_size == before


def test_a_new_laptop_restores_the_stick_before_the_wizard(
        qtbot: Any, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sell(data_dir, days=2, per_day=3, seed=1)
    backup_path = backup.backup_to(data_dir / DB_FILENAME, None, label="z").path
    new = tmp_path / "new-laptop"
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a: (str(backup_path), "")))
    held = ui_app.hold_folder(new)
    try:
        ctx = ui_app.start(new, "fr")
        holder = ui_app.build(ctx)
        qtbot.addWidget(holder)
        holder.show()
        qtbot.waitExposed(holder)
        asked: list[str] = []

        def answer(dialog: Any) -> None:
            asked.append(dialog.accessibleDescription())
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

        on_modal("restoreBackup", answer)
        button = holder.findChild(QPushButton, "setupRestore")
        assert button.text() == "Nouvel ordinateur\u00a0? Restaurer une sauvegarde…"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        (question,) = asked
        assert "6 ventes, 2 jours" in question
        assert "absentes" not in question  # nothing on this laptop to set aside
        assert not holder.isVisible()
        ctx.close()
        chosen = ui_app.restore_requested()
        assert chosen == backup_path
        restored, said = ui_app.restore_now(new, held, chosen, "fr")
    finally:
        for lock in held:
            lock.release()
    assert restored, said
    assert sale_ids(new / DB_FILENAME) == sale_ids(backup_path)
    assert "portent la marque de la restauration" in said  # a new laptop: marked numbers


def test_a_day_closed_with_the_stick_pulled_says_in_arabic_what_to_do(
        qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = make_window(lang="ar")
    window.show_screen("day")
    screen = window.day
    stick = tmp_path / "media" / "USB"  # chosen, then pulled
    screen.backup_after_close(3, str(stick))
    qtbot.waitUntil(lambda: screen.backup_task.isFinished(), timeout=10000)
    qtbot.waitUntil(screen.banner.isVisible, timeout=5000)
    (kept,) = backup.list_backups(window.ctx.db_path)
    said = screen.banner.text()
    assert "ثم اضغط «نسخة احتياطية الآن» في الإعدادات ← النسخ الاحتياطية" in said
    assert said.endswith("كُتبت النسخة الاحتياطية في مجلد الحاسوب نفسه: "
                         f"{ltr(unbroken(str(kept)), 'ar')}")


RESTORING_APP = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from ui.app import application, request_restore
from ui.main import main

app = application()
opened = []


def watch():  # the first window asks for the restore; the second says what was done
    window = next((w for w in app.topLevelWidgets() if w.isVisible()
                   and w.objectName() in ("mainWindow", "setupWindow")), None)
    if window is None or window in opened:
        QTimer.singleShot(20, watch)
        return
    opened.append(window)
    if len(opened) == 1:
        print("asked:", request_restore(window, Path(sys.argv[2])), flush=True)
        QTimer.singleShot(20, watch)
        return
    box = app.activeModalWidget() or next(
        (w for w in app.topLevelWidgets() if w.objectName() == "restoreDone"), None)
    if box is None:
        opened.pop()
        QTimer.singleShot(20, watch)
        return
    text = box.findChild(QLabel, box.objectName() + "Text").text()
    print("told:", box.objectName(), text.replace(chr(10), " "), flush=True)
    box.accept()
    window.close()


QTimer.singleShot(0, watch)
sys.exit(main(["--data-dir", sys.argv[1], "--lang", "fr"]))
"""


def test_the_app_closes_restores_and_opens_again_on_the_backup(
        data_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    sell(data_dir, days=2, per_day=3, seed=1)
    written = backup.backup_to(data_dir / DB_FILENAME, None, label="z").path
    sell(data_dir, days=1, per_day=2, seed=2)
    everything = sale_ids(data_dir / DB_FILENAME)
    ran = subprocess.run([sys.executable, "-c", RESTORING_APP, str(data_dir), str(written)],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "asked: True"
    assert lines[1].startswith("told: restoreDone Restauré depuis ")
    assert "Ventes de cette caisse absentes de la sauvegarde\u00a0: 2 (" in lines[1]
    assert sale_ids(data_dir / DB_FILENAME) == sale_ids(written)
    (kept,) = data_dir.glob("souk-before-restore-*.sqlite3")
    assert sale_ids(kept) == everything
