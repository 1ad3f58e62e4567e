"""Closing the till over a cart that the database will not take: another program holds
the database's write lock (a backup copying it, the back office of a second window). The
seller is told the cart is not written, and nothing is lost by answering "keep selling":
once the database takes writes again, the cart is written and comes back on the next
start."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from pos import db as pos_db
from pos.db import DB_FILENAME
from tests.ui.conftest import click_tile, tile_row
from tests.ui.test_sale_guards import on_modal

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write waits a moment for a lock held elsewhere, not the till's 10 s."""
    monkeypatch.setattr(pos_db, "BUSY_TIMEOUT_MS", 150)


def lock_writes(data_dir: Path) -> sqlite3.Connection:
    """A second connection that holds the database's write lock until it ends."""
    other = sqlite3.connect(data_dir / DB_FILENAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def close_asked(qtbot: Any, window: Any, answer: str) -> tuple[bool, str]:
    """Close the window, the close question answered with ``answer`` ("ok" or "cancel");
    whether it closed, and the question read."""
    asked: list[str] = []

    def reply(dialog: Any) -> None:
        asked.append(dialog.findChild(type(dialog.title), "closeConfirmText").text())
        qtbot.mouseClick(getattr(dialog, answer), LEFT)

    on_modal(qtbot, "closeConfirm", reply)
    closed = window.close()
    return closed, asked[0] if asked else ""


def test_a_cart_not_written_is_said_and_kept_once_the_database_is_free(
    qtbot: Any, make_window: Any, data_dir: Path, short_wait: None
) -> None:
    window = make_window()
    window.confirm_close = True
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    assert window.sale.keep_now()  # the first line is written
    other = lock_writes(data_dir)
    click_tile(qtbot, window, tile_row(window, "THY-50"))

    closed, question = close_asked(qtbot, window, "cancel")
    assert not closed and window.isVisible()
    assert question == ("Les dernières modifications du panier en cours n'ont pas pu être "
                        "écrites dans la base de données (le message en rouge en bas de la "
                        "fenêtre dit pourquoi)\u00a0: si vous fermez maintenant, le panier "
                        "reviendra au prochain démarrage tel qu'il a été écrit la dernière fois "
                        "(65,00\u00a0DH), sans elles.\nFermer quand même\u00a0?")
    assert window.sale.banner.text() == (
        "Le panier en cours n'a pas été écrit dans la base de données\u00a0; il reste à "
        "l'écran. (La base de données est occupée\u00a0; réessayez.)")
    assert [line.sku for line in window.sale.cart.lines] == ["AML-250", "THY-50"]

    other.execute("ROLLBACK")
    other.close()
    closed, question = close_asked(qtbot, window, "ok")
    assert closed and not window.isVisible()
    assert question.startswith("Le panier en cours (2 lignes, 80,00\u00a0DH) est gardé")
    window.confirm_close = False
    window.ctx.store.close()
    again = make_window(day_open=False)
    assert [line.sku for line in again.sale.cart.lines] == ["AML-250", "THY-50"]


def write_attempts(window: Any) -> list[str]:
    """The writes the till starts on its database from now on (each waits for the lock)."""
    begun: list[str] = []

    def watch(dbapi_connection: sqlite3.Connection, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(
            lambda sql: begun.append(sql) if sql.startswith("BEGIN IMMEDIATE") else None)

    event.listen(window.ctx.store.engine.pool, "checkout", watch)
    return begun


def test_closing_anyway_says_which_cart_comes_back_and_waits_for_the_lock_once(
    qtbot: Any, make_window: Any, data_dir: Path, short_wait: None
) -> None:
    window = make_window(lang="ar")
    window.confirm_close = True
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    assert window.sale.keep_now()
    other = lock_writes(data_dir)
    click_tile(qtbot, window, tile_row(window, "THY-50"))
    begun = write_attempts(window)

    closed, question = close_asked(qtbot, window, "ok")
    assert closed and not window.isVisible()
    assert question == ("تعذّرت كتابة آخر التغييرات على السلة قيد التسجيل في قاعدة البيانات "
                        "(الرسالة الحمراء أسفل النافذة تبيّن السبب): إن أغلقت الآن فستعود "
                        "السلة عند تشغيل الصندوق من جديد كما كُتبت آخر مرة (65,00\u00a0د.م.)، "
                        "من دون هذه التغييرات.\nهل تريد الإغلاق رغم ذلك؟")
    assert len(begun) == 1  # tried for the question, not again while the window closes
    other.execute("ROLLBACK")
    other.close()
    window.confirm_close = False
    window.ctx.store.close()
    again = make_window(day_open=False)  # what the question said: the cart as last written
    assert [line.sku for line in again.sale.cart.lines] == ["AML-250"]


def test_a_cart_never_written_is_lost_only_when_the_seller_says_so(
    qtbot: Any, make_window: Any, data_dir: Path, short_wait: None
) -> None:
    window = make_window(lang="en")
    window.confirm_close = True
    other = lock_writes(data_dir)
    click_tile(qtbot, window, tile_row(window, "AML-250"))

    closed, question = close_asked(qtbot, window, "cancel")
    assert not closed
    assert question == ("The cart in progress could not be written to the database (the red "
                        "message at the bottom of the window says why): closing now loses "
                        "it.\nClose anyway?")
    closed, _question = close_asked(qtbot, window, "ok")
    assert closed
    other.execute("ROLLBACK")
    other.close()
    window.confirm_close = False
    window.ctx.store.close()
    again = make_window(day_open=False)
    assert again.sale.cart.is_empty


def test_a_cart_that_cannot_be_parked_stays_on_the_screen_and_says_so(
    qtbot: Any, make_window: Any, data_dir: Path, short_wait: None
) -> None:
    window = make_window(lang="en")
    sale = window.sale
    click_tile(qtbot, window, tile_row(window, "AML-250"))
    other = lock_writes(data_dir)
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)
    assert sale.banner.text() == ("The cart could not be parked; it stays on the screen. Try "
                                  "again. (The database is busy; try again.)")
    assert [line.sku for line in sale.cart.lines] == ["AML-250"] and sale.parked_count == 0
    other.execute("ROLLBACK")
    other.close()
    qtbot.keyClick(sale.search, Qt.Key.Key_F11)  # again, as the message says
    assert sale.cart.is_empty and sale.parked_count == 1
