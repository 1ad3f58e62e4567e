"""The cart written as it is rung up while another program holds the database's write
lock (a backup tool, a second process, an antivirus): the till's own writes wait only a
moment, so that the seller's taps never wait for them; the cart is tried again and written
once the lock goes, the latest cart, which a restart brings back; the screen says it is not
written only when that lasts, and no more once it is, and so does the status bar on every
screen (a seller who went to today's sales, the day or the settings sees it there, and
closing the till still asks). The seller's own steps (a sale) still wait for the lock as
long as ever."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from sqlalchemy import event

from pos import db as pos_db
from pos import held
from pos.db import DB_FILENAME
from tests.conftest import Clock
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_close_cart_unwritten import close_asked, lock_writes
from tests.ui.test_sale_flow import pay_cash, sales
from tests.ui.test_status_bar_and_banner import SMALL, settle, whole_or_short
from ui import sale as sale_screen
from ui.theme import DANGER

NOT_KEPT = ("Le panier en cours n'a pas été écrit dans la base de données\u00a0; il reste à "
            "l'écran. (La base de données est occupée\u00a0; la caisse réessaie "
            "automatiquement.)")


def statements(window: Any) -> list[str]:
    """The statements the till runs on its database from now on."""
    run: list[str] = []

    def watch(dbapi_connection: sqlite3.Connection, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(run.append)

    event.listen(window.ctx.store.engine.pool, "checkout", watch)
    return run


def begun(run: list[str]) -> int:
    return sum(sql.startswith("BEGIN IMMEDIATE") for sql in run)


def kept_skus(data_dir: Path) -> list[str] | None:
    """The lines of the cart in progress as the file holds it, read by another program."""
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        row = conn.execute("SELECT data FROM held_cart WHERE state = 'current'").fetchone()
    finally:
        conn.close()
    return None if row is None else [line.sku for line in held.loads(row[0])[0].lines]


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The till tries the cart again after milliseconds rather than seconds."""
    monkeypatch.setattr(sale_screen, "KEEP_IDLE_MS", 20)


NOT_WRITTEN = {"ar": "لم تُكتب السلة: قاعدة البيانات مشغولة",
               "fr": "Panier non écrit\u00a0: base de données occupée",
               "en": "Cart not written: database busy"}
WHOLE = {"ar": "لم تُكتب السلة قيد التسجيل في قاعدة البيانات، وهي باقية على الشاشة. (قاعدة "
               "البيانات مشغولة؛ يعيد الصندوق المحاولة من تلقاء نفسه.)",
         "fr": NOT_KEPT,
         "en": "The cart in progress was not written to the database; it stays on the screen. "
               "(The database is busy; the till keeps trying by itself.)"}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_cart_not_written_is_said_on_every_screen_until_it_is(
    qtbot: Any, make_window: Any, data_dir: Path, quick_retries: None,
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setattr(pos_db, "BUSY_TIMEOUT_MS", 150)  # the close question's own write
    window = make_window(lang=lang, size=SMALL)
    window.confirm_close = True
    sale = window.sale
    clock = Clock()
    sale.clock = clock
    run = statements(window)
    other = lock_writes(data_dir)
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    qtbot.keyClick(sale.search, Qt.Key.Key_F2)  # today's sales, before the cart is written
    assert window.current_screen() == "sales"
    qtbot.waitUntil(lambda: begun(run) >= 2)
    status = window.cart_status
    assert status.isHidden()  # a lock held for a moment is nobody's business

    clock.now += sale_screen.KEEP_SAY_AFTER_S  # it lasts
    qtbot.waitUntil(status.isVisible)
    settle()
    assert window.current_screen() == "sales"
    assert status.text() == NOT_WRITTEN[lang] and whole_or_short(status)
    assert status.toolTip() == WHOLE[lang]
    assert status.palette().color(status.foregroundRole()) == QColor(DANGER)
    place = QRect(status.mapTo(window, QPoint(0, 0)), status.size())
    assert window.rect().contains(place)
    # first in the reading order: at the right end of the bar in Arabic, else at the left
    assert (place.center().x() > window.width() // 2) == (lang == "ar")
    for name in ("day", "products", "settings"):
        window.show_screen(name)
        settle()
        assert status.isVisible() and whole_or_short(status), name

    closed, question = close_asked(qtbot, window, "cancel")  # from the settings
    assert not closed and window.isVisible()
    assert question == {
        "ar": "تعذّر حفظ السلة قيد التسجيل في قاعدة البيانات (الرسالة الحمراء أسفل النافذة "
              "تبيّن السبب): الإغلاق الآن يُضيّعها.\nهل تريد الإغلاق رغم ذلك؟",
        "fr": "Le panier en cours n'a pas pu être écrit dans la base de données (le message "
              "en rouge en bas de la fenêtre dit pourquoi)\u00a0: fermer maintenant le "
              "perd.\nFermer quand même\u00a0?",
        "en": "The cart in progress could not be written to the database (the red message at "
              "the bottom of the window says why): closing now loses it.\nClose anyway?"}[lang]
    assert status.isVisible()

    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: kept_skus(data_dir) == ["AML-250"])
    assert status.isHidden()  # the message goes with the trouble
    assert window.current_screen() == "settings"
    window.confirm_close = False


def test_taps_never_wait_for_a_busy_database_and_the_latest_cart_is_kept_once_it_is_free(
    qtbot: Any, make_window: Any, data_dir: Path, quick_retries: None
) -> None:
    window = make_window()
    sale = window.sale
    clock = Clock()
    sale.clock = clock
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    qtbot.waitUntil(lambda: kept_skus(data_dir) == ["AML-250"])
    run = statements(window)
    other = lock_writes(data_dir)

    click_tile(qtbot, window, tile_row(window, "THY-50"))
    qtbot.waitUntil(lambda: begun(run) >= 1)  # written by itself, a moment after the tap
    first = run.index("BEGIN IMMEDIATE")
    # that write waited a moment for the lock, not a sale's 10 s, on that connection only
    assert run[first - 1] == f"PRAGMA busy_timeout={sale_screen.KEEP_WAIT_MS}"
    assert f"PRAGMA busy_timeout={pos_db.BUSY_TIMEOUT_MS}" in run[first:]
    click_tile(qtbot, window, tile_row(window, "SAF-1G"))  # the till answers meanwhile
    qtbot.waitUntil(lambda: begun(run) >= 3)  # and tries again
    assert [line.sku for line in sale.cart.lines] == ["AML-250", "THY-50", "SAF-1G"]
    assert kept_skus(data_dir) == ["AML-250"]
    assert sale.banner.isHidden()  # a lock held for a moment is nobody's business

    clock.now += sale_screen.KEEP_SAY_AFTER_S  # it lasts
    tries = begun(run)
    qtbot.waitUntil(lambda: begun(run) > tries)
    assert sale.banner.isVisible() and sale.banner.text() == NOT_KEPT

    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: kept_skus(data_dir) == ["AML-250", "THY-50", "SAF-1G"])
    assert sale.banner.isHidden()  # the message goes with the trouble
    tries = begun(run)
    click_tile(qtbot, window, tile_row(window, "ARG-250"))  # tapped and written as usual
    qtbot.waitUntil(lambda: kept_skus(data_dir) == ["AML-250", "THY-50", "SAF-1G", "ARG-250"])
    assert begun(run) == tries + 1

    window.close()
    window.ctx.store.close()
    again = make_window(day_open=False)
    assert [line.sku for line in again.sale.cart.lines] == [
        "AML-250", "THY-50", "SAF-1G", "ARG-250"]


