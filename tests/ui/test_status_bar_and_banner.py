"""On a 1024x600 screen, in each language: the status bar says how far the laptop's clock
is from the organisers' server, and fits whole (short words, the whole in tooltips) while
receipts wait for a dead printer and the server is out of reach; the banner of a receipt
that did not print never moves a tile under the seller's finger."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from pos.i18n import tr, tr_count
from sync.client.engine import enrol_store
from sync.client.service import SyncService
from sync.client.status import clock_text
from sync.client.transport import utc_now
from tests.pos.printing.conftest import FakePrinter
from tests.sync.client.conftest import FAST, options
from tests.sync.client.conftest import server as server  # the organisers' live server
from tests.sync.client.support import LiveServer, Till
from tests.ui.conftest import on_modal
from tests.ui.test_printing import sell_cash, use_printer
from ui.sync_bridge import SyncBridge
from ui.theme import ACCENT

SMALL = (1024, 600)
LEFT = Qt.MouseButton.LeftButton
BEHIND = dt.timedelta(hours=2, minutes=10)
CLOCK_WORDS = {"ar": "الساعة متأخرة، الفرق ساعتان و10 دقائق",
               "fr": "Horloge en retard de 2 h 10 min",
               "en": "Clock 2 h 10 min behind"}


def settle() -> None:
    for _ in range(12):
        QApplication.processEvents()


def status_labels(window: Any) -> list[Any]:
    return [window.day_status, window.printer_status, window.sync_status, window.clock_status,
            window.printer_bar.waiting, window.user_status]


def whole_or_short(label: Any) -> bool:
    """The label shows its whole text or its short form, never a word cut by "…"."""
    shown = label.shown_text()
    return (shown in (label.text(), label.short)
            and label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width())


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_status_bar_says_how_far_the_clock_is_from_the_server(
        qtbot: Any, make_window: Any, server: LiveServer, lang: str) -> None:
    window = make_window(lang=lang, size=SMALL)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    skew = [-BEHIND]  # the laptop's clock, 2 h 10 min behind the server's
    service = SyncService(store, options(), now=lambda: utc_now() + skew[0])
    bridge = SyncBridge(store, lang, parent=window, service=service)
    window.attach_sync(bridge)
    clock = window.clock_status
    assert clock.isHidden()  # enrolled with a right clock: nothing to say
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()
        qtbot.waitUntil(lambda: not clock.isHidden(), timeout=5000)
        settle()
        assert clock.text() == CLOCK_WORDS[lang] and whole_or_short(clock)
        assert clock.toolTip() == clock_text(lang, bridge.snapshot.clock_offset)
        assert clock.toolTip().startswith({
            "ar": "توقيت هذا الحاسوب متأخر عن خادم المنظمين، والفرق ساعتان و10 دقائق",
            "fr": "L'horloge de cet ordinateur retarde de 2 h 10 min sur le serveur",
            "en": "This laptop's clock is 2 h 10 min behind the organisers' server"}[lang])
        assert clock.palette().color(clock.foregroundRole()) == QColor(ACCENT)
        assert (window.width(), window.height()) == SMALL

        skew[0] = dt.timedelta(0)  # the clock put right: the next reply says so
        Till(store).sell(random.Random(5))
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.request_sync("manual")
        qtbot.waitUntil(clock.isHidden, timeout=5000)
    finally:
        bridge.stop()


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_status_bar_fits_while_receipts_wait_and_the_server_is_away(
        qtbot: Any, make_window: Any, server: LiveServer, tmp_path: Path, lang: str) -> None:
    """The worst of a market day on a 1024 px screen: the printer off with a receipt
    waiting, the server out of reach with a day to send, the laptop's clock off. Every
    label of the status bar is whole, in its words or in their short form; the whole words
    are in the tooltips; "Retry printing" is whole."""
    window = make_window(lang=lang, size=SMALL)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    patient = dataclasses.replace(options(), retry_min=60, retry_max=60)  # offline a while
    bridge = SyncBridge(store, lang, parent=window,
                        service=SyncService(store, patient, now=lambda: utc_now() - BEHIND))
    window.attach_sync(bridge)
    off = FakePrinter()
    off.close()  # nothing listens there: the printer is off
    use_printer(window, off.port)
    window.printer.start()
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()  # the clock is measured; then the server goes away
        server.stop()
        sell_cash(qtbot, window)
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.request_sync("manual")
        qtbot.waitUntil(lambda: window.printer_bar.isVisible()
                        and window.printer.state == "error", timeout=10000)
        qtbot.waitUntil(lambda: not window.clock_status.isHidden() and bridge.snapshot.failing
                        and not bridge.snapshot.syncing, timeout=5000)
        settle()
        labels = status_labels(window)
        assert [lab.isVisible() for lab in labels] == [True] * 6
        assert [lab.objectName() for lab in labels if not whole_or_short(lab)] == []
        sync = window.sync_status
        state = tr(lang, "ui.status.sync", state=bridge.state_text(lang, sent=False))
        assert state.startswith(tr(lang, "ui.status.sync", state=tr(lang, "ui.sync.offline_short")))
        assert sync.text().startswith(state) and sync.toolTip().startswith(state)
        waiting = window.printer_bar.waiting
        assert waiting.toolTip() == tr_count(lang, "printing.waiting", 1)
        assert waiting.shown_text() in (tr_count(lang, "printing.waiting", 1),
                                        tr_count(lang, "ui.printer.waiting_short", 1))
        assert window.clock_status.toolTip() == clock_text(lang, bridge.snapshot.clock_offset)
        retry = window.printer_bar.retry
        assert retry.text() == tr(lang, "ui.printer.retry") + "  (Ctrl+P)"
        assert retry.width() >= retry.sizeHint().width()
        assert window.rect().contains(QRect(retry.mapTo(window, QPoint(0, 0)), retry.size()))
        assert (window.width(), window.height()) == SMALL
        window.grab().save(str(tmp_path / f"status-{lang}.png"))
    finally:
        window.printer.stop()
        bridge.stop()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_receipt_that_did_not_print_never_moves_the_tiles(
        qtbot: Any, make_window: Any, tmp_path: Path, lang: str) -> None:
    """While the printer is dead each sale brings its banner for 20 s: it shows over the
    row of tiles the screen cuts anyway, the two rows above stay whole and where they were,
    and a tap on the banner rings up the tile under it."""
    window = make_window(lang=lang, size=SMALL)
    sale = window.sale
    grid = sale.grid
    off = FakePrinter()
    off.close()
    use_printer(window, off.port)
    window.printer.start()
    try:
        qtbot.keyClicks(sale.search, "AML-250")  # rung up by its code: the tiles stay at the top
        qtbot.keyClick(sale.search, Qt.Key.Key_Return)
        settle()
        before = two_rows(grid, window)

        def pay(dialog: Any) -> None:
            qtbot.mouseClick(dialog.findChild(type(dialog.ok), "payNote_10000"), LEFT)
            qtbot.mouseClick(dialog.ok, LEFT)

        on_modal("payDialog", pay)
        qtbot.mouseClick(sale.pay, LEFT)
        assert sale.cart.is_empty
        message = tr(lang, "printing.error.offline")
        qtbot.waitUntil(lambda: sale.banner.isVisible() and sale.banner.text() == message,
                        timeout=10000)
        settle()
        banner = sale.banner
        assert banner.height() >= banner.heightForWidth(banner.width())  # all of it shows
        assert two_rows(grid, window) == before  # not a tile moved
        tiles = QRect(grid.mapTo(window, QPoint(0, 0)), grid.size())
        shown = QRect(banner.mapTo(window, QPoint(0, 0)), banner.size())
        assert tiles.contains(shown)  # over the tiles, in the way of nothing else
        cards = [tile.adjusted(5, 5, -5, -5) for tile in before]  # as drawn in their cells
        assert all(tiles.contains(card) and not card.intersects(shown) for card in cards)
        window.grab().save(str(tmp_path / f"banner-{lang}.png"))

        products = grid.model().products
        spots = [QPoint(x, shown.center().y()) for x in range(shown.left() + 20, shown.right(), 40)]
        at, under = next((spot, index) for spot in spots
                         if (index := grid.indexAt(grid.viewport().mapFrom(window, spot))).isValid()
                         and products[index.row()].unit == "piece")  # no weight to type
        click_tile_at(qtbot, window, at)
        assert [ln.sku for ln in sale.cart.lines] == [products[under.row()].sku]
    finally:
        window.printer.stop()


def two_rows(grid: Any, window: Any) -> list[QRect]:
    """Where the tiles of the first two rows are on the window."""
    first = grid.visualRect(grid.model().index(0, 0))
    per_row = max(1, grid.viewport().width() // first.width())
    rects = [grid.visualRect(grid.model().index(i, 0)) for i in range(2 * per_row)]
    return [QRect(grid.viewport().mapTo(window, r.topLeft()), r.size()) for r in rects]


def click_tile_at(qtbot: Any, window: Any, at: QPoint) -> None:
    """A finger's tap at ``at`` (window coordinates), reaching what Qt finds there."""
    target = window.childAt(at)
    assert target is not None
    qtbot.mouseClick(target, LEFT, pos=target.mapFrom(window, at))


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_status_bar_fits_every_trouble_at_once(
        qtbot: Any, make_window: Any, server: LiveServer, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Every trouble of a market day at once on a 1024 px screen: the printer off with a
    receipt waiting, the server out of reach, the laptop's clock off, the cart in progress
    not written (another program holds the database) and a cashier signed in. The cart's
    "Cart not written" comes first and whole; every other label shown is whole, in its
    words or their short form, never cut by "…"; where even that is too wide (French),
    the open day's dot, the cashier's name and then the sync words give way, and come
    back once the cart is written."""
    # these modules take this one's helpers: imported here, once it is loaded
    from tests.conftest import Clock
    from tests.ui.conftest import click_tile, tile_row
    from tests.ui.test_cart_kept_while_busy import WHOLE, begun, statements
    from tests.ui.test_close_cart_unwritten import lock_writes
    from ui import sale as sale_screen

    monkeypatch.setattr(sale_screen, "KEEP_IDLE_MS", 20)
    window = make_window(lang=lang, size=SMALL)
    store = window.ctx.store
    enrol_store(store, server.url, server.code(), name="T01 test", **FAST)
    patient = dataclasses.replace(options(), retry_min=60, retry_max=60)
    bridge = SyncBridge(store, lang, parent=window,
                        service=SyncService(store, patient, now=lambda: utc_now() - BEHIND))
    window.attach_sync(bridge)
    off = FakePrinter()
    off.close()
    use_printer(window, off.port)
    window.printer.start()
    other = None
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.start()
        server.stop()
        sell_cash(qtbot, window)
        with qtbot.waitSignal(bridge.sync_finished, timeout=10000):
            bridge.request_sync("manual")
        qtbot.waitUntil(lambda: window.printer_bar.isVisible()
                        and window.printer.state == "error", timeout=10000)
        qtbot.waitUntil(lambda: not window.clock_status.isHidden() and bridge.snapshot.failing
                        and not bridge.snapshot.syncing, timeout=5000)
        clock = Clock()
        window.sale.clock = clock
        run = statements(window)
        other = lock_writes(data_dir)
        click_tile(qtbot, window, tile_row(window, "AML-250"))
        qtbot.waitUntil(lambda: begun(run) >= 2)
        clock.now += sale_screen.KEEP_SAY_AFTER_S
        qtbot.waitUntil(window.cart_status.isVisible, timeout=5000)
        settle()
        cart, bar = window.cart_status, window.statusBar()
        shown = [lab for lab in [cart, *status_labels(window)] if lab.isVisible()]
        assert [lab.objectName() for lab in shown if not whole_or_short(lab)] == []
        assert cart.shown_text() == tr(lang, "ui.status.cart_not_kept_short")
        assert cart.toolTip() == WHOLE[lang]
        # first in the reading order: at the right end in Arabic, else at the left
        firsts = sorted(shown, key=lambda lab: lab.mapTo(window, QPoint(0, 0)).x(),
                        reverse=lang == "ar")
        assert firsts[0] is cart
        # the urgent ones all there; what gave way is the least useful, in that order
        urgent = [window.printer_status, window.clock_status, window.printer_bar.waiting]
        assert all(lab.isVisible() for lab in urgent)
        given_way = [lab.objectName() for lab in (window.day_status, window.user_status,
                                                  window.sync_status) if lab.isHidden()]
        assert given_way == ["statusDay", "statusCashier", "statusSync"][:len(given_way)]
        if lang == "fr":  # the widest: 160 px too many with every short form
            assert given_way[:2] == ["statusDay", "statusCashier"]
        for lab in shown:
            place = QRect(lab.mapTo(bar, QPoint(0, 0)), lab.size())
            assert bar.rect().contains(place), lab.objectName()
        retry = window.printer_bar.retry
        assert retry.text() == tr(lang, "ui.printer.retry") + "  (Ctrl+P)"
        assert bar.rect().contains(QRect(retry.mapTo(bar, QPoint(0, 0)), retry.size()))
        assert (window.width(), window.height()) == SMALL
        window.grab().save(str(tmp_path / f"status-{lang}.png"))

        other.execute("ROLLBACK")  # the database free again: the cart is written
        other.close()
        other = None
        qtbot.waitUntil(cart.isHidden, timeout=5000)
        settle()
        assert window.user_status.isVisible() and window.sync_status.isVisible()
        assert [lab.objectName() for lab in status_labels(window)
                if not whole_or_short(lab)] == []
    finally:
        if other is not None:
            other.execute("ROLLBACK")
            other.close()
        window.printer.stop()
        bridge.stop()