def test_once_said_the_cart_waiting_covers_no_later_message(
    qtbot: Any, make_window: Any, data_dir: Path, quick_retries: None
) -> None:
    window = make_window(lang="en")
    sale = window.sale
    clock = Clock()
    sale.clock = clock
    run = statements(window)
    other = lock_writes(data_dir)
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    qtbot.waitUntil(lambda: begun(run) >= 1)
    clock.now += sale_screen.KEEP_SAY_AFTER_S
    qtbot.waitUntil(lambda: begun(run) >= 2)
    assert sale.banner.text() == ("The cart in progress was not written to the database; it "
                                  "stays on the screen. (The database is busy; the till keeps "
                                  "trying by itself.)")
    sale.scanned("6119999999999")  # a code the till does not know
    tries = begun(run)
    qtbot.waitUntil(lambda: begun(run) > tries)  # tried again, in silence
    assert sale.banner.isVisible() and sale.banner.text() == "Unknown barcode 6119999999999."
    other.execute("ROLLBACK")
    other.close()
    qtbot.waitUntil(lambda: kept_skus(data_dir) == ["AML-250"])
    assert sale.banner.isVisible() and sale.banner.text() == "Unknown barcode 6119999999999."


def test_a_sale_waits_for_a_lock_held_longer_than_the_cart_s_own_writes_wait(
    qtbot: Any, make_window: Any, data_dir: Path
) -> None:
    window = make_window()
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    assert sale.keep_now()  # nothing left to write before the sale
    other = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None,
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    sale_began = threading.Event()
    held_at_begin: list[bool] = []

    def release() -> None:  # held four times as long as the cart's own writes wait
        sale_began.wait(30)
        time.sleep(4 * sale_screen.KEEP_WAIT_MS / 1000)
        other.execute("ROLLBACK")

    def watch(dbapi_connection: sqlite3.Connection, _record: Any, _proxy: Any) -> None:
        def seen(sql: str) -> None:
            if sql.startswith("BEGIN IMMEDIATE") and not sale_began.is_set():
                held_at_begin.append(other.in_transaction)
                sale_began.set()
        dbapi_connection.set_trace_callback(seen)

    event.listen(window.ctx.store.engine.pool, "checkout", watch)
    releaser = threading.Thread(target=release)
    releaser.start()
    pay_cash(qtbot, (10000,))
    qtbot.keyClick(sale.search, Qt.Key.Key_F12)
    releaser.join(30)
    other.close()
    assert held_at_begin == [True]  # the lock was held when the sale began
    assert len(sales(window)) == 1 and sale.cart.is_empty

